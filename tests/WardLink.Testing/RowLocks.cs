using Marten;
using Npgsql;

namespace WardLink.Testing;

/// <summary>What a test sees of PostgreSQL's locks, and a step held open while another writer meets it.</summary>
public static class RowLocks
{
    /// <summary>How many sessions of the database <paramref name="connectionString"/> names wait on a lock now.</summary>
    public static async Task<long> WaitingAsync(string connectionString, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var waiting = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'", connection);
        return (long)(await waiting.ExecuteScalarAsync(ct))!;
    }

    /// <summary>
    /// Holds record <paramref name="id"/>'s row as a step does (from its read), starts <paramref name="meanwhile"/> (given the
    /// version the step read), waits until a writer waits on a lock, then commits the step's <paramref name="appended"/> event
    /// and lets the row go: what <paramref name="meanwhile"/> started, to be awaited.
    /// </summary>
    public static async Task<Task> WhileAStepHoldsAsync<TState>(
        this IDocumentStore store, string connectionString, Guid id, Func<long, Task> meanwhile, object appended, CancellationToken ct)
        where TState : class
    {
        await using var step = store.LightweightSession();
        var held = await step.Events.FetchForExclusiveWriting<TState>(id, ct);
        var started = meanwhile(held.CurrentVersion ?? 0);
        await Eventually.Get(async () => await WaitingAsync(connectionString, ct) > 0 ? "waiting" : null, "a writer to wait on the step's row");
        held.AppendOne(appended);
        await step.SaveChangesAsync(ct);
        return started;
    }
}
