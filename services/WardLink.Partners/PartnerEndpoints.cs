using System.ComponentModel.DataAnnotations;
using Marten;
using WardLink.Contracts.Partners;
using WardLink.ServiceDefaults;
using WardLink.ServiceDefaults.Idempotency;

namespace WardLink.Partners;

/// <summary>A new partner; <paramref name="PartnerId"/> may be chosen by the caller (a partner client is bound to it), else one is made.</summary>
public sealed record RegisterPartnerRequest([property: MaxLength(Partner.MaxNameLength)] string? Name, PartnerKind? Kind, Guid? PartnerId = null);

public sealed record RenamePartnerRequest([property: MaxLength(Partner.MaxNameLength)] string? Name);

public sealed record ChangeKindRequest(PartnerKind? Kind);

public sealed record ReasonRequest([property: MaxLength(Partner.MaxTextLength)] string? Reason);

public sealed record SignAgreementRequest(DateTimeOffset? JoinedOn, [property: MaxLength(Agreement.MaxDuties)] IReadOnlyList<LinkageDuty>? Duties);

public sealed record DutyMetRequest(
    LinkageDuty? Duty,
    [property: MaxLength(Agreement.MaxEvidenceLinks), ItemsMaxLength(Agreement.MaxEvidenceLinkLength)] IReadOnlyList<string>? Evidence, DateTimeOffset? At);

public sealed record AddContactRequest(
    [property: MaxLength(Agreement.MaxShortTextLength)] string? Role,
    [property: MaxLength(Agreement.MaxShortTextLength)] string? Name,
    [property: MaxLength(ContactFormats.MaxPhoneLength), RegularExpression(ContactFormats.PhonePattern)] string? Phone);

public sealed record RegisterSiteRequest([property: MaxLength(Partner.MaxNameLength)] string? Name, SiteKind? Kind, [property: Range(-Place.MaxLatitude, Place.MaxLatitude)] double? Latitude, [property: Range(-Place.MaxLongitude, Place.MaxLongitude)] double? Longitude);

public sealed record SurveyCameraRequest([property: MaxLength(Partner.MaxTextLength)] string? Description, DateTimeOffset? At);

/// <summary>A dated step: when it happened, if not now.</summary>
public sealed record DatedStepRequest(DateTimeOffset? At);

public sealed record DecommissionCameraRequest([property: MaxLength(Partner.MaxTextLength)] string? Reason, DateTimeOffset? At);

public static class PartnerEndpoints
{
    private const string WhatPartner = "Partner";
    private const string WhatSite = "Site";
    private const string WhatCamera = "Camera";

    public static IEndpointRouteBuilder MapPartnerEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var partners = endpoints.MapGroup("/partners").WithTags("Partners");
        partners.MapPost("/", Register)
            .WithName("RegisterPartner")
            .WithSummary("Register a partner of the linkage.")
            .WithIdempotency()
            .Produces<PartnerState>(StatusCodes.Status201Created)
            .ProducesValidationProblem();
        partners.MapGet("/{id:guid}", Get)
            .WithName("GetPartner")
            .Produces<PartnerState>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        partners.MapPartnerStanding();
        partners.MapStreamStep("/{id:guid}/rename", WhatPartner, "RenamePartner", "Give a partner a new name.",
            (PartnerState partner, RenamePartnerRequest request, DateTimeOffset now, string by) => Partner.Rename(partner, request.Name, now, by));
        partners.MapStreamStep("/{id:guid}/kind", WhatPartner, "ChangePartnerKind", "Change what kind of partner it is.",
            (PartnerState partner, ChangeKindRequest request, DateTimeOffset now, string by) => Partner.ChangeKind(partner, request.Kind, now, by));
        partners.MapStreamStep("/{id:guid}/suspend", WhatPartner, "SuspendPartner", "Suspend an active partner's part in the linkage, with the reason.",
            (PartnerState partner, ReasonRequest request, DateTimeOffset now, string by) => Partner.Suspend(partner, request.Reason, now, by));
        partners.MapStreamStep("/{id:guid}/leave", WhatPartner, "PartnerLeaves", "A partner leaves the linkage, with the reason; its history stays.",
            (PartnerState partner, ReasonRequest request, DateTimeOffset now, string by) => Partner.Leave(partner, request.Reason, now, by));
        partners.MapStreamStep("/{id:guid}/agreement", WhatPartner, "SignAgreement", "The partner joins the linkage on a date with its listed duties (once).",
            (PartnerState partner, SignAgreementRequest request, DateTimeOffset now, string by) => Agreement.Sign(partner, request.JoinedOn, request.Duties, now, by));
        partners.MapStreamStep("/{id:guid}/agreement/duties-met", WhatPartner, "MeetDuty", "Mark one of the partner's listed duties met, with links to the evidence.",
            (PartnerState partner, DutyMetRequest request, DateTimeOffset now, string by) => Agreement.MeetDuty(partner, request.Duty, request.Evidence, request.At, now, by));
        partners.MapPost("/{id:guid}/contacts", AddContact)
            .DescribeStreamStep<PartnerState>("AddPartnerContact", "Add a contact person (role, name, phone): personal data, never published.");
        partners.MapDelete("/{id:guid}/contacts/{contactId:guid}", RemoveContact)
            .DescribeStreamStep<PartnerState>("RemovePartnerContact", "Remove a contact person.");
        partners.MapPost("/{id:guid}/resume", Resume).DescribeStreamStep<PartnerState>("ResumePartner", "A suspended partner takes part again.");

        partners.MapPost("/{id:guid}/sites", RegisterSite)
            .WithName("RegisterSite")
            .WithSummary("Register one of a partner's sites; the other services learn it from SiteRegistered.")
            .WithIdempotency()
            .Produces<SiteState>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);
        partners.MapGet("/{id:guid}/sites/{siteId:guid}", GetSite)
            .WithName("GetPartnerSite")
            .Produces<SiteState>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        partners.MapPut("/{id:guid}/sites/{siteId:guid}", UpdateSite)
            .DescribeStreamStep<SiteState>("UpdateSite", "Change a site's name, kind and point (all of them); published as SiteUpdated.");
        partners.MapPost("/{id:guid}/sites/{siteId:guid}/retire", RetireSite)
            .DescribeStreamStep<SiteState>("RetireSite", "Retire a site, with the reason; published as SiteRetired.");

        partners.MapPost("/{id:guid}/sites/{siteId:guid}/cameras", SurveyCamera)
            .WithName("SurveyCamera")
            .WithSummary("Record a survey for a security camera at the site: the first step of its lifecycle.")
            .WithIdempotency()
            .Produces<CameraState>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        partners.MapGet("/cameras/{id:guid}", GetCamera)
            .WithName("GetCamera")
            .Produces<CameraState>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        partners.MapStreamStep("/cameras/{id:guid}/approve", WhatCamera, "ApproveCamera", "Approve a surveyed camera.",
            (CameraState camera, DatedStepRequest request, DateTimeOffset now, string by) => Camera.Approve(camera, request.At, now, by));
        partners.MapStreamStep("/cameras/{id:guid}/install", WhatCamera, "InstallCamera", "Record an approved camera's installation; published as CameraInstalled.",
            (CameraState camera, DatedStepRequest request, DateTimeOffset now, string by) => Camera.Install(camera, request.At, now, by));
        partners.MapStreamStep("/cameras/{id:guid}/operate", WhatCamera, "StartCameraOperation", "Record that an installed camera works.",
            (CameraState camera, DatedStepRequest request, DateTimeOffset now, string by) => Camera.StartOperation(camera, request.At, now, by));
        partners.MapStreamStep("/cameras/{id:guid}/decommission", WhatCamera, "DecommissionCamera", "Take a camera out of service, with the reason; published as CameraDecommissioned.",
            (CameraState camera, DecommissionCameraRequest request, DateTimeOffset now, string by) => Camera.Decommission(camera, request.Reason, request.At, now, by));
        return endpoints;
    }

    private static Task<IResult> Register(
        RegisterPartnerRequest request, HttpContext http, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var command = new RegisterPartner(request.PartnerId ?? Guid.CreateVersion7(), request.Name, request.Kind, http.Actor());
        return session.StartStreamAsync<PartnerState>(http, command.PartnerId, Partner.Register(null, command, clock.GetUtcNow()), $"/partners/{command.PartnerId}", ct);
    }

    private static Task<IResult> Get(Guid id, HttpContext http, IQuerySession session, CancellationToken ct) =>
        session.ReadStreamAsync<PartnerState>(http, id, WhatPartner, ct);

    private static Task<IResult> Resume(Guid id, HttpContext http, IDocumentSession session, TimeProvider clock, CancellationToken ct) =>
        session.AppendToStreamAsync<PartnerState>(http, id, WhatPartner, partner => Partner.Resume(partner, clock.GetUtcNow(), http.Actor()), ct);

    private static Task<IResult> AddContact(Guid id, AddContactRequest request, HttpContext http, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var contactId = Guid.CreateVersion7();
        return session.AppendToStreamAsync<PartnerState>(http, id, WhatPartner, partner =>
            Agreement.AddContact(partner, contactId, request.Role, request.Name, request.Phone, clock.GetUtcNow(), http.Actor()), ct);
    }

    private static Task<IResult> RemoveContact(Guid id, Guid contactId, HttpContext http, IDocumentSession session, TimeProvider clock, CancellationToken ct) =>
        session.AppendToStreamAsync<PartnerState>(http, id, WhatPartner, partner => Agreement.RemoveContact(partner, contactId, clock.GetUtcNow(), http.Actor()), ct);

    private static async Task<IResult> RegisterSite(
        Guid id, RegisterSiteRequest request, HttpContext http, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var (partner, _) = await session.LoadStreamAsync<PartnerState>(id, ct);
        var command = new RegisterSite(Guid.CreateVersion7(), id, request.Name, request.Kind, request.Latitude, request.Longitude, http.Actor());
        return await session.StartStreamAsync<SiteState>(http, command.SiteId, Site.Register(partner, command, clock.GetUtcNow()), $"/partners/{id}/sites/{command.SiteId}", ct);
    }

    private static async Task<IResult> GetSite(Guid id, Guid siteId, HttpContext http, IQuerySession session, CancellationToken ct)
    {
        var (site, version) = await session.LoadStreamAsync<SiteState>(siteId, ct);
        if (site is null || site.OfAnotherPartner(id) is not null)
        {
            return Results.Problem(title: $"Site {siteId} of partner {id} was not found.", statusCode: StatusCodes.Status404NotFound);
        }

        http.Response.SetETag(version);
        return Results.Ok(site);
    }

    private static Task<IResult> UpdateSite(
        Guid id, Guid siteId, RegisterSiteRequest request, HttpContext http, IDocumentSession session, TimeProvider clock, CancellationToken ct) =>
        session.AppendToStreamAsync<SiteState>(http, siteId, WhatSite, site =>
            Site.Update(site, id, request.Name, request.Kind, request.Latitude, request.Longitude, clock.GetUtcNow(), http.Actor()), ct);

    private static Task<IResult> RetireSite(
        Guid id, Guid siteId, ReasonRequest request, HttpContext http, IDocumentSession session, TimeProvider clock, CancellationToken ct) =>
        session.AppendToStreamAsync<SiteState>(http, siteId, WhatSite, site => Site.Retire(site, id, request.Reason, clock.GetUtcNow(), http.Actor()), ct);

    private static async Task<IResult> SurveyCamera(
        Guid id, Guid siteId, SurveyCameraRequest request, HttpContext http, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var (site, _) = await session.LoadStreamAsync<SiteState>(siteId, ct);
        var command = new SurveyCamera(Guid.CreateVersion7(), id, request.Description, request.At, http.Actor());
        return await session.StartStreamAsync<CameraState>(http, command.CameraId, Camera.Survey(site, command, clock.GetUtcNow()), $"/partners/cameras/{command.CameraId}", ct);
    }

    private static Task<IResult> GetCamera(Guid id, HttpContext http, IQuerySession session, CancellationToken ct) =>
        session.ReadStreamAsync<CameraState>(http, id, WhatCamera, ct);
}
