using JasperFx.Events;
using WardLink.EventSourcing.Relay;
using Contract = WardLink.Contracts.Incidents;

namespace WardLink.Incidents;

/// <summary>What the incidents service tells the others: an incident opened, resolved or reopened (with every tip linked then), a tip unlinked from it.</summary>
public sealed class IncidentsIntegrationEvents : IIntegrationEventMap
{
    public object? ToMessage(IEvent recorded) => recorded.Data switch
    {
        IncidentReported reported => new Contract.IncidentReported(
            reported.IncidentId,
            reported.CaseNumber,
            reported.Classification,
            reported.Category,
            reported.Source,
            reported.SourceReference,
            reported.Place.SiteId,
            reported.OccurredAt,
            reported.At),
        IncidentResolved resolved => new Contract.IncidentResolved(
            resolved.IncidentId, resolved.CaseNumber, resolved.Classification, resolved.Outcome, resolved.LinkedTipIds, resolved.At, resolved.SiteId, resolved.LinkReach),
        IncidentReopened reopened => new Contract.IncidentReopened(reopened.IncidentId, reopened.LinkedTipIds ?? [], reopened.At, reopened.LinkReach),
        TipUnlinked unlinked => new Contract.TipUnlinkedFromIncident(unlinked.IncidentId, unlinked.TipId, unlinked.At, unlinked.Reach, unlinked.ByReferral),
        _ => null,
    };
}
