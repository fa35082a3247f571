using Marten;
using Marten.Storage;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using WardLink.Audit;
using WardLink.Contracts.Audit;
using WardLink.EventSourcing.Wards;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace WardLink.EventSourcing.Audit;

/// <summary>
/// The audit's two tables beside the event store, created with Marten's schema: the chain's links
/// (one per chained event, with the fields it chained so a break can be described) and the
/// checkpoints (the service's own, and the copies it received of the other services'). The store
/// is resolved on use: the chain subscription needs this while Marten builds the store.
/// </summary>
public sealed class AuditStorage(IServiceProvider services)
{
    public const string LinksTable = "wardlink_audit_links";
    public const string CheckpointsTable = "wardlink_audit_checkpoints";

    private IDocumentStore Store => services.GetRequiredService<IDocumentStore>();

    private string Schema => Store.Options.Events.DatabaseSchemaName;

    public string Events => $"{Schema}.mt_events";

    public string Streams => $"{Schema}.mt_streams";

    public string Links => $"{Schema}.{LinksTable}";

    /// <summary>Marten's progress table, where the async daemon keeps its high-water mark.</summary>
    public string Progression => $"{Schema}.mt_event_progression";

    public string Checkpoints => $"{Schema}.{CheckpointsTable}";

    /// <summary>
    /// The SQL of an event's (<c>e</c>) data hash with the salt <paramref name="salt"/> (an SQL expression): the SHA-256 (hex) of
    /// the salt followed by the data as PostgreSQL renders the stored jsonb. The salt is random for every link and never shown,
    /// so a hash an auditor reads cannot confirm a guess at a text withheld from it (a phone number in a tipster's message).
    /// </summary>
    public static string DataHashSql(string salt) => $"encode(sha256(convert_to({salt} || e.data::text, 'UTF8')), 'hex')";

    /// <summary>
    /// A stored time (<c>timestamptz</c>) as .NET reads one: PostgreSQL keeps times from 4713 BC to 294276 AD and infinities,
    /// .NET from year 1 to 9999, so a time an insider wrote outside that range is read as the nearest end of it (never the time
    /// stored, so the chain finds it changed), not a failed read for every caller.
    /// </summary>
    public static string ReadableTimeSql(string time) =>
        $"greatest(least({time}, '9999-12-31 23:59:59.999999+00'::timestamptz), '0001-01-01 00:00:00+00'::timestamptz)";

    /// <summary>
    /// The data hash of an event (<c>e</c>) as its link (<c>l</c>, left-joined) holds it: with the link's salt (none in a link
    /// made before links had salts); empty while the event is not chained yet, since a hash without its salt is one a guess could confirm.
    /// </summary>
    public static readonly string LinkedDataHashSql = $"case when l.sequence is null then '' else {DataHashSql("coalesce(l.data_salt, '')")} end";

    public static void AddTables(StoreOptions options)
    {
        var schema = options.Events.DatabaseSchemaName;
        var links = new Table(new PostgresqlObjectName(schema, LinksTable, SchemaUtils.IdentifierUsage.General));
        links.AddColumn("sequence", "bigint").AsPrimaryKey();
        links.AddColumn("position", "bigint").NotNull();
        links.AddColumn("stream_id", "uuid").NotNull();
        links.AddColumn("version", "bigint").NotNull();
        links.AddColumn("type", "text").NotNull();
        links.AddColumn("data_hash", "text").NotNull();

        // The random salt of the data hash (DataHashSql); null in links made before links had salts.
        links.AddColumn("data_salt", "text");
        links.AddColumn("recorded_at", "timestamp with time zone").NotNull();
        links.AddColumn("previous", "text").NotNull();
        links.AddColumn("hash", "text").NotNull();

        // The ward of the event (its tenant's), which the hash covers; null in links made before links named their ward.
        links.AddColumn("ward", "text");
        options.Storage.ExtendedSchemaObjects.Add(links);

        var checkpoints = new Table(new PostgresqlObjectName(schema, CheckpointsTable, SchemaUtils.IdentifierUsage.General));
        checkpoints.AddColumn("service", "text").AsPrimaryKey();
        checkpoints.AddColumn("sequence", "bigint").AsPrimaryKey();
        checkpoints.AddColumn("position", "bigint").NotNull();
        checkpoints.AddColumn("head", "text").NotNull();
        checkpoints.AddColumn("at", "timestamp with time zone").NotNull();
        checkpoints.AddColumn("published_at", "timestamp with time zone");

        // The signature of the service that took the checkpoint; every copy keeps it, so an exported
        // set can be checked offline. Rows stored before checkpoints were signed have none.
        checkpoints.AddColumn("signature", "text");
        options.Storage.ExtendedSchemaObjects.Add(checkpoints);
    }

    /// <summary>
    /// A connection to the database of the ward the work acts in (<see cref="WardContext"/>; the main one outside any):
    /// each database keeps the chain of the events stored in it (see <see cref="WardDatabases"/>).
    /// </summary>
    public async Task<NpgsqlConnection> OpenAsync(CancellationToken ct)
    {
        var tenant = WardContext.Current is { } ward ? services.GetRequiredService<WardTenants>().TenantOf(ward) : WardTenants.DefaultTenant;
        return await OpenAsync(await Store.Storage.FindOrCreateDatabase(tenant), ct);
    }

    /// <summary>A connection to <paramref name="database"/>.</summary>
    public static async Task<NpgsqlConnection> OpenAsync(IMartenDatabase database, CancellationToken ct)
    {
        var connection = database.CreateConnection();
        await connection.OpenAsync(ct);
        return connection;
    }

    /// <summary>The last link of the chain: its sequence, position and hash; null before the first event.</summary>
    public async Task<(long Sequence, long Position, string Hash)?> HeadAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"select sequence, position, hash from {Links} order by sequence desc limit 1", connection);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? (reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2)) : null;
    }

    /// <summary>The checkpoints held here of service <paramref name="service"/>'s chain, by sequence.</summary>
    public async Task<IReadOnlyList<CheckpointCopy>> CheckpointsOfAsync(string service, string holder, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = new NpgsqlCommand($"select sequence, position, head, {ReadableTimeSql("at")}, signature from {Checkpoints} where service = @service order by sequence", connection);
        command.Parameters.AddWithValue("service", service);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var copies = new List<CheckpointCopy>();
        while (await reader.ReadAsync(ct))
        {
            copies.Add(new CheckpointCopy(holder, reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2), reader.GetFieldValue<DateTimeOffset>(3), reader.IsDBNull(4) ? null : reader.GetString(4)));
        }

        return copies;
    }

    /// <summary>The last sequence of <paramref name="service"/>'s own checkpoints that the broker confirmed it published; 0 before any.</summary>
    public async Task<long> PublishedThroughAsync(string service, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = new NpgsqlCommand($"select coalesce(max(sequence), 0) from {Checkpoints} where service = @service and published_at is not null", connection);
        command.Parameters.AddWithValue("service", service);
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }

    /// <summary>Stores a signed checkpoint in <paramref name="operations"/>' transaction; one already stored for that sequence stays.</summary>
    public void QueueCheckpoint(IDocumentOperations operations, ChainCheckpointed checkpoint) =>
        operations.QueueSqlCommand(
            $"insert into {Checkpoints} (service, sequence, position, head, at, signature) values (?, ?, ?, ?, ?, ?) on conflict do nothing",
            checkpoint.Service, checkpoint.Sequence, checkpoint.Position, checkpoint.Head, checkpoint.At.ToUniversalTime(), checkpoint.Signature!);
}
