using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using JasperFx;
using Marten;
using Microsoft.Extensions.Options;
using StandardWebhooks;
using WardLink.Domain;
using WardLink.EventSourcing;
using WardLink.EventSourcing.Wards;
using WardLink.ServiceDefaults;

namespace WardLink.Partners;

/// <summary>
/// Sends the due deliveries, at least once, signed per Standard Webhooks: <c>webhook-id</c> (the
/// same on every attempt), <c>webhook-timestamp</c> (seconds since 1970) and <c>webhook-signature</c>
/// (<c>v1,</c> and the HMAC-SHA256 of <c>id.timestamp.body</c>, once per valid secret, space
/// separated, while a rotated-out secret still signs). An attempt has <see cref="WebhookOptions.Timeout"/>
/// to answer 2xx; redirects are not followed; the connection goes only to checked addresses
/// (<see cref="WebhookTargets"/>). A failed attempt is retried per <see cref="RetrySchedule"/>; a
/// delivery that fails for its whole window is given up and its webhook disabled, in the same
/// transaction, which the delivery log tells (held instead, for a resume to send, when the webhook
/// was paused, disabled or deleted while its last attempt was under way). Each attempt is a span
/// whose parent is the trace of the event that queued it. It sends the due deliveries of every
/// ward, each in its own ward (where its webhook is, and where a webhook it gives up on is disabled).
/// </summary>
public sealed class WebhookSender(
    ISessionFactory sessions,
    IHttpClientFactory clients,
    WebhookSecrets secrets,
    IOptions<WebhookOptions> options,
    WebhookMetrics metrics,
    TimeProvider clock,
    WardTenants wards,
    WardDatabases databases,
    ILogger<WebhookSender> logger) : PeriodicSweep(clock, logger, wards)
{
    public const string ClientName = "webhooks";

    /// <summary>The most attempts under way at once.</summary>
    private const int MaxSending = 40;

    /// <summary>The most attempts under way at once to one partner's endpoints (its earliest due first, whichever of its webhooks).</summary>
    private const int PerPartner = 4;

    private readonly TimeProvider _clock = clock;

    /// <summary>The attempts under way, by delivery, with the partner each is for.</summary>
    private readonly ConcurrentDictionary<Guid, (Guid Partner, Task Attempt)> _sending = new();

    /// <summary>Whether the last round left due deliveries for want of room: an attempt that ends then asks for the next round at once.</summary>
    private volatile bool _leftDue;

    private WebhookOptions Options => options.Value;

    protected override TimeSpan Interval => Options.PollInterval;

    /// <summary>
    /// Starts the attempts due at <paramref name="now"/> that there is room for, and returns how many it started; each goes on
    /// past the round, which waits for none. Every partner with a due delivery has room for <see cref="PerPartner"/> attempts
    /// under way, all of them together for <see cref="MaxSending"/> (the partners in a random order each round, when more are
    /// due than there is room for): a partner's endpoints that are slow or do not answer hold only its own attempts, for up to
    /// the timeout each, never another partner's. (A round sent the 20 earliest due four at a time and waited for them all, so
    /// one partner's endpoints that never answered held every other partner's notices for minutes.) A round that leaves due
    /// deliveries for want of room is followed by the next as soon as an attempt ends, not a poll interval later: a partner's backlog
    /// after an outage went out four a second however fast its endpoint answered.
    /// </summary>
    protected override async Task<int> RunRoundAsync(DateTimeOffset now, CancellationToken ct)
    {
        var leftDue = false;
        var partners = await databases.ReadEveryWardAsync(async session => (IReadOnlyList<Guid>)await session.Query<WebhookDelivery>()
            .Where(delivery => delivery.AnyTenant() && delivery.Status == DeliveryStatus.Pending && delivery.NextAttemptAt <= now)
            .Select(delivery => delivery.PartnerId)
            .Distinct()
            .ToListAsync(ct));
        var started = 0;
        foreach (var partner in partners.Distinct().OrderBy(_ => Random.Shared.Next()))
        {
            var room = Math.Min(PerPartner - _sending.Values.Count(sending => sending.Partner == partner), MaxSending - _sending.Count);
            if (room <= 0)
            {
                leftDue = _leftDue = true;
                continue;
            }

            // One more than there is room for tells whether any is left.
            var earliest = await databases.ListEveryWardAsync<WebhookDelivery>(
                every => every.Where(delivery => delivery.PartnerId == partner && delivery.Status == DeliveryStatus.Pending && delivery.NextAttemptAt <= now)
                    .OrderBy(delivery => delivery.NextAttemptAt).Take(PerPartner + 1),
                ct);
            var waiting = earliest.OrderBy(delivery => delivery.NextAttemptAt).Where(delivery => !_sending.ContainsKey(delivery.Id)).ToList();
            leftDue |= waiting.Count > room;

            // Said before this partner's attempts start: one may end before the round does, and must then ask for the next.
            _leftDue |= leftDue;
            foreach (var delivery in waiting.Take(room))
            {
                // Started once it is counted, so that it cannot end (and be forgotten) before it is.
                var attempt = new Task<Task>(() => AttemptInItsWardAsync(delivery.Id, delivery.TenantId, ct));
                _sending[delivery.Id] = (partner, attempt.Unwrap());
                attempt.Start(TaskScheduler.Default);
                started++;
            }
        }

        _leftDue = leftDue;
        return started;
    }

    /// <summary>
    /// Stops the rounds, then waits for the attempts under way, which the stop cancels (each is retried once its claim lapses), for
    /// as long as the host gives the stop.
    /// </summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await Task.WhenAll(_sending.Values.Select(sending => sending.Attempt)).WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    /// <summary>
    /// One attempt of delivery <paramref name="id"/>, in the ward of <paramref name="tenant"/>: its fault (its database row, say) is
    /// logged and it is tried again on a later round; the others under way go on.
    /// </summary>
    private async Task AttemptInItsWardAsync(Guid id, string? tenant, CancellationToken ct)
    {
        try
        {
            using (EnterWardOf(tenant))
            {
                await DeliverAsync(id, ct);
            }
        }
        catch (Exception fault) when (!ct.IsCancellationRequested)
        {
            logger.LogError(fault, "Webhook delivery {Delivery} could not be attempted; it is tried again later.", id);
        }
        catch (Exception) when (ct.IsCancellationRequested)
        {
            // The service stops (its database call or send cancelled, whatever it threw): the claim lapses and another round, here
            // or on another replica, tries it again.
        }
        finally
        {
            _sending.TryRemove(id, out _);
            if (_leftDue)
            {
                RunSoon();
            }
        }
    }

    private async Task DeliverAsync(Guid id, CancellationToken ct)
    {
        if (await ClaimAsync(id, ct) is var (delivery, webhook, signing))
        {
            var (attempt, failure) = signing is null
                ? (new DeliveryAttempt(delivery.AttemptCount + 1, _clock.GetUtcNow(), null, 0, UnsignableError, null), UnsignableFailure)
                : await AttemptAsync(delivery, webhook, signing, ct);
            await sessions.RetryOnConflictAsync(session => RecordAsync(session, id, attempt, failure, ct), ct);
        }
    }

    /// <summary>
    /// Takes a due delivery for one attempt: its next attempt moves past the attempt's time, under
    /// optimistic concurrency, so another replica that read it as due too loses the race and skips
    /// it. A delivery of a webhook that is not active is held instead. Its secrets are null when its current one does not open
    /// (<see cref="WebhookSecrets.SigningAt"/>): nothing can be signed, and it is not sent.
    /// </summary>
    private async Task<(WebhookDelivery Delivery, WebhookState Webhook, IReadOnlyList<string>? Secrets)?> ClaimAsync(Guid id, CancellationToken ct)
    {
        await using var session = sessions.OpenSession();
        var now = _clock.GetUtcNow();
        if (await session.LoadAsync<WebhookDelivery>(id, ct) is not { Status: DeliveryStatus.Pending } delivery || delivery.NextAttemptAt > now)
        {
            return null;
        }

        await session.TakeTurnAsync(Webhook.DeliveriesTurnOf(delivery.WebhookId), ct);
        var webhook = await session.LoadAsync<WebhookState>(delivery.WebhookId, ct);
        var secret = await session.LoadSealedAsync<WebhookSecret>(delivery.WebhookId, ct);
        var active = webhook is { Status: WebhookStatus.Active } && secret.Exists;
        var partnerActive = await session.InGoodStandingAsync(delivery.PartnerId, ct);
        session.Store(
            !partnerActive ? delivery.HeldOutOfStanding()
            : active ? delivery with { NextAttemptAt = now + (Options.Timeout * 2) }
            : delivery.HeldUntilResumed());
        try
        {
            await session.SaveChangesAsync(ct);
        }
        catch (ConcurrencyException)
        {
            return null;
        }

        return active && partnerActive ? (delivery, webhook!, secrets.SigningAt(secret, now)) : null;
    }

    /// <summary>One attempt, and why it failed (status, not_http, timeout, refused, error) or null when the receiver accepted it.</summary>
    private async Task<(DeliveryAttempt Attempt, string? Failure)> AttemptAsync(WebhookDelivery delivery, WebhookState webhook, IReadOnlyList<string> signing, CancellationToken ct)
    {
        using var activity = WardLinkActivity.Source.StartActivity($"webhook {delivery.EventType}", ActivityKind.Client, ParentOf(delivery.TraceParent));
        activity?.SetTag("wardlink.webhook.id", webhook.Id.ToString());
        activity?.SetTag("wardlink.webhook.delivery", delivery.MessageId);
        activity?.SetTag("wardlink.webhook.attempt", delivery.AttemptCount + 1);
        activity?.SetTag(AnonymousSpans.AddressWithheldTag, true);

        var at = _clock.GetUtcNow();
        var started = _clock.GetTimestamp();
        using var request = new HttpRequestMessage(HttpMethod.Post, webhook.Url)
        {
            Content = new StringContent(delivery.Payload, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("webhook-id", delivery.MessageId);
        request.Headers.Add("webhook-timestamp", at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
        request.Headers.Add("webhook-signature", string.Join(' ', signing.Select(secret => new StandardWebhook(secret).Sign(delivery.MessageId, at, delivery.Payload))));

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(Options.Timeout);
        int? status = null;
        string? response = null;
        string? error = null;
        string? failure = null;
        string? detail = null;
        try
        {
            using var answer = await clients.CreateClient(ClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var code = (int)answer.StatusCode;
            status = code is >= 100 and <= 599 ? code : null;
            response = await ExcerptAsync(answer, timeout.Token);
            error = status is null ? $"The receiver answered {code}, which is no HTTP status."
                : answer.IsSuccessStatusCode ? null
                : status is >= 300 and < 400 ? "A redirect: redirects are not followed; subscribe the final address."
                : $"The receiver answered {status}.";
            failure = error is null ? null : "status";
        }
        // What the partner reads in its delivery log says what kind of failure it was, never what the sender's network
        // told (where a name resolves, whether a host answers): the detail goes to the operators' trace only.
        catch (HttpRequestException sending) when (sending.InnerException is WebhookTargetRefusedException refused)
        {
            (error, failure, detail) = ("The address is not a public one: nothing was sent.", "refused", refused.Message);
        }
        catch (HttpRequestException sending) when (sending.HttpRequestError is HttpRequestError.InvalidResponse or HttpRequestError.ResponseEnded or HttpRequestError.ConfigurationLimitExceeded)
        {
            (error, failure, detail) = (UnreadableAnswer(sending.HttpRequestError), "not_http", sending.Message);
        }
        catch (HttpRequestException sending)
        {
            (error, failure, detail) = ("The receiver could not be reached (its name, a connection or TLS failed).", "error", sending.Message);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            (error, failure) = ($"No answer within {Options.Timeout.TotalSeconds:0.#} s.", "timeout");
        }

        activity?.SetTag("http.response.status_code", status);
        if (error is not null)
        {
            activity?.SetStatus(ActivityStatusCode.Error, detail ?? error);
        }

        var milliseconds = (int)Math.Min(_clock.GetElapsedTime(started).TotalMilliseconds, int.MaxValue);
        return (new DeliveryAttempt(delivery.AttemptCount + 1, at, status, milliseconds, Characters.Cut(error, WebhookDelivery.MaxErrorLength), response), failure);
    }

    /// <summary>Why an attempt failed (the metric's <c>reason</c>) when the webhook's signing secret does not open: nothing was sent, and no retry can send it.</summary>
    public const string UnsignableFailure = "secret";

    /// <summary>What the partner reads of an attempt whose webhook's signing secret does not open (the operators' log says what failed).</summary>
    public const string UnsignableError = "The webhook's signing secret cannot be opened (changed in the database): nothing was sent. Rotate the secret, then resume the webhook and replay this delivery.";

    /// <summary>What the partner reads of an answer the receiver was reached for but that could not be read as a whole HTTP answer.</summary>
    public static string UnreadableAnswer(HttpRequestError error) => error switch
    {
        HttpRequestError.ResponseEnded => "The receiver closed the connection before its status and headers were whole.",
        HttpRequestError.ConfigurationLimitExceeded => "The receiver's answer has more headers than are read (64 KB).",
        _ => "The receiver answered something that is not HTTP (no status line or headers that could be read).",
    };

    /// <summary>
    /// Logs the attempt on the delivery. A delivery given up disables its webhook in the same transaction, when the webhook is
    /// still active; one paused, disabled or deleted since the claim is not the sender's to stop, and the delivery is held
    /// instead, for a resume to send. It takes the turn a resume takes (<see cref="Webhook.DeliveriesTurnOf"/>): a resume either
    /// committed first, and the webhook reads active, or finds the delivery held; a pause meanwhile makes the disabling a conflict,
    /// and the record is made again.
    /// </summary>
    private async Task<bool> RecordAsync(IDocumentSession session, Guid id, DeliveryAttempt attempt, string? failure, CancellationToken ct)
    {
        var delivery = await session.LoadAsync<WebhookDelivery>(id, ct) ?? throw new InvalidOperationException($"Webhook delivery {id} vanished.");
        var now = _clock.GetUtcNow();
        var succeeded = failure is null;
        var updated = succeeded ? delivery.AfterSuccess(attempt)
            : failure == UnsignableFailure ? delivery.GivenUpAfter(attempt, "its webhook's signing secret does not open (rotate it, then resume the webhook and replay this)")
            : delivery.AfterFailure(attempt, Options.Schedule, Random.Shared.NextDouble());
        if (updated.Status == DeliveryStatus.Failed)
        {
            await session.TakeTurnAsync(Webhook.DeliveriesTurnOf(delivery.WebhookId), ct);
            var stream = await session.Events.FetchForWriting<WebhookState>(delivery.WebhookId, ct);
            if (stream.Aggregate is { } webhook && Webhook.Disable(webhook, new DisableWebhook(delivery.Id, updated.AttemptCount), now, Webhook.Sender) is { IsAccepted: true } disabling)
            {
                stream.AppendMany(disabling.Events);
            }
            else
            {
                updated = updated.HeldUntilResumed();
            }
        }

        session.Store(updated);
        await session.SaveChangesAsync(ct);
        if (succeeded)
        {
            metrics.Delivered(delivery, now);
        }
        else
        {
            metrics.Failed(delivery, failure!, updated.Status == DeliveryStatus.Failed);
        }

        return succeeded;
    }

    /// <summary>
    /// The start of the answer's body, as text the delivery log can store, at most <see cref="WebhookDelivery.MaxExcerptLength"/>
    /// characters (Unicode's, as the document counts them: an emoji is one, though two UTF-16 units): a NUL character (which PostgreSQL cannot store) shown as U+FFFD, a character cut in half at the end left
    /// out; a body that breaks off (shorter than it said, or badly chunked) or does not come within the time left (cancelled: its
    /// status came in time, and a 2xx then is a delivery) is no answer's fault to log, and none is kept.
    /// </summary>
    private static async Task<string?> ExcerptAsync(HttpResponseMessage answer, CancellationToken ct)
    {
        try
        {
            await using var body = await answer.Content.ReadAsStreamAsync(ct);
            using var reader = new StreamReader(body, ExcerptEncoding(answer.Content.Headers.ContentType?.CharSet));
            var buffer = new char[2 * WebhookDelivery.MaxExcerptLength];
            var read = await reader.ReadBlockAsync(buffer, ct);
            var length = read > 0 && char.IsHighSurrogate(buffer[read - 1]) ? read - 1 : read;
            return length == 0 ? null : Characters.Start(new string(buffer, 0, length), WebhookDelivery.MaxExcerptLength).Replace('\0', '\uFFFD');
        }
        catch (Exception unfinished) when (unfinished is IOException or OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>
    /// The charset an answer's excerpt is read in: the one its <c>Content-Type</c> names where .NET reads it (UTF-8, UTF-16,
    /// UTF-32, ISO-8859-1, ASCII; a byte order mark wins; <c>utf-16</c> and <c>utf-32</c> without one big-endian, as RFC 2781
    /// reads them, under any of their names), else UTF-8; a byte it cannot decode is shown as U+FFFD (ASCII's own decoder wrote <c>?</c>). "Thanh Hóa"
    /// answered in ISO-8859-1 was logged as "Thanh H\uFFFDa", and UTF-16 without a mark as noise.
    /// </summary>
    private static Encoding ExcerptEncoding(string? charset)
    {
        var name = charset?.Trim().Trim('"', '\'').Trim() ?? string.Empty;
        var replaced = new DecoderReplacementFallback("\uFFFD");
        try
        {
            if (name.Length == 0)
            {
                return Encoding.UTF8;
            }

            // .NET reads every name of UTF-16 and UTF-32 that says no byte order (utf-16, unicode, ucs-2…) little-endian.
            var named = Encoding.GetEncoding(name);
            var saysOrder = BodyCharsets.SaysByteOrder(name);
            var codePage = named.CodePage switch
            {
                BodyCharsets.UnicodeLittle when !saysOrder => BodyCharsets.UnicodeBig,
                BodyCharsets.Utf32Little when !saysOrder => BodyCharsets.Utf32Big,
                var page => page,
            };
            return Encoding.GetEncoding(codePage, EncoderFallback.ReplacementFallback, replaced);
        }
        catch (Exception unknown) when (unknown is ArgumentException or NotSupportedException)
        {
            return Encoding.UTF8;
        }
    }

    private static ActivityContext ParentOf(string? traceParent) =>
        ActivityContext.TryParse(traceParent, null, out var parent) ? parent : default;
}
