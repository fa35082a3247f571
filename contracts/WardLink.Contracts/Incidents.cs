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
/// hears of a resolution at its site; a message without it reads as one at no site. <see cref="LinkReach"/> (optional,
/// added to v1 the same way): for each linked tip whose link has one, the wards whose tip the news may reach (the wards the
/// linking caller could see); a tip not named in it, or a message without it, is reached in any ward.
/// </summary>
[MessageUrn("wardlink:incidents:incident-resolved:v1")]
public sealed record IncidentResolved(
    Guid IncidentId,
    string CaseNumber,
    IncidentClassification Classification,
    IncidentOutcome Outcome,
    IReadOnlyList<Guid> LinkedTipIds,
    DateTimeOffset ResolvedAt,
    Guid? SiteId = null,
    IReadOnlyDictionary<Guid, IReadOnlyList<string>>? LinkReach = null);

/// <summary>
/// A resolved (or closed) incident was reopened: its outcome no longer stands, and tips takes it
/// off every linked tip until the incident resolves again (a later <see cref="IncidentResolved"/>).
/// </summary>
[MessageUrn("wardlink:incidents:incident-reopened:v1")]
public sealed record IncidentReopened(
    Guid IncidentId,
    IReadOnlyList<Guid> LinkedTipIds,
    DateTimeOffset ReopenedAt,
    IReadOnlyDictionary<Guid, IReadOnlyList<string>>? LinkReach = null);

/// <summary>
/// A tip was unlinked from an incident: an outcome the incident resolved with no longer stands for that tip, and tips
/// takes it off (as on a reopening) unless the incident resolves again with the tip linked. <paramref name="ReferralLink"/>:
/// the link removed was the one the tip's referral made (tips then withdraws the referral: the incident no longer holds it);
/// false for an officer's link, and in messages from before it was carried (an optional field added to v1).
/// </summary>
[MessageUrn("wardlink:incidents:tip-unlinked-from-incident:v1")]
public sealed record TipUnlinkedFromIncident(
    Guid IncidentId,
    Guid TipId,
    DateTimeOffset UnlinkedAt,
    IReadOnlyList<string>? Reach = null,
    bool ReferralLink = false);

/// <summary>The reach of the links an incident's news names (<see cref="IncidentResolved.LinkReach"/>), by tip.</summary>
public static class LinkReaches
{
    /// <summary>The wards whose tip <paramref name="tipId"/>'s link lets the news reach; null: any (a tip not named).</summary>
    public static IReadOnlyList<string>? Of(this IReadOnlyDictionary<Guid, IReadOnlyList<string>>? reach, Guid tipId) =>
        reach is not null && reach.TryGetValue(tipId, out var wards) ? wards : null;
}
