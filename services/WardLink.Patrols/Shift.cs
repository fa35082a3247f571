using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using WardLink.Audit;
using WardLink.Contracts;
using WardLink.Contracts.Patrols;
using WardLink.Domain;
using WardLink.ServiceDefaults;

namespace WardLink.Patrols;

public enum ShiftStatus
{
    Started,
    Ended,
    Missed,
}

/// <summary>A team member as the partner chooses to name them (a name or call sign, and a role): nothing more.</summary>
public sealed record TeamMember([property: PersonalData, MaxLength(Shift.MaxNameLength), NotBlank] string Name, [property: MaxLength(Shift.MaxNameLength), NotBlank] string Role);

/// <summary>What a residence check counted; never who.</summary>
[AnyOfGiven(nameof(PremisesVisited), nameof(ResidentsRegistered), nameof(ResidentsNotRegistered), nameof(RemindersIssued), AtLeast = 1)]
public sealed record ResidenceCounts(
    [property: Range(0, Shift.MaxResidenceCount)] int PremisesVisited = 0,
    [property: Range(0, Shift.MaxResidenceCount)] int ResidentsRegistered = 0,
    [property: Range(0, Shift.MaxResidenceCount)] int ResidentsNotRegistered = 0,
    [property: Range(0, Shift.MaxResidenceCount)] int RemindersIssued = 0)
{
    public static readonly ResidenceCounts None = new(0, 0, 0, 0);

}

/// <summary>Residence counts added up over checks and shifts, in 64 bits: many checks of large counts never overflow.</summary>
public sealed record ResidenceTotals(
    [property: Range(0, long.MaxValue), Description("Premises visited, added up.")] long PremisesVisited,
    [property: Range(0, long.MaxValue), Description("Residents found registered, added up.")] long ResidentsRegistered,
    [property: Range(0, long.MaxValue), Description("Residents found not registered, added up.")] long ResidentsNotRegistered,
    [property: Range(0, long.MaxValue), Description("Reminders issued, added up.")] long RemindersIssued)
{
    public static readonly ResidenceTotals None = new(0, 0, 0, 0);

    public ResidenceTotals Add(ResidenceCounts counts) => new(
        PremisesVisited + counts.PremisesVisited,
        ResidentsRegistered + counts.ResidentsRegistered,
        ResidentsNotRegistered + counts.ResidentsNotRegistered,
        RemindersIssued + counts.RemindersIssued);

    public ResidenceTotals Add(ResidenceTotals other) => new(
        PremisesVisited + other.PremisesVisited,
        ResidentsRegistered + other.ResidentsRegistered,
        ResidentsNotRegistered + other.ResidentsNotRegistered,
        RemindersIssued + other.RemindersIssued);
}

public sealed record ShiftStarted(
    Guid ShiftId,
    ShiftKind Kind,
    Guid RouteId,
    Guid? ScheduleId,
    DateOnly? PlannedDate,
    DateTimeOffset? WindowEnd,
    TeamKind Team,
    IReadOnlyList<Guid> PartnerIds,
    IReadOnlyList<TeamMember> Members,
    IReadOnlyList<Checkpoint> Checkpoints,
    DateTimeOffset At,
    string By) : IBusinessEvent;

public sealed record CheckedIn(Guid ShiftId, string Code, Guid SiteId, double? Latitude, double? Longitude, DateTimeOffset At, string By) : IBusinessEvent;

public sealed record ObservationReported(
    Guid ShiftId,
    Guid ObservationId,
    Guid RouteId,
    Guid? SiteId,
    string Description,
    ObservationSeverity Severity,
    bool NeedsIncident,
    Guid? IncidentId,
    DateTimeOffset At,
    string By) : IBusinessEvent;

public sealed record ResidenceCheckRecorded(Guid ShiftId, ResidenceCounts Counts, DateTimeOffset At, string By) : IBusinessEvent;

public sealed record ShiftEnded(Guid ShiftId, DateTimeOffset At, string By) : IBusinessEvent;

/// <summary>A planned shift nobody started before its window ended.</summary>
public sealed record ShiftMissed(
    Guid ShiftId,
    ShiftKind Kind,
    Guid RouteId,
    Guid ScheduleId,
    DateOnly PlannedDate,
    DateTimeOffset WindowStart,
    DateTimeOffset WindowEnd,
    TeamKind Team,
    IReadOnlyList<Guid> PartnerIds,
    IReadOnlyList<Checkpoint> Checkpoints,
    DateTimeOffset At,
    string By) : IBusinessEvent;

/// <summary>A checkpoint of the route the shift did not scan: recorded when the shift ended, or was missed.</summary>
public sealed record CheckpointMissed(Guid ShiftId, Guid RouteId, string Code, Guid SiteId, DateTimeOffset WindowEnd, DateTimeOffset At, string By) : IBusinessEvent;

/// <summary>
/// Starts shift <paramref name="ShiftId"/> on <paramref name="Route"/>, as planned by <paramref name="Schedule"/> (null: a
/// shift outside any schedule), with the route and schedule as the caller found them (null: no such route); <paramref name="ScheduleNamed"/>
/// when the request named a schedule (found or not: one not found is refused with the other wrong fields), <paramref name="RouteNamed"/>
/// when it named a route (a planned shift's route is its schedule's: one named besides is refused).
/// </summary>
public sealed record StartShift(
    Guid ShiftId,
    RouteState? Route,
    ScheduleState? Schedule,
    ShiftKind? Kind,
    DateOnly? PlannedDate,
    TeamKind? Team,
    IReadOnlyList<Guid>? PartnerIds,
    IReadOnlyList<TeamMember>? Members,
    DateTimeOffset? At = null,
    bool ScheduleNamed = false,
    bool RouteNamed = false,
    DateTimeOffset? WardEndsAt = null,
    IReadOnlyList<Guid>? DepartedPartners = null);

/// <summary>A check-in at a checkpoint by its code (time and coordinates optional); the request body of <c>POST /patrols/shifts/{id}/check-ins</c>.</summary>
public sealed record CheckIn(
    [property: MaxLength(PatrolRoute.MaxCodeLength)] string? Code,
    DateTimeOffset? At = null,
    [property: Range(-Place.MaxLatitude, Place.MaxLatitude), RequiredWith(nameof(CheckIn.Longitude))] double? Latitude = null,
    [property: Range(-Place.MaxLongitude, Place.MaxLongitude), RequiredWith(nameof(CheckIn.Latitude))] double? Longitude = null);

/// <summary>An observation on a shift, with the ids chosen for it and the shift's <paramref name="Ward"/> as the request found it (where its incident would be opened).</summary>
/// <param name="SiteWard">The ward whose ground the site was at the observation's time, looked up for one that needs an incident; else null.</param>
public sealed record ReportObservation(
    Guid ObservationId, Guid IncidentId, string? Description, ObservationSeverity? Severity, bool NeedsIncident, Guid? SiteId, DateTimeOffset? At, RecordingWard Ward, string? SiteWard = null);

/// <summary>
/// Optional: <c>at</c> when the shift ended, if earlier than now (a shift recorded after the fact); without it, now, or the shift's begin or last
/// check-in, observation or residence check if later; the request body of <c>POST /patrols/shifts/{id}/end</c>.
/// </summary>
public sealed record EndShift(DateTimeOffset? At = null);

/// <summary>Records <paramref name="Planned"/> as missed, with its <paramref name="Route"/> as the sweep found it.</summary>
public sealed record RecordMissedShift(PlannedShift Planned, RouteState Route);

/// <summary>
/// A shift as it stands; also the read model of coverage and statistics (an inline snapshot).
/// <see cref="Begins"/> is when it started, or the start of the window it missed. <see cref="LastRecordedAt"/>
/// is the latest <c>at</c> of its check-ins, observations and residence checks (none in a snapshot kept before it was, until the
/// shift's next of them). <see cref="TenantId"/> is the store's tenant of its ward, set by the store when it reads the shift.
/// </summary>
public sealed record ShiftState(
    Guid Id,
    ShiftKind Kind,
    ShiftStatus Status,
    Guid RouteId,
    Guid? ScheduleId,
    DateOnly? PlannedDate,
    TeamKind Team,
    [property: MaxLength(PatrolSchedule.MaxPartners)] IReadOnlyList<Guid> PartnerIds,
    [property: MaxLength(Shift.MaxMembers)] IReadOnlyList<TeamMember> Members,
    [property: MaxLength(PatrolRoute.MaxCheckpoints)] IReadOnlyList<Checkpoint> Checkpoints,
    [property: MaxLength(PatrolRoute.MaxCheckpoints), ItemsMaxLength(PatrolRoute.MaxCodeLength)] IReadOnlyList<string> Visited,
    [property: MaxLength(PatrolRoute.MaxCheckpoints), ItemsMaxLength(PatrolRoute.MaxCodeLength)] IReadOnlyList<string> Missed,
    [property: Range(0, DocumentedBounds.AnyCount)] int CheckIns,
    [property: Range(0, DocumentedBounds.AnyCount)] int Observations,
    [property: Range(0, DocumentedBounds.AnyCount)] int IncidentsRaised,
    ResidenceTotals Residence,
    DateTimeOffset Begins,
    DateTimeOffset? EndedAt,
    DateTimeOffset? WindowEnd,
    DateTimeOffset? LastRecordedAt = null) : KeptInWard, Marten.Metadata.ITenanted
{
    [JsonIgnore]
    public string? TenantId { get; set; }

    public static ShiftState Create(ShiftStarted started) => new(
        started.ShiftId, started.Kind, ShiftStatus.Started, started.RouteId, started.ScheduleId, started.PlannedDate, started.Team, started.PartnerIds,
        started.Members, started.Checkpoints, [], [], 0, 0, 0, ResidenceTotals.None, started.At, null, started.WindowEnd);

    public static ShiftState Create(ShiftMissed missed) => new(
        missed.ShiftId, missed.Kind, ShiftStatus.Missed, missed.RouteId, missed.ScheduleId, missed.PlannedDate, missed.Team, missed.PartnerIds,
        [], missed.Checkpoints, [], [], 0, 0, 0, ResidenceTotals.None, missed.WindowStart, null, missed.WindowEnd);

    public ShiftState Apply(CheckedIn checkedIn) => this with
    {
        CheckIns = CheckIns + 1,
        Visited = Visited.Contains(checkedIn.Code) ? Visited : [.. Visited, checkedIn.Code],
        LastRecordedAt = Latest(checkedIn.At),
    };

    public ShiftState Apply(ObservationReported observation) => this with
    {
        Observations = Observations + 1,
        IncidentsRaised = IncidentsRaised + (observation.NeedsIncident ? 1 : 0),
        LastRecordedAt = Latest(observation.At),
    };

    public ShiftState Apply(ResidenceCheckRecorded recorded) => this with { Residence = Residence.Add(recorded.Counts), LastRecordedAt = Latest(recorded.At) };

    public ShiftState Apply(ShiftEnded ended) => this with { Status = ShiftStatus.Ended, EndedAt = ended.At };

    public ShiftState Apply(CheckpointMissed missed) => this with { Missed = [.. Missed, missed.Code] };

    private DateTimeOffset Latest(DateTimeOffset at) => LastRecordedAt is { } last && last > at ? last : at;
}

/// <summary>The decisions on a shift: pure functions of its state, the command, the time and the actor.</summary>
public static class Shift
{
    public const int MaxTextLength = 4000;
    public const int MaxNameLength = 200;
    public const int MaxMembers = 50;

    /// <summary>The most one residence check counts of each (premises, residents, reminders): a year's sums stay far from overflowing.</summary>
    public const int MaxResidenceCount = 100_000;

    /// <summary>The actor of what the missed-shift sweep records.</summary>
    public const string Sweeper = "patrols-missed-shift-sweep";

    /// <summary>Why a planned shift refuses a route, kind, team or partners sent with it, even the schedule's own: there is one source of them.</summary>
    private const string TakenFromSchedule = "A planned shift takes its route, kind, team and partners from its schedule: leave this out.";

    /// <summary>How early a planned shift may begin before its window opens (the team gathers first).</summary>
    public static readonly TimeSpan EarlyStart = TimeSpan.FromHours(1);

    /// <param name="existing">The shift already under this id (a planned shift started or missed before), if any.</param>
    public static Decision Start(ShiftState? existing, StartShift command, DateTimeOffset now, string actor)
    {
        var (route, schedule) = (command.Route, command.Schedule);
        var scheduled = command.ScheduleNamed || schedule is not null;
        var members = command.Members ?? [];
        var partners = schedule?.PartnerIds ?? command.PartnerIds ?? [];
        var team = schedule?.Team ?? command.Team;
        var at = command.At ?? now;
        var window = schedule is not null && command.PlannedDate is { } day && WardTime.InYears(day) && schedule.Plans(day) ? schedule.Window.On(day) : ((DateTimeOffset Start, DateTimeOffset End)?)null;
        var errors = new FieldErrors()
            .CheckPast(command.At, "at", now)
            .CheckLocalDate(command.PlannedDate, "plannedDate")
            .Check(command.At is null || window is not { } planned || (at >= planned.Start - EarlyStart && at < planned.End), "at", "A planned shift recorded after the fact began within its window (at most an hour early).")
            .Check(route is not null && (schedule is not null || !scheduled), scheduled ? "scheduleId" : "routeId", scheduled ? "No such schedule." : "No such route.")
            .Check(!scheduled || command.PlannedDate is not null, "plannedDate", "A planned shift names the local date its schedule plans it on (yyyy-MM-dd).")
            .Check(command.PlannedDate is not { } date || schedule is null || schedule.Plans(date), "plannedDate", "The schedule plans no shift on that local date.")
            .Check(window is not { } opens || PatrolSchedule.WardPlans(opens.Start, command.WardEndsAt), "plannedDate", "The ward plans no shift from its end on (it was merged or dissolved): a merged ward's successor plans them with its own schedules.")
            .Check(scheduled || command.Kind is not null, "kind", "Choose the kind of shift (patrol, residenceCheck).")
            .Check(team is not null || scheduled, "team", "Choose the team (police, joint, veterans).")
            .Check(team is null or TeamKind.Police || partners.Count > 0, "partnerIds", "A joint or veterans' team names its partners.")
            .CheckPartnerIds(command.PartnerIds ?? [])
            .Check(!scheduled || !command.RouteNamed, "routeId", TakenFromSchedule)
            .Check(!scheduled || command.Kind is null, "kind", TakenFromSchedule)
            .Check(!scheduled || command.Team is null, "team", TakenFromSchedule)
            .Check(!scheduled || command.PartnerIds is null, "partnerIds", TakenFromSchedule)
            .Check(scheduled || command.PlannedDate is null, "plannedDate", "Only a planned shift (scheduleId) has a planned date.")
            .Check(members.Count is > 0 and <= MaxMembers, "members", $"Name 1 to {MaxMembers} team members by name (or call sign) and role.");
        for (var i = 0; i < members.Count; i++)
        {
            errors
                .Check(!string.IsNullOrWhiteSpace(members[i].Name) && Characters.AtMost(members[i].Name, MaxNameLength), $"members[{i}].name", $"A name or call sign, at most {MaxNameLength} characters.")
                .Check(!string.IsNullOrWhiteSpace(members[i].Role) && Characters.AtMost(members[i].Role, MaxNameLength), $"members[{i}].role", $"A role, at most {MaxNameLength} characters.");
        }

        if (errors.Any)
        {
            return errors.ToRejection();
        }

        if (existing is not null)
        {
            return Rejection.Conflict(existing.Status == ShiftStatus.Missed
                ? $"The shift planned on {existing.PlannedDate:yyyy-MM-dd} was recorded as missed when its window closed."
                : $"The shift planned on {existing.PlannedDate:yyyy-MM-dd} has already started.");
        }

        if (command.At is null && window is { } closed && now >= closed.End)
        {
            // Begun now, after its window (a paper log typed in without at, a window the sweep has not recorded missed yet): not that shift.
            return Rejection.Conflict($"The window of the shift planned on {command.PlannedDate:yyyy-MM-dd} closed at {closed.End:yyyy-MM-dd HH:mm zzz}: a shift begun now is not it (send the time it began as at, within its window, or start a shift outside the schedule).");
        }

        return Decision.AcceptUnless(PatrolSchedule.RefuseDeparted(command.DepartedPartners ?? []), new ShiftStarted(
            command.ShiftId,
            schedule?.Kind ?? command.Kind!.Value,
            route!.Id,
            schedule?.Id,
            schedule is null ? null : command.PlannedDate,
            schedule is null ? null : schedule.Window.On(command.PlannedDate!.Value).End,
            team!.Value,
            [.. partners.Distinct()],
            [.. members.Select(member => new TeamMember(member.Name.Trim(), member.Role.Trim()))],
            route.Checkpoints,
            at,
            actor));
    }

    public static Decision CheckIn(ShiftState shift, CheckIn command, DateTimeOffset now, string actor)
    {
        var at = shift.StepAt(command.At, now);
        var checkpoint = shift.Checkpoints.FirstOrDefault(point => string.Equals(point.Code, command.Code?.Trim(), StringComparison.Ordinal));
        return new FieldErrors()
            .Check(!string.IsNullOrWhiteSpace(command.Code), "code", "Give the code scanned at the checkpoint.")
            .CheckLength(command.Code, "code", PatrolRoute.MaxCodeLength)
            .Check(string.IsNullOrWhiteSpace(command.Code) || checkpoint is not null, "code", "This code is not a checkpoint of the shift's route.")
            .CheckPast(command.At, "at", now)
            .Check(at >= shift.Begins, "at", "A check-in cannot be before the shift started.")
            .CheckCoordinates(command.Latitude, command.Longitude)
            .Then(() => shift.UnderWay("takes check-ins") ?? Decision.Accept(new CheckedIn(shift.Id, checkpoint!.Code, checkpoint.SiteId, command.Latitude, command.Longitude, at, actor)));
    }

    /// <summary>
    /// An observation that needs an incident carries the incident id chosen here, so incidents opens exactly that one, in the shift's ward:
    /// one from the end of that ward on, or at a site that was another ward's ground at its time (a merged ward's site before its
    /// merger), is refused, as incidents would refuse to open it. Any other observation is added to the shift's record.
    /// </summary>
    public static Decision Report(ShiftState shift, ReportObservation command, DateTimeOffset now, string actor)
    {
        var at = shift.StepAt(command.At, now);
        return new FieldErrors()
            .Check(!string.IsNullOrWhiteSpace(command.Description), "description", "Describe what was seen.")
            .CheckLength(command.Description, "description", MaxTextLength)
            .Check(command.Severity is not null, "severity", "Choose the severity (low, medium, high).")
            .Check(command.SiteId is null || shift.Checkpoints.Any(point => point.SiteId == command.SiteId), "siteId", "Not a site of the shift's route.")
            .CheckPast(command.At, "at", now)
            .Check(at >= shift.Begins, "at", "An observation cannot be before the shift started.")
            .CheckWard(command.Ward, command.NeedsIncident ? at : null, "at", command.NeedsIncident ? command.SiteWard : null, "siteId")
            .Then(() => shift.UnderWay("reports observations") ?? Decision.Accept(new ObservationReported(
                shift.Id, command.ObservationId, shift.RouteId, command.SiteId, command.Description!.Trim(), command.Severity!.Value,
                command.NeedsIncident, command.NeedsIncident ? command.IncidentId : null, at, actor)));
    }

    /// <summary>The counts are the command as the request body gives them (<see cref="ResidenceCounts"/>, also what the event keeps).</summary>
    public static Decision RecordResidenceCheck(ShiftState shift, ResidenceCounts command, DateTimeOffset now, string actor) =>
        new FieldErrors()
            .Check(command.PremisesVisited is >= 0 and <= MaxResidenceCount, "premisesVisited", $"A count from 0 to {MaxResidenceCount}.")
            .Check(command.ResidentsRegistered is >= 0 and <= MaxResidenceCount, "residentsRegistered", $"A count from 0 to {MaxResidenceCount}.")
            .Check(command.ResidentsNotRegistered is >= 0 and <= MaxResidenceCount, "residentsNotRegistered", $"A count from 0 to {MaxResidenceCount}.")
            .Check(command.RemindersIssued is >= 0 and <= MaxResidenceCount, "remindersIssued", $"A count from 0 to {MaxResidenceCount}.")
            .Check(command != ResidenceCounts.None, "premisesVisited", "Nothing to record: every count is 0.")
            .Then(() => shift.Kind != ShiftKind.ResidenceCheck || shift.Status != ShiftStatus.Started
                ? Rejection.Conflict("Only a residence check under way records residence counts.")
                : Decision.Accept(new ResidenceCheckRecorded(shift.Id, command, shift.StepAt(null, now), actor)));

    /// <summary>
    /// Ends the shift at the time given (if earlier than now), else now, or when it began or last recorded something if that is later
    /// (within the clock skew); every checkpoint of a patrol it did not scan is recorded as missed.
    /// </summary>
    public static Decision End(ShiftState shift, EndShift command, DateTimeOffset now, string actor)
    {
        var when = shift.StepAt(command.At, now);
        return new FieldErrors()
            .CheckPast(command.At, "at", now)
            .Check(when >= shift.Begins, "at", "A shift cannot end before it began.")
            .Check(shift.LastRecordedAt is not { } last || when >= last, "at", $"A shift cannot end before its last check-in, observation or residence check ({shift.LastRecordedAt:O}).")
            .Then(() => shift.UnderWay("can end") ?? Decision.Accept([
                new ShiftEnded(shift.Id, when, actor),
                .. (shift.Kind == ShiftKind.Patrol ? shift.Checkpoints.Where(point => !shift.Visited.Contains(point.Code)) : [])
                    .Select(point => new CheckpointMissed(shift.Id, shift.RouteId, point.Code, point.SiteId, shift.WindowEnd ?? when, when, actor)),
            ]));
    }

    /// <summary>The refusal of a step (one that <paramref name="what"/>) on a shift that is not under way, if it is not.</summary>
    private static Rejection? UnderWay(this ShiftState shift, string what) =>
        shift.Status == ShiftStatus.Started ? null : Rejection.Conflict($"The shift is {Describe(shift.Status)}; only a shift under way {what}.");

    /// <summary>When a step of the shift happened: at the time given, else now, and never before the shift began or last recorded something (within the clock skew).</summary>
    private static DateTimeOffset StepAt(this ShiftState shift, DateTimeOffset? at, DateTimeOffset now) => WardTime.StepAt(at, now, shift.Begins, shift.LastRecordedAt);

    /// <summary>Records a planned shift nobody started as missed, with every checkpoint of its patrol.</summary>
    public static Decision Miss(ShiftState? existing, RecordMissedShift command, DateTimeOffset now, string actor)
    {
        var (planned, route) = (command.Planned, command.Route);
        if (existing is not null)
        {
            return Rejection.Conflict($"The shift planned on {planned.Date:yyyy-MM-dd} is already recorded.");
        }

        if (planned.WindowEnd > now)
        {
            return Rejection.Conflict($"The window of the shift planned on {planned.Date:yyyy-MM-dd} has not ended yet.");
        }

        var missed = planned.Kind == ShiftKind.Patrol ? route.Checkpoints : [];
        return Decision.Accept([
            new ShiftMissed(
                planned.ShiftId, planned.Kind, planned.RouteId, planned.ScheduleId, planned.Date, planned.WindowStart, planned.WindowEnd,
                planned.Team, planned.PartnerIds, route.Checkpoints, now, actor),
            .. missed.Select(point => new CheckpointMissed(planned.ShiftId, planned.RouteId, point.Code, point.SiteId, planned.WindowEnd, now, actor)),
        ]);
    }

    private static string Describe(ShiftStatus status) => status switch
    {
        ShiftStatus.Started => "under way",
        ShiftStatus.Ended => "ended",
        _ => "missed",
    };
}
