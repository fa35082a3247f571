using System.Net.Http.Json;
using System.Text.Json;
using MassTransit;
using WardLink.Contracts.Partners;
using WardLink.EventSourcing;
using WardLink.EventSourcing.Sites;
using WardLink.Testing;
using WardLink.Tips;
using PartnersService = WardLink.Partners.PartnersService;

namespace WardLink.IntegrationTests.Pipeline;

public sealed class BrokerOutageTests(ServiceGroup services) : IClassFixture<ServiceGroup>
{
    private const int Sites = 200;

    [Fact]
    public async Task Sites_registered_while_the_broker_is_down_all_arrive_everywhere_once_it_is_back_each_applied_once()
    {
        var partners = (await services.StartAsync<PartnersService>(PartnersService.Name)).CreateClient();
        await services.StartDirectoriesAsync();
        var partnerId = await partners.RegisterPartnerAsync();

        await services.Infrastructure.CutVirtualHostAsync(services.VirtualHost);
        var registered = new List<Guid>();
        for (var i = 1; i <= Sites; i++)
        {
            registered.Add(await partners.RegisterSiteAsync(partnerId, $"Camera site {i:000}"));
        }

        var relay = await Eventually.Get(
            async () =>
            {
                var check = (await partners.GetFromJsonAsync<JsonElement>("/health/ready")).GetProperty("checks").GetProperty("relay");
                return check.GetProperty("status").GetString() == "Degraded" ? check.ToString() : null;
            },
            "the relay to report that it cannot publish");
        var data = JsonDocument.Parse(relay).RootElement.GetProperty("data");
        Assert.True(data.GetProperty("lag").GetInt64() > 0);

        // The outage's start stands through the retries (each reset it, so an alert on its age never fired).
        var failingSince = data.GetProperty("failingSince").GetDateTimeOffset();
        var retried = await Eventually.Get(
            async () => (await partners.GetFromJsonAsync<JsonElement>("/health/ready")).GetProperty("checks").GetProperty("relay").GetProperty("data") is var now
                        && now.GetProperty("failedAttempts").GetInt32() >= data.GetProperty("failedAttempts").GetInt32() + 2
                ? now.ToString()
                : null,
            "the relay to fail two more attempts");
        Assert.Equal(failingSince, JsonDocument.Parse(retried).RootElement.GetProperty("failingSince").GetDateTimeOffset());

        await services.Infrastructure.RestoreVirtualHostAsync(services.VirtualHost);
        var known = await services.WaitForSitesAsync(Sites, TimeSpan.FromSeconds(90));

        foreach (var service in Partnership.Directories)
        {
            Assert.Equal(registered.Order(), known[service].Select(site => site.Id).Order());
            // One ledger row a site (its key is the consumer's and the message's, so never two): none lost between relay and consumer.
            Assert.Equal(Sites, (await services.ProcessedByAsync(service)).Count(SiteRegistrations.SiteRegistration));
        }
    }
}

public sealed class PoisonMessageTests(ServiceGroup services) : IClassFixture<ServiceGroup>
{
    [Fact]
    public async Task A_poison_message_is_retried_a_bounded_number_of_times_then_parked_in_the_error_queue_and_the_rest_flow()
    {
        await services.StartAsync<TipsService>(TipsService.Name);
        await using var bus = await TestBus.StartAsync(services.VirtualHost);
        var partnerId = Guid.CreateVersion7();
        var poison = new SiteRegistered(Guid.CreateVersion7(), partnerId, " ", SiteKind.Gate, 19.8, 105.7, DateTimeOffset.UtcNow);
        var poisonId = NewId.NextGuid();
        var good = Enumerable.Range(1, 3)
            .Select(i => new SiteRegistered(Guid.CreateVersion7(), partnerId, $"School gate {i}", SiteKind.Gate, 19.8, 105.7, DateTimeOffset.UtcNow))
            .ToList();

        await bus.PublishAsync(poison, poisonId);
        foreach (var site in good)
        {
            await bus.PublishAsync(site, NewId.NextGuid());
        }

        var known = await Eventually.Get(
            async () => await services.SitesKnownToAsync(TipsService.Name) is { Count: 3 } sites ? sites : null,
            "the three good sites in the tips directory");
        Assert.Equal(good.Select(site => site.SiteId).Order(), known.Select(site => site.Id).Order());

        var parked = await Eventually.Get(
            async () => (await services.Infrastructure.TakeMessagesAsync(services.VirtualHost, "tips-site-registered_error", 10)) is { Count: > 0 } messages ? messages : null,
            "the poison message in the error queue");
        var headers = Assert.Single(parked).GetProperty("properties").GetProperty("headers");
        Assert.Equal(WardLink.EventSourcing.Messaging.RetryLimit, headers.GetProperty("MT-Fault-RetryCount").GetInt32());
        Assert.Contains(poisonId.ToString(), Assert.Single(parked).GetProperty("payload").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(await services.ProcessedByAsync(TipsService.Name), processed => processed.MessageId == poisonId);
    }
}

public sealed class RelayRestartTests(ServiceGroup services) : IClassFixture<ServiceGroup>
{
    private const int Sites = 200;
    private const int PublishedBeforeStop = 50;

    [Fact]
    public async Task A_partners_service_stopped_in_the_middle_of_relaying_loses_nothing_and_nothing_is_applied_twice()
    {
        var tipsConsumed = new ConsumeCounter();
        await services.StartAsync<TipsService>(TipsService.Name, services: registry => registry.AddConsumeObserver(_ => tipsConsumed));
        await services.StartAsync<WardLink.Incidents.IncidentsService>(WardLink.Incidents.IncidentsService.Name);
        await services.StartAsync<WardLink.Patrols.PatrolsService>(WardLink.Patrols.PatrolsService.Name);

        // A first instance takes the writes but publishes no site: its relay hangs on the page.
        var closed = new PublishGate<SiteRegistered>(0);
        var first = await services.StartAsync<PartnersService>(PartnersService.Name, services: registry => registry.AddPublishObserver(_ => closed));
        var partners = first.CreateClient();
        var partnerId = await partners.RegisterPartnerAsync();
        var registered = new List<Guid>();
        for (var i = 1; i <= Sites; i++)
        {
            registered.Add(await partners.RegisterSiteAsync(partnerId, $"Patrol checkpoint {i:000}"));
        }

        await services.StopAsync(first);

        // A second instance reads all of them as one page, publishes 50 and is stopped before the rest.
        var halfOpen = new PublishGate<SiteRegistered>(PublishedBeforeStop);
        var second = await services.StartAsync<PartnersService>(PartnersService.Name, services: registry => registry.AddPublishObserver(_ => halfOpen));
        await Eventually.Get(
            () => Task.FromResult(halfOpen.Published >= PublishedBeforeStop ? "yes" : null),
            $"the second instance to publish {PublishedBeforeStop} sites", TimeSpan.FromSeconds(60));
        await services.StopAsync(second);

        await services.StartAsync<PartnersService>(PartnersService.Name);
        var known = await services.WaitForSitesAsync(Sites, TimeSpan.FromSeconds(90));

        foreach (var service in Partnership.Directories)
        {
            Assert.Equal(registered.Order(), known[service].Select(site => site.Id).Order());
            Assert.Equal(Sites, (await services.ProcessedByAsync(service)).Count(SiteRegistrations.SiteRegistration));
        }

        // The 50 sites relayed before the stop were delivered again after it, and changed nothing.
        Assert.Equal(0, closed.Published);
        await Eventually.Get(
            () => Task.FromResult(tipsConsumed.ConsumedOf<SiteRegistered>().Count >= Sites + PublishedBeforeStop ? "yes" : null),
            "the redelivered sites to reach the tips service");
        Assert.Equal(Sites + PublishedBeforeStop, tipsConsumed.ConsumedOf<SiteRegistered>().Count);
        Assert.Equal(Sites, tipsConsumed.ConsumedOf<SiteRegistered>().Distinct().Count());
    }
}

public sealed class HotColdRelayTests(ServiceGroup services) : IClassFixture<ServiceGroup>
{
    private const int Sites = 60;

    [Fact]
    public async Task Two_replicas_of_partners_publish_each_event_once()
    {
        await using var listener = await TestBus.StartAsync(services.VirtualHost, TestBus.Recording<SiteRegistered>("test-hot-cold-sites"));
        var one = (await services.StartAsync<PartnersService>(PartnersService.Name)).CreateClient();
        var two = (await services.StartAsync<PartnersService>(PartnersService.Name)).CreateClient();
        var partnerId = await one.RegisterPartnerAsync();

        var registered = new List<Guid>();
        for (var i = 1; i <= Sites; i++)
        {
            registered.Add(await (i % 2 == 0 ? one : two).RegisterSiteAsync(partnerId, $"Ward area {i:00}"));
        }

        // A last site registered after all the others: once it arrives, any duplicate of the others would have too.
        var sentinel = await two.RegisterSiteAsync(partnerId, "Sentinel site");
        await Eventually.Get(
            () => Task.FromResult(listener.Received.Any(received => ((SiteRegistered)received.Message).SiteId == sentinel) ? "yes" : null),
            "the sentinel site to be published", TimeSpan.FromSeconds(60));
        await Eventually.Get(
            () => Task.FromResult(listener.Received.Count >= Sites + 1 ? "yes" : null),
            "every site to be published", TimeSpan.FromSeconds(60));

        var received = listener.Received.ToList();
        Assert.Equal(Sites + 1, received.Count);
        Assert.Equal(Sites + 1, received.Select(message => message.MessageId).Distinct().Count());
        Assert.Equal(registered.Append(sentinel).Order(), received.Select(message => ((SiteRegistered)message.Message).SiteId).Order());
    }
}

/// <summary>Sites as the directories applied them (the services also record the audit checkpoints they keep).</summary>
internal static class SiteRegistrations
{
    public static bool SiteRegistration(ProcessedMessage processed) => processed.Consumer == nameof(SiteRegisteredConsumer);
}
