using System.Net.Http.Json;
using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using WardLink.Contracts.Partners;
using WardLink.Incidents;
using WardLink.Testing;
using WardLink.Tips;
using PartnersService = WardLink.Partners.PartnersService;

namespace WardLink.IntegrationTests.Pipeline;

/// <summary>
/// RabbitMQ keeps a message only for the queues bound when it is published: a consumer whose service has never started has
/// none yet, and the relay, its publish confirmed, goes past the event (a first deployment whose services start apart, a
/// version that consumes a new message). The recovery deploy/README.md gives: rewind the publisher's relay
/// (<c>EventRelay:All</c> in <c>mt_event_progression</c>) and restart it; every event is published again under its own id,
/// the late consumer applies it, and a consumer that had it already receives it again and changes nothing (its ledger).
/// </summary>
public sealed class LateConsumerTests(ServiceGroup services) : IClassFixture<ServiceGroup>
{
    [Fact]
    public async Task A_consumer_started_after_an_event_was_relayed_misses_it_until_the_publisher_s_relay_is_rewound_and_the_others_receive_it_again()
    {
        var incidentsConsumed = new ConsumeCounter();
        await services.StartAsync<IncidentsService>(IncidentsService.Name, services: registry => registry.AddConsumeObserver(_ => incidentsConsumed));
        var first = await services.StartAsync<PartnersService>(PartnersService.Name);
        var schema = first.Services.GetRequiredService<Marten.IDocumentStore>().Options.Events.DatabaseSchemaName;
        var partners = first.CreateClient();
        var partnerId = await partners.RegisterPartnerAsync();
        var early = await partners.RegisterSiteAsync(partnerId, "Market gate, before tips started");
        await Eventually.Get(
            async () => (await services.SitesKnownToAsync(IncidentsService.Name)).Any(site => site.Id == early) ? "yes" : null,
            "incidents to know the first site");
        await Eventually.Get(
            async () => (await partners.GetFromJsonAsync<JsonElement>("/health/ready")).GetProperty("checks").GetProperty("relay").GetProperty("data").GetProperty("lag").GetInt64() == 0 ? "yes" : null,
            "partners' relay to publish everything");

        // Tips' queue is declared by its first start, after the first site was relayed: the site it learns next proves it consumes.
        await services.StartAsync<TipsService>(TipsService.Name);
        var late = await partners.RegisterSiteAsync(partnerId, "Market gate, after tips started");
        var known = await Eventually.Get(
            async () => await services.SitesKnownToAsync(TipsService.Name) is var sites && sites.Any(site => site.Id == late) ? sites : null,
            "tips to know the site registered after it started");
        Assert.DoesNotContain(known, site => site.Id == early);

        // The runbook: stop the publisher, rewind its relay, start it again.
        await services.StopAsync(first);
        await using (var connection = new Npgsql.NpgsqlConnection(await services.DatabaseOfAsync(PartnersService.Name)))
        {
            await connection.OpenAsync(TestContext.Current.CancellationToken);
            await using var rewind = new Npgsql.NpgsqlCommand($"update {schema}.mt_event_progression set last_seq_id = 0 where name = 'EventRelay:All'", connection);
            Assert.Equal(1, await rewind.ExecuteNonQueryAsync(TestContext.Current.CancellationToken));
        }

        await services.StartAsync<PartnersService>(PartnersService.Name);
        await Eventually.Get(
            async () => (await services.SitesKnownToAsync(TipsService.Name)).Any(site => site.Id == early) ? "yes" : null,
            "tips to learn the first site from the rewound relay", TimeSpan.FromSeconds(60));

        // Incidents had both sites: each arrived again under its own id and was recognised by its ledger (one row a site, none
        // lost), its directory as it was.
        await Eventually.Get(
            () => Task.FromResult(incidentsConsumed.ConsumedOf<SiteRegistered>().Count >= 4 ? "yes" : null),
            "incidents to receive both sites again");
        Assert.Equal(2, incidentsConsumed.ConsumedOf<SiteRegistered>().Distinct().Count());
        var processed = (await services.ProcessedByAsync(IncidentsService.Name)).Where(SiteRegistrations.SiteRegistration).ToList();
        Assert.Equal(2, processed.Count);
        Assert.Equal([early, late], (await services.SitesKnownToAsync(IncidentsService.Name)).Select(site => site.Id).Order());
    }
}
