using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Linq.Expressions;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using WardLink.Domain;
using WardLink.EventSourcing;
using WardLink.EventSourcing.Wards;
using WardLink.ServiceDefaults;
using WardLink.ServiceDefaults.Security;

namespace WardLink.Patrols;

/// <summary>
/// A planned shift, the ward of its schedule, and what became of it: null while nobody started it and its window is open,
/// and for good when its window closed before its schedule was created or more than the sweep's 7 days ago.
/// </summary>
public sealed record PlannedShiftStatus(PlannedShift Shift, [property: MaxLength(WardNames.MaxIdLength)] string Ward, ShiftStatus? Status);

/// <summary>
/// Patrol coverage over local dates [from, to] (both included), of one site or of every site:
/// shifts planned, performed and missed; checkpoints visited and missed; hours patrolled (ended
/// shifts), spread over the local hours of the day (all of these of the shifts begun, or planned, on those dates);
/// and the incidents that occurred there, by local hour of day, with how many of them occurred while a
/// shift of their own ward was under way there (whichever date it began on; one not yet ended, until now; any shift, for at most
/// 24 hours after it began, which bounds its hours patrolled too).
/// </summary>
public sealed record SiteCoverage(
    [property: Description("The first local date counted.")] DateOnly From,
    [property: Description("The last local date counted (included).")] DateOnly To,
    [property: Description("The site counted; null for every site.")] Guid? SiteId,
    [property: Range(0, int.MaxValue), Description("Shifts the schedules planned on those dates (passing the site, when one is named).")] int ShiftsPlanned,
    [property: Range(0, int.MaxValue), Description("Shifts begun on those dates, planned or not (passing the site, when one is named).")] int ShiftsPerformed,
    [property: Range(0, int.MaxValue), Description("Planned shifts of those dates recorded as missed (passing the site, when one is named).")] int ShiftsMissed,
    [property: Range(0, int.MaxValue), Description("Checkpoints visited on the shifts of those dates (at the site, when one is named).")] int CheckpointsVisited,
    [property: Range(0, int.MaxValue), Description("Checkpoints missed on the shifts of those dates (at the site, when one is named): every checkpoint of a missed patrol, and those an ended patrol did not scan.")] int CheckpointsMissed,
    [property: AtLeast(0), Description("Hours the ended shifts begun on those dates lasted (each for at most 24 hours), to 2 decimals, a half away from zero.")] double HoursPatrolled,
    [property: MinLength(WardTime.HoursInDay), MaxLength(WardTime.HoursInDay), AtLeast(0), Description("Those hours spread over the local hours of the day they fell in: 24 values from 00:00 to 23:00, each to 2 decimals, a half away from zero.")] IReadOnlyList<double> HoursPatrolledByHourOfDay,
    [property: Range(0, int.MaxValue), Description("Incidents that occurred there on those dates (as reported).")] int Incidents,
    [property: MinLength(WardTime.HoursInDay), MaxLength(WardTime.HoursInDay), ItemsRange(0, int.MaxValue), Description("Those incidents by the local hour of day they occurred in: 24 counts, from 00:00 to 23:00.")] IReadOnlyList<int> IncidentsByHourOfDay,
    [property: Range(0, int.MaxValue), Description("Those incidents that occurred while a shift of their own ward was under way there (whichever date it began on; for at most 24 hours after it began).")] int IncidentsDuringShifts);

/// <summary>One local year (UTC+7) of patrolling, by when shifts began (or would have), in the wards it names (<see cref="WardFigures"/>).</summary>
public sealed record PatrolStatistics(
    [property: Range(WardTime.FirstYear, WardTime.LastYear), Description("The local year (UTC+7) the shifts began in (or would have, for those missed).")] int Year,
    [property: Range(0, int.MaxValue), Description("Shifts the schedules planned in the year.")] int ShiftsPlanned,
    [property: Range(0, int.MaxValue), Description("Shifts begun in the year (planned or not).")] int ShiftsPerformed,
    [property: Range(0, int.MaxValue), Description("Planned shifts of the year recorded as missed.")] int ShiftsMissed,
    [property: Range(0, int.MaxValue), Description("Check-ins recorded on the shifts begun in the year.")] int CheckIns,
    [property: Range(0, int.MaxValue), Description("Checkpoints missed on the shifts of the year: every checkpoint of a missed patrol, and those an ended patrol did not scan.")] int CheckpointsMissed,
    [property: Range(0, int.MaxValue), Description("Observations recorded on the shifts begun in the year.")] int Observations,
    [property: Range(0, int.MaxValue), Description("Observations of those shifts that raised an incident.")] int IncidentsRaised,
    [property: Range(0, int.MaxValue), Description("Residence-check shifts held in the year (not missed): a shift with two checks is one.")] int ResidenceChecks,
    [property: Description("What every residence check of those shifts recorded, added up.")] ResidenceTotals ResidenceCounts) : WardFigures;

/// <summary>
/// The shift list and the yearly statistics, read from <see cref="ShiftRow"/>s (the statistics added up by
/// the database); planned shifts and coverage, from the schedules, the shifts and the incidents seen.
/// </summary>
public static class PatrolQueries
{
    public const int MaxPageSize = 500;

    /// <summary>A page's size when a request names none, as the document states it (<c>default</c>).</summary>
    public const int DefaultPageSize = 50;

    /// <summary>
    /// The longest coverage counts a shift as under way after it began, for the incidents set against it and its hours patrolled alike:
    /// nothing bounds a shift as recorded (one started and never ended, or recorded as begun years before its end), and without a bound
    /// one such shift would cover every later incident at its sites and every coverage would read every shift ever begun.
    /// </summary>
    public static readonly TimeSpan MaxUnderWay = TimeSpan.FromHours(24);

    public static IEndpointRouteBuilder MapPatrolQueries(this IEndpointRouteBuilder endpoints)
    {
        var patrols = endpoints.MapGroup("/patrols").WithTags("Patrols");
        patrols.MapGet("/shifts", List)
            .WithName("ListShifts")
            .WithWardParameter(WardParameters.Listed)
            .WithSummary($"Shifts, latest first; filter by status, kind, route, schedule, site and begin time [from, to). {WardTime.QueryTimeLimits} {PageRequest.Limits}")
            .ProducesValidationProblem();
        patrols.MapGet("/planned", Planned)
            .WithName("PlannedShifts")
            .WithWardParameter(WardParameters.Listed)
            .WithMaxItems(DocumentedBounds.AnyCount)
            .WithSummary($"The shifts the schedules plan on local dates [from, to], with the ward of each and what became of it. {WardTime.DateRangeLimits}")
            .ProducesValidationProblem();
        patrols.MapGet("/coverage", Coverage)
            .WithName("PatrolCoverage")
            .WithWardParameter(WardParameters.Counted)
            .WithSummary($"Planned vs performed shifts, checkpoints, hours patrolled and incidents by local hour, over local dates [from, to], for one site or all. {WardTime.DateRangeLimits}")
            .ProducesValidationProblem();
        patrols.MapGet("/stats", Statistics)
            .WithName("PatrolStatistics")
            .WithSummary(
                $"One year's patrol statistics, in local time (UTC+7); of one ward or of every ward the caller sees, as recorded or within current " +
                $"boundaries (with the wards merged into it, each up to its merger). {WardTime.YearLimits}")
            .WithWardParameter(WardParameters.Counted)
            .ProducesValidationProblem()
            .RequireAuthorization(WardLinkPolicies.Statistics);
        return endpoints;
    }

    private static async Task<Results<Ok<ListPage<ShiftState>>, ValidationProblem>> List(
        HttpContext http,
        WardDatabases databases,
        [EnumOf(typeof(ShiftStatus))] string? status,
        [EnumOf(typeof(ShiftKind))] string? kind,
        Guid? routeId,
        Guid? scheduleId,
        Guid? siteId,
        DateTimeOffset? from,
        DateTimeOffset? to,
        [Range(1, MaxPageSize), DefaultValue(DefaultPageSize)] int? limit,
        [Range(1, PageRequest.MaxPage), DefaultValue(PageRequest.FirstPage)] int? page,
        CancellationToken ct)
    {
        var errors = new FieldErrors();
        var paging = PageRequest.Read(limit, page, DefaultPageSize, MaxPageSize, errors);
        var wantedStatus = errors.ParseEnum<ShiftStatus>(status, "status");
        var wantedKind = errors.ParseEnum<ShiftKind>(kind, "kind");
        errors.CheckTimeRange(from, to, "to");
        if (errors.Any)
        {
            return TypedResults.ValidationProblem(errors.ToRejection().Errors!);
        }

        IQueryable<ShiftRow> Filtered(IQueryable<ShiftRow> query)
        {
            query = query.WhereGiven(wantedStatus, statusFilter => shift => shift.Status == statusFilter);
            query = query.WhereGiven(wantedKind, kindFilter => shift => shift.Kind == kindFilter);
            query = query.WhereGiven(routeId, route => shift => shift.RouteId == route);
            query = query.WhereGiven(scheduleId, schedule => shift => shift.ScheduleId == schedule);
            query = query.WhereGiven(siteId, site => shift => shift.SiteIds.Contains(site));
            query = query.WhereGiven(from?.ToUniversalTime(), start => shift => shift.Begins >= start);
            return query.WhereGiven(to?.ToUniversalTime(), end => shift => shift.Begins < end);
        }

        return TypedResults.Ok((await databases.PageAsync<ShiftRow, ShiftState>(
            http.Ward().Spans, Filtered, rows => rows.OrderByDescending(shift => shift.Begins).ThenBy(shift => shift.Id), shift => shift.Id, paging, ct)).Select(shift => shift.Record with { Ward = shift.Ward }));
    }

    private static async Task<Results<Ok<IReadOnlyList<PlannedShiftStatus>>, ValidationProblem>> Planned(
        HttpContext http, IQuerySession session, WardDatabases databases, [Required] DateOnly? from, [Required] DateOnly? to, CancellationToken ct)
    {
        var errors = new FieldErrors().CheckLocalDates(from, to);
        if (errors.Any)
        {
            return TypedResults.ValidationProblem(errors.ToRejection().Errors!);
        }

        var spans = http.Ward().Spans;
        var schedules = await databases.ListAsync<ScheduleState>(spans, every => every, ct);
        var wardOf = schedules.ToDictionary(schedule => schedule.Id, schedule => databases.WardOfTenant(schedule.TenantId!));
        var planned = PatrolSchedule.Plan(schedules, from!.Value, to!.Value, await session.WardEndsAsync(ct));
        var ids = planned.Select(shift => shift.ShiftId).ToArray();
        var shifts = (await databases.ListAsync<ShiftState>(spans, every => every.Where(shift => ids.Contains(shift.Id)), ct)).ToDictionary(shift => shift.Id);
        return TypedResults.Ok<IReadOnlyList<PlannedShiftStatus>>(
            [.. planned.Select(shift => new PlannedShiftStatus(shift, wardOf[shift.ScheduleId], shifts.TryGetValue(shift.ShiftId, out var state) ? state.Status : null))]);
    }

    private static async Task<Results<Ok<SiteCoverage>, ValidationProblem>> Coverage(
        HttpContext http,
        IQuerySession session,
        WardDatabases databases,
        TimeProvider clock,
        [Required] DateOnly? from,
        [Required] DateOnly? to,
        Guid? siteId,
        CancellationToken ct)
    {
        var errors = new FieldErrors().CheckLocalDates(from, to);
        if (errors.Any)
        {
            return TypedResults.ValidationProblem(errors.ToRejection().Errors!);
        }

        var spans = http.Ward().Spans;
        var (start, end) = WardTime.LocalDays(from!.Value, to!.Value);
        var schedules = await databases.ListAsync<ScheduleState>(spans, every => every, ct);
        var shifts = await databases.ListAsync<ShiftState>(spans, every => every.Where(CoverageReads(start, end)), ct);
        var incidents = await databases.ListAsync<SiteIncident>(
            spans,
            every =>
            {
                var inDates = every.Where(incident => incident.OccurredAt >= start && incident.OccurredAt < end);
                return siteId is { } site ? inDates.Where(incident => incident.SiteId == site) : inDates;
            },
            ct);
        var planned = PatrolSchedule.Plan(schedules, from.Value, to.Value, await session.WardEndsAsync(ct));
        return TypedResults.Ok(ComputeCoverage(from.Value, to.Value, siteId, planned, shifts, incidents, clock.GetUtcNow()));
    }

    /// <summary>
    /// The shifts the coverage of the instants [<paramref name="start"/>, <paramref name="end"/>) reads: those begun (or missed) then, which it counts,
    /// and those that may be under way at some instant of it, which its incidents are set against: begun before its end and at most
    /// <see cref="MaxUnderWay"/> before its start (a range of the index on when shifts began).
    /// </summary>
    public static Expression<Func<ShiftState, bool>> CoverageReads(DateTimeOffset start, DateTimeOffset end)
    {
        var earliest = start - MaxUnderWay;
        return shift => shift.Begins >= earliest && shift.Begins < end;
    }

    /// <summary>When each ward that was merged or dissolved stopped recording anything of its own, by its store tenant (what <see cref="PatrolSchedule.Plan"/> plans up to).</summary>
    public static async Task<IReadOnlyDictionary<string, DateTimeOffset>> WardEndsAsync(this IQuerySession session, CancellationToken ct) =>
        (await session.Query<KnownWard>().Where(ward => ward.EndedOn != null).ToListAsync(ct)).ToDictionary(ward => ward.Tenant, ward => ward.EndsAt!.Value);

    /// <summary>What a statistic's plan stops at, by tenant: each ward's own end, or the end of its share in the statistic when that is earlier.</summary>
    private static async Task<IReadOnlyDictionary<string, DateTimeOffset>> PlanEndsAsync(this IQuerySession session, IReadOnlyList<WardShare> shares, WardTenants wards, CancellationToken ct)
    {
        var ends = new Dictionary<string, DateTimeOffset>(await session.WardEndsAsync(ct));
        foreach (var share in shares.Where(share => share.Until is not null))
        {
            var tenant = wards.TenantOf(share.Ward);
            ends[tenant] = ends.TryGetValue(tenant, out var ended) && ended < share.Until!.Value ? ended : share.Until!.Value;
        }

        return ends;
    }

    /// <summary>
    /// The coverage of <paramref name="siteId"/> (every site when null) on the local dates [<paramref name="from"/>, <paramref name="to"/>] at
    /// <paramref name="now"/>, from the shifts <see cref="CoverageReads"/> and the incidents of the dates, of one ward or several: the shifts
    /// begun on the dates are counted, and everything adds up across wards; an incident counts as during a shift when a shift at the site
    /// of its own ward was under way then (<see cref="UnderWay"/>), whichever date that began on.
    /// </summary>
    public static SiteCoverage ComputeCoverage(
        DateOnly from, DateOnly to, Guid? siteId, IReadOnlyList<PlannedShift> planned, IReadOnlyList<ShiftState> shifts, IReadOnlyList<SiteIncident> incidents, DateTimeOffset now)
    {
        var (first, afterLast) = WardTime.LocalDays(from, to);
        bool AtSite(Checkpoint checkpoint) => siteId is null || checkpoint.SiteId == siteId;
        var atSite = shifts.Where(shift => shift.Checkpoints.Any(AtSite)).ToList();
        var covering = atSite.Where(shift => shift.Begins >= first && shift.Begins < afterLast).ToList();
        var performed = covering.Where(shift => shift.Status != ShiftStatus.Missed).ToList();
        var patrolled = performed.Where(shift => shift.EndedAt is not null).Select(shift => UnderWay(shift, now)).ToList();
        var underWay = atSite.Where(shift => shift.Status != ShiftStatus.Missed)
            .Select(shift => (Interval: UnderWay(shift, now), Ward: shift.TenantId, Sites: shift.Checkpoints.Select(point => point.SiteId).ToHashSet()))
            .ToList();
        var hoursByHour = new double[WardTime.HoursInDay];
        foreach (var (start, end) in patrolled)
        {
            for (var at = start; at < end;)
            {
                var local = at.ToOffset(WardTime.Offset);
                var nextHour = new DateTimeOffset(local.Year, local.Month, local.Day, local.Hour, 0, 0, WardTime.Offset).AddHours(1);
                var until = nextHour < end ? nextHour : end;
                hoursByHour[local.Hour] += (until - at).TotalHours;
                at = until;
            }
        }

        var incidentsByHour = new int[WardTime.HoursInDay];
        foreach (var incident in incidents)
        {
            incidentsByHour[incident.OccurredAt.ToOffset(WardTime.Offset).Hour]++;
        }

        return new SiteCoverage(
            from,
            to,
            siteId,
            planned.Count(shift => siteId is null || shift.SiteIds.Contains(siteId.Value)),
            performed.Count,
            covering.Count(shift => shift.Status == ShiftStatus.Missed),
            covering.Sum(shift => shift.Checkpoints.Count(point => AtSite(point) && shift.Visited.Contains(point.Code))),
            covering.Sum(shift => shift.Checkpoints.Count(point => AtSite(point) && shift.Missed.Contains(point.Code))),
            Figures.Rounded(patrolled.Sum(interval => (interval.End - interval.Start).TotalHours), 2),
            [.. hoursByHour.Select(hours => Figures.Rounded(hours, 2))],
            incidents.Count,
            incidentsByHour,
            incidents.Count(incident => underWay.Any(shift =>
                shift.Ward == incident.TenantId && incident.SiteId is { } site && shift.Sites.Contains(site)
                && incident.OccurredAt >= shift.Interval.Start && incident.OccurredAt < shift.Interval.End)));
    }

    /// <summary>
    /// When <paramref name="shift"/> was under way: from its begin to its end, or to <paramref name="now"/> while it is, and at most
    /// <see cref="MaxUnderWay"/>. A stored end outside the window (written before the limits existed) reads as the window's edge, and never before the start.
    /// </summary>
    private static (DateTimeOffset Start, DateTimeOffset End) UnderWay(ShiftState shift, DateTimeOffset now) =>
        (shift.Begins, shift.Begins + TimeSpan.FromTicks(Math.Clamp((WardTime.Clamp(shift.EndedAt ?? now) - shift.Begins).Ticks, 0, MaxUnderWay.Ticks)));

    private static async Task<Results<Ok<PatrolStatistics>, ValidationProblem>> Statistics(
        HttpContext http,
        IQuerySession session,
        WardDatabases databases,
        [Required, Range(WardTime.FirstYear, WardTime.LastYear)] int? year,
        [EnumOf(typeof(Boundaries))] string? boundaries,
        CancellationToken ct)
    {
        var (counted, errors) = await StatisticWards.ReadAsync(http, session, year, boundaries, ct);
        return counted is null
            ? TypedResults.ValidationProblem(errors.ToRejection().Errors!)
            : TypedResults.Ok(await databases.AtOneMomentAsync(moment => moment.StatisticsOfAsync(session, counted, year!.Value, ct)));
    }

    /// <summary>
    /// The statistics of local year <paramref name="year"/> in the wards <paramref name="counted"/> (each up to the end of its
    /// share): the shifts their schedules planned, and what the <see cref="ShiftRow"/>s begun then add up to, counted by the databases;
    /// the wards' ends read from <paramref name="directory"/>.
    /// </summary>
    public static async Task<PatrolStatistics> StatisticsOfAsync(this WardDatabases databases, IQuerySession directory, StatisticWards counted, int year, CancellationToken ct)
    {
        var (first, last) = WardTime.LocalYearDates(year);
        var schedules = await databases.ListAsync<ScheduleState>(counted.Shares.Select(share => share.Ward), every => every, ct);
        var planned = PatrolSchedule.Plan(schedules, first, last, await directory.PlanEndsAsync(counted.Shares, databases.Wards, ct)).Count;
        var begun = databases.Counting<ShiftRow>(counted, shift => shift.Begins, year);
        var missed = begun.Where(shift => shift.Status == ShiftStatus.Missed);
        var residenceChecks = begun.Where(shift => shift.Status != ShiftStatus.Missed && shift.Kind == ShiftKind.ResidenceCheck);
        var (shifts, sums) = await begun.SumEachAsync(
            [nameof(ShiftRow.CheckIns), nameof(ShiftRow.CheckpointsMissed), nameof(ShiftRow.Observations), nameof(ShiftRow.IncidentsRaised)], ct);
        var (residenceCount, residence) = await residenceChecks.SumEachAsync(
            [.. new[] { nameof(ResidenceTotals.PremisesVisited), nameof(ResidenceTotals.ResidentsRegistered), nameof(ResidenceTotals.ResidentsNotRegistered), nameof(ResidenceTotals.RemindersIssued) }
                .Select(total => $"{nameof(ShiftRow.Residence)}.{total}")],
            ct);
        var missedCount = await missed.CountAsync(ct);
        return counted.Describe(new PatrolStatistics(
            year,
            planned,
            shifts - missedCount,
            missedCount,
            (int)sums[0],
            (int)sums[1],
            (int)sums[2],
            (int)sums[3],
            residenceCount,
            new ResidenceTotals(residence[0], residence[1], residence[2], residence[3])));
    }
}
