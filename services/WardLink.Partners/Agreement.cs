using System.ComponentModel.DataAnnotations;
using WardLink.Audit;
using WardLink.Domain;
using WardLink.ServiceDefaults;

namespace WardLink.Partners;

/// <summary>What a partner undertakes when it joins the linkage.</summary>
public enum LinkageDuty
{
    JointPatrols,
    InformationExchange,
    CameraSites,
    SchoolGateGuard,
    LegalOutreach,
    IdCardDrives,
    TemporaryResidenceTracking,
    Other,
}

/// <summary>A partner joined the linkage on a date with its listed duties.</summary>
public sealed record AgreementSigned(Guid PartnerId, DateTimeOffset JoinedOn, IReadOnlyList<LinkageDuty> Duties, DateTimeOffset At, string By) : IBusinessEvent;

/// <summary>A duty was met, with links to the evidence (minutes, photos, reports).</summary>
public sealed record DutyMet(Guid PartnerId, LinkageDuty Duty, IReadOnlyList<Uri> Evidence, DateTimeOffset At, string By) : IBusinessEvent;

/// <summary>A contact person at a partner. Personal data: in the partner's own stream, never in an integration event, a log or a trace.</summary>
public sealed record ContactAdded(Guid PartnerId, Guid ContactId, string Role, [property: PersonalData] string Name, [property: PersonalData] string Phone, DateTimeOffset At, string By) : IBusinessEvent;

public sealed record ContactRemoved(Guid PartnerId, Guid ContactId, DateTimeOffset At, string By) : IBusinessEvent;

/// <summary>The partner joins the linkage on a date with its listed duties; the request body of <c>POST /partners/{id}/agreement</c>.</summary>
public sealed record SignAgreement(DateTimeOffset? JoinedOn, [property: MinLength(1), MaxLength(Agreement.MaxDuties)] IReadOnlyList<LinkageDuty>? Duties);

/// <summary>A listed duty met, with links to the evidence; the request body of <c>POST /partners/{id}/agreement/duties-met</c>.</summary>
public sealed record MeetDuty(
    LinkageDuty? Duty,
    [property: MinLength(1), MaxLength(Agreement.MaxEvidenceLinks), ItemsMaxLength(Agreement.MaxEvidenceLinkLength), HttpAddress] IReadOnlyList<string>? Evidence, DateTimeOffset? At = null);

/// <summary>A contact person to add under the id <paramref name="ContactId"/> the caller chose.</summary>
public sealed record AddContact(Guid ContactId, string? Role, string? Name, string? Phone);

public sealed record RemoveContact(Guid ContactId);

public sealed record PartnerContact(
    Guid Id,
    [property: MaxLength(Agreement.MaxShortTextLength)] string Role,
    [property: PersonalData, MaxLength(Agreement.MaxShortTextLength)] string Name,
    [property: PersonalData, MaxLength(ContactFormats.MaxPhoneLength)] string Phone);

public sealed record DutyRecord(
    LinkageDuty Duty,
    [property: MaxLength(Agreement.MaxEvidenceLinks), ItemsMaxLength(Agreement.MaxEvidenceLinkLength)] IReadOnlyList<Uri> Evidence,
    DateTimeOffset? MetAt);

public sealed record LinkageAgreement(DateTimeOffset JoinedOn, [property: MaxLength(Agreement.MaxDuties)] IReadOnlyList<DutyRecord> Duties);

/// <summary>A partner's agreement with the linkage and its contact people.</summary>
public static class Agreement
{
    public const int MaxShortTextLength = 200;
    public const int MaxEvidenceLinks = 20;
    public const int MaxEvidenceLinkLength = 2000;

    /// <summary>The most duties one agreement lists.</summary>
    public const int MaxDuties = 20;

    public static Decision Sign(PartnerState partner, SignAgreement command, DateTimeOffset now, string actor) =>
        new FieldErrors()
            .Check(command.JoinedOn is not null, "joinedOn", "Say when the partner joined (ISO-8601 with offset).")
            .CheckPast(command.JoinedOn, "joinedOn", now)
            .Check(command.Duties is { Count: > 0 and <= MaxDuties }, "duties", $"List the partner's duties (at most {MaxDuties}).")
            .Then(() => partner.RefuseIfLeft()
                ?? (partner.Agreement is not null
                    ? Rejection.Conflict($"Partner {partner.Name} already joined the linkage on {partner.Agreement.JoinedOn:yyyy-MM-dd}.")
                    : Decision.Accept(new AgreementSigned(partner.Id, command.JoinedOn!.Value, [.. command.Duties!.Distinct()], now, actor))));

    /// <summary>
    /// A listed duty met once, with its evidence, at <see cref="MeetDuty.At"/> (now when none): never before the partner
    /// joined the linkage (the agreement's <c>joinedOn</c>), as every dated step comes after the one before it.
    /// </summary>
    public static Decision MeetDuty(PartnerState partner, MeetDuty command, DateTimeOffset now, string actor)
    {
        var evidence = command.Evidence ?? [];
        // A link past its length is refused for it, its form not read (the pattern's reader is linear, but a text has no need of it).
        var links = evidence.Select(link => Characters.AtMost(link, MaxEvidenceLinkLength) && Patterns.IsHttpAddress(link, out var uri) ? uri : null).ToList();
        // Without a time, now, or when the partner joined if that is later (a joinedOn up to the clock skew ahead): a step sent
        // without a time is never refused on it.
        var at = WardTime.StepAt(command.At, now, partner.Agreement?.JoinedOn);
        var errors = new FieldErrors()
            .Check(command.Duty is not null, "duty", "Name the duty.")
            .Check(links.Count is > 0 and <= MaxEvidenceLinks, "evidence", $"Give 1 to {MaxEvidenceLinks} links to the evidence.")
            .CheckPast(command.At, "at", now)
            .Check(partner.Agreement is not { } agreement || at >= agreement.JoinedOn, "at", $"A duty is met on or after the partner joined the linkage ({partner.Agreement?.JoinedOn:O}).");
        for (var i = 0; i < links.Count; i++)
        {
            errors.Check(links[i] is not null || !Characters.AtMost(evidence[i], MaxEvidenceLinkLength), $"evidence[{i}]", Patterns.HttpAddressRule)
                .CheckLength(evidence[i], $"evidence[{i}]", MaxEvidenceLinkLength);
        }

        return errors.Then(() =>
            partner.RefuseIfLeft()
            ?? (partner.Agreement?.Duties.SingleOrDefault(record => record.Duty == command.Duty) is not { } listed
                ? Rejection.Conflict($"Partner {partner.Name} has no agreement listing the duty {EnumNames.NameOf(command.Duty!.Value)}; only a listed duty can be met.")
                : listed.MetAt is not null
                    ? Rejection.Conflict($"Partner {partner.Name} already met the duty {EnumNames.NameOf(command.Duty!.Value)}.")
                    : Decision.Accept(new DutyMet(partner.Id, command.Duty!.Value, [.. links.Select(link => link!)], at, actor))));
    }

    public static Decision AddContact(PartnerState partner, AddContact command, DateTimeOffset now, string actor) =>
        new FieldErrors()
            .CheckText(command.Role, "role", "Say the contact's role (e.g. head of the security desk).", MaxShortTextLength)
            .CheckText(command.Name, "name", "Give the contact's name.", MaxShortTextLength)
            .Check(ContactFormats.IsPhone(command.Phone), "phone", ContactFormats.PhoneRule)
            .Then(() => partner.RefuseIfLeft()
                ?? Decision.Accept(new ContactAdded(partner.Id, command.ContactId, command.Role!.Trim(), command.Name!.Trim(), command.Phone!.Trim(), now, actor)));

    public static Decision RemoveContact(PartnerState partner, RemoveContact command, DateTimeOffset now, string actor) =>
        partner.Contacts.Any(contact => contact.Id == command.ContactId)
            ? Decision.Accept(new ContactRemoved(partner.Id, command.ContactId, now, actor))
            : Rejection.PartNotFound($"Contact {command.ContactId} of partner {partner.Id} was not found.");
}
