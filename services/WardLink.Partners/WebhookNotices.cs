using System.ComponentModel.DataAnnotations;
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
using WardLink.EventSourcing.Wards;
using Contract = WardLink.Contracts.Partners;

namespace WardLink.Partners;

// What a partner is told: each notice is the partner's view of what happened, no more. No free
// text (descriptions, reasons, item texts), no actor, no police-only reference (routes, linked
// tips, the incident a tip went to), no personal data; another partner's site is never named
// (data that names sites is INamesSites, and every fan-out keeps only the partner's own).

/// <summary>
/// Notice data that names sites. Whatever a fan-out put in it, every notice passes a site only to the partner whose site it
/// is (<see cref="WebhookFanOut{TMessage}"/> applies this rule to each one): the data keeps only those sites.
/// </summary>
public interface INamesSites
{
    /// <summary>The sites this data names.</summary>
    IEnumerable<Guid> NamedSites { get; }

    /// <summary>This data naming only the sites <paramref name="own"/> holds; null when, without the others, there is nothing to tell.</summary>
    object? NamingOnly(Func<Guid, bool> own);
}

/// <summary>An incident reported at one of the partner's sites (the fields of <c>IncidentPartnerView</c> it has then).</summary>
public sealed record IncidentReportedNotice(
    Guid IncidentId,
    [property: MaxLength(YearlyNumbers.MaxNumberLength)] string CaseNumber,
    IncidentClassification Classification,
    SecurityCategory Category,
    IncidentSource Source,
    Guid SiteId,
    DateTimeOffset OccurredAt,
    DateTimeOffset ReportedAt)
    : INamesSites
{
    IEnumerable<Guid> INamesSites.NamedSites => [SiteId];

    object? INamesSites.NamingOnly(Func<Guid, bool> own) => own(SiteId) ? this : null;
}

/// <summary>An incident at one of the partner's sites resolved.</summary>
public sealed record IncidentResolvedNotice(
    Guid IncidentId,
    [property: MaxLength(YearlyNumbers.MaxNumberLength)] string CaseNumber,
    IncidentClassification Classification,
    IncidentOutcome Outcome,
    Guid SiteId,
    DateTimeOffset ResolvedAt)
    : INamesSites
{
    IEnumerable<Guid> INamesSites.NamedSites => [SiteId];

    object? INamesSites.NamingOnly(Func<Guid, bool> own) => own(SiteId) ? this : null;
}

/// <summary>
/// A tip the partner submitted was referred (the fields of <c>TipPartnerView</c> it has then); its site only when it is one of
/// the partner's own (a tip it submitted at another partner's site names none).
/// </summary>
public sealed record TipReferredNotice(
    Guid TipId,
    [property: MaxLength(YearlyNumbers.MaxNumberLength)] string TipNumber,
    SecurityCategory Category,
    Guid? SiteId,
    DateTimeOffset ReceivedAt,
    DateTimeOffset ReferredAt)
    : INamesSites
{
    IEnumerable<Guid> INamesSites.NamedSites => SiteId is { } site ? [site] : [];

    object? INamesSites.NamingOnly(Func<Guid, bool> own) => SiteId is { } site && !own(site) ? this with { SiteId = null } : this;
}

/// <summary>The outcome of the case a tip the partner submitted contributed to (a <c>TipPartnerOutcome</c>).</summary>
public sealed record TipOutcomeNotice(
    Guid TipId,
    [property: MaxLength(YearlyNumbers.MaxNumberLength)] string TipNumber,
    [property: MaxLength(YearlyNumbers.MaxNumberLength)] string CaseNumber,
    IncidentClassification Classification,
    IncidentOutcome Outcome,
    DateTimeOffset ResolvedAt);

/// <summary>A planned shift was missed; the partner's own sites on its route (one at least: else the partner is told nothing).</summary>
public sealed record ShiftMissedNotice(
    DateOnly PlannedDate, DateTimeOffset WindowStart, DateTimeOffset WindowEnd, [property: MinLength(1), MaxLength(PatrolLimits.MaxCheckpoints)] IReadOnlyList<Guid> SiteIds)
    : INamesSites
{
    IEnumerable<Guid> INamesSites.NamedSites => SiteIds;

    object? INamesSites.NamingOnly(Func<Guid, bool> own) => SiteIds.Where(own).ToList() is { Count: > 0 } sites ? this with { SiteIds = sites } : null;
}

/// <summary>A camera at one of the partner's sites took a step (approved, installed, decommissioned).</summary>
public sealed record CameraNotice(Guid CameraId, Guid SiteId, DateTimeOffset At) : INamesSites
{
    IEnumerable<Guid> INamesSites.NamedSites => [SiteId];

    object? INamesSites.NamingOnly(Func<Guid, bool> own) => own(SiteId) ? this : null;
}

/// <summary>An action item the partner owns went past its due date.</summary>
public sealed record ActionItemOverdueNotice(Guid MeetingId, Guid ItemId, DateTimeOffset DueAt);

/// <summary>A partner a notice is for, and the tenant of its ward, which keeps its standing, its webhooks and their deliveries.</summary>
public sealed record NoticedPartner(Guid Id, string Tenant);

/// <summary>What happened, for whom: queued as one delivery per subscription of that partner that asked for the type.</summary>
public sealed record WebhookNotice(NoticedPartner Partner, WebhookEventType Type, DateTimeOffset Timestamp, object Data);

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
/// A message is consumed in the ward it came from. The site or partner it names is looked for there,
/// then in the other wards, where it counts only when its ward's ground went to the message's ward by the
/// time the record happened: merged into it by then, directly or through other mergers, as the intake counts a merged
/// ward's site (<see cref="RequestWards.MergerChainAsync"/>). The message's ward need not be the last of those mergers:
/// a successor merged on since still takes the steps of what it recorded. So a merged ward's partner is told of what its
/// successors record at its sites, and no other ward's record reaches a partner. Each partner's standing, webhooks and
/// deliveries are read and written in its own ward.
/// </summary>
public abstract class WebhookFanOut<TMessage>(IDocumentSession session, WebhookQueueing queueing)
    : IdempotentConsumer<TMessage>(session, queueing.Clock)
    where TMessage : class
{
    /// <summary>Whether the message queued a delivery: once committed, the sender is asked for a round at once.</summary>
    private bool _queued;

    protected override async Task ApplyAsync(TMessage message, IDocumentSession session, CancellationToken cancellationToken)
    {
        var now = queueing.Clock.GetUtcNow();
        var told = new List<WebhookNotice>();
        foreach (var notice in await NoticesAsync(message, session, cancellationToken))
        {
            if (await OwnSitesOnlyAsync(session, notice, cancellationToken) is { } kept)
            {
                told.Add(kept);
            }
        }

        foreach (var notices in told.GroupBy(notice => notice.Partner.Tenant))
        {
            await ApplyInTenantAsync(notices.Key, partnersWard => QueueAsync(partnersWard, notices, now, cancellationToken), cancellationToken);
        }

        _queued = told.Count > 0;
    }

    /// <summary>A delivery queued is attempted at once, not at the sender's next poll.</summary>
    protected override void Committed()
    {
        if (_queued)
        {
            queueing.Sender.RunSoon();
        }
    }

    /// <summary>The notices <paramref name="message"/> makes: none when it concerns no partner.</summary>
    protected abstract Task<IReadOnlyList<WebhookNotice>> NoticesAsync(TMessage message, IQuerySession session, CancellationToken ct);

    /// <summary>
    /// The partner whose site <paramref name="siteId"/> is, for a record that happened at <paramref name="at"/>; null for no site, or one
    /// the service does not know in the message's ward or a ward whose ground was the message's ward's then.
    /// </summary>
    protected async Task<NoticedPartner?> PartnerOfSiteAsync(IQuerySession session, Guid? siteId, DateTimeOffset at, CancellationToken ct) =>
        siteId is { } id && await FindAsync(session, id, at, (there, token) => there.StateOfAsync<SiteState>(id, token), ct) is { } found
            ? new NoticedPartner(found.State.PartnerId, found.Tenant)
            : null;

    /// <summary>Partner <paramref name="partnerId"/>, named by a record that happened at <paramref name="at"/>; null as for <see cref="PartnerOfSiteAsync"/>.</summary>
    protected async Task<NoticedPartner?> PartnerAsync(IQuerySession session, Guid? partnerId, DateTimeOffset at, CancellationToken ct) =>
        partnerId is { } id && await FindAsync(session, id, at, (there, token) => there.LoadAsync<PartnerState>(id, token), ct) is { } found
            ? new NoticedPartner(found.State.Id, found.Tenant)
            : null;

    /// <summary>
    /// The rule of sites every notice passes, whichever fan-out made it: its data names a site only when the site is its partner's,
    /// the owner looked up as of the notice's time (as <see cref="PartnerOfSiteAsync"/> looks it up); null when nothing is left to tell.
    /// </summary>
    private async Task<WebhookNotice?> OwnSitesOnlyAsync(IQuerySession session, WebhookNotice notice, CancellationToken ct)
    {
        if (notice.Data is not INamesSites named)
        {
            return notice;
        }

        var own = new HashSet<Guid>();
        foreach (var site in named.NamedSites.Distinct())
        {
            if ((await PartnerOfSiteAsync(session, site, notice.Timestamp, ct))?.Id == notice.Partner.Id)
            {
                own.Add(site);
            }
        }

        return named.NamingOnly(own.Contains) is { } data ? notice with { Data = data } : null;
    }

    protected static IReadOnlyList<WebhookNotice> For(NoticedPartner? partner, WebhookEventType type, DateTimeOffset timestamp, object data) =>
        partner is not null ? [new WebhookNotice(partner, type, timestamp, data)] : [];

    /// <summary>
    /// Record <paramref name="id"/> as <paramref name="load"/> reads it, with its tenant: in the message's ward, else in the ward that
    /// keeps it when the message's ward is one that ward's ground went to by <paramref name="at"/> (<see cref="RequestWards.MergerChainAsync"/>):
    /// not only the last, as a step stays in its record's ward, which may itself have been merged on since.
    /// </summary>
    private async Task<(T State, string Tenant)?> FindAsync<T>(IQuerySession session, Guid id, DateTimeOffset at, Func<IQuerySession, CancellationToken, Task<T?>> load, CancellationToken ct)
        where T : class
    {
        if (await load(session, ct) is { } here)
        {
            return (here, session.TenantId);
        }

        var messageWard = queueing.Databases.WardOfTenant(session.TenantId);
        foreach (var tenant in await queueing.Databases.TenantsOfStreamsAsync([id], ct))
        {
            if (tenant != session.TenantId
                && await RequestWards.MergerChainAsync(queueing.Databases.WardOfTenant(tenant), ward => session.WardAsync(ward, ct), at).ContainsAsync(messageWard, cancellationToken: ct))
            {
                await using var there = session.DocumentStore.QuerySession(tenant);
                return await load(there, ct) is { } found ? (found, tenant) : null;
            }
        }

        return null;
    }

    /// <summary>Queues <paramref name="notices"/>, for partners of <paramref name="session"/>'s ward, for their live subscriptions.</summary>
    private async Task QueueAsync(IDocumentSession session, IEnumerable<WebhookNotice> notices, DateTimeOffset now, CancellationToken ct)
    {
        foreach (var notice in notices)
        {
            // A partner's access ends with the partnership: one suspended or gone when it happened is told nothing of it; what
            // happened before is queued (and held by the sender while the partner is suspended or gone), whenever this runs.
            if (!await session.WasInGoodStandingAsync(notice.Partner.Id, notice.Timestamp, ct))
            {
                continue;
            }

            var webhooks = await session.Query<WebhookState>()
                .Where(webhook => webhook.PartnerId == notice.Partner.Id && webhook.Status != WebhookStatus.Deleted)
                .ToListAsync(ct);
            var payload = WebhookPayload.Of(notice);
            foreach (var webhook in webhooks.Where(webhook => webhook.Events.Contains(notice.Type)))
            {
                session.Insert(new WebhookDelivery(
                    Guid.CreateVersion7(), webhook.Id, webhook.PartnerId, notice.Type, payload, now, DeliveryStatus.Pending, now, now + queueing.RetryFor,
                    0, 0, [], null, Activity.Current?.Id, null));
            }
        }
    }
}

public sealed class IncidentReportedWebhooks(IDocumentSession session, WebhookQueueing queueing)
    : WebhookFanOut<IncidentReported>(session, queueing)
{
    protected override async Task<IReadOnlyList<WebhookNotice>> NoticesAsync(IncidentReported message, IQuerySession session, CancellationToken ct) =>
        For(await PartnerOfSiteAsync(session, message.SiteId, message.OccurredAt, ct), WebhookEventType.IncidentReported, message.ReportedAt, new IncidentReportedNotice(
            message.IncidentId, message.CaseNumber, message.Classification, message.Category, message.Source, message.SiteId.GetValueOrDefault(), message.OccurredAt, message.ReportedAt));
}

/// <summary>
/// The message names no time of occurrence: its site is looked up as of the resolution, which comes after the occurrence (an incident
/// its successor recorded at a merged ward's site occurred after the merger, or it would not be the successor's).
/// </summary>
public sealed class IncidentResolvedWebhooks(IDocumentSession session, WebhookQueueing queueing)
    : WebhookFanOut<IncidentResolved>(session, queueing)
{
    protected override async Task<IReadOnlyList<WebhookNotice>> NoticesAsync(IncidentResolved message, IQuerySession session, CancellationToken ct) =>
        For(await PartnerOfSiteAsync(session, message.SiteId, message.ResolvedAt, ct), WebhookEventType.IncidentResolved, message.ResolvedAt, new IncidentResolvedNotice(
            message.IncidentId, message.CaseNumber, message.Classification, message.Outcome, message.SiteId.GetValueOrDefault(), message.ResolvedAt));
}

public sealed class TipReferredWebhooks(IDocumentSession session, WebhookQueueing queueing)
    : WebhookFanOut<TipReferred>(session, queueing)
{
    protected override async Task<IReadOnlyList<WebhookNotice>> NoticesAsync(TipReferred message, IQuerySession session, CancellationToken ct) =>
        For(await PartnerAsync(session, message.SubmittedByPartner, message.ReceivedAt, ct), WebhookEventType.TipReferred, message.ReferredAt, new TipReferredNotice(
            message.TipId, message.TipNumber, message.Category, message.Place.SiteId, message.ReceivedAt, message.ReferredAt));
}

/// <summary>The message names no time the tip came in: its partner is looked up as of the resolution, as for <see cref="IncidentResolvedWebhooks"/>.</summary>
public sealed class TipOutcomeRecordedWebhooks(IDocumentSession session, WebhookQueueing queueing)
    : WebhookFanOut<TipOutcomeRecorded>(session, queueing)
{
    protected override async Task<IReadOnlyList<WebhookNotice>> NoticesAsync(TipOutcomeRecorded message, IQuerySession session, CancellationToken ct) =>
        For(await PartnerAsync(session, message.SubmittedByPartner, message.ResolvedAt, ct), WebhookEventType.TipOutcomeRecorded, message.ResolvedAt, new TipOutcomeNotice(
            message.TipId, message.TipNumber, message.CaseNumber, message.Classification, message.Outcome, message.ResolvedAt));
}

/// <summary>A missed shift concerns every partner with a site on its route; each is told of its own sites only (the rule of sites keeps those).</summary>
public sealed class ShiftMissedWebhooks(IDocumentSession session, WebhookQueueing queueing)
    : WebhookFanOut<ShiftMissed>(session, queueing)
{
    protected override async Task<IReadOnlyList<WebhookNotice>> NoticesAsync(ShiftMissed message, IQuerySession session, CancellationToken ct)
    {
        var partners = new HashSet<NoticedPartner>();
        foreach (var siteId in message.SiteIds.Distinct())
        {
            if (await PartnerOfSiteAsync(session, siteId, message.WindowStart, ct) is { } partner)
            {
                partners.Add(partner);
            }
        }

        var notice = new ShiftMissedNotice(message.PlannedDate, message.WindowStart, message.WindowEnd, [.. message.SiteIds.Distinct()]);
        return [.. partners.Select(partner => new WebhookNotice(partner, WebhookEventType.ShiftMissed, message.WindowEnd, notice))];
    }
}

public sealed class CameraApprovedWebhooks(IDocumentSession session, WebhookQueueing queueing)
    : WebhookFanOut<Contract.CameraApproved>(session, queueing)
{
    protected override async Task<IReadOnlyList<WebhookNotice>> NoticesAsync(Contract.CameraApproved message, IQuerySession session, CancellationToken ct) =>
        For(await PartnerAsync(session, message.PartnerId, message.ApprovedAt, ct), WebhookEventType.CameraApproved, message.ApprovedAt, new CameraNotice(message.CameraId, message.SiteId, message.ApprovedAt));
}

public sealed class CameraInstalledWebhooks(IDocumentSession session, WebhookQueueing queueing)
    : WebhookFanOut<Contract.CameraInstalled>(session, queueing)
{
    protected override async Task<IReadOnlyList<WebhookNotice>> NoticesAsync(Contract.CameraInstalled message, IQuerySession session, CancellationToken ct) =>
        For(await PartnerAsync(session, message.PartnerId, message.InstalledAt, ct), WebhookEventType.CameraInstalled, message.InstalledAt, new CameraNotice(message.CameraId, message.SiteId, message.InstalledAt));
}

public sealed class CameraDecommissionedWebhooks(IDocumentSession session, WebhookQueueing queueing)
    : WebhookFanOut<Contract.CameraDecommissioned>(session, queueing)
{
    protected override async Task<IReadOnlyList<WebhookNotice>> NoticesAsync(Contract.CameraDecommissioned message, IQuerySession session, CancellationToken ct) =>
        For(await PartnerAsync(session, message.PartnerId, message.DecommissionedAt, ct), WebhookEventType.CameraDecommissioned, message.DecommissionedAt, new CameraNotice(message.CameraId, message.SiteId, message.DecommissionedAt));
}

public sealed class ActionItemOverdueWebhooks(IDocumentSession session, WebhookQueueing queueing)
    : WebhookFanOut<Contract.ActionItemOverdue>(session, queueing)
{
    protected override async Task<IReadOnlyList<WebhookNotice>> NoticesAsync(Contract.ActionItemOverdue message, IQuerySession session, CancellationToken ct) =>
        For(await PartnerAsync(session, message.OwnerPartnerId, message.NoticedAt, ct), WebhookEventType.ActionItemOverdue, message.NoticedAt, new ActionItemOverdueNotice(message.MeetingId, message.ItemId, message.DueAt));
}

/// <summary>What every fan-out consumer queues deliveries with: the clock, how long a delivery is tried, the wards' databases and the sender to wake.</summary>
public sealed class WebhookQueueing(TimeProvider clock, IOptions<WebhookOptions> options, WardDatabases databases, WebhookSender sender)
{
    public TimeProvider Clock { get; } = clock;

    public TimeSpan RetryFor { get; } = options.Value.RetryFor;

    public WardDatabases Databases { get; } = databases;

    public WebhookSender Sender { get; } = sender;
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
