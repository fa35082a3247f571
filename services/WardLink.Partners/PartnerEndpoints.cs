using Marten;
using WardLink.Contracts.Partners;
using WardLink.ServiceDefaults;

namespace WardLink.Partners;

public sealed record RegisterPartnerRequest(string? Name, PartnerKind? Kind);

public sealed record RegisterSiteRequest(string? Name, SiteKind? Kind, double? Latitude, double? Longitude);

public static class PartnerEndpoints
{
    public static IEndpointRouteBuilder MapPartnerEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var partners = endpoints.MapGroup("/partners").WithTags("Partners");
        partners.MapPost("/", Register)
            .WithName("RegisterPartner")
            .WithSummary("Register a partner of the linkage.")
            .Produces<PartnerState>(StatusCodes.Status201Created)
            .ProducesValidationProblem();
        partners.MapGet("/{id:guid}", Get)
            .WithName("GetPartner")
            .Produces<PartnerState>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        partners.MapPost("/{id:guid}/sites", RegisterSite)
            .WithName("RegisterSite")
            .WithSummary("Register one of a partner's sites; the other services learn it from SiteRegistered.")
            .Produces<SiteState>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);
        partners.MapGet("/{id:guid}/sites/{siteId:guid}", GetSite)
            .WithName("GetPartnerSite")
            .Produces<SiteState>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        return endpoints;
    }

    private static Task<IResult> Register(
        RegisterPartnerRequest request, HttpContext http, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var command = new RegisterPartner(Guid.CreateVersion7(), request.Name, request.Kind, http.Actor());
        return session.StartStreamAsync<PartnerState>(http, command.PartnerId, Partner.Register(null, command, clock.GetUtcNow()), $"/partners/{command.PartnerId}", ct);
    }

    private static Task<IResult> Get(Guid id, HttpContext http, IQuerySession session, CancellationToken ct) =>
        session.ReadStreamAsync<PartnerState>(http, id, "Partner", ct);

    private static async Task<IResult> RegisterSite(
        Guid id, RegisterSiteRequest request, HttpContext http, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var (partner, _) = await session.LoadStreamAsync<PartnerState>(id, ct);
        var command = new RegisterSite(Guid.CreateVersion7(), id, request.Name, request.Kind, request.Latitude, request.Longitude, http.Actor());
        return await session.StartStreamAsync<SiteState>(http, command.SiteId, Site.Register(partner, command, clock.GetUtcNow()), $"/partners/{id}/sites/{command.SiteId}", ct);
    }

    private static async Task<IResult> GetSite(Guid id, Guid siteId, HttpContext http, IQuerySession session, CancellationToken ct)
    {
        var (site, _) = await session.LoadStreamAsync<SiteState>(siteId, ct);
        return site is null || site.PartnerId != id
            ? Results.Problem(title: $"Site {siteId} of partner {id} was not found.", statusCode: StatusCodes.Status404NotFound)
            : await session.ReadStreamAsync<SiteState>(http, siteId, "Site", ct);
    }
}
