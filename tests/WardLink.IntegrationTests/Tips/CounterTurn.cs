using Marten;
using Marten.Services;
using Npgsql;
using WardLink.EventSourcing;
using WardLink.EventSourcing.Wards;
using WardLink.Testing;

namespace WardLink.IntegrationTests.Tips;

/// <summary>
/// A test holding a yearly counter's turn (<see cref="YearlyNumbers.LockKeyOf"/>) in its own
/// transaction: whatever numbers a record of that prefix, ward and year waits in PostgreSQL until
/// <see cref="ReleaseAsync"/>, so requests stay in flight for as long as the test needs.
/// </summary>
public sealed class CounterTurn : IAsyncDisposable
{
    private readonly NpgsqlConnection _connection;
    private NpgsqlTransaction? _transaction;

    private CounterTurn(NpgsqlConnection connection) => _connection = connection;

    /// <summary>Takes the turn of the counter of <paramref name="prefix"/>, <paramref name="year"/> and <paramref name="ward"/> (the home ward when null).</summary>
    public static async Task<CounterTurn> TakeAsync(string connectionString, string prefix, int year, string? ward = null)
    {
        var turn = new CounterTurn(new NpgsqlConnection(connectionString));
        await turn._connection.OpenAsync(TestContext.Current.CancellationToken);
        turn._transaction = await turn._connection.BeginTransactionAsync(TestContext.Current.CancellationToken);
        await turn.ExecuteAsync($"SELECT pg_advisory_xact_lock({YearlyNumbers.LockKeyOf(prefix, ward ?? new HomeWard().Id, year)})");
        return turn;
    }

    /// <summary>
    /// Holds the row of the counter of <paramref name="prefix"/> and <paramref name="year"/> in the home ward
    /// (its stream in <c>mt_streams</c>, which must exist): every append to the counter, with or without the
    /// counter's turn, waits in PostgreSQL until <see cref="ReleaseAsync"/>.
    /// </summary>
    public static async Task<CounterTurn> HoldRowAsync(string connectionString, string schema, string prefix, int year)
    {
        var turn = new CounterTurn(new NpgsqlConnection(connectionString));
        await turn._connection.OpenAsync(TestContext.Current.CancellationToken);
        turn._transaction = await turn._connection.BeginTransactionAsync(TestContext.Current.CancellationToken);
        await using var hold = new NpgsqlCommand($"SELECT version FROM {schema}.mt_streams WHERE id = $1 FOR UPDATE", turn._connection)
        {
            Parameters = { new() { Value = YearlyNumbers.CounterOf(prefix, new HomeWard().Id, year) } },
        };
        Assert.NotNull(await hold.ExecuteScalarAsync(TestContext.Current.CancellationToken));
        return turn;
    }

    /// <summary>The process ids of the backends of this database waiting for a lock.</summary>
    public async Task<HashSet<string>> LockWaitersAsync()
    {
        await using var command = new NpgsqlCommand(
            "SELECT pid::text FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()",
            _connection);
        await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        var waiters = new HashSet<string>();
        while (await reader.ReadAsync(TestContext.Current.CancellationToken))
        {
            waiters.Add(reader.GetString(0));
        }

        return waiters;
    }

    /// <summary>The process id of a backend that waits for a lock and is not among <paramref name="known"/>, once there is one.</summary>
    public Task<string> NewLockWaiterAsync(IReadOnlySet<string> known, string what) => Eventually.Get(
        async () => (await LockWaitersAsync()).Except(known).FirstOrDefault(),
        what);

    /// <summary>The process id of the backend that waits for the turn (a batch being committed), once there is one.</summary>
    public Task<string> WaiterAsync() => Eventually.Get(
        async () =>
        {
            await using var command = new NpgsqlCommand(
                "SELECT pid::text FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
                _connection);
            return await command.ExecuteScalarAsync(TestContext.Current.CancellationToken) as string;
        },
        "a writer waiting for the counter's turn");

    /// <summary>Drops the connection of backend <paramref name="pid"/>, as a network failure or a restart would.</summary>
    public Task TerminateAsync(string pid) => ExecuteAsync($"SELECT pg_terminate_backend({pid})");

    /// <summary>
    /// Numbers <paramref name="count"/> records (not tips) on the held counter, after its last number, as
    /// another writer (a replica) would, in the transaction that holds the row, and commits it: the records' ids.
    /// </summary>
    public async Task<IReadOnlyList<Guid>> NumberAndCommitAsync(IDocumentStore store, string prefix, int year, int count)
    {
        var ct = TestContext.Current.CancellationToken;
        var counter = YearlyNumbers.CounterOf(prefix, new HomeWard().Id, year);
        var records = Enumerable.Range(0, count).Select(_ => Guid.CreateVersion7()).ToList();
        await using (var session = store.LightweightSession(SessionOptions.ForTransaction(_transaction!)))
        {
            var last = (await session.Events.FetchStreamAsync(counter, token: ct)).Sum(stored => stored.Data switch
            {
                NumberReserved => 1,
                NumbersReserved batch => batch.Numbers.Count,
                _ => 0,
            });
            session.Events.Append(counter, new NumbersReserved([.. records.Select((record, n) => new NumberReserved($"{prefix}-QT-{year}-{last + n + 1:0000}", record))]));
            await session.SaveChangesAsync(ct);
        }

        await _transaction!.CommitAsync(ct);
        await _transaction.DisposeAsync();
        _transaction = null;
        return records;
    }

    public async Task ReleaseAsync()
    {
        if (_transaction is not null)
        {
            await _transaction.RollbackAsync(TestContext.Current.CancellationToken);
            await _transaction.DisposeAsync();
            _transaction = null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await ReleaseAsync();
        await _connection.DisposeAsync();
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var command = new NpgsqlCommand(sql, _connection);
        await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
    }
}
