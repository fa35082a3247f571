using System.ComponentModel.DataAnnotations;
using WardLink.Contracts;
using WardLink.Contracts.Incidents;
using WardLink.Contracts.Tips;
using WardLink.Domain;
using WardLink.EventSourcing;
using WardLink.ServiceDefaults;
using WardLink.ServiceDefaults.Security;

namespace WardLink.Incidents;

/// <summary>An incident as the police see it: the whole case record, with the ward it was recorded in.</summary>
public sealed record IncidentPoliceView(
    Guid Id,
    [property: MaxLength(YearlyNumbers.MaxNumberLength)] string CaseNumber,
    [property: MaxLength(WardNames.MaxIdLength)] string Ward,
    IncidentStatus Status,
    IncidentClassification Classification,
    SecurityCategory Category,
    [property: MaxLength(Incident.MaxTextLength)] string Description,
    Place Place,
    DateTimeOffset OccurredAt,
    IncidentSource Source,
    [property: MaxLength(Incident.MaxShortTextLength)] string? SourceReference,
    DateTimeOffset ReportedAt,
    [property: MaxLength(WardLinkClaims.MaxSubjectLength)] string ReportedBy,
    Guid? SubmittedByPartner,
    [property: MaxLength(Incident.MaxShortTextLength)] string? Unit,
    [property: MaxLength(Incident.MaxShortTextLength)] string? Officer,
    IncidentOutcome? Outcome,
    DateTimeOffset? ResolvedAt,
    DateTimeOffset? ClosedAt,
    [property: MaxLength(DocumentedBounds.AnyCount)] IReadOnlyList<Guid> LinkedTipIds)
{
    /// <summary>The police view of <paramref name="incident"/>, recorded in <paramref name="ward"/>.</summary>
    public static IncidentPoliceView Of(IncidentState incident, string ward) => new(
        incident.Id, incident.CaseNumber, ward, incident.Status, incident.Classification, incident.Category, incident.Description, incident.Place,
        incident.OccurredAt, incident.Source, incident.SourceReference, incident.ReportedAt, incident.ReportedBy, incident.SubmittedByPartner,
        incident.Unit, incident.Officer, incident.Outcome, incident.ResolvedAt, incident.ClosedAt, incident.LinkedTipIds);
}

/// <summary>
/// An incident as a partner sees it (one it reported, or one at its sites): what kind, where (its
/// ward and the site only), when, and how the case stands. No free text (description, place
/// description, source reference, summaries, reasons, notes), no unit or officer, no linked tips.
/// </summary>
public sealed record IncidentPartnerView(
    Guid Id,
    [property: MaxLength(YearlyNumbers.MaxNumberLength)] string CaseNumber,
    [property: MaxLength(WardNames.MaxIdLength)] string Ward,
    IncidentStatus Status,
    IncidentClassification Classification,
    SecurityCategory Category,
    Guid? SiteId,
    DateTimeOffset OccurredAt,
    IncidentSource Source,
    DateTimeOffset ReportedAt,
    IncidentOutcome? Outcome,
    DateTimeOffset? ResolvedAt,
    DateTimeOffset? ClosedAt)
{
    /// <summary>The partner view of <paramref name="incident"/>, recorded in <paramref name="ward"/>.</summary>
    public static IncidentPartnerView Of(IncidentState incident, string ward) => new(
        incident.Id, incident.CaseNumber, ward, incident.Status, incident.Classification, incident.Category, incident.Place.SiteId,
        incident.OccurredAt, incident.Source, incident.ReportedAt, incident.Outcome, incident.ResolvedAt, incident.ClosedAt);
}

/// <summary>An incident with its whole timeline, for the police.</summary>
public sealed record IncidentRecord(IncidentPoliceView Incident, [property: MaxLength(DocumentedBounds.AnyCount)] IReadOnlyList<TimelineStep> Timeline);

/// <summary>An incident with the steps of its course, for a partner.</summary>
public sealed record IncidentPartnerRecord(IncidentPartnerView Incident, [property: MaxLength(DocumentedBounds.AnyCount)] IReadOnlyList<PartnerTimelineEntry> Timeline);

public static class IncidentViews
{
    /// <summary>The events whose type (and time) a partner sees in an incident's timeline: its course, not notes or tip links.</summary>
    public static readonly IReadOnlySet<Type> PartnerCourse = new HashSet<Type>
    {
        typeof(IncidentReported), typeof(InvestigationStarted), typeof(IncidentResolved), typeof(IncidentClosed), typeof(IncidentReopened), typeof(IncidentReclassified),
    };
}
