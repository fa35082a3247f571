using System.Net;
using System.Text.Json;
using CsCheck;
using WardLink.Audit;
using WardLink.Auditor;
using WardLink.IntegrationTests.StoredValues;
using WardLink.IntegrationTests.Tips;
using WardLink.Testing;
using WardLink.Tips;

namespace WardLink.IntegrationTests.Ticks;

/// <summary>
/// The audit to the tick (<see cref="TickEdges"/>): PostgreSQL records an event's time in whole microseconds, and the log's
/// <c>from</c>/<c>to</c> and the state as of a time hold it against a time asked to the tick (a bound a tick after it is after it).
/// </summary>
public sealed class AuditTimeEdgeTests(ServiceFixture<TipsService> tips) : IClassFixture<ServiceFixture<TipsService>>
{
    private const string Service = "tips";

    private readonly HttpClient _client = tips.CreateClient();

    [Fact]
    public async Task The_log_holds_an_event_to_its_recorded_time_and_the_state_as_of_a_time_holds_it_from_then_to_the_tick()
    {
        var id = await _client.ReceiveAsync();
        var recorded = (await _client.OkJsonAsync($"/audit/{Service}/streams/{id}")).GetProperty("events")[0].Deserialize<AuditEntry>(AuditorCommands.Json)!;
        var at = recorded.Event!.RecordedAt;

        await Gen.Select(TickEdges.Near, TickEdges.Offset).SampleAsync(
            async (ticks, offset) =>
            {
                var bound = at.AddTicks(ticks);
                await TickEdges.AssertListedInRangeAsync(at, bound, offset, (from, to) => LogShowsAsync(recorded.Sequence, from, to));

                var asOf = await _client.GetAsync($"/audit/{Service}/streams/{id}/state?at={TickEdges.Query(bound, offset)}", TestContext.Current.CancellationToken);
                Assert.True(
                    asOf.StatusCode == (at <= bound ? HttpStatusCode.OK : HttpStatusCode.NotFound),
                    $"recorded {TickEdges.Text(at, offset)}, as of {TickEdges.Text(bound, offset)}: {asOf.StatusCode}");
            },
            iter: 100,
            threads: 1);
    }

    /// <summary>Whether the log from <paramref name="from"/> to <paramref name="to"/> shows the event at <paramref name="sequence"/>: its first line after the one before.</summary>
    private async Task<bool> LogShowsAsync(long sequence, string from, string to)
    {
        var response = await (await _client.GetAsync($"/audit/{Service}/log?after={sequence - 1}&limit=1&from={from}&to={to}", TestContext.Current.CancellationToken)).AssertOkAsync();
        var lines = (await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return lines.Length > 0 && JsonSerializer.Deserialize<AuditEntry>(lines[0], AuditorCommands.Json)!.Sequence == sequence;
    }
}
