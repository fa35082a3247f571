using Marten.Events.Aggregation;
using WardLink.EventSourcing.Wards;
using WardLink.Contracts.Incidents;
using WardLink.Contracts.Tips;
using WardLink.EventSourcing;
using WardLink.EventSourcing.Sites;

namespace WardLink.Tips;

/// <summary>An outcome that stands on a tip, as the statistics count it: which incident, how it ended.</summary>
public sealed record TipRowOutcome(Guid IncidentId, IncidentOutcome Outcome);

/// <summary>
/// The read model of the tip list and the statistics (<see cref="TipStatistics"/>): one row a tip with
/// what the list filters, orders and scopes by, and what the statistics count; its ward is its tenant.
/// No free text, no place but its site, nothing of the tipster. Its times are in UTC.
/// </summary>
public sealed record TipRow(
    Guid Id,
    TipStatus Status,
    TipChannel Channel,
    SecurityCategory Category,
    Guid? SiteId,
    Guid? SubmittedByPartner,
    [property: WardIndexedTime] DateTimeOffset ReceivedAt,
    TipVerdict? Verdict,
    bool Referred,
    IReadOnlyList<TipRowOutcome> Outcomes) : IPartnerVisible, IListRow
{
    public string? TenantId { get; set; }
}

/// <summary>Projects a tip's events into its <see cref="TipRow"/>, inline.</summary>
public sealed class TipRows : SingleStreamProjection<TipRow, Guid>
{
    public static TipRow Create(TipReceived received) => new(
        received.TipId, TipStatus.Pending, received.Channel, received.Category, received.Place.SiteId, received.SubmittedByPartner, received.ReceivedAt.ToUniversalTime(), null, false, []);

    public static TipRow Apply(TipAssessed assessed, TipRow row) =>
        row with { Verdict = assessed.Verdict, Status = row.Status == TipStatus.Pending ? TipStatus.Assessed : row.Status };

    public static TipRow Apply(TipReferred referred, TipRow row) => row with { Referred = true, Status = TipState.StatusOf(row.Outcomes.Count, referred: true, assessed: true) };

    public static TipRow Apply(TipOutcomeRecorded recorded, TipRow row) => row with
    {
        Outcomes = [.. row.Outcomes.Where(outcome => outcome.IncidentId != recorded.IncidentId), new TipRowOutcome(recorded.IncidentId, recorded.Outcome)],
        Status = TipStatus.Resolved,
    };

    public static TipRow Apply(TipOutcomeWithdrawn withdrawn, TipRow row)
    {
        var outcomes = row.Outcomes.Where(outcome => outcome.IncidentId != withdrawn.IncidentId).ToList();
        return row with { Outcomes = outcomes, Status = TipState.StatusOf(outcomes.Count, row.Referred, row.Verdict is not null) };
    }

    public static TipRow Apply(TipReferralWithdrawn withdrawn, TipRow row) =>
        row with { Referred = false, Status = TipState.StatusOf(row.Outcomes.Count, referred: false, row.Verdict is not null) };
}
