using Marten;
using Npgsql;

namespace WardLink.EventSourcing;

/// <summary>
/// Writers that must see each other's work take turns: a transaction-level advisory lock, held until
/// the transaction ends, so a check of what exists and the write it allows are one step (a limit on
/// how many of a thing a partner keeps, a yearly counter).
/// </summary>
public static class Turns
{
    /// <summary>The advisory lock key of the turn named by <paramref name="of"/>.</summary>
    public static long KeyOf(Guid of) => BitConverter.ToInt64(of.ToByteArray());

    /// <summary>
    /// Opens the session's transaction and waits for the turn of <paramref name="name"/>: what the session reads after
    /// this, every earlier holder has committed, and no later one writes until this session's transaction ends.
    /// </summary>
    public static async Task TakeTurnAsync(this IDocumentSession session, string name, CancellationToken ct)
    {
        await session.BeginTransactionAsync(ct);
        await using var command = new NpgsqlCommand("SELECT pg_advisory_xact_lock($1)", session.Connection)
        {
            Parameters = { new() { Value = KeyOf(NamedStreams.StreamIdOf(name)) } },
        };
        await command.ExecuteNonQueryAsync(ct);
    }
}
