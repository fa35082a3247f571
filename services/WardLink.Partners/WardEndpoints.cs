using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using JasperFx.Events.Projections;
using Marten;
using Marten.Schema;
using Marten.Schema.Indexing.Unique;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Npgsql;
using WardLink.Domain;
using WardLink.EventSourcing;
using WardLink.EventSourcing.Idempotency;
using WardLink.EventSourcing.Wards;
using WardLink.ServiceDefaults;
using WardLink.ServiceDefaults.Security;

namespace WardLink.Partners;

/// <summary>A new ward; the request body of <c>POST /partners/wards</c>.</summary>
public sealed record EstablishWardRequest(
    [property: MinLength(WardNames.MinIdLength), MaxLength(WardNames.MaxIdLength), RegularExpression(WardNames.IdPattern)] string? WardId,
    [property: MaxLength(WardNames.MaxCodeLength), RegularExpression(WardNames.CodePattern)] string? Code,
    [property: MaxLength(WardNames.MaxNameLength)] string? Name,
    [property: MinLength(WardNames.MinIdLength), MaxLength(WardNames.MaxIdLength), RegularExpression(WardNames.IdPattern)] string? Province,
    DateOnly? EstablishedOn = null);

/// <summary>The ward it is merged into and the local date the merger takes effect; the request body of <c>POST /partners/wards/{wardId}/merge</c>.</summary>
public sealed record MergeWardRequest(
    [property: MinLength(WardNames.MinIdLength), MaxLength(WardNames.MaxIdLength), RegularExpression(WardNames.IdPattern)] string? IntoWardId,
    DateOnly? EffectiveOn);

/// <summary>A ward as every audience reads it: all of it (names, codes, dates; nothing personal).</summary>
public sealed record WardView(
    [property: MaxLength(WardNames.MaxIdLength)] string Id,
    [property: MaxLength(WardNames.MaxCodeLength)] string Code,
    [property: MaxLength(WardNames.MaxNameLength)] string Name,
    [property: MaxLength(WardNames.MaxIdLength)] string Province,
    DateOnly? EstablishedOn,
    DateOnly? RenamedOn,
    WardStatus Status,
    [property: MaxLength(WardNames.MaxIdLength)] string? MergedInto,
    DateOnly? EndedOn)
{
    public static WardView Of(WardState ward) =>
        new(ward.WardId, ward.Code, ward.Name, ward.Province, ward.EstablishedOn, ward.RenamedOn, ward.Status, ward.MergedInto, ward.EndedOn);
}

/// <summary>
/// The wards a caller sees and, for the police, administers: those of its access (its <c>ward</c>
/// claims, and the wards of its <c>province</c> claims the directory knows) and every ward of the
/// provinces it names; a client bound to no ward nor province covers the home ward's province.
/// </summary>
public sealed record WardCoverage(IReadOnlyCollection<string> Wards, IReadOnlyCollection<string> Provinces)
{
    public static WardCoverage Of(HttpContext http, HomeWard home)
    {
        var provinces = http.User.FindAll(WardLinkClaims.Province).Select(claim => claim.Value).ToList();
        var bound = provinces.Count > 0 || http.User.HasClaim(claim => claim.Type == WardLinkClaims.Ward);
        // A caller acting in no ward (its province has none yet: RequestWards.AllowedWithoutWard) covers no ward by its access.
        return new WardCoverage(http.Features.Get<RequestWard>()?.Access.Wards ?? [], bound ? provinces : [home.Province]);
    }

    public bool Covers(WardState ward) => Wards.Contains(ward.WardId) || Provinces.Contains(ward.Province);
}

/// <summary>What a step on ward <paramref name="WardId"/> decides with: its session (in the ward's tenant), every ward's database, the caller's coverage, the time and the actor.</summary>
public sealed record WardStep(string WardId, IDocumentSession Session, WardDatabases Databases, WardCoverage Coverage, DateTimeOffset Now, string Actor, CancellationToken Ct);

/// <summary>
/// The jurisdictions under <c>/partners/wards</c>: police, partners and auditors read the wards they
/// cover; the police establish, rename, merge and dissolve them. Each ward's stream lives in the ward's
/// own tenant; a ward the caller does not cover answers 404, as if it did not exist.
/// </summary>
public static class WardEndpoints
{
    public const int MaxPageSize = 500;

    /// <summary>A page's size when a request names none, as the document states it (<c>default</c>).</summary>
    public const int DefaultPageSize = 100;

    /// <summary>The unique index that keeps each code to one ward, across every tenant.</summary>
    public const string CodeIndex = "mt_doc_wardstate_uidx_code";

    private const string WhatWard = "Ward";

    /// <summary>
    /// The turn ward changes take, across every database of wards: each checks other wards (a code no other ward has,
    /// mergers that stay a forest, a merger's dates) before it writes its own, and two at once could each pass a check
    /// the other breaks (opposite mergers both accepted: a cycle; one code taken in two databases, each with its own index).
    /// </summary>
    private const string WardsTurn = "wards";

    /// <summary>A ward's state kept inline with its stream, each ward id and code held by one ward whatever its tenant.</summary>
    public static void AddWardStorage(this StoreOptions store)
    {
        store.Projections.Snapshot<WardState>(SnapshotLifecycle.Inline);
        store.Schema.For<WardState>()
            .UniqueIndex(UniqueIndexType.Computed, CodeIndex, TenancyScope.Global, ward => ward.Code)
            .UniqueIndex(UniqueIndexType.Computed, "mt_doc_wardstate_uidx_ward_id", TenancyScope.Global, ward => ward.WardId);
    }

    public static IEndpointRouteBuilder MapWardEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var wards = endpoints.MapGroup("/partners/wards").WithTags("Wards");
        wards.MapPost("/", Establish)
            .WithName("EstablishWard")
            .WithSummary("Establish a ward of a province the caller covers; its code is in every number it gives and is one no other ward has (the home ward's id and code are its own from the deployment's start). Published as WardEstablished.")
            .WithIdempotency<EstablishWardRequest>(request => request.WardId)
            .WithETag()
            .WithStateView<WardState>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .AllowedWithoutWard();
        wards.MapGet("/", List)
            .WithName("ListWards")
            .WithSummary($"The wards the caller covers, by province and name; filter by province, or name one ward. {PageRequest.Limits}")
            .WithWardParameter(WardParameters.OfTheWardList)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequireAuthorization(WardLinkPolicies.Wards)
            .AllowedWithoutWard()
            .FiltersWardItself();
        wards.MapGet($"/{{wardId:{NameConstraints.WardId}}}", Get)
            .WithName("GetWard")
            .WithETag()
            .WithStateView<WardState>(StatusCodes.Status200OK)
            .WithWardParameter(WardParameters.OfTheWardInThePath)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequireAuthorization(WardLinkPolicies.Wards)
            .FiltersWardItself();
        wards.MapWardStep<RenameWard>("rename", "RenameWard", "Give a ward a new name from a local date; its id and code stay. Published as WardRenamed.", Ward.Rename);
        wards.MapWardStep<MergeWardRequest>(
            "merge",
            "MergeWard",
            "Merge a ward into another open ward of its province from a local date: what it recorded stays its own, what happens from that date is the other's. Published as WardMerged.",
            MergerAsync);
        wards.MapWardStep<DissolveWard>(
            "dissolve",
            "DissolveWard",
            "A ward ceases to exist from a local date (not before another ward's merger into it), without a successor; its records stay. Published as WardDissolved.",
            async (request, step) =>
            {
                var lastMergedIn = Ward.LastMergedInto(await step.Databases.MergedWardsAsync(step.Ct), step.WardId);
                return ward => Ward.Dissolve(ward, request, lastMergedIn, step.Now, step.Actor);
            });
        return endpoints;
    }

    private static async Task<IResult> Establish(
        EstablishWardRequest request,
        HttpContext http,
        ISessionFactory sessions,
        WardDatabases databases,
        IDocumentStore store,
        IOptions<WardOptions> options,
        TimeProvider clock,
        CancellationToken ct)
    {
        // The body's form is judged before any record it names is looked up: its province, its id, its code.
        var command = new EstablishWard(request.WardId, request.Code, request.Name, request.Province, request.EstablishedOn, CodeTaken: false);
        if (Ward.Establish(null, command, clock.GetUtcNow(), http.Actor()).Rejection is { } malformed)
        {
            return malformed.ToProblem();
        }

        if (!WardCoverage.Of(http, options.Value.Home).Provinces.Contains(request.Province!))
        {
            return Results.Problem(title: $"Province {request.Province} was not found.", statusCode: StatusCodes.Status404NotFound);
        }

        await http.TakeTurnUntilAnsweredAsync(store, WardsTurn, ct);

        using (WardContext.Enter(request.WardId!))
        {
            await using var session = sessions.OpenSession();
            var streamId = Ward.StreamIdOf(request.WardId!);
            var (current, _) = await session.LoadStreamAsync<WardState>(streamId, ct);

            // The home ward is a ward from the deployment's start (every directory knows it from configuration until partners
            // records it, HomeWardEstablishment): its id and its code are its own before its stream exists too.
            var home = options.Value.Home;
            if (current is null && request.WardId == home.Id)
            {
                return Ward.AlreadyExists(home.Id).ToProblem();
            }

            command = command with { CodeTaken = request.Code == home.Code || await databases.IsCodeTakenAsync(request.Code!, ct) };
            try
            {
                return await session.StartStreamAsync<WardState>(
                    http, streamId, Ward.Establish(current, command, clock.GetUtcNow(), http.Actor()), $"/partners/wards/{request.WardId}", ct);
            }
            catch (Exception exception) when (IsUniqueViolation(exception))
            {
                // Another ward took the code between the look and the commit.
                return Ward.Establish(current, command with { CodeTaken = true }, clock.GetUtcNow(), http.Actor()).Rejection!.ToProblem();
            }
        }
    }

    /// <summary>Whether a ward kept in any of the service's databases has the code <paramref name="code"/>.</summary>
    internal static async Task<bool> IsCodeTakenAsync(this WardDatabases databases, string code, CancellationToken ct) =>
        (await databases.ListEveryWardAsync<WardState>(every => every.Where(ward => ward.Code == code).Take(1), ct)).Count > 0;

    private static async Task<Results<Ok<ListPage<WardView>>, ValidationProblem, ProblemHttpResult>> List(
        HttpContext http,
        WardDatabases databases,
        IOptions<WardOptions> options,
        [MinLength(WardNames.MinIdLength), MaxLength(WardNames.MaxIdLength), RegularExpression(WardNames.IdPattern)] string? ward,
        [MinLength(WardNames.MinIdLength), MaxLength(WardNames.MaxIdLength), RegularExpression(WardNames.IdPattern)] string? province,
        [Range(1, MaxPageSize), DefaultValue(DefaultPageSize)] int? limit,
        [Range(1, PageRequest.MaxPage), DefaultValue(PageRequest.FirstPage)] int? page,
        CancellationToken ct)
    {
        var errors = new FieldErrors();
        var paging = PageRequest.Read(limit, page, DefaultPageSize, MaxPageSize, errors);
        errors.Check(province is null || WardNames.IsId(province), "province", $"A province id: lower-case words joined by hyphens, {WardNames.MinIdLength} to {WardNames.MaxIdLength} characters.");
        if (errors.Any)
        {
            return TypedResults.ValidationProblem(errors.ToRejection().Errors!);
        }

        var coverage = WardCoverage.Of(http, options.Value.Home);
        string[] wards = [.. coverage.Wards];
        string[] provinces = [.. coverage.Provinces];
        // ward= (well-formed: RequestWards judged its form) names one ward of those the caller covers, as GET /partners/wards/{wardId}
        // finds it: one it does not cover, or that does not exist, is a 404.
        var covered = await databases.ListEveryWardAsync<WardState>(
            every => every.Where(listed => (wards.Contains(listed.WardId) || provinces.Contains(listed.Province)) && (ward == null || listed.WardId == ward)),
            ct);
        if (ward is not null && covered.Count == 0)
        {
            return RequestWards.UnknownWard(ward);
        }

        var found = covered.Where(listed => province == null || listed.Province == province).ToList();

        // A province's wards are few (tens to a few hundred): the databases' answers are put in order and paged here.
        var ordered = found.OrderBy(listed => listed.Province, StringComparer.Ordinal).ThenBy(listed => listed.Name, StringComparer.Ordinal).ThenBy(listed => listed.WardId, StringComparer.Ordinal);
        return TypedResults.Ok(new ListPage<WardView>([.. ordered.Skip(paging.Offset).Take(paging.Limit).Select(WardView.Of)], found.Count, paging.Page, paging.Limit));
    }

    private static async Task<IResult> Get(
        [MinLength(WardNames.MinIdLength), MaxLength(WardNames.MaxIdLength), RegularExpression(WardNames.IdPattern)] string wardId,
        HttpContext http,
        ISessionFactory sessions,
        IOptions<WardOptions> options,
        CancellationToken ct)
    {
        if (NamesAnotherWard(http, wardId))
        {
            return NotFound(wardId);
        }

        using (WardContext.Enter(wardId))
        {
            // A document session: the factory scopes those to the ward (its query sessions are the home ward's).
            await using var session = sessions.OpenSession();
            var (ward, version) = await session.LoadStreamAsync<WardState>(Ward.StreamIdOf(wardId), ct);
            if (ward is null || !WardCoverage.Of(http, options.Value.Home).Covers(ward))
            {
                return NotFound(wardId);
            }

            http.Response.SetETag(version);
            return Results.Ok(http.ViewOf(ward));
        }
    }

    /// <summary>
    /// Whether <c>ward=</c> (well-formed: RequestWards judged its form) names another ward than <paramref name="wardId"/>, the one
    /// the path reads or changes: then that ward is, to the caller, not found.
    /// </summary>
    private static bool NamesAnotherWard(HttpContext http, string wardId) =>
        http.Request.Query.TryGetValue(RequestWards.Parameter, out var named) && named != wardId;

    /// <summary>Looks up the ward to merge into (when the caller covers it) and the wards merged into this one.</summary>
    private static async Task<Func<WardState, Decision>> MergerAsync(MergeWardRequest request, WardStep step)
    {
        var into = WardNames.IsId(request.IntoWardId)
            ? (await step.Databases.ListEveryWardAsync<WardState>(every => every.Where(ward => ward.WardId == request.IntoWardId), step.Ct)).FirstOrDefault()
            : null;
        var merged = await step.Databases.MergedWardsAsync(step.Ct);
        var command = new MergeWard(
            request.IntoWardId,
            request.EffectiveOn,
            into is not null && step.Coverage.Covers(into) ? into : null,
            [.. Ward.PredecessorsOf(merged, step.WardId)],
            Ward.LastMergedInto(merged, step.WardId));
        return ward => Ward.Merge(ward, command, step.Now, step.Actor);
    }

    private static RouteHandlerBuilder MapWardStep<TRequest>(
        this RouteGroupBuilder wards, string action, string name, string summary, Func<WardState, TRequest, DateTimeOffset, string, Decision> decide)
        where TRequest : class =>
        wards.MapWardStep<TRequest>(action, name, summary, (request, step) => Task.FromResult<Func<WardState, Decision>>(ward => decide(ward, request, step.Now, step.Actor)));

    /// <summary>
    /// Maps <c>POST /{wardId}/{action}</c>: under <c>If-Match</c>, what <paramref name="prepare"/>
    /// (looking up what the decision needs) decides on the ward's current state (see <see cref="ChangeAsync"/>).
    /// </summary>
    private static RouteHandlerBuilder MapWardStep<TRequest>(
        this RouteGroupBuilder wards, string action, string name, string summary, Func<TRequest, WardStep, Task<Func<WardState, Decision>>> prepare)
        where TRequest : class =>
        wards.MapPost(
                $"/{{wardId:{NameConstraints.WardId}}}/{action}",
                (
                    [MinLength(WardNames.MinIdLength), MaxLength(WardNames.MaxIdLength), RegularExpression(WardNames.IdPattern)] string wardId,
                    TRequest request,
                    HttpContext http,
                    ISessionFactory sessions,
                    WardDatabases databases,
                    IOptions<WardOptions> options,
                    IDocumentStore store,
                    TimeProvider clock,
                    CancellationToken ct) =>
                    ChangeAsync(wardId, http, sessions, store, options, (session, coverage) => prepare(request, new WardStep(wardId, session, databases, coverage, clock.GetUtcNow(), http.Actor(), ct)), ct))
            .Accepts<TRequest>("application/json")
            .DescribeStreamStep<WardState>(name, summary)
            .WithWardParameter(WardParameters.OfTheWardInThePath)
            .FiltersWardItself();

    /// <summary>
    /// Changes ward <paramref name="wardId"/> in its own tenant: 404 unless it exists and the caller
    /// covers it; else what <paramref name="prepare"/> (looking up what the decision needs) decides,
    /// appended under <c>If-Match</c>.
    /// </summary>
    private static async Task<IResult> ChangeAsync(
        string wardId,
        HttpContext http,
        ISessionFactory sessions,
        IDocumentStore store,
        IOptions<WardOptions> options,
        Func<IDocumentSession, WardCoverage, Task<Func<WardState, Decision>>> prepare,
        CancellationToken ct)
    {
        if (NamesAnotherWard(http, wardId))
        {
            return NotFound(wardId);
        }

        await http.TakeTurnUntilAnsweredAsync(store, WardsTurn, ct);

        using (WardContext.Enter(wardId))
        {
            await using var session = sessions.OpenSession();
            var streamId = Ward.StreamIdOf(wardId);
            var coverage = WardCoverage.Of(http, options.Value.Home);
            var (ward, _) = await session.LoadStreamAsync<WardState>(streamId, ct);
            if (ward is null || !coverage.Covers(ward))
            {
                return NotFound(wardId);
            }

            return await session.AppendToStreamAsync(http, streamId, WhatWard, await prepare(session, coverage), ct, shownId: wardId);
        }
    }

    /// <summary>The wards merged into another, of every database.</summary>
    private static Task<List<WardState>> MergedWardsAsync(this WardDatabases databases, CancellationToken ct) =>
        databases.ListEveryWardAsync<WardState>(every => every.Where(ward => ward.MergedInto != null), ct);

    private static bool IsUniqueViolation(Exception? exception)
    {
        for (; exception is not null; exception = exception.InnerException)
        {
            if (exception is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation, ConstraintName: { } constraint } && constraint == CodeIndex)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The 404 of a ward that does not exist or that the caller does not cover (a malformed id is a path no operation takes: <see cref="NameConstraints"/>).</summary>
    private static IResult NotFound(string wardId) =>
        Results.Problem(title: $"Ward {wardId} was not found.", statusCode: StatusCodes.Status404NotFound);
}
