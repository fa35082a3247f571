using Marten;
using WardLink.Contracts;
using WardLink.Contracts.Incidents;
using WardLink.Contracts.Patrols;
using WardLink.Contracts.Tips;
using WardLink.Domain;
using WardLink.EventSourcing;
using WardLink.EventSourcing.Wards;

namespace WardLink.Incidents;

/// <summary>
/// A tip referred by the tips service, in the tip's ward (the message's, which the session acts in):
/// loads the incident, looks up what opening one needs (a case number of the ward, the ward and the
/// site's), lets <see cref="Incident.ReceiveReferral"/> decide and appends. A referral to an incident
/// unknown here (in that ward) cannot be applied: it is refused, retried by the bus and parked in the
/// <c>incidents-tip-referred_error</c> queue for an operator (tips refuses such a referral before it
/// is sent, so only a message from outside the system can reach there).
/// </summary>
public sealed class TipReferredConsumer(IDocumentSession session, TimeProvider clock, WardTenants wards) : IdempotentConsumer<TipReferred>(session, clock)
{
    protected override Task ApplyAsync(TipReferred message, IDocumentSession session, CancellationToken cancellationToken) =>
        ReferAsync(message, session, wards, cancellationToken);

    /// <summary>Loads the incident, looks up the case number, the ward and the site when the referral opens it, decides and appends.</summary>
    internal static async Task ReferAsync(TipReferred message, IDocumentSession session, WardTenants wards, CancellationToken cancellationToken)
    {
        // The incident's row first, as a step takes it: officers adding notes meanwhile commit first or wait, and the referral
        // never loses a race to them (a lost race was the bus's retry, five at most, and then the referral parked).
        var stream = await session.Events.FetchForExclusiveWriting<IncidentState>(message.IncidentId, cancellationToken);
        var opens = stream.Aggregate is null && message.OpensNewIncident;
        var (ward, siteWard) = await session.LookUpWardsOfMessageAsync(message.Place, wards, message.ReceivedAt, cancellationToken);
        var referral = new ReceiveReferral(
            message.IncidentId,
            message.TipId,
            message.TipNumber,
            message.OpensNewIncident,
            message.Category,
            message.Description,
            message.Place,
            message.ReceivedAt,
            opens ? await session.ReserveNumberAsync(Incident.CaseNumberPrefix, message.ReferredAt, message.IncidentId, cancellationToken) : null,
            siteWard,
            ward);
        stream.AppendMany(Incident.ReceiveReferral(stream.Aggregate, referral, message.ReferredAt, message.ReferredBy)
            .EventsOrThrow($"Referral of tip {message.TipNumber}"));
    }
}

/// <summary>A referral in version 1 of the message (still queued from before the upgrade): read as version 2, in its ledger.</summary>
public sealed class TipReferredV1Consumer(IDocumentSession session, TimeProvider clock, WardTenants wards) : IdempotentConsumer<TipReferredV1>(session, clock)
{
    protected override string Ledger => nameof(TipReferredConsumer);

    protected override Task ApplyAsync(TipReferredV1 message, IDocumentSession session, CancellationToken cancellationToken) =>
        TipReferredConsumer.ReferAsync(message.Upgraded(), session, wards, cancellationToken);
}

/// <summary>
/// A patrol observation: when it needs an incident, opens one in the patrol's ward (the message's)
/// with the id patrols chose, sourced from the patrol; a redelivery finds the incident already open
/// and changes nothing.
/// </summary>
public sealed class PatrolObservationReportedConsumer(IDocumentSession session, TimeProvider clock, WardTenants wards)
    : IdempotentConsumer<PatrolObservationReported>(session, clock)
{
    protected override async Task ApplyAsync(PatrolObservationReported message, IDocumentSession session, CancellationToken cancellationToken)
    {
        if (!message.NeedsIncident)
        {
            return;
        }

        var incidentId = message.IncidentId is { } id && id != Guid.Empty
            ? id
            : throw new InvalidMessageException($"Patrol observation {message.ObservationId} needs an incident but names no incident id.");
        var stream = await session.Events.FetchForWriting<IncidentState>(incidentId, cancellationToken);
        if (stream.Aggregate is not null)
        {
            return;
        }

        var report = await session.DecideReportAsync(
            new ReportIncident(
                IncidentClassification.Other,
                SecurityCategory.Other,
                message.Description,
                new Place(message.SiteId, message.SiteId is null ? $"On patrol route {message.RouteId}" : null, null, null),
                message.ObservedAt,
                IncidentSource.Patrol,
                message.ObservationId.ToString())
            {
                IncidentId = incidentId,
            },
            wards,
            message.ObservedAt,
            message.ReportedBy,
            cancellationToken);
        stream.AppendMany(report.EventsOrThrow($"Patrol observation {message.ObservationId}"));
    }
}
