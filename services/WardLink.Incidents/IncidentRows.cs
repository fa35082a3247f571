using Marten.Events.Aggregation;
using WardLink.EventSourcing.Wards;
using WardLink.Contracts.Incidents;
using WardLink.Contracts.Tips;
using WardLink.Domain;
using WardLink.EventSourcing;
using WardLink.EventSourcing.Sites;

namespace WardLink.Incidents;

/// <summary>
/// The read model of the incident list and the statistics (<see cref="IncidentQueries"/>): one row an
/// incident with what the list filters, orders and scopes by, and what the statistics count: the
/// local hour it occurred at, its outcome and the hours it took to resolve, while it stands resolved.
/// Its ward is its tenant; its times are in UTC.
/// </summary>
public sealed record IncidentRow(
    Guid Id,
    IncidentStatus Status,
    IncidentClassification Classification,
    SecurityCategory Category,
    Guid? SiteId,
    IncidentSource Source,
    Guid? SubmittedByPartner,
    [property: WardIndexedTime] DateTimeOffset OccurredAt,
    int LocalHour,
    IncidentOutcome? Outcome,
    double? HoursToResolution) : IPartnerVisible, IListRow
{
    public string? TenantId { get; set; }
}

/// <summary>Projects an incident's events into its <see cref="IncidentRow"/>, inline.</summary>
public sealed class IncidentRows : SingleStreamProjection<IncidentRow, Guid>
{
    public static IncidentRow Create(IncidentReported reported) => new(
        reported.IncidentId, IncidentStatus.Reported, reported.Classification, reported.Category, reported.Place.SiteId, reported.Source,
        reported.SubmittedByPartner, reported.OccurredAt.ToUniversalTime(), WardTime.LocalHour(reported.OccurredAt), null, null);

    public static IncidentRow Apply(InvestigationStarted started, IncidentRow row) => row with { Status = IncidentStatus.UnderInvestigation };

    public static IncidentRow Apply(IncidentResolved resolved, IncidentRow row) => row with
    {
        Status = IncidentStatus.Resolved,
        Outcome = resolved.Outcome,
        HoursToResolution = (resolved.At - row.OccurredAt).TotalHours,
    };

    public static IncidentRow Apply(IncidentClosed closed, IncidentRow row) => row with { Status = IncidentStatus.Closed };

    public static IncidentRow Apply(IncidentReopened reopened, IncidentRow row) =>
        row with { Status = IncidentStatus.UnderInvestigation, Outcome = null, HoursToResolution = null };

    public static IncidentRow Apply(IncidentReclassified reclassified, IncidentRow row) =>
        row with { Classification = reclassified.Classification, Category = reclassified.Category };
}
