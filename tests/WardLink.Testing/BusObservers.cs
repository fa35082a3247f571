using System.Collections.Concurrent;
using MassTransit;
using WardLink.EventSourcing;

namespace WardLink.Testing;

/// <summary>Counts the messages a host's consumers finished (applied or skipped as duplicates, not sent to wait), by message id.</summary>
public sealed class ConsumeCounter : IConsumeObserver
{
    private readonly ConcurrentQueue<(Type Type, Guid Id)> _consumed = new();

    public IReadOnlyCollection<Guid> Consumed => [.. _consumed.Select(consumed => consumed.Id)];

    /// <summary>The ids of the <typeparamref name="TMessage"/> messages consumed, once per delivery.</summary>
    public IReadOnlyList<Guid> ConsumedOf<TMessage>() => [.. _consumed.Where(consumed => consumed.Type == typeof(TMessage)).Select(consumed => consumed.Id)];

    public int CountOf(Guid messageId) => _consumed.Count(consumed => consumed.Id == messageId);

    public Task PreConsume<T>(ConsumeContext<T> context)
        where T : class => Task.CompletedTask;

    public Task PostConsume<T>(ConsumeContext<T> context)
        where T : class
    {
        if (!context.ReceiveContext.TryGetPayload<WaitQueues.Waited>(out _))
        {
            _consumed.Enqueue((typeof(T), context.MessageId ?? Guid.Empty));
        }

        return Task.CompletedTask;
    }

    public Task ConsumeFault<T>(ConsumeContext<T> context, Exception exception)
        where T : class => Task.CompletedTask;
}

/// <summary>
/// Lets the first <paramref name="allowed"/> publishes of <typeparamref name="TMessage"/> through and
/// holds every later one until it is cancelled, or the gate opened (<see cref="Open"/>): a relay stopped in the middle of a page.
/// </summary>
public sealed class PublishGate<TMessage>(int allowed) : IPublishObserver
    where TMessage : class
{
    private readonly TaskCompletionSource _opened = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _started;
    private int _published;

    public int Published => _published;

    /// <summary>Lets every publish through from now on, those held too.</summary>
    public void Open() => _opened.TrySetResult();

    public async Task PrePublish<T>(PublishContext<T> context)
        where T : class
    {
        if (typeof(T) == typeof(TMessage) && Interlocked.Increment(ref _started) > allowed)
        {
            await _opened.Task.WaitAsync(context.CancellationToken);
        }
    }

    public Task PostPublish<T>(PublishContext<T> context)
        where T : class
    {
        if (typeof(T) == typeof(TMessage))
        {
            Interlocked.Increment(ref _published);
        }

        return Task.CompletedTask;
    }

    public Task PublishFault<T>(PublishContext<T> context, Exception exception)
        where T : class => Task.CompletedTask;
}
