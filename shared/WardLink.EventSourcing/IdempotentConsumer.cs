using JasperFx;
using Marten;
using MassTransit;

namespace WardLink.EventSourcing;

/// <summary>A message a consumer has applied; stored in the same transaction as the effect.</summary>
public sealed record ProcessedMessage(string Id, string Consumer, Guid MessageId, DateTimeOffset ProcessedAt);

/// <summary>
/// A consumer whose effect happens once per message id: it applies the message and records the
/// message id in the same Marten transaction, so a redelivered message (at-least-once delivery,
/// a relay that published twice) changes nothing. Failures are retried by the bus, then go to the
/// queue's error queue.
/// </summary>
public abstract class IdempotentConsumer<TMessage>(IDocumentSession session, TimeProvider clock) : IConsumer<TMessage>
    where TMessage : class
{
    public async Task Consume(ConsumeContext<TMessage> context)
    {
        var messageId = context.MessageId ?? throw new InvalidOperationException($"A {typeof(TMessage).Name} arrived without a message id.");
        var consumer = GetType().Name;
        var ledgerId = $"{consumer}/{messageId:N}";
        if (await session.LoadAsync<ProcessedMessage>(ledgerId, context.CancellationToken) is not null)
        {
            return;
        }

        session.CausationId = messageId.ToString();
        await ApplyAsync(context.Message, session, context.CancellationToken);
        session.Insert(new ProcessedMessage(ledgerId, consumer, messageId, clock.GetUtcNow()));
        try
        {
            await session.SaveChangesAsync(context.CancellationToken);
        }
        catch (DocumentAlreadyExistsException duplicate) when (duplicate.DocumentType == typeof(ProcessedMessage))
        {
            // A concurrent delivery of the same message won the race; this transaction rolled back.
            // Any other document that already exists (a row another message inserted meanwhile) is a
            // conflict of the effect itself: it propagates, and the bus delivers the message again.
        }
    }

    /// <summary>Stages the message's effect in <paramref name="session"/>; the base class commits it.</summary>
    protected abstract Task ApplyAsync(TMessage message, IDocumentSession session, CancellationToken cancellationToken);
}
