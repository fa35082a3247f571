using System.ComponentModel.DataAnnotations;
using WardLink.Audit;
using WardLink.Contracts.Partners;
using WardLink.Domain;
using WardLink.EventSourcing.Sites;
using WardLink.ServiceDefaults;
using WardLink.ServiceDefaults.Security;

namespace WardLink.Partners;

public enum PartnerStatus
{
    Active,
    Suspended,
    Left,
}

/// <summary>Stored with <c>registeredAt</c> and <c>registeredBy</c>: the business time and actor under the names it was first stored with.</summary>
public sealed record PartnerRegistered(
    Guid PartnerId,
    [property: ShownToAuditors] string Name,
    PartnerKind Kind,
    DateTimeOffset RegisteredAt,
    string RegisteredBy) : IBusinessEvent
{
    DateTimeOffset IBusinessEvent.At => RegisteredAt;

    string IBusinessEvent.By => RegisteredBy;
}

/// <summary>A rename or a change of kind: carries both as they now are, so the relay publishes it as it is.</summary>
public sealed record PartnerChanged(Guid PartnerId, [property: ShownToAuditors] string Name, PartnerKind Kind, DateTimeOffset At, string By) : IBusinessEvent;

public sealed record PartnerSuspended(Guid PartnerId, string Reason, DateTimeOffset At, string By) : IBusinessEvent;

public sealed record PartnerResumed(Guid PartnerId, DateTimeOffset At, string By) : IBusinessEvent;

public sealed record PartnerLeft(Guid PartnerId, string Reason, DateTimeOffset At, string By) : IBusinessEvent;

public sealed record RegisterPartner(Guid PartnerId, string? Name, PartnerKind? Kind);

/// <summary>The partner's new name; the request body of <c>POST /partners/{id}/rename</c>.</summary>
public sealed record RenamePartner([property: MaxLength(Partner.MaxNameLength)] string? Name);

/// <summary>The kind of partner it now is; the request body of <c>POST /partners/{id}/kind</c>.</summary>
public sealed record ChangePartnerKind(PartnerKind? Kind);

/// <summary>Why an active partner is suspended; the request body of <c>POST /partners/{id}/suspend</c>.</summary>
public sealed record SuspendPartner([property: MaxLength(Partner.MaxTextLength)] string? Reason);

/// <summary>A suspended partner takes part again: nothing to say but that.</summary>
public sealed record ResumePartner;

/// <summary>Why the partner leaves the linkage; the request body of <c>POST /partners/{id}/leave</c>.</summary>
public sealed record LeaveLinkage([property: MaxLength(Partner.MaxTextLength)] string? Reason);

/// <summary>A partner as it stands; also the read model of the partner list (an inline snapshot). It belongs to the ward it was registered in.</summary>
public sealed record PartnerState(
    Guid Id,
    [property: ShownToAuditors, MaxLength(Partner.MaxNameLength)] string Name,
    PartnerKind Kind,
    PartnerStatus Status,
    DateTimeOffset RegisteredAt,
    [property: MaxLength(WardLinkClaims.MaxSubjectLength)] string RegisteredBy,
    DateTimeOffset? LeftAt,
    LinkageAgreement? Agreement,
    [property: MaxLength(DocumentedBounds.AnyCount)] IReadOnlyList<PartnerContact> Contacts)
{
    public static PartnerState Create(PartnerRegistered registered) =>
        new(registered.PartnerId, registered.Name, registered.Kind, PartnerStatus.Active, registered.RegisteredAt, registered.RegisteredBy, null, null, []);

    public PartnerState Apply(AgreementSigned agreement) =>
        this with { Agreement = new LinkageAgreement(agreement.JoinedOn, [.. agreement.Duties.Select(duty => new DutyRecord(duty, [], null))]) };

    public PartnerState Apply(DutyMet met) => this with
    {
        Agreement = Agreement! with { Duties = [.. Agreement.Duties.Select(record => record.Duty == met.Duty ? record with { Evidence = met.Evidence, MetAt = met.At } : record)] },
    };

    public PartnerState Apply(ContactAdded added) => this with { Contacts = [.. Contacts, new PartnerContact(added.ContactId, added.Role, added.Name, added.Phone)] };

    public PartnerState Apply(ContactRemoved removed) => this with { Contacts = [.. Contacts.Where(contact => contact.Id != removed.ContactId)] };

    public PartnerState Apply(PartnerChanged changed) => this with { Name = changed.Name, Kind = changed.Kind };

    public PartnerState Apply(PartnerSuspended suspended) => this with { Status = PartnerStatus.Suspended };

    public PartnerState Apply(PartnerResumed resumed) => this with { Status = PartnerStatus.Active };

    public PartnerState Apply(PartnerLeft left) => this with { Status = PartnerStatus.Left, LeftAt = left.At };
}

/// <summary>The decisions on a partner: pure functions of its state, the command, the time and the actor.</summary>
public static class Partner
{
    /// <summary>What a problem calls a partner.</summary>
    public const string What = "Partner";

    /// <summary>The longest name of a partner or of one of its sites.</summary>
    public const int MaxNameLength = SiteEntry.MaxNameLength;
    public const int MaxTextLength = 4000;

    /// <summary>The most partners one list names (a meeting's attendance, a channel's members).</summary>
    public const int MaxPartnerIds = 100;

    /// <summary>
    /// The turn (<see cref="Turns"/>) registrations of one partner id take in the main database: each looks for the id in
    /// every ward before it writes in its own, so two wards cannot both take it.
    /// </summary>
    public static string RegistrationTurnOf(Guid partnerId) => $"partner:{partnerId}";

    /// <summary>
    /// The turn (<see cref="Turns"/>) a partner's leave and the steps that record something of the partner in a stream of
    /// their own (a site, a camera survey, an activity, a webhook, and every later step on a webhook but its deletion) or engage it (a channel opened with it or its new member, an
    /// action item's owner, a meeting's attendee) take in its ward's database: such a step reads the partner once the leave has
    /// committed, or commits before the leave is decided (and two subscriptions at once cannot both find room for one more webhook).
    /// </summary>
    public static string RecordsTurnOf(Guid partnerId) => $"partner-records:{partnerId}";

    public static Decision Register(PartnerState? current, RegisterPartner command, DateTimeOffset now, string actor) =>
        new FieldErrors()
            .CheckName(command.Name)
            .Check(command.Kind is not null, "kind", "Choose the kind of partner.")
            .Check(command.PartnerId != Guid.Empty, "partnerId", "Not a partner id.")
            .Then(() => current is not null
                ? Rejection.Conflict($"Partner {command.PartnerId} already exists.")
                : Decision.Accept(new PartnerRegistered(command.PartnerId, command.Name!.Trim(), command.Kind!.Value, now, actor)));

    public static Decision Rename(PartnerState partner, RenamePartner command, DateTimeOffset now, string actor) =>
        new FieldErrors().CheckName(command.Name).Then(() => partner.Change(command.Name!.Trim(), partner.Kind, now, actor));

    public static Decision ChangeKind(PartnerState partner, ChangePartnerKind command, DateTimeOffset now, string actor) =>
        new FieldErrors().Check(command.Kind is not null, "kind", "Choose the kind of partner.").Then(() => partner.Change(partner.Name, command.Kind!.Value, now, actor));

    public static Decision Suspend(PartnerState partner, SuspendPartner command, DateTimeOffset now, string actor) =>
        new FieldErrors().CheckText(command.Reason, "reason", "Say why the partner is suspended.", MaxTextLength).Then(() => partner.RefuseIfLeft()
            ?? (partner.Status != PartnerStatus.Active
                ? Rejection.Conflict($"Partner {partner.Name} is {Describe(partner.Status)}; only an active partner can be suspended.")
                : Decision.Accept(new PartnerSuspended(partner.Id, command.Reason!.Trim(), now, actor))));

    public static Decision Resume(PartnerState partner, ResumePartner command, DateTimeOffset now, string actor) =>
        partner.RefuseIfLeft()
        ?? (partner.Status == PartnerStatus.Suspended
            ? Decision.Accept(new PartnerResumed(partner.Id, now, actor))
            : Rejection.Conflict($"Partner {partner.Name} is {Describe(partner.Status)}; only a suspended partner can resume."));

    public static Decision Leave(PartnerState partner, LeaveLinkage command, DateTimeOffset now, string actor) =>
        new FieldErrors().CheckText(command.Reason, "reason", "Say why the partner leaves.", MaxTextLength).Then(() =>
            partner.RefuseIfLeft() ?? Decision.Accept(new PartnerLeft(partner.Id, command.Reason!.Trim(), now, actor)));

    /// <summary>A name is required and at most <see cref="MaxNameLength"/> characters (partners and sites alike).</summary>
    internal static FieldErrors CheckName(this FieldErrors errors, string? name) =>
        errors.CheckText(name, "name", "A name is required.", MaxNameLength);

    /// <summary>
    /// A partner that left the linkage keeps its history but takes no more changes: every step on it is refused in these words
    /// (a suspension, a resumption and a second leave too).
    /// </summary>
    internal static Rejection? RefuseIfLeft(this PartnerState partner) =>
        partner.Status == PartnerStatus.Left ? Rejection.Conflict($"Partner {partner.Name} has left the linkage; its records no longer change.") : null;

    /// <summary>
    /// <paramref name="decision"/> on a part of <paramref name="partner"/> kept in a stream of its own (a webhook), unless the
    /// partner has left (<see cref="RefuseIfLeft"/>): a part the caller does not have is its 404, and the request's values are
    /// judged, before the departure is told; a removal is not decided so (a partner that left may still have its data removed).
    /// </summary>
    internal static Decision UnlessLeft(this PartnerState? partner, Decision decision) =>
        decision.Rejection is { Kind: RejectionKind.NotFound or RejectionKind.Invalid } || partner?.RefuseIfLeft() is not { } refused ? decision : refused;

    private static Decision Change(this PartnerState partner, string name, PartnerKind kind, DateTimeOffset now, string actor)
    {
        if (partner.RefuseIfLeft() is { } refused)
        {
            return refused;
        }

        return name == partner.Name && kind == partner.Kind
            ? Rejection.Conflict($"Partner {partner.Name} is already named and classified so.")
            : Decision.Accept(new PartnerChanged(partner.Id, name, kind, now, actor));
    }

    /// <summary>The status of a partner still in the linkage: one that left is refused before its status is told (<see cref="RefuseIfLeft"/>).</summary>
    private static string Describe(PartnerStatus status) => status == PartnerStatus.Active ? "active" : "suspended";
}

/// <summary>
/// The partners a step names in its body (a channel's members, a meeting's attending partners, an action item's owner): the ids
/// the service does not know in the request's ward, and the partners that have left the linkage.
/// </summary>
public sealed record NamedPartners(IReadOnlyCollection<Guid> Unknown, IReadOnlyCollection<PartnerState> Left)
{
    /// <summary>
    /// A partner that has left the linkage takes on nothing new: it joins no channel, owns no new action item (any partner that
    /// has left: a leave is final, whatever this replica's clock reads), and attends no meeting held once it had left
    /// (<paramref name="heldAt"/>, the meeting's time: one held before, recorded later, may name it).
    /// </summary>
    public Rejection? RefuseIfAnyLeft(DateTimeOffset? heldAt = null) =>
        Left.Where(partner => heldAt is not { } held || partner.LeftAt <= held).ToList() is { Count: > 0 } gone
            ? Rejection.Conflict($"A partner that has left the linkage takes on nothing new (a channel's membership, an action item, a meeting held after it left): {string.Join(", ", gone.Select(partner => $"{partner.Name} ({partner.Id})"))}.")
            : null;
}
