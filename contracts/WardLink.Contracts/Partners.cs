using MassTransit;

namespace WardLink.Contracts.Partners;

/// <summary>What kind of member of the linkage a partner is.</summary>
public enum PartnerKind
{
    WardCommittee,
    Police,
    School,
    Hospital,
    HealthCentre,
    TransportGroup,
    VeteransTeam,
    Other,
}

/// <summary>What kind of place a site is.</summary>
public enum SiteKind
{
    Campus,
    Gate,
    HospitalArea,
    WardArea,
    Office,
    Other,
}

/// <summary>A partner joined the linkage.</summary>
[MessageUrn("wardlink:partners:partner-registered:v1")]
public sealed record PartnerRegistered(
    Guid PartnerId,
    string Name,
    PartnerKind Kind,
    DateTimeOffset RegisteredAt);

/// <summary>A partner registered one of its places; other services keep a directory of them.</summary>
[MessageUrn("wardlink:partners:site-registered:v1")]
public sealed record SiteRegistered(
    Guid SiteId,
    Guid PartnerId,
    string Name,
    SiteKind Kind,
    double Latitude,
    double Longitude,
    DateTimeOffset RegisteredAt);

/// <summary>A partner's name or kind changed; the message carries both as they now are.</summary>
[MessageUrn("wardlink:partners:partner-changed:v1")]
public sealed record PartnerChanged(
    Guid PartnerId,
    string Name,
    PartnerKind Kind,
    DateTimeOffset ChangedAt);

/// <summary>
/// A partner was suspended from the linkage (<c>InGoodStanding</c> false) or resumed (true): every service refuses the tokens
/// of a partner out of standing. <c>PartnerVersion</c> is the partner's stream version after the step, so a late message
/// never overwrites a newer one. The reason for a suspension stays in partners.
/// </summary>
[MessageUrn("wardlink:partners:partner-standing-changed:v1")]
public sealed record PartnerStandingChanged(
    Guid PartnerId,
    bool InGoodStanding,
    DateTimeOffset At,
    long PartnerVersion);

/// <summary>A partner left the linkage; its history stays.</summary>
[MessageUrn("wardlink:partners:partner-left:v1")]
public sealed record PartnerLeft(
    Guid PartnerId,
    DateTimeOffset LeftAt);

/// <summary>
/// A site's name, kind or point changed; the message carries the whole site as it now is.
/// <c>SiteVersion</c> is the site's stream version, so a consumer never lets an older change
/// overwrite a newer one when deliveries arrive out of order.
/// </summary>
[MessageUrn("wardlink:partners:site-updated:v1")]
public sealed record SiteUpdated(
    Guid SiteId,
    Guid PartnerId,
    string Name,
    SiteKind Kind,
    double Latitude,
    double Longitude,
    DateTimeOffset UpdatedAt,
    long SiteVersion);

/// <summary>A site is no longer in use; directories keep it (old records name it) marked retired.</summary>
[MessageUrn("wardlink:partners:site-retired:v1")]
public sealed record SiteRetired(
    Guid SiteId,
    Guid PartnerId,
    DateTimeOffset RetiredAt,
    long SiteVersion);

/// <summary>A security camera surveyed at a partner's site was approved for installation.</summary>
[MessageUrn("wardlink:partners:camera-approved:v1")]
public sealed record CameraApproved(
    Guid CameraId,
    Guid SiteId,
    Guid PartnerId,
    DateTimeOffset ApprovedAt);

/// <summary>A security camera was installed at a partner's site.</summary>
[MessageUrn("wardlink:partners:camera-installed:v1")]
public sealed record CameraInstalled(
    Guid CameraId,
    Guid SiteId,
    Guid PartnerId,
    DateTimeOffset InstalledAt);

/// <summary>A security camera was taken out of service.</summary>
[MessageUrn("wardlink:partners:camera-decommissioned:v1")]
public sealed record CameraDecommissioned(
    Guid CameraId,
    Guid SiteId,
    Guid PartnerId,
    DateTimeOffset DecommissionedAt);

/// <summary>
/// An action item of a monthly meeting passed its due date unfinished; its owner partner is told.
/// The item's text stays inside (it may name people).
/// </summary>
[MessageUrn("wardlink:partners:action-item-overdue:v1")]
public sealed record ActionItemOverdue(
    Guid MeetingId,
    Guid ItemId,
    Guid OwnerPartnerId,
    DateTimeOffset DueAt,
    DateTimeOffset NoticedAt);
