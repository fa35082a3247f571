using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using WardLink.Audit;
using WardLink.Contracts;
using WardLink.Contracts.Incidents;
using WardLink.Contracts.Tips;
using WardLink.Domain;
using WardLink.EventSourcing;
using WardLink.EventSourcing.Sites;
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

// The events keep the names of their time and actor as stored (ReceivedAt, RecordedBy, …): renaming
// them would leave older events unreadable. Each answers IBusinessEvent through them.

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
    Guid? SubmittedByPartner = null) : IBusinessEvent
{
    DateTimeOffset IBusinessEvent.At => ReceivedAt;

    string IBusinessEvent.By => RecordedBy;
}

public sealed record TipAssessed(
    Guid TipId,
    TipVerdict Verdict,
    Guid? DuplicateOf,
    string Reason,
    DateTimeOffset AssessedAt,
    string AssessedBy) : IBusinessEvent
{
    DateTimeOffset IBusinessEvent.At => AssessedAt;

    string IBusinessEvent.By => AssessedBy;
}

/// <summary>
/// A valuable tip was referred to an incident; carries what incidents needs to open one, and the
/// partner that submitted the tip (none in events recorded before it was carried), so the relay
/// can tell that partner.
/// </summary>
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
    string ReferredBy,
    Guid? SubmittedByPartner = null) : IBusinessEvent
{
    DateTimeOffset IBusinessEvent.At => ReferredAt;

    string IBusinessEvent.By => ReferredBy;
}

/// <summary>
/// An incident the tip was linked to has resolved (from incidents' <c>IncidentResolved</c>, when it
/// resolved). Carries the tip's number and the partner that submitted it (none in events recorded
/// before they were carried), so the relay can tell that partner.
/// </summary>
public sealed record TipOutcomeRecorded(
    Guid TipId,
    Guid IncidentId,
    [property: ShownToAuditors] string CaseNumber,
    IncidentClassification Classification,
    IncidentOutcome Outcome,
    DateTimeOffset ResolvedAt,
    [property: ShownToAuditors] string? TipNumber = null,
    Guid? SubmittedByPartner = null) : IBusinessEvent
{
    DateTimeOffset IBusinessEvent.At => ResolvedAt;

    string IBusinessEvent.By => Tip.IncidentsActor;
}

/// <summary>
/// An incident the tip was linked to was reopened, or the tip was unlinked from it (from incidents' <c>IncidentReopened</c>
/// or <c>TipUnlinkedFromIncident</c>; <see cref="ReopenedAt"/>, its stored name, is when either happened): its outcome no longer counts.
/// </summary>
public sealed record TipOutcomeWithdrawn(Guid TipId, Guid IncidentId, DateTimeOffset ReopenedAt) : IBusinessEvent
{
    DateTimeOffset IBusinessEvent.At => ReopenedAt;

    string IBusinessEvent.By => Tip.IncidentsActor;
}

/// <summary>
/// The tip was unlinked from the incident it was referred to, the link its referral made (from incidents'
/// <c>TipUnlinkedFromIncident</c>): it is referred nowhere now, valuable, to be referred again or assessed anew.
/// </summary>
public sealed record TipReferralWithdrawn(Guid TipId, Guid IncidentId, DateTimeOffset At) : IBusinessEvent
{
    string IBusinessEvent.By => Tip.IncidentsActor;
}

/// <summary>A message in a tip's thread; <paramref name="Key"/>: its request's <c>Idempotency-Key</c> as kept (a hash of client and key), if it had one.</summary>
public sealed record TipMessagePosted(
    Guid TipId,
    Guid MessageId,
    MessageAuthor Author,
    [property: PersonalData] string Text,
    DateTimeOffset PostedAt,
    string PostedBy,
    string? Key = null) : IBusinessEvent
{
    DateTimeOffset IBusinessEvent.At => PostedAt;

    string IBusinessEvent.By => PostedBy;
}

/// <summary>Someone read the tipster's contact: who and when, never what.</summary>
public sealed record TipContactRead(Guid TipId, DateTimeOffset ReadAt, string ReadBy) : IBusinessEvent
{
    DateTimeOffset IBusinessEvent.At => ReadAt;

    string IBusinessEvent.By => ReadBy;
}

/// <summary>The tipster's contact was deleted; the tip itself stays.</summary>
public sealed record TipContactErased(Guid TipId, DateTimeOffset ErasedAt, string ErasedBy) : IBusinessEvent
{
    DateTimeOffset IBusinessEvent.At => ErasedAt;

    string IBusinessEvent.By => ErasedBy;
}

/// <summary>
/// Record a tip received through any channel: the body of <c>POST /tips</c>, and what a public
/// submission records. The caller adds, unseen by clients, the new tip's id and the partner whose
/// client submits it; the intake the number it reserved, the ward it records in and the site's ward.
/// </summary>
public sealed record ReceiveTip(
    TipChannel? Channel,
    SecurityCategory? Category,
    [property: MaxLength(Tip.MaxDescriptionLength)] string? Description,
    Place? Place,
    DateTimeOffset? ReceivedAt,
    ContactDetails? Contact = null)
{
    [JsonIgnore]
    public Guid TipId { get; init; }

    [JsonIgnore]
    [ShownToAuditors]
    public string Number { get; init; } = string.Empty;

    /// <summary>The ward of the site the place names; null when it names none or the site directory does not know it.</summary>
    [JsonIgnore]
    public string? SiteWard { get; init; }

    /// <summary>The ward the tip is recorded in.</summary>
    [JsonIgnore]
    public RecordingWard? Ward { get; init; }

    [JsonIgnore]
    public Guid? SubmittedByPartner { get; init; }

    /// <summary>
    /// Received as it arrives, a time the caller did not send (the public's): a ward that has ended by then is refused on
    /// <c>ward</c>, the field the caller can change, not on <c>receivedAt</c>.
    /// </summary>
    [JsonIgnore]
    public bool ReceivedNow { get; init; }
}

/// <summary>Give (or revise) the verdict on a tip; a duplicate names the tip it repeats.</summary>
public sealed record AssessTip(
    TipVerdict? Verdict,
    [property: MaxLength(Tip.MaxReasonLength)] string? Reason,
    [property: RequiredWhen(nameof(AssessTip.Verdict), TipVerdict.Duplicate)] Guid? DuplicateOf = null)
{
    /// <summary>Whether the tip <see cref="DuplicateOf"/> names exists (looked up by the endpoint).</summary>
    [JsonIgnore]
    public bool OriginalExists { get; init; }
}

/// <summary>Refer a tip to the existing incident <paramref name="IncidentId"/>, or leave it out to open a new one.</summary>
public sealed record ReferTip(Guid? IncidentId = null)
{
    /// <summary>The id a new incident gets.</summary>
    [JsonIgnore]
    public Guid NewIncidentId { get; init; }

    /// <summary>Whether <see cref="IncidentId"/> names an incident tips has heard of from incidents (looked up by the endpoint).</summary>
    [JsonIgnore]
    public bool IncidentKnown { get; init; }

    /// <summary>The tip's ward, as the request acting in it read it: a new incident is opened there, when the tip came in.</summary>
    [JsonIgnore]
    public RecordingWard? Ward { get; init; }
}

/// <summary>Write in a tip's follow-up thread; the endpoint says who writes (the police or the tipster) and gives the message its id.</summary>
public sealed record PostTipMessage([property: MaxLength(Tip.MaxMessageLength)] string? Text)
{
    [JsonIgnore]
    public Guid MessageId { get; init; }

    [JsonIgnore]
    public MessageAuthor Author { get; init; }

    /// <summary>The request's <c>Idempotency-Key</c> as the thread keeps it (<c>IdempotencyKeys.WithKeyKeptInStream</c>); null: none sent.</summary>
    [JsonIgnore]
    public string? Key { get; init; }
}

/// <summary>
/// Read the tipster's contact; <paramref name="ContactExists"/> says whether there is one, <paramref name="Opens"/> whether it
/// opens with the service's key, bound to this tip (false: sealed with another key, moved from another tip, or changed in the database).
/// </summary>
public sealed record ReadTipsterContact(bool ContactExists, bool Opens = true);

/// <summary>Erase the tipster's contact; <paramref name="ContactExists"/> says whether there is one.</summary>
public sealed record EraseTipsterContact(bool ContactExists);

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

    Guid? IPartnerVisible.SiteId => Place.SiteId;

    public TipStatus Status { get; init; } = TipStatus.Pending;

    public TipVerdict? Verdict { get; init; }

    public Guid? DuplicateOf { get; init; }

    public Guid? IncidentId { get; init; }

    /// <summary>The outcome each linked incident stands at now: one per incident, the latest; none while it is reopened.</summary>
    public IReadOnlyList<TipOutcome> Outcomes { get; init; } = [];

    /// <summary>When each linked incident was last reopened: an outcome resolved before then no longer counts.</summary>
    public IReadOnlyList<TipOutcomeWithdrawn> Withdrawals { get; init; } = [];

    /// <summary>
    /// When each incident last took the tip's referral off (its unlinking's time): an unlinking no later than that is one
    /// heard again, and leaves a newer referral to the same incident standing.
    /// </summary>
    public IReadOnlyList<TipReferralWithdrawn> ReferralWithdrawals { get; init; } = [];

    public IReadOnlyList<TipMessage> Messages { get; init; } = [];

    /// <summary>The message each kept <c>Idempotency-Key</c> posted (<see cref="TipMessagePosted.Key"/>).</summary>
    public IReadOnlyDictionary<string, Guid> MessageKeys { get; init; } = new Dictionary<string, Guid>(StringComparer.Ordinal);

    /// <summary>
    /// Whether the tipster's contact was erased: a step that loaded its record before the erasure committed decides
    /// after it, and finds no contact.
    /// </summary>
    public bool ContactErased { get; init; }

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

    public TipState Apply(TipReferred referred) => this with { IncidentId = referred.IncidentId, Status = StatusOf(Outcomes.Count, referred: true, assessed: true) };

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
            Status = StatusOf(outcomes.Count, IncidentId is not null, Verdict is not null),
        };
    }

    public TipState Apply(TipReferralWithdrawn withdrawn) => this with
    {
        IncidentId = null,
        ReferralWithdrawals = [.. ReferralWithdrawals.Where(earlier => earlier.IncidentId != withdrawn.IncidentId), withdrawn],
        Status = StatusOf(Outcomes.Count, referred: false, Verdict is not null),
    };

    /// <summary>Where a tip stands: resolved while an outcome stands (one withdrawn, or a referral after a case it was linked to resolved, leaves the others), else as far as it got.</summary>
    public static TipStatus StatusOf(int outcomesLeft, bool referred, bool assessed) =>
        outcomesLeft > 0 ? TipStatus.Resolved : referred ? TipStatus.Referred : assessed ? TipStatus.Assessed : TipStatus.Pending;

    public TipState Apply(TipMessagePosted posted) => this with
    {
        Messages = [.. Messages, new TipMessage(posted.MessageId, posted.Author, posted.Text, posted.PostedAt, posted.PostedBy)],
        MessageKeys = posted.Key is { } key ? new Dictionary<string, Guid>(MessageKeys, StringComparer.Ordinal) { [key] = posted.MessageId } : MessageKeys,
    };

    public TipState Apply(TipContactErased erased) => this with { ContactErased = true };
}

/// <summary>The decisions on a tip: pure functions of its state, the command, the time and the actor.</summary>
public static class Tip
{
    public const string NumberPrefix = "TIP";
    public const int MaxDescriptionLength = 4000;
    public const int MaxReasonLength = 2000;
    public const int MaxMessageLength = 2000;

    /// <summary>
    /// How many of the tipster's messages in a row may await a reply from the police: a thread (and the tip's
    /// state, which holds it) grows only as fast as the police answer, not as fast as anyone can post anonymously.
    /// </summary>
    public const int MaxUnansweredMessages = 20;

    /// <summary>Who records on a tip what incidents tells of a linked incident (its outcome, its reopening).</summary>
    public const string IncidentsActor = "incidents";

    /// <summary>
    /// Why a partner's tip names no other channel: it came through the partner (it was counted as a hotline's, a patrol's or a
    /// walk-in's in every statistic; only the police's view showed who sent it).
    /// </summary>
    public const string PartnerChannel = "A partner's tip comes through the partner: its channel is partner.";

    public static Decision Receive(TipState? current, ReceiveTip command, DateTimeOffset now, string actor)
    {
        var errors = new FieldErrors()
            .Check(command.Channel is not null, "channel", "Choose the channel the tip came through.")
            .Check(command.SubmittedByPartner is null || command.Channel is null or TipChannel.Partner, "channel", PartnerChannel)
            .Check(command.Category is not null, "category", "Choose a category.")
            .Check(!string.IsNullOrWhiteSpace(command.Description), "description", "Describe what was seen or heard.")
            .CheckLength(command.Description, "description", MaxDescriptionLength)
            .Check(command.ReceivedAt is not null, "receivedAt", "Say when the tip was received (ISO-8601 with offset).")
            .CheckPast(command.ReceivedAt, "receivedAt", now)
            .Check(command.Contact is null || !command.Contact.IsEmpty, "contact", "Leave the contact out, or give a name, a phone or an email.")
            .CheckLength(command.Contact?.Name, "contact.name", ContactDetails.MaxNameLength)
            .Check(command.Contact?.Phone is null || ContactFormats.IsPhone(command.Contact.Phone), "contact.phone", ContactFormats.PhoneRule)
            .Check(command.Contact?.Email is null || ContactFormats.IsEmail(command.Contact.Email), "contact.email", ContactFormats.EmailRule);
        errors.CheckPlace(command.Place, command.SiteWard is not null).CheckWard(command.Ward, command.ReceivedAt, command.ReceivedNow ? "ward" : "receivedAt", command.SiteWard);
        if (errors.Any)
        {
            return errors.ToRejection();
        }

        if (current is not null)
        {
            return Rejection.Conflict($"Tip {command.TipId} already exists.");
        }

        return Decision.Accept(new TipReceived(
            command.TipId,
            command.Number,
            command.Channel!.Value,
            command.Category!.Value,
            command.Description!.Trim(),
            command.Place!.Normalised(),
            // Stored in UTC, as tips always were; years are counted in local time.
            command.ReceivedAt!.Value.ToUniversalTime(),
            actor,
            command.SubmittedByPartner));
    }

    /// <summary>
    /// A verdict on a tip; a re-assessment is a new event, but repeating the current verdict is
    /// refused. A duplicate names another tip that exists.
    /// </summary>
    public static Decision Assess(TipState tip, AssessTip command, DateTimeOffset now, string actor)
    {
        var errors = new FieldErrors()
            .Check(command.Verdict is not null, "verdict", "Choose a verdict: valuable, notValuable, duplicate or prank.")
            .Check(!string.IsNullOrWhiteSpace(command.Reason), "reason", "Give the reason for the verdict.")
            .CheckLength(command.Reason, "reason", MaxReasonLength)
            .Check(command.Verdict != TipVerdict.Duplicate || command.DuplicateOf is not null, "duplicateOf", "A duplicate names the tip it repeats.")
            .Check(command.Verdict == TipVerdict.Duplicate || command.DuplicateOf is null, "duplicateOf", "Only a duplicate names another tip.")
            .Check(command.DuplicateOf != tip.Id, "duplicateOf", "A tip cannot duplicate itself.")
            .Check(command.DuplicateOf is null || command.DuplicateOf == tip.Id || command.OriginalExists, "duplicateOf", "No such tip in this tip's ward: a duplicate names a tip of its own ward (a ward merged into another keeps its tips).");
        if (errors.Any)
        {
            return errors.ToRejection();
        }

        if (tip.Verdict == command.Verdict && tip.DuplicateOf == command.DuplicateOf)
        {
            return Rejection.Conflict($"Tip {tip.Number} is already assessed as {EnumNames.NameOf(command.Verdict!.Value)}.");
        }

        if (tip.IncidentId is not null && command.Verdict != TipVerdict.Valuable)
        {
            return Rejection.Conflict($"Tip {tip.Number} was referred to an incident; it stays valuable.");
        }

        return Decision.Accept(new TipAssessed(tip.Id, command.Verdict!.Value, command.DuplicateOf, command.Reason!.Trim(), now, actor));
    }

    /// <summary>Only a valuable tip is referred, once, to a new or an existing incident (one tips has heard of from incidents).</summary>
    public static Decision Refer(TipState tip, ReferTip command, DateTimeOffset now, string actor)
    {
        var unknown = new FieldErrors()
            .Check(command.IncidentId != Guid.Empty, "incidentId", "Not an incident id.")
            .Check(command.IncidentId is null || command.IncidentId == Guid.Empty || command.IncidentKnown, "incidentId", "No such incident: tips knows the incidents the incidents service has reported.");
        if (unknown.Any)
        {
            return unknown.ToRejection();
        }

        if (tip.Verdict != TipVerdict.Valuable)
        {
            return Rejection.Conflict($"Tip {tip.Number} is not assessed as valuable; only valuable tips are referred.");
        }

        if (tip.IncidentId is { } incident)
        {
            return Rejection.Conflict($"Tip {tip.Number} was already referred to incident {incident}.");
        }

        // A new incident is opened in the tip's ward when the tip came in, which incidents refuses on or after the ward's end (a
        // tip entered late in a ward since merged or dissolved): refused here, or the tip would point at an incident never opened.
        if (command.IncidentId is null && command.Ward is { EndsAt: { } end } ward && tip.ReceivedAt >= end)
        {
            return new FieldErrors()
                .Check(false, "incidentId", $"A new incident would be opened in {ward.Id} when the tip came in, but {WardChecks.Ended(ward)}: link the tip from an incident{(ward.MergedInto is { } successor ? $" of {successor}" : string.Empty)} (POST /api/incidents/{{id}}/tips).")
                .ToRejection();
        }

        return Decision.Accept(new TipReferred(
            tip.Id,
            tip.Number,
            command.IncidentId ?? command.NewIncidentId,
            command.IncidentId is null,
            tip.Category,
            tip.Description,
            tip.Place,
            tip.ReceivedAt,
            now,
            actor,
            tip.SubmittedByPartner));
    }

    /// <summary>
    /// The outcome of an incident the tip is linked to, replacing the one it stood at before. Nothing
    /// when the tip is unknown here, or the news is not newer than what the tip knows: a resolution
    /// at or before the one recorded, or at or before the incident was last reopened (messages of
    /// different kinds may arrive out of order). A resolution is a fact from incidents, never refused;
    /// it is recorded at the time it happened, whenever the consumer decides.
    /// </summary>
    public static Decision RecordOutcome(TipState? tip, IncidentResolved resolved) =>
        tip is null || !IsNewsAbout(tip, resolved.IncidentId, resolved.ResolvedAt)
            ? Decision.Accept()
            : Decision.Accept(new TipOutcomeRecorded(
                tip.Id, resolved.IncidentId, resolved.CaseNumber, resolved.Classification, resolved.Outcome, resolved.ResolvedAt, tip.Number, tip.SubmittedByPartner));

    /// <summary>
    /// Incident <paramref name="incidentId"/> was reopened, or the tip unlinked from it, at <paramref name="at"/>: the
    /// outcome it was resolved with before then no longer counts for the tip. Nothing when the tip is unknown here or
    /// already knows something newer. Recorded like <see cref="RecordOutcome"/>: at the time it happened, by <see cref="IncidentsActor"/>.
    /// </summary>
    public static Decision WithdrawOutcome(TipState? tip, Guid incidentId, DateTimeOffset at) =>
        tip is null || !IsNewsAbout(tip, incidentId, at)
            ? Decision.Accept()
            : Decision.Accept(new TipOutcomeWithdrawn(tip.Id, incidentId, at));

    /// <summary>
    /// The tip was unlinked from incident <paramref name="unlinked"/> names: its outcome withdrawn as on a reopening
    /// (<see cref="WithdrawOutcome"/>), and its referral when the link removed was the one its referral made and the tip is
    /// referred to that incident, whatever the outcome's news (a resolution after a relink, heard first, makes the unlinking
    /// old news for the outcome, not for the referral). Only incidents knows which link it removed: a referral still on its
    /// way that links the tip again after an officer's link was removed leaves the referral standing. An unlinking heard
    /// again (a redelivery after the tip's ward committed and the consumer's ledger did not) leaves the tip's newer
    /// referral to the same incident standing: it is no later than the referral withdrawal it already made.
    /// </summary>
    public static Decision Unlinked(TipState? tip, TipUnlinkedFromIncident unlinked)
    {
        var outcome = WithdrawOutcome(tip, unlinked.IncidentId, unlinked.UnlinkedAt);
        return tip is not null && unlinked.ReferralLink && tip.IncidentId == unlinked.IncidentId
            && tip.ReferralWithdrawals.All(withdrawn => withdrawn.IncidentId != unlinked.IncidentId || withdrawn.At < unlinked.UnlinkedAt)
            ? Decision.Accept([.. outcome.Events, new TipReferralWithdrawn(tip.Id, unlinked.IncidentId, unlinked.UnlinkedAt)])
            : outcome;
    }

    /// <summary>Whether something that happened to incident <paramref name="incidentId"/> at <paramref name="at"/> is later than all the tip knows of it.</summary>
    private static bool IsNewsAbout(TipState tip, Guid incidentId, DateTimeOffset at) =>
        tip.Outcomes.All(outcome => outcome.IncidentId != incidentId || outcome.ResolvedAt < at)
        && tip.Withdrawals.All(withdrawn => withdrawn.IncidentId != incidentId || withdrawn.ReopenedAt < at);

    /// <summary>
    /// A message in the thread; its text is checked first, so one that could never be sent is a 400 even at the cap. A request
    /// whose <c>Idempotency-Key</c> the thread keeps is a retry: answered as the thread stands when it sends what the key posted
    /// (author and text), else refused (<see cref="Rejection.KeyReused"/>), before any other check.
    /// </summary>
    public static Decision PostMessage(TipState tip, PostTipMessage command, DateTimeOffset now, string actor)
    {
        if (command.Key is { } key && tip.MessageKeys.TryGetValue(key, out var posted))
        {
            // A retry: the same author and text as the message its key posted (kept trimmed, as this one would be) is answered, not posted again.
            return tip.Messages.Single(message => message.MessageId == posted) is var first
                && first.Author == command.Author && first.Text == command.Text?.Trim()
                ? Decision.Replay()
                : Rejection.KeyReused;
        }

        var errors = new FieldErrors()
            .Check(!string.IsNullOrWhiteSpace(command.Text), "text", "Write a message.")
            .CheckLength(command.Text, "text", MaxMessageLength);
        if (errors.Any)
        {
            return errors.ToRejection();
        }

        if (command.Author == MessageAuthor.Tipster
            && tip.Messages.Count >= MaxUnansweredMessages
            && tip.Messages.TakeLast(MaxUnansweredMessages).All(message => message.Author == MessageAuthor.Tipster))
        {
            return Rejection.Conflict($"{MaxUnansweredMessages} messages in a row await the police's reply: the next can be sent once they have answered.");
        }

        return Decision.Accept(new TipMessagePosted(tip.Id, command.MessageId, command.Author, command.Text!.Trim(), now, actor, command.Key));
    }

    /// <summary>
    /// Reading a contact is recorded; an erased one is none, whatever record the reader found before the erasure. One that does
    /// not open is read by nobody, so no read is recorded (a 409, as a stored event that no longer reads as its type is).
    /// </summary>
    public static Decision ReadContact(TipState tip, ReadTipsterContact command, DateTimeOffset now, string actor) =>
        !HasContact(tip, command.ContactExists) ? NoContact(tip)
        : command.Opens ? Decision.Accept(new TipContactRead(tip.Id, now, actor))
        : Rejection.Conflict($"The tipster's contact of tip {tip.Number} cannot be opened: it was sealed with another key (Tips:ContactKey) or changed in the database. Nothing was read or recorded.");

    /// <summary>
    /// Erasing a contact is recorded whenever its record is there, whatever the state says: a record put back after an erasure
    /// (the state's flag is no proof that none is kept) is erased again. One already erased, and gone, is none to erase.
    /// </summary>
    public static Decision EraseContact(TipState tip, EraseTipsterContact command, DateTimeOffset now, string actor) =>
        command.ContactExists ? Decision.Accept(new TipContactErased(tip.Id, now, actor)) : NoContact(tip);

    private static bool HasContact(TipState tip, bool recordFound) => recordFound && !tip.ContactErased;

    private static Rejection NoContact(TipState tip) => Rejection.PartNotFound($"Tip {tip.Number} has no tipster contact.");
}
