using System.Diagnostics.Metrics;
using MassTransit;
using WardLink.ServiceDefaults;

namespace WardLink.EventSourcing;

/// <summary>
/// Counts each retry of a consumed message (<c>wardlink.messages.retried</c>), by service, message type and why: <c>outage</c>
/// (PostgreSQL unreachable), <c>notKnownYet</c> (a ward or site still on its way) or <c>failure</c> (anything else, parked in the
/// error queue after <see cref="Messaging.RetryLimit"/>). A rate of <c>outage</c> during a restart is the service waiting it
/// out; a steady rate of <c>notKnownYet</c> is a message waiting for another that may never come.
/// </summary>
public sealed class MessageRetries : IRetryObserver
{
    public const string InstrumentName = "wardlink.messages.retried";

    private readonly Counter<long> _retried;
    private readonly KeyValuePair<string, object?> _service;
    private readonly KeyValuePair<string, object?> _reason;

    private MessageRetries(Counter<long> retried, string service, string reason)
    {
        _retried = retried;
        _service = new("service", service);
        _reason = new("reason", reason);
    }

    /// <summary>An observer for each retry policy, given its reason, all counting on one instrument of the host's meter.</summary>
    public static Func<string, MessageRetries> For(string service, IMeterFactory meters)
    {
        var retried = meters.Create(WardLinkActivity.SourceName).CreateCounter<long>(InstrumentName, "{retry}", "Retries of consumed messages, by message type and reason (outage, notKnownYet, failure).");
        return reason => new MessageRetries(retried, service, reason);
    }

    public Task PreRetry<T>(RetryContext<T> context)
        where T : class, PipeContext
    {
        Count(typeof(T).IsGenericType ? typeof(T).GetGenericArguments()[0].Name : typeof(T).Name);
        return Task.CompletedTask;
    }

    /// <summary>Counts one retry of a message of the type named: the retry policies' and the wait queues' (<see cref="WaitQueues"/>).</summary>
    public void Count(string messageType) => _retried.Add(1, _service, _reason, new("message_type", messageType));

    public Task PostCreate<T>(RetryPolicyContext<T> context)
        where T : class, PipeContext => Task.CompletedTask;

    public Task PostFault<T>(RetryContext<T> context)
        where T : class, PipeContext => Task.CompletedTask;

    public Task RetryFault<T>(RetryContext<T> context)
        where T : class, PipeContext => Task.CompletedTask;

    public Task RetryComplete<T>(RetryContext<T> context)
        where T : class, PipeContext => Task.CompletedTask;
}
