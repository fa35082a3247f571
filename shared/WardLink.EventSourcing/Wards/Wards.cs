using System.Security.Claims;
using Marten;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using WardLink.Domain;
using WardLink.ServiceDefaults;
using WardLink.ServiceDefaults.Security;

namespace WardLink.EventSourcing.Wards;

/// <summary>The <c>Wards</c> configuration section: the deployment's home ward, and the groups of wards kept in databases of their own.</summary>
public sealed class WardOptions
{
    public const string Section = "Wards";

    /// <summary>
    /// The ward a client bound to no ward acts in, and where the public's tips go when they name no
    /// ward; the directory knows it from the start.
    /// </summary>
    public HomeWard Home { get; set; } = new();

    /// <summary>Groups of wards whose records are kept in another database than the service's own, by group name (<see cref="WardDatabases"/>).</summary>
    public Dictionary<string, WardDatabase> Databases { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>The home ward's id, code, name and province (by default the programme's ward, Quảng Thắng in Thanh Hóa).</summary>
public sealed class HomeWard
{
    public string Id { get; set; } = "quang-thang";

    public string Code { get; set; } = "QT";

    public string Name { get; set; } = "Quảng Thắng";

    public string Province { get; set; } = "thanh-hoa";

    public IEnumerable<string> Problems()
    {
        if (!WardNames.IsId(Id) || !WardNames.IsId(Province))
        {
            yield return $"{WardOptions.Section}:Home: Id and Province are lower-case words joined by hyphens, at most {WardNames.MaxIdLength} characters.";
        }

        if (!WardNames.IsCode(Code))
        {
            yield return $"{WardOptions.Section}:Home:Code is two to six capital letters.";
        }

        if (string.IsNullOrWhiteSpace(Name) || !Characters.AtMost(Name, WardNames.MaxNameLength))
        {
            yield return $"{WardOptions.Section}:Home:Name is required, at most {WardNames.MaxNameLength} characters.";
        }
    }
}

/// <summary>
/// A ward's tenant in the store: its id, except the home ward's, which is the store's default tenant.
/// So the records written before wards existed, and whatever runs without a ward, are the home
/// ward's, and a one-ward deployment needs no migration. The home ward's id never changes once records exist.
/// </summary>
public sealed class WardTenants(IOptions<WardOptions> options)
{
    public const string DefaultTenant = JasperFx.StorageConstants.DefaultTenantId;

    public string Home { get; } = options.Value.Home.Id;

    public string TenantOf(string ward) => ward == Home ? DefaultTenant : ward;

    public string WardOf(string tenant) => tenant == DefaultTenant ? Home : tenant;

    /// <summary>
    /// The ward a stored record's tenant names, as the audit chains and shows it: the home ward for the default tenant; none for
    /// the home ward's own id, a tenant no service writes (the home ward's records are the default tenant's), so a record an
    /// insider moved there, out of every read, is found; any other tenant its ward.
    /// </summary>
    public string? StoredWardOf(string tenant) => tenant == DefaultTenant ? Home : tenant == Home ? null : tenant;
}

/// <summary>
/// The ward the current work acts in: the store's tenant every session opened meanwhile is scoped to
/// (<see cref="TracedSessionFactory"/>). A request sets it (<see cref="RequestWards"/>), a consumer
/// from its message's ward header, a sweep for each ward it visits; without it, sessions open in the home ward.
/// A request also keeps the ward as it read it from the jurisdiction directory (<see cref="Known"/>), so the
/// work it does reads the same ward without asking the database again.
/// </summary>
public static class WardContext
{
    private static readonly AsyncLocal<(string Id, KnownWard? Known)?> Ambient = new();

    public static string? Current => Ambient.Value?.Id;

    /// <summary>The current ward as the work read it from the jurisdiction directory when it entered, if it did.</summary>
    public static KnownWard? Known => Ambient.Value?.Known;

    /// <summary>Acts in <paramref name="ward"/> until the scope is disposed.</summary>
    public static Scope Enter(string ward) => Enter((ward, null));

    /// <summary>Acts in <paramref name="ward"/>, as read from the jurisdiction directory, until the scope is disposed.</summary>
    public static Scope Enter(KnownWard ward) => Enter((ward.Id, ward));

    private static Scope Enter((string Id, KnownWard? Known) ward)
    {
        var previous = Ambient.Value;
        Ambient.Value = ward;
        return new Scope(previous);
    }

    public readonly struct Scope((string Id, KnownWard? Known)? previous) : IDisposable
    {
        public void Dispose() => Ambient.Value = previous;
    }
}

/// <summary>
/// Which wards a caller may see: those its token names (<c>ward</c> claims), every ward of the
/// provinces it names (<c>province</c> claims, from the jurisdiction directory), or, naming neither,
/// the home ward. The gateway's own questions see every ward.
/// </summary>
public sealed class WardAccess
{
    private readonly HashSet<string>? _wards;

    private WardAccess(IReadOnlyList<string> wards, bool everywhere)
    {
        Wards = wards;
        _wards = everywhere ? null : [.. wards];
    }

    /// <summary>The wards the caller is bound to, the first being the one it acts in when it names none.</summary>
    public IReadOnlyList<string> Wards { get; }

    public bool Allows(string ward) => _wards is null || _wards.Contains(ward);

    /// <summary>The wards the caller may see, or null when it may see every ward.</summary>
    public IReadOnlyList<string>? Bounded => _wards is null ? null : Wards;

    public static async Task<WardAccess> ForAsync(ClaimsPrincipal user, IQuerySession directory, WardDirectoryCache cache, HomeWard home, DateTimeOffset now, CancellationToken ct)
    {
        if (user.IsInRole(WardLinkRoles.Gateway) || user.Identity?.IsAuthenticated != true)
        {
            // The gateway acts for whoever it forwards; the public may name any known ward (and acts in the home ward otherwise).
            return new WardAccess([home.Id], everywhere: true);
        }

        var named = user.FindAll(WardLinkClaims.Ward).Select(claim => claim.Value);
        var provinces = user.FindAll(WardLinkClaims.Province).Select(claim => claim.Value).ToList();
        var wards = named.Concat(await cache.WardsOfAsync(provinces, () => directory.WardsOfAsync(provinces, home.Id, now, ct))).Distinct().ToList();
        return new WardAccess(wards.Count == 0 && provinces.Count == 0 ? [home.Id] : wards, everywhere: false);
    }
}

/// <summary>
/// What one request acts in and reads: <see cref="Ward"/> (its store tenant), whether the caller named
/// it (<c>ward=</c> or a record in the path), whether a record in the path did (<paramref name="OfRecord"/>:
/// what the request adds belongs to that record's ward), and the wards its lists and statistics span when it did not.
/// </summary>
public sealed record RequestWard(KnownWard Ward, bool Named, WardAccess Access, bool OfRecord)
{
    /// <summary>The wards a list or statistic spans: the one named, or every ward the caller may see.</summary>
    public IReadOnlyList<string> Spans => Named ? [Ward.Id] : Access.Wards;
}

/// <summary>
/// Puts every request in one ward before its endpoint runs. <c>ward=</c>, where given, is judged first (400 when malformed, 404
/// when unknown or not the caller's; an endpoint that filters by ward against a reach of its own judges a well-formed one itself:
/// <see cref="FiltersWardItself"/>). A record in the path (any id in the route that is a stream of this service) puts the
/// request in that record's ward, unless the caller may not see that ward or <c>ward=</c> names another: then the record is, to
/// it, one that does not exist (the endpoint's own 404); else <c>ward=</c> names it; else the caller's first ward. The public (no token, or any request to an operation that
/// needs none: <see cref="PublicOperations"/>) names no record by id, may name any known ward,
/// and acts in the home ward otherwise. An endpoint that keeps no record (<see cref="WardFree"/>: the health probes, the API
/// document) acts in no ward.
/// </summary>
public static class RequestWards
{
    public const string Parameter = WardFree.WardParameter;

    /// <summary>
    /// Lets a caller that has no ward yet (a province-level client of a province whose first ward is being established) use
    /// <paramref name="endpoint"/>, which then acts in no ward: it must not call <see cref="Ward"/>.
    /// </summary>
    public static RouteHandlerBuilder AllowedWithoutWard(this RouteHandlerBuilder endpoint) => endpoint.WithMetadata(new WithoutWard());

    /// <summary>
    /// Lets <paramref name="endpoint"/>, a request whose reach is not the caller's access (the ward list, the read of one ward and its steps:
    /// every ward of the provinces the caller covers), judge a well-formed <c>ward=</c> itself against that reach, answering a 404
    /// for a ward outside it: a malformed one is still a 400 here, and the request acts as if it named no ward (in the caller's
    /// first ward).
    /// </summary>
    public static RouteHandlerBuilder FiltersWardItself(this RouteHandlerBuilder endpoint) => endpoint.WithMetadata(new OwnWardFilter());

    /// <summary>The 404 of <c>ward=</c> naming a ward that is unknown or not the caller's.</summary>
    public static ProblemHttpResult UnknownWard(string? ward) => TypedResults.Problem(title: WardNames.NotFoundTitle(ward), statusCode: StatusCodes.Status404NotFound);

    public static RequestWard Ward(this HttpContext http) =>
        http.Features.Get<RequestWard>() ?? throw new InvalidOperationException("The request's ward is set by UseWardLinkWards, which has not run.");

    public static WebApplication UseWardLinkWards(this WebApplication app)
    {
        app.Use(async (http, next) =>
        {
            // A path no operation takes is the 404 anyone gets, whatever ward= it carries (docs/security.md); one that acts in no ward is put in none.
            if (http.GetEndpoint() is not { } endpoint || endpoint.Metadata.GetMetadata<WardFree>() is not null)
            {
                await next(http);
                return;
            }

            var home = http.RequestServices.GetRequiredService<IOptions<WardOptions>>().Value.Home;
            var tenants = http.RequestServices.GetRequiredService<WardTenants>();
            var store = http.RequestServices.GetRequiredService<IDocumentStore>();
            await using var directory = store.QuerySession();
            var ct = http.RequestAborted;
            var cache = http.RequestServices.GetRequiredService<WardDirectoryCache>();
            var now = http.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
            var access = await WardAccess.ForAsync(http.User, directory, cache, home, now, ct);
            var anonymous = http.User.Identity?.IsAuthenticated != true;
            // The public acts where the ward it names (else the home ward) now is: a tip it sends today happens there, not in a
            // ward that would refuse it on a field the public cannot send.
            Task<string> PublicWardAsync(string named) =>
                WardAtAsync(named, id => cache.WardAsync(id, () => directory.WardAsync(id, ct)), now);

            // ward= is judged wherever it is offered, a record in the path or not: malformed, a 400; unknown or not the
            // caller's, a 404.
            string? given = null;
            if (http.Request.Query.TryGetValue(Parameter, out var values))
            {
                // Judged with the query's forms first (QueryForms) where a handler takes it; here for any other endpoint.
                if (new FieldErrors().CheckWard(values) is { Any: true } malformed)
                {
                    await malformed.ToRejection().ToProblem().ExecuteAsync(http);
                    return;
                }

                if (endpoint.Metadata.GetMetadata<OwnWardFilter>() is null)
                {
                    if (!access.Allows(values[0]!))
                    {
                        await UnknownWard(values[0]).ExecuteAsync(http);
                        return;
                    }

                    given = values[0]!;
                }
            }

            string? ward = null;
            var (named, ofRecord) = (false, false);
            // A record of a ward the caller may not see, or of another ward than the one named, is, to the caller, a record
            // nobody recorded: the request goes on in the ward it would act in without one, where the endpoint finds no such
            // record and answers its own 404, word for word as for an id that does not exist. The public finds no record by id
            // (a follow-up finds its tip by code and secret, in any ward): an id in its path is not looked up, so no answer
            // tells whether it names a record.
            var recorded = !anonymous && await TenantOfPathAsync(http, http.RequestServices.GetRequiredService<WardDatabases>(), ct) is { } tenant
                ? tenants.WardOf(tenant)
                : null;
            if (recorded is not null && access.Allows(recorded) && (given is null || given == recorded))
            {
                (ward, named, ofRecord) = (recorded, true, true);
            }
            else if (given is not null)
            {
                (ward, named) = (anonymous ? await PublicWardAsync(given) : given, true);
            }

            ward ??= anonymous ? await PublicWardAsync(home.Id) : access.Wards.Count > 0 ? access.Wards[0] : null;
            if (ward is null && endpoint.Metadata.GetMetadata<WithoutWard>() is not null)
            {
                // A caller with no ward yet (a province whose first ward is being established) on an endpoint that needs none.
                await next(http);
                return;
            }

            if (ward is null || await cache.WardAsync(ward, () => directory.WardAsync(ward, ct)) is not { } known)
            {
                await UnknownWard(ward).ExecuteAsync(http);
                return;
            }

            http.Features.Set(new RequestWard(known, named, access, ofRecord));
            using (WardContext.Enter(known))
            {
                await next(http);
            }
        });
        return app;
    }

    /// <summary>
    /// Where ward <paramref name="ward"/>'s ground belongs at <paramref name="at"/>: to itself, or once it has been merged by
    /// then, to the ward it was merged into (and so on, as far as mergers go): the last of <see cref="MergerChainAsync"/>.
    /// </summary>
    public static async Task<string> WardAtAsync(string ward, Func<string, Task<KnownWard?>> wardOf, DateTimeOffset at) =>
        await MergerChainAsync(ward, wardOf, at).LastAsync();

    /// <summary>
    /// The wards ward <paramref name="ward"/>'s ground went to by <paramref name="at"/>, in turn: itself, then, once it has been
    /// merged by then, the ward it was merged into, then the ward that one was merged into by then, and so on, as far as mergers go.
    /// A record a ward on the chain keeps stays there: its steps after a later merger still come from that ward.
    /// </summary>
    public static async IAsyncEnumerable<string> MergerChainAsync(string ward, Func<string, Task<KnownWard?>> wardOf, DateTimeOffset at)
    {
        yield return ward;
        for (var hops = 0; hops < MaxMergers && await wardOf(ward) is { MergedInto: { } successor, EndsAt: { } ends } && ends <= at; hops++)
        {
            ward = successor;
            yield return ward;
        }
    }

    /// <summary>How many mergers <see cref="MergerChainAsync"/> follows at most (a cycle in bad data ends there).</summary>
    private const int MaxMergers = 16;

    /// <summary>The tenant of the streams of this service the route names by id, when it names any (looked for in every database).</summary>
    private static async Task<string?> TenantOfPathAsync(HttpContext http, WardDatabases databases, CancellationToken ct)
    {
        var ids = http.Request.RouteValues.Values
            .Select(value => Guid.TryParse(value?.ToString(), out var id) ? id : Guid.Empty)
            .Where(id => id != Guid.Empty)
            .ToArray();
        if (ids.Length == 0)
        {
            return null;
        }

        var wards = await databases.TenantsOfStreamsAsync(ids, ct);
        return wards.Count switch
        {
            0 => null,
            1 => wards[0],

            // Ids of records in different wards in one path: no record can name one of another ward.
            _ => string.Empty,
        };
    }
}

/// <summary>Marks an endpoint a caller with no ward may use (<see cref="RequestWards.AllowedWithoutWard"/>).</summary>
public sealed class WithoutWard;

/// <summary>Marks an endpoint that judges a well-formed <c>ward=</c> itself (<see cref="RequestWards.FiltersWardItself"/>).</summary>
public sealed class OwnWardFilter;
