using System.ComponentModel.DataAnnotations;
using Marten;
using WardLink.Contracts;
using WardLink.Contracts.Patrols;
using WardLink.Domain;
using WardLink.EventSourcing;
using WardLink.EventSourcing.Idempotency;
using WardLink.EventSourcing.Sites;
using WardLink.EventSourcing.Wards;
using WardLink.ServiceDefaults;

namespace WardLink.Patrols;

public sealed record DefineRouteRequest(
    [property: MaxLength(PatrolRoute.MaxNameLength)] string? Name,
    [property: MinLength(1), MaxLength(PatrolRoute.MaxCheckpoints)] IReadOnlyList<Checkpoint>? Checkpoints);

public sealed record CreateScheduleRequest(
    Guid? RouteId,
    ShiftKind? Kind,
    [property: MinLength(1), MaxLength(PatrolSchedule.DaysInWeek), UniqueItems] IReadOnlyList<DayOfWeek>? Days,
    [property: MaxLength(LocalWindow.TimeOfDayLength), RegularExpression(LocalWindow.StartPattern)] string? WindowStart,
    [property: MaxLength(LocalWindow.TimeOfDayLength), RegularExpression(LocalWindow.EndPattern)] string? WindowEnd,
    TeamKind? Team,
    [property: MaxLength(PatrolSchedule.MaxPartners)] IReadOnlyList<Guid>? PartnerIds = null,
    DateOnly? StartsOn = null);

/// <summary>
/// Either a planned shift (<c>scheduleId</c> and <c>plannedDate</c>; its route, kind, team and partners are its schedule's, and refused if
/// sent) or one outside any schedule (<c>routeId</c>, <c>kind</c>, <c>team</c>, <c>partnerIds</c>); <c>at</c> when it began, if earlier than now
/// (recorded after the fact).
/// </summary>
public sealed record StartShiftRequest(
    [property: MinLength(1), MaxLength(Shift.MaxMembers)] IReadOnlyList<TeamMember>? Members,
    Guid? ScheduleId = null,
    [property: RequiredWith(nameof(StartShiftRequest.ScheduleId))] DateOnly? PlannedDate = null,
    [property: RequiredWithout(nameof(StartShiftRequest.ScheduleId))] Guid? RouteId = null,
    [property: RequiredWithout(nameof(StartShiftRequest.ScheduleId))] ShiftKind? Kind = null,
    [property: RequiredWithout(nameof(StartShiftRequest.ScheduleId))] TeamKind? Team = null,
    [property: MaxLength(PatrolSchedule.MaxPartners)] IReadOnlyList<Guid>? PartnerIds = null,
    DateTimeOffset? At = null);

public sealed record ObservationRequest([property: MaxLength(Shift.MaxTextLength)] string? Description, ObservationSeverity? Severity, bool NeedsIncident = false, Guid? SiteId = null, DateTimeOffset? At = null);

public static class PatrolEndpoints
{
    private const string RouteWhat = "Route";
    private const string ScheduleWhat = "Schedule";
    private const string ShiftWhat = "Shift";

    public static IEndpointRouteBuilder MapPatrolEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var patrols = endpoints.MapGroup("/patrols").WithTags("Patrols");
        patrols.MapPost("/routes", DefineRoute)
            .WithName("DefineRoute")
            .WithWardParameter(WardParameters.Recorded)
            .WithSummary("Define a route in the request's ward: a name and its checkpoints in walking order, each a tag code at a known site of that ward (a site of a ward merged into it by now included).")
            .WithIdempotency()
            .WithETag()
            .Produces<RouteState>(StatusCodes.Status201Created)
            .ProducesValidationProblem();
        patrols.MapGet("/routes/{id:guid}", (Guid id, HttpContext http, IQuerySession session, CancellationToken ct) =>
                session.ReadStreamAsync<RouteState>(http, id, RouteWhat, ct))
            .WithName("GetRoute")
            .WithETag()
            .Produces<RouteState>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        patrols.MapPost("/schedules", CreateSchedule)
            .WithName("CreateSchedule")
            .WithWardParameter(WardParameters.Recorded)
            .WithSummary($"Schedule a route of the request's ward on days of the week in a local window (UTC+7; may cross midnight), by a team, from startsOn (a local date in {WardTime.FirstYear} to {WardTime.LastYear}; default today). A partner the service has heard left the linkage is a 409.")
            .WithIdempotency()
            .WithETag()
            .Produces<ScheduleState>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict);
        patrols.MapGet("/schedules/{id:guid}", (Guid id, HttpContext http, IQuerySession session, CancellationToken ct) =>
                session.ReadStreamAsync<ScheduleState>(http, id, ScheduleWhat, ct))
            .WithName("GetSchedule")
            .WithETag()
            .Produces<ScheduleState>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        patrols.MapPost("/schedules/{id:guid}/end", EndSchedule)
            .Accepts<EndSchedule>("application/json")
            .DescribeStreamStep<ScheduleState>(
                "EndSchedule",
                $"End the schedule after endsOn, its last local date (today or later, up to {WardTime.LastYear}): it plans no shift after it, so none is started as " +
                    "planned or missed after it; what it planned up to then stays (today's window too). Not before a planned shift of it that has started (409); " +
                    "an end and a start of a shift it plans, sent at once, take turns, each decided on what the other left. " +
                    "An ended schedule may be ended earlier, never later (409); an end is not undone.");
        patrols.MapPost("/shifts", StartShift)
            .WithName("StartShift")
            .WithWardParameter(WardParameters.Recorded)
            .WithSummary(
                $"Start a planned shift (scheduleId + plannedDate, a local date in {WardTime.FirstYear} to {WardTime.LastYear}; its route, kind, team and partners are its schedule's: " +
                "routeId, kind, team or partnerIds sent with it is a 400 on that field) or one outside any schedule (routeId, kind, team, partnerIds; no plannedDate; a partner the service has heard had left the linkage when the shift began is a 409), of the request's ward.")
            .WithIdempotency()
            .WithETag()
            .Produces<ShiftState>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict);
        patrols.MapGet("/shifts/{id:guid}", (Guid id, HttpContext http, IQuerySession session, CancellationToken ct) =>
                session.ReadStreamAsync<ShiftState>(http, id, ShiftWhat, ct))
            .WithName("GetShift")
            .WithETag()
            .Produces<ShiftState>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        patrols.MapStreamStep<ShiftState, CheckIn>(
            "/shifts/{id:guid}/check-ins", ShiftWhat, "CheckIn", "Check in at a checkpoint by its code (time and coordinates optional).", Shift.CheckIn);
        patrols.MapPost("/shifts/{id:guid}/observations", ReportObservation)
            .Accepts<ObservationRequest>("application/json")
            .DescribeStreamStep<ShiftState>(
                "ReportObservation",
                "Report an observation; one that needs an incident is published with the incident id chosen here (not one from the end of the shift's ward on: a 400 on at; nor one at a site that was another ward's at its time, a merged ward's before its merger: a 400 on siteId).");
        patrols.MapStreamStep<ShiftState, ResidenceCounts>(
            "/shifts/{id:guid}/residence-checks", ShiftWhat, "RecordResidenceCheck", "Record what a residence check counted (counts only, never who).", Shift.RecordResidenceCheck);
        patrols.MapPost("/shifts/{id:guid}/end", (Guid id, EndShift? command, HttpContext http, IDocumentSession session, TimeProvider clock, CancellationToken ct) =>
                session.AppendToStreamAsync<ShiftState>(http, id, ShiftWhat, shift => Shift.End(shift, command ?? new EndShift(null), clock.GetUtcNow(), http.Actor()), ct))
            .DescribeStreamStep<ShiftState>("EndShift", "End the shift; the checkpoints it did not scan are recorded as missed.");
        return endpoints;
    }

    private static async Task<IResult> DefineRoute(
        DefineRouteRequest request, HttpContext http, IDocumentSession session, WardTenants wards, TimeProvider clock, CancellationToken ct)
    {
        var id = Guid.CreateVersion7();
        var now = clock.GetUtcNow();
        var siteWards = await session.WardsOfSitesAsync((request.Checkpoints ?? []).Select(checkpoint => checkpoint.SiteId), wards, http.Ward().Access, now, ct);
        var decision = PatrolRoute.Define(null, new DefineRoute(id, request.Name, request.Checkpoints, siteWards, http.Ward().Ward.AsRecording()), now, http.Actor());
        return await session.StartStreamAsync<RouteState>(http, id, decision, $"/patrols/routes/{id}", ct);
    }

    private static async Task<IResult> EndSchedule(Guid id, EndSchedule request, HttpContext http, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        // The latest date of a planned shift of it that has started (early, or ahead of its day): the schedule keeps planning it.
        // Read in the schedule's turn, which a planned start takes too: a start sent meanwhile is read here, or reads the end.
        await session.TakeTurnAsync(PatrolSchedule.ShiftsTurnOf(id), ct);
        var latest = await session.Query<ShiftState>()
            .Where(shift => shift.ScheduleId == id && shift.PlannedDate != null && shift.Status != ShiftStatus.Missed)
            .OrderByDescending(shift => shift.PlannedDate)
            .FirstOrDefaultAsync(ct);
        return await session.AppendToStreamAsync<ScheduleState>(
            http, id, ScheduleWhat, schedule => PatrolSchedule.End(schedule, request, latest?.PlannedDate, clock.GetUtcNow(), http.Actor()), ct);
    }

    /// <summary>Schedule <paramref name="id"/> as it stands in its turn (<see cref="PatrolSchedule.ShiftsTurnOf"/>), for a start of a shift it plans.</summary>
    private static async Task<ScheduleState?> ScheduleInTurnAsync(IDocumentSession session, Guid id, CancellationToken ct)
    {
        await session.TakeTurnAsync(PatrolSchedule.ShiftsTurnOf(id), ct);
        return await session.StateOfAsync<ScheduleState>(id, ct);
    }

    private static async Task<IResult> CreateSchedule(CreateScheduleRequest request, HttpContext http, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var id = Guid.CreateVersion7();
        var route = request.RouteId is { } routeId ? await session.StateOfAsync<RouteState>(routeId, ct) : null;
        var now = clock.GetUtcNow();
        var departed = await session.DepartedByAsync(request.PartnerIds ?? [], now, ct);
        var decision = PatrolSchedule.Create(
            null,
            new CreateSchedule(id, route, request.Kind, request.Days, request.WindowStart, request.WindowEnd, request.Team, request.PartnerIds, request.StartsOn, departed),
            now,
            http.Actor());
        return await session.StartStreamAsync<ScheduleState>(http, id, decision, $"/patrols/schedules/{id}", ct);
    }

    /// <summary>
    /// An observation, with the ward whose ground its site was at the observation's time where it needs an incident: a site of a ward
    /// merged by then is its successor's, as incidents judges the incident it opens (<see cref="WardIntake.LookUpWardsOfMessageAsync"/>,
    /// for a message, which sees every ward).
    /// </summary>
    private static async Task<IResult> ReportObservation(
        Guid id, ObservationRequest request, HttpContext http, IDocumentSession session, WardTenants wards, TimeProvider clock, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var siteWard = request is { NeedsIncident: true, SiteId: { } siteId }
            ? (await session.LookUpWardsAsync(new Place(siteId), wards, seenBy: null, request.At ?? now, ct)).SiteWard
            : null;
        var command = new ReportObservation(
            Guid.CreateVersion7(), Guid.CreateVersion7(), request.Description, request.Severity, request.NeedsIncident, request.SiteId, request.At, http.Ward().Ward.AsRecording(), siteWard);
        return await session.AppendToStreamAsync<ShiftState>(http, id, ShiftWhat, shift => Shift.Report(shift, command, now, http.Actor()), ct);
    }

    private static async Task<IResult> StartShift(StartShiftRequest request, HttpContext http, ISessionFactory sessions, TimeProvider clock, CancellationToken ct)
    {
        var actor = http.Actor();
        return await sessions.RetryOnConflictAsync(
            async session =>
            {
                var schedule = request.ScheduleId is { } scheduleId ? await ScheduleInTurnAsync(session, scheduleId, ct) : null;
                var routeId = request.ScheduleId is null ? request.RouteId : schedule?.RouteId;
                var route = routeId is { } known ? await session.StateOfAsync<RouteState>(known, ct) : null;
                var id = schedule is not null && request.PlannedDate is { } date ? PatrolSchedule.PlannedShiftId(schedule.Id, date) : Guid.CreateVersion7();
                var existing = await session.StateOfAsync<ShiftState>(id, ct);
                var now = clock.GetUtcNow();

                // A shift outside any schedule names its partners: none that had left when it began. A planned one's are its schedule's.
                var departed = await session.DepartedByAsync(request.ScheduleId is null ? request.PartnerIds ?? [] : [], request.At ?? now, ct);
                var decision = Shift.Start(
                    existing,
                    new StartShift(
                        id, route, schedule, request.Kind, request.PlannedDate, request.Team, request.PartnerIds, request.Members, request.At, request.ScheduleId is not null, request.RouteId is not null, http.Ward().Ward.EndsAt, departed),
                    now,
                    actor);
                return await session.StartStreamAsync<ShiftState>(http, id, decision, $"/patrols/shifts/{id}", ct, beginsAt: now => request.At ?? now);
            },
            ct);
    }
}
