using CsCheck;
using WardLink.Incidents;
using WardLink.IntegrationTests.Incidents;
using WardLink.IntegrationTests.StoredValues;
using WardLink.Testing;

namespace WardLink.IntegrationTests.Ticks;

/// <summary>Incidents to the tick (<see cref="TickEdges"/>): the statistics count an incident in the local year it occurred in, and the list's <c>from</c>/<c>to</c> hold it to the tick.</summary>
public sealed class IncidentTimeEdgeTests(ServiceFixture<IncidentsService> incidents) : IClassFixture<ServiceFixture<IncidentsService>>
{
    private readonly HttpClient _client = incidents.CreateClient();

    [Fact]
    public async Task An_incident_that_occurred_at_either_side_of_a_local_year_s_end_counts_in_its_own_year()
    {
        await TickEdges.AssertEachCountedInItsYearAsync(
            async counted => (await _client.OkJsonAsync($"/incidents/stats?year={counted}")).GetProperty("total").GetInt32(),
            (at, offset) => _client.ReportAsync(IncidentRequests.Report(occurredAt: TickEdges.Text(at, offset))));
    }

    [Fact]
    public async Task An_incident_is_listed_for_a_range_exactly_when_it_occurred_in_it_to_the_tick()
    {
        await TickEdges.AssertEachListedInRangeAsync(
            async (at, offset) => (await _client.ReportAsync(IncidentRequests.Report(occurredAt: TickEdges.Text(at, offset)))).Id,
            (from, to, id) => _client.ListsAsync($"/incidents?from={from}&to={to}&limit=100", id));
    }
}
