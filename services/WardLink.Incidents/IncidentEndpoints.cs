using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using Marten;
using WardLink.Contracts.Incidents;
using WardLink.Contracts.Tips;
using WardLink.ServiceDefaults;
using WardLink.ServiceDefaults.Idempotency;
using WardLink.ServiceDefaults.Security;

namespace WardLink.Incidents;

public sealed record ReportIncidentRequest(
    IncidentClassification? Classification,
    SecurityCategory? Category,
    [property: MaxLength(Incident.MaxTextLength)] string? Description,
    Place? Place,
    DateTimeOffset? OccurredAt,
    IncidentSource? Source,
    [property: MaxLength(Incident.MaxShortTextLength)] string? SourceReference);

public sealed record AssignRequest([property: MaxLength(Incident.MaxShortTextLength)] string? Unit, [property: MaxLength(Incident.MaxShortTextLength)] string? Officer);

public sealed record ResolveRequest(IncidentOutcome? Outcome, [property: MaxLength(Incident.MaxTextLength)] string? Summary, DateTimeOffset? ResolvedAt);

public sealed record ReasonRequest([property: MaxLength(Incident.MaxTextLength)] string? Reason);

public sealed record ReclassifyRequest(IncidentClassification? Classification, SecurityCategory? Category, [property: MaxLength(Incident.MaxTextLength)] string? Reason);

public sealed record LinkTipRequest(Guid? TipId, [property: MaxLength(Incident.MaxShortTextLength)] string? TipNumber);

public sealed record NoteRequest([property: MaxLength(Incident.MaxTextLength)] string? Text);

public static class IncidentEndpoints
{
    private const string What = "Incident";

    public static IEndpointRouteBuilder MapIncidentEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var incidents = endpoints.MapGroup("/incidents").WithTags("Incidents");
        incidents.MapPost("/", Report)
            .WithName("ReportIncident")
            .WithSummary("Report an incident; it gets the next case number of the year (INC-2024-0007).")
            .WithIdempotency()
            .Produces<IncidentPoliceView>(StatusCodes.Status201Created)
            .Produces<IncidentPartnerView>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .RequireAuthorization(WardLinkPolicies.PoliceOrPartner);
        incidents.MapGet("/{id:guid}", Get)
            .WithName("GetIncident")
            .WithSummary("An incident with its timeline; the ETag is its stream version. The police get IncidentRecord, a partner IncidentPartnerRecord (the case's course, no text, unit or officer).")
            .Produces<IncidentRecord>()
            .Produces<IncidentPartnerRecord>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequireAuthorization(WardLinkPolicies.PoliceOrPartner);

        incidents.MapStreamStep("/{id:guid}/assign", What, "AssignIncident", "Put a reported incident under investigation by a unit (and officer).",
            (IncidentState incident, AssignRequest request, DateTimeOffset now, string by) => Incident.StartInvestigation(incident, request.Unit, request.Officer, now, by));
        incidents.MapStreamStep("/{id:guid}/resolve", What, "ResolveIncident", "Resolve an incident under investigation with its outcome.",
            (IncidentState incident, ResolveRequest request, DateTimeOffset now, string by) => Incident.Resolve(incident, request.Outcome, request.Summary, request.ResolvedAt, now, by));
        incidents.MapStreamStep("/{id:guid}/reopen", What, "ReopenIncident", "Reopen a resolved or closed incident, with the reason.",
            (IncidentState incident, ReasonRequest request, DateTimeOffset now, string by) => Incident.Reopen(incident, request.Reason, now, by));
        incidents.MapStreamStep("/{id:guid}/reclassify", What, "ReclassifyIncident", "Change an incident's classification and/or category, with the reason.",
            (IncidentState incident, ReclassifyRequest request, DateTimeOffset now, string by) => Incident.Reclassify(incident, request.Classification, request.Category, request.Reason, now, by));
        incidents.MapStreamStep("/{id:guid}/tips", What, "LinkTip", "Link a tip to the incident.",
            (IncidentState incident, LinkTipRequest request, DateTimeOffset now, string by) => Incident.LinkTip(incident, request.TipId, request.TipNumber, now, by));
        incidents.MapStreamStep("/{id:guid}/notes", What, "AddIncidentNote", "Add a note to the incident's timeline.",
            (IncidentState incident, NoteRequest request, DateTimeOffset now, string by) => Incident.AddNote(incident, request.Text, now, by));
        incidents.MapPost("/{id:guid}/close", Close).DescribeStreamStep<IncidentState>("CloseIncident", "Close a resolved incident.");
        incidents.MapDelete("/{id:guid}/tips/{tipId:guid}", UnlinkTip).DescribeStreamStep<IncidentState>("UnlinkTip", "Unlink a tip from the incident.");
        return endpoints;
    }

    private static async Task<IResult> Report(
        ReportIncidentRequest request, HttpContext http, ISessionFactory sessions, TimeProvider clock, CancellationToken ct)
    {
        var id = Guid.CreateVersion7();
        var now = clock.GetUtcNow();
        var by = http.Actor();
        return await sessions.RetryOnConflictAsync(
            async session =>
            {
                var decision = await session.DecideReportAsync(
                    id,
                    caseNumber => new ReportIncident(
                        id, caseNumber, request.Classification, request.Category, request.Description, request.Place,
                        request.OccurredAt, request.Source, request.SourceReference, by, http.PartnerId()),
                    now,
                    ct);
                return await session.StartStreamAsync<IncidentState>(http, id, decision, $"/incidents/{id}", ct);
            },
            ct);
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
        http.Response.SetETag(version);
        if (scope is not null)
        {
            return Results.Ok(new IncidentPartnerRecord(IncidentPartnerView.Of(incident), PartnerTimeline.Of(events, IncidentViews.PartnerCourse)));
        }

        var timeline = events
            .Where(recorded => recorded.Data is IIncidentEvent)
            .Select(recorded =>
            {
                var step = (IIncidentEvent)recorded.Data;
                return new IncidentStep(
                    recorded.Version, JsonNamingPolicy.CamelCase.ConvertName(recorded.Data.GetType().Name), step.At, step.By, recorded.Timestamp, recorded.Data);
            })
            .ToList();
        return Results.Ok(new IncidentRecord(IncidentPoliceView.Of(incident), timeline));
    }

    private static Task<IResult> Close(Guid id, HttpContext http, IDocumentSession session, TimeProvider clock, CancellationToken ct) =>
        session.AppendToStreamAsync<IncidentState>(http, id, What, incident => Incident.Close(incident, clock.GetUtcNow(), http.Actor()), ct);

    private static Task<IResult> UnlinkTip(Guid id, Guid tipId, HttpContext http, IDocumentSession session, TimeProvider clock, CancellationToken ct) =>
        session.AppendToStreamAsync<IncidentState>(http, id, What, incident => Incident.UnlinkTip(incident, tipId, clock.GetUtcNow(), http.Actor()), ct);
}
