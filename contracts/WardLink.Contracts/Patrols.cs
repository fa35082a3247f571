using MassTransit;

namespace WardLink.Contracts.Patrols;

public enum ObservationSeverity
{
    Low,
    Medium,
    High,
}

/// <summary>
/// A patrol reported what it saw. When it <see cref="NeedsIncident"/>, incidents opens one with
/// <see cref="IncidentId"/> (chosen by patrols, so a redelivery cannot open two).
/// </summary>
[MessageUrn("wardlink:patrols:patrol-observation-reported:v1")]
public sealed record PatrolObservationReported(
    Guid ObservationId,
    Guid ShiftId,
    Guid RouteId,
    Guid? SiteId,
    string Description,
    ObservationSeverity Severity,
    bool NeedsIncident,
    Guid? IncidentId,
    DateTimeOffset ObservedAt,
    string ReportedBy);

/// <summary>A shift ended (or its window closed) without a scan of this checkpoint.</summary>
[MessageUrn("wardlink:patrols:checkpoint-missed:v1")]
public sealed record CheckpointMissed(
    Guid ShiftId,
    Guid RouteId,
    string CheckpointCode,
    Guid SiteId,
    DateTimeOffset WindowEnd);
