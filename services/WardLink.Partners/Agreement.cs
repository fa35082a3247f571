using System.ComponentModel.DataAnnotations;
using WardLink.ServiceDefaults;
using WardLink.ServiceDefaults.Audit;

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
public sealed record AgreementSigned(Guid PartnerId, DateTimeOffset JoinedOn, IReadOnlyList<LinkageDuty> Duties, DateTimeOffset At, string By);

/// <summary>A duty was met, with links to the evidence (minutes, photos, reports).</summary>
public sealed record DutyMet(Guid PartnerId, LinkageDuty Duty, IReadOnlyList<Uri> Evidence, DateTimeOffset At, string By);

/// <summary>A contact person at a partner. Personal data: in the partner's own stream, never in an integration event, a log or a trace.</summary>
public sealed record ContactAdded(Guid PartnerId, Guid ContactId, string Role, [property: PersonalData] string Name, [property: PersonalData] string Phone, DateTimeOffset At, string By);

public sealed record ContactRemoved(Guid PartnerId, Guid ContactId, DateTimeOffset At, string By);

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

    public static Decision Sign(PartnerState partner, DateTimeOffset? joinedOn, IReadOnlyList<LinkageDuty>? duties, DateTimeOffset now, string by)
    {
        if (partner.RefuseIfLeft() is { } refused)
        {
            return refused;
        }

        if (partner.Agreement is not null)
        {
            return Rejection.Conflict($"Partner {partner.Name} already joined the linkage on {partner.Agreement.JoinedOn:yyyy-MM-dd}.");
        }

        var errors = new FieldErrors()
            .Check(joinedOn is not null, "joinedOn", "Say when the partner joined (ISO-8601 with offset).")
            .CheckPast(joinedOn, "joinedOn", now)
            .Check(duties is { Count: > 0 and <= MaxDuties }, "duties", $"List the partner's duties (at most {MaxDuties}).");
        return errors.Any ? errors.ToRejection() : Decision.Accept(new AgreementSigned(partner.Id, joinedOn!.Value, [.. duties!.Distinct()], now, by));
    }

    public static Decision MeetDuty(PartnerState partner, LinkageDuty? duty, IReadOnlyList<string>? evidence, DateTimeOffset? at, DateTimeOffset now, string by)
    {
        var links = (evidence ?? []).Select(link => Uri.TryCreate(link, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" ? uri : null).ToList();
        var errors = new FieldErrors()
            .Check(duty is not null, "duty", "Name the duty.")
            .Check(links.Count is > 0 and <= MaxEvidenceLinks, "evidence", $"Give 1 to {MaxEvidenceLinks} links to the evidence.")
            .Check(links.All(link => link is not null), "evidence", "Every link is an absolute http(s) address.")
            .CheckPast(at, "at", now);
        for (var i = 0; i < links.Count; i++)
        {
            errors.Check((evidence![i]?.Length ?? 0) <= MaxEvidenceLinkLength, $"evidence[{i}]", $"At most {MaxEvidenceLinkLength} characters.");
        }

        if (errors.Any)
        {
            return errors.ToRejection();
        }

        if (partner.Agreement?.Duties.SingleOrDefault(record => record.Duty == duty) is not { } listed)
        {
            return Rejection.Conflict($"Partner {partner.Name} has no agreement listing the duty {duty}; only a listed duty can be met.");
        }

        return listed.MetAt is not null
            ? Rejection.Conflict($"Partner {partner.Name} already met the duty {duty}.")
            : Decision.Accept(new DutyMet(partner.Id, duty!.Value, [.. links.Select(link => link!)], at ?? now, by));
    }

    public static Decision AddContact(PartnerState partner, Guid contactId, string? role, string? name, string? phone, DateTimeOffset now, string by)
    {
        if (partner.RefuseIfLeft() is { } refused)
        {
            return refused;
        }

        var errors = new FieldErrors()
            .CheckText(role, "role", "Say the contact's role (e.g. head of the security desk).", MaxShortTextLength)
            .CheckText(name, "name", "Give the contact's name.", MaxShortTextLength)
            .Check(ContactFormats.IsPhone(phone?.Trim()), "phone", ContactFormats.PhoneRule);
        return errors.Any
            ? errors.ToRejection()
            : Decision.Accept(new ContactAdded(partner.Id, contactId, role!.Trim(), name!.Trim(), phone!.Trim(), now, by));
    }

    public static Decision RemoveContact(PartnerState partner, Guid contactId, DateTimeOffset now, string by) =>
        partner.Contacts.Any(contact => contact.Id == contactId)
            ? Decision.Accept(new ContactRemoved(partner.Id, contactId, now, by))
            : Rejection.NotFound($"Contact {contactId} of partner {partner.Id} was not found.");
}
