using JasperFx;
using Marten;
using MassTransit;
using WardLink.Contracts.Wards;
using WardLink.Domain;
using WardLink.EventSourcing.Sites;

namespace WardLink.EventSourcing.Wards;

/// <summary>
/// A ward as this service knows it from the partners service's events (or, for the deployment's
/// home ward, from configuration until its first event arrives: version 0). Kept once for the whole
/// store, not per ward: every ward reads the same directory. <c>Tenant</c> is the ward's tenant in the
/// store (<see cref="WardTenants"/>).
/// </summary>
public sealed record KnownWard(
    string Id,
    string Code,
    string Name,
    string Province,
    DateOnly? EstablishedOn,
    long Version,
    string Tenant,
    string? MergedInto = null,
    DateOnly? EndedOn = null)
{
    /// <summary>The first instant (local midnight) from which the ward no longer records anything of its own; null while it exists.</summary>
    public DateTimeOffset? EndsAt => EndedOn is { } ended ? new DateTimeOffset(ended.ToDateTime(TimeOnly.MinValue), WardTime.Offset) : null;
}

/// <summary>
/// One ward's share of a statistic under some boundaries: the ward's own records up to
/// <paramref name="Until"/> (exclusive; null: all of them).
/// </summary>
public sealed record WardShare(string Ward, DateTimeOffset? Until);

/// <summary>
/// The jurisdiction directory every service keeps, as it keeps the site directory: fed by
/// <see cref="WardEstablished"/>, <see cref="WardRenamed"/>, <see cref="WardMerged"/> and
/// <see cref="WardDissolved"/>, it names the wards, their codes and provinces, and the mergers that
/// statistics under current boundaries follow.
/// </summary>
public static class JurisdictionDirectory
{
    public static void AddJurisdictionDirectory(this StoreOptions store) =>
        store.Schema.For<KnownWard>().SingleTenanted().Index(ward => ward.Province).Index(ward => ward.Tenant).Index(ward => ward.MergedInto!).UseOptimisticConcurrency(true);

    public static void AddJurisdictionDirectory(this IBusRegistrationConfigurator bus)
    {
        bus.AddConsumer<WardEstablishedConsumer>();
        bus.AddConsumer<WardRenamedConsumer>();
        bus.AddConsumer<WardMergedConsumer>();
        bus.AddConsumer<WardDissolvedConsumer>();
    }

    /// <summary>The ward, or null when this service does not know it.</summary>
    public static Task<KnownWard?> WardAsync(this IQuerySession session, string ward, CancellationToken ct) =>
        session.LoadAsync<KnownWard>(ward, ct);

    /// <summary>
    /// The ward <paramref name="session"/> acts in, or null when this service does not know it: as the
    /// current work read it on entering the ward (<see cref="WardContext.Known"/>), else from the directory.
    /// </summary>
    public static Task<KnownWard?> WardOfSessionAsync(this IQuerySession session, CancellationToken ct)
    {
        var tenant = session.TenantId;
        return WardContext.Known is { } known && known.Tenant == tenant
            ? Task.FromResult<KnownWard?>(known)
            : session.Query<KnownWard>().FirstOrDefaultAsync(ward => ward.Tenant == tenant, ct);
    }

    /// <summary>
    /// Every ward of <paramref name="provinces"/>, the one a province client acts in when it names none first: those not ended
    /// by <paramref name="now"/> (merged or dissolved; a merger recorded for a later day ends nothing yet) first,
    /// <paramref name="home"/> first of them, then by id. (The first by id acted for it, ended or not: a ward established with
    /// an id that sorts earlier took every such request, and an ended one refused them all.)
    /// </summary>
    public static async Task<IReadOnlyList<string>> WardsOfAsync(this IQuerySession session, IReadOnlyCollection<string> provinces, string home, DateTimeOffset now, CancellationToken ct)
    {
        if (provinces.Count == 0)
        {
            return [];
        }

        var wards = await session.Query<KnownWard>().Where(ward => provinces.Contains(ward.Province)).ToListAsync(ct);
        return [.. wards.OrderBy(ward => ward.EndsAt <= now).ThenBy(ward => ward.Id != home).ThenBy(ward => ward.Id, StringComparer.Ordinal).Select(ward => ward.Id)];
    }

    /// <summary>
    /// What a statistic of <paramref name="ward"/> counts. As recorded: the ward's own records. Under
    /// current boundaries: those up to the ward's own end (<paramref name="endsAt"/>, its merger or dissolution: what
    /// is dated from then on is no current ward's), and every ward merged into it (directly or through another merger),
    /// each up to the date it was merged.
    /// </summary>
    public static async Task<IReadOnlyList<WardShare>> SharesOfAsync(this IQuerySession session, string ward, DateTimeOffset? endsAt, bool currentBoundaries, CancellationToken ct)
    {
        var shares = new List<WardShare> { new(ward, currentBoundaries ? endsAt : null) };
        if (!currentBoundaries)
        {
            return shares;
        }

        var merged = await session.Query<KnownWard>().Where(known => known.MergedInto != null).ToListAsync(ct);
        var seen = new HashSet<string> { ward };
        var next = new Queue<WardShare>(shares);
        while (next.TryDequeue(out var successor))
        {
            foreach (var predecessor in merged.Where(known => known.MergedInto == successor.Ward && seen.Add(known.Id)))
            {
                var until = Earlier(predecessor.EndsAt, successor.Until);
                var share = new WardShare(predecessor.Id, until);
                shares.Add(share);
                next.Enqueue(share);
            }
        }

        return shares;
    }

    /// <summary>Stores the home ward from configuration when the directory does not know it yet (version 0: its first event overwrites it).</summary>
    internal static async Task KnowHomeAsync(this IDocumentSession session, HomeWard home, CancellationToken ct)
    {
        if (await session.LoadAsync<KnownWard>(home.Id, ct) is null)
        {
            session.Insert(new KnownWard(home.Id, home.Code, home.Name, home.Province, null, 0, WardTenants.DefaultTenant));
            await session.SaveChangesAsync(ct);
        }
    }

    internal static async Task<KnownWard> LoadKnownAsync(this IDocumentSession session, string messageType, string ward, CancellationToken ct) =>
        await session.LoadAsync<KnownWard>(ward, ct)
        ?? throw new NotKnownYetException($"{messageType} for ward '{ward}', which is not known here (yet).");

    /// <summary>Stores <paramref name="candidate"/> unless the directory already holds as new a version (see the site directory's rule).</summary>
    internal static void KeepNewest(this IDocumentSession session, KnownWard? known, KnownWard candidate)
    {
        if (known is null)
        {
            session.Insert(candidate);
        }
        else if (candidate.Version > known.Version)
        {
            session.Update(candidate);
        }
    }

    /// <summary>Keeps a ward's end (its last step) beside its details, whose version it leaves as it is.</summary>
    internal static void KeepEnd(this IDocumentSession session, KnownWard known, string? mergedInto, DateOnly endedOn)
    {
        if (known.MergedInto != mergedInto || known.EndedOn != endedOn)
        {
            session.Update(known with { MergedInto = mergedInto, EndedOn = endedOn });
        }
    }

    internal static void Validate(string messageType, string ward, long version)
    {
        if (!WardNames.IsId(ward) || version < 1)
        {
            throw new InvalidMessageException($"{messageType} for ward '{ward}' (version {version}) is not a valid ward change.");
        }
    }

    private static DateTimeOffset? Earlier(DateTimeOffset? a, DateTimeOffset? b) =>
        a is null ? b : b is null ? a : a < b ? a : b;
}

public sealed class WardEstablishedConsumer(IDocumentSession session, TimeProvider clock, WardDatabases databases, WardTenants tenants)
    : DirectoryConsumer<WardEstablished>(session, clock, databases, tenants)
{
    protected override async Task KeepAsync(WardEstablished message, IDocumentSession session, string ward, CancellationToken cancellationToken)
    {
        JurisdictionDirectory.Validate(nameof(WardEstablished), message.WardId, message.WardVersion);
        if (!WardNames.IsCode(message.Code) || !WardNames.IsId(message.Province) || string.IsNullOrWhiteSpace(message.Name))
        {
            throw new InvalidMessageException($"{nameof(WardEstablished)} for ward '{message.WardId}' has no valid code, name or province.");
        }

        // An end already kept (the ward's last step, which leaves the version) stays: the home ward is known at version 0
        // from configuration, so its establishment arriving after its merger is newer by version.
        var known = await session.LoadAsync<KnownWard>(message.WardId, cancellationToken);
        session.KeepNewest(known, new KnownWard(
            message.WardId, message.Code, message.Name, message.Province, message.EstablishedOn, message.WardVersion, Tenants.TenantOf(message.WardId), known?.MergedInto, known?.EndedOn));
    }
}

public sealed class WardRenamedConsumer(IDocumentSession session, TimeProvider clock, WardDatabases databases, WardTenants tenants)
    : DirectoryConsumer<WardRenamed>(session, clock, databases, tenants)
{
    protected override async Task KeepAsync(WardRenamed message, IDocumentSession session, string ward, CancellationToken cancellationToken)
    {
        JurisdictionDirectory.Validate(nameof(WardRenamed), message.WardId, message.WardVersion);
        var known = await session.LoadKnownAsync(nameof(WardRenamed), message.WardId, cancellationToken);
        session.KeepNewest(known, known with { Name = message.Name, Version = message.WardVersion });
    }
}

/// <summary>
/// A ward's merger is its last step (partners changes no ended ward) and names none of its details: they, and their
/// version, stay, so a rename it overtook (each message type has its own queue) still applies when it arrives.
/// </summary>
public sealed class WardMergedConsumer(IDocumentSession session, TimeProvider clock, WardDatabases databases, WardTenants tenants)
    : DirectoryConsumer<WardMerged>(session, clock, databases, tenants)
{
    protected override async Task KeepAsync(WardMerged message, IDocumentSession session, string ward, CancellationToken cancellationToken)
    {
        JurisdictionDirectory.Validate(nameof(WardMerged), message.WardId, message.WardVersion);
        session.KeepEnd(await session.LoadKnownAsync(nameof(WardMerged), message.WardId, cancellationToken), message.IntoWardId, message.EffectiveOn);
    }
}

/// <summary>A ward's dissolution: its last step, kept as a merger is (its details and their version stay).</summary>
public sealed class WardDissolvedConsumer(IDocumentSession session, TimeProvider clock, WardDatabases databases, WardTenants tenants)
    : DirectoryConsumer<WardDissolved>(session, clock, databases, tenants)
{
    protected override async Task KeepAsync(WardDissolved message, IDocumentSession session, string ward, CancellationToken cancellationToken)
    {
        JurisdictionDirectory.Validate(nameof(WardDissolved), message.WardId, message.WardVersion);
        session.KeepEnd(await session.LoadKnownAsync(nameof(WardDissolved), message.WardId, cancellationToken), null, message.EffectiveOn);
    }
}

/// <summary>
/// On start, the directory knows the home ward (from configuration, until its first event arrives), in every
/// database; and every database other than the main one holds what the main one's directories know (a group of
/// wards moved to a database of its own finds the wards and sites known before).
/// </summary>
internal sealed class HomeWardKnown(IDocumentStore store, Microsoft.Extensions.Options.IOptions<WardOptions> wards, WardDatabases databases, bool keepsSites)
    : Microsoft.Extensions.Hosting.IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var tenant in databases.SessionTenants)
        {
            await using var session = store.LightweightSession(tenant);
            try
            {
                await session.KnowHomeAsync(wards.Value.Home, cancellationToken);
            }
            catch (DocumentAlreadyExistsException)
            {
                // Another replica starting alongside stored it first.
            }
        }

        if (databases.SessionTenants.Count == 1)
        {
            return;
        }

        await using var main = store.QuerySession();
        var known = await main.Query<KnownWard>().ToListAsync(cancellationToken);
        var sites = keepsSites ? await main.Query<KnownSite>().ToListAsync(cancellationToken) : [];
        await databases.WriteInTheOtherDatabasesAsync(
            WardTenants.DefaultTenant,
            async copy =>
            {
                foreach (var ward in known)
                {
                    copy.KeepNewest(await copy.LoadAsync<KnownWard>(ward.Id, cancellationToken), ward);
                }

                foreach (var site in sites)
                {
                    copy.KeepNewest(await copy.LoadAsync<KnownSite>(site.Id, cancellationToken), site);
                }
            },
            cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
