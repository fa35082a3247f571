using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using Marten;
using MassTransit;
using Microsoft.Extensions.Options;
using WardLink.Contracts.Incidents;
using WardLink.Contracts.Patrols;
using WardLink.Contracts.Tips;
using WardLink.EventSourcing;
using Contract = WardLink.Contracts.Partners;

namespace WardLink.Partners;

// What a partner is told: each notice is the partner's view of what happened, no more. No free
// text (descriptions, reasons, item texts), no actor, no police-only reference (routes, linked
// tips, the incident a tip went to), no personal data; another partner's site is never named.

/// <summary>An incident reported at one of the partner's sites (the fields of <c>IncidentPartnerView</c> it has then).</summary>
public sealed record IncidentReportedNotice(
    Guid IncidentId, string CaseNumber, IncidentClassification Classification, SecurityCategory Category, IncidentSource Source, Guid SiteId, DateTimeOffset OccurredAt, DateTimeOffset ReportedAt);

/// <summary>An incident at one of the partner's sites resolved.</summary>
public sealed record IncidentResolvedNotice(Guid IncidentId, string CaseNumber, IncidentClassification Classification, IncidentOutcome Outcome, Guid SiteId, DateTimeOffset ResolvedAt);

/// <summary>A tip the partner submitted was referred (the fields of <c>TipPartnerView</c> it has then).</summary>
public sealed record TipReferredNotice(Guid TipId, string TipNumber, SecurityCategory Category, Guid? SiteId, DateTimeOffset ReceivedAt, DateTimeOffset ReferredAt);

/// <summary>The outcome of the case a tip the partner submitted contributed to (a <c>TipPartnerOutcome</c>).</summary>
public sealed record TipOutcomeNotice(Guid TipId, string TipNumber, string CaseNumber, IncidentClassification Classification, IncidentOutcome Outcome, DateTimeOffset ResolvedAt);

/// <summary>A planned shift was missed; the partner's own sites on its route.</summary>
public sealed record ShiftMissedNotice(DateOnly PlannedDate, DateTimeOffset WindowStart, DateTimeOffset WindowEnd, IReadOnlyList<Guid> SiteIds);

/// <summary>A camera at one of the partner's sites took a step (approved, installed, decommissioned).</summary>
public sealed record CameraNotice(Guid CameraId, Guid SiteId, DateTimeOffset At);

/// <summary>An action item the partner owns went past its due date.</summary>
public sealed record ActionItemOverdueNotice(Guid MeetingId, Guid ItemId, DateTimeOffset DueAt);

/// <summary>What happened, for whom: queued as one delivery per subscription of that partner that asked for the type.</summary>
public sealed record WebhookNotice(Guid PartnerId, WebhookEventType Type, DateTimeOffset Timestamp, object Data);

/// <summary>The body of a webhook, as Standard Webhooks describes it: <c>{ type, timestamp, data }</c>.</summary>
public sealed record WebhookPayload(string Type, DateTimeOffset Timestamp, object Data)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    /// <summary>The wire name of a type: <c>incident.reported</c>, <c>tip.outcomeRecorded</c>, <c>actionItem.overdue</c>.</summary>
    public static string NameOf(WebhookEventType type) => type switch
    {
        WebhookEventType.IncidentReported => "incident.reported",
        WebhookEventType.IncidentResolved => "incident.resolved",
        WebhookEventType.TipReferred => "tip.referred",
        WebhookEventType.TipOutcomeRecorded => "tip.outcomeRecorded",
        WebhookEventType.ShiftMissed => "shift.missed",
        WebhookEventType.CameraApproved => "camera.approved",
        WebhookEventType.CameraInstalled => "camera.installed",
        WebhookEventType.CameraDecommissioned => "camera.decommissioned",
        WebhookEventType.ActionItemOverdue => "actionItem.overdue",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Not a webhook event type."),
    };

    public static string Of(WebhookNotice notice) => JsonSerializer.Serialize(new WebhookPayload(NameOf(notice.Type), notice.Timestamp, notice.Data), Json);
}

/// <summary>
/// Turns one integration event into deliveries: the notices it makes (for the partners it
/// concerns), each queued for every live subscription of that partner that asked for its type,
/// with the consumed message's trace as the deliveries' parent. Once per message
/// (<see cref="IdempotentConsumer{TMessage}"/>): a redelivered message queues nothing twice.
/// </summary>
public abstract class WebhookFanOut<TMessage>(IDocumentSession session, TimeProvider clock, IOptions<WebhookOptions> options) : IdempotentConsumer<TMessage>(session, clock)
    where TMessage : class
{
    private readonly TimeProvider _clock = clock;
    private readonly TimeSpan _retryFor = options.Value.RetryFor;

    protected override async Task ApplyAsync(TMessage message, IDocumentSession session, CancellationToken cancellationToken)
    {
        var now = _clock.GetUtcNow();
        foreach (var notice in await NoticesAsync(message, session, cancellationToken))
        {
            // A partner's access ends with the partnership: one suspended or gone is told nothing.
            if (!await session.InGoodStandingAsync(notice.PartnerId, cancellationToken))
            {
                continue;
            }

            var webhooks = await session.Query<WebhookState>()
                .Where(webhook => webhook.PartnerId == notice.PartnerId && webhook.Status != WebhookStatus.Deleted)
                .ToListAsync(cancellationToken);
            var payload = WebhookPayload.Of(notice);
            foreach (var webhook in webhooks.Where(webhook => webhook.Events.Contains(notice.Type)))
            {
                session.Insert(new WebhookDelivery(
                    Guid.CreateVersion7(), webhook.Id, webhook.PartnerId, notice.Type, payload, now, DeliveryStatus.Pending, now, now + _retryFor,
                    0, 0, [], null, Activity.Current?.Id, null));
            }
        }
    }

    /// <summary>The notices <paramref name="message"/> makes: none when it concerns no partner.</summary>
    protected abstract Task<IReadOnlyList<WebhookNotice>> NoticesAsync(TMessage message, IQuerySession session, CancellationToken ct);

    /// <summary>The partner whose site <paramref name="siteId"/> is; null for no site or one the service does not know.</summary>
    protected static async Task<Guid?> PartnerOfSiteAsync(IQuerySession session, Guid? siteId, CancellationToken ct) =>
        siteId is { } id && (await session.LoadStreamAsync<SiteState>(id, ct)).State is { } site ? site.PartnerId : null;

    protected static IReadOnlyList<WebhookNotice> For(Guid? partnerId, WebhookEventType type, DateTimeOffset timestamp, object data) =>
        partnerId is { } partner ? [new WebhookNotice(partner, type, timestamp, data)] : [];
}

public sealed class IncidentReportedWebhooks(IDocumentSession session, TimeProvider clock, IOptions<WebhookOptions> options)
    : WebhookFanOut<IncidentReported>(session, clock, options)
{
    protected override async Task<IReadOnlyList<WebhookNotice>> NoticesAsync(IncidentReported message, IQuerySession session, CancellationToken ct) =>
        For(await PartnerOfSiteAsync(session, message.SiteId, ct), WebhookEventType.IncidentReported, message.ReportedAt, new IncidentReportedNotice(
            message.IncidentId, message.CaseNumber, message.Classification, message.Category, message.Source, message.SiteId.GetValueOrDefault(), message.OccurredAt, message.ReportedAt));
}

public sealed class IncidentResolvedWebhooks(IDocumentSession session, TimeProvider clock, IOptions<WebhookOptions> options)
    : WebhookFanOut<IncidentResolved>(session, clock, options)
{
    protected override async Task<IReadOnlyList<WebhookNotice>> NoticesAsync(IncidentResolved message, IQuerySession session, CancellationToken ct) =>
        For(await PartnerOfSiteAsync(session, message.SiteId, ct), WebhookEventType.IncidentResolved, message.ResolvedAt, new IncidentResolvedNotice(
            message.IncidentId, message.CaseNumber, message.Classification, message.Outcome, message.SiteId.GetValueOrDefault(), message.ResolvedAt));
}

public sealed class TipReferredWebhooks(IDocumentSession session, TimeProvider clock, IOptions<WebhookOptions> options)
    : WebhookFanOut<TipReferred>(session, clock, options)
{
    protected override Task<IReadOnlyList<WebhookNotice>> NoticesAsync(TipReferred message, IQuerySession session, CancellationToken ct) =>
        Task.FromResult(For(message.SubmittedByPartner, WebhookEventType.TipReferred, message.ReferredAt, new TipReferredNotice(
            message.TipId, message.TipNumber, message.Category, message.Place.SiteId, message.ReceivedAt, message.ReferredAt)));
}

public sealed class TipOutcomeRecordedWebhooks(IDocumentSession session, TimeProvider clock, IOptions<WebhookOptions> options)
    : WebhookFanOut<TipOutcomeRecorded>(session, clock, options)
{
    protected override Task<IReadOnlyList<WebhookNotice>> NoticesAsync(TipOutcomeRecorded message, IQuerySession session, CancellationToken ct) =>
        Task.FromResult(For(message.SubmittedByPartner, WebhookEventType.TipOutcomeRecorded, message.ResolvedAt, new TipOutcomeNotice(
            message.TipId, message.TipNumber, message.CaseNumber, message.Classification, message.Outcome, message.ResolvedAt)));
}

/// <summary>A missed shift concerns every partner with a site on its route; each is told of its own sites only.</summary>
public sealed class ShiftMissedWebhooks(IDocumentSession session, TimeProvider clock, IOptions<WebhookOptions> options)
    : WebhookFanOut<ShiftMissed>(session, clock, options)
{
    protected override async Task<IReadOnlyList<WebhookNotice>> NoticesAsync(ShiftMissed message, IQuerySession session, CancellationToken ct)
    {
        var sites = new List<(Guid Partner, Guid Site)>();
        foreach (var siteId in message.SiteIds.Distinct())
        {
            if (await PartnerOfSiteAsync(session, siteId, ct) is { } partner)
            {
                sites.Add((partner, siteId));
            }
        }

        return
        [
            .. sites.GroupBy(site => site.Partner).Select(partner => new WebhookNotice(
                partner.Key, WebhookEventType.ShiftMissed, message.WindowEnd,
                new ShiftMissedNotice(message.PlannedDate, message.WindowStart, message.WindowEnd, [.. partner.Select(site => site.Site)]))),
        ];
    }
}

public sealed class CameraApprovedWebhooks(IDocumentSession session, TimeProvider clock, IOptions<WebhookOptions> options)
    : WebhookFanOut<Contract.CameraApproved>(session, clock, options)
{
    protected override Task<IReadOnlyList<WebhookNotice>> NoticesAsync(Contract.CameraApproved message, IQuerySession session, CancellationToken ct) =>
        Task.FromResult(For(message.PartnerId, WebhookEventType.CameraApproved, message.ApprovedAt, new CameraNotice(message.CameraId, message.SiteId, message.ApprovedAt)));
}

public sealed class CameraInstalledWebhooks(IDocumentSession session, TimeProvider clock, IOptions<WebhookOptions> options)
    : WebhookFanOut<Contract.CameraInstalled>(session, clock, options)
{
    protected override Task<IReadOnlyList<WebhookNotice>> NoticesAsync(Contract.CameraInstalled message, IQuerySession session, CancellationToken ct) =>
        Task.FromResult(For(message.PartnerId, WebhookEventType.CameraInstalled, message.InstalledAt, new CameraNotice(message.CameraId, message.SiteId, message.InstalledAt)));
}

public sealed class CameraDecommissionedWebhooks(IDocumentSession session, TimeProvider clock, IOptions<WebhookOptions> options)
    : WebhookFanOut<Contract.CameraDecommissioned>(session, clock, options)
{
    protected override Task<IReadOnlyList<WebhookNotice>> NoticesAsync(Contract.CameraDecommissioned message, IQuerySession session, CancellationToken ct) =>
        Task.FromResult(For(message.PartnerId, WebhookEventType.CameraDecommissioned, message.DecommissionedAt, new CameraNotice(message.CameraId, message.SiteId, message.DecommissionedAt)));
}

public sealed class ActionItemOverdueWebhooks(IDocumentSession session, TimeProvider clock, IOptions<WebhookOptions> options)
    : WebhookFanOut<Contract.ActionItemOverdue>(session, clock, options)
{
    protected override Task<IReadOnlyList<WebhookNotice>> NoticesAsync(Contract.ActionItemOverdue message, IQuerySession session, CancellationToken ct) =>
        Task.FromResult(For(message.OwnerPartnerId, WebhookEventType.ActionItemOverdue, message.NoticedAt, new ActionItemOverdueNotice(message.MeetingId, message.ItemId, message.DueAt)));
}

public static class WebhookFanOuts
{
    /// <summary>The one queue every fan-out consumer reads: one receive endpoint, not nine.</summary>
    public const string Queue = "partners-webhooks";

    public static void AddWebhookFanOut(this IBusRegistrationConfigurator bus)
    {
        bus.AddConsumer<IncidentReportedWebhooks>().Endpoint(OnTheQueue);
        bus.AddConsumer<IncidentResolvedWebhooks>().Endpoint(OnTheQueue);
        bus.AddConsumer<TipReferredWebhooks>().Endpoint(OnTheQueue);
        bus.AddConsumer<TipOutcomeRecordedWebhooks>().Endpoint(OnTheQueue);
        bus.AddConsumer<ShiftMissedWebhooks>().Endpoint(OnTheQueue);
        bus.AddConsumer<CameraApprovedWebhooks>().Endpoint(OnTheQueue);
        bus.AddConsumer<CameraInstalledWebhooks>().Endpoint(OnTheQueue);
        bus.AddConsumer<CameraDecommissionedWebhooks>().Endpoint(OnTheQueue);
        bus.AddConsumer<ActionItemOverdueWebhooks>().Endpoint(OnTheQueue);
    }

    private static void OnTheQueue(IEndpointRegistrationConfigurator endpoint) => endpoint.Name = Queue;
}
