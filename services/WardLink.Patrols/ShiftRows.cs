using System.Text.Json.Serialization;
using Marten.Events.Aggregation;
using WardLink.EventSourcing.Wards;
using WardLink.EventSourcing;

namespace WardLink.Patrols;

/// <summary>
/// The read model of the shift list and the yearly statistics (<see cref="PatrolQueries"/>): one row a
/// shift with what the list filters and orders by (the sites of its checkpoints among them) and what
/// the statistics add up. <see cref="Begins"/> is when it started, or the start of the window it missed,
/// in UTC. The store fills in its ward's tenant when it reads the row.
/// </summary>
public sealed record ShiftRow(
    Guid Id,
    ShiftStatus Status,
    ShiftKind Kind,
    Guid RouteId,
    Guid? ScheduleId,
    IReadOnlyList<Guid> SiteIds,
    [property: WardIndexedTime] DateTimeOffset Begins,
    int CheckIns,
    int CheckpointsMissed,
    int Observations,
    int IncidentsRaised,
    ResidenceTotals Residence) : IListRow
{
    [JsonIgnore]
    public string? TenantId { get; set; }
}

/// <summary>Projects a shift's events into its <see cref="ShiftRow"/>, inline.</summary>
public sealed class ShiftRows : SingleStreamProjection<ShiftRow, Guid>
{
    public static ShiftRow Create(ShiftStarted started) =>
        Begun(started.ShiftId, ShiftStatus.Started, started.Kind, started.RouteId, started.ScheduleId, started.Checkpoints, started.At);

    public static ShiftRow Create(ShiftMissed missed) =>
        Begun(missed.ShiftId, ShiftStatus.Missed, missed.Kind, missed.RouteId, missed.ScheduleId, missed.Checkpoints, missed.WindowStart);

    public static ShiftRow Apply(CheckedIn checkedIn, ShiftRow row) => row with { CheckIns = row.CheckIns + 1 };

    public static ShiftRow Apply(ObservationReported observation, ShiftRow row) => row with
    {
        Observations = row.Observations + 1,
        IncidentsRaised = row.IncidentsRaised + (observation.NeedsIncident ? 1 : 0),
    };

    public static ShiftRow Apply(ResidenceCheckRecorded recorded, ShiftRow row) => row with { Residence = row.Residence.Add(recorded.Counts) };

    public static ShiftRow Apply(ShiftEnded ended, ShiftRow row) => row with { Status = ShiftStatus.Ended };

    public static ShiftRow Apply(CheckpointMissed missed, ShiftRow row) => row with { CheckpointsMissed = row.CheckpointsMissed + 1 };

    private static ShiftRow Begun(Guid id, ShiftStatus status, ShiftKind kind, Guid routeId, Guid? scheduleId, IReadOnlyList<Checkpoint> checkpoints, DateTimeOffset begins) =>
        new(id, status, kind, routeId, scheduleId, [.. checkpoints.Select(checkpoint => checkpoint.SiteId).Distinct()], begins.ToUniversalTime(), 0, 0, 0, 0, ResidenceTotals.None);
}
