using Marten;
using Npgsql;

namespace WardLink.EventSourcing;

/// <summary>
/// A stream whose stored state disagrees with itself, changed in the database outside the service: its row (<c>mt_streams</c>) at
/// another version than its last event (<c>mt_events</c>), a row with no events or events with no row, or a yearly counter whose
/// last event does not follow from the one before it. Nothing is written to it, and no retry helps: it is the operators' to mend
/// (<see cref="StoreProblems"/>: a 500 naming no internals, and an Error line naming the stream and what disagrees).
/// </summary>
public sealed class InconsistentStreamException(Guid streamId, string tenant, string disagreement, Exception? refusal = null)
    : Exception($"The stored stream {streamId} of tenant {tenant} is inconsistent: {disagreement}. Nothing was written to it.", refusal)
{
    /// <summary>The stream that disagrees with itself.</summary>
    public Guid StreamId { get; } = streamId;

    /// <summary>The tenant (a ward's) the stream is stored in.</summary>
    public string Tenant { get; } = tenant;

    /// <summary>What disagrees (versions, numbers: never a record's data).</summary>
    public string Disagreement { get; } = disagreement;
}

/// <summary>
/// Tells a write the store refused because someone else wrote first (a race, <see cref="Conflicts.IsConflict"/>) from one it refused
/// because a stream the write appends to disagrees with itself: the store checks an append against the stream's row, and a row
/// behind its events refuses every write as a lost race, for ever. Only a refusal costs a read.
/// </summary>
public static class InconsistentStreams
{
    /// <summary>The title of the problem a write to a stream that disagrees with itself is answered (<see cref="StoreProblems"/>).</summary>
    public const string Title = "The stored record is inconsistent.";

    /// <summary>
    /// Commits <paramref name="session"/>'s changes; a refusal as a conflict is an <see cref="InconsistentStreamException"/> when a stream
    /// the changes append to disagrees with itself (<see cref="ThrowIfInconsistentAsync"/>), and stays the conflict it is otherwise.
    /// </summary>
    public static async Task SaveChangesCheckedAsync(this IDocumentSession session, CancellationToken ct)
    {
        try
        {
            await session.SaveChangesAsync(ct);
        }
        catch (Exception conflict) when (Conflicts.IsConflict(conflict))
        {
            await session.ThrowIfInconsistentAsync(conflict, ct);
            throw;
        }
    }

    /// <summary>
    /// After the store refused <paramref name="session"/>'s changes as <paramref name="conflict"/>: throws an
    /// <see cref="InconsistentStreamException"/> naming the first stream they append to whose row's version is not its last event's
    /// (a row with no events, or events with no row, alike). Read on a connection of its own, as committed.
    /// </summary>
    internal static async Task ThrowIfInconsistentAsync(this IDocumentSession session, Exception conflict, CancellationToken ct)
    {
        Guid[] streams = [.. session.PendingChanges.Streams().Select(stream => stream.Id).Distinct()];
        if (streams.Length == 0)
        {
            return;
        }

        var schema = session.DocumentStore.Options.Events.DatabaseSchemaName;
        await using var connection = (await session.DocumentStore.Storage.FindOrCreateDatabase(session.TenantId)).CreateConnection();
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(
            $"""
            SELECT ids.id, s.version, e.version FROM unnest($1::uuid[]) AS ids(id)
            LEFT JOIN {schema}.mt_streams s ON s.id = ids.id AND s.tenant_id = $2
            CROSS JOIN LATERAL (SELECT max(version) AS version FROM {schema}.mt_events WHERE stream_id = ids.id AND tenant_id = $2) e
            WHERE s.version IS DISTINCT FROM e.version LIMIT 1
            """,
            connection)
        {
            Parameters = { new() { Value = streams }, new() { Value = session.TenantId } },
        };
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (await reader.ReadAsync(ct))
        {
            throw new InconsistentStreamException(
                reader.GetGuid(0),
                session.TenantId,
                $"its row (mt_streams) is at version {VersionOf(reader, 1)}, its last event (mt_events) at {VersionOf(reader, 2)}",
                conflict);
        }
    }

    private static string VersionOf(NpgsqlDataReader reader, int column) => reader.IsDBNull(column) ? "none" : $"{reader.GetInt64(column)}";
}
