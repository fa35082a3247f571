using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using WardLink.Domain;
using WardLink.Patrols;
using WardLink.Testing;

namespace WardLink.IntegrationTests.StoredValues;

/// <summary>
/// The patrols service at the edges (issue 16): date ranges and years bounded, pages bounded, and
/// reads over poison records written straight into the event store (a schedule whose day is the
/// number 7, residence checks whose counts overflow a 32-bit sum).
/// </summary>
public sealed class PatrolEdgeValueTests(ServiceFixture<PatrolsService> patrols) : IClassFixture<ServiceFixture<PatrolsService>>
{
    private readonly HttpClient _client = patrols.CreateClient();

    private Marten.IDocumentStore Store => patrols.Host.Services.GetRequiredService<Marten.IDocumentStore>();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("/patrols/coverage?from=9999-12-30&to=9999-12-31", "from")]
    [InlineData("/patrols/coverage?from=2100-12-31&to=2101-01-01", "to")]
    [InlineData("/patrols/planned?from=9999-12-30&to=9999-12-31", "from")]
    [InlineData("/patrols/planned?from=0001-01-01&to=0001-01-02", "from")]
    [InlineData("/patrols/coverage?from=2024-01-01&to=2025-12-31", "to")]
    [InlineData("/patrols/stats?year=9998", "year")]
    [InlineData("/patrols/stats?year=2101", "year")]
    [InlineData("/patrols/shifts?page=2147483647", "page")]
    [InlineData("/patrols/shifts?from=2024-06-01T00:00:00", "from")]
    [InlineData("/patrols/shifts?to=9999-12-31T23:59:59Z", "to")]
    public async Task Edge_values_in_the_query_are_400_problems_naming_the_field(string path, string field) =>
        await (await _client.GetAsync(path, Ct)).AssertFieldErrorAsync(field);

    [Theory]
    [InlineData("9999-12-31T20:00:00Z")]
    [InlineData("1969-12-31T23:59:59Z")]
    [InlineData("2024-06-01T21:00:00")]
    public async Task A_shift_begun_outside_the_window_or_without_an_offset_is_a_400_naming_at(string at) =>
        await (await _client.PostAsJsonAsync("/patrols/shifts", new { routeId = Guid.CreateVersion7(), kind = "patrol", team = "police", members = new[] { new { name = "A", role = "police" } }, at }, Ct))
            .AssertFieldErrorAsync("at");

    [Fact]
    public async Task A_schedule_with_a_day_stored_as_a_number_is_read_planned_and_audited()
    {
        var scheduleId = Guid.CreateVersion7();
        await Store.AppendRawAsync<ScheduleState>(scheduleId, new ScheduleCreated(
            scheduleId, Guid.CreateVersion7(), ShiftKind.Patrol, [(DayOfWeek)7, DayOfWeek.Friday], "21:00", "24:00", TeamKind.Police, [], [],
            new DateOnly(2100, 1, 1), DateTimeOffset.UtcNow, "test"));

        var schedule = await _client.OkJsonAsync($"/patrols/schedules/{scheduleId}");
        var state = await _client.OkJsonAsync($"/audit/patrols/streams/{scheduleId}/state");
        var planned = await _client.OkJsonAsync("/patrols/planned?from=2100-01-01&to=2100-01-31");

        Assert.Contains("friday", schedule.ToString(), StringComparison.Ordinal);
        Assert.Equal(1, state.GetProperty("version").GetInt64());
        Assert.Equal(5, planned.EnumerateArray().Count(shift => shift.GetProperty("shift").GetProperty("scheduleId").GetGuid() == scheduleId));
        await _client.OkJsonAsync("/patrols/coverage?from=2100-01-01&to=2100-12-31");
        await _client.OkJsonAsync($"/patrols/stats?year={WardTime.LastYear}");
    }

    /// <summary>
    /// A shift whose stored end is past the window (year 9999) or before its own start reads in the coverage: the end counts
    /// as the window's edge (the last instant of 2100), never before the start, and the shift as under way for at most
    /// <see cref="PatrolQueries.MaxUnderWay"/>; a 500 or hours in the millions are not an answer.
    /// </summary>
    [Theory]
    [InlineData("2022-03-01T21:00:00+07:00", "9999-12-31T23:59:59Z")]
    [InlineData("2022-03-01T21:00:00+07:00", "1900-01-01T00:00:00Z")]
    [InlineData("2100-12-31T21:00:00+07:00", "9999-12-31T23:59:59Z")]
    public async Task A_shift_whose_stored_end_is_outside_the_window_reads_in_the_coverage_ending_at_its_edge_or_its_bound(string begunAt, string endedAt)
    {
        var shiftId = Guid.CreateVersion7();
        var siteId = Guid.CreateVersion7();
        var at = DateTimeOffset.Parse(begunAt, System.Globalization.CultureInfo.InvariantCulture);
        var ended = DateTimeOffset.Parse(endedAt, System.Globalization.CultureInfo.InvariantCulture);
        await Store.AppendRawAsync<ShiftState>(
            shiftId,
            new ShiftStarted(shiftId, ShiftKind.Patrol, Guid.CreateVersion7(), null, null, null, TeamKind.Police, [], [new TeamMember("A", "police")], [new Checkpoint("GATE", siteId, null)], at, "test"),
            new ShiftEnded(shiftId, ended, "test"));

        var day = $"{at.ToOffset(WardTime.Offset):yyyy-MM-dd}";
        var coverage = await _client.OkJsonAsync($"/patrols/coverage?from={day}&to={day}&siteId={siteId}");

        var lasted = WardTime.Clamp(ended) - at;
        var expected = ended > at ? Math.Round((lasted < PatrolQueries.MaxUnderWay ? lasted : PatrolQueries.MaxUnderWay).TotalHours, 2) : 0;
        Assert.Equal((1, expected), (coverage.GetProperty("shiftsPerformed").GetInt32(), coverage.GetProperty("hoursPatrolled").GetDouble()));
    }

    [Fact]
    public async Task Residence_checks_whose_counts_overflow_32_bits_add_up_in_the_statistics()
    {
        var shiftId = Guid.CreateVersion7();
        var at = new DateTimeOffset(2023, 6, 1, 21, 0, 0, WardTime.Offset);
        var most = new ResidenceCounts(int.MaxValue, int.MaxValue, int.MaxValue, int.MaxValue);
        await Store.AppendRawAsync<ShiftState>(
            shiftId,
            new ShiftStarted(shiftId, ShiftKind.ResidenceCheck, Guid.CreateVersion7(), null, null, null, TeamKind.Police, [], [new TeamMember("A", "police")], [], at, "test"),
            new ResidenceCheckRecorded(shiftId, most, at.AddMinutes(10), "test"),
            new ResidenceCheckRecorded(shiftId, most, at.AddMinutes(20), "test"));

        var counts = (await _client.OkJsonAsync("/patrols/stats?year=2023")).GetProperty("residenceCounts");

        Assert.Equal(2L * int.MaxValue, counts.GetProperty("premisesVisited").GetInt64());
        Assert.Equal(2L * int.MaxValue, counts.GetProperty("remindersIssued").GetInt64());
        await _client.OkJsonAsync($"/patrols/shifts/{shiftId}");
    }
}
