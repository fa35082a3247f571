using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Marten;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using WardLink.Contracts;
using WardLink.Contracts.Partners;
using WardLink.Domain;
using WardLink.EventSourcing.Wards;
using WardLink.ServiceDefaults.Security;

namespace WardLink.EventSourcing.Sites;

/// <summary>
/// A partner's site as this service knows it from the partners service's events. <c>Version</c>
/// is the site's stream version in partners of the details held (1 when registered, then each update's),
/// so an older change arriving late never overwrites a newer one; a retired site stays known (old records
/// name it) with <c>RetiredAt</c>. A retirement is a site's last step and changes no detail: it leaves
/// <c>Version</c> as it is, so an update it overtook still applies.
/// <c>Ward</c> is the ward of its partner (the ward its messages came from); a row kept before wards
/// existed has none and is the home ward's (<see cref="WardIn"/>).
/// </summary>
public sealed record KnownSite(
    Guid Id,
    Guid PartnerId,
    string Name,
    SiteKind Kind,
    double Latitude,
    double Longitude,
    DateTimeOffset RegisteredAt,
    long Version = 1,
    DateTimeOffset? RetiredAt = null,
    string? Ward = null)
{
    /// <summary>The ward the site belongs to.</summary>
    public string WardIn(WardTenants wards) => Ward ?? wards.Home;

    /// <summary>Whether a caller with <paramref name="access"/> may see the site (it is of one of its wards); to anyone else it is a site the directory does not know.</summary>
    public bool SeenBy(WardAccess access, WardTenants wards) => access.Allows(WardIn(wards));
}

/// <summary>A site as every audience reads it from a directory: whose it is, its ward, name, kind, point, and whether it is retired.</summary>
public sealed record SiteEntry(
    Guid Id,
    Guid PartnerId,
    [property: MaxLength(WardNames.MaxIdLength)] string Ward,
    [property: MaxLength(SiteEntry.MaxNameLength)] string Name,
    SiteKind Kind,
    [property: Range(-Place.MaxLatitude, Place.MaxLatitude)] double Latitude,
    [property: Range(-Place.MaxLongitude, Place.MaxLongitude)] double Longitude,
    DateTimeOffset? RetiredAt)
{
    /// <summary>The longest site name partners accept, and so the longest any directory holds.</summary>
    public const int MaxNameLength = 200;

    public static SiteEntry Of(KnownSite site, WardTenants wards) =>
        new(site.Id, site.PartnerId, site.WardIn(wards), site.Name, site.Kind, site.Latitude, site.Longitude, site.RetiredAt);
}

/// <summary>
/// Keeps the local site directory: one row per site registered in partners, in the ward its message
/// came from (the session's: see <see cref="WardMessages"/>). A registration that arrives after a newer
/// change of the site (each message type has its own queue) only fills in when the site was registered.
/// </summary>
public sealed class SiteRegisteredConsumer(IDocumentSession session, TimeProvider clock, WardDatabases databases, WardTenants tenants)
    : DirectoryConsumer<SiteRegistered>(session, clock, databases, tenants)
{
    protected override async Task KeepAsync(SiteRegistered message, IDocumentSession session, string ward, CancellationToken cancellationToken)
    {
        SiteDirectory.Validate(nameof(SiteRegistered), message.SiteId, message.Name, message.Latitude, message.Longitude);
        var registered = new KnownSite(
            message.SiteId, message.PartnerId, message.Name, message.Kind, message.Latitude, message.Longitude, message.RegisteredAt, Ward: ward);
        session.KeepNewest(await session.LoadAsync<KnownSite>(message.SiteId, cancellationToken), registered);
    }
}

/// <summary>
/// Applies a site's new details (the whole site as it now is), unless the directory already has a
/// newer version of it; before the site's registration arrived, the update is the newest known state.
/// </summary>
public sealed class SiteUpdatedConsumer(IDocumentSession session, TimeProvider clock, WardDatabases databases, WardTenants tenants)
    : DirectoryConsumer<SiteUpdated>(session, clock, databases, tenants)
{
    protected override async Task KeepAsync(SiteUpdated message, IDocumentSession session, string ward, CancellationToken cancellationToken)
    {
        SiteDirectory.Validate(nameof(SiteUpdated), message.SiteId, message.Name, message.Latitude, message.Longitude);
        var known = await session.LoadAsync<KnownSite>(message.SiteId, cancellationToken);
        var updated = new KnownSite(
            message.SiteId, message.PartnerId, message.Name, message.Kind, message.Latitude, message.Longitude,
            known?.RegisteredAt ?? message.UpdatedAt, message.SiteVersion, known?.RetiredAt, ward);
        session.KeepNewest(known, updated);
    }
}

/// <summary>
/// Marks a site retired. A retirement is the site's last step (partners updates no retired site) and
/// names no details: the details held, and their version, stay, so an update it overtook (each message
/// type has its own queue) still applies when it arrives.
/// </summary>
public sealed class SiteRetiredConsumer(IDocumentSession session, TimeProvider clock, WardDatabases databases, WardTenants tenants)
    : DirectoryConsumer<SiteRetired>(session, clock, databases, tenants)
{
    protected override async Task KeepAsync(SiteRetired message, IDocumentSession session, string ward, CancellationToken cancellationToken)
    {
        var site = await session.LoadKnownAsync(nameof(SiteRetired), message.SiteId, cancellationToken);
        if (site.RetiredAt != message.RetiredAt)
        {
            session.Update(site with { RetiredAt = message.RetiredAt });
        }
    }
}

/// <summary>
/// The site directory incidents, patrols and tips keep, so they can validate and name places
/// without calling partners: fed by <see cref="SiteRegistered"/>,
/// <see cref="SiteUpdated"/> and <see cref="SiteRetired"/>, read at <c>GET /{service}/sites</c>
/// (so through the gateway at <c>/api/tips/sites</c>, like every other route of the service).
/// </summary>
public static class SiteDirectory
{
    public const int MaxPageSize = 500;

    /// <summary>A page's size when a request names none, as the document states it (<c>default</c>).</summary>
    public const int DefaultPageSize = 100;

    /// <summary>
    /// The wards of the sites of <paramref name="siteIds"/> at <paramref name="at"/> that the directory knows and a caller with
    /// <paramref name="access"/> may see, by site (any other site is left out, as unknown): a record names only sites of its own
    /// ward. A site of a ward merged into another by then is the successor's (the ground went with the merger), as at a tip's
    /// or an incident's intake (<see cref="WardIntake.LookUpWardsAsync"/>).
    /// </summary>
    public static async Task<IReadOnlyDictionary<Guid, string>> WardsOfSitesAsync(
        this IQuerySession session, IEnumerable<Guid> siteIds, WardTenants wards, WardAccess access, DateTimeOffset at, CancellationToken ct)
    {
        var sites = await session.LoadManyAsync<KnownSite>(ct, siteIds.Distinct());

        // A route's checkpoints are mostly at sites of one ward: its merger chain is walked once, not once a site.
        var wardAt = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var registered in sites.Select(site => site.WardIn(wards)).Distinct(StringComparer.Ordinal))
        {
            wardAt[registered] = await RequestWards.WardAtAsync(registered, id => session.WardAsync(id, ct), at);
        }

        return sites.Where(site => access.Allows(wardAt[site.WardIn(wards)])).ToDictionary(site => site.Id, site => wardAt[site.WardIn(wards)]);
    }

    public static void AddSiteDirectory(this IBusRegistrationConfigurator bus)
    {
        bus.AddConsumer<SiteRegisteredConsumer>();
        bus.AddConsumer<SiteUpdatedConsumer>();
        bus.AddConsumer<SiteRetiredConsumer>();
    }

    internal static void Validate(string messageType, Guid siteId, string? name, double latitude, double longitude)
    {
        if (siteId == Guid.Empty || string.IsNullOrWhiteSpace(name) || latitude is < -90 or > 90 || longitude is < -180 or > 180)
        {
            throw new InvalidMessageException($"{messageType} for site '{siteId}' is not a valid site.");
        }
    }

    /// <summary>
    /// Stores <paramref name="candidate"/> unless the directory's row (<paramref name="known"/>, as
    /// this session read it) is as new or newer; a registration (version 1) arriving after a newer
    /// change only gives that row its registration time. The row is written under optimistic
    /// concurrency: when another delivery wrote it since it was read, the commit fails and the bus
    /// delivers this message again, which then compares with what the other one wrote. So an older
    /// version never overwrites a newer one, whatever the arrival order and the concurrency.
    /// </summary>
    internal static void KeepNewest(this IDocumentSession session, KnownSite? known, KnownSite candidate)
    {
        if (known is null)
        {
            session.Insert(candidate);
        }
        else if (candidate.Version > known.Version)
        {
            session.Update(candidate);
        }
        else if (candidate.Version == 1 && known.RegisteredAt != candidate.RegisteredAt)
        {
            session.Update(known with { RegisteredAt = candidate.RegisteredAt });
        }
    }

    /// <summary>
    /// The site a retirement is about. A retirement that overtook the site's registration and every
    /// update (each message type has its own queue) fails here, so the bus retries it once one is in.
    /// </summary>
    internal static async Task<KnownSite> LoadKnownAsync(this IDocumentSession session, string messageType, Guid siteId, CancellationToken ct) =>
        await session.LoadAsync<KnownSite>(siteId, ct)
        ?? throw new NotKnownYetException($"{messageType} for site '{siteId}', which is not known here (yet).");

    public static void AddSiteDirectory(this StoreOptions store) =>
        store.Schema.For<KnownSite>().SingleTenanted().Index(site => site.PartnerId).Index(site => site.Ward!).UseOptimisticConcurrency(true);

    public static IEndpointRouteBuilder MapSiteDirectory(this IEndpointRouteBuilder endpoints, string serviceName)
    {
        // Partners read the directory too: their submissions name sites by id.
        var sites = endpoints.MapGroup($"/{serviceName}/sites").WithTags("Sites").RequireAuthorization(WardLinkPolicies.PoliceOrPartner);
        sites.MapGet("/", List)
            .WithName("ListSites")
            .WithWardParameter(WardParameters.Listed)
            .WithSummary($"The partner sites this service knows, by name, each naming its ward; filter by partner. {PageRequest.Limits}")
            .ProducesValidationProblem();
        sites.MapGet("/{id:guid}", Get)
            .WithName("GetSite")
            .WithSummary("A site this service knows; a site of a ward the caller may not see, or of another ward than ward= names, is not found.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return endpoints;
    }

    private static async Task<Results<Ok<ListPage<SiteEntry>>, ValidationProblem>> List(
        HttpContext http, IQuerySession session, WardTenants wards, Guid? partnerId, [Range(1, MaxPageSize), DefaultValue(DefaultPageSize)] int? limit, [Range(1, PageRequest.MaxPage), DefaultValue(PageRequest.FirstPage)] int? page, CancellationToken ct)
    {
        var errors = new FieldErrors();
        var paging = PageRequest.Read(limit, page, DefaultPageSize, MaxPageSize, errors);
        if (errors.Any)
        {
            return TypedResults.ValidationProblem(errors.ToRejection().Errors!);
        }

        // The directory is kept once for every ward: only the sites of the wards the request spans are listed.
        var spans = http.Ward().Spans.ToArray();
        var query = spans.Contains(wards.Home)
            ? session.Query<KnownSite>().Where(site => site.Ward == null || spans.Contains(site.Ward))
            : session.Query<KnownSite>().Where(site => spans.Contains(site.Ward!));
        if (partnerId is { } partner)
        {
            query = query.Where(site => site.PartnerId == partner);
        }

        return TypedResults.Ok((await query.OrderBy(site => site.Name).ThenBy(site => site.Id).ToListPageAsync(paging, ct)).Select(site => SiteEntry.Of(site, wards)));
    }

    /// <summary>A site the caller may see, of the ward <c>ward=</c> names where given (another ward's is, to it, a site nobody has).</summary>
    private static async Task<Results<Ok<SiteEntry>, ProblemHttpResult>> Get(Guid id, HttpContext http, IQuerySession session, WardTenants wards, CancellationToken ct) =>
        await session.LoadAsync<KnownSite>(id, ct) is { } site && site.SeenBy(http.Ward().Access, wards) && (!http.Ward().Named || site.WardIn(wards) == http.Ward().Ward.Id)
            ? TypedResults.Ok(SiteEntry.Of(site, wards))
            : TypedResults.Problem(title: $"Site {id} is not known here.", statusCode: StatusCodes.Status404NotFound);
}
