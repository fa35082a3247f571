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
