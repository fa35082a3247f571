using MassTransit;

namespace WardLink.Contracts.Patrols;

/// <summary>What bounds the patrols' messages: a route's checkpoints, and so the sites a missed shift names.</summary>
public static class PatrolLimits
{
    /// <summary>The most checkpoints a route has (the patrols service refuses more), so the most sites a <see cref="ShiftMissed"/> names.</summary>
    public const int MaxCheckpoints = 100;
}

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

/// <summary>
/// A planned shift's window closed and nobody started it: when it was planned for, and the sites
/// of its route's checkpoints (the team's members stay inside).
/// </summary>
[MessageUrn("wardlink:patrols:shift-missed:v1")]
public sealed record ShiftMissed(
    Guid ShiftId,
    Guid RouteId,
    DateOnly PlannedDate,
    DateTimeOffset WindowStart,
    DateTimeOffset WindowEnd,
    IReadOnlyList<Guid> SiteIds);

/// <summary>A shift ended (or its window closed) without a scan of this checkpoint.</summary>
[MessageUrn("wardlink:patrols:checkpoint-missed:v1")]
public sealed record CheckpointMissed(
    Guid ShiftId,
    Guid RouteId,
    string CheckpointCode,
    Guid SiteId,
    DateTimeOffset WindowEnd);
