using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Text.Json.Serialization;
using WardLink.Audit;
using WardLink.Domain;
using WardLink.EventSourcing;
using WardLink.ServiceDefaults;

namespace WardLink.Patrols;

/// <summary>Who patrols: the ward police alone, police jointly with a partner's security staff, or a veterans' team.</summary>
public enum TeamKind
{
    Police,
    Joint,
    Veterans,
}

/// <summary>A patrol walks its route's checkpoints; a residence check inspects boarding houses and rented rooms in the route's area.</summary>
public enum ShiftKind
{
    Patrol,
    ResidenceCheck,
}

/// <summary>
/// A daily window in the ward's local time (UTC+7, no daylight saving time), in minutes after
/// local midnight: it starts at <see cref="StartMinute"/> (0 to 1439) and ends at
/// <see cref="EndMinute"/> (1 to 1440, so <c>24:00</c> is the end of the day); an end at or
/// before the start crosses midnight into the next day. A window that ends where it starts is
/// zero-length and refused.
/// </summary>
public readonly record struct LocalWindow(
    [property: Range(0, LocalWindow.MinutesPerDay)] int StartMinute,
    [property: Range(0, LocalWindow.MinutesPerDay)] int EndMinute)
{
    /// <summary>The length of a local time of day as the API reads it: <c>HH:mm</c>.</summary>
    public const int TimeOfDayLength = 5;

    /// <summary>A window's start as <see cref="ParseMinute"/> reads it: a time of day, <c>HH:mm</c>.</summary>
    public const string StartPattern = "^(?:[01][0-9]|2[0-3]):[0-5][0-9]$";

    /// <summary>A window's end as <see cref="ParseMinute"/> reads it: a time of day, <c>HH:mm</c>, or <c>24:00</c>.</summary>
    public const string EndPattern = "^(?:(?:[01][0-9]|2[0-3]):[0-5][0-9]|24:00)$";

    public const int MinutesPerDay = 24 * 60;

    /// <summary>The longest duration as the API writes it: a whole day, <c>1.00:00:00</c>.</summary>
    public const int MaxDurationTextLength = 10;

    [MaxLength(MaxDurationTextLength)]
    public TimeSpan Duration => TimeSpan.FromMinutes(EndMinute > StartMinute ? EndMinute - StartMinute : EndMinute + MinutesPerDay - StartMinute);

    /// <summary>The window of the local date <paramref name="date"/>: from its start that day to its end (maybe the next day).</summary>
    public (DateTimeOffset Start, DateTimeOffset End) On(DateOnly date)
    {
        var start = new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), WardTime.Offset).AddMinutes(StartMinute);
        return (start, start + Duration);
    }

    /// <summary>Reads <c>HH:mm</c> (<c>24:00</c> only as an end); null when it is not a time of day.</summary>
    public static int? ParseMinute(string? text, bool isEnd)
    {
        if (text is null || !TimeOnly.TryParseExact(text.Trim() == "24:00" ? "00:00" : text.Trim(), "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var time))
        {
            return null;
        }

        var minute = (time.Hour * 60) + time.Minute;
        return text.Trim() == "24:00" ? (isEnd ? MinutesPerDay : null) : minute;
    }

    public static string Format(int minute) => $"{minute / 60:00}:{minute % 60:00}";
}

/// <summary>A schedule created; its window's ends are times of day (HH:mm, formatted from minutes: no free text), shown to auditors.</summary>
public sealed record ScheduleCreated(
    Guid ScheduleId,
    Guid RouteId,
    ShiftKind Kind,
    IReadOnlyList<DayOfWeek> Days,
    [property: ShownToAuditors] string WindowStart,
    [property: ShownToAuditors] string WindowEnd,
    TeamKind Team,
    IReadOnlyList<Guid> PartnerIds,
    IReadOnlyList<Guid> SiteIds,
    DateOnly StartsOn,
    DateTimeOffset At,
    string By) : IBusinessEvent;

/// <summary>A schedule ended: it plans no shift after <paramref name="EndsOn"/>, its last local date.</summary>
public sealed record ScheduleEnded(Guid ScheduleId, DateOnly EndsOn, DateTimeOffset At, string By) : IBusinessEvent;

/// <summary>Ends a schedule after the local date <paramref name="EndsOn"/> (today or later).</summary>
public sealed record EndSchedule(DateOnly? EndsOn);

/// <summary>Schedules <paramref name="Route"/> (as the caller found it; null: no such route).</summary>
public sealed record CreateSchedule(
    Guid ScheduleId,
    RouteState? Route,
    ShiftKind? Kind,
    IReadOnlyList<DayOfWeek>? Days,
    string? WindowStart,
    string? WindowEnd,
    TeamKind? Team,
    IReadOnlyList<Guid>? PartnerIds,
    DateOnly? StartsOn,
    IReadOnlyList<Guid> DepartedPartners);

/// <summary>
/// A route patrolled on some days of the week in a local window, by a team, from a local date on.
/// <see cref="TenantId"/> is the store's tenant of its ward, set by the store when it reads the schedule.
/// </summary>
public sealed record ScheduleState(
    Guid Id,
    Guid RouteId,
    ShiftKind Kind,
    IReadOnlyList<DayOfWeek> Days,
    [property: ShownToAuditors, MaxLength(LocalWindow.TimeOfDayLength)] string WindowStart,
    [property: ShownToAuditors, MaxLength(LocalWindow.TimeOfDayLength)] string WindowEnd,
    TeamKind Team,
    [property: MaxLength(PatrolSchedule.MaxPartners)] IReadOnlyList<Guid> PartnerIds,
    [property: MaxLength(PatrolRoute.MaxCheckpoints)] IReadOnlyList<Guid> SiteIds,
    DateOnly StartsOn,
    DateTimeOffset CreatedAt) : KeptInWard, Marten.Metadata.ITenanted
{
    /// <summary>
    /// The days of the week the schedule plans; a day stored before enums were read strictly (a list
    /// such as <c>"friday, saturday"</c> was stored as the number 7) names no day and plans nothing.
    /// </summary>
    [MaxLength(PatrolSchedule.DaysInWeek)]
    public IReadOnlyList<DayOfWeek> Days { get; init; } = [.. Days.Where(Enum.IsDefined)];

    [JsonIgnore]
    public string? TenantId { get; set; }

    /// <summary>The last local date the schedule plans, once it is ended; null while it goes on.</summary>
    public DateOnly? EndsOn { get; init; }

    public static ScheduleState Create(ScheduleCreated created) => new(
        created.ScheduleId, created.RouteId, created.Kind, created.Days, created.WindowStart, created.WindowEnd, created.Team,
        created.PartnerIds, created.SiteIds, created.StartsOn, created.At);

    public LocalWindow Window => new(LocalWindow.ParseMinute(WindowStart, isEnd: false)!.Value, LocalWindow.ParseMinute(WindowEnd, isEnd: true)!.Value);

    public ScheduleState Apply(ScheduleEnded ended) => this with { EndsOn = ended.EndsOn };

    public bool Plans(DateOnly date) => date >= StartsOn && (EndsOn is not { } last || date <= last) && Days.Contains(date.DayOfWeek);
}

/// <summary>A shift a schedule plans on a local date; its stream id is derived from the schedule and the date.</summary>
public sealed record PlannedShift(
    Guid ShiftId,
    Guid ScheduleId,
    Guid RouteId,
    ShiftKind Kind,
    DateOnly Date,
    DateTimeOffset WindowStart,
    DateTimeOffset WindowEnd,
    TeamKind Team,
    [property: MaxLength(PatrolSchedule.MaxPartners)] IReadOnlyList<Guid> PartnerIds,
    [property: MaxLength(PatrolRoute.MaxCheckpoints)] IReadOnlyList<Guid> SiteIds);

public static class PatrolSchedule
{
    public const int MaxPartners = 20;

    public const int DaysInWeek = 7;

    /// <summary>
    /// A partner that has left the linkage takes on nothing new (docs/partners.md): no schedule, no shift outside any that began
    /// once it had left, as far as this service has heard of its leave.
    /// </summary>
    public static Rejection? RefuseDeparted(IReadOnlyList<Guid> departed) =>
        departed.Count == 0 ? null : Rejection.Conflict($"A partner that has left the linkage takes on nothing new (a schedule, a shift begun after it left): {string.Join(", ", departed)}.");

    /// <summary>The partners of a team, on a schedule or a shift outside any: a few real ids.</summary>
    public static FieldErrors CheckPartnerIds(this FieldErrors errors, IReadOnlyList<Guid> partners) =>
        errors.Check(partners.Count <= MaxPartners && partners.All(id => id != Guid.Empty), "partnerIds", $"Up to {MaxPartners} partner ids.");

    public static Decision Create(ScheduleState? current, CreateSchedule command, DateTimeOffset now, string actor)
    {
        var route = command.Route;
        var start = LocalWindow.ParseMinute(command.WindowStart, isEnd: false);
        var end = LocalWindow.ParseMinute(command.WindowEnd, isEnd: true);
        var partners = command.PartnerIds ?? [];
        var errors = new FieldErrors()
            .Check(route is not null, "routeId", "No such route.")
            .Check(command.Kind is not null, "kind", "Choose the kind of shift (patrol, residenceCheck).")
            .Check(command.Days is { Count: > 0 }, "days", "Give the days of the week (e.g. every day: all seven).")
            .Check(command.Days is null || command.Days.Distinct().Count() == command.Days.Count, "days", "Each day of the week at most once.")
            .Check(start is not null, "windowStart", "A local time of day, HH:mm (e.g. 21:00).")
            .CheckLength(command.WindowStart, "windowStart", LocalWindow.TimeOfDayLength)
            .Check(end is not null, "windowEnd", "A local time of day, HH:mm (24:00 for midnight at the end of the day).")
            .CheckLength(command.WindowEnd, "windowEnd", LocalWindow.TimeOfDayLength)
            .Check(start is null || end is null || start != end, "windowEnd", "The window ends where it starts: it would last no time.")
            .Check(command.Team is not null, "team", "Choose the team (police, joint, veterans).")
            .Check(command.Team is null or TeamKind.Police || partners.Count > 0, "partnerIds", "A joint or veterans' team names its partners.")
            .CheckPartnerIds(partners)
            .CheckLocalDate(command.StartsOn, "startsOn");
        if (errors.Any)
        {
            return errors.ToRejection();
        }

        if (current is not null)
        {
            return Rejection.Conflict($"Schedule {command.ScheduleId} already exists.");
        }

        return Decision.AcceptUnless(RefuseDeparted(command.DepartedPartners), new ScheduleCreated(
            command.ScheduleId,
            route!.Id,
            command.Kind!.Value,
            [.. command.Days!.Distinct().Order()],
            LocalWindow.Format(start!.Value),
            LocalWindow.Format(end!.Value),
            command.Team!.Value,
            [.. partners.Distinct()],
            route.SiteIds,
            command.StartsOn ?? DateOnly.FromDateTime(now.ToOffset(WardTime.Offset).DateTime),
            now,
            actor));
    }

    /// <summary>
    /// Ends <paramref name="schedule"/> after a local date from today on: what it planned up to then stays planned (and a shift
    /// of a day under way or past, missed or performed, stays as recorded); it plans nothing after. Not before
    /// <paramref name="lastStarted"/>, the latest date of a planned shift of it already started (a team may start one early,
    /// or ahead): that shift stays planned, a 409. An ended schedule may be ended earlier (from today on), never later: a 409,
    /// as ending it on the date it already ends on.
    /// </summary>
    public static Decision End(ScheduleState schedule, EndSchedule command, DateOnly? lastStarted, DateTimeOffset now, string actor)
    {
        var today = DateOnly.FromDateTime(now.ToOffset(WardTime.Offset).DateTime);
        var errors = new FieldErrors()
            .Check(command.EndsOn is not null, "endsOn", "Give the last local date the schedule plans (yyyy-MM-dd), today or later.")
            .CheckLocalDate(command.EndsOn, "endsOn")
            .Check(command.EndsOn is not { } last || last >= today, "endsOn", $"Today ({today:yyyy-MM-dd}, local) or later: a day under way or past keeps what was planned on it.");
        if (errors.Any)
        {
            return errors.ToRejection();
        }

        return schedule.EndsOn is { } ends && ends <= command.EndsOn
            ? Rejection.Conflict($"Schedule {schedule.Id} already ends on {ends:yyyy-MM-dd}: a schedule may be ended earlier, never later.")
            : lastStarted is { } started && started > command.EndsOn
            ? Rejection.Conflict($"The shift schedule {schedule.Id} planned on {started:yyyy-MM-dd} has started: end the schedule on that date or later.")
            : Decision.Accept(new ScheduleEnded(schedule.Id, command.EndsOn!.Value, now, actor));
    }

    /// <summary>
    /// The turn (<see cref="Turns"/>) an end of schedule <paramref name="scheduleId"/> and a start of a shift it plans take
    /// before they read each other's records: an end sent with a start of a day after it is decided on the started shift, or the
    /// start on the ended schedule, never both on what stood before either.
    /// </summary>
    public static string ShiftsTurnOf(Guid scheduleId) => $"schedule-shifts:{scheduleId}";

    /// <summary>The stream id of the shift <paramref name="scheduleId"/> plans on local date <paramref name="date"/>.</summary>
    public static Guid PlannedShiftId(Guid scheduleId, DateOnly date) =>
        NamedStreams.StreamIdOf($"shift:{scheduleId}:{date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}");

    /// <summary>Whether a ward that ended at <paramref name="wardEnd"/> (null: it has not) plans a shift whose window opens at <paramref name="windowStart"/>: only one opening before its end.</summary>
    public static bool WardPlans(DateTimeOffset windowStart, DateTimeOffset? wardEnd) => wardEnd is not { } end || windowStart < end;

    /// <summary>The shifts the schedules plan on the local dates <paramref name="from"/> to <paramref name="to"/>, both included, by window start.</summary>
    /// <param name="wardEnds">
    /// When each ward that was merged or dissolved (by its store tenant) stopped recording anything of its own: its
    /// schedules plan no shift whose window starts from then on (what happens there belongs to its successor).
    /// </param>
    public static IReadOnlyList<PlannedShift> Plan(
        IEnumerable<ScheduleState> schedules, DateOnly from, DateOnly to, IReadOnlyDictionary<string, DateTimeOffset> wardEnds)
    {
        var planned = new List<PlannedShift>();
        foreach (var schedule in schedules)
        {
            var window = schedule.Window;
            DateTimeOffset? until = schedule.TenantId is { } tenant && wardEnds.TryGetValue(tenant, out var ended) ? ended : null;
            for (var date = from; date <= to; date = date.AddDays(1))
            {
                var (start, end) = window.On(date);
                if (schedule.Plans(date) && WardPlans(start, until))
                {
                    planned.Add(new PlannedShift(
                        PlannedShiftId(schedule.Id, date), schedule.Id, schedule.RouteId, schedule.Kind, date, start, end, schedule.Team, schedule.PartnerIds, schedule.SiteIds));
                }
            }
        }

        return [.. planned.OrderBy(shift => shift.WindowStart).ThenBy(shift => shift.ScheduleId)];
    }

    /// <summary>
    /// The planned shifts missed at <paramref name="now"/>: their window has ended, it was still open when their
    /// schedule was created (a schedule that begins on a past date plans shifts nobody could have started: they stay
    /// planned, neither performed nor missed, and can be recorded after the fact), and no shift (started, or already
    /// recorded as missed) has their stream id.
    /// </summary>
    public static IReadOnlyList<PlannedShift> MissedAt(
        IEnumerable<PlannedShift> planned, IReadOnlyDictionary<Guid, ScheduleState> schedules, IReadOnlySet<Guid> recorded, DateTimeOffset now) =>
        [.. planned.Where(shift => shift.WindowEnd <= now && shift.WindowEnd > schedules[shift.ScheduleId].CreatedAt && !recorded.Contains(shift.ShiftId))];
}
