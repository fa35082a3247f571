using System.Collections.Concurrent;
using System.Data;
using JasperFx.Descriptors;
using JasperFx.MultiTenancy;
using Marten;
using Marten.Schema;
using Marten.Services;
using Marten.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Npgsql;
using WardLink.Domain;
using Weasel.Core.Migrations;
using Weasel.Postgresql.Connections;

namespace WardLink.EventSourcing.Wards;

/// <summary>
/// A group of wards whose records a service keeps in a database of their own (<c>Wards:Databases:{name}</c>),
/// typically on another PostgreSQL cluster; see docs/wards.md, "Wards on several databases".
/// </summary>
public sealed class WardDatabase
{
    /// <summary>The Npgsql connection string of the service's database for these wards (its password may come from <c>PGPASSWORD</c>).</summary>
    public string ConnectionString { get; set; } = string.Empty;

    /// <summary>The ids of the wards kept there.</summary>
    public List<string> Wards { get; set; } = [];
}

/// <summary>
/// Which database holds each ward's records: the service's own (<c>ConnectionStrings:Postgres</c>, named
/// <see cref="Main"/>) holds the home ward, every ward no group names, and the directories; each group of
/// <c>Wards:Databases</c> holds its wards. Reads that span wards ask each database holding some of them
/// (<see cref="ReadAsync{T}"/>, <see cref="ReadEveryWardAsync{T}"/>).
/// </summary>
public sealed class WardDatabases
{
    /// <summary>The name of the service's own database.</summary>
    public const string Main = "main";

    private readonly IDocumentStore _store;
    private readonly WardTenants _tenants;
    private readonly Dictionary<string, string> _databaseOfWard;
    private readonly Moment? _moment;

    public WardDatabases(IDocumentStore store, WardTenants tenants, IOptions<WardOptions> options)
    {
        (_store, _tenants) = (store, tenants);
        _databaseOfWard = options.Value.Databases
            .SelectMany(group => group.Value.Wards.Select(ward => (Ward: ward, Database: group.Key)))
            .ToDictionary(pair => pair.Ward, pair => pair.Database, StringComparer.Ordinal);

        // A tenant of each database, to open sessions in it: the home ward's in the main one, a group's first ward in each other.
        SessionTenants = [WardTenants.DefaultTenant, .. options.Value.Databases.Values.Select(group => tenants.TenantOf(group.Wards[0]))];
    }

    private WardDatabases(WardDatabases databases, Moment moment)
    {
        (_store, _tenants, _databaseOfWard, SessionTenants) = (databases._store, databases._tenants, databases._databaseOfWard, databases.SessionTenants);
        _moment = moment;
    }

    /// <summary>Whether every database these read answers from one snapshot (<see cref="AtOneMomentAsync{T}"/>).</summary>
    public bool IsAtOneMoment => _moment is not null;

    /// <summary>
    /// What <paramref name="read"/> finds with the databases read at one moment: each database it asks answers every one of its
    /// queries from one snapshot (a read-only serializable transaction, its snapshot taken at its first query there), so the
    /// figures of one answer agree with each other whatever commits meanwhile; no writer is serializable, so none conflicts with
    /// it. Its queries name the tenants they read (a database's snapshot is a session in the tenant first asked there).
    /// </summary>
    public async Task<T> AtOneMomentAsync<T>(Func<WardDatabases, Task<T>> read)
    {
        if (IsAtOneMoment)
        {
            return await read(this);
        }

        await using var moment = new Moment(_store);
        return await read(new WardDatabases(this, moment));
    }

    /// <summary>One tenant of each database (to open a session in it), the main one first.</summary>
    public IReadOnlyList<string> SessionTenants { get; }

    /// <summary>The wards' tenants.</summary>
    public WardTenants Wards => _tenants;

    /// <summary>The name of the database that keeps <paramref name="ward"/>'s records.</summary>
    public string DatabaseOf(string ward) => _databaseOfWard.GetValueOrDefault(ward, Main);

    /// <summary>The ward of tenant <paramref name="tenant"/>.</summary>
    public string WardOfTenant(string tenant) => _tenants.WardOf(tenant);

    /// <summary>The database that keeps the records of tenant <paramref name="tenant"/>.</summary>
    public string DatabaseOfTenant(string tenant) => DatabaseOf(_tenants.WardOf(tenant));

    /// <summary>
    /// What <paramref name="read"/> finds of <paramref name="wards"/>, asked once in each database that keeps
    /// some of them, with a session there and those wards' tenants (for <c>TenantIsOneOf</c>), put together.
    /// </summary>
    public async Task<List<T>> ReadAsync<T>(IEnumerable<string> wards, Func<IQuerySession, string[], Task<IReadOnlyList<T>>> read)
    {
        var found = new List<T>();
        foreach (var group in wards.Distinct().GroupBy(DatabaseOf).OrderBy(group => group.Key != Main))
        {
            var tenants = group.Select(_tenants.TenantOf).ToArray();
            found.AddRange(await InSessionAsync(tenants[0], session => read(session, tenants)));
        }

        return found;
    }

    /// <summary>The <typeparamref name="T"/> rows or documents of <paramref name="wards"/> that <paramref name="query"/> keeps, from each database keeping some of those wards.</summary>
    public Task<List<T>> ListAsync<T>(IEnumerable<string> wards, Func<IQueryable<T>, IQueryable<T>> query, CancellationToken ct)
        where T : notnull =>
        ReadAsync(wards, async (session, tenants) => (IReadOnlyList<T>)await query(session.Query<T>().Where(row => row.TenantIsOneOf(tenants))).ToListAsync(ct));

    /// <summary>The <typeparamref name="T"/> rows or documents of every ward that <paramref name="query"/> keeps, from each database.</summary>
    public Task<List<T>> ListEveryWardAsync<T>(Func<IQueryable<T>, IQueryable<T>> query, CancellationToken ct)
        where T : notnull =>
        ReadEveryWardAsync(async session => (IReadOnlyList<T>)await query(session.Query<T>().Where(row => row.AnyTenant())).ToListAsync(ct));

    /// <summary>What <paramref name="read"/> finds in every ward (its queries say <c>AnyTenant</c>), asked once in each database, put together.</summary>
    public async Task<List<T>> ReadEveryWardAsync<T>(Func<IQuerySession, Task<IReadOnlyList<T>>> read)
    {
        var found = new List<T>();
        foreach (var tenant in SessionTenants)
        {
            found.AddRange(await InSessionAsync(tenant, read));
        }

        return found;
    }

    /// <summary>What <paramref name="read"/> finds in a session of <paramref name="tenant"/>'s database: the moment's, or one of its own.</summary>
    private async Task<T> InSessionAsync<T>(string tenant, Func<IQuerySession, Task<T>> read)
    {
        if (_moment is not null)
        {
            return await read(await _moment.SessionAsync(DatabaseOfTenant(tenant), tenant));
        }

        await using var session = _store.QuerySession(tenant);
        return await read(session);
    }

    /// <summary>A session of each database asked, each in one read-only transaction (Marten's serializable query session), ended with the moment.</summary>
    private sealed class Moment(IDocumentStore store) : IAsyncDisposable
    {
        private readonly Dictionary<string, IQuerySession> _sessions = new(StringComparer.Ordinal);

        public async Task<IQuerySession> SessionAsync(string database, string tenant)
        {
            if (!_sessions.TryGetValue(database, out var session))
            {
                session = await store.QuerySerializableSessionAsync(new SessionOptions { TenantId = tenant, IsolationLevel = IsolationLevel.Serializable });
                _sessions.Add(database, session);
            }

            return session;
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var session in _sessions.Values)
            {
                await session.DisposeAsync();
            }
        }
    }

    /// <summary>The tenants (wards) that hold a stream of <paramref name="ids"/>, in any database.</summary>
    public async Task<List<string>> TenantsOfStreamsAsync(Guid[] ids, CancellationToken ct) =>
        [.. (await ReadEveryWardAsync(session =>
                session.AdvancedSql.QueryAsync<string>($"select distinct tenant_id from {session.DocumentStore.Options.Events.DatabaseSchemaName}.mt_streams where id = any(?)", ct, ids)))
            .Distinct()];

    /// <summary>Does <paramref name="write"/> in a session of each database other than the one of <paramref name="tenant"/>, committing each.</summary>
    public async Task WriteInTheOtherDatabasesAsync(string tenant, Func<IDocumentSession, Task> write, CancellationToken ct)
    {
        var own = DatabaseOfTenant(tenant);
        foreach (var other in SessionTenants.Where(other => DatabaseOfTenant(other) != own))
        {
            await using var session = _store.LightweightSession(other);
            await write(session);
            await session.SaveChangesAsync(ct);
        }
    }

    /// <summary>
    /// Refuses a configuration that moves a ward away from a database that already holds records of it (out of the main
    /// one, from one group's to another's, or back to the main one while its group's database is still configured): kept
    /// there, they would be out of sight, and its numbers would start again in the other database.
    /// </summary>
    public async Task CheckMovedWardsAsync(CancellationToken ct)
    {
        // With no group configured, every ward is kept in the main database: none can be held elsewhere.
        if (SessionTenants.Count == 1)
        {
            return;
        }

        var stranded = new List<string>();
        foreach (var tenant in SessionTenants)
        {
            var database = DatabaseOfTenant(tenant);
            await using var session = _store.QuerySession(tenant);
            var held = await session.AdvancedSql.QueryAsync<string>(
                $"select distinct tenant_id from {_store.Options.Events.DatabaseSchemaName}.mt_streams order by tenant_id", ct);
            stranded.AddRange(held.Where(kept => DatabaseOfTenant(kept) != database).Select(kept => $"{_tenants.WardOf(kept)} (held by {database}, kept in {DatabaseOfTenant(kept)})"));
        }

        if (stranded.Count > 0)
        {
            throw new InvalidOperationException(
                $"{WardOptions.Section}:Databases keeps {string.Join(", ", stranded)} in another database than the one that already holds " +
                "records of it: they would be out of sight, and its numbers would start again. Keep it where its records are, or copy them " +
                "to the other database first (WardLink does not copy them).");
        }
    }

    /// <summary>The configuration's problems: each group names a connection string and at least one valid ward, none the home ward, no ward twice.</summary>
    public static IEnumerable<string> Problems(WardOptions options)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, group) in options.Databases)
        {
            var at = $"{WardOptions.Section}:Databases:{name}";
            if (!WardNames.IsId(name) || name == Main)
            {
                yield return $"{at}: a database group's name is lower-case words joined by hyphens, and not '{Main}'.";
            }

            if (string.IsNullOrWhiteSpace(group.ConnectionString))
            {
                yield return $"{at}:ConnectionString is required.";
            }

            if (group.Wards.Count == 0)
            {
                yield return $"{at}:Wards names at least one ward.";
            }

            foreach (var ward in group.Wards)
            {
                if (!WardNames.IsId(ward))
                {
                    yield return $"{at}:Wards: '{ward}' is not a ward id.";
                }
                else if (ward == options.Home.Id)
                {
                    yield return $"{at}:Wards: the home ward '{ward}' stays in the service's own database.";
                }
                else if (!seen.Add(ward))
                {
                    yield return $"{at}:Wards: '{ward}' is named by another group too.";
                }
            }
        }
    }
}

/// <summary>Readiness of the databases that keep groups of wards (the service's own is checked apart): each answers a query.</summary>
internal sealed class WardDatabasesHealthCheck(IDocumentStore store, WardDatabases databases) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var unreachable = new List<string>();
        foreach (var tenant in databases.SessionTenants.Skip(1))
        {
            try
            {
                await using var connection = (await store.Storage.FindOrCreateDatabase(tenant)).CreateConnection();
                await connection.OpenAsync(cancellationToken);
                await using var command = new NpgsqlCommand("select 1", connection);
                await command.ExecuteScalarAsync(cancellationToken);
            }
            catch (NpgsqlException)
            {
                unreachable.Add(databases.DatabaseOfTenant(tenant));
            }
        }

        var groups = databases.SessionTenants.Count - 1;
        return unreachable.Count == 0
            ? HealthCheckResult.Healthy($"{groups} database(s) of groups of wards answer.")
            : HealthCheckResult.Unhealthy($"The database(s) of ward group(s) {string.Join(", ", unreachable)} do not answer.");
    }
}

/// <summary>On start, before anything is read or written: no ward is moved away from records it already has (<see cref="WardDatabases.CheckMovedWardsAsync"/>).</summary>
internal sealed class MovedWardsCheck(WardDatabases databases) : Microsoft.Extensions.Hosting.IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => databases.CheckMovedWardsAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>
/// Marten's tenancy when wards are spread over databases: Marten's static multi-database tenancy for the
/// groups' wards, and the main database for the default tenant and every ward the configuration does not
/// move (so a ward established later needs no restart). Each database keeps its wards conjoined.
/// </summary>
internal sealed class WardTenancy : ITenancy
{
    private readonly Lazy<StaticMultiTenancy> _databases;
    private readonly HashSet<string> _moved;
    private readonly HashSet<string> _names;
    private readonly ConcurrentDictionary<string, Tenant> _stayed = new(StringComparer.Ordinal);

    public WardTenancy(StoreOptions options, string main, WardOptions wards, WardTenants tenants)
    {
        _moved = [.. wards.Databases.Values.SelectMany(group => group.Wards).Select(tenants.TenantOf)];
        _names = [WardDatabases.Main, .. wards.Databases.Keys];
        _databases = new(() =>
        {
            var databases = new StaticMultiTenancy(new DefaultNpgsqlDataSourceFactory(), options);
            databases.AddMultipleTenantDatabase(main, WardDatabases.Main).ForTenants().AsDefault();
            foreach (var (name, group) in wards.Databases)
            {
                databases.AddMultipleTenantDatabase(EventStore.Tuned(group.ConnectionString), name).ForTenants([.. group.Wards.Select(tenants.TenantOf)]);
            }

            return databases;
        });
    }

    private StaticMultiTenancy Databases => _databases.Value;

    public Tenant Default => Databases.Default;

    public IDocumentCleaner Cleaner => Databases.Cleaner;

    public DatabaseCardinality Cardinality => DatabaseCardinality.StaticMultiple;

    public Tenant GetTenant(string tenantId) =>
        _moved.Contains(tenantId) ? Databases.GetTenant(tenantId) : _stayed.GetOrAdd(tenantId, id => new Tenant(id, Default.Database));

    public ValueTask<Tenant> GetTenantAsync(string tenantId) => ValueTask.FromResult(GetTenant(tenantId));

    public ValueTask<IMartenDatabase> FindOrCreateDatabase(string tenantIdOrDatabaseIdentifier) =>
        _moved.Contains(tenantIdOrDatabaseIdentifier) || _names.Contains(tenantIdOrDatabaseIdentifier)
            ? Databases.FindOrCreateDatabase(tenantIdOrDatabaseIdentifier)
            : ValueTask.FromResult(Default.Database);

    public ValueTask<IMartenDatabase> FindDatabase(DatabaseId id) => ((ITenancy)Databases).FindDatabase(id);

    public bool IsTenantStoredInCurrentDatabase(IMartenDatabase database, string tenantId) =>
        _moved.Contains(tenantId) ? Databases.IsTenantStoredInCurrentDatabase(database, tenantId) : ReferenceEquals(database, Default.Database);

    public ValueTask<IReadOnlyList<IDatabase>> BuildDatabases() => Databases.BuildDatabases();

    public ValueTask<DatabaseUsage> DescribeDatabasesAsync(CancellationToken token) => Databases.DescribeDatabasesAsync(token);

    public void Dispose() => Databases.Dispose();
}
