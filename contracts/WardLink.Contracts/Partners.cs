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
