using System.ComponentModel.DataAnnotations;
using System.Diagnostics.Metrics;
using System.Text.Json.Serialization;
using WardLink.ServiceDefaults;

namespace WardLink.Partners;

public enum DeliveryStatus
{
    /// <summary>Queued, or failed and waiting for its next attempt.</summary>
    Pending,
    Delivered,

    /// <summary>Failed for the whole retry window; the sender gave up (and disabled the webhook).</summary>
    Failed,

    /// <summary>Waiting while the webhook is paused, disabled or deleted; resuming sends it.</summary>
    Held,
}

/// <summary>One try at a delivery, as the sender keeps it: when, the answer's status (none when there was no answer), how long it took, what went wrong, the start of the answer.</summary>
public sealed record DeliveryAttempt(int Number, DateTimeOffset At, int? Status, int Milliseconds, string? Error, string? Response);

/// <summary>
/// One event to send to one subscription, with its log of attempts. A delivery is a document, not
/// a stream: it is the sender's working state (claimed, retried, rescheduled many times a day), not
/// a fact of the linkage, and the sender picks the due ones by a query on <see cref="NextAttemptAt"/>
/// under optimistic concurrency, so two replicas never send the same attempt twice. What is a fact
/// (a webhook disabled because its deliveries failed) goes into the subscription's stream.
/// <see cref="Payload"/> is the exact JSON sent every time, so a receiver can use the
/// <c>webhook-id</c> (<see cref="MessageId"/>) to drop a repeat. <see cref="AttemptCount"/> counts every
/// attempt, replays and resumes included (the log's numbers); <see cref="FailuresThisWindow"/> counts the failed
/// attempts since the delivery was queued or last requeued, which the backoff goes by, so a replay starts at the
/// first interval again. A delivery belongs to its webhook's
/// ward; <see cref="TenantId"/> is that ward's tenant in the store, set by the store when it reads the delivery.
/// </summary>
public sealed record WebhookDelivery(
    Guid Id,
    Guid WebhookId,
    Guid PartnerId,
    WebhookEventType EventType,
    string Payload,
    DateTimeOffset QueuedAt,
    DeliveryStatus Status,
    DateTimeOffset NextAttemptAt,
    DateTimeOffset RetryUntil,
    int AttemptCount,
    int FailuresThisWindow,
    IReadOnlyList<DeliveryAttempt> Attempts,
    DateTimeOffset? DeliveredAt,
    string? TraceParent,
    string? Note) : Marten.Metadata.ITenanted
{
    /// <summary>The most attempts a delivery's log keeps (the latest; <see cref="AttemptCount"/> counts all).</summary>
    public const int MaxKeptAttempts = 50;

    public const int MaxExcerptLength = 500;
    public const int MaxErrorLength = 300;
    public const int MaxNoteLength = 300;

    [JsonIgnore]
    public string? TenantId { get; set; }

    /// <summary>The <c>webhook-id</c> header: the same on every attempt and replay of this delivery.</summary>
    public string MessageId => $"msg_{Id:N}";

    /// <summary>Due again from <paramref name="now"/>, for a fresh retry window with a fresh backoff (a replay, or a webhook resumed).</summary>
    public WebhookDelivery Requeued(DateTimeOffset now, RetrySchedule schedule, string note) =>
        this with { Status = DeliveryStatus.Pending, NextAttemptAt = now, RetryUntil = now + schedule.RetryFor, FailuresThisWindow = 0, Note = note };

    /// <summary>The delivery after <paramref name="attempt"/>, which failed: due again per <paramref name="schedule"/>, or given up when that is past its window.</summary>
    public WebhookDelivery AfterFailure(DeliveryAttempt attempt, RetrySchedule schedule, double jitter)
    {
        var logged = Logged(attempt) with { FailuresThisWindow = FailuresThisWindow + 1 };
        return schedule.NextAttemptAfter(logged.FailuresThisWindow, attempt.At, RetryUntil, jitter) is { } next
            ? logged with { NextAttemptAt = next }
            : logged with { Status = DeliveryStatus.Failed, Note = $"Gave up after {logged.FailuresThisWindow} attempts over the retry window; the webhook is disabled until it is resumed." };
    }

    /// <summary>The delivery after <paramref name="attempt"/>, which failed for a reason no retry mends (<paramref name="why"/>): given up at once.</summary>
    public WebhookDelivery GivenUpAfter(DeliveryAttempt attempt, string why) =>
        Logged(attempt) with { FailuresThisWindow = FailuresThisWindow + 1, Status = DeliveryStatus.Failed, Note = $"Gave up at once: {why}; the webhook is disabled until it is resumed." };

    /// <summary>Held while its webhook is not active (paused, disabled or deleted): resuming the webhook sends it.</summary>
    public WebhookDelivery HeldUntilResumed() => this with { Status = DeliveryStatus.Held, Note = "Held: the webhook is not active; resuming it sends this." };

    /// <summary>The note of a delivery held because its partner is suspended or has left (a replay is refused meanwhile: <see cref="WebhookEndpoints"/>).</summary>
    public const string OutOfStandingNote = "Held: the partner is suspended or has left the linkage; not sent while so (once a suspended partner is resumed, a replay sends it).";

    /// <summary>
    /// Held while its partner is suspended or has left: resuming the webhook does not send it (<see cref="IsHeldForItsWebhook"/>),
    /// nor does resuming the partner; a replay does, once the partner is in standing.
    /// </summary>
    public WebhookDelivery HeldOutOfStanding() => this with { Status = DeliveryStatus.Held, Note = OutOfStandingNote };

    /// <summary>Whether it is held for its webhook's sake (paused, disabled), which resuming the webhook ends; not for its partner's standing.</summary>
    public bool IsHeldForItsWebhook => Status == DeliveryStatus.Held && Note != OutOfStandingNote;

    public WebhookDelivery AfterSuccess(DeliveryAttempt attempt) => Logged(attempt) with { Status = DeliveryStatus.Delivered, DeliveredAt = attempt.At, Note = null };

    private WebhookDelivery Logged(DeliveryAttempt attempt) =>
        this with { AttemptCount = AttemptCount + 1, Attempts = [.. Attempts.TakeLast(MaxKeptAttempts - 1), attempt] };
}

/// <summary>
/// Exponential backoff with jitter: the n-th retry waits <c>FirstRetryAfter · 2^(n−1)</c>, capped at
/// <c>MaxInterval</c>, of which a random half is dropped (so receivers coming back are not hit by
/// every sender at once); no attempt is planned past the delivery's window.
/// </summary>
public sealed record RetrySchedule(TimeSpan FirstRetryAfter, TimeSpan MaxInterval, TimeSpan RetryFor)
{
    /// <summary>When to try again after <paramref name="failedAttempts"/> failures, the last at <paramref name="now"/>; null when that is past <paramref name="retryUntil"/>.</summary>
    /// <param name="jitter">A random number in [0, 1).</param>
    public DateTimeOffset? NextAttemptAfter(int failedAttempts, DateTimeOffset now, DateTimeOffset retryUntil, double jitter)
    {
        var doubled = FirstRetryAfter.TotalMilliseconds * Math.Pow(2, Math.Clamp(failedAttempts - 1, 0, 40));
        var interval = Math.Min(doubled, MaxInterval.TotalMilliseconds);
        var next = now + TimeSpan.FromMilliseconds(interval * (0.5 + (0.5 * Math.Clamp(jitter, 0, 1))));
        return next <= retryUntil ? next : null;
    }
}

/// <summary>A delivery in its subscription's log, for its partner and the police.</summary>
public sealed record WebhookDeliveryView(
    Guid Id,
    [property: MaxLength(40)] string MessageId,
    WebhookEventType EventType,
    DeliveryStatus Status,
    DateTimeOffset QueuedAt,
    DateTimeOffset? NextAttemptAt,
    DateTimeOffset? DeliveredAt,
    [property: Range(0, int.MaxValue)] int AttemptCount,
    [property: MaxLength(WebhookDelivery.MaxKeptAttempts)] IReadOnlyList<DeliveryAttemptView> Attempts,
    [property: MaxLength(WebhookDelivery.MaxNoteLength)] string? Note)
{
    public static WebhookDeliveryView Of(WebhookDelivery delivery) => new(
        delivery.Id, delivery.MessageId, delivery.EventType, delivery.Status, delivery.QueuedAt,
        delivery.Status == DeliveryStatus.Pending ? delivery.NextAttemptAt : null, delivery.DeliveredAt, delivery.AttemptCount,
        [.. delivery.Attempts.Select(DeliveryAttemptView.Of)], delivery.Note);
}

/// <summary>One try at a delivery in the log: when, the answer's status (none when there was no answer), how long it took, what went wrong, the start of the answer.</summary>
public sealed record DeliveryAttemptView(
    [property: Range(1, int.MaxValue)] int Number,
    DateTimeOffset At,
    [property: Range(100, 599)] int? Status,
    [property: Range(0, int.MaxValue)] int Milliseconds,
    [property: MaxLength(WebhookDelivery.MaxErrorLength)] string? Error,
    [property: MaxLength(WebhookDelivery.MaxExcerptLength)] string? Response)
{
    public static DeliveryAttemptView Of(DeliveryAttempt attempt) => new(attempt.Number, attempt.At, attempt.Status, attempt.Milliseconds, attempt.Error, attempt.Response);
}

/// <summary>
/// Webhook metrics: deliveries made (<c>wardlink.webhooks.delivered</c>), failed attempts
/// (<c>wardlink.webhooks.failed_attempts</c>, by reason: status, timeout, refused, error) and
/// deliveries given up (<c>wardlink.webhooks.given_up</c>), and the lag from queueing to delivery
/// (<c>wardlink.webhooks.lag</c>, seconds), each by event type.
/// </summary>
public sealed class WebhookMetrics
{
    private readonly Counter<long> _delivered;
    private readonly Counter<long> _failed;
    private readonly Counter<long> _givenUp;
    private readonly Histogram<double> _lag;

    public WebhookMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(WardLinkActivity.SourceName);
        _delivered = meter.CreateCounter<long>("wardlink.webhooks.delivered", "{delivery}", "Webhook deliveries a receiver accepted (2xx).");
        _failed = meter.CreateCounter<long>("wardlink.webhooks.failed_attempts", "{attempt}", "Webhook attempts that failed, by reason.");
        _givenUp = meter.CreateCounter<long>("wardlink.webhooks.given_up", "{delivery}", "Webhook deliveries that failed for their whole retry window.");
        _lag = meter.CreateHistogram<double>("wardlink.webhooks.lag", "s", "From queueing a webhook delivery to its receiver accepting it.");
    }

    public void Delivered(WebhookDelivery delivery, DateTimeOffset at)
    {
        var type = new KeyValuePair<string, object?>("event_type", delivery.EventType.ToString());
        _delivered.Add(1, type);
        _lag.Record((at - delivery.QueuedAt).TotalSeconds, type);
    }

    public void Failed(WebhookDelivery delivery, string reason, bool givenUp)
    {
        var type = new KeyValuePair<string, object?>("event_type", delivery.EventType.ToString());
        _failed.Add(1, type, new("reason", reason));
        if (givenUp)
        {
            _givenUp.Add(1, type);
        }
    }
}
