using System.Net.Http.Json;
using System.Text.Json;
using JasperFx.Events;
using Microsoft.Extensions.DependencyInjection;
using WardLink.EventSourcing.Relay;
using WardLink.Partners;
using WardLink.Testing;
using WardLink.Tips;

namespace WardLink.IntegrationTests.Pipeline;

public sealed class DeadLetterTests(ServiceGroup services) : IClassFixture<ServiceGroup>
{
    private const string Unmappable = "A site whose mapping throws";

    [Fact]
    public async Task An_event_whose_mapping_throws_is_dead_lettered_and_the_relay_goes_on()
    {
        await services.StartAsync<TipsService>(TipsService.Name);
        var host = await services.StartAsync<PartnersService>(
            PartnersService.Name,
            services: registry => registry.AddSingleton<IIntegrationEventMap>(new ThrowingFor(Unmappable)));
        var partners = host.CreateClient();
        var partnerId = await partners.RegisterPartnerAsync();

        var before = await partners.RegisterSiteAsync(partnerId, "School gate, before");
        await partners.RegisterSiteAsync(partnerId, Unmappable);
        var after = await partners.RegisterSiteAsync(partnerId, "School gate, after");

        var known = await Eventually.Get(
            async () => await services.SitesKnownToAsync(TipsService.Name) is { Count: 2 } sites ? sites : null,
            "the two mappable sites in the tips directory");
        Assert.Equal(new[] { before, after }.Order(), known.Select(site => site.Id).Order());

        var relay = await Eventually.Get(
            async () =>
            {
                var data = (await partners.GetFromJsonAsync<JsonElement>("/health/ready")).GetProperty("checks").GetProperty("relay").GetProperty("data");
                return data.GetProperty("lag").GetInt64() == 0 ? data.ToString() : null;
            },
            "the relay to pass the unmappable event");
        Assert.Equal(1, JsonDocument.Parse(relay).RootElement.GetProperty("deadLettered").GetInt64());

        // The count is the process's; what the runbook sends an operator to (deploy/README.md) is the stored dead letter, which
        // outlives a restart: the relay's, naming the event by its sequence.
        var schema = host.Services.GetRequiredService<Marten.IDocumentStore>().Options.Events.DatabaseSchemaName;
        await using var connection = new Npgsql.NpgsqlConnection(await services.DatabaseOfAsync(PartnersService.Name));
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var stored = new Npgsql.NpgsqlCommand(
            $"""
             select letter.data ->> 'projectionName', event.data::text, letter.data ->> 'exceptionType', letter.data ->> 'exceptionMessage' from {schema}.mt_doc_deadletterevent letter
             left join {schema}.mt_events event on event.seq_id = (letter.data ->> 'eventSequence')::bigint
             """,
            connection);
        var letters = new List<(string Projection, string? Event, string Type, string Message)>();
        await using (var reader = await stored.ExecuteReaderAsync(TestContext.Current.CancellationToken))
        {
            while (await reader.ReadAsync(TestContext.Current.CancellationToken))
            {
                letters.Add((reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetString(2), reader.GetString(3)));
            }
        }

        var (projection, deadEvent, type, message) = Assert.Single(letters);
        Assert.Equal(nameof(EventRelay), projection);
        Assert.Contains(Unmappable, deadEvent, StringComparison.Ordinal);

        // As the runbook says: the exception's type, and a message naming only the event (none of its data).
        Assert.Equal(nameof(InvalidOperationException), type);
        Assert.StartsWith("Failure to apply event #", message, StringComparison.Ordinal);
        Assert.DoesNotContain(Unmappable, message, StringComparison.Ordinal);
    }

    /// <summary>The partners mapping, except that it throws for one site name.</summary>
    private sealed class ThrowingFor(string siteName) : IIntegrationEventMap
    {
        private readonly PartnersIntegrationEvents _real = new();

        public object? ToMessage(IEvent recorded) => recorded.Data is SiteRegistered { Name: var name } && name == siteName
            ? throw new InvalidOperationException($"Cannot map site '{name}'.")
            : _real.ToMessage(recorded);
    }
}
