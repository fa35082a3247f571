using JasperFx.Events;
using WardLink.EventSourcing.Relay;
using Contract = WardLink.Contracts.Patrols;

namespace WardLink.Patrols;

/// <summary>What the patrols service tells the others: observations (incidents opens one when asked), missed shifts (for the partners of their sites) and missed checkpoints.</summary>
public sealed class PatrolsIntegrationEvents : IIntegrationEventMap
{
    public object? ToMessage(IEvent recorded) => recorded.Data switch
    {
        ObservationReported observation => new Contract.PatrolObservationReported(
            observation.ObservationId,
            observation.ShiftId,
            observation.RouteId,
            observation.SiteId,
            observation.Description,
            observation.Severity,
            observation.NeedsIncident,
            observation.IncidentId,
            observation.At,
            observation.By),
        ShiftMissed missed => new Contract.ShiftMissed(
            missed.ShiftId, missed.RouteId, missed.PlannedDate, missed.WindowStart, missed.WindowEnd, [.. missed.Checkpoints.Select(point => point.SiteId).Distinct()]),
        CheckpointMissed missed => new Contract.CheckpointMissed(missed.ShiftId, missed.RouteId, missed.Code, missed.SiteId, missed.WindowEnd),
        _ => null,
    };
}
