using System.Diagnostics;
using JasperFx.Events.Projections;
using Marten;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using WardLink.EventSourcing.Wards;

namespace WardLink.EventSourcing;

/// <summary>
/// A service's read models: each a Marten projection of the events into rows that hold only what a
/// list or a statistic reads, kept inline (written in the transaction that appends the events, so a
/// read never lags the write it follows). A service names each once (<see cref="Add{TProjection, TRow}"/>);
/// the store registers them and <see cref="ReadModelRebuild"/> fills an empty one from the events on start.
/// </summary>
public sealed class ReadModels
{
    private readonly List<ReadModel> _all = [];

    public IReadOnlyList<ReadModel> All => _all;

    /// <summary>The read model of <typeparamref name="TRow"/> rows that <typeparamref name="TProjection"/> projects from the events.</summary>
    public ReadModels Add<TProjection, TRow>()
        where TProjection : IProjectionSource<IDocumentOperations, IQuerySession>, new()
        where TRow : notnull
    {
        _all.Add(new ReadModel(
            typeof(TRow).Name,
            typeof(TProjection),
            options => options.Projections.Add(new TProjection(), ProjectionLifecycle.Inline),
            (session, ct) => session.Query<TRow>().Where(row => row.AnyTenant()).AnyAsync(ct)));
        return this;
    }

    internal void Register(StoreOptions options)
    {
        foreach (var model in _all)
        {
            model.Register(options);
        }
    }
}

/// <summary>One read model: its rows' name, its projection, how the store registers it, and whether it has rows yet.</summary>
public sealed record ReadModel(string Name, Type Projection, Action<StoreOptions> Register, Func<IQuerySession, CancellationToken, Task<bool>> HasRowsAsync);

/// <summary>
/// On start, before the service answers or consumes: a read model with no rows in a store that has
/// events (a store written before the read model existed, or one whose rows were dropped) is rebuilt
/// from the events, so an upgraded service answers its lists and statistics as before. Replicas
/// starting together take turns (an advisory lock), so one rebuilds and the others find its rows.
/// A rebuild is logged when it starts, and as a warning when it found events to project (a read model
/// whose events have not happened yet, e.g. no action item so far, stays empty and quiet); a store
/// whose read models have rows is not touched.
/// </summary>
internal sealed partial class ReadModelRebuild(IDocumentStore store, ReadModels readModels, WardDatabases databases, ILogger<ReadModelRebuild> logger) : IHostedService
{
    /// <summary>How long one read model's rebuild may take before the start fails.</summary>
    internal static readonly TimeSpan Timeout = TimeSpan.FromMinutes(30);

    /// <summary>The advisory lock (in the service's own database) its replicas take in turn to check and rebuild.</summary>
    private const long LockKey = 0x5761_7264_526D_3139;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // Each database on its own (wards kept apart, WardDatabases), one replica at a time: a second one starting alongside waits, then finds the rows there.
        foreach (var tenant in databases.SessionTenants)
        {
            await using var connection = (await store.Storage.FindOrCreateDatabase(tenant)).CreateConnection();
            await connection.OpenAsync(cancellationToken);
            await LockAsync(connection, "select pg_advisory_lock(@key)", cancellationToken);
            try
            {
                await RebuildEmptyAsync(tenant, cancellationToken);
            }
            finally
            {
                await LockAsync(connection, "select pg_advisory_unlock(@key)", CancellationToken.None);
            }
        }
    }

    private static async Task LockAsync(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("key", LockKey);
        await command.ExecuteNonQueryAsync(ct);
    }

    private async Task RebuildEmptyAsync(string tenant, CancellationToken cancellationToken)
    {
        // Asking each read model first also readies its storage, so no first request pays for that.
        var empty = new List<ReadModel>();
        await using (var session = store.QuerySession(tenant))
        {
            foreach (var model in readModels.All)
            {
                if (!await model.HasRowsAsync(session, cancellationToken))
                {
                    empty.Add(model);
                }
            }

            if (empty.Count == 0 || !(await session.AdvancedSql.QueryAsync<bool>(
                    $"select exists(select 1 from {store.Options.Events.DatabaseSchemaName}.mt_events)", cancellationToken)).Single())
            {
                return;
            }
        }

        using var daemon = await store.BuildProjectionDaemonAsync(tenant, logger);
        foreach (var model in empty)
        {
            LogRebuilding(model.Name);
            var started = Stopwatch.GetTimestamp();
            await daemon.RebuildProjectionAsync(model.Projection, Timeout, cancellationToken);
            await using var session = store.QuerySession(tenant);
            if (await model.HasRowsAsync(session, cancellationToken))
            {
                LogRebuilt(model.Name, Stopwatch.GetElapsedTime(started).TotalSeconds);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Read model {ReadModel} has no rows while the event store has events: rebuilding it from its events, if any, before the service starts")]
    private partial void LogRebuilding(string readModel);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Read model {ReadModel} had no rows while the event store held its events (a store from before it existed, or its rows were dropped): rebuilt from the events in {Seconds:0.0} s")]
    private partial void LogRebuilt(string readModel, double seconds);
}
