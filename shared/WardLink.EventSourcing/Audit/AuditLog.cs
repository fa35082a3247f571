using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json.Nodes;
using Npgsql;
using NpgsqlTypes;
using WardLink.Audit;
using WardLink.ServiceDefaults.Security;

namespace WardLink.EventSourcing.Audit;

/// <summary>
/// Which part of the log to read: after a sequence, one stream, some event types, a recorded-time range
/// <c>[From, To)</c>, the events of some wards (store tenants; null: every ward). A link whose event is
/// gone is read whatever the wards: it is evidence of the chain, and holds no data.
/// </summary>
public sealed record AuditLogFilter(
    long After = 0,
    Guid? StreamId = null,
    IReadOnlyList<string>? Types = null,
    DateTimeOffset? From = null,
    DateTimeOffset? To = null,
    int? Limit = null,
    IReadOnlyList<string>? Tenants = null);

/// <summary>
/// Reads the log joined with the chain, in sequence order, one row at a time from PostgreSQL (so a
/// log of millions of events streams in constant memory): each event with its link, each link
/// whose event is gone, each event not chained yet. What the reader's audience may not see
/// (personal data; text, for anyone but the police) is removed on the way out.
/// </summary>
public sealed class AuditLog(AuditStorage storage)
{
    private static readonly ConcurrentDictionary<string, Type?> ClrTypes = new();

    public async IAsyncEnumerable<AuditEntry> ReadAsync(AuditLogFilter filter, Audience audience, [EnumeratorCancellation] CancellationToken ct)
    {
        await using var connection = await storage.OpenAsync(ct);
        await using var command = new NpgsqlCommand(Sql(filter), connection);
        command.Parameters.AddWithValue("after", filter.After);
        if (filter.StreamId is { } stream)
        {
            command.Parameters.AddWithValue("stream", stream);
        }

        if (filter.Types is { Count: > 0 } types)
        {
            command.Parameters.AddWithValue("types", NpgsqlDbType.Array | NpgsqlDbType.Text, types.ToArray());
        }

        if (filter.From is { } from)
        {
            command.Parameters.AddWithValue("from", from.ToUniversalTime());
        }

        if (filter.To is { } to)
        {
            command.Parameters.AddWithValue("to", to.ToUniversalTime());
        }

        if (filter.Limit is { } limit)
        {
            command.Parameters.AddWithValue("limit", limit);
        }

        if (filter.Tenants is { } tenants)
        {
            command.Parameters.AddWithValue("tenants", NpgsqlDbType.Array | NpgsqlDbType.Text, tenants.ToArray());
        }

        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            yield return new AuditEntry(reader.GetInt64(0), reader.IsDBNull(1) ? null : EventOf(reader, audience), reader.IsDBNull(10) ? null : LinkOf(reader));
        }
    }

    private string Sql(AuditLogFilter filter)
    {
        var sql = new StringBuilder(
            "select coalesce(e.seq_id, l.sequence), " +
            $"e.stream_id, e.version, e.type, e.timestamp, e.correlation_id, e.causation_id, e.mt_dotnet_type, e.data::text, {AuditStorage.DataHashSql}, " +
            "l.position, l.stream_id, l.version, l.type, l.data_hash, l.recorded_at, l.previous, l.hash " +
            $"from {storage.Events} e full join {storage.Links} l on l.sequence = e.seq_id " +
            "where coalesce(e.seq_id, l.sequence) > @after");
        if (filter.StreamId is not null)
        {
            sql.Append(" and coalesce(e.stream_id, l.stream_id) = @stream");
        }

        if (filter.Types is { Count: > 0 })
        {
            sql.Append(" and coalesce(e.type, l.type) = any(@types)");
        }

        if (filter.From is not null)
        {
            sql.Append(" and coalesce(e.timestamp, l.recorded_at) >= @from");
        }

        if (filter.To is not null)
        {
            sql.Append(" and coalesce(e.timestamp, l.recorded_at) < @to");
        }

        if (filter.Tenants is not null)
        {
            sql.Append(" and (e.seq_id is null or e.tenant_id = any(@tenants))");
        }

        sql.Append(" order by 1");
        if (filter.Limit is not null)
        {
            sql.Append(" limit @limit");
        }

        return sql.ToString();
    }

    private static AuditEvent EventOf(NpgsqlDataReader reader, Audience audience)
    {
        var clrType = ClrTypes.GetOrAdd(reader.GetString(7), static name => Type.GetType(name, throwOnError: false));
        var data = clrType is null ? null : JsonNode.Parse(reader.GetString(8));
        return new AuditEvent(
            reader.GetGuid(1),
            reader.GetInt64(2),
            reader.GetString(3),
            reader.GetFieldValue<DateTimeOffset>(4),
            clrType is null ? null : AuditRedaction.BusinessTimeOf(data, clrType),
            clrType is null ? null : AuditRedaction.ActorOf(data, clrType),
            reader.IsDBNull(5) ? null : reader.GetString(5),
            reader.IsDBNull(6) ? null : reader.GetString(6),
            reader.GetString(9),

            // An event whose type this service no longer knows cannot be checked for personal data: its data is withheld.
            clrType is null ? null : AuditRedaction.Redact(data, clrType, audience));
    }

    private static AuditLink LinkOf(NpgsqlDataReader reader) => new(
        reader.GetInt64(10),
        reader.GetGuid(11),
        reader.GetInt64(12),
        reader.GetString(13),
        reader.GetString(14),
        reader.GetFieldValue<DateTimeOffset>(15),
        reader.GetString(16),
        reader.GetString(17));
}
