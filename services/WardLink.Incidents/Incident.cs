using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using WardLink.Audit;
using WardLink.Contracts;
using WardLink.Contracts.Incidents;
using WardLink.Contracts.Tips;
using WardLink.Domain;
using WardLink.EventSourcing;
using WardLink.EventSourcing.Sites;

namespace WardLink.Incidents;

public enum IncidentStatus
{
    Reported,
    UnderInvestigation,
    Resolved,
    Closed,
}

public sealed record IncidentReported(
    Guid IncidentId,
    [property: ShownToAuditors] string CaseNumber,
    IncidentClassification Classification,
    SecurityCategory Category,
    string Description,
    Place Place,
    DateTimeOffset OccurredAt,
    IncidentSource Source,
    string? SourceReference,
    DateTimeOffset At,
    string By,
    Guid? SubmittedByPartner = null) : IBusinessEvent;

public sealed record InvestigationStarted(Guid IncidentId, string Unit, [property: PersonalData] string? Officer, DateTimeOffset At, string By) : IBusinessEvent;

/// <summary>Carries the facts at resolution (case number, classification, linked tips) so the relay can publish it as it is.</summary>
/// <summary>Carries the incident's site (none in events recorded before it was carried), so the relay can tell the site's partner.</summary>
public sealed record IncidentResolved(
    Guid IncidentId,
    [property: ShownToAuditors] string CaseNumber,
    IncidentClassification Classification,
    IncidentOutcome Outcome,
    string? Summary,
    IReadOnlyList<Guid> LinkedTipIds,
    DateTimeOffset At,
    string By,
    Guid? SiteId = null,
    [property: ShownToAuditors] IReadOnlyDictionary<Guid, IReadOnlyList<string>>? LinkReach = null) : IBusinessEvent;

public sealed record IncidentClosed(Guid IncidentId, DateTimeOffset At, string By) : IBusinessEvent;

/// <summary>Carries the tips linked when it was reopened (none in events recorded before they were carried), and their links' reach, so the relay can tell tips.</summary>
public sealed record IncidentReopened(
    Guid IncidentId,
    string Reason,
    DateTimeOffset At,
    string By,
    IReadOnlyList<Guid>? LinkedTipIds = null,
    [property: ShownToAuditors] IReadOnlyDictionary<Guid, IReadOnlyList<string>>? LinkReach = null) : IBusinessEvent;

public sealed record IncidentReclassified(
    Guid IncidentId,
    IncidentClassification Classification,
    SecurityCategory Category,
    string Reason,
    DateTimeOffset At,
    string By) : IBusinessEvent;

/// <summary>
/// A tip linked to the incident. <paramref name="Reach"/>: the wards the linking caller may see, the only ones whose tip the incident's
/// news may reach (null: any, as for a link a referral made, or one recorded before links kept their reach).
/// <paramref name="TipNumber"/> is withheld from auditors: an officer's link gives it as typed, shaped as a number but never
/// compared with the tip's (incidents does not know it), so a phone number (<c>TIP-2026-84987654321</c>) or a surname for a
/// ward's code reached them; the tip's own number reaches them from the tip's stream (<c>TipReferred</c>, its counter's).
/// </summary>
public sealed record TipLinked(
    Guid IncidentId,
    Guid TipId,
    string? TipNumber,
    DateTimeOffset At,
    string By,
    [property: ShownToAuditors] IReadOnlyList<string>? Reach = null,
    bool ByReferral = false) : IBusinessEvent;

/// <summary>
/// The tip's referral reached the incident while a link an officer made already held the tip (made before the referral came,
/// or after its referral was withdrawn): that link is the referral's as well from now on, so removing it withdraws the referral
/// (<see cref="TipUnlinked.ByReferral"/>), as removing the link a referral made does. Without it, the tip stayed referred to an
/// incident that no longer linked it, and could be referred nowhere else.
/// </summary>
public sealed record TipReferredOnLink(Guid IncidentId, Guid TipId, DateTimeOffset At, string By) : IBusinessEvent;

/// <summary>
/// A tip unlinked from the incident, with its link's <paramref name="Reach"/> (see <see cref="TipLinked"/>) and whether the link
/// was the one the tip's referral made (<paramref name="ByReferral"/>: tips then withdraws the referral).
/// </summary>
public sealed record TipUnlinked(
    Guid IncidentId, Guid TipId, DateTimeOffset At, string By, [property: ShownToAuditors] IReadOnlyList<string>? Reach = null, bool ByReferral = false) : IBusinessEvent;

public sealed record NoteAdded(Guid IncidentId, string Text, DateTimeOffset At, string By) : IBusinessEvent;

/// <summary>
/// Report an incident: the body of <c>POST /incidents</c>, and what a referral or a patrol
/// observation opens. The caller adds, unseen by clients, the new incident's id and the partner
/// whose client reports it; the intake the case number it reserved, the ward it records in and the site's ward.
/// </summary>
public sealed record ReportIncident(
    IncidentClassification? Classification,
    SecurityCategory? Category,
    [property: MaxLength(Incident.MaxTextLength)] string? Description,
    Place? Place,
    DateTimeOffset? OccurredAt,
    IncidentSource? Source,
    [property: MaxLength(Incident.MaxShortTextLength)] string? SourceReference = null)
{
    [JsonIgnore]
    public Guid IncidentId { get; init; }

    [JsonIgnore]
    [ShownToAuditors]
    public string CaseNumber { get; init; } = string.Empty;

    /// <summary>The ward of the place's site; null when it names none or the service's site directory does not know it.</summary>
    [JsonIgnore]
    public string? SiteWard { get; init; }

    /// <summary>The ward the incident is recorded in.</summary>
    [JsonIgnore]
    public RecordingWard? Ward { get; init; }

    [JsonIgnore]
    public Guid? SubmittedByPartner { get; init; }
}

/// <summary>Put a reported incident under investigation by a unit (and officer).</summary>
public sealed record AssignIncident([property: MaxLength(Incident.MaxShortTextLength)] string? Unit, [property: MaxLength(Incident.MaxShortTextLength)] string? Officer = null);

/// <summary>Resolve an incident with its outcome; <paramref name="ResolvedAt"/> when it was resolved, if earlier than now (recorded after the fact).</summary>
public sealed record ResolveIncident(IncidentOutcome? Outcome, [property: MaxLength(Incident.MaxTextLength)] string? Summary = null, DateTimeOffset? ResolvedAt = null);

/// <summary>Close a resolved incident: nothing to say but the intent.</summary>
public sealed record CloseIncident;

public sealed record ReopenIncident([property: MaxLength(Incident.MaxTextLength)] string? Reason);

[AnyOfGiven(nameof(Classification), nameof(Category))]
public sealed record ReclassifyIncident([property: MaxLength(Incident.MaxTextLength)] string? Reason, IncidentClassification? Classification = null, SecurityCategory? Category = null);

public sealed record LinkTip(Guid? TipId, [property: MaxLength(YearlyNumbers.MaxNumberLength), RegularExpression(YearlyNumbers.Pattern)] string? TipNumber = null)
{
    /// <summary>The wards the linking caller may see (null: any); set by the service, never read from the body.</summary>
    [JsonIgnore]
    public IReadOnlyList<string>? Reach { get; init; }
}

public sealed record UnlinkTip(Guid TipId);

public sealed record AddIncidentNote([property: MaxLength(Incident.MaxTextLength)] string? Text);

/// <summary>
/// A tip the tips service referred here, with what the consumer looked up: the case number
/// reserved for it when it opens a new incident (null otherwise), the ward of its place's site (null
/// when none or unknown) and the ward the referral acts in (the tip's).
/// </summary>
public sealed record ReceiveReferral(
    Guid IncidentId,
    Guid TipId,
    string TipNumber,
    bool OpensNewIncident,
    SecurityCategory Category,
    string Description,
    Place Place,
    DateTimeOffset ReceivedAt,
    string? CaseNumber,
    string? SiteWard,
    RecordingWard Ward);

/// <summary>
/// An incident as it stands: an inline snapshot, updated in the same transaction as the events,
/// what its decisions and its views read (the list and the statistics read <see cref="IncidentRow"/>).
/// </summary>
public sealed record IncidentState(
    Guid Id,
    [property: ShownToAuditors] string CaseNumber,
    IncidentStatus Status,
    IncidentClassification Classification,
    SecurityCategory Category,
    string Description,
    Place Place,
    DateTimeOffset OccurredAt,
    IncidentSource Source,
    string? SourceReference,
    DateTimeOffset ReportedAt,
    string ReportedBy,
    string? Unit,
    [property: PersonalData] string? Officer,
    IncidentOutcome? Outcome,
    DateTimeOffset? ResolvedAt,
    DateTimeOffset? ClosedAt,
    IReadOnlyList<Guid> LinkedTipIds) : IPartnerVisible
{
    /// <summary>When it was last reopened: a new resolution comes after it.</summary>
    public DateTimeOffset? ReopenedAt { get; init; }

    /// <summary>When each tip unlinked from it was last unlinked: a resolution that names the tip again comes after that.</summary>
    public IReadOnlyDictionary<Guid, DateTimeOffset>? UnlinkedAt { get; init; }

    /// <summary>The reach of each linked tip's link that has one (<see cref="TipLinked.Reach"/>): the wards whose tip its news may reach; null when none has. Ward ids, shown to auditors as in the events.</summary>
    [ShownToAuditors]
    public IReadOnlyDictionary<Guid, IReadOnlyList<string>>? LinkReach { get; init; }

    /// <summary>The linked tips whose link their referral made (<see cref="TipLinked.ByReferral"/>).</summary>
    public IReadOnlyList<Guid> ReferralLinks { get; init; } = [];

    /// <summary>The partner whose client reported the incident.</summary>
    public Guid? SubmittedByPartner { get; init; }

    Guid? IPartnerVisible.SiteId => Place.SiteId;

    public static IncidentState Create(IncidentReported reported) => new(
        reported.IncidentId,
        reported.CaseNumber,
        IncidentStatus.Reported,
        reported.Classification,
        reported.Category,
        reported.Description,
        reported.Place,
        reported.OccurredAt,
        reported.Source,
        reported.SourceReference,
        reported.At,
        reported.By,
        null,
        null,
        null,
        null,
        null,
        [])
    {
        SubmittedByPartner = reported.SubmittedByPartner,
    };

    public IncidentState Apply(InvestigationStarted started) =>
        this with { Status = IncidentStatus.UnderInvestigation, Unit = started.Unit, Officer = started.Officer };

    public IncidentState Apply(IncidentResolved resolved) =>
        this with { Status = IncidentStatus.Resolved, Outcome = resolved.Outcome, ResolvedAt = resolved.At };

    public IncidentState Apply(IncidentClosed closed) => this with { Status = IncidentStatus.Closed, ClosedAt = closed.At };

    public IncidentState Apply(IncidentReopened reopened) =>
        this with { Status = IncidentStatus.UnderInvestigation, Outcome = null, ResolvedAt = null, ClosedAt = null, ReopenedAt = reopened.At };

    public IncidentState Apply(IncidentReclassified reclassified) =>
        this with { Classification = reclassified.Classification, Category = reclassified.Category };

    public IncidentState Apply(TipLinked linked) => this with
    {
        LinkedTipIds = [.. LinkedTipIds, linked.TipId],
        ReferralLinks = linked.ByReferral ? [.. ReferralLinks, linked.TipId] : ReferralLinks,
        LinkReach = linked.Reach is { } reach ? new Dictionary<Guid, IReadOnlyList<string>>(LinkReach ?? new Dictionary<Guid, IReadOnlyList<string>>()) { [linked.TipId] = reach } : LinkReach,
    };

    public IncidentState Apply(TipReferredOnLink referred) => this with { ReferralLinks = [.. ReferralLinks, referred.TipId] };

    public IncidentState Apply(TipUnlinked unlinked) => this with
    {
        LinkedTipIds = [.. LinkedTipIds.Where(id => id != unlinked.TipId)],
        ReferralLinks = [.. ReferralLinks.Where(id => id != unlinked.TipId)],
        UnlinkedAt = new Dictionary<Guid, DateTimeOffset>(UnlinkedAt ?? new Dictionary<Guid, DateTimeOffset>()) { [unlinked.TipId] = unlinked.At },
        LinkReach = LinkReach?.Where(link => link.Key != unlinked.TipId).ToDictionary() is { Count: > 0 } left ? left : null,
    };

    /// <summary>The last time a tip linked now was unlinked before; null when none of them ever was.</summary>
    public DateTimeOffset? LinkedTipsLastUnlinkedAt() =>
        LinkedTipIds.Select(id => UnlinkedAt is not null && UnlinkedAt.TryGetValue(id, out var at) ? at : (DateTimeOffset?)null).Max();
}

/// <summary>The decisions on an incident: pure functions of its state, the command, the time and the actor.</summary>
public static class Incident
{
    public const string CaseNumberPrefix = "INC";
    public const int MaxTextLength = 4000;
    public const int MaxShortTextLength = 500;

    /// <summary>
    /// Why a partner's report names no other source: it is the partner's, whatever it says (it was counted as the police's, a
    /// tip's or a patrol's in every statistic; only the police's view showed who sent it).
    /// </summary>
    public const string PartnerSource = "A partner's report is its own: its source is partner.";

    public static Decision Report(IncidentState? current, ReportIncident command, DateTimeOffset now, string actor)
    {
        var errors = new FieldErrors()
            .Check(command.Classification is not null, "classification", "Choose a classification.")
            .Check(command.Category is not null, "category", "Choose a category.")
            .CheckText(command.Description, "description", "Describe what happened.", MaxTextLength)
            .Check(command.OccurredAt is not null, "occurredAt", "Say when it happened (ISO-8601 with offset).")
            .CheckPast(command.OccurredAt, "occurredAt", now)
            .Check(command.Source is not null, "source", "Say where the report came from (tip, patrol, partner, police).")
            .Check(command.SubmittedByPartner is null || command.Source is null or IncidentSource.Partner, "source", PartnerSource)
            .CheckLength(command.SourceReference, "sourceReference", MaxShortTextLength);
        errors.CheckPlace(command.Place, command.SiteWard is not null).CheckWard(command.Ward, command.OccurredAt, "occurredAt", command.SiteWard);
        if (errors.Any)
        {
            return errors.ToRejection();
        }

        if (current is not null)
        {
            return Rejection.Conflict($"Incident {command.IncidentId} already exists.");
        }

        return Decision.Accept(new IncidentReported(
            command.IncidentId,
            command.CaseNumber,
            command.Classification!.Value,
            command.Category!.Value,
            command.Description!.Trim(),
            command.Place! with { Description = Trimmed(command.Place!.Description) },
            command.OccurredAt!.Value,
            command.Source!.Value,
            Trimmed(command.SourceReference),
            now,
            actor,
            command.SubmittedByPartner));
    }

    public static Decision StartInvestigation(IncidentState incident, AssignIncident command, DateTimeOffset now, string actor) =>
        new FieldErrors()
            .CheckText(command.Unit, "unit", "Name the unit that investigates.", MaxShortTextLength)
            .CheckLength(command.Officer, "officer", MaxShortTextLength)
            .Then(() => incident.Status != IncidentStatus.Reported
                ? Rejection.Conflict($"Incident {incident.CaseNumber} is {Describe(incident.Status)}; only a reported incident can be assigned for investigation.")
                : Decision.Accept(new InvestigationStarted(incident.Id, command.Unit!.Trim(), Trimmed(command.Officer), now, actor)));

    public static Decision Resolve(IncidentState incident, ResolveIncident command, DateTimeOffset now, string actor)
    {
        var relinkedAfter = incident.LinkedTipsLastUnlinkedAt();

        // Strictly after a reopening or a relinked tip's unlinking: another replica's clock, or a frozen one, may not have passed it yet.
        var at = WardTime.StepAt(command.ResolvedAt, now, incident.OccurredAt, incident.ReopenedAt?.AddTicks(1), relinkedAfter?.AddTicks(1));
        return new FieldErrors()
            .Check(command.Outcome is not null, "outcome", "Choose the outcome.")
            .CheckLength(command.Summary, "summary", MaxTextLength)
            .CheckPast(command.ResolvedAt, "resolvedAt", now)
            .Check(at >= incident.OccurredAt, "resolvedAt", "An incident cannot be resolved before it happened.")
            .Check(incident.ReopenedAt is null || at > incident.ReopenedAt, "resolvedAt", "A reopened incident is resolved after it was reopened.")
            .Check(relinkedAfter is null || at > relinkedAfter, "resolvedAt", $"A tip linked again after it was unlinked takes only a resolution after that ({relinkedAfter:O}).")
            .Then(() => incident.Status != IncidentStatus.UnderInvestigation
                ? Rejection.Conflict($"Incident {incident.CaseNumber} is {Describe(incident.Status)}; only an incident under investigation can be resolved.")
                : Decision.Accept(new IncidentResolved(
                    incident.Id, incident.CaseNumber, incident.Classification, command.Outcome!.Value, Trimmed(command.Summary), incident.LinkedTipIds, at, actor,
                    incident.Place.SiteId, incident.LinkReach)));
    }

    public static Decision Close(IncidentState incident, CloseIncident command, DateTimeOffset now, string actor) =>
        incident.Status == IncidentStatus.Resolved
            ? ResolvedAhead(incident, now, orAtItsTime: false) ?? Decision.Accept(new IncidentClosed(incident.Id, now, actor))
            : Rejection.Conflict($"Incident {incident.CaseNumber} is {Describe(incident.Status)}; only a resolved incident can be closed.");

    public static Decision Reopen(IncidentState incident, ReopenIncident command, DateTimeOffset now, string actor) =>
        new FieldErrors().CheckText(command.Reason, "reason", "Say why the incident is reopened.", MaxTextLength).Then(() =>
            incident.Status is not (IncidentStatus.Resolved or IncidentStatus.Closed)
                ? Rejection.Conflict($"Incident {incident.CaseNumber} is {Describe(incident.Status)}; only a resolved or closed incident can be reopened.")
                : ResolvedAhead(incident, now) ?? Decision.Accept(new IncidentReopened(incident.Id, command.Reason!.Trim(), now, actor, incident.LinkedTipIds, incident.LinkReach)));

    /// <summary>
    /// A resolution dated ahead of now (within the clock skew allowed) stands until then: reopening the incident or
    /// unlinking a tip before it, or at that very moment, would not come after it, and tips would keep the outcome (news
    /// no newer than what they know); closing it before then would be dated before its resolution (at its time is fine:
    /// <paramref name="orAtItsTime"/> false).
    /// </summary>
    private static Rejection? ResolvedAhead(IncidentState incident, DateTimeOffset now, bool orAtItsTime = true) =>
        incident.ResolvedAt is { } resolvedAt && (now < resolvedAt || (orAtItsTime && now == resolvedAt))
            ? Rejection.Conflict($"Incident {incident.CaseNumber} is resolved as of {resolvedAt:O}, which is still ahead; wait until then.")
            : null;

    public static Decision Reclassify(IncidentState incident, ReclassifyIncident command, DateTimeOffset now, string actor) =>
        new FieldErrors()
            .Check(command.Classification is not null || command.Category is not null, "classification", "Give a new classification, a new category, or both.")
            .CheckText(command.Reason, "reason", "Say why the incident is reclassified.", MaxTextLength)
            .Then(() =>
            {
                var newClassification = command.Classification ?? incident.Classification;
                var newCategory = command.Category ?? incident.Category;
                return incident.Status == IncidentStatus.Closed ? Rejection.Conflict($"Incident {incident.CaseNumber} is closed; reopen it to reclassify it.")
                    : newClassification == incident.Classification && newCategory == incident.Category ? Rejection.Conflict($"Incident {incident.CaseNumber} is already classified so.")
                    : Decision.Accept(new IncidentReclassified(incident.Id, newClassification, newCategory, command.Reason!.Trim(), now, actor));
            });

    /// <summary>
    /// A referred tip opens the incident tips chose the id of (provisionally classified from the
    /// tip's category, sourced from the tip) and is linked to it, or is linked to the incident that
    /// exists; a tip its referral linked already changes nothing (a redelivery, or a second referral naming the
    /// same new incident), and one an officer linked has that link taken as the referral's too (<see cref="TipReferredOnLink"/>).
    /// A referral to an incident unknown here, not opening one, is refused.
    /// </summary>
    public static Decision ReceiveReferral(IncidentState? incident, ReceiveReferral referral, DateTimeOffset now, string actor)
    {
        if (incident is not null)
        {
            return !incident.LinkedTipIds.Contains(referral.TipId) ? ByReferral(LinkTip(incident, new LinkTip(referral.TipId, referral.TipNumber), now, actor))
                : incident.ReferralLinks.Contains(referral.TipId) ? Decision.Accept()
                : Decision.Accept(new TipReferredOnLink(incident.Id, referral.TipId, now, actor));
        }

        if (!referral.OpensNewIncident || referral.CaseNumber is not { } caseNumber)
        {
            return Rejection.NotFound($"Tip {referral.TipNumber} was referred to incident {referral.IncidentId}, which is not known here.");
        }

        var report = Report(
            null,
            new ReportIncident(
                ProvisionalClassification(referral.Category),
                referral.Category,
                referral.Description,
                referral.Place,
                referral.ReceivedAt,
                IncidentSource.Tip,
                referral.TipNumber)
            {
                IncidentId = referral.IncidentId,
                CaseNumber = caseNumber,
                SiteWard = referral.SiteWard,
                Ward = referral.Ward,
            },
            now,
            actor);
        if (!report.IsAccepted)
        {
            return report;
        }

        var link = ByReferral(LinkTip(IncidentState.Create((IncidentReported)report.Events[0]), new LinkTip(referral.TipId, referral.TipNumber), now, actor));
        return link.IsAccepted ? Decision.Accept([.. report.Events, .. link.Events]) : link;
    }

    /// <summary>A tip may be linked in any status: a late tip about a closed case is still worth keeping with it.</summary>
    public static Decision LinkTip(IncidentState incident, LinkTip command, DateTimeOffset now, string actor)
    {
        var errors = new FieldErrors()
            .Check(command.TipId is not null && command.TipId != Guid.Empty, "tipId", "Give the tip's id.")
            .Check(command.TipNumber is null || YearlyNumbers.IsNumber(command.TipNumber), "tipNumber", "The tip's number, e.g. TIP-QT-2024-0042 (no free text).");
        if (errors.Any)
        {
            return errors.ToRejection();
        }

        var tipId = command.TipId!.Value;
        return incident.LinkedTipIds.Contains(tipId)
            ? Rejection.Conflict($"Tip {tipId} is already linked to incident {incident.CaseNumber}.")
            : Decision.Accept(new TipLinked(incident.Id, tipId, Trimmed(command.TipNumber), now, actor, command.Reach));
    }

    /// <summary>
    /// Unlinks a tip; tips then takes the incident's outcome off it (<c>TipUnlinkedFromIncident</c>), and the tip's referral when the
    /// link was the one its referral made.
    /// </summary>
    public static Decision UnlinkTip(IncidentState incident, UnlinkTip command, DateTimeOffset now, string actor) =>
        !incident.LinkedTipIds.Contains(command.TipId)
            ? Rejection.PartNotFound($"Tip {command.TipId} is not linked to incident {incident.CaseNumber}.")
            : ResolvedAhead(incident, now)
                ?? Decision.Accept(new TipUnlinked(incident.Id, command.TipId, now, actor, incident.LinkReach.Of(command.TipId), incident.ReferralLinks.Contains(command.TipId)));

    /// <summary>A link a referral makes, marked so (<see cref="TipLinked.ByReferral"/>).</summary>
    private static Decision ByReferral(Decision link) =>
        link.IsAccepted ? Decision.Accept([.. link.Events.Select(linked => linked is TipLinked tip ? tip with { ByReferral = true } : linked)]) : link;

    public static Decision AddNote(IncidentState incident, AddIncidentNote command, DateTimeOffset now, string actor)
    {
        var errors = new FieldErrors().CheckText(command.Text, "text", "Write the note.", MaxTextLength);
        return errors.Any ? errors.ToRejection() : Decision.Accept(new NoteAdded(incident.Id, command.Text!.Trim(), now, actor));
    }

    /// <summary>
    /// The classification an incident opened from a tip starts with, from the tip's category; the
    /// investigating unit reclassifies it when it knows better.
    /// </summary>
    public static IncidentClassification ProvisionalClassification(SecurityCategory category) => category switch
    {
        SecurityCategory.Theft or SecurityCategory.Drugs or SecurityCategory.Violence or SecurityCategory.Fraud => IncidentClassification.Criminal,
        SecurityCategory.Traffic => IncidentClassification.Traffic,
        SecurityCategory.PublicOrder => IncidentClassification.PublicOrder,
        _ => IncidentClassification.Other,
    };

    private static string? Trimmed(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    private static string Describe(IncidentStatus status) => status switch
    {
        IncidentStatus.Reported => "reported",
        IncidentStatus.UnderInvestigation => "under investigation",
        IncidentStatus.Resolved => "resolved",
        _ => "closed",
    };
}
