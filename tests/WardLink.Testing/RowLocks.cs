using Npgsql;

namespace WardLink.Testing;

/// <summary>What a test sees of PostgreSQL's locks: whether a writer it started now waits on a row another holds.</summary>
public static class RowLocks
{
    /// <summary>Whether any session of the database <paramref name="connectionString"/> names waits on a lock now.</summary>
    public static async Task<bool> AnyWaitingAsync(string connectionString, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var waiting = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'", connection);
        return (long)(await waiting.ExecuteScalarAsync(ct))! > 0;
    }
}
