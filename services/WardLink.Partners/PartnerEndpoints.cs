using System.ComponentModel.DataAnnotations;
using Marten;
using Marten.Exceptions;
using WardLink.Contracts;
using WardLink.Contracts.Partners;
using WardLink.Domain;
using WardLink.EventSourcing;
using WardLink.EventSourcing.Idempotency;
using WardLink.EventSourcing.Wards;
using WardLink.ServiceDefaults;

namespace WardLink.Partners;

/// <summary>A new partner; <paramref name="PartnerId"/> may be chosen by the caller (a partner client is bound to it), else one is made.</summary>
public sealed record RegisterPartnerRequest([property: MaxLength(Partner.MaxNameLength)] string? Name, PartnerKind? Kind, Guid? PartnerId = null);

public sealed record ReasonRequest([property: MaxLength(Partner.MaxTextLength)] string? Reason);

public sealed record AddContactRequest(
    [property: MaxLength(Agreement.MaxShortTextLength)] string? Role,
    [property: MaxLength(Agreement.MaxShortTextLength)] string? Name,
    [property: MaxLength(ContactFormats.MaxPhoneLength), RegularExpression(ContactFormats.PhonePattern)] string? Phone);

public sealed record RegisterSiteRequest([property: MaxLength(Partner.MaxNameLength)] string? Name, SiteKind? Kind, [property: Range(-Place.MaxLatitude, Place.MaxLatitude)] double? Latitude, [property: Range(-Place.MaxLongitude, Place.MaxLongitude)] double? Longitude);

public sealed record SurveyCameraRequest([property: MaxLength(Partner.MaxTextLength)] string? Description, DateTimeOffset? At = null);

/// <summary>A dated step: when it happened, if not now.</summary>
public sealed record DatedStepRequest(DateTimeOffset? At = null);

public static class PartnerEndpoints
{
    private const string WhatCamera = "Camera";

    public static IEndpointRouteBuilder MapPartnerEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var partners = endpoints.MapGroup("/partners").WithTags("Partners");
        partners.MapPost("/", Register)
            .WithName("RegisterPartner")
            .WithWardParameter(WardParameters.Recorded)
            .WithSummary("Register a partner of the linkage in the request's ward (its sites, cameras, signs, contacts and activities belong to that ward too); a partner id already used in any ward is a 409.")
            .WithIdempotency()
            .WithETag()
            .Produces<PartnerPoliceView>(StatusCodes.Status201Created)
            .ProducesValidationProblem();
        partners.MapGet("/{id:guid}", Get)
            .WithName("GetPartner")
            .WithETag()
            .Produces<PartnerPoliceView>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        partners.MapPartnerStanding();
        partners.MapStreamStep<PartnerState, RenamePartner>(
            "/{id:guid}/rename", Partner.What, "RenamePartner", "Give a partner a new name.", Partner.Rename);
        partners.MapStreamStep<PartnerState, ChangePartnerKind>(
            "/{id:guid}/kind", Partner.What, "ChangePartnerKind", "Change what kind of partner it is.", Partner.ChangeKind);
        partners.MapStreamStep<PartnerState, SuspendPartner>(
            "/{id:guid}/suspend", Partner.What, "SuspendPartner", "Suspend an active partner's part in the linkage, with the reason.", Partner.Suspend);
        partners.MapPost("/{id:guid}/leave", Leave)
            .DescribeStreamStep<PartnerState>("PartnerLeaves", "A partner leaves the linkage, with the reason; its history stays. Sites, camera surveys, activities and webhooks sent at the same time are recorded before it or refused.");
        partners.MapStreamStep<PartnerState, SignAgreement>(
            "/{id:guid}/agreement", Partner.What, "SignAgreement", "The partner joins the linkage on a date with its listed duties (once).", Agreement.Sign);
        partners.MapStreamStep<PartnerState, MeetDuty>(
            "/{id:guid}/agreement/duties-met", Partner.What, "MeetDuty", "Mark one of the partner's listed duties met, with links to the evidence.", Agreement.MeetDuty);
        partners.MapPost("/{id:guid}/contacts", AddContact)
            .DescribeStreamStep<PartnerState>("AddPartnerContact", "Add a contact person (role, name, phone): personal data, never published.");
        partners.MapDelete("/{id:guid}/contacts/{contactId:guid}", RemoveContact)
            .DescribeStreamStep<PartnerState>("RemovePartnerContact", "Remove a contact person.");
        partners.MapPost("/{id:guid}/resume", Resume).DescribeStreamStep<PartnerState>("ResumePartner", "A suspended partner takes part again.");

        partners.MapPost("/{id:guid}/sites", RegisterSite)
            .WithName("RegisterSite")
            .WithSummary("Register one of a partner's sites; the other services learn it from SiteRegistered.")
            .WithIdempotency()
            .WithETag()
            .Produces<SitePoliceView>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);
        partners.MapGet("/{id:guid}/sites/{siteId:guid}", GetSite)
            .WithName("GetPartnerSite")
            .WithETag()
            .Produces<SitePoliceView>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        partners.MapPut("/{id:guid}/sites/{siteId:guid}", UpdateSite)
            .DescribeStreamStep<SiteState>("UpdateSite", "Change a site's name, kind and point (all of them); published as SiteUpdated.");
        partners.MapPost("/{id:guid}/sites/{siteId:guid}/retire", RetireSite)
            .DescribeStreamStep<SiteState>("RetireSite", "Retire a site, with the reason; published as SiteRetired.");

        partners.MapPost("/{id:guid}/sites/{siteId:guid}/cameras", SurveyCamera)
            .WithName("SurveyCamera")
            .WithSummary("Record a survey for a security camera at the site: the first step of its lifecycle.")
            .WithIdempotency()
            .WithETag()
            .Produces<CameraState>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        partners.MapGet("/cameras/{id:guid}", GetCamera)
            .WithName("GetCamera")
            .WithETag()
            .Produces<CameraState>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        partners.MapStreamStep<CameraState, ApproveCamera>(
            "/cameras/{id:guid}/approve", WhatCamera, "ApproveCamera", "Approve a surveyed camera.", Camera.Approve);
        partners.MapStreamStep<CameraState, InstallCamera>(
            "/cameras/{id:guid}/install", WhatCamera, "InstallCamera", "Record an approved camera's installation; published as CameraInstalled.", Camera.Install);
        partners.MapStreamStep<CameraState, StartCameraOperation>(
            "/cameras/{id:guid}/operate", WhatCamera, "StartCameraOperation", "Record that an installed camera works.", Camera.StartOperation);
        partners.MapStreamStep<CameraState, DecommissionCamera>(
            "/cameras/{id:guid}/decommission", WhatCamera, "DecommissionCamera", "Take a camera out of service, with the reason; published as CameraDecommissioned.", Camera.Decommission);
        return endpoints;
    }

    private static async Task<IResult> Register(
        RegisterPartnerRequest request, HttpContext http, IDocumentSession session, WardDatabases databases, IDocumentStore store, TimeProvider clock, CancellationToken ct)
    {
        var command = new RegisterPartner(request.PartnerId ?? Guid.CreateVersion7(), request.Name, request.Kind);

        // A partner client is bound to its partner's id, whatever the ward: an id is one partner's in every ward.
        await http.TakeTurnUntilAnsweredAsync(store, Partner.RegistrationTurnOf(command.PartnerId), ct);
        var existing = (await databases.ListEveryWardAsync<PartnerState>(every => every.Where(partner => partner.Id == command.PartnerId), ct)).FirstOrDefault();
        var decision = Partner.Register(existing, command, clock.GetUtcNow(), http.Actor());
        if (decision.Rejection is not { Kind: RejectionKind.Invalid } && (existing is not null || (await databases.TenantsOfStreamsAsync([command.PartnerId], ct)).Count > 0))
        {
            // A record has the id in some ward: answered as the store answers one in this ward (409), so the id never names
            // records in two wards, where a path naming it would act in neither, and in the same words whatever kind of record
            // has it (a partner's own "Partner … already exists." told a partner from a site); a body the decision refuses is its 400 first.
            throw new ExistingStreamIdCollisionException(command.PartnerId, typeof(PartnerState));
        }

        return await session.StartStreamAsync<PartnerState>(http, command.PartnerId, decision, $"/partners/{command.PartnerId}", ct);
    }

    /// <summary>
    /// Partner <paramref name="id"/>, read in its turn (<see cref="Partner.RecordsTurnOf"/>) for a step that records something
    /// of it in a stream of its own: the step is decided on the partner as it stands until the step commits, never on one
    /// that left meanwhile.
    /// </summary>
    internal static async Task<PartnerState?> PartnerInTurnAsync(this IDocumentSession session, Guid id, CancellationToken ct)
    {
        await session.TakeTurnAsync(Partner.RecordsTurnOf(id), ct);
        return (await session.LoadStreamAsync<PartnerState>(id, ct)).State;
    }

    private static async Task<IResult> Leave(Guid id, LeaveLinkage request, HttpContext http, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        await session.TakeTurnAsync(Partner.RecordsTurnOf(id), ct);
        return await session.AppendToStreamAsync<PartnerState>(http, id, Partner.What, partner => Partner.Leave(partner, request, clock.GetUtcNow(), http.Actor()), ct);
    }

    private static Task<IResult> Get(Guid id, HttpContext http, IQuerySession session, CancellationToken ct) =>
        session.ReadStreamAsync<PartnerState>(http, id, Partner.What, ct);

    private static Task<IResult> Resume(Guid id, HttpContext http, IDocumentSession session, TimeProvider clock, CancellationToken ct) =>
        session.AppendToStreamAsync<PartnerState>(http, id, Partner.What, partner => Partner.Resume(partner, new ResumePartner(), clock.GetUtcNow(), http.Actor()), ct);

    private static Task<IResult> AddContact(Guid id, AddContactRequest request, HttpContext http, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var command = new AddContact(Guid.CreateVersion7(), request.Role, request.Name, request.Phone);
        return session.AppendToStreamAsync<PartnerState>(http, id, Partner.What, partner => Agreement.AddContact(partner, command, clock.GetUtcNow(), http.Actor()), ct);
    }

    private static Task<IResult> RemoveContact(Guid id, Guid contactId, HttpContext http, IDocumentSession session, TimeProvider clock, CancellationToken ct) =>
        session.AppendToStreamAsync<PartnerState>(http, id, Partner.What, partner => Agreement.RemoveContact(partner, new RemoveContact(contactId), clock.GetUtcNow(), http.Actor()), ct);

    private static async Task<IResult> RegisterSite(
        Guid id, RegisterSiteRequest request, HttpContext http, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var partner = await session.PartnerInTurnAsync(id, ct);
        var command = new RegisterSite(Guid.CreateVersion7(), id, partner, request.Name, request.Kind, request.Latitude, request.Longitude);
        return await session.StartStreamAsync<SiteState>(
            http, command.SiteId, Site.Register(null, command, clock.GetUtcNow(), http.Actor()), $"/partners/{id}/sites/{command.SiteId}", ct);
    }

    private static async Task<IResult> GetSite(Guid id, Guid siteId, HttpContext http, IQuerySession session, CancellationToken ct)
    {
        var (site, version) = await session.LoadStreamAsync<SiteState>(siteId, ct);
        if (site is null || site.OfAnotherPartner(id) is not null)
        {
            return StreamResults.NotFound(Site.What, siteId);
        }

        http.Response.SetETag(version);
        return Results.Ok(http.ViewOf(site));
    }

    private static Task<IResult> UpdateSite(
        Guid id, Guid siteId, RegisterSiteRequest request, HttpContext http, IDocumentSession session, TimeProvider clock, CancellationToken ct) =>
        session.AppendToStreamAsync<SiteState>(http, siteId, Site.What, site =>
            Site.Update(site, new UpdateSite(id, request.Name, request.Kind, request.Latitude, request.Longitude), clock.GetUtcNow(), http.Actor()), ct);

    /// <summary>
    /// In the partner's turn (<see cref="Partner.RecordsTurnOf"/>), as every step recorded at one of its sites: such a step
    /// sent alongside is recorded before the retirement or judged on the retired site.
    /// </summary>
    private static async Task<IResult> RetireSite(
        Guid id, Guid siteId, ReasonRequest request, HttpContext http, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        await session.TakeTurnAsync(Partner.RecordsTurnOf(id), ct);
        return await session.AppendToStreamAsync<SiteState>(http, siteId, Site.What, site => Site.Retire(site, new RetireSite(id, request.Reason), clock.GetUtcNow(), http.Actor()), ct);
    }

    /// <summary>
    /// Partner <paramref name="id"/> and its site <paramref name="siteId"/>, both read in the partner's turn, for a step recorded
    /// at the site: decided on them as they stand until the step commits (never on a site retired or a partner left meanwhile).
    /// </summary>
    internal static async Task<(PartnerState? Partner, SiteState? Site)> PartnerAndSiteInTurnAsync(this IDocumentSession session, Guid id, Guid siteId, CancellationToken ct)
    {
        var partner = await session.PartnerInTurnAsync(id, ct);
        return (partner, (await session.LoadStreamAsync<SiteState>(siteId, ct)).State);
    }

    private static async Task<IResult> SurveyCamera(
        Guid id, Guid siteId, SurveyCameraRequest request, HttpContext http, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var (partner, site) = await session.PartnerAndSiteInTurnAsync(id, siteId, ct);
        var command = new SurveyCamera(Guid.CreateVersion7(), id, site, request.Description, request.At, partner);
        return await session.StartStreamAsync<CameraState>(
            http, command.CameraId, Camera.Survey(null, command, clock.GetUtcNow(), http.Actor()), $"/partners/cameras/{command.CameraId}", ct);
    }

    private static Task<IResult> GetCamera(Guid id, HttpContext http, IQuerySession session, CancellationToken ct) =>
        session.ReadStreamAsync<CameraState>(http, id, WhatCamera, ct);
}
