using System.ComponentModel.DataAnnotations;
using WardLink.Contracts.Incidents;
using WardLink.Contracts.Tips;
using WardLink.ServiceDefaults;
using WardLink.ServiceDefaults.Audit;
using WardLink.ServiceDefaults.Security;

namespace WardLink.Tips;

public enum TipChannel
{
    Hotline,
    Chat,
    WalkIn,
    Web,
    Partner,
    Patrol,
}

public enum TipVerdict
{
    Valuable,
    NotValuable,
    Duplicate,
    Prank,
}

public enum TipStatus
{
    /// <summary>Received, not assessed yet.</summary>
    Pending,
    Assessed,
    Referred,

    /// <summary>The incident it was referred to has resolved.</summary>
    Resolved,
}

/// <summary>Who wrote a follow-up message: the anonymous tipster or the police.</summary>
public enum MessageAuthor
{
    Tipster,
    Police,
}

/// <summary>A tip came in. Never holds the tipster's contact: that lives encrypted in <see cref="TipContact"/>.</summary>
public sealed record TipReceived(
    Guid TipId,
    [property: ShownToAuditors] string Number,
    TipChannel Channel,
    SecurityCategory Category,
    string Description,
    Place Place,
    DateTimeOffset ReceivedAt,
    string RecordedBy,
    Guid? SubmittedByPartner = null);

public sealed record TipAssessed(
    Guid TipId,
    TipVerdict Verdict,
    Guid? DuplicateOf,
    string Reason,
    DateTimeOffset AssessedAt,
    string AssessedBy);

/// <summary>A valuable tip was referred to an incident; carries what incidents needs to open one.</summary>
public sealed record TipReferred(
    Guid TipId,
    [property: ShownToAuditors] string Number,
    Guid IncidentId,
    bool OpensNewIncident,
    SecurityCategory Category,
    string Description,
    Place Place,
    DateTimeOffset ReceivedAt,
    DateTimeOffset ReferredAt,
    string ReferredBy);

/// <summary>An incident the tip was linked to has resolved (from incidents' <c>IncidentResolved</c>).</summary>
public sealed record TipOutcomeRecorded(
    Guid TipId,
    Guid IncidentId,
    [property: ShownToAuditors] string CaseNumber,
    IncidentClassification Classification,
    IncidentOutcome Outcome,
    DateTimeOffset ResolvedAt);

/// <summary>An incident the tip was linked to was reopened (from incidents' <c>IncidentReopened</c>): its outcome no longer counts.</summary>
public sealed record TipOutcomeWithdrawn(Guid TipId, Guid IncidentId, DateTimeOffset ReopenedAt);

public sealed record TipMessagePosted(
    Guid TipId,
    Guid MessageId,
    MessageAuthor Author,
    [property: PersonalData] string Text,
    DateTimeOffset PostedAt,
    string PostedBy);

/// <summary>Someone read the tipster's contact: who and when, never what.</summary>
public sealed record TipContactRead(Guid TipId, DateTimeOffset ReadAt, string ReadBy);

/// <summary>The tipster's contact was deleted; the tip itself stays.</summary>
public sealed record TipContactErased(Guid TipId, DateTimeOffset ErasedAt, string ErasedBy);

public sealed record ReceiveTip(
    Guid TipId,
    TipChannel? Channel,
    SecurityCategory? Category,
    string? Description,
    Place? Place,
    DateTimeOffset? ReceivedAt,
    string RecordedBy,
    ContactDetails? Contact = null,
    Guid? SubmittedByPartner = null);

public sealed record AssessTip(Guid TipId, TipVerdict? Verdict, Guid? DuplicateOf, string? Reason, string AssessedBy);

/// <summary>Refer to <paramref name="ExistingIncidentId"/>, or (when null) to a new incident with id <paramref name="NewIncidentId"/>.</summary>
public sealed record ReferTip(Guid TipId, Guid? ExistingIncidentId, Guid NewIncidentId, string ReferredBy);

public sealed record PostTipMessage(Guid TipId, Guid MessageId, MessageAuthor Author, string? Text, string PostedBy);

public sealed record TipMessage(
    Guid MessageId,
    MessageAuthor Author,
    [property: PersonalData, MaxLength(Tip.MaxMessageLength)] string Text,
    DateTimeOffset PostedAt,
    [property: MaxLength(WardLinkClaims.MaxSubjectLength)] string PostedBy);

public sealed record TipOutcome(Guid IncidentId, [property: ShownToAuditors, MaxLength(YearlyNumbers.MaxNumberLength)] string CaseNumber, IncidentClassification Classification, IncidentOutcome Outcome, DateTimeOffset ResolvedAt);

public sealed record TipState(
    Guid Id,
    [property: ShownToAuditors] string Number,
    TipChannel Channel,
    SecurityCategory Category,
    string Description,
    Place Place,
    DateTimeOffset ReceivedAt,
    string RecordedBy) : IPartnerVisible
{
    /// <summary>The partner whose client submitted the tip (its channel is then usually <c>partner</c>).</summary>
    public Guid? SubmittedByPartner { get; init; }

    public TipStatus Status { get; init; } = TipStatus.Pending;

    public TipVerdict? Verdict { get; init; }

    public Guid? DuplicateOf { get; init; }

    public Guid? IncidentId { get; init; }

    /// <summary>The outcome each linked incident stands at now: one per incident, the latest; none while it is reopened.</summary>
    public IReadOnlyList<TipOutcome> Outcomes { get; init; } = [];

    /// <summary>When each linked incident was last reopened: an outcome resolved before then no longer counts.</summary>
    public IReadOnlyList<TipOutcomeWithdrawn> Withdrawals { get; init; } = [];

    public IReadOnlyList<TipMessage> Messages { get; init; } = [];

    public static TipState Create(TipReceived received) => new(
        received.TipId,
        received.Number,
        received.Channel,
        received.Category,
        received.Description,
        received.Place,
        received.ReceivedAt,
        received.RecordedBy)
    {
        SubmittedByPartner = received.SubmittedByPartner,
    };

    public TipState Apply(TipAssessed assessed) => this with
    {
        Verdict = assessed.Verdict,
        DuplicateOf = assessed.DuplicateOf,
        Status = Status == TipStatus.Pending ? TipStatus.Assessed : Status,
    };

    public TipState Apply(TipReferred referred) => this with { IncidentId = referred.IncidentId, Status = TipStatus.Referred };

    public TipState Apply(TipOutcomeRecorded recorded) => this with
    {
        Outcomes =
        [
            .. Outcomes.Where(outcome => outcome.IncidentId != recorded.IncidentId),
            new TipOutcome(recorded.IncidentId, recorded.CaseNumber, recorded.Classification, recorded.Outcome, recorded.ResolvedAt),
        ],
        Status = TipStatus.Resolved,
    };

    public TipState Apply(TipOutcomeWithdrawn withdrawn)
    {
        var outcomes = Outcomes.Where(outcome => outcome.IncidentId != withdrawn.IncidentId).ToList();
        return this with
        {
            Outcomes = outcomes,
            Withdrawals = [.. Withdrawals.Where(earlier => earlier.IncidentId != withdrawn.IncidentId), withdrawn],
            Status = outcomes.Count > 0 ? TipStatus.Resolved : IncidentId is not null ? TipStatus.Referred : Verdict is not null ? TipStatus.Assessed : TipStatus.Pending,
        };
    }

    public TipState Apply(TipMessagePosted posted) => this with
    {
        Messages = [.. Messages, new TipMessage(posted.MessageId, posted.Author, posted.Text, posted.PostedAt, posted.PostedBy)],
    };
}

public static class Tip
{
    public const string NumberPrefix = "TIP";
    public const int MaxDescriptionLength = 4000;
    public const int MaxReasonLength = 2000;
    public const int MaxMessageLength = 2000;

    /// <summary>
    /// A new tip, numbered <paramref name="number"/>; <paramref name="siteIsKnown"/> says whether
    /// the site it names (if any) is in the site directory.
    /// </summary>
    public static Decision Receive(TipState? current, ReceiveTip command, string number, bool siteIsKnown, DateTimeOffset now)
    {
        if (current is not null)
        {
            return Rejection.Conflict($"Tip {command.TipId} already exists.");
        }

        var errors = new FieldErrors()
            .Check(command.Channel is not null, "channel", "Choose the channel the tip came through.")
            .Check(command.Category is not null, "category", "Choose a category.")
            .Check(!string.IsNullOrWhiteSpace(command.Description), "description", "Describe what was seen or heard.")
            .Check((command.Description?.Length ?? 0) <= MaxDescriptionLength, "description", $"At most {MaxDescriptionLength} characters.")
            .Check(command.ReceivedAt is not null, "receivedAt", "Say when the tip was received (ISO-8601 with offset).")
            .CheckPast(command.ReceivedAt, "receivedAt", now)
            .Check(command.Contact is null || !command.Contact.IsEmpty, "contact", "Leave the contact out, or give a name, a phone or an email.")
            .Check((command.Contact?.Name?.Length ?? 0) <= ContactDetails.MaxNameLength, "contact.name", $"At most {ContactDetails.MaxNameLength} characters.")
            .Check(string.IsNullOrWhiteSpace(command.Contact?.Phone) || ContactFormats.IsPhone(command.Contact.Phone.Trim()), "contact.phone", ContactFormats.PhoneRule)
            .Check(string.IsNullOrWhiteSpace(command.Contact?.Email) || ContactFormats.IsEmail(command.Contact.Email.Trim()), "contact.email", ContactFormats.EmailRule);
        errors.CheckPlace(command.Place, siteIsKnown);
        if (errors.Any)
        {
            return errors.ToRejection();
        }

        return Decision.Accept(new TipReceived(
            command.TipId,
            number,
            command.Channel!.Value,
            command.Category!.Value,
            command.Description!.Trim(),
            command.Place!.Normalised(),
            // Stored in UTC (an indexed timestamptz column takes no other offset); years are counted in local time.
            command.ReceivedAt!.Value.ToUniversalTime(),
            command.RecordedBy,
            command.SubmittedByPartner));
    }

    /// <summary>
    /// A verdict on a tip; a re-assessment is a new event, but repeating the current verdict is
    /// refused. A duplicate names the existing tip (<paramref name="originalExists"/>).
    /// </summary>
    public static Decision Assess(TipState? current, AssessTip command, bool originalExists, DateTimeOffset now)
    {
        if (current is null)
        {
            return NotFound(command.TipId);
        }

        var errors = new FieldErrors()
            .Check(command.Verdict is not null, "verdict", "Choose a verdict: valuable, notValuable, duplicate or prank.")
            .Check(!string.IsNullOrWhiteSpace(command.Reason), "reason", "Give the reason for the verdict.")
            .Check((command.Reason?.Length ?? 0) <= MaxReasonLength, "reason", $"At most {MaxReasonLength} characters.")
            .Check(command.Verdict != TipVerdict.Duplicate || command.DuplicateOf is not null, "duplicateOf", "A duplicate names the tip it repeats.")
            .Check(command.Verdict == TipVerdict.Duplicate || command.DuplicateOf is null, "duplicateOf", "Only a duplicate names another tip.")
            .Check(command.DuplicateOf != command.TipId, "duplicateOf", "A tip cannot duplicate itself.")
            .Check(command.DuplicateOf is null || command.DuplicateOf == command.TipId || originalExists, "duplicateOf", "No such tip.");
        if (errors.Any)
        {
            return errors.ToRejection();
        }

        if (current.Verdict == command.Verdict && current.DuplicateOf == command.DuplicateOf)
        {
            return Rejection.Conflict($"Tip {current.Number} is already assessed as {command.Verdict}.");
        }

        if (current.IncidentId is not null && command.Verdict != TipVerdict.Valuable)
        {
            return Rejection.Conflict($"Tip {current.Number} was referred to an incident; it stays valuable.");
        }

        return Decision.Accept(new TipAssessed(current.Id, command.Verdict!.Value, command.DuplicateOf, command.Reason!.Trim(), now, command.AssessedBy));
    }

    /// <summary>Only a valuable tip is referred, once, to a new or an existing incident.</summary>
    /// <param name="incidentKnown">Whether the existing incident named (if any) is one tips has heard of from incidents.</param>
    public static Decision Refer(TipState? current, ReferTip command, bool incidentKnown, DateTimeOffset now)
    {
        if (current is null)
        {
            return NotFound(command.TipId);
        }

        if (command.ExistingIncidentId == Guid.Empty)
        {
            return new FieldErrors().Check(false, "incidentId", "Not an incident id.").ToRejection();
        }

        if (!incidentKnown)
        {
            return Rejection.NotFound($"Incident {command.ExistingIncidentId} was not found: tips knows the incidents the incidents service has reported.");
        }

        if (current.Verdict != TipVerdict.Valuable)
        {
            return Rejection.Conflict($"Tip {current.Number} is not assessed as valuable; only valuable tips are referred.");
        }

        if (current.IncidentId is { } incident)
        {
            return Rejection.Conflict($"Tip {current.Number} was already referred to incident {incident}.");
        }

        return Decision.Accept(new TipReferred(
            current.Id,
            current.Number,
            command.ExistingIncidentId ?? command.NewIncidentId,
            command.ExistingIncidentId is null,
            current.Category,
            current.Description,
            current.Place,
            current.ReceivedAt,
            now,
            command.ReferredBy));
    }

    /// <summary>
    /// The outcome of an incident the tip is linked to, replacing the one it stood at before. Nothing
    /// when the tip is unknown here, or the news is not newer than what the tip knows: a resolution
    /// at or before the one recorded, or at or before the incident was last reopened (messages of
    /// different kinds may arrive out of order). A resolution is a fact from incidents, never refused.
    /// </summary>
    public static Decision RecordOutcome(TipState? current, IncidentResolved resolved) =>
        current is null || !IsNewsAbout(current, resolved.IncidentId, resolved.ResolvedAt)
            ? Decision.Accept()
            : Decision.Accept(new TipOutcomeRecorded(current.Id, resolved.IncidentId, resolved.CaseNumber, resolved.Classification, resolved.Outcome, resolved.ResolvedAt));

    /// <summary>
    /// A linked incident was reopened: the outcome it was resolved with before then no longer counts.
    /// Nothing when the tip is unknown here or already knows something newer.
    /// </summary>
    public static Decision WithdrawOutcome(TipState? current, IncidentReopened reopened) =>
        current is null || !IsNewsAbout(current, reopened.IncidentId, reopened.ReopenedAt)
            ? Decision.Accept()
            : Decision.Accept(new TipOutcomeWithdrawn(current.Id, reopened.IncidentId, reopened.ReopenedAt));

    /// <summary>Whether something that happened to incident <paramref name="incidentId"/> at <paramref name="at"/> is later than all the tip knows of it.</summary>
    private static bool IsNewsAbout(TipState tip, Guid incidentId, DateTimeOffset at) =>
        tip.Outcomes.All(outcome => outcome.IncidentId != incidentId || outcome.ResolvedAt < at)
        && tip.Withdrawals.All(withdrawn => withdrawn.IncidentId != incidentId || withdrawn.ReopenedAt < at);

    public static Decision PostMessage(TipState? current, PostTipMessage command, DateTimeOffset now)
    {
        if (current is null)
        {
            return NotFound(command.TipId);
        }

        var errors = new FieldErrors()
            .Check(!string.IsNullOrWhiteSpace(command.Text), "text", "Write a message.")
            .Check((command.Text?.Length ?? 0) <= MaxMessageLength, "text", $"At most {MaxMessageLength} characters.");
        if (errors.Any)
        {
            return errors.ToRejection();
        }

        return Decision.Accept(new TipMessagePosted(current.Id, command.MessageId, command.Author, command.Text!.Trim(), now, command.PostedBy));
    }

    /// <summary>Reading a contact is recorded; <paramref name="contactExists"/> says whether there is one.</summary>
    public static Decision ReadContact(TipState? current, bool contactExists, string readBy, DateTimeOffset now) =>
        AboutContact(current, contactExists, tip => new TipContactRead(tip.Id, now, readBy));

    public static Decision EraseContact(TipState? current, bool contactExists, string erasedBy, DateTimeOffset now) =>
        AboutContact(current, contactExists, tip => new TipContactErased(tip.Id, now, erasedBy));

    /// <summary>Who did what an event records (for a tip's history).</summary>
    public static string ActorOf(object recorded) => recorded switch
    {
        TipReceived received => received.RecordedBy,
        TipAssessed assessed => assessed.AssessedBy,
        TipReferred referred => referred.ReferredBy,
        TipOutcomeRecorded or TipOutcomeWithdrawn => "incidents",
        TipMessagePosted posted => posted.PostedBy,
        TipContactRead read => read.ReadBy,
        TipContactErased erased => erased.ErasedBy,
        _ => "unknown",
    };

    private static Rejection NotFound(Guid id) => Rejection.NotFound($"Tip {id} was not found.");

    private static Decision AboutContact(TipState? current, bool contactExists, Func<TipState, object> recorded) =>
        current is null ? Rejection.NotFound("Tip was not found.")
        : !contactExists ? Rejection.NotFound($"Tip {current.Number} has no tipster contact.")
        : Decision.Accept(recorded(current));
}
