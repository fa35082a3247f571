using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Marten.Subscriptions;
using Microsoft.Extensions.Options;
using Npgsql;
using WardLink.Audit;
using WardLink.EventSourcing.Wards;

namespace WardLink.EventSourcing.Audit;

/// <summary>
/// The ordered subscription that extends the hash chain: for each page of committed events (the
/// daemon's high-water mark keeps in-flight sequence gaps out of it) it reads the events' immutable
/// fields from the log, links each to the one before, and stores the links, and a signed checkpoint every
/// <see cref="AuditOptions.CheckpointEvery"/> events, in the transaction that stores its progress.
/// Sequences rolled back by PostgreSQL never hold an event: the chain is over the events that exist.
/// </summary>
public sealed class AuditChain : SubscriptionBase
{
    public const string SubscriptionName = "AuditChain";

    private readonly AuditStorage _storage;
    private readonly CheckpointSigner _signer;
    private readonly TimeProvider _clock;
    private readonly WardTenants _wards;
    private readonly int _checkpointEvery;

    public AuditChain(AuditStorage storage, CheckpointSigner signer, TimeProvider clock, WardTenants wards, IOptions<AuditOptions> options)
    {
        _storage = storage;
        _signer = signer;
        _clock = clock;
        _wards = wards;
        _checkpointEvery = options.Value.CheckpointEvery;
        Name = SubscriptionName;
    }

    public override async Task<IChangeListener> ProcessEventsAsync(
        EventRange page, ISubscriptionController controller, IDocumentOperations operations, CancellationToken cancellationToken)
    {
        // The chain of the database this page of events comes from (each database the service keeps wards in chains its own).
        await using var connection = await AuditStorage.OpenAsync(operations.Database, cancellationToken);
        var head = await _storage.HeadAsync(connection, cancellationToken);
        var previous = head?.Hash ?? HashChain.Genesis;
        var position = head?.Position ?? 0;

        var links = new List<(ChainedFields Fields, long Position, string Previous, string Hash, string Salt)>();
        await using (var command = new NpgsqlCommand(
            $"select e.seq_id, e.stream_id, e.version, e.type, {AuditStorage.DataHashSql("s.salt")}, e.timestamp, s.salt, e.tenant_id from {_storage.Events} e " +
            "cross join lateral (select md5(gen_random_uuid()::text || e.seq_id::text) as salt) s " +
            "where e.seq_id > @floor and e.seq_id <= @ceiling order by e.seq_id",
            connection))
        {
            command.Parameters.AddWithValue("floor", Math.Max(page.SequenceFloor, head?.Sequence ?? 0));
            command.Parameters.AddWithValue("ceiling", page.SequenceCeiling);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var fields = new ChainedFields(
                    reader.GetInt64(0), reader.GetGuid(1), reader.GetInt64(2), reader.GetString(3), reader.GetString(4), reader.GetFieldValue<DateTimeOffset>(5),
                    _wards.StoredWardOf(reader.GetString(7)) ?? reader.GetString(7));
                var hash = HashChain.Link(previous, fields);
                links.Add((fields, ++position, previous, hash, reader.GetString(6)));
                previous = hash;
            }
        }

        if (links.Count == 0)
        {
            return NullChangeListener.Instance;
        }

        operations.QueueSqlCommand(
            $"insert into {_storage.Links} (sequence, position, stream_id, version, type, data_hash, recorded_at, previous, hash, data_salt, ward) " +
            "select * from unnest(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            links.Select(link => link.Fields.Sequence).ToArray(),
            links.Select(link => link.Position).ToArray(),
            links.Select(link => link.Fields.StreamId).ToArray(),
            links.Select(link => link.Fields.Version).ToArray(),
            links.Select(link => link.Fields.Type).ToArray(),
            links.Select(link => link.Fields.DataHash).ToArray(),
            links.Select(link => link.Fields.RecordedAt.ToUniversalTime()).ToArray(),
            links.Select(link => link.Previous).ToArray(),
            links.Select(link => link.Hash).ToArray(),
            links.Select(link => link.Salt).ToArray(),
            links.Select(link => link.Fields.Ward).ToArray());

        var now = _clock.GetUtcNow().ToUniversalTime();
        foreach (var link in links.Where(link => link.Position % _checkpointEvery == 0))
        {
            _storage.QueueCheckpoint(operations, _signer.Sign(link.Fields.Sequence, link.Position, link.Hash, now));
        }

        return NullChangeListener.Instance;
    }
}
