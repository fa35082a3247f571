using Npgsql;

namespace WardLink.IntegrationTests.BadInput;

/// <summary>
/// What a service has stored: the row count of its event tables (<c>mt_events</c>,
/// <c>mt_streams</c>) and of every document table (<c>mt_doc_*</c>), read straight from its database.
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
            "WHERE table_type = 'BASE TABLE' AND (table_name IN ('mt_events', 'mt_streams') OR table_name LIKE 'mt\\_doc\\_%') ORDER BY 1",
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
        await using var count = new NpgsqlCommand(string.Join(" UNION ALL ", tables.Select(table => $"SELECT '{table}', count(*) FROM {table}")), connection);
        await using var rows = await count.ExecuteReaderAsync(ct);
        while (await rows.ReadAsync(ct))
        {
            counts[rows.GetString(0)] = rows.GetInt64(1);
        }

        return counts;
    }

    /// <summary>The tables whose row count differs between two counts (a table made since counts as 0 rows before).</summary>
    public static IReadOnlyList<string> Changed(IReadOnlyDictionary<string, long> before, IReadOnlyDictionary<string, long> after) =>
        [.. after.Keys.Union(before.Keys)
            .Where(table => before.GetValueOrDefault(table) != after.GetValueOrDefault(table))
            .Select(table => $"{table} {before.GetValueOrDefault(table)} → {after.GetValueOrDefault(table)}")];
}
