using JasperFx.Events;
using Npgsql;

namespace WardLink.IntegrationTests.BadInput;

/// <summary>
/// What a service has stored: the row count of its event tables (<c>mt_events</c>,
/// <c>mt_streams</c>, without Marten's tombstones) and of every document table (<c>mt_doc_*</c>), read straight from its database;
/// but the tables only consumers write, never a request: the consumers' ledger (<c>mt_doc_processedmessage</c>) and the partners'
/// standing (<c>mt_doc_knownpartnerstanding</c>). A message the service published for an earlier accepted request (a camera
/// approved: its own webhook fan-out consumes it; a partner suspended: every service keeps its standing) is kept there whenever
/// it comes, and was counted as stored by the refusal it came beside.
/// </summary>
public sealed class StoredRows(string connectionString)
{
    public async Task<IReadOnlyDictionary<string, long>> CountAsync(CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand(
            "SELECT quote_ident(table_schema) || '.' || quote_ident(table_name) FROM information_schema.tables " +
            "WHERE table_type = 'BASE TABLE' AND (table_name IN ('mt_events', 'mt_streams') OR table_name LIKE 'mt\\_doc\\_%') " +
            "AND table_name NOT IN ('mt_doc_processedmessage', 'mt_doc_knownpartnerstanding') ORDER BY 1",
            connection))
        await using (var reader = await list.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                tables.Add(reader.GetString(0));
            }
        }

        if (tables.Count == 0)
        {
            return new Dictionary<string, long>();
        }

        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        await using var count = new NpgsqlCommand(string.Join(" UNION ALL ", tables.Select(table => $"SELECT '{table}', count(*) FROM {table}{WithoutTombstones(table)}")), connection);
        await using var rows = await count.ExecuteReaderAsync(ct);
        while (await rows.ReadAsync(ct))
        {
            counts[rows.GetString(0)] = rows.GetInt64(1);
        }

        return counts;
    }

    /// <summary>
    /// Marten fills the sequence numbers a failed append took with tombstone events, in a stream of its own, so that
    /// its readers never wait on the gap: those hold nothing of the request, and are not counted.
    /// </summary>
    private static string WithoutTombstones(string table) =>
        table.EndsWith(".mt_events", StringComparison.Ordinal) ? $" WHERE stream_id <> '{Tombstone.StreamId}'"
        : table.EndsWith(".mt_streams", StringComparison.Ordinal) ? $" WHERE id <> '{Tombstone.StreamId}'"
        : string.Empty;

    /// <summary>
    /// One stream of each kind stored (by its aggregate type; a stream of none, such as a yearly counter, is
    /// internal), the newest of each.
    /// </summary>
    public async Task<IReadOnlyList<StoredStreamOfKind>> NewestStreamOfEachKindAsync(CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        if (await StreamsTableAsync(connection, ct) is not { } table)
        {
            return [];
        }

        var streams = new List<StoredStreamOfKind>();
        await using var read = new NpgsqlCommand($"SELECT DISTINCT ON (type) id, type FROM {table}{WithoutTombstones(table)} ORDER BY type, created DESC", connection);
        await using var rows = await read.ExecuteReaderAsync(ct);
        while (await rows.ReadAsync(ct))
        {
            streams.Add(new StoredStreamOfKind(rows.GetGuid(0), rows.IsDBNull(1) ? null : rows.GetString(1)));
        }

        return streams;
    }

    /// <summary>The version of stream <paramref name="id"/> (its events counted), as <c>mt_streams</c> holds it; 0 for none.</summary>
    public async Task<long> VersionAsync(Guid id, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        if (await StreamsTableAsync(connection, ct) is not { } table)
        {
            return 0;
        }

        await using var version = new NpgsqlCommand($"SELECT coalesce(max(version), 0) FROM {table} WHERE id = @id", connection);
        version.Parameters.AddWithValue("id", id);
        return (long)(await version.ExecuteScalarAsync(ct))!;
    }

    /// <summary>The service's <c>mt_streams</c> table, schema-qualified; null before its store made it.</summary>
    private static async Task<string?> StreamsTableAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var find = new NpgsqlCommand(
            "SELECT quote_ident(table_schema) || '.' || quote_ident(table_name) FROM information_schema.tables WHERE table_name = 'mt_streams'", connection);
        return (string?)await find.ExecuteScalarAsync(ct);
    }

    /// <summary>The tables whose row count differs between two counts (a table made since counts as 0 rows before).</summary>
    public static IReadOnlyList<string> Changed(IReadOnlyDictionary<string, long> before, IReadOnlyDictionary<string, long> after) =>
        [.. after.Keys.Union(before.Keys)
            .Where(table => before.GetValueOrDefault(table) != after.GetValueOrDefault(table))
            .Select(table => $"{table} {before.GetValueOrDefault(table)} → {after.GetValueOrDefault(table)}")];
}

/// <summary>A stored stream and its kind (its aggregate type's alias; none for an internal stream).</summary>
public sealed record StoredStreamOfKind(Guid Id, string? Kind)
{
    public bool IsInternal => Kind is null;

    public override string ToString() => $"a {Kind ?? "internal"} stream";
}
