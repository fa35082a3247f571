using System.ComponentModel.DataAnnotations;
using WardLink.Contracts;
using WardLink.Contracts.Partners;
using WardLink.Domain;
using WardLink.EventSourcing.Wards;
using WardLink.ServiceDefaults;
using WardLink.ServiceDefaults.Security;

namespace WardLink.Partners;

/// <summary>A partner as the police read it (the answer to <c>GET</c>, the list, every step): the whole partner, and the ward it belongs to.</summary>
public sealed record PartnerPoliceView(
    Guid Id,
    [property: MaxLength(WardNames.MaxIdLength)] string Ward,
    [property: MaxLength(Partner.MaxNameLength)] string Name,
    PartnerKind Kind,
    PartnerStatus Status,
    DateTimeOffset RegisteredAt,
    [property: MaxLength(WardLinkClaims.MaxSubjectLength)] string RegisteredBy,
    DateTimeOffset? LeftAt,
    LinkageAgreement? Agreement,
    [property: MaxLength(DocumentedBounds.AnyCount)] IReadOnlyList<PartnerContact> Contacts)
{
    public static PartnerPoliceView Of(PartnerState partner, string ward) => new(
        partner.Id, ward, partner.Name, partner.Kind, partner.Status, partner.RegisteredAt, partner.RegisteredBy, partner.LeftAt, partner.Agreement, partner.Contacts);
}

/// <summary>A partner's site as the police read it: the whole site, and the ward it belongs to (its partner's).</summary>
public sealed record SitePoliceView(
    Guid Id,
    [property: MaxLength(WardNames.MaxIdLength)] string Ward,
    Guid PartnerId,
    [property: MaxLength(Partner.MaxNameLength)] string Name,
    SiteKind Kind,
    [property: Range(-Place.MaxLatitude, Place.MaxLatitude)] double Latitude,
    [property: Range(-Place.MaxLongitude, Place.MaxLongitude)] double Longitude,
    DateTimeOffset RegisteredAt,
    [property: MaxLength(WardLinkClaims.MaxSubjectLength)] string RegisteredBy,
    DateTimeOffset? RetiredAt)
{
    public static SitePoliceView Of(SiteState site, string ward) => new(
        site.Id, ward, site.PartnerId, site.Name, site.Kind, site.Latitude, site.Longitude, site.RegisteredAt, site.RegisteredBy, site.RetiredAt);
}

public static class PartnerViews
{
    /// <summary>
    /// Partners and sites are read by the police only, each naming its ward: a request on one is put in
    /// its ward (the record in its path), and a new one is kept in the request's ward.
    /// </summary>
    public static StateViews AddPartnerViews(this StateViews views) => views
        .AddPoliceOnly<PartnerState, PartnerPoliceView>((partner, http) => PartnerPoliceView.Of(partner, http.Ward().Ward.Id))
        .AddPoliceOnly<SiteState, SitePoliceView>((site, http) => SitePoliceView.Of(site, http.Ward().Ward.Id));
}
