using MassTransit;
using WardLink.Contracts.Tips;

namespace WardLink.Contracts.Incidents;

public enum IncidentClassification
{
    Criminal,
    Administrative,
    PublicOrder,
    Traffic,
    Other,
}

public enum IncidentSource
{
    Tip,
    Patrol,
    Partner,
    Police,
}

public enum IncidentOutcome
{
    CriminalCaseSolved,
    AdministrativeViolationHandled,
    Unfounded,
    ReferredElsewhere,
}

/// <summary>An incident was opened, with its case number of the year (e.g. INC-2024-0007).</summary>
[MessageUrn("wardlink:incidents:incident-reported:v1")]
public sealed record IncidentReported(
    Guid IncidentId,
    string CaseNumber,
    IncidentClassification Classification,
    SecurityCategory Category,
    IncidentSource Source,
    string? SourceReference,
    Guid? SiteId,
    DateTimeOffset OccurredAt,
    DateTimeOffset ReportedAt);

/// <summary>
/// An incident was resolved; tips records the outcome on every linked tip. <see cref="SiteId"/>
/// (the site it happened at, if any) was added to v1 as an optional field, so a partner's webhook
/// hears of a resolution at its site; a message without it reads as one at no site.
/// </summary>
[MessageUrn("wardlink:incidents:incident-resolved:v1")]
public sealed record IncidentResolved(
    Guid IncidentId,
    string CaseNumber,
    IncidentClassification Classification,
    IncidentOutcome Outcome,
    IReadOnlyList<Guid> LinkedTipIds,
    DateTimeOffset ResolvedAt,
    Guid? SiteId = null);

/// <summary>
/// A resolved (or closed) incident was reopened: its outcome no longer stands, and tips takes it
/// off every linked tip until the incident resolves again (a later <see cref="IncidentResolved"/>).
/// </summary>
[MessageUrn("wardlink:incidents:incident-reopened:v1")]
public sealed record IncidentReopened(
    Guid IncidentId,
    IReadOnlyList<Guid> LinkedTipIds,
    DateTimeOffset ReopenedAt);

/// <summary>
/// A tip was unlinked from an incident: an outcome the incident resolved with no longer stands for that tip, and tips
/// takes it off (as on a reopening) unless the incident resolves again with the tip linked.
/// </summary>
[MessageUrn("wardlink:incidents:tip-unlinked-from-incident:v1")]
public sealed record TipUnlinkedFromIncident(
    Guid IncidentId,
    Guid TipId,
    DateTimeOffset UnlinkedAt);
