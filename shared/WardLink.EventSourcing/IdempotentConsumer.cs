using JasperFx;
using Marten;
using WardLink.EventSourcing.Wards;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace WardLink.EventSourcing;

/// <summary>A message a consumer has applied; stored in the same transaction as the effect.</summary>
public sealed record ProcessedMessage(string Id, string Consumer, Guid MessageId, DateTimeOffset ProcessedAt);

/// <summary>
/// A consumer whose effect happens once per message id: it applies the message and records the
/// message id in the same Marten transaction, so a redelivered message (at-least-once delivery,
/// a relay that published twice) changes nothing, in whichever version of its contract it comes again
/// (<see cref="Ledger"/>); what it writes in another ward's tenant (<see cref="ApplyInTenantAsync"/>) is committed
/// first, with its own ledger entry there. A message naming what is not known here yet waits on the broker
/// (<see cref="WaitQueues"/>); other failures are retried by the bus, then go to the queue's error queue.
/// </summary>
public abstract class IdempotentConsumer<TMessage>(IDocumentSession session, TimeProvider clock) : IConsumer<TMessage>
    where TMessage : class
{
    private Guid _messageId;

    public async Task Consume(ConsumeContext<TMessage> context)
    {
        _messageId = context.MessageId ?? throw new InvalidOperationException($"A {typeof(TMessage).Name} arrived without a message id.");
        session.CausationId = _messageId.ToString();
        try
        {
            await OnceAsync(session, $"{Ledger}/{_messageId:N}", target => ApplyAsync(context.Message, target, context.CancellationToken), context.CancellationToken);
        }
        catch (NotKnownYetException) when (WaitQueues.MayWait(context))
        {
            // The attempt's transaction (a record's row lock with it) ends before the broker is asked to keep the copy, which
            // may take long (a broker that blocks publishers); the scope's own dispose later is then nothing.
            await session.DisposeAsync();
            await context.GetPayload<IServiceProvider>().GetRequiredService<WaitQueues>().WaitAsync(context);
            return;
        }

        Committed();
    }

    /// <summary>Once the message's effect is committed (or was found committed before): what follows from it outside the store.</summary>
    protected virtual void Committed()
    {
    }

    /// <summary>
    /// The name the ledger keeps this consumer's messages under: its class's, or, for a consumer of an older version of a
    /// contract, the current version's consumer's, so one event relayed again in the other version (a relay restarted
    /// mid-page across an upgrade republishes under the same message id) is recognised and changes nothing.
    /// </summary>
    protected virtual string Ledger => GetType().Name;

    /// <summary>Stages the message's effect in <paramref name="session"/>; the base class commits it.</summary>
    protected abstract Task ApplyAsync(TMessage message, IDocumentSession session, CancellationToken cancellationToken);

    /// <summary>
    /// From <see cref="ApplyAsync"/>: stages what <paramref name="write"/> does in ward tenant <paramref name="tenant"/>. In the
    /// message's own tenant, in its session (committed with the ledger); in another, in a session of its own (the tenant may be kept
    /// in another database), committed at once with a ledger entry of its own there, so a message that comes again (its own
    /// transaction having failed after) does not do it twice.
    /// </summary>
    protected async Task ApplyInTenantAsync(string tenant, Func<IDocumentSession, Task> write, CancellationToken cancellationToken)
    {
        if (tenant == session.TenantId)
        {
            await write(session);
            return;
        }

        await using var other = session.DocumentStore.LightweightSession(tenant);
        await OnceAsync(other, $"{Ledger}/{_messageId:N}/{tenant}", write, cancellationToken);
    }

    /// <summary>
    /// Unless <paramref name="target"/>'s ledger holds <paramref name="ledgerId"/>: stages what <paramref name="write"/> does there and
    /// commits it with that ledger entry.
    /// </summary>
    private async Task OnceAsync(IDocumentSession target, string ledgerId, Func<IDocumentSession, Task> write, CancellationToken cancellationToken)
    {
        if (await target.LoadAsync<ProcessedMessage>(ledgerId, cancellationToken) is not null)
        {
            return;
        }

        await write(target);
        target.Insert(new ProcessedMessage(ledgerId, Ledger, _messageId, clock.GetUtcNow()));
        try
        {
            await target.SaveChangesCheckedAsync(cancellationToken);
        }
        catch (DocumentAlreadyExistsException duplicate) when (duplicate.DocumentType == typeof(ProcessedMessage))
        {
            // A concurrent delivery of the same message won the race; this transaction rolled back.
            // Any other document that already exists (a row another message inserted meanwhile) is a
            // conflict of the effect itself: it propagates, and the bus delivers the message again.
        }
    }
}

/// <summary>
/// A consumer that keeps a directory (the wards, the sites). Every database of the service keeps the whole
/// directory, so a session of any ward reads it: the message is staged in the consumer's own session first (where
/// a message naming what its own database does not know yet stops before any database is written: it waits,
/// <see cref="WaitQueues"/>), then kept in the other databases, each committed on its own (keeping is idempotent:
/// the newest version stays), and the own session is committed last with the ledger, so a failure part-way is redone
/// whole when the message comes again, and a message's own database knows a thing only once every other does.
/// </summary>
public abstract class DirectoryConsumer<TMessage>(IDocumentSession session, TimeProvider clock, WardDatabases databases, WardTenants tenants)
    : IdempotentConsumer<TMessage>(session, clock)
    where TMessage : class
{
    /// <summary>The wards' tenants in the store.</summary>
    protected WardTenants Tenants { get; } = tenants;

    protected sealed override async Task ApplyAsync(TMessage message, IDocumentSession session, CancellationToken cancellationToken)
    {
        var ward = Tenants.WardOf(session.TenantId);
        await KeepAsync(message, session, ward, cancellationToken);
        await databases.WriteInTheOtherDatabasesAsync(session.TenantId, other => KeepAsync(message, other, ward, cancellationToken), cancellationToken);
    }

    /// <summary>Stages what the directory in <paramref name="session"/>'s database keeps of the message, which came from ward <paramref name="ward"/>.</summary>
    protected abstract Task KeepAsync(TMessage message, IDocumentSession session, string ward, CancellationToken cancellationToken);
}
