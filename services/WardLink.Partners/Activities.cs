using System.ComponentModel.DataAnnotations;
using WardLink.Domain;
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
public sealed record OutreachSessionHeld(Guid SessionId, Guid PartnerId, IReadOnlyList<OutreachTopic> Topics, int Attendees, DateTimeOffset At, string By) : IBusinessEvent;

/// <summary>A mobile station issued citizen ID cards at a partner.</summary>
public sealed record IdCardDriveHeld(Guid DriveId, Guid PartnerId, int CardsIssued, DateTimeOffset At, string By) : IBusinessEvent;

/// <summary>Theft-warning signs were posted at a site.</summary>
public sealed record WarningSignsPosted(Guid PostingId, Guid SiteId, Guid PartnerId, int Count, string? Text, DateTimeOffset At, string By) : IBusinessEvent;

/// <summary>An outreach session <paramref name="SessionId"/> at a partner, with that partner as the caller found it (null: no such partner).</summary>
public sealed record HoldOutreachSession(Guid SessionId, PartnerState? Partner, IReadOnlyList<OutreachTopic>? Topics, int? Attendees, DateTimeOffset? At);

/// <summary>An ID-card drive <paramref name="DriveId"/> at a partner, with that partner as the caller found it (null: no such partner).</summary>
public sealed record HoldIdCardDrive(Guid DriveId, PartnerState? Partner, int? CardsIssued, DateTimeOffset? At);

/// <summary>Signs posted (<paramref name="PostingId"/>) at a site of partner <paramref name="PartnerId"/>, with that site as the caller found it (null: no such site).</summary>
public sealed record PostWarningSigns(Guid PostingId, Guid PartnerId, SiteState? Site, int? Count, string? Text, DateTimeOffset? At, PartnerState? Partner);

public sealed record OutreachSessionState(
    Guid Id,
    Guid PartnerId,
    [property: MaxLength(Activities.MaxTopics)] IReadOnlyList<OutreachTopic> Topics,
    [property: Range(1, Activities.MaxCount)] int Attendees,
    DateTimeOffset HeldAt,
    [property: MaxLength(WardLinkClaims.MaxSubjectLength)] string RecordedBy) : KeptInWard
{
    public static OutreachSessionState Create(OutreachSessionHeld held) => new(held.SessionId, held.PartnerId, held.Topics, held.Attendees, held.At, held.By);
}

public sealed record IdCardDriveState(
    Guid Id,
    Guid PartnerId,
    [property: Range(1, Activities.MaxCount)] int CardsIssued,
    DateTimeOffset HeldAt,
    [property: MaxLength(WardLinkClaims.MaxSubjectLength)] string RecordedBy) : KeptInWard
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
    [property: MaxLength(WardLinkClaims.MaxSubjectLength)] string RecordedBy) : KeptInWard
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

    public static Decision HoldOutreach(OutreachSessionState? current, HoldOutreachSession command, DateTimeOffset now, string actor) =>
        Record(
            current is not null, command.SessionId, command.Partner,
            new FieldErrors()
                .Check(command.Topics is { Count: > 0 and <= MaxTopics }, "topics", $"List 1 to {MaxTopics} topics (trafficSafety, drugs, schoolViolence, other).")
                .CheckCount(command.Attendees, "attendees")
                .CheckDated(command.At, now),
            partner => new OutreachSessionHeld(command.SessionId, partner.Id, [.. command.Topics!.Distinct()], command.Attendees!.Value, command.At!.Value, actor));

    public static Decision HoldIdCardDrive(IdCardDriveState? current, HoldIdCardDrive command, DateTimeOffset now, string actor) =>
        Record(
            current is not null, command.DriveId, command.Partner,
            new FieldErrors().CheckCount(command.CardsIssued, "cardsIssued").CheckDated(command.At, now),
            partner => new IdCardDriveHeld(command.DriveId, partner.Id, command.CardsIssued!.Value, command.At!.Value, actor));

    public static Decision PostWarningSigns(WarningSignsState? current, PostWarningSigns command, DateTimeOffset now, string actor) =>
        command.Site is not { } site || site.OfAnotherPartner(command.PartnerId) is not null
            ? Rejection.NotFound($"Site of partner {command.PartnerId} was not found.")
            : new FieldErrors()
                .CheckCount(command.Count, "count")
                .CheckLength(command.Text, "text", Partner.MaxTextLength)
                .CheckDated(command.At, now)
                .Then(() => current is not null ? Rejection.Conflict($"Warning-sign posting {command.PostingId} already exists.")
                    : site.RetiredAt is not null ? Rejection.Conflict($"Site {site.Name} is retired; no signs are posted at a retired site.")
                    : command.Partner?.RefuseIfLeft() ?? Decision.Accept(new WarningSignsPosted(
                        command.PostingId, site.Id, site.PartnerId, command.Count!.Value, string.IsNullOrWhiteSpace(command.Text) ? null : command.Text.Trim(), command.At!.Value, actor)));

    /// <summary>
    /// A record of an activity is made once, at a partner that exists (else a 404 whatever its body) and is still in the
    /// linkage, once its body's values are judged (<paramref name="errors"/>).
    /// </summary>
    private static Decision Record(bool recorded, Guid id, PartnerState? partner, FieldErrors errors, Func<PartnerState, object> happened) =>
        partner is null
            ? Rejection.NotFound("The partner was not found.")
            : errors.Then(() => recorded ? Rejection.Conflict($"Activity record {id} already exists.") : partner.RefuseIfLeft() ?? Decision.Accept(happened(partner)));

    private static FieldErrors CheckCount(this FieldErrors errors, int? count, string field) =>
        errors.Check(count is >= 1 and <= MaxCount, field, $"A count from 1 to {MaxCount}.");

    private static FieldErrors CheckDated(this FieldErrors errors, DateTimeOffset? at, DateTimeOffset now) => errors
        .Check(at is not null, "at", "Say when it happened (ISO-8601 with offset).")
        .CheckPast(at, "at", now);
}
