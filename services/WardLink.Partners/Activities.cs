using System.ComponentModel.DataAnnotations;
using WardLink.ServiceDefaults;
using WardLink.ServiceDefaults.Security;

namespace WardLink.Partners;

public enum OutreachTopic
{
    TrafficSafety,
    Drugs,
    SchoolViolence,
    Other,
}

/// <summary>A legal-education session at a school (or another partner).</summary>
public sealed record OutreachSessionHeld(Guid SessionId, Guid PartnerId, IReadOnlyList<OutreachTopic> Topics, int Attendees, DateTimeOffset At, string By);

/// <summary>A mobile station issued citizen ID cards at a partner.</summary>
public sealed record IdCardDriveHeld(Guid DriveId, Guid PartnerId, int CardsIssued, DateTimeOffset At, string By);

/// <summary>Theft-warning signs were posted at a site.</summary>
public sealed record WarningSignsPosted(Guid PostingId, Guid SiteId, Guid PartnerId, int Count, string? Text, DateTimeOffset At, string By);

public sealed record OutreachSessionState(
    Guid Id,
    Guid PartnerId,
    [property: MaxLength(Activities.MaxTopics)] IReadOnlyList<OutreachTopic> Topics,
    [property: Range(1, Activities.MaxCount)] int Attendees,
    DateTimeOffset HeldAt,
    [property: MaxLength(WardLinkClaims.MaxSubjectLength)] string RecordedBy)
{
    public static OutreachSessionState Create(OutreachSessionHeld held) => new(held.SessionId, held.PartnerId, held.Topics, held.Attendees, held.At, held.By);
}

public sealed record IdCardDriveState(
    Guid Id,
    Guid PartnerId,
    [property: Range(1, Activities.MaxCount)] int CardsIssued,
    DateTimeOffset HeldAt,
    [property: MaxLength(WardLinkClaims.MaxSubjectLength)] string RecordedBy)
{
    public static IdCardDriveState Create(IdCardDriveHeld held) => new(held.DriveId, held.PartnerId, held.CardsIssued, held.At, held.By);
}

public sealed record WarningSignsState(
    Guid Id,
    Guid SiteId,
    Guid PartnerId,
    [property: Range(1, Activities.MaxCount)] int Count,
    [property: MaxLength(Partner.MaxTextLength)] string? Text,
    DateTimeOffset PostedAt,
    [property: MaxLength(WardLinkClaims.MaxSubjectLength)] string RecordedBy)
{
    public static WarningSignsState Create(WarningSignsPosted posted) =>
        new(posted.PostingId, posted.SiteId, posted.PartnerId, posted.Count, posted.Text, posted.At, posted.By);
}

/// <summary>
/// The linkage's recorded activities: outreach sessions, ID-card drives and warning signs. Each is
/// a record of something done, dated when it happened (never in the future), at a partner that is
/// still in the linkage.
/// </summary>
public static class Activities
{
    public const int MaxCount = 1_000_000;

    /// <summary>The most topics one outreach session lists.</summary>
    public const int MaxTopics = 10;

    public static Decision HoldOutreach(
        PartnerState? partner, Guid sessionId, IReadOnlyList<OutreachTopic>? topics, int? attendees, DateTimeOffset? at, DateTimeOffset now, string by)
    {
        if (partner.RefuseUnusable() is { } refused)
        {
            return refused;
        }

        var errors = new FieldErrors()
            .Check(topics is { Count: > 0 and <= MaxTopics }, "topics", $"List 1 to {MaxTopics} topics (trafficSafety, drugs, schoolViolence, other).")
            .CheckCount(attendees, "attendees")
            .CheckDated(at, now);
        return errors.Any
            ? errors.ToRejection()
            : Decision.Accept(new OutreachSessionHeld(sessionId, partner!.Id, [.. topics!.Distinct()], attendees!.Value, at!.Value, by));
    }

    public static Decision HoldIdCardDrive(PartnerState? partner, Guid driveId, int? cardsIssued, DateTimeOffset? at, DateTimeOffset now, string by)
    {
        if (partner.RefuseUnusable() is { } refused)
        {
            return refused;
        }

        var errors = new FieldErrors().CheckCount(cardsIssued, "cardsIssued").CheckDated(at, now);
        return errors.Any ? errors.ToRejection() : Decision.Accept(new IdCardDriveHeld(driveId, partner!.Id, cardsIssued!.Value, at!.Value, by));
    }

    public static Decision PostWarningSigns(SiteState? site, Guid partnerId, Guid postingId, int? count, string? text, DateTimeOffset? at, DateTimeOffset now, string by)
    {
        if (site is null || site.OfAnotherPartner(partnerId) is not null)
        {
            return Rejection.NotFound($"Site of partner {partnerId} was not found.");
        }

        if (site.RetiredAt is not null)
        {
            return Rejection.Conflict($"Site {site.Name} is retired; no signs are posted at a retired site.");
        }

        var errors = new FieldErrors()
            .CheckCount(count, "count")
            .Check((text?.Length ?? 0) <= Partner.MaxTextLength, "text", $"At most {Partner.MaxTextLength} characters.")
            .CheckDated(at, now);
        return errors.Any
            ? errors.ToRejection()
            : Decision.Accept(new WarningSignsPosted(postingId, site.Id, site.PartnerId, count!.Value, string.IsNullOrWhiteSpace(text) ? null : text.Trim(), at!.Value, by));
    }

    private static Rejection? RefuseUnusable(this PartnerState? partner) =>
        partner is null ? Rejection.NotFound("The partner was not found.") : partner.RefuseIfLeft();

    private static FieldErrors CheckCount(this FieldErrors errors, int? count, string field) =>
        errors.Check(count is >= 1 and <= MaxCount, field, $"A count from 1 to {MaxCount}.");

    private static FieldErrors CheckDated(this FieldErrors errors, DateTimeOffset? at, DateTimeOffset now) => errors
        .Check(at is not null, "at", "Say when it happened (ISO-8601 with offset).")
        .CheckPast(at, "at", now);
}
