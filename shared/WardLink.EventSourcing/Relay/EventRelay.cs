using System.Diagnostics;
using System.Globalization;
using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Marten.Subscriptions;
using MassTransit;
using Microsoft.Extensions.Logging;
using WardLink.ServiceDefaults;

using WardLink.EventSourcing.Wards;

namespace WardLink.EventSourcing.Relay;

/// <summary>
/// The outbox: an async-daemon subscription that reads committed events in sequence order, maps
/// the ones other services need to contract messages and publishes them, a page at a time. The
/// page's progress is stored only after the broker confirmed every message of it, so a broker
/// outage or a crash loses nothing (delivery is at-least-once; consumers make the effect
/// exactly-once). The message id is the event id; the stored traceparent becomes the parent span.
/// </summary>
public sealed class EventRelay : SubscriptionBase
{
    public const string StreamIdHeader = "WardLink-Stream-Id";
    public const string StreamVersionHeader = "WardLink-Stream-Version";
    public const string SequenceHeader = "WardLink-Sequence";

    private static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(10);

    private readonly IIntegrationEventMap _map;
    private readonly IBus _bus;
    private readonly RelayStatus _status;
    private readonly TimeProvider _clock;
    private readonly ILogger<EventRelay> _logger;
    private readonly WardTenants _wards;

    public EventRelay(IIntegrationEventMap map, IBus bus, RelayStatus status, TimeProvider clock, ILogger<EventRelay> logger, WardTenants wards)
    {
        _wards = wards;
        _map = map;
        _bus = bus;
        _status = status;
        _clock = clock;
        _logger = logger;
        Name = RelayStatus.SubscriptionName;
    }

    public override async Task<IChangeListener> ProcessEventsAsync(
        EventRange page, ISubscriptionController controller, IDocumentOperations operations, CancellationToken cancellationToken)
    {
        var outgoing = new List<(IEvent Event, object Message)>();
        foreach (var recorded in page.Events)
        {
            try
            {
                if (_map.ToMessage(recorded) is { } message)
                {
                    outgoing.Add((recorded, message));
                }
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                _logger.LogError(exception, "Event {Sequence} ({EventType}) could not be mapped; recorded as a dead letter", recorded.Sequence, recorded.EventTypeName);
                await controller.RecordDeadLetterEventAsync(recorded, exception);
                _status.CountDeadLetter();
            }
        }

        await PublishUntilConfirmedAsync(operations.Database.Id.Identity, outgoing, cancellationToken);
        return NullChangeListener.Instance;
    }

    /// <summary>Publishes a page of one database's events, retrying what failed with backoff until the broker confirms all of it.</summary>
    private async Task PublishUntilConfirmedAsync(string database, List<(IEvent Event, object Message)> outgoing, CancellationToken cancellationToken)
    {
        var backoff = TimeSpan.FromMilliseconds(250);
        while (outgoing.Count > 0)
        {
            var attempts = outgoing.Select(item => (Item: item, Task: PublishAsync(item.Event, item.Message, cancellationToken))).ToList();
            try
            {
                await Task.WhenAll(attempts.Select(attempt => attempt.Task));
                _status.CountPublished(outgoing.Count);
                _status.PageConfirmed(database);
                return;
            }
            catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
            {
                var published = attempts.Count(attempt => attempt.Task.IsCompletedSuccessfully);
                _status.CountPublished(published);
                _status.PublishFailed(database, _clock.GetUtcNow(), exception.Message);
                outgoing = [.. attempts.Where(attempt => !attempt.Task.IsCompletedSuccessfully).Select(attempt => attempt.Item)];
                _logger.LogWarning("Publishing {Count} messages failed ({Failure}); retrying in {Backoff}", outgoing.Count, exception.Message, backoff);
                await Task.Delay(backoff, _clock, cancellationToken);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            }
        }
    }

    private async Task PublishAsync(IEvent recorded, object message, CancellationToken cancellationToken)
    {
        // An event appended outside any trace starts a trace of its own, not a child of the
        // daemon's polling (whose traces are not kept).
        var parent = ParentOf(recorded);
        if (parent == default)
        {
            Activity.Current = null;
        }

        using var activity = WardLinkActivity.Source.StartActivity(
            $"relay {message.GetType().Name}", ActivityKind.Producer, parent);
        activity?.SetTag("wardlink.event.sequence", recorded.Sequence);
        activity?.SetTag("wardlink.event.stream_id", recorded.StreamId.ToString());

        await WithinAsync(
            token => _bus.Publish(
                message,
                message.GetType(),
                context =>
                {
                    context.MessageId = recorded.Id;
                    context.Headers.Set(StreamIdHeader, recorded.StreamId.ToString());
                    context.Headers.Set(StreamVersionHeader, recorded.Version.ToString(CultureInfo.InvariantCulture));
                    context.Headers.Set(SequenceHeader, recorded.Sequence.ToString(CultureInfo.InvariantCulture));
                    context.Headers.Set(WardMessages.Header, _wards.WardOf(recorded.TenantId));
                },
                token),
            PublishTimeout,
            _clock,
            cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="publish"/> for at most <paramref name="timeout"/>: its token is cancelled then, and the wait for it ends
    /// then whether or not it heeds its token (a <see cref="TimeoutException"/>; the relay publishes again, at least once). A
    /// publish under way when the bus gave its connection up to a hung broker heeded nothing and never ended, and the service
    /// published nothing again until it was restarted.
    /// </summary>
    public static async Task WithinAsync(Func<CancellationToken, Task> publish, TimeSpan timeout, TimeProvider clock, CancellationToken cancellationToken)
    {
        using var expired = new CancellationTokenSource(timeout, clock);
        using var limited = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, expired.Token);
        await publish(limited.Token).WaitAsync(timeout, clock, cancellationToken);
    }

    private static ActivityContext ParentOf(IEvent recorded) =>
        recorded.Headers?.TryGetValue(TracedSessionFactory.TraceParentHeader, out var traceParent) == true
        && ActivityContext.TryParse(traceParent?.ToString(), null, out var parent)
            ? parent
            : default;
}
