using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using WardLink.IntegrationTests.Incidents;
using WardLink.Patrols;
using WardLink.Testing;

namespace WardLink.IntegrationTests.Patrols;

/// <summary>The missed-shift sweep of the real service, on a clock the test moves past the windows.</summary>
public sealed class PatrolsOnAClock : PatrolsOnTheBus;

public sealed class MissedShiftTests(PatrolsOnAClock patrols) : IClassFixture<PatrolsOnAClock>
{
    private static readonly TimeSpan Local = TimeSpan.FromHours(7);

    /// <summary>A daily schedule of a new route from local date <paramref name="startsOn"/>, made with the clock at <paramref name="now"/>.</summary>
    private async Task<Guid> ScheduleAsync(DateTimeOffset now, string startsOn)
    {
        patrols.Clock.Set(now);
        var (routeId, _, _) = await patrols.Client.DefineRouteAsync(patrols.Store);
        return await patrols.Client.ScheduleAsync(routeId, startsOn);
    }

    [Fact]
    public async Task A_planned_shift_not_started_by_the_end_of_its_window_is_recorded_as_missed_once_with_every_checkpoint()
    {
        var client = patrols.Client;
        patrols.Clock.Set(PatrolsOnTheBus.Evening);
        var (routeId, first, second) = await client.DefineRouteAsync(patrols.Store);
        var scheduleId = await client.ScheduleAsync(routeId, "2024-06-01");
        var june1 = PatrolSchedule.PlannedShiftId(scheduleId, new DateOnly(2024, 6, 1));
        var june2 = PatrolSchedule.PlannedShiftId(scheduleId, new DateOnly(2024, 6, 2));
        var may31 = PatrolSchedule.PlannedShiftId(scheduleId, new DateOnly(2024, 5, 31));

        // Still inside the window (23:59 local): nothing is missed yet.
        patrols.Clock.Set(new DateTimeOffset(2024, 6, 1, 23, 59, 0, Local));
        var sweep = patrols.Services.GetServices<IHostedService>().OfType<MissedShiftSweep>().Single();
        Assert.Empty(await sweep.SweepAsync(patrols.Clock.GetUtcNow(), TestContext.Current.CancellationToken));
        Assert.Empty(await patrols.Store.EventsOfAsync(june1));

        // The window closed at 24:00 local; the background sweep finds the shift on its next round.
        patrols.Clock.Set(new DateTimeOffset(2024, 6, 2, 0, 30, 0, Local));
        var events = await Eventually.Get(
            async () => await patrols.Store.EventsOfAsync(june1) is { Count: > 0 } found ? found : null,
            "the June 1 shift recorded as missed");
        var missed = Assert.IsType<ShiftMissed>(events[0].Data);
        Assert.Equal((scheduleId, routeId, new DateTimeOffset(2024, 6, 2, 0, 0, 0, Local), Shift.Sweeper), (missed.ScheduleId, missed.RouteId, missed.WindowEnd, missed.By));
        Assert.Equal(
            [("A", first.Id), ("B", second.Id)],
            events.Skip(1).Select(recorded => Assert.IsType<CheckpointMissed>(recorded.Data)).Select(point => (point.Code, point.SiteId)));

        // Later rounds (and a direct one) record nothing twice; days before the schedule began and the open day are untouched.
        Assert.Empty(await sweep.SweepAsync(patrols.Clock.GetUtcNow(), TestContext.Current.CancellationToken));
        Assert.Equal(3, (await patrols.Store.EventsOfAsync(june1)).Count);
        Assert.Empty(await patrols.Store.EventsOfAsync(may31));
        Assert.Empty(await patrols.Store.EventsOfAsync(june2));

        // A missed shift cannot be started any more; the next day's shift, started in time, is not missed.
        var late = await client.StepAsync("/patrols/shifts", null, new { scheduleId, plannedDate = "2024-06-01", members = PatrolRequests.Team });
        Assert.Equal(System.Net.HttpStatusCode.Conflict, late.StatusCode);
        patrols.Clock.Set(new DateTimeOffset(2024, 6, 2, 21, 5, 0, Local));
        var (started, _) = await client.StartShiftAsync(new { scheduleId, plannedDate = "2024-06-02", members = PatrolRequests.Team });
        Assert.Equal(june2, started);
        patrols.Clock.Set(new DateTimeOffset(2024, 6, 3, 0, 30, 0, Local));
        Assert.Empty(await sweep.SweepAsync(patrols.Clock.GetUtcNow(), TestContext.Current.CancellationToken));
        Assert.IsType<ShiftStarted>(Assert.Single(await patrols.Store.EventsOfAsync(june2)).Data);

        var planned = await client.GetJsonAsync("/patrols/planned?from=2024-06-01&to=2024-06-02");
        Assert.Equal(["missed", "started"], planned.EnumerateArray().Select(entry => entry.GetProperty("status").GetString()));
        var stats = await client.GetJsonAsync("/patrols/stats?year=2024");
        Assert.Equal((1, 1, 2), (stats.GetProperty("shiftsMissed").GetInt32(), stats.GetProperty("shiftsPerformed").GetInt32(), stats.GetProperty("checkpointsMissed").GetInt32()));
        await using var session = patrols.Store.QuerySession();
        Assert.Equal(ShiftStatus.Missed, (await session.LoadAsync<ShiftState>(june1, TestContext.Current.CancellationToken))!.Status);

        // Replicas sweeping at the same moment (here three sweeps and the background one) record a missed shift once.
        var (otherRoute, _, _) = await client.DefineRouteAsync(patrols.Store);
        var other = await client.ScheduleAsync(otherRoute, "2024-06-03");
        patrols.Clock.Set(new DateTimeOffset(2024, 6, 4, 0, 30, 0, Local));
        var sweeps = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => sweep.SweepAsync(patrols.Clock.GetUtcNow(), TestContext.Current.CancellationToken)));
        var june3 = PatrolSchedule.PlannedShiftId(other, new DateOnly(2024, 6, 3));
        Assert.True(sweeps.Sum(recorded => recorded.Count(id => id == june3)) <= 1);
        var otherEvents = await Eventually.Get(
            async () => await patrols.Store.EventsOfAsync(june3) is { Count: > 0 } found ? found : null,
            "the June 3 shift recorded as missed");
        Assert.Equal([typeof(ShiftMissed), typeof(CheckpointMissed), typeof(CheckpointMissed)], otherEvents.Select(recorded => recorded.Data.GetType()));
        Assert.Single(await patrols.Store.EventsOfAsync(june2));
    }

    /// <summary>
    /// A schedule ended after a date plans nothing after it: the planned list, a planned shift's start and the sweep all read
    /// the same predicate, so no shift after it is planned, started as planned or missed, while what it planned up to it stays
    /// (and is missed, or was started ahead of its day). Ending it before today is a 400 naming <c>endsOn</c>; before a day whose
    /// planned shift has started, later than it ends, or again on its date, a 409; none stores anything.
    /// </summary>
    [Fact]
    public async Task An_ended_schedule_plans_and_misses_nothing_after_its_last_date_and_keeps_what_it_planned_up_to_it()
    {
        var client = patrols.Client;
        var ct = TestContext.Current.CancellationToken;
        var scheduleId = await ScheduleAsync(new DateTimeOffset(2026, 3, 2, 10, 0, 0, Local), "2026-03-02");
        var end = $"/patrols/schedules/{scheduleId}/end";

        using (var past = await client.StepAsync(end, "\"1\"", new { endsOn = "2026-03-01" }))
        {
            Assert.Equal(System.Net.HttpStatusCode.BadRequest, past.StatusCode);
            Assert.Contains("endsOn", await past.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
        }

        // A team starts the next day's planned shift ahead of it: the schedule cannot end before that day.
        var (ahead, _) = await client.StartShiftAsync(new { scheduleId, plannedDate = "2026-03-03", members = PatrolRequests.Team });
        using (var beforeIt = await client.StepAsync(end, "\"1\"", new { endsOn = "2026-03-02" }))
        {
            Assert.Equal(System.Net.HttpStatusCode.Conflict, beforeIt.StatusCode);
        }

        using (var ended = await client.StepAsync(end, "\"1\"", new { endsOn = "2026-03-04" }))
        {
            Assert.Equal(System.Net.HttpStatusCode.OK, ended.StatusCode);
            Assert.Equal("\"2\"", ended.Headers.ETag?.Tag);
        }

        foreach (var refused in new[] { "2026-03-06", "2026-03-04" })
        {
            using var again = await client.StepAsync(end, null, new { endsOn = refused });
            Assert.Equal(System.Net.HttpStatusCode.Conflict, again.StatusCode);
        }

        using (var earlier = await client.StepAsync(end, null, new { endsOn = "2026-03-03" }))
        {
            Assert.Equal(System.Net.HttpStatusCode.OK, earlier.StatusCode);
        }

        var schedule = await client.GetJsonAsync($"/patrols/schedules/{scheduleId}");
        Assert.Equal("2026-03-03", schedule.GetProperty("endsOn").GetString());
        Assert.Equal(3, (await patrols.Store.EventsOfAsync(scheduleId)).Count);

        var planned = (await client.GetJsonAsync("/patrols/planned?from=2026-03-01&to=2026-03-09")).EnumerateArray()
            .Where(entry => entry.GetProperty("shift").GetProperty("scheduleId").GetGuid() == scheduleId)
            .Select(entry => entry.GetProperty("shift").GetProperty("date").GetString()).ToArray();
        Assert.Equal(["2026-03-02", "2026-03-03"], planned);

        patrols.Clock.Set(new DateTimeOffset(2026, 3, 5, 21, 5, 0, Local));
        using (var unplanned = await client.StepAsync("/patrols/shifts", null, new { scheduleId, plannedDate = "2026-03-05", members = PatrolRequests.Team }))
        {
            Assert.Equal(System.Net.HttpStatusCode.BadRequest, unplanned.StatusCode);
            Assert.Contains("plannedDate", await unplanned.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
        }

        patrols.Clock.Set(new DateTimeOffset(2026, 3, 9, 0, 30, 0, Local));
        var sweep = patrols.Services.GetServices<IHostedService>().OfType<MissedShiftSweep>().Single();
        await sweep.SweepAsync(patrols.Clock.GetUtcNow(), ct);
        Assert.Equal(PatrolSchedule.PlannedShiftId(scheduleId, new DateOnly(2026, 3, 3)), ahead);
        foreach (var day in Enumerable.Range(2, 7))
        {
            var shift = PatrolSchedule.PlannedShiftId(scheduleId, new DateOnly(2026, 3, day));
            var events = await Eventually.Get(
                async () => day > 2 || await patrols.Store.EventsOfAsync(shift) is { Count: > 0 } ? await patrols.Store.EventsOfAsync(shift) : null,
                $"March {day}'s shift as the sweep leaves it");
            var first = events.Select(recorded => recorded.Data.GetType()).FirstOrDefault();
            Assert.True(day switch { 2 => first == typeof(ShiftMissed), 3 => first == typeof(ShiftStarted), _ => first is null }, $"March {day}: {first?.Name ?? "nothing"}");
        }
    }

    /// <summary>
    /// An end of a schedule and a start of the shift it plans the day after that end, sent at once, take turns: the end is held
    /// on the schedule's row (an insider holds it, as a step on the schedule would) while the start is sent, and one of the two
    /// is refused; never a shift started on a day the schedule no longer plans.
    /// </summary>
    [Fact]
    public async Task An_end_and_a_start_of_a_day_after_it_sent_at_once_are_not_both_applied()
    {
        var client = patrols.Client;
        var ct = TestContext.Current.CancellationToken;
        var scheduleId = await ScheduleAsync(new DateTimeOffset(2026, 4, 6, 10, 0, 0, Local), "2026-04-06");
        var database = await patrols.DatabaseOfAsync(PatrolsService.Name);
        Task<HttpResponseMessage> end, start;
        await using (var insider = patrols.Store.LightweightSession())
        {
            await insider.Events.FetchForExclusiveWriting<ScheduleState>(scheduleId, ct);
            end = client.StepAsync($"/patrols/schedules/{scheduleId}/end", null, new { endsOn = "2026-04-06" });
            await Eventually.Get(async () => await RowLocks.WaitingAsync(database, ct) > 0 ? "waiting" : null, "the end to wait on the schedule's row");
            start = client.StepAsync("/patrols/shifts", null, new { scheduleId, plannedDate = "2026-04-07", members = PatrolRequests.Team });
            await Eventually.Get(
                async () => start.IsCompleted || await RowLocks.WaitingAsync(database, ct) > 1 ? "sent" : null, "the start to be answered or to wait for its turn");
        }

        using var ended = await end;
        using var started = await start;
        Assert.Contains(ended.StatusCode, new[] { System.Net.HttpStatusCode.OK, System.Net.HttpStatusCode.Conflict });
        Assert.Contains(started.StatusCode, new[] { System.Net.HttpStatusCode.Created, System.Net.HttpStatusCode.BadRequest });
        Assert.False(ended.IsSuccessStatusCode && started.IsSuccessStatusCode, $"both applied: the end {ended.StatusCode}, the start {started.StatusCode}");
        var endsOn = (await client.GetJsonAsync($"/patrols/schedules/{scheduleId}")).TryGetProperty("endsOn", out var last) ? last.GetString() : null;
        var shift = await patrols.Store.EventsOfAsync(PatrolSchedule.PlannedShiftId(scheduleId, new DateOnly(2026, 4, 7)));
        Assert.True(endsOn is null ? shift.Count > 0 : shift.Count == 0, $"the schedule ends on {endsOn ?? "no date"}, the shift of April 7 has {shift.Count} events");
    }

    [Fact]
    public async Task A_schedule_that_begins_on_a_past_date_records_no_shift_as_missed_whose_window_closed_before_it_was_created()
    {
        var client = patrols.Client;
        var scheduleId = await ScheduleAsync(new DateTimeOffset(2025, 7, 10, 10, 0, 0, Local), "2025-07-05");
        var before = Enumerable.Range(5, 5).Select(day => PatrolSchedule.PlannedShiftId(scheduleId, new DateOnly(2025, 7, day))).ToArray();
        var sweep = patrols.Services.GetServices<IHostedService>().OfType<MissedShiftSweep>().Single();

        var recorded = await sweep.SweepAsync(patrols.Clock.GetUtcNow(), TestContext.Current.CancellationToken);

        Assert.Empty(recorded.Intersect(before));
        foreach (var shift in before)
        {
            Assert.Empty(await patrols.Store.EventsOfAsync(shift));
        }

        var planned = (await client.GetJsonAsync("/patrols/planned?from=2025-07-05&to=2025-07-09")).EnumerateArray()
            .Where(entry => entry.GetProperty("shift").GetProperty("scheduleId").GetGuid() == scheduleId).ToArray();
        Assert.Equal(5, planned.Length);
        Assert.All(planned, entry => Assert.Equal(System.Text.Json.JsonValueKind.Null, entry.GetProperty("status").ValueKind));

        // Recorded after the fact, from a paper log; the day's own window, closing after the schedule's creation, is missed as usual.
        var (started, _) = await client.StartShiftAsync(new { scheduleId, plannedDate = "2025-07-08", members = PatrolRequests.Team, at = "2025-07-08T21:05:00+07:00" });
        Assert.Equal(before[3], started);
        patrols.Clock.Set(new DateTimeOffset(2025, 7, 11, 0, 30, 0, Local));
        var july10 = PatrolSchedule.PlannedShiftId(scheduleId, new DateOnly(2025, 7, 10));
        await sweep.SweepAsync(patrols.Clock.GetUtcNow(), TestContext.Current.CancellationToken);
        Assert.IsType<ShiftMissed>((await patrols.Store.EventsOfAsync(july10))[0].Data);
        Assert.Equal([typeof(ShiftStarted)], (await patrols.Store.EventsOfAsync(before[3])).Select(recorded => recorded.Data.GetType()));
    }
}
