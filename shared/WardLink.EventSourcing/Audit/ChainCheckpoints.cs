using System.Security.Cryptography;
using System.Text;
using Marten;
using MassTransit;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using WardLink.Audit;
using WardLink.Contracts.Audit;
using WardLink.EventSourcing.Relay;
using WardLink.ServiceDefaults;

namespace WardLink.EventSourcing.Audit;

/// <summary>
/// Checkpoints the chain head when <see cref="AuditOptions.CheckpointInterval"/> passed (on the
/// service's <see cref="TimeProvider"/>) since the last checkpoint and new events were chained,
/// and publishes every stored checkpoint of the service, with its signature, as <see cref="ChainCheckpointed"/>
/// until the broker confirmed it: an outbox of its own, so a broker outage loses no checkpoint. The
/// message id follows from service and sequence, so a checkpoint published twice is one message.
/// </summary>
public sealed class ChainCheckpoints(
    AuditStorage storage,
    IDocumentStore store,
    IBus bus,
    ServiceIdentity service,
    CheckpointSigner signer,
    TimeProvider clock,
    IOptions<AuditOptions> options,
    ILogger<ChainCheckpoints> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var since = clock.GetUtcNow();
        using var timer = new PeriodicTimer(options.Value.PollInterval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                since = await CheckpointIfDueAsync(since, stoppingToken);
                await PublishAsync(stoppingToken);
            }
            // A publish given up while the broker is away (its timeout, or its token cancelled) is retried on the next tick,
            // as anything else is: only the service stopping ends the loop.
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning("Audit checkpoints could not be stored or published ({Failure}); retrying", exception.Message);
            }
        }
    }

    /// <summary>The time the last checkpoint was taken, a new one included when it was due.</summary>
    private async Task<DateTimeOffset> CheckpointIfDueAsync(DateTimeOffset since, CancellationToken ct)
    {
        await using var connection = await storage.OpenAsync(ct);
        var last = await LastCheckpointAsync(connection, ct);
        var lastAt = last?.At ?? since;
        var now = clock.GetUtcNow();
        if (now - lastAt < options.Value.CheckpointInterval || await storage.HeadAsync(connection, ct) is not { } head || head.Sequence <= (last?.Sequence ?? 0))
        {
            return lastAt;
        }

        await using var session = store.LightweightSession();
        var checkpoint = signer.Sign(head.Sequence, head.Position, head.Hash, now);
        storage.QueueCheckpoint(session, checkpoint);
        await session.SaveChangesAsync(ct);
        return checkpoint.At;
    }

    private async Task<(long Sequence, DateTimeOffset At)?> LastCheckpointAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            $"select sequence, at from {storage.Checkpoints} where service = @service order by sequence desc limit 1", connection);
        command.Parameters.AddWithValue("service", service.Name);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? (reader.GetInt64(0), reader.GetFieldValue<DateTimeOffset>(1)) : null;
    }

    private async Task PublishAsync(CancellationToken ct)
    {
        await using var connection = await storage.OpenAsync(ct);
        var unpublished = new List<ChainCheckpointed>();
        await using (var command = new NpgsqlCommand(
            $"select sequence, position, head, at, signature from {storage.Checkpoints} where service = @service and published_at is null order by sequence limit 100", connection))
        {
            command.Parameters.AddWithValue("service", service.Name);
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                unpublished.Add(new ChainCheckpointed(
                    service.Name, reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2), reader.GetFieldValue<DateTimeOffset>(3), reader.IsDBNull(4) ? null : reader.GetString(4)));
            }
        }

        foreach (var checkpoint in unpublished)
        {
            // Bounded as the relay's publishes are: given up after the timeout whether or not the bus heeds its token.
            await EventRelay.WithinAsync(
                token => bus.Publish(checkpoint, context => context.MessageId = MessageIdOf(checkpoint), token), options.Value.PublishTimeout, clock, ct);
            await using var update = new NpgsqlCommand(
                $"update {storage.Checkpoints} set published_at = @now where service = @service and sequence = @sequence", connection);
            update.Parameters.AddWithValue("now", clock.GetUtcNow().ToUniversalTime());
            update.Parameters.AddWithValue("service", service.Name);
            update.Parameters.AddWithValue("sequence", checkpoint.Sequence);
            await update.ExecuteNonQueryAsync(ct);
        }
    }

    /// <summary>The same checkpoint always has the same message id, whoever publishes it how often.</summary>
    public static Guid MessageIdOf(ChainCheckpointed checkpoint) =>
        new(SHA256.HashData(Encoding.UTF8.GetBytes($"{checkpoint.Service}/{checkpoint.Sequence}"))[..16]);
}

/// <summary>
/// Keeps the checkpoints other services publish of their chains, each with its signature, only when
/// it verifies against the public key configured for the service it claims to be of. Anything else
/// (unsigned, forged, of a service with no key, malformed) is refused: logged, counted
/// (<see cref="CheckpointsRefused"/>) and acknowledged, so it is neither stored nor retried. No
/// ledger of message ids is kept: a copy published first under the real checkpoint's predictable
/// message id cannot shut the real one out, and storing a checkpoint twice changes nothing (the
/// first valid copy of a sequence stays).
/// </summary>
public sealed class ChainCheckpointedConsumer(
    IDocumentSession session, ServiceIdentity service, AuditStorage storage, CheckpointKeys keys, CheckpointsRefused refused, ILogger<ChainCheckpointedConsumer> logger)
    : IConsumer<ChainCheckpointed>
{
    public async Task Consume(ConsumeContext<ChainCheckpointed> context)
    {
        var message = context.Message;
        var reason = IsWellFormed(message)
            ? keys.Check(message) switch
            {
                SignatureCheck.Valid => null,
                SignatureCheck.NoSignature => "unsigned",
                SignatureCheck.UnknownService => "unknown_service",
                _ => "forged",
            }
            : "malformed";
        if (reason is not null)
        {
            var of = keys.Knows(message.Service ?? string.Empty) ? message.Service! : "unknown";
            refused.Count(of, reason);
            logger.LogWarning("Refused a ChainCheckpointed of {Of} at sequence {Sequence}: {Reason}", of, message.Sequence, reason);
            return;
        }

        if (message.Service != service.Name)
        {
            storage.QueueCheckpoint(session, message);
            await session.SaveChangesAsync(context.CancellationToken);
        }
    }

    private static bool IsWellFormed(ChainCheckpointed message) =>
        !string.IsNullOrWhiteSpace(message.Service) && message.Sequence >= 1 && message.Position >= 1
        && message.Head is { Length: 64 } head && head.All(char.IsAsciiHexDigitLower);
}
