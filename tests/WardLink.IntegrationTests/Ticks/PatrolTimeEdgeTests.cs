using CsCheck;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using WardLink.Contracts.Incidents;
using WardLink.Domain;
using WardLink.IntegrationTests.Patrols;
using WardLink.IntegrationTests.StoredValues;
using WardLink.Patrols;
using WardLink.Testing;

namespace WardLink.IntegrationTests.Ticks;

/// <summary>
/// Patrols to the tick (<see cref="TickEdges"/>): the statistics count a shift in the local year it began in, the shift list's
/// <c>from</c>/<c>to</c> hold it to the tick, and a day's coverage counts the shifts begun and the incidents that occurred on it.
/// </summary>
public sealed class PatrolTimeEdgeTests(ServiceFixture<PatrolsService> patrols) : IClassFixture<ServiceFixture<PatrolsService>>
{
    private readonly HttpClient _client = patrols.CreateClient();

    private IDocumentStore Store => patrols.Host.Services.GetRequiredService<IDocumentStore>();

    [Fact]
    public async Task A_shift_begun_at_either_side_of_a_local_year_s_end_counts_in_its_own_year()
    {
        var (routeId, _, _) = await _client.DefineRouteAsync(Store);

        await TickEdges.AssertEachCountedInItsYearAsync(
            async counted => (await _client.OkJsonAsync($"/patrols/stats?year={counted}")).GetProperty("shiftsPerformed").GetInt32(),
            (at, offset) => StartAsync(routeId, at, offset));
    }

    [Fact]
    public async Task A_shift_is_listed_for_a_range_exactly_when_it_began_in_it_to_the_tick()
    {
        var (routeId, _, _) = await _client.DefineRouteAsync(Store);

        await TickEdges.AssertEachListedInRangeAsync(
            (at, offset) => StartAsync(routeId, at, offset),
            (from, to, id) => _client.ListsAsync($"/patrols/shifts?from={from}&to={to}&limit=100", id));
    }

    [Fact]
    public async Task A_day_s_coverage_counts_the_shifts_begun_and_the_incidents_that_occurred_at_either_side_of_its_end_on_their_own_day()
    {
        var (routeId, site, _) = await _client.DefineRouteAsync(Store);

        await Gen.Select(TickEdges.Past, TickEdges.Near, TickEdges.Offset).SampleAsync(
            async (day, ticks, offset) =>
            {
                var date = DateOnly.FromDateTime(day.ToOffset(WardTime.Offset).Date);
                var at = WardTime.LocalDays(date, date).End.AddTicks(ticks);
                DateOnly[] dates = [date, date.AddDays(1)];
                bool OnItsDay(DateOnly on) => DateOnly.FromDateTime(at.ToOffset(WardTime.Offset).Date) == on;
                async Task<int> CoverageAsync(DateOnly on, string counted) =>
                    (await _client.OkJsonAsync($"/patrols/coverage?from={on:yyyy-MM-dd}&to={on:yyyy-MM-dd}&siteId={site.Id}")).GetProperty(counted).GetInt32();

                await TickEdges.AssertCountedWhereItFallsAsync(at, dates, on => CoverageAsync(on, "shiftsPerformed"), OnItsDay, () => StartAsync(routeId, at, offset));
                await TickEdges.AssertCountedWhereItFallsAsync(at, dates, on => CoverageAsync(on, "incidents"), OnItsDay, () => IncidentAtAsync(site.Id, at));
            },
            iter: 30,
            threads: 1);
    }

    private async Task<Guid> StartAsync(Guid routeId, DateTimeOffset at, TimeSpan offset) =>
        (await _client.StartShiftAsync(new { routeId, kind = "patrol", team = "police", members = PatrolRequests.Team, at = TickEdges.Text(at, offset) })).Id;

    /// <summary>An incident at <paramref name="siteId"/>, as patrols keeps it from IncidentReported (its time as the message carried it).</summary>
    private async Task IncidentAtAsync(Guid siteId, DateTimeOffset at)
    {
        await using var session = Store.LightweightSession();
        session.Store(new SiteIncident(Guid.CreateVersion7(), "INC-QT-2024-0001", siteId, IncidentClassification.Criminal, at));
        await session.SaveChangesAsync(TestContext.Current.CancellationToken);
    }
}
