using CsCheck;
using WardLink.Contracts.Incidents;
using WardLink.Contracts.Patrols;
using WardLink.Domain;
using WardLink.EventSourcing;
using WardLink.Patrols;
using static WardLink.UnitTests.DecisionAssert;
using CheckpointMissed = WardLink.Patrols.CheckpointMissed;
using ShiftMissed = WardLink.Patrols.ShiftMissed;

namespace WardLink.UnitTests;

public sealed class PatrolDecisionTests
{
    private const string Desk = "police-desk";
    private static readonly TimeSpan Local = TimeSpan.FromHours(7);
    private static readonly DateTimeOffset Now = new(2024, 6, 1, 21, 30, 0, Local);
    private static readonly DateOnly June1 = new(2024, 6, 1);

    private static DateTimeOffset June1Window(int hour, int minute) => new(2024, 6, 1, hour, minute, 0, Local);
    private static readonly Guid RouteId = Guid.Parse("0193b5a0-0000-7000-8000-0000000000c1");
    private static readonly Guid ScheduleId = Guid.Parse("0193b5a0-0000-7000-8000-0000000000d1");
    private static readonly Guid ShiftId = Guid.Parse("0193b5a0-0000-7000-8000-0000000000e1");
    private static readonly Guid Eye = Guid.Parse("0193b5a0-0000-7000-8000-00000000a001");
    private static readonly Guid Obstetrics = Guid.Parse("0193b5a0-0000-7000-8000-00000000a002");
    private static readonly Guid Partner = Guid.Parse("0193b5a0-0000-7000-8000-00000000b001");
    private static readonly DayOfWeek[] EveryDay = Enum.GetValues<DayOfWeek>();
    private const string Ward = "quang-thang";
    private static readonly Dictionary<string, DateTimeOffset> NoWardEnded = [];
    private static readonly RecordingWard WardOfShift = new(Ward);

    private static readonly RouteState Route = RouteState.Create(new RouteDefined(
        RouteId, "Hospitals at night", [new Checkpoint("EYE-GATE", Eye, "Eye hospital gate"), new Checkpoint("OBS-CAR", Obstetrics, null)], Now.AddDays(-10), Desk));

    private static ScheduleState Schedule(string start = "21:00", string end = "24:00", ShiftKind kind = ShiftKind.Patrol) =>
        ScheduleState.Create(Assert.IsType<ScheduleCreated>(Assert.Single(PatrolSchedule.Create(
            null, new CreateSchedule(ScheduleId, Route, kind, EveryDay, start, end, TeamKind.Joint, [Partner], June1, []), Now.AddDays(-5), Desk).Events)));

    private static ShiftState Started(ShiftKind kind = ShiftKind.Patrol) =>
        ShiftState.Create(Assert.IsType<ShiftStarted>(Assert.Single(Shift.Start(
            null, new StartShift(ShiftId, Route, null, kind, null, TeamKind.Police, null, [new TeamMember("Patrol lead", "police")]), Now, Desk).Events)));

    private static ShiftState Apply(ShiftState shift, Decision decision) => decision.Events.Aggregate(shift, (state, recorded) => recorded switch
    {
        CheckedIn checkedIn => state.Apply(checkedIn),
        ObservationReported observation => state.Apply(observation),
        ResidenceCheckRecorded residence => state.Apply(residence),
        ShiftEnded ended => state.Apply(ended),
        CheckpointMissed missed => state.Apply(missed),
        _ => throw new InvalidOperationException(recorded.GetType().Name),
    });

    /// <summary>Sites the directory knows, all of them in <see cref="Ward"/>.</summary>
    private static Dictionary<Guid, string> InWard(params Guid[] sites) => sites.ToDictionary(site => site, _ => Ward);

    private static void AssertInvalid(Decision decision, string field)
    {
        Assert.Empty(decision.Events);
        Assert.Equal(RejectionKind.Invalid, decision.Rejection?.Kind);
        Assert.True(decision.Rejection!.Errors!.ContainsKey(field), string.Join(", ", decision.Rejection.Errors.Keys));
    }

    [Fact]
    public void A_route_is_defined_with_trimmed_codes_in_walking_order_at_known_sites()
    {
        var decision = PatrolRoute.Define(
            null,
            new DefineRoute(RouteId, " Hospitals ", [new Checkpoint(" EYE-GATE ", Eye, " Gate "), new Checkpoint("OBS-CAR", Obstetrics, null)], InWard(Eye, Obstetrics), WardOfShift),
            Now,
            Desk);

        var defined = Assert.IsType<RouteDefined>(Assert.Single(decision.Events));
        Assert.Equal("Hospitals", defined.Name);
        Assert.Equal([new Checkpoint("EYE-GATE", Eye, "Gate"), new Checkpoint("OBS-CAR", Obstetrics, null)], defined.Checkpoints);
        Assert.Equal((Now, Desk), (defined.At, defined.By));
    }

    [Fact]
    public void A_route_needs_known_sites_distinct_codes_and_at_least_one_checkpoint()
    {
        AssertInvalid(PatrolRoute.Define(null, new DefineRoute(RouteId, "R", [new Checkpoint("A", Eye, null), new Checkpoint("B", Obstetrics, null)], InWard(Eye), WardOfShift), Now, Desk), "checkpoints[1].siteId");
        AssertInvalid(PatrolRoute.Define(null, new DefineRoute(RouteId, "R", [new Checkpoint("A", Eye, null), new Checkpoint("A", Eye, null)], InWard(Eye), WardOfShift), Now, Desk), "checkpoints[1].code");
        AssertInvalid(PatrolRoute.Define(null, new DefineRoute(RouteId, "R", [], InWard(), WardOfShift), Now, Desk), "checkpoints");
        AssertInvalid(PatrolRoute.Define(null, new DefineRoute(RouteId, " ", [new Checkpoint("A", Eye, null)], InWard(Eye), WardOfShift), Now, Desk), "name");
        AssertInvalid(
            PatrolRoute.Define(null, new DefineRoute(RouteId, "R", [new Checkpoint("A", Eye, null)], InWard(Eye), new RecordingWard(Ward, DateOnly.FromDateTime(Now.Date), "dong-quang")), Now, Desk),
            "ward");
    }

    /// <summary>A code is read trimmed, but its length counts it as sent: padded past the limit, it is refused.</summary>
    [Theory]
    [InlineData(" ", "")]
    [InlineData("", " ")]
    [InlineData("", "\n")]
    public void A_checkpoint_code_past_its_length_as_sent_is_refused_though_it_fits_once_trimmed(string before, string after)
    {
        var code = before + new string('C', PatrolRoute.MaxCodeLength) + after;

        AssertInvalid(PatrolRoute.Define(null, new DefineRoute(RouteId, "R", [new Checkpoint(code, Eye, null)], InWard(Eye), WardOfShift), Now, Desk), "checkpoints[0].code");
        Assert.True(PatrolRoute.Define(null, new DefineRoute(RouteId, "R", [new Checkpoint(code.Trim(), Eye, null)], InWard(Eye), WardOfShift), Now, Desk).IsAccepted);
    }

    [Fact]
    public void A_route_has_its_checkpoints_at_sites_of_its_own_ward()
    {
        var sites = new Dictionary<Guid, string> { [Eye] = Ward, [Obstetrics] = "dong-quang" };

        var decision = PatrolRoute.Define(null, new DefineRoute(RouteId, "R", [new Checkpoint("A", Eye, null), new Checkpoint("B", Obstetrics, null)], sites, WardOfShift), Now, Desk);

        AssertInvalid(decision, "checkpoints[1].siteId");
        Assert.False(decision.Rejection!.Errors!.ContainsKey("checkpoints[0].siteId"));
        Assert.Contains("dong-quang", Assert.Single(decision.Rejection.Errors["checkpoints[1].siteId"]), StringComparison.Ordinal);
    }

    [Fact]
    public void A_route_and_a_schedule_are_each_created_once()
    {
        AssertConflict(PatrolRoute.Define(Route, new DefineRoute(RouteId, "R", [new Checkpoint("A", Eye, null)], InWard(Eye), WardOfShift), Now, Desk));
        AssertConflict(PatrolSchedule.Create(
            Schedule(), new CreateSchedule(ScheduleId, Route, ShiftKind.Patrol, EveryDay, "21:00", "24:00", TeamKind.Police, [], null, []), Now, Desk));
    }

    [Fact]
    public void A_schedule_keeps_its_local_window_team_and_the_route_sites()
    {
        var schedule = Schedule();

        Assert.Equal(("21:00", "24:00"), (schedule.WindowStart, schedule.WindowEnd));
        Assert.Equal([Eye, Obstetrics], schedule.SiteIds);
        Assert.Equal(TimeSpan.FromHours(3), schedule.Window.Duration);
        Assert.Equal((TeamKind.Joint, June1), (schedule.Team, schedule.StartsOn));
    }

    [Theory]
    [InlineData("21:00", "21:00", "windowEnd")]
    [InlineData("25:00", "23:00", "windowStart")]
    [InlineData("24:00", "02:00", "windowStart")]
    [InlineData("21:00", "9pm", "windowEnd")]
    public void A_window_that_is_not_a_local_time_or_lasts_no_time_is_refused(string start, string end, string field) =>
        AssertInvalid(PatrolSchedule.Create(null, new CreateSchedule(ScheduleId, Route, ShiftKind.Patrol, EveryDay, start, end, TeamKind.Police, [], null, []), Now, Desk), field);

    /// <summary>A time of day is read trimmed, but its length counts it as sent: five characters at most.</summary>
    [Theory]
    [InlineData(" 21:00", "24:00", "windowStart")]
    [InlineData("21:00\n", "24:00", "windowStart")]
    [InlineData("21:00", "24:00 ", "windowEnd")]
    [InlineData("21:00", "\t02:00", "windowEnd")]
    public void A_window_time_past_its_length_as_sent_is_refused_though_it_reads_once_trimmed(string start, string end, string field) =>
        AssertInvalid(PatrolSchedule.Create(null, new CreateSchedule(ScheduleId, Route, ShiftKind.Patrol, EveryDay, start, end, TeamKind.Police, [], null, []), Now, Desk), field);

    /// <summary>The patterns the document states for a window's ends are what they read: every time of day, HH:mm, and 24:00 as an end.</summary>
    [Fact]
    public void The_documented_patterns_of_a_window_match_exactly_the_times_its_start_and_end_read()
    {
        var start = new System.Text.RegularExpressions.Regex(LocalWindow.StartPattern);
        var end = new System.Text.RegularExpressions.Regex(LocalWindow.EndPattern);

        Assert.All(Enumerable.Range(0, LocalWindow.MinutesPerDay), minute => Assert.Matches(start, LocalWindow.Format(minute)));
        Assert.All(Enumerable.Range(0, LocalWindow.MinutesPerDay + 1), minute => Assert.Matches(end, LocalWindow.Format(minute)));
        Assert.DoesNotMatch(start, "24:00");
        Gen.Char["0123456789: "].Array[LocalWindow.TimeOfDayLength].Select(chars => new string(chars)).Sample(text =>
        {
            Assert.Equal(start.IsWholly(text), LocalWindow.ParseMinute(text, isEnd: false) is not null);
            Assert.Equal(end.IsWholly(text), LocalWindow.ParseMinute(text, isEnd: true) is not null);
        });
    }

    [Fact]
    public void A_schedule_needs_a_route_days_and_partners_for_a_joint_team()
    {
        AssertInvalid(PatrolSchedule.Create(null, new CreateSchedule(ScheduleId, null, ShiftKind.Patrol, EveryDay, "21:00", "24:00", TeamKind.Police, [], null, []), Now, Desk), "routeId");
        AssertInvalid(PatrolSchedule.Create(null, new CreateSchedule(ScheduleId, Route, ShiftKind.Patrol, [], "21:00", "24:00", TeamKind.Police, [], null, []), Now, Desk), "days");
        AssertInvalid(PatrolSchedule.Create(null, new CreateSchedule(ScheduleId, Route, ShiftKind.Patrol, EveryDay, "21:00", "24:00", TeamKind.Veterans, [], null, []), Now, Desk), "partnerIds");
    }

    [Fact]
    public void A_partner_known_to_have_left_is_on_no_new_schedule_nor_a_shift_outside_any_and_its_body_is_judged_first()
    {
        var members = new[] { new TeamMember("Patrol lead", "police") };

        var schedule = PatrolSchedule.Create(null, new CreateSchedule(ScheduleId, Route, ShiftKind.Patrol, EveryDay, "21:00", "24:00", TeamKind.Joint, [Partner], null, [Partner]), Now, Desk);
        var shift = Shift.Start(null, new StartShift(ShiftId, Route, null, ShiftKind.Patrol, null, TeamKind.Joint, [Partner], members, DepartedPartners: [Partner]), Now, Desk);
        var badShift = Shift.Start(null, new StartShift(ShiftId, Route, null, ShiftKind.Patrol, null, TeamKind.Joint, [Partner], [], DepartedPartners: [Partner]), Now, Desk);

        foreach (var refused in new[] { schedule, shift })
        {
            Assert.Equal(RejectionKind.Conflict, refused.Rejection?.Kind);
            Assert.Contains(Partner.ToString(), refused.Rejection!.Title, StringComparison.Ordinal);
            Assert.Empty(refused.Events);
        }

        AssertInvalid(badShift, "members");
        Assert.Single(Shift.Start(null, new StartShift(ShiftId, Route, null, ShiftKind.Patrol, null, TeamKind.Joint, [Partner], members, DepartedPartners: []), Now, Desk).Events);
    }

    [Fact]
    public void A_schedule_without_a_first_date_starts_on_the_local_date_of_its_creation()
    {
        var lateUtcEvening = new DateTimeOffset(2024, 6, 1, 18, 30, 0, TimeSpan.Zero);

        var created = Assert.IsType<ScheduleCreated>(Assert.Single(PatrolSchedule.Create(
            null, new CreateSchedule(ScheduleId, Route, ShiftKind.Patrol, EveryDay, "21:00", "24:00", TeamKind.Police, [], null, []), lateUtcEvening, Desk).Events));

        Assert.Equal(new DateOnly(2024, 6, 2), created.StartsOn);
    }

    [Fact]
    public void A_window_across_midnight_ends_on_the_next_local_day_in_utc_plus_seven()
    {
        var window = Schedule("22:00", "02:00").Window;

        var (start, end) = window.On(June1);

        Assert.Equal(new DateTimeOffset(2024, 6, 1, 15, 0, 0, TimeSpan.Zero), start);
        Assert.Equal(new DateTimeOffset(2024, 6, 2, 2, 0, 0, Local), end);
        Assert.Equal(TimeSpan.FromHours(4), window.Duration);
        Assert.Equal(new DateTimeOffset(2024, 6, 1, 17, 0, 0, TimeSpan.Zero), Schedule().Window.On(June1).End);
        Assert.Equal(TimeSpan.FromHours(24), new LocalWindow(0, 1440).Duration);
    }

    [Fact]
    public void Planned_shifts_fall_on_the_scheduled_days_from_the_first_date_each_with_a_stream_id_of_schedule_and_date()
    {
        var weekends = Schedule() with { Days = [DayOfWeek.Saturday, DayOfWeek.Sunday] };

        var planned = PatrolSchedule.Plan([weekends], new DateOnly(2024, 5, 25), new DateOnly(2024, 6, 9), NoWardEnded);

        Assert.Equal([new DateOnly(2024, 6, 1), new DateOnly(2024, 6, 2), new DateOnly(2024, 6, 8), new DateOnly(2024, 6, 9)], planned.Select(shift => shift.Date));
        Assert.Equal(NamedStreams.StreamIdOf($"shift:{ScheduleId}:2024-06-01"), planned[0].ShiftId);
        Assert.Equal(PatrolSchedule.PlannedShiftId(ScheduleId, June1), planned[0].ShiftId);
        Assert.Equal(new DateTimeOffset(2024, 6, 1, 21, 0, 0, Local), planned[0].WindowStart);
    }

    [Fact]
    public void A_planned_shift_is_missed_once_its_window_across_midnight_has_ended_and_nothing_is_recorded_under_its_id()
    {
        var schedule = Schedule("22:00", "02:00");
        var planned = PatrolSchedule.Plan([schedule], June1, new DateOnly(2024, 6, 2), NoWardEnded);
        var schedules = new Dictionary<Guid, ScheduleState> { [ScheduleId] = schedule };
        var justBefore = new DateTimeOffset(2024, 6, 2, 1, 59, 0, Local);
        var atEnd = new DateTimeOffset(2024, 6, 2, 2, 0, 0, Local);

        Assert.Empty(PatrolSchedule.MissedAt(planned, schedules, new HashSet<Guid>(), justBefore));
        Assert.Equal([June1], PatrolSchedule.MissedAt(planned, schedules, new HashSet<Guid>(), atEnd).Select(shift => shift.Date));
        Assert.Empty(PatrolSchedule.MissedAt(planned, schedules, new HashSet<Guid> { planned[0].ShiftId }, atEnd));
    }

    /// <summary>
    /// Ending a schedule, for any time it is ended, any date it names, any date it already ends on and any date of a planned
    /// shift of it already started: accepted exactly when the date is a local date from that day on, before any end it has and
    /// not before the started shift's; then it plans exactly what it planned before on the dates up to it, and nothing after.
    /// </summary>
    [Fact]
    public void An_ended_schedule_plans_what_it_planned_up_to_its_last_date_and_nothing_after()
    {
        var dates = Gen.Int[-20, 40].Select(days => June1.AddDays(days));
        Gen.Select(Gen.Int[0, 30].Select(days => Now.AddDays(days).AddMinutes(days * 37)), dates, dates.Nullable(), dates.Nullable()).Sample((now, endsOn, already, started) =>
        {
            var schedule = Schedule() with { EndsOn = already };
            var today = DateOnly.FromDateTime(now.ToOffset(Local).DateTime);
            var decision = PatrolSchedule.End(schedule, new EndSchedule(endsOn), started, now, Desk);
            var accepted = endsOn >= today && (already is null || endsOn < already) && (started is null || endsOn >= started);
            if (!accepted)
            {
                return decision.Events.Count == 0 && decision.Rejection?.Kind == (endsOn < today ? RejectionKind.Invalid : RejectionKind.Conflict);
            }

            var ended = schedule.Apply(Assert.IsType<ScheduleEnded>(Assert.Single(decision.Events)));
            return ended.EndsOn == endsOn
                && Enumerable.Range(-20, 80).Select(days => June1.AddDays(days)).All(date => ended.Plans(date) == (schedule.Plans(date) && date <= endsOn));
        });
    }

    [Fact]
    public void Ending_a_schedule_names_its_last_date()
    {
        var schedule = Schedule();

        AssertInvalid(PatrolSchedule.End(schedule, new EndSchedule(null), null, Now, Desk), "endsOn");
        AssertInvalid(PatrolSchedule.End(schedule, new EndSchedule(new DateOnly(2101, 1, 1)), null, Now, Desk), "endsOn");
    }

    [Fact]
    public void A_planned_shift_whose_window_closed_before_its_schedule_was_created_is_never_missed()
    {
        var atEndOfJune1 = new DateTimeOffset(2024, 6, 2, 0, 0, 0, Local);
        var later = new DateTimeOffset(2024, 6, 10, 12, 0, 0, Local);
        foreach (var (createdAt, missed) in new[]
        {
            (atEndOfJune1.AddMinutes(-1), new[] { June1, June1.AddDays(1), June1.AddDays(2) }),
            (atEndOfJune1, new[] { June1.AddDays(1), June1.AddDays(2) }),
            (new DateTimeOffset(2024, 6, 3, 10, 0, 0, Local), new[] { June1.AddDays(2) }),
        })
        {
            var schedule = Schedule() with { CreatedAt = createdAt };
            var planned = PatrolSchedule.Plan([schedule], June1, June1.AddDays(2), NoWardEnded);

            Assert.Equal(missed, PatrolSchedule.MissedAt(planned, new Dictionary<Guid, ScheduleState> { [ScheduleId] = schedule }, new HashSet<Guid>(), later).Select(shift => shift.Date));
        }
    }

    [Fact]
    public void A_planned_shift_starts_with_its_schedules_team_route_checkpoints_and_window_end()
    {
        var schedule = Schedule();
        var id = PatrolSchedule.PlannedShiftId(ScheduleId, June1);

        var started = Assert.IsType<ShiftStarted>(Assert.Single(Shift.Start(
            null, new StartShift(id, Route, schedule, null, June1, null, null, [new TeamMember(" Team A lead ", " police ")]), Now, Desk).Events));

        Assert.Equal((id, ShiftKind.Patrol, RouteId, (Guid?)ScheduleId, (DateOnly?)June1), (started.ShiftId, started.Kind, started.RouteId, started.ScheduleId, started.PlannedDate));
        Assert.Equal((TeamKind.Joint, Partner), (started.Team, Assert.Single(started.PartnerIds)));
        Assert.Equal(new TeamMember("Team A lead", "police"), Assert.Single(started.Members));
        Assert.Equal(Route.Checkpoints, started.Checkpoints);
        Assert.Equal(new DateTimeOffset(2024, 6, 2, 0, 0, 0, Local), started.WindowEnd);
    }

    /// <summary>
    /// A planned shift of a ward that has ended (merged or dissolved) starts exactly where the ward's plan shows it: its window
    /// opening before the ward's end, else a 400 naming <c>plannedDate</c>, whenever it is started (an hour early too, its
    /// <c>at</c> before the end: a started shift was recorded that the plan never showed nor the statistics planned).
    /// </summary>
    [Fact]
    public void A_planned_shift_of_an_ended_ward_starts_exactly_where_the_ward_s_plan_shows_it() =>
        Gen.Int[-3 * 24 * 60, 3 * 24 * 60].Sample(minutes =>
        {
            var schedule = Schedule();
            schedule.TenantId = "ward-ended";
            var opens = schedule.Window.On(June1).Start;
            var ended = opens.AddMinutes(minutes);
            var members = new[] { new TeamMember("Lead", "police") };
            var planned = PatrolSchedule.Plan([schedule], June1, June1, new Dictionary<string, DateTimeOffset> { ["ward-ended"] = ended }).Count == 1;

            var started = Shift.Start(
                null, new StartShift(PatrolSchedule.PlannedShiftId(ScheduleId, June1), Route, schedule, null, June1, null, null, members, opens - Shift.EarlyStart, ScheduleNamed: true, WardEndsAt: ended), opens.AddDays(1), Desk);

            if (planned)
            {
                Assert.Null(started.Rejection);
            }
            else
            {
                AssertInvalid(started, "plannedDate");
            }
        });

    [Fact]
    public void A_shift_is_refused_without_members_on_an_unplanned_date_or_once_started_or_missed()
    {
        var schedule = Schedule() with { Days = [DayOfWeek.Monday] };
        var members = new[] { new TeamMember("Lead", "police") };

        AssertInvalid(Shift.Start(null, new StartShift(ShiftId, Route, schedule, null, June1, null, null, members), Now, Desk), "plannedDate");

        // Each says its own reason: a date the schedule does not plan, a planned shift that names no date.
        Assert.Equal(
            ["The schedule plans no shift on that local date."],
            Shift.Start(null, new StartShift(ShiftId, Route, schedule, null, June1, null, null, members, ScheduleNamed: true), Now, Desk).Rejection!.Errors!["plannedDate"]);
        Assert.Equal(
            ["A planned shift names the local date its schedule plans it on (yyyy-MM-dd)."],
            Shift.Start(null, new StartShift(ShiftId, Route, schedule, null, null, null, null, members, ScheduleNamed: true), Now, Desk).Rejection!.Errors!["plannedDate"]);
        AssertInvalid(Shift.Start(null, new StartShift(ShiftId, Route, null, ShiftKind.Patrol, null, TeamKind.Police, null, []), Now, Desk), "members");
        AssertInvalid(Shift.Start(null, new StartShift(ShiftId, null, null, ShiftKind.Patrol, null, TeamKind.Police, null, members), Now, Desk), "routeId");

        // A schedule named but not found is named with every other wrong field (and not the kind or team it would have given).
        DecisionAssert.AssertInvalid(Shift.Start(null, new StartShift(ShiftId, null, null, null, June1, null, null, [], ScheduleNamed: true), Now, Desk), "scheduleId", "members");
        DecisionAssert.AssertInvalid(Shift.Start(null, new StartShift(ShiftId, null, null, null, null, null, null, members, Now.AddHours(1), ScheduleNamed: true), Now, Desk), "scheduleId", "plannedDate", "at");
        AssertConflict(Shift.Start(Started(), new StartShift(ShiftId, Route, null, ShiftKind.Patrol, null, TeamKind.Police, null, members), Now, Desk));

        // The date it names is written as the API writes dates (yyyy-MM-dd), never month first (06/01/2024).
        var again = Shift.Start(Started() with { PlannedDate = June1 }, new StartShift(ShiftId, Route, null, ShiftKind.Patrol, null, TeamKind.Police, null, members), Now, Desk);
        Assert.Equal("The shift planned on 2024-06-01 has already started.", again.Rejection?.Title);
    }

    [Fact]
    public void A_planned_shift_refuses_a_route_kind_team_or_partners_of_its_own_and_a_shift_outside_any_schedule_a_planned_date()
    {
        var schedule = Schedule();
        var id = PatrolSchedule.PlannedShiftId(ScheduleId, June1);
        var members = new[] { new TeamMember("Lead", "police") };
        StartShift Planned(ShiftKind? kind = null, TeamKind? team = null, IReadOnlyList<Guid>? partnerIds = null, bool routeNamed = false) =>
            new(id, Route, schedule, kind, June1, team, partnerIds, members, ScheduleNamed: true, RouteNamed: routeNamed);
        var tooMany = Enumerable.Range(0, PatrolSchedule.MaxPartners + 1).Select(_ => Guid.CreateVersion7()).ToArray();

        // Even a value equal to the schedule's: the schedule alone says what its shifts are.
        DecisionAssert.AssertInvalid(Shift.Start(null, Planned(routeNamed: true), Now, Desk), "routeId");
        DecisionAssert.AssertInvalid(Shift.Start(null, Planned(kind: ShiftKind.Patrol), Now, Desk), "kind");
        DecisionAssert.AssertInvalid(Shift.Start(null, Planned(kind: ShiftKind.ResidenceCheck), Now, Desk), "kind");
        DecisionAssert.AssertInvalid(Shift.Start(null, Planned(team: TeamKind.Police), Now, Desk), "team");
        DecisionAssert.AssertInvalid(Shift.Start(null, Planned(partnerIds: [Partner]), Now, Desk), "partnerIds");
        DecisionAssert.AssertInvalid(Shift.Start(null, Planned(partnerIds: []), Now, Desk), "partnerIds");
        DecisionAssert.AssertInvalid(Shift.Start(null, Planned(partnerIds: tooMany), Now, Desk), "partnerIds");
        DecisionAssert.AssertInvalid(Shift.Start(null, Planned(partnerIds: [Guid.Empty]), Now, Desk), "partnerIds");
        DecisionAssert.AssertInvalid(
            Shift.Start(null, Planned(ShiftKind.Patrol, TeamKind.Joint, [Partner], routeNamed: true), Now, Desk), "routeId", "kind", "team", "partnerIds");
        DecisionAssert.AssertInvalid(
            Shift.Start(null, new StartShift(ShiftId, Route, null, ShiftKind.Patrol, June1, TeamKind.Police, null, members, RouteNamed: true), Now, Desk), "plannedDate");
        DecisionAssert.AssertInvalid(
            Shift.Start(null, new StartShift(ShiftId, Route, null, ShiftKind.Patrol, null, TeamKind.Joint, tooMany, members, RouteNamed: true), Now, Desk), "partnerIds");
        Assert.True(Shift.Start(null, Planned(), Now, Desk).IsAccepted);
    }

    [Fact]
    public void A_planned_shift_recorded_after_the_fact_begins_and_ends_at_the_times_given()
    {
        var schedule = Schedule();
        var id = PatrolSchedule.PlannedShiftId(ScheduleId, June1);
        var later = Now.AddDays(200);
        var begun = June1Window(21, 5);

        var started = Assert.IsType<ShiftStarted>(Assert.Single(Shift.Start(
            null, new StartShift(id, Route, schedule, null, June1, null, null, [new TeamMember("Lead", "police")], begun), later, Desk).Events));
        var shift = ShiftState.Create(started);
        var ended = Shift.End(shift, new EndShift(June1Window(23, 55)), later, Desk);

        Assert.Equal(begun, started.At);
        Assert.Equal(new ShiftEnded(id, June1Window(23, 55), Desk), ended.Events[0]);
        Assert.All(ended.Events.Skip(1), missed => Assert.Equal(June1Window(23, 55), Assert.IsType<CheckpointMissed>(missed).At));
    }

    /// <summary>Any local date, the extremes of <see cref="DateOnly"/> and the years' edges more often.</summary>
    private static readonly Gen<DateOnly> AnyDate = Gen.OneOf(
        Gen.Int[DateOnly.MinValue.DayNumber, DateOnly.MaxValue.DayNumber].Select(DateOnly.FromDayNumber),
        Gen.Int[0, 3].Select(days => DateOnly.MinValue.AddDays(days)),
        Gen.Int[0, 3].Select(days => DateOnly.MaxValue.AddDays(-days)),
        Gen.Int[-3, 3].Select(days => new DateOnly(WardTime.FirstYear, 1, 1).AddDays(days)),
        Gen.Int[-3, 3].Select(days => new DateOnly(WardTime.LastYear, 12, 31).AddDays(days)));

    /// <summary>Windows from the day's start, across midnight and to its end: the ones whose times leave the calendar first.</summary>
    private static readonly Gen<(string Start, string End)> AnyWindow = Gen.Int[0, 3].Select(i => new[] { ("00:00", "01:00"), ("21:00", "24:00"), ("22:00", "02:00"), ("23:59", "23:58") }[i]);

    [Fact]
    public void A_planned_date_outside_the_years_is_refused_on_its_field_and_any_within_them_starts_its_shift_within_its_window()
    {
        Gen.Select(AnyDate, AnyWindow, Gen.Bool).Sample((date, window, afterTheFact) =>
        {
            var schedule = Schedule(window.Start, window.End) with { StartsOn = DateOnly.MinValue };
            var members = new[] { new TeamMember("Lead", "police") };
            var command = new StartShift(PatrolSchedule.PlannedShiftId(ScheduleId, date), Route, schedule, null, date, null, null, members, afterTheFact ? Now : null);

            var decision = Shift.Start(null, command, Now, Desk);

            if (!WardTime.InYears(date))
            {
                AssertInvalid(decision, "plannedDate");
            }
            else if (!afterTheFact && Now < schedule.Window.On(date).End)
            {
                Assert.Equal(schedule.Window.On(date).End, Assert.IsType<ShiftStarted>(Assert.Single(decision.Events)).WindowEnd);
            }
            else if (!afterTheFact)
            {
                // Begun now, after its window closed (a paper log typed in without at): not that planned shift, as a missed one is not.
                AssertConflict(decision);
            }
            else
            {
                var (start, end) = schedule.Window.On(date);
                Assert.Equal(Now >= start - Shift.EarlyStart && Now < end, decision.Rejection is null);
            }
        });
    }

    [Fact]
    public void A_schedule_starting_outside_the_years_is_refused_on_its_field_and_any_within_them_is_created()
    {
        AnyDate.Sample(date =>
        {
            var decision = PatrolSchedule.Create(null, new CreateSchedule(ScheduleId, Route, ShiftKind.Patrol, EveryDay, "22:00", "02:00", TeamKind.Police, [], date, []), Now, Desk);

            if (WardTime.InYears(date))
            {
                Assert.Equal(date, Assert.IsType<ScheduleCreated>(Assert.Single(decision.Events)).StartsOn);
            }
            else
            {
                AssertInvalid(decision, "startsOn");
            }
        });
    }

    [Fact]
    public void A_shift_recorded_after_the_fact_is_refused_outside_its_window_in_the_future_or_ending_before_it_began()
    {
        var schedule = Schedule();
        var id = PatrolSchedule.PlannedShiftId(ScheduleId, June1);
        var members = new[] { new TeamMember("Lead", "police") };

        AssertInvalid(Shift.Start(null, new StartShift(id, Route, schedule, null, June1, null, null, members, June1Window(12, 0)), Now.AddDays(1), Desk), "at");
        AssertInvalid(Shift.Start(null, new StartShift(ShiftId, Route, null, ShiftKind.Patrol, null, TeamKind.Police, null, members, Now.AddHours(1)), Now, Desk), "at");
        AssertInvalid(Shift.End(Started(), new EndShift(Now.AddMinutes(-1)), Now.AddHours(1), Desk), "at");
        AssertInvalid(Shift.End(Started(), new EndShift(Now.AddHours(1)), Now, Desk), "at");
    }

    [Fact]
    public void A_shift_cannot_end_before_its_last_check_in_or_observation_and_ends_at_it()
    {
        var later = Now.AddHours(2);
        var checkedIn = Apply(Started(), Shift.CheckIn(Started(), new CheckIn("EYE-GATE", Now.AddMinutes(40), null, null), later, Desk));
        var observed = Apply(checkedIn, Shift.Report(
            checkedIn, new ReportObservation(Guid.CreateVersion7(), Guid.CreateVersion7(), "Lights out in the car park", ObservationSeverity.Low, false, null, Now.AddMinutes(50), WardOfShift), later, Desk));
        var checkedInEarlier = Apply(observed, Shift.CheckIn(observed, new CheckIn("OBS-CAR", Now.AddMinutes(20), null, null), later, Desk));

        AssertInvalid(Shift.End(checkedIn, new EndShift(Now.AddMinutes(39)), later, Desk), "at");
        AssertInvalid(Shift.End(checkedInEarlier, new EndShift(Now.AddMinutes(45)), later, Desk), "at");
        Assert.Equal(Now.AddMinutes(50), checkedInEarlier.LastRecordedAt);
        Assert.Equal(new ShiftEnded(ShiftId, Now.AddMinutes(50), Desk), Shift.End(checkedInEarlier, new EndShift(Now.AddMinutes(50)), later, Desk).Events[0]);
        Assert.Single(Shift.End(Started() with { LastRecordedAt = null }, new EndShift(Now), later, Desk).Events.OfType<ShiftEnded>());
    }

    [Fact]
    public void A_shift_ended_without_a_time_after_a_check_in_within_the_clock_skew_ends_at_that_check_in()
    {
        var later = Now.AddHours(2);
        var checkedIn = Apply(Started(), Shift.CheckIn(Started(), new CheckIn("EYE-GATE", later.AddMinutes(1), null, null), later, Desk));

        var ended = Shift.End(checkedIn, new EndShift(null), later, Desk);

        Assert.Equal(new ShiftEnded(ShiftId, later.AddMinutes(1), Desk), ended.Events[0]);
    }

    [Fact]
    public void A_shift_cannot_end_before_a_residence_check_recorded_on_it_and_ends_at_it_without_a_time()
    {
        var later = Now.AddHours(1);
        var checkedResidences = Apply(Started(ShiftKind.ResidenceCheck), Shift.RecordResidenceCheck(Started(ShiftKind.ResidenceCheck), new ResidenceCounts(3, 5, 1, 1), later, Desk));

        Assert.Equal(later, checkedResidences.LastRecordedAt);
        DecisionAssert.AssertInvalid(Shift.End(checkedResidences, new EndShift(Now.AddMinutes(30)), later, Desk), "at");
        Assert.Equal(new ShiftEnded(ShiftId, later, Desk), Assert.Single(Shift.End(checkedResidences, new EndShift(null), later.AddTicks(-1), Desk).Events));
    }

    /// <summary>
    /// A shift begun by a caller whose clock runs ahead (its <c>at</c> up to the clock skew past now) takes a check-in, an observation and
    /// an end without a time at once, recorded by a replica whose clock is a little behind: never refused on <c>at</c>, dated when it began at the earliest.
    /// </summary>
    [Fact]
    public void A_check_in_observation_or_end_without_a_time_on_a_shift_begun_ahead_is_never_refused_on_it()
    {
        var begun = Now + WardTime.ClockSkew;
        var shift = ShiftState.Create(Assert.IsType<ShiftStarted>(Assert.Single(Shift.Start(
            null, new StartShift(ShiftId, Route, null, ShiftKind.Patrol, null, TeamKind.Police, null, [new TeamMember("Lead", "police")], begun), Now, Desk).Events)));
        var behind = Now.AddMilliseconds(-5);

        var checkIn = Shift.CheckIn(shift, new CheckIn("EYE-GATE", null, null, null), behind, Desk);
        var observation = Shift.Report(
            shift, new ReportObservation(Guid.CreateVersion7(), Guid.CreateVersion7(), "Lights out", ObservationSeverity.Low, false, null, null, WardOfShift), behind, Desk);

        Assert.Equal(begun, Assert.IsType<CheckedIn>(Assert.Single(checkIn.Events)).At);
        Assert.Equal(begun, Assert.IsType<ObservationReported>(Assert.Single(observation.Events)).At);
        Assert.Equal(new ShiftEnded(ShiftId, begun, Desk), Shift.End(shift, new EndShift(null), behind, Desk).Events[0]);
    }

    /// <summary>
    /// An observation that needs an incident is taken exactly where incidents opens its incident: at a site whose ground was the
    /// shift's ward at its time, or none; an observation that needs none is the shift's alone, wherever its site's ground was.
    /// </summary>
    [Fact]
    public void An_observation_needing_an_incident_is_refused_on_its_site_exactly_where_the_site_was_another_ward_s_ground()
    {
        var shift = ShiftState.Create(Assert.IsType<ShiftStarted>(Assert.Single(Shift.Start(
            null, new StartShift(ShiftId, Route, null, ShiftKind.Patrol, null, TeamKind.Police, null, [new TeamMember("Lead", "police")], Now.AddHours(-1)), Now, Desk).Events)));
        Gen.Select(Gen.Bool, Gen.OneOf(Gen.Const((string?)null), Gen.Const<string?>(Ward), Gen.String[Gen.Char['a', 'z'], 3, 12].Select(ward => (string?)ward)), Gen.Bool)
            .Sample((needsIncident, siteWard, named) =>
            {
                var decision = Shift.Report(
                    shift,
                    new ReportObservation(Guid.CreateVersion7(), Guid.CreateVersion7(), "A fight", ObservationSeverity.High, needsIncident, named ? Eye : null, null, WardOfShift, siteWard),
                    Now,
                    Desk);
                if (needsIncident && siteWard is not null && siteWard != Ward)
                {
                    AssertInvalid(decision, "siteId");
                }
                else
                {
                    Assert.IsType<ObservationReported>(Assert.Single(decision.Events));
                }
            });
    }

    /// <summary>
    /// A step on a shift: a check-in, an observation or a residence check (which takes no time), some seconds after the last
    /// (its now), at a time given relative to its now or none.
    /// </summary>
    private static readonly Gen<(int Kind, int Elapsed, int? At)> AnyStep = Gen.Select(
        Gen.Int[0, 2], Gen.Int[0, 90], Gen.OneOf(Gen.Const((int?)null), Gen.Int[-600, (int)WardTime.ClockSkew.TotalSeconds].Select(seconds => (int?)seconds)));

    [Fact]
    public void A_step_without_a_time_is_never_refused_on_it_and_is_dated_at_the_latest_of_now_the_start_and_what_the_shift_recorded()
    {
        Gen.Select(Gen.Int[-600, (int)WardTime.ClockSkew.TotalSeconds], AnyStep.List[0, 8], Gen.Int[0, 90]).Sample((begun, steps, beforeEnd) =>
        {
            var members = new[] { new TeamMember("Lead", "police") };
            var shift = ShiftState.Create(Assert.IsType<ShiftStarted>(Assert.Single(Shift.Start(
                null, new StartShift(ShiftId, Route, null, ShiftKind.ResidenceCheck, null, TeamKind.Police, null, members, Now.AddSeconds(begun)), Now, Desk).Events)));
            var now = Now;
            foreach (var (kind, elapsed, at) in steps)
            {
                now = now.AddSeconds(elapsed);
                var when = kind == 2 ? null : at is { } seconds ? now.AddSeconds(seconds) : (DateTimeOffset?)null;
                var decision = kind switch
                {
                    0 => Shift.CheckIn(shift, new CheckIn("EYE-GATE", when, null, null), now, Desk),
                    1 => Shift.Report(shift, new ReportObservation(Guid.CreateVersion7(), Guid.CreateVersion7(), "Lights out", ObservationSeverity.Low, false, null, when, WardOfShift), now, Desk),
                    _ => Shift.RecordResidenceCheck(shift, new ResidenceCounts(1, 0, 0, 0), now, Desk),
                };
                Assert.True(when is not null || decision.Rejection is null, $"refused without a time: {decision.Rejection?.Errors?.Keys.FirstOrDefault()}");
                if (when is null)
                {
                    var dated = Assert.Single(decision.Events) switch
                    {
                        CheckedIn checkedIn => checkedIn.At,
                        ObservationReported observation => observation.At,
                        ResidenceCheckRecorded residence => residence.At,
                        var other => throw new InvalidOperationException(other.GetType().Name),
                    };
                    Assert.Equal(new[] { now, shift.Begins, shift.LastRecordedAt ?? shift.Begins }.Max(), dated);
                }

                shift = decision.Rejection is null ? Apply(shift, decision) : shift;
            }

            now = now.AddSeconds(beforeEnd);
            var ended = Shift.End(shift, new EndShift(null), now, Desk);

            var expected = new[] { now, shift.Begins, shift.LastRecordedAt ?? shift.Begins }.Max();
            Assert.True(ended.Rejection is null, $"refused without a time: {ended.Rejection?.Errors?.Keys.FirstOrDefault()}");
            Assert.Equal(new ShiftEnded(ShiftId, expected, Desk), ended.Events[0]);
        });
    }

    /// <summary>
    /// A check-in or an observation given its time is dated then, and a shift's record holds nothing from before it began (to
    /// the tick), as its end does not: the clock skew allows a time a little ahead of now, not one before the shift.
    /// </summary>
    [Fact]
    public void A_check_in_or_observation_given_a_time_before_the_shift_began_is_refused_on_at_to_the_tick()
    {
        Gen.Select(Gen.Frequency((3, Gen.Long[-TimeSpan.TicksPerMinute * 5, TimeSpan.TicksPerMinute * 5]), (1, Gen.Long[-2, 2])), Gen.Bool).Sample((offset, observe) =>
        {
            var shift = Started();
            var at = shift.Begins.AddTicks(offset);
            var now = shift.Begins.AddMinutes(10);
            var decision = observe
                ? Shift.Report(shift, new ReportObservation(Guid.CreateVersion7(), Guid.CreateVersion7(), "Lights out", ObservationSeverity.Low, false, null, at, WardOfShift), now, Desk)
                : Shift.CheckIn(shift, new CheckIn("EYE-GATE", at, null, null), now, Desk);
            if (offset < 0)
            {
                AssertInvalid(decision, "at");
            }
            else
            {
                Assert.Null(decision.Rejection);
            }
        });
    }

    [Fact]
    public void A_check_in_at_a_route_checkpoint_records_its_site_time_and_coordinates()
    {
        var decision = Shift.CheckIn(Started(), new CheckIn(" OBS-CAR ", Now.AddMinutes(10), 19.8, 105.77), Now.AddMinutes(11), "team-a");

        Assert.Equal(new CheckedIn(ShiftId, "OBS-CAR", Obstetrics, 19.8, 105.77, Now.AddMinutes(10), "team-a"), Assert.Single(decision.Events));
    }

    [Fact]
    public void A_check_in_with_a_code_not_on_the_route_in_the_future_or_with_half_coordinates_is_refused()
    {
        AssertInvalid(Shift.CheckIn(Started(), new CheckIn("SCHOOL-GATE", null, null, null), Now, Desk), "code");
        AssertInvalid(Shift.CheckIn(Started(), new CheckIn("EYE-GATE", Now.AddHours(1), null, null), Now, Desk), "at");
        AssertInvalid(Shift.CheckIn(Started(), new CheckIn("EYE-GATE", null, 19.8, null), Now, Desk), "longitude");
        AssertInvalid(Shift.CheckIn(Started(), new CheckIn("EYE-GATE", null, null, 105.7), Now, Desk), "latitude");
    }

    [Fact]
    public void An_ended_shift_takes_no_check_in_observation_or_second_end()
    {
        var ended = Apply(Started(), Shift.End(Started(), new EndShift(null), Now.AddHours(2), Desk));

        AssertConflict(Shift.CheckIn(ended, new CheckIn("EYE-GATE", null, null, null), Now.AddHours(3), Desk));
        AssertConflict(Shift.Report(ended, new ReportObservation(Guid.NewGuid(), Guid.NewGuid(), "x", ObservationSeverity.Low, false, null, null, WardOfShift), Now.AddHours(3), Desk));
        AssertConflict(Shift.End(ended, new EndShift(null), Now.AddHours(3), Desk));
    }

    [Fact]
    public void An_observation_that_needs_an_incident_carries_the_incident_id_and_one_that_does_not_carries_none()
    {
        var observationId = Guid.CreateVersion7();
        var incidentId = Guid.CreateVersion7();

        var needs = Assert.IsType<ObservationReported>(Assert.Single(Shift.Report(
            Started(), new ReportObservation(observationId, incidentId, " A fight at the gate ", ObservationSeverity.High, true, Eye, null, WardOfShift), Now, "team-a").Events));
        var quiet = Assert.IsType<ObservationReported>(Assert.Single(Shift.Report(
            Started(), new ReportObservation(observationId, incidentId, "Lights out in the car park", ObservationSeverity.Low, false, null, null, WardOfShift), Now, "team-a").Events));

        Assert.Equal(new ObservationReported(ShiftId, observationId, RouteId, Eye, "A fight at the gate", ObservationSeverity.High, true, incidentId, Now, "team-a"), needs);
        Assert.Null(quiet.IncidentId);
        AssertInvalid(Shift.Report(Started(), new ReportObservation(observationId, incidentId, "x", ObservationSeverity.Low, false, Guid.NewGuid(), null, WardOfShift), Now, Desk), "siteId");
        AssertInvalid(Shift.Report(Started(), new ReportObservation(observationId, incidentId, " ", null, false, null, null, WardOfShift), Now, Desk), "severity");
    }

    [Fact]
    public void An_observation_that_needs_an_incident_from_the_end_of_the_shift_s_ward_on_is_refused_on_at_naming_its_successor()
    {
        var merged = new RecordingWard(Ward, DateOnly.FromDateTime(Now.Date), "dong-quang");
        var dissolved = merged with { MergedInto = null };
        var end = merged.EndsAt!.Value;
        var started = Started() with { Begins = end.AddHours(-3) };
        ReportObservation Observation(bool needsIncident, DateTimeOffset? at, RecordingWard ward) =>
            new(Guid.CreateVersion7(), Guid.CreateVersion7(), "A fight at the gate", ObservationSeverity.High, needsIncident, Eye, at, ward);

        var afterMerger = Shift.Report(started, Observation(true, null, merged), Now, Desk);
        var atEnd = Shift.Report(started, Observation(true, end, merged), Now, Desk);
        var afterDissolution = Shift.Report(started, Observation(true, end.AddHours(1), dissolved), Now, Desk);

        AssertInvalid(afterMerger, "at");
        Assert.Contains("dong-quang", Assert.Single(afterMerger.Rejection!.Errors!["at"]), StringComparison.Ordinal);
        AssertInvalid(atEnd, "at");
        AssertInvalid(afterDissolution, "at");
        Assert.Contains("dissolved", Assert.Single(afterDissolution.Rejection!.Errors!["at"]), StringComparison.Ordinal);
        Assert.True(Assert.IsType<ObservationReported>(Assert.Single(Shift.Report(started, Observation(true, end.AddTicks(-1), merged), Now, Desk).Events)).NeedsIncident);
        Assert.Single(Shift.Report(started, Observation(false, null, merged), Now, Desk).Events);
    }

    [Fact]
    public void A_residence_check_records_counts_only_on_a_residence_check_under_way()
    {
        var counts = new ResidenceCounts(12, 30, 4, 4);

        Assert.Equal(new ResidenceCheckRecorded(ShiftId, counts, Now, Desk), Assert.Single(Shift.RecordResidenceCheck(Started(ShiftKind.ResidenceCheck), counts, Now, Desk).Events));
        AssertConflict(Shift.RecordResidenceCheck(Started(), counts, Now, Desk));
        AssertInvalid(Shift.RecordResidenceCheck(Started(ShiftKind.ResidenceCheck), counts with { RemindersIssued = -1 }, Now, Desk), "remindersIssued");
        AssertInvalid(Shift.RecordResidenceCheck(Started(ShiftKind.ResidenceCheck), ResidenceCounts.None, Now, Desk), "premisesVisited");
    }

    [Fact]
    public void A_residence_count_is_at_most_its_documented_maximum()
    {
        var counts = new ResidenceCounts(Shift.MaxResidenceCount, Shift.MaxResidenceCount, Shift.MaxResidenceCount, Shift.MaxResidenceCount);

        Assert.Single(Shift.RecordResidenceCheck(Started(ShiftKind.ResidenceCheck), counts, Now, Desk).Events);
        AssertInvalid(Shift.RecordResidenceCheck(Started(ShiftKind.ResidenceCheck), counts with { PremisesVisited = int.MaxValue }, Now, Desk), "premisesVisited");
    }

    [Fact]
    public void Ending_a_patrol_records_every_checkpoint_it_did_not_scan_as_missed()
    {
        var shift = Apply(Started(), Shift.CheckIn(Started(), new CheckIn("EYE-GATE", null, null, null), Now, Desk));
        var end = Now.AddHours(2);

        var decision = Shift.End(shift, new EndShift(null), end, Desk);

        Assert.Equal([new ShiftEnded(ShiftId, end, Desk), new CheckpointMissed(ShiftId, RouteId, "OBS-CAR", Obstetrics, end, end, Desk)], decision.Events);
        var ended = Apply(shift, decision);
        Assert.Equal(ShiftStatus.Ended, ended.Status);
        Assert.Equal(["EYE-GATE"], ended.Visited);
        Assert.Equal(["OBS-CAR"], ended.Missed);
        Assert.Equal([typeof(ShiftEnded)], Shift.End(Started(ShiftKind.ResidenceCheck), new EndShift(null), end, Desk).Events.Select(recorded => recorded.GetType()));
    }

    [Fact]
    public void A_schedule_of_a_ward_merged_or_dissolved_plans_nothing_from_the_ward_s_end_on()
    {
        var schedule = Schedule();
        schedule.TenantId = "quang-thang";
        var ended = new Dictionary<string, DateTimeOffset> { ["quang-thang"] = new(2024, 6, 3, 0, 0, 0, Local), ["dong-quang"] = new(2024, 6, 1, 0, 0, 0, Local) };

        var planned = PatrolSchedule.Plan([schedule], June1, new DateOnly(2024, 6, 5), ended);

        Assert.Equal([June1, new DateOnly(2024, 6, 2)], planned.Select(shift => shift.Date));
    }

    [Fact]
    public void A_missed_planned_shift_records_every_checkpoint_missed_but_only_after_its_window_and_only_once()
    {
        var planned = PatrolSchedule.Plan([Schedule()], June1, June1, NoWardEnded)[0];
        var after = new DateTimeOffset(2024, 6, 2, 0, 5, 0, Local);

        var decision = Shift.Miss(null, new RecordMissedShift(planned, Route), after, Shift.Sweeper);

        var missed = Assert.IsType<ShiftMissed>(decision.Events[0]);
        Assert.Equal((planned.ShiftId, June1, planned.WindowEnd, Shift.Sweeper), (missed.ShiftId, missed.PlannedDate, missed.WindowEnd, missed.By));
        Assert.Equal(["EYE-GATE", "OBS-CAR"], decision.Events.Skip(1).Cast<CheckpointMissed>().Select(point => point.Code));
        Assert.All(decision.Events.Skip(1).Cast<CheckpointMissed>(), point => Assert.Equal(planned.WindowEnd, point.WindowEnd));
        AssertConflict(Shift.Miss(null, new RecordMissedShift(planned, Route), planned.WindowEnd.AddMinutes(-1), Shift.Sweeper));
        AssertConflict(Shift.Miss(ShiftState.Create(missed), new RecordMissedShift(planned, Route), after, Shift.Sweeper));
        AssertConflict(Shift.Start(ShiftState.Create(missed), new StartShift(planned.ShiftId, Route, Schedule(), null, June1, null, null, [new TeamMember("L", "police")]), after, Desk));
    }

    [Fact]
    public void Coverage_spreads_patrolled_hours_over_local_hours_across_midnight_and_sets_incidents_against_them()
    {
        var shift = Started() with { Begins = new DateTimeOffset(2024, 6, 1, 23, 30, 0, Local), EndedAt = new DateTimeOffset(2024, 6, 2, 1, 0, 0, Local), Status = ShiftStatus.Ended, Visited = ["EYE-GATE"], Missed = ["OBS-CAR"] };
        var missed = ShiftState.Create(Assert.IsType<ShiftMissed>(Shift.Miss(null, new RecordMissedShift(PatrolSchedule.Plan([Schedule()], June1, June1, NoWardEnded)[0], Route), Now.AddDays(1), Shift.Sweeper).Events[0]));
        var incidents = new[]
        {
            new SiteIncident(Guid.NewGuid(), "INC-2024-0001", Eye, IncidentClassification.Criminal, new DateTimeOffset(2024, 6, 2, 0, 15, 0, Local)),
            new SiteIncident(Guid.NewGuid(), "INC-2024-0002", Eye, IncidentClassification.Other, new DateTimeOffset(2024, 6, 2, 14, 0, 0, Local)),
        };

        var coverage = PatrolQueries.ComputeCoverage(June1, new DateOnly(2024, 6, 2), Eye, PatrolSchedule.Plan([Schedule()], June1, new DateOnly(2024, 6, 2), NoWardEnded), [shift, missed], incidents, Now.AddDays(2));

        Assert.Equal((2, 1, 1), (coverage.ShiftsPlanned, coverage.ShiftsPerformed, coverage.ShiftsMissed));
        Assert.Equal((1, 0), (coverage.CheckpointsVisited, coverage.CheckpointsMissed));
        Assert.Equal(1.5, coverage.HoursPatrolled);
        Assert.Equal(0.5, coverage.HoursPatrolledByHourOfDay[23]);
        Assert.Equal(1.0, coverage.HoursPatrolledByHourOfDay[0]);
        Assert.Equal(1.5, coverage.HoursPatrolledByHourOfDay.Sum());
        Assert.Equal((2, 1, 1, 1), (coverage.Incidents, coverage.IncidentsByHourOfDay[0], coverage.IncidentsByHourOfDay[14], coverage.IncidentsDuringShifts));
        Assert.Equal(1, PatrolQueries.ComputeCoverage(June1, June1, Obstetrics, [], [shift], [], Now.AddDays(2)).CheckpointsMissed);
    }

    [Fact]
    public void Coverage_of_several_wards_adds_them_up_and_sets_an_incident_only_against_the_shifts_of_its_own_ward()
    {
        var at = new DateTimeOffset(2024, 6, 2, 0, 15, 0, Local);
        var shiftOfA = Started() with { Begins = new DateTimeOffset(2024, 6, 1, 23, 30, 0, Local), EndedAt = new DateTimeOffset(2024, 6, 2, 1, 0, 0, Local), Status = ShiftStatus.Ended };
        shiftOfA.TenantId = "ward-a";
        var incidentOfA = new SiteIncident(Guid.NewGuid(), "INC-A-2024-0001", Eye, IncidentClassification.Criminal, at) { TenantId = "ward-a" };
        var incidentOfB = new SiteIncident(Guid.NewGuid(), "INC-B-2024-0001", Eye, IncidentClassification.Criminal, at) { TenantId = "ward-b" };

        var coverage = PatrolQueries.ComputeCoverage(June1, new DateOnly(2024, 6, 2), null, [], [shiftOfA], [incidentOfA, incidentOfB], Now.AddDays(2));

        Assert.Equal((2, 1, 1.5), (coverage.Incidents, coverage.IncidentsDuringShifts, coverage.HoursPatrolled));
    }

    [Fact]
    public void Coverage_sets_no_incident_against_a_shift_begun_longer_ago_than_a_shift_is_under_way_nor_reads_it()
    {
        var from = new DateOnly(2024, 7, 1);
        var (start, end) = WardTime.LocalDays(from, from);
        var now = new DateTimeOffset(2024, 7, 1, 23, 0, 0, Local);
        var forgotten = Started() with { Begins = start.AddDays(-30) };
        var sinceEpoch = Started() with { Begins = WardTime.Earliest, EndedAt = now, Status = ShiftStatus.Ended };
        var incident = new SiteIncident(Guid.NewGuid(), "INC-2024-0001", Eye, IncidentClassification.Criminal, new DateTimeOffset(2024, 7, 1, 22, 0, 0, Local));

        var coverage = PatrolQueries.ComputeCoverage(from, from, Eye, [], [forgotten, sinceEpoch], [incident], now);

        Assert.Equal((1, 0, 0), (coverage.Incidents, coverage.IncidentsDuringShifts, coverage.ShiftsPerformed));
        Assert.DoesNotContain(forgotten, new[] { forgotten, sinceEpoch }.Where(PatrolQueries.CoverageReads(start, end).Compile()));
        Assert.DoesNotContain(sinceEpoch, new[] { forgotten, sinceEpoch }.Where(PatrolQueries.CoverageReads(start, end).Compile()));
    }

    /// <summary>
    /// Coverage of every site sets an incident against the shifts at its own site: a shift only at the eye hospital under way
    /// when an incident happened at the obstetrics hospital of the same ward does not make it one during a shift (it did: with
    /// no site asked for, any shift of the ward counted).
    /// </summary>
    [Fact]
    public void Coverage_of_every_site_sets_an_incident_against_the_shifts_at_its_own_site_only()
    {
        var day = new DateOnly(2024, 7, 1);
        var now = new DateTimeOffset(2024, 7, 1, 23, 0, 0, Local);
        var atEyeOnly = Started() with { Begins = now.AddHours(-2), Checkpoints = [.. Route.Checkpoints.Where(point => point.SiteId == Eye)] };
        SiteIncident At(Guid site) => new(Guid.NewGuid(), "INC-2024-0001", site, IncidentClassification.Criminal, now.AddHours(-1)) { TenantId = atEyeOnly.TenantId };

        var coverage = PatrolQueries.ComputeCoverage(day, day, null, [], [atEyeOnly], [At(Obstetrics), At(Eye)], now);

        Assert.Equal((2, 1), (coverage.Incidents, coverage.IncidentsDuringShifts));
    }

    /// <summary>
    /// A shift begun some minutes before now (or up to the clock skew after), mostly within days, else up to 60 days before: ended some
    /// minutes after it began (by now; up to 3 days, longer than a shift counts as under way), still under way, or missed; of ward a or b,
    /// at one or both sites.
    /// </summary>
    private static readonly Gen<(int BeganAgo, int Lasted, ShiftStatus Status, bool OfA, int Sites)> AnyShiftAgo =
        Gen.Select(
            Gen.Frequency((3, Gen.Int[-(int)WardTime.ClockSkew.TotalMinutes, 6 * 24 * 60]), (1, Gen.Int[0, 60 * 24 * 60])),
            Gen.Frequency((3, Gen.Int[0, 12 * 60]), (1, Gen.Int[0, 3 * 24 * 60])),
            Gen.Enum<ShiftStatus>(),
            Gen.Bool,
            Gen.Int[0, 2]);

    /// <summary>An incident some minutes before now, of ward a or b, at one of the two sites.</summary>
    private static readonly Gen<(int Ago, bool OfA, bool AtEye)> AnyIncidentAgo = Gen.Select(Gen.Int[0, 6 * 24 * 60], Gen.Bool, Gen.Bool);

    [Fact]
    public void Coverage_counts_an_incident_during_shifts_iff_a_shift_of_its_ward_at_the_site_was_under_way_then_and_counts_the_shifts_begun_on_its_dates()
    {
        Gen.Select(Gen.Int[0, 24 * 60 - 1], AnyShiftAgo.List[0, 8], AnyIncidentAgo.List[0, 8], Gen.Int[-7, 1], Gen.Int[0, 3], Gen.Int[0, 2]).Sample(
            (minute, shiftsAgo, incidentsAgo, firstDay, days, site) =>
            {
                var now = new DateTimeOffset(2024, 6, 10, 0, 0, 0, Local).AddMinutes(minute);
                var siteId = site switch { 0 => (Guid?)null, 1 => Eye, _ => Obstetrics };
                var shifts = shiftsAgo.Select(ago =>
                {
                    var begins = now.AddMinutes(-ago.BeganAgo);
                    var shift = Started() with
                    {
                        Status = ago.Status,
                        Begins = begins,
                        EndedAt = ago.Status == ShiftStatus.Ended ? begins.AddMinutes(Math.Clamp(ago.Lasted, 0, Math.Max(ago.BeganAgo, 0))) : null,
                        Checkpoints = ago.Sites switch { 0 => Route.Checkpoints.Take(1).ToList(), 1 => Route.Checkpoints.Skip(1).ToList(), _ => Route.Checkpoints },
                    };
                    shift.TenantId = ago.OfA ? "ward-a" : "ward-b";
                    return shift;
                }).ToList();
                var from = DateOnly.FromDateTime(now.ToOffset(Local).Date).AddDays(firstDay);
                var to = from.AddDays(days);
                var (start, end) = WardTime.LocalDays(from, to);
                var incidents = incidentsAgo
                    .Select(ago => new SiteIncident(Guid.NewGuid(), "INC-2024-0001", ago.AtEye ? Eye : Obstetrics, IncidentClassification.Other, now.AddMinutes(-ago.Ago)) { TenantId = ago.OfA ? "ward-a" : "ward-b" })
                    .Where(incident => incident.OccurredAt >= start && incident.OccurredAt < end && (siteId is null || incident.SiteId == siteId))
                    .ToList();
                bool AtSite(ShiftState shift) => siteId is null || shift.Checkpoints.Any(point => point.SiteId == siteId);
                DateTimeOffset UnderWayUntil(ShiftState shift) => new[] { shift.EndedAt ?? now, shift.Begins + PatrolQueries.MaxUnderWay }.Min();

                var coverage = PatrolQueries.ComputeCoverage(from, to, siteId, [], [.. shifts.Where(PatrolQueries.CoverageReads(start, end).Compile())], incidents, now);

                var performed = shifts.Where(shift => AtSite(shift) && shift.Status != ShiftStatus.Missed && shift.Begins >= start && shift.Begins < end).ToList();
                Assert.Equal(performed.Count, coverage.ShiftsPerformed);
                Assert.Equal(Math.Round(performed.Where(shift => shift.EndedAt is not null).Sum(shift => (UnderWayUntil(shift) - shift.Begins).TotalHours), 2), coverage.HoursPatrolled);
                Assert.Equal(incidents.Count, coverage.Incidents);
                Assert.Equal(
                    incidents.Count(incident => shifts.Any(shift =>
                        shift.Checkpoints.Any(point => point.SiteId == incident.SiteId) && shift.Status != ShiftStatus.Missed && shift.TenantId == incident.TenantId
                        && shift.Begins <= incident.OccurredAt && incident.OccurredAt < UnderWayUntil(shift))),
                    coverage.IncidentsDuringShifts);
            });
    }
}
