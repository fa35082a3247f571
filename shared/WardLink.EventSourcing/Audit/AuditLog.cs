using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json.Nodes;
using JasperFx.Core;
using Npgsql;
using NpgsqlTypes;
using WardLink.Audit;
using WardLink.EventSourcing.Wards;
using WardLink.ServiceDefaults.Security;

namespace WardLink.EventSourcing.Audit;

/// <summary>
/// Which part of the log to read: after a sequence, one stream, some event types, a recorded-time range
/// <c>[From, To)</c>, the events of some wards (store tenants; null: every ward). A link whose event is
/// gone is read where it names one of those wards (one made before links named their ward, where it is the home ward): it
/// is evidence of the chain, and holds no data, but names its record. <c>Settled</c>: only up
/// to the last sequence below which no transaction still appends (<see cref="AuditLog.SettledThroughAsync"/>),
/// so a reader paging on with <c>After</c> the last sequence it saw misses no event committed late. <c>After</c> by default:
/// <see cref="FromTheFirstRow"/>.
/// </summary>
public sealed record AuditLogFilter(
    long After = AuditLogFilter.FromTheFirstRow,
    Guid? StreamId = null,
    IReadOnlyList<string>? Types = null,
    DateTimeOffset? From = null,
    DateTimeOffset? To = null,
    int? Limit = null,
    IReadOnlyList<string>? Tenants = null,
    bool Settled = false)
{
    /// <summary>
    /// Every row: the store numbers its events from 1, and one an insider put at 0 or below is folded by the service's reads of
    /// its stream all the same, so the audit reads it too.
    /// </summary>
    public const long FromTheFirstRow = long.MinValue;
}

/// <summary>
/// Reads the log joined with the chain, in sequence order, one row at a time from PostgreSQL (so a
/// log of millions of events streams in constant memory): each event with its link, each link
/// whose event is gone, each event not chained yet. What the reader's audience may not see
/// (personal data; text, for anyone but the police) is removed on the way out.
/// </summary>
/// <remarks>
/// Two reads in sequence order, merged here (<see cref="SqlOf"/>): the events with their links, and the
/// links whose event is gone. Each follows its primary key's order, so PostgreSQL streams the first row
/// at once; one full join ordered by the sequence had PostgreSQL sort the whole log first (on disk: 890 MB
/// for a million events, half the replay's time).
/// </remarks>
public sealed class AuditLog(AuditStorage storage, WardTenants wards)
{
    /// <summary>How long a read waits for the transactions that hold sequences below events already committed.</summary>
    public static readonly TimeSpan InFlightWait = TimeSpan.FromSeconds(1);

    private static readonly TimeSpan InFlightPoll = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// Each stored .NET type name's type and the alias the chain names that type by, found once (the alias is made of the
    /// type's name by a pattern: work the feed need not do again for every event).
    /// </summary>
    private static readonly ConcurrentDictionary<string, (Type Type, string Alias)?> ClrTypes = new();

    public async IAsyncEnumerable<AuditEntry> ReadAsync(AuditLogFilter filter, Audience audience, [EnumeratorCancellation] CancellationToken ct)
    {
        // A reader of the home ward reads the home ward's own id too, a tenant no service writes: a record an insider moved
        // there is shown with no ward (WardTenants.StoredWardOf), not left out of every log.
        if (filter.Tenants is { } tenants && tenants.Contains(WardTenants.DefaultTenant))
        {
            filter = filter with { Tenants = [.. tenants, wards.Home] };
        }

        var (eventsSql, orphansSql) = SqlOf(filter, storage.Events, storage.Links);
        await using var eventsConnection = await storage.OpenAsync(ct);
        await using var orphansConnection = await storage.OpenAsync(ct);
        await using var eventsCommand = Command(eventsSql, eventsConnection, filter, byWard: true);
        if (filter.Settled)
        {
            eventsCommand.Parameters.AddWithValue("settled", await SettledThroughAsync(eventsConnection, ct));
        }

        await using var orphansCommand = Command(orphansSql, orphansConnection, filter, byWard: false);
        await using var events = await eventsCommand.ExecuteReaderAsync(ct);
        await using var orphans = await orphansCommand.ExecuteReaderAsync(ct);
        var hasEvent = await events.ReadAsync(ct);
        var hasOrphan = await orphans.ReadAsync(ct);
        for (var read = 0L; (hasEvent || hasOrphan) && read < (filter.Limit ?? long.MaxValue);)
        {
            var sequence = hasEvent ? events.GetInt64(0) : long.MaxValue;
            if (hasOrphan && orphans.GetInt64(0) <= sequence)
            {
                // An event removed between the two reads' snapshots was read with its link already.
                if (orphans.GetInt64(0) < sequence)
                {
                    read++;
                    yield return new AuditEntry(orphans.GetInt64(0), null, LinkOf(orphans, 1));
                }

                hasOrphan = await orphans.ReadAsync(ct);
                continue;
            }

            read++;
            yield return new AuditEntry(sequence, EventOf(events, audience), events.IsDBNull(10) ? null : LinkOf(events, 10));
            hasEvent = await events.ReadAsync(ct);
        }
    }

    /// <summary>
    /// The last sequence below which every event is committed, or was never written. PostgreSQL hands out
    /// sequences when a transaction appends and the transactions commit in any order: an event can be visible
    /// while one with a lower sequence is still being written, and a reader that went on after the higher one
    /// would never see the lower. Above Marten's high-water mark (the daemon's, which gives up on a gap left by
    /// a transaction that never committed after a few seconds), this is the end of the first run of sequences
    /// without a gap; a gap in it is waited for up to <see cref="InFlightWait"/>, then left for the next read.
    /// </summary>
    public async Task<long> SettledThroughAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            $"with mark as (select coalesce((select last_seq_id from {storage.Progression} where name = 'HighWaterMark'), 0) as hwm) " +
            $"select (select min(c.s) - 1 from (select hwm + 1 as s from mark union all select e.seq_id + 1 from {storage.Events} e, mark where e.seq_id > mark.hwm) c " +
            $"where not exists (select 1 from {storage.Events} n where n.seq_id = c.s)), coalesce((select max(seq_id) from {storage.Events}), 0)",
            connection);
        for (var waited = TimeSpan.Zero; ; waited += InFlightPoll)
        {
            var (settled, last) = await ReadPairAsync(command, ct);
            if (settled >= last || waited >= InFlightWait)
            {
                return settled;
            }

            await Task.Delay(InFlightPoll, ct);
        }
    }

    private static async Task<(long, long)> ReadPairAsync(NpgsqlCommand command, CancellationToken ct)
    {
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    /// <summary>
    /// The log's two reads of <paramref name="filter"/> over the tables <paramref name="events"/> and
    /// <paramref name="links"/>, each in sequence order: the events (columns: sequence, the event, its
    /// data's hash, its link) and the links whose event is gone (sequence, the link). The benchmark
    /// reads them as PostgreSQL's own rate of the rows the feed serves.
    /// </summary>
    public static (string Events, string Orphans) SqlOf(AuditLogFilter filter, string events, string links)
    {
        var ofEvents = new StringBuilder(
            "select e.seq_id, " +
            $"e.stream_id, e.version, e.type, {AuditStorage.ReadableTimeSql("e.timestamp")}, e.correlation_id, e.causation_id, e.mt_dotnet_type, e.data::text, {AuditStorage.LinkedDataHashSql}, " +
            $"{LinkColumns}, e.tenant_id from {events} e left join {links} l on l.sequence = e.seq_id where e.seq_id > @after and e.is_archived is false");

        // An archived event (Marten's flag, which no service sets; or no flag at all) is one the service's reads pass over: its
        // link stands alone, as an event's that is gone.
        var ofOrphans = new StringBuilder(
            $"select l.sequence, {LinkColumns} from {links} l " +
            $"where l.sequence > @after and not exists (select 1 from {events} e where e.seq_id = l.sequence and e.is_archived is false)");
        if (filter.Settled)
        {
            ofEvents.Append(" and e.seq_id <= @settled");
        }

        Narrow(ofEvents, filter, "e", "e.timestamp", "e.seq_id", byWard: true);

        // A link whose event is gone holds no record's data, but names the record: it is read by the readers of its ward.
        Narrow(ofOrphans, filter, "l", "l.recorded_at", "l.sequence", byWard: false);
        return (ofEvents.ToString(), ofOrphans.ToString());
    }

    /// <summary>Adds <paramref name="filter"/>'s conditions on the rows of <paramref name="table"/>, its order and its limit.</summary>
    private static void Narrow(StringBuilder sql, AuditLogFilter filter, string table, string time, string sequence, bool byWard)
    {
        if (filter.StreamId is not null)
        {
            sql.Append($" and {table}.stream_id = @stream");
        }

        if (filter.Types is { Count: > 0 })
        {
            sql.Append($" and {table}.type = any(@types)");
        }

        if (filter.From is not null)
        {
            sql.Append($" and {time} >= @from");
        }

        if (filter.To is not null)
        {
            sql.Append($" and {time} < @to");
        }

        if (filter.Tenants is not null)
        {
            // An event by its tenant; a link by the ward it names (none: made before links named their ward, the home ward's).
            sql.Append(byWard ? $" and {table}.tenant_id = any(@tenants)" : $" and coalesce({table}.ward, @home) = any(@wards)");
        }

        sql.Append($" order by {sequence}");
        if (filter.Limit is not null)
        {
            sql.Append(" limit @limit");
        }
    }

    private static readonly string LinkColumns =
        $"l.position, l.stream_id, l.version, l.type, l.data_hash, {AuditStorage.ReadableTimeSql("l.recorded_at")}, l.previous, l.hash, l.ward";

    private NpgsqlCommand Command(string sql, NpgsqlConnection connection, AuditLogFilter filter, bool byWard)
    {
        var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("after", filter.After);
        if (filter.StreamId is { } stream)
        {
            command.Parameters.AddWithValue("stream", stream);
        }

        if (filter.Types is { Count: > 0 } types)
        {
            command.Parameters.AddWithValue("types", NpgsqlDbType.Array | NpgsqlDbType.Text, types.ToArray());
        }

        // The recorded times are PostgreSQL's, in whole microseconds: each bound is the first one at or after it.
        if (filter.From is { } from)
        {
            command.Parameters.AddWithValue("from", ExactTimes.CeilingMicrosecond(from));
        }

        if (filter.To is { } to)
        {
            command.Parameters.AddWithValue("to", ExactTimes.CeilingMicrosecond(to));
        }

        if (filter.Limit is { } limit)
        {
            command.Parameters.AddWithValue("limit", limit);
        }

        if (filter.Tenants is { } tenants && byWard)
        {
            command.Parameters.AddWithValue("tenants", NpgsqlDbType.Array | NpgsqlDbType.Text, tenants.ToArray());
        }
        else if (filter.Tenants is { } read)
        {
            command.Parameters.AddWithValue("wards", NpgsqlDbType.Array | NpgsqlDbType.Text, read.Select(wards.WardOf).ToArray());
            command.Parameters.AddWithValue("home", wards.Home);
        }

        return command;
    }

    /// <summary>The column of an event's tenant, after its link's (<see cref="LinkColumns"/>).</summary>
    private const int TenantColumn = 19;

    /// <summary>
    /// The event of the row at <paramref name="reader"/>, of the type the service's code reads it as (its .NET type,
    /// <c>mt_dotnet_type</c>, which the chain does not cover): one whose .NET type is not of the type the chain vouches for
    /// (its <c>type</c>) is shown as the type it is read as, which the chain finds changed, and its data as not of its type.
    /// </summary>
    private AuditEvent EventOf(NpgsqlDataReader reader, Audience audience)
    {
        var clr = ClrTypes.GetOrAdd(reader.GetString(7), static name => Type.GetType(name, throwOnError: false) is { } found ? (found, found.Name.ToTableAlias()) : null);
        var type = clr?.Alias ?? reader.GetString(3);

        // An event whose type this service no longer knows cannot be checked for personal data: its data is withheld.
        var (data, actor, wardTime) = clr is not { Type: var clrType } ? default
            : type != reader.GetString(3) ? (JsonValue.Create(AuditRedaction.Undeclared), null, null)
            : AuditRedaction.Read(reader.GetFieldValue<byte[]>(8), clrType, audience);
        return new AuditEvent(
            reader.GetGuid(1),
            reader.GetInt64(2),
            type,
            reader.GetFieldValue<DateTimeOffset>(4),
            wardTime,
            actor,
            reader.IsDBNull(5) ? null : reader.GetString(5),
            reader.IsDBNull(6) ? null : reader.GetString(6),
            reader.GetString(9),
            data,
            wards.StoredWardOf(reader.GetString(TenantColumn)));
    }

    /// <summary>The link in the nine columns from <paramref name="at"/> (<see cref="LinkColumns"/>).</summary>
    private static AuditLink LinkOf(NpgsqlDataReader reader, int at) => new(
        reader.GetInt64(at),
        reader.GetGuid(at + 1),
        reader.GetInt64(at + 2),
        reader.GetString(at + 3),
        reader.GetString(at + 4),
        reader.GetFieldValue<DateTimeOffset>(at + 5),
        reader.GetString(at + 6),
        reader.GetString(at + 7),
        reader.IsDBNull(at + 8) ? null : reader.GetString(at + 8));
}
