using Marten;
using WardLink.Contracts.Tips;
using WardLink.EventSourcing;
using WardLink.EventSourcing.Idempotency;
using WardLink.EventSourcing.Sites;
using WardLink.EventSourcing.Wards;
using WardLink.ServiceDefaults;
using WardLink.ServiceDefaults.Security;

namespace WardLink.Incidents;

public static class IncidentEndpoints
{
    private const string What = "Incident";

    public static IEndpointRouteBuilder MapIncidentEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var incidents = endpoints.MapGroup("/incidents").WithTags("Incidents");
        incidents.MapPost("/", Report)
            .WithName("ReportIncident")
            .WithSummary(
                "Report an incident in a ward; it gets the ward's next case number of the year (INC-QT-2024-0007). " +
                "occurredAt: not from the day the ward was merged or dissolved. A site in place.siteId is one of the ward's.")
            .WithIdempotency()
            .WithETag(toPoliceOnly: true)
            .WithWardParameter(WardParameters.Recorded)
            .Produces<IncidentPoliceView>(StatusCodes.Status201Created)
            .Produces<IncidentPartnerView>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .RequireAuthorization(WardLinkPolicies.PoliceOrPartner);
        incidents.MapGet("/{id:guid}", Get)
            .WithName("GetIncident")
            .WithETag(toPoliceOnly: true)
            .WithSummary("An incident with its timeline; the ETag is its stream version. The police get IncidentRecord, a partner IncidentPartnerRecord (the case's course, no text, unit or officer). An incident of a ward the caller may not see is a 404.")
            .Produces<IncidentRecord>()
            .Produces<IncidentPartnerRecord>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequireAuthorization(WardLinkPolicies.PoliceOrPartner);

        incidents.MapStreamStep<IncidentState, AssignIncident>(
            "/{id:guid}/assign", What, "AssignIncident", "Put a reported incident under investigation by a unit (and officer).", Incident.StartInvestigation);
        incidents.MapStreamStep<IncidentState, ResolveIncident>(
            "/{id:guid}/resolve", What, "ResolveIncident", "Resolve an incident under investigation with its outcome.", Incident.Resolve);
        incidents.MapStreamStep<IncidentState, ReopenIncident>(
            "/{id:guid}/reopen", What, "ReopenIncident", "Reopen a resolved or closed incident, with the reason.", Incident.Reopen);
        incidents.MapStreamStep<IncidentState, ReclassifyIncident>(
            "/{id:guid}/reclassify", What, "ReclassifyIncident", "Change an incident's classification and/or category, with the reason.", Incident.Reclassify);
        incidents.MapStreamStep<IncidentState, LinkTip>(
            "/{id:guid}/tips",
            What,
            "LinkTip",
            "Link a tip to the incident. Its news (resolution, reopening, unlinking) reaches the tip only in a ward the linking caller may see.",
            (incident, command, now, actor, http) => Incident.LinkTip(incident, command with { Reach = http.Ward().Access.Bounded }, now, actor));
        incidents.MapStreamStep<IncidentState, AddIncidentNote>("/{id:guid}/notes", What, "AddIncidentNote", "Add a note to the incident's timeline.", Incident.AddNote);
        incidents.MapPost("/{id:guid}/close", Close).DescribeStreamStep<IncidentState>("CloseIncident", "Close a resolved incident.");
        incidents.MapDelete("/{id:guid}/tips/{tipId:guid}", UnlinkTip).DescribeStreamStep<IncidentState>("UnlinkTip", "Unlink a tip from the incident.");
        return endpoints;
    }

    private static async Task<IResult> Report(
        ReportIncident request, HttpContext http, NumberedRecords records, ISessionFactory sessions, WardTenants wards, TimeProvider clock, CancellationToken ct)
    {
        var report = request with { IncidentId = Guid.CreateVersion7(), SubmittedByPartner = http.PartnerId() };
        var (rejection, incident) = await records.RecordReportAsync(sessions, wards, report, http.Ward().Access, clock.GetUtcNow(), http.Actor(), ct);
        if (rejection is not null)
        {
            return rejection.ToProblem();
        }

        http.SetCreatedETag();
        return Results.Created($"{http.Request.PathBase}/incidents/{report.IncidentId}", http.ViewOf(incident!));
    }

    private static async Task<IResult> Get(Guid id, HttpContext http, IQuerySession session, CancellationToken ct)
    {
        var (incident, version) = await session.LoadStreamAsync<IncidentState>(id, ct);
        var scope = await PartnerScope.ForAsync(http, session, ct);
        if (incident is null || !scope.Shows(incident))
        {
            return StreamResults.NotFound(What, id);
        }

        var events = await session.Events.FetchStreamAsync(id, version, token: ct);
        if (scope is not null)
        {
            // A partner takes no step on an incident, and the stream's version would count what it may not see.
            return Results.Ok(new IncidentPartnerRecord(IncidentPartnerView.Of(incident, WardOfWork.Id), PartnerTimeline.Of(events, IncidentViews.PartnerCourse)));
        }

        http.Response.SetETag(version);
        return Results.Ok(new IncidentRecord(IncidentPoliceView.Of(incident, WardOfWork.Id), TimelineSteps.Of(events)));
    }

    private static Task<IResult> Close(Guid id, HttpContext http, IDocumentSession session, TimeProvider clock, CancellationToken ct) =>
        session.AppendToStreamAsync<IncidentState>(http, id, What, incident => Incident.Close(incident, new CloseIncident(), clock.GetUtcNow(), http.Actor()), ct);

    private static Task<IResult> UnlinkTip(Guid id, Guid tipId, HttpContext http, IDocumentSession session, TimeProvider clock, CancellationToken ct) =>
        session.AppendToStreamAsync<IncidentState>(http, id, What, incident => Incident.UnlinkTip(incident, new UnlinkTip(tipId), clock.GetUtcNow(), http.Actor()), ct);
}
