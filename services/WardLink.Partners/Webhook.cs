using System.ComponentModel.DataAnnotations;
using WardLink.Domain;
using WardLink.ServiceDefaults;

namespace WardLink.Partners;

/// <summary>What a partner can be told of by webhook: only what happens at its own sites, or to what it submitted, or what it owns.</summary>
public enum WebhookEventType
{
    /// <summary>An incident was reported at one of its sites.</summary>
    IncidentReported,

    /// <summary>An incident at one of its sites was resolved.</summary>
    IncidentResolved,

    /// <summary>A tip it submitted was referred to an incident.</summary>
    TipReferred,

    /// <summary>The outcome of the incident a tip it submitted led to was recorded on the tip.</summary>
    TipOutcomeRecorded,

    /// <summary>A planned shift whose route passes one of its sites was missed.</summary>
    ShiftMissed,

    /// <summary>A camera surveyed at one of its sites was approved.</summary>
    CameraApproved,

    /// <summary>A camera was installed at one of its sites.</summary>
    CameraInstalled,

    /// <summary>A camera at one of its sites was decommissioned.</summary>
    CameraDecommissioned,

    /// <summary>An action item it owns went past its due date unfinished.</summary>
    ActionItemOverdue,
}

public enum WebhookStatus
{
    /// <summary>Deliveries are sent.</summary>
    Active,

    /// <summary>Paused by the partner or the police: deliveries wait until it resumes.</summary>
    Paused,

    /// <summary>Disabled after a delivery failed for the whole retry window: deliveries wait until it resumes.</summary>
    Disabled,

    /// <summary>Deleted: nothing more is queued or taken up for sending, and it is read as not found.</summary>
    Deleted,
}

/// <summary>A partner subscribed an endpoint. The signing secret is never in an event: it is kept sealed beside the stream (<see cref="WebhookSecret"/>).</summary>
public sealed record WebhookSubscribed(
    Guid WebhookId, Guid PartnerId, string Url, IReadOnlyList<WebhookEventType> Events, string? Description, DateTimeOffset At, string By) : IBusinessEvent;

/// <summary>The endpoint, the events or the description changed; carries all three as they now are.</summary>
public sealed record WebhookChanged(Guid WebhookId, string Url, IReadOnlyList<WebhookEventType> Events, string? Description, DateTimeOffset At, string By) : IBusinessEvent;

/// <summary>A new signing secret was issued; the one it replaced still signs until <paramref name="PreviousValidUntil"/> (as each replaced before it does until its own).</summary>
public sealed record WebhookSecretRotated(Guid WebhookId, DateTimeOffset PreviousValidUntil, DateTimeOffset At, string By) : IBusinessEvent;

public sealed record WebhookPaused(Guid WebhookId, DateTimeOffset At, string By) : IBusinessEvent;

public sealed record WebhookResumed(Guid WebhookId, DateTimeOffset At, string By) : IBusinessEvent;

/// <summary>The sender gave up on delivery <paramref name="DeliveryId"/> after <paramref name="Attempts"/> failed attempts over the retry window, and stopped the endpoint.</summary>
public sealed record WebhookDisabled(Guid WebhookId, Guid DeliveryId, int Attempts, DateTimeOffset At, string By) : IBusinessEvent;

public sealed record WebhookDeleted(Guid WebhookId, DateTimeOffset At, string By) : IBusinessEvent;

/// <summary>The request body of <c>POST /partners/{id}/webhooks</c> and <c>PUT /partners/{id}/webhooks/{webhookId}</c>.</summary>
public sealed record WebhookRequest(
    [property: MaxLength(Webhook.MaxUrlLength), HttpAddress(endpoint: true)] string? Url,
    [property: MinLength(1), MaxLength(Webhook.MaxEventTypes)] IReadOnlyList<WebhookEventType>? Events,
    [property: MaxLength(Webhook.MaxDescriptionLength)] string? Description = null);

/// <summary>
/// A new subscription <paramref name="WebhookId"/> for partner <paramref name="PartnerId"/>, with
/// what the caller looked up: the partner (null: no such partner), how many live subscriptions it
/// has, and whether local targets are allowed here (Development, or tests).
/// </summary>
public sealed record SubscribeWebhook(Guid WebhookId, Guid PartnerId, PartnerState? Partner, int Existing, WebhookRequest Request, bool AllowLocalTargets);

/// <summary>A change of subscription of partner <paramref name="PartnerId"/> (the one in the address).</summary>
public sealed record ChangeWebhook(Guid PartnerId, WebhookRequest Request, bool AllowLocalTargets);

/// <summary>A step on a subscription of partner <paramref name="PartnerId"/> (the one in the address) that needs nothing more.</summary>
public sealed record WebhookStep(Guid PartnerId);

/// <summary>A new signing secret for a subscription of partner <paramref name="PartnerId"/>, while <paramref name="ReplacedStillSigning"/> secrets it replaced still sign.</summary>
public sealed record RotateWebhookSecret(Guid PartnerId, int ReplacedStillSigning);

/// <summary>The sender's giving up on a delivery: which, after how many attempts.</summary>
public sealed record DisableWebhook(Guid DeliveryId, int Attempts);

/// <summary>A subscription as it stands; also the read model of a partner's list (an inline snapshot).</summary>
public sealed record WebhookState(
    Guid Id,
    Guid PartnerId,
    string Url,
    IReadOnlyList<WebhookEventType> Events,
    string? Description,
    WebhookStatus Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset? SecretRotatedAt,
    DateTimeOffset? PreviousSecretValidUntil,
    DateTimeOffset? DisabledAt,
    Guid? DisabledByDelivery)
{
    public static WebhookState Create(WebhookSubscribed subscribed) => new(
        subscribed.WebhookId, subscribed.PartnerId, subscribed.Url, subscribed.Events, subscribed.Description, WebhookStatus.Active, subscribed.At, null, null, null, null);

    public WebhookState Apply(WebhookChanged changed) => this with { Url = changed.Url, Events = changed.Events, Description = changed.Description };

    public WebhookState Apply(WebhookSecretRotated rotated) => this with { SecretRotatedAt = rotated.At, PreviousSecretValidUntil = rotated.PreviousValidUntil };

    public WebhookState Apply(WebhookPaused paused) => this with { Status = WebhookStatus.Paused };

    public WebhookState Apply(WebhookResumed resumed) => this with { Status = WebhookStatus.Active, DisabledAt = null, DisabledByDelivery = null };

    public WebhookState Apply(WebhookDisabled disabled) => this with { Status = WebhookStatus.Disabled, DisabledAt = disabled.At, DisabledByDelivery = disabled.DeliveryId };

    public WebhookState Apply(WebhookDeleted deleted) => this with { Status = WebhookStatus.Deleted };

    /// <summary>Whether this is a live subscription of <paramref name="partnerId"/>: another partner's, or a deleted one, is not found.</summary>
    public bool IsLiveOf(Guid partnerId) => PartnerId == partnerId && Status != WebhookStatus.Deleted;
}

/// <summary>A subscription as the police and its partner read it, with the ward it is kept in (its partner's): everything but the secret, which is shown once, when issued.</summary>
public sealed record WebhookView(
    Guid Id,
    [property: MaxLength(WardNames.MaxIdLength)] string Ward,
    Guid PartnerId,
    [property: MaxLength(Webhook.MaxUrlLength)] string Url,
    [property: MaxLength(Webhook.MaxEventTypes)] IReadOnlyList<WebhookEventType> Events,
    [property: MaxLength(Webhook.MaxDescriptionLength)] string? Description,
    WebhookStatus Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset? SecretRotatedAt,
    DateTimeOffset? PreviousSecretValidUntil,
    DateTimeOffset? DisabledAt,
    Guid? DisabledByDelivery)
{
    public static WebhookView Of(WebhookState webhook, string ward) => new(
        webhook.Id, ward, webhook.PartnerId, webhook.Url, webhook.Events, webhook.Description, webhook.Status, webhook.CreatedAt,
        webhook.SecretRotatedAt, webhook.PreviousSecretValidUntil, webhook.DisabledAt, webhook.DisabledByDelivery);
}

/// <summary>A subscription with its new signing secret (<c>whsec_…</c>): the only answer that shows it.</summary>
public sealed record WebhookWithSecret(WebhookView Webhook, [property: MaxLength(WebhookSecrets.MaxSecretLength)] string Secret);

/// <summary>The decisions on a partner's webhook subscription: pure functions of its state, the command, the time and the actor.</summary>
public static class Webhook
{
    /// <summary>What a problem calls a subscription: another partner's or a deleted one is answered as one that does not exist.</summary>
    public const string What = "Webhook";

    public const int MaxUrlLength = 2000;
    public const int MaxDescriptionLength = 500;
    public const int MaxEventTypes = 16;

    /// <summary>The most live subscriptions one partner has at once.</summary>
    public const int MaxPerPartner = 10;

    /// <summary>
    /// The turn a webhook's resume, its replays and the sender's claims of its deliveries and give-ups on them take: a claim or
    /// give-up that read the webhook paused holds its delivery before the resume looks for what is held, or reads it active; a
    /// replay and a resume making one held delivery due do so one after the other.
    /// </summary>
    public static string DeliveriesTurnOf(Guid webhookId) => $"webhook:{webhookId}";

    /// <summary>The turn (<see cref="Turns"/>) a webhook's rotations take: each keeps every secret the one before it replaced, and the one it issued.</summary>
    public static string SecretsTurnOf(Guid webhookId) => $"webhook-secrets:{webhookId}";

    /// <summary>Who disables a subscription whose deliveries keep failing: the sender, not a person.</summary>
    public const string Sender = "partners-webhook-sender";

    /// <summary>How long a rotated-out secret still signs, so a receiver can switch without losing a delivery.</summary>
    public static readonly TimeSpan SecretOverlap = TimeSpan.FromHours(24);

    /// <summary>
    /// The most replaced secrets that still sign at once: each delivery carries one signature per secret, so rotations
    /// beyond this within <see cref="SecretOverlap"/> wait until the oldest stops signing.
    /// </summary>
    public const int MaxReplacedSecrets = 3;

    public static Decision Subscribe(WebhookState? current, SubscribeWebhook command, DateTimeOffset now, string actor) =>
        command.Partner is not { } partner
            ? Rejection.NotFound(Partner.What, command.PartnerId)

            // The request's values first, as every step judges them before what the record holds: at the limit, an invalid body is
            // told what is wrong with it (it was told the limit, and the 400 only once a webhook was deleted), and so is one to a
            // partner that left.
            : new FieldErrors().CheckRequest(command.Request, command.AllowLocalTargets).Then(() =>
                current is not null ? Rejection.Conflict($"Webhook {command.WebhookId} already exists.")
                : partner.RefuseIfLeft()
                    ?? (command.Existing >= MaxPerPartner ? Rejection.Conflict($"Partner {partner.Name} already has {MaxPerPartner} webhooks; delete one first.")
                    : Decision.Accept(new WebhookSubscribed(
                        command.WebhookId, partner.Id, command.Request.Url!, [.. command.Request.Events!.Distinct()], Trimmed(command.Request.Description), now, actor))));

    public static Decision Change(WebhookState webhook, ChangeWebhook command, DateTimeOffset now, string actor) =>
        NotFound(webhook, command.PartnerId) ?? new FieldErrors().CheckRequest(command.Request, command.AllowLocalTargets).Then(() =>
        {
            var changed = new WebhookChanged(webhook.Id, command.Request.Url!, [.. command.Request.Events!.Distinct()], Trimmed(command.Request.Description), now, actor);
            return WebhookTargets.CalledAt(changed.Url) == WebhookTargets.CalledAt(webhook.Url) && changed.Events.SequenceEqual(webhook.Events) && changed.Description == webhook.Description
                ? Rejection.Conflict($"Webhook {webhook.Id} already has that address, those events and that description.")
                : Decision.Accept(changed);
        });

    /// <summary>
    /// A new secret; the one it replaces still signs for <see cref="SecretOverlap"/>, as do those replaced before it that still
    /// sign (every signature is sent meanwhile), at most <see cref="MaxReplacedSecrets"/> of them.
    /// </summary>
    public static Decision RotateSecret(WebhookState webhook, RotateWebhookSecret command, DateTimeOffset now, string actor) =>
        NotFound(webhook, command.PartnerId) is { } notFound ? notFound
        : command.ReplacedStillSigning >= MaxReplacedSecrets
            ? Rejection.Conflict($"Webhook {webhook.Id} has {command.ReplacedStillSigning} replaced secrets that still sign; rotate again once the oldest stops, {SecretOverlap.TotalHours:0} hours after its rotation.")
            : Decision.Accept(new WebhookSecretRotated(webhook.Id, now + SecretOverlap, now, actor));

    public static Decision Pause(WebhookState webhook, WebhookStep command, DateTimeOffset now, string actor) =>
        NotFound(webhook, command.PartnerId) is { } notFound ? notFound
        : webhook.Status == WebhookStatus.Active ? Decision.Accept(new WebhookPaused(webhook.Id, now, actor))
        : Rejection.Conflict($"Webhook {webhook.Id} is {Describe(webhook.Status)}; only an active webhook can be paused.");

    /// <summary>A paused webhook, or one the sender disabled, sends again (what waited is sent too).</summary>
    public static Decision Resume(WebhookState webhook, WebhookStep command, DateTimeOffset now, string actor) =>
        NotFound(webhook, command.PartnerId) is { } notFound ? notFound
        : webhook.Status is WebhookStatus.Paused or WebhookStatus.Disabled ? Decision.Accept(new WebhookResumed(webhook.Id, now, actor))
        : Rejection.Conflict($"Webhook {webhook.Id} is {Describe(webhook.Status)}; only a paused or disabled webhook can resume.");

    public static Decision Delete(WebhookState webhook, WebhookStep command, DateTimeOffset now, string actor) =>
        NotFound(webhook, command.PartnerId) is { } notFound ? notFound : Decision.Accept(new WebhookDeleted(webhook.Id, now, actor));

    /// <summary>
    /// The sender gives up on a delivery: an active webhook is disabled. One paused, disabled (by another delivery) or deleted
    /// while the delivery's last attempt was under way is not: the sender holds the delivery instead, for a resume to send.
    /// </summary>
    public static Decision Disable(WebhookState webhook, DisableWebhook command, DateTimeOffset now, string actor) =>
        webhook.Status == WebhookStatus.Active
            ? Decision.Accept(new WebhookDisabled(webhook.Id, command.DeliveryId, command.Attempts, now, actor))
            : Rejection.Conflict($"Webhook {webhook.Id} is {Describe(webhook.Status)}; delivery {command.DeliveryId} waits until it resumes.");

    private static Rejection? NotFound(WebhookState webhook, Guid partnerId) =>
        webhook.IsLiveOf(partnerId) ? null : Rejection.NotFound(What, webhook.Id);

    private static FieldErrors CheckRequest(this FieldErrors errors, WebhookRequest request, bool allowLocalTargets)
    {
        var refusedUrl = WebhookTargets.CheckUrl(request.Url, allowLocalTargets);
        return errors
            .Check(refusedUrl is null, "url", refusedUrl ?? string.Empty)
            .Check(request.Events is { Count: > 0 }, "events", "List the events to be told of.")
            .Check((request.Events?.Count ?? 0) <= MaxEventTypes, "events", $"At most {MaxEventTypes} events.")
            .CheckLength(request.Description, "description", MaxDescriptionLength);
    }

    private static string? Trimmed(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    private static string Describe(WebhookStatus status) => status switch
    {
        WebhookStatus.Active => "active",
        WebhookStatus.Paused => "paused",
        WebhookStatus.Disabled => "disabled after failed deliveries",
        _ => "deleted",
    };
}
