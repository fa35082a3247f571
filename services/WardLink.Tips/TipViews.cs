using System.ComponentModel.DataAnnotations;
using WardLink.Contracts;
using WardLink.Contracts.Incidents;
using WardLink.Contracts.Tips;
using WardLink.Domain;
using WardLink.EventSourcing;
using WardLink.ServiceDefaults;
using WardLink.ServiceDefaults.Security;

namespace WardLink.Tips;

/// <summary>
/// A tip as the police see it: the whole record, with the ward it was recorded in, but the follow-up
/// thread (<c>GET /tips/{id}/messages</c>) and the contact (its recorded read).
/// </summary>
public sealed record TipPoliceView(
    Guid Id,
    [property: MaxLength(YearlyNumbers.MaxNumberLength)] string Number,
    [property: MaxLength(WardNames.MaxIdLength)] string Ward,
    TipChannel Channel,
    SecurityCategory Category,
    [property: MaxLength(Tip.MaxDescriptionLength)] string Description,
    Place Place,
    DateTimeOffset ReceivedAt,
    [property: MaxLength(WardLinkClaims.MaxSubjectLength)] string RecordedBy,
    Guid? SubmittedByPartner,
    TipStatus Status,
    TipVerdict? Verdict,
    Guid? DuplicateOf,
    Guid? IncidentId,
    [property: MaxLength(DocumentedBounds.AnyCount)] IReadOnlyList<TipOutcome> Outcomes)
{
    /// <summary>The police view of <paramref name="tip"/>, recorded in <paramref name="ward"/>.</summary>
    public static TipPoliceView Of(TipState tip, string ward) => new(
        tip.Id, tip.Number, ward, tip.Channel, tip.Category, tip.Description, tip.Place, tip.ReceivedAt, tip.RecordedBy,
        tip.SubmittedByPartner, tip.Status, tip.Verdict, tip.DuplicateOf, tip.IncidentId, tip.Outcomes);
}

/// <summary>What a partner learns of a case its tip contributed to.</summary>
public sealed record TipPartnerOutcome(
    [property: MaxLength(YearlyNumbers.MaxNumberLength)] string CaseNumber, IncidentClassification Classification, IncidentOutcome Outcome, DateTimeOffset ResolvedAt);

/// <summary>
/// A tip as a partner sees it (one it submitted, or one placed at its sites): what kind of tip,
/// where (its ward and the site only), when, and how it went. No free text (description, place
/// description, reasons), no tipster conversation or contact, no police actor.
/// </summary>
public sealed record TipPartnerView(
    Guid Id,
    [property: MaxLength(YearlyNumbers.MaxNumberLength)] string Number,
    [property: MaxLength(WardNames.MaxIdLength)] string Ward,
    TipChannel Channel,
    SecurityCategory Category,
    Guid? SiteId,
    DateTimeOffset ReceivedAt,
    TipStatus Status,
    TipVerdict? Verdict,
    bool Referred,
    [property: MaxLength(DocumentedBounds.AnyCount)] IReadOnlyList<TipPartnerOutcome> Outcomes)
{
    /// <summary>The partner view of <paramref name="tip"/>, recorded in <paramref name="ward"/>.</summary>
    public static TipPartnerView Of(TipState tip, string ward) => new(
        tip.Id, tip.Number, ward, tip.Channel, tip.Category, tip.Place.SiteId, tip.ReceivedAt, tip.Status, tip.Verdict, tip.IncidentId is not null,
        [.. tip.Outcomes.Select(outcome => new TipPartnerOutcome(outcome.CaseNumber, outcome.Classification, outcome.Outcome, outcome.ResolvedAt))]);
}

/// <summary>A tip with its history (every step of its stream), for the police.</summary>
public sealed record TipDetails(TipPoliceView Tip, [property: MaxLength(DocumentedBounds.AnyCount)] IReadOnlyList<TimelineStep> History);

/// <summary>A tip with the steps of its course, for a partner.</summary>
public sealed record TipPartnerDetails(TipPartnerView Tip, [property: MaxLength(DocumentedBounds.AnyCount)] IReadOnlyList<PartnerTimelineEntry> History);

public static class TipViews
{
    /// <summary>The events whose type (and time) a partner sees in a tip's history: its course, not the conversation or contact reads.</summary>
    public static readonly IReadOnlySet<Type> PartnerCourse = new HashSet<Type>
    {
        typeof(TipReceived), typeof(TipAssessed), typeof(TipReferred), typeof(TipOutcomeRecorded), typeof(TipOutcomeWithdrawn), typeof(TipReferralWithdrawn),
    };
}
