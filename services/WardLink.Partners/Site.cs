using System.ComponentModel.DataAnnotations;
using WardLink.Audit;
using WardLink.Contracts;
using WardLink.Contracts.Partners;
using WardLink.Domain;
using WardLink.ServiceDefaults.Security;

namespace WardLink.Partners;

public sealed record SiteRegistered(
    Guid SiteId,
    Guid PartnerId,
    [property: ShownToAuditors] string Name,
    SiteKind Kind,
    double Latitude,
    double Longitude,
    DateTimeOffset RegisteredAt,
    string RegisteredBy) : IBusinessEvent
{
    DateTimeOffset IBusinessEvent.At => RegisteredAt;

    string IBusinessEvent.By => RegisteredBy;
}

/// <summary>The site's facts as they now are (all of them, so the relay publishes the event as it is).</summary>
public sealed record SiteUpdated(
    Guid SiteId,
    Guid PartnerId,
    [property: ShownToAuditors] string Name,
    SiteKind Kind,
    double Latitude,
    double Longitude,
    DateTimeOffset At,
    string By) : IBusinessEvent;

public sealed record SiteRetired(Guid SiteId, Guid PartnerId, string Reason, DateTimeOffset At, string By) : IBusinessEvent;

/// <summary>A new site <paramref name="SiteId"/> of partner <paramref name="PartnerId"/>, with that partner as the caller found it (null: no such partner).</summary>
public sealed record RegisterSite(
    Guid SiteId,
    Guid PartnerId,
    PartnerState? Partner,
    string? Name,
    SiteKind? Kind,
    double? Latitude,
    double? Longitude);

/// <summary>A site's details as they now are (all of them), addressed under partner <paramref name="PartnerId"/>.</summary>
public sealed record UpdateSite(Guid PartnerId, string? Name, SiteKind? Kind, double? Latitude, double? Longitude);

/// <summary>Why a site is retired, addressed under partner <paramref name="PartnerId"/>.</summary>
public sealed record RetireSite(Guid PartnerId, string? Reason);

/// <summary>A partner's site as it stands; it belongs to its partner's ward.</summary>
public sealed record SiteState(
    Guid Id,
    Guid PartnerId,
    [property: ShownToAuditors, MaxLength(Partner.MaxNameLength)] string Name,
    SiteKind Kind,
    [property: Range(-Place.MaxLatitude, Place.MaxLatitude)] double Latitude,
    [property: Range(-Place.MaxLongitude, Place.MaxLongitude)] double Longitude,
    DateTimeOffset RegisteredAt,
    [property: MaxLength(WardLinkClaims.MaxSubjectLength)] string RegisteredBy,
    DateTimeOffset? RetiredAt)
{
    public static SiteState Create(SiteRegistered registered) => new(
        registered.SiteId,
        registered.PartnerId,
        registered.Name,
        registered.Kind,
        registered.Latitude,
        registered.Longitude,
        registered.RegisteredAt,
        registered.RegisteredBy,
        null);

    public SiteState Apply(SiteUpdated updated) =>
        this with { Name = updated.Name, Kind = updated.Kind, Latitude = updated.Latitude, Longitude = updated.Longitude };

    public SiteState Apply(SiteRetired retired) => this with { RetiredAt = retired.At };
}

public static class Site
{
    /// <summary>What a problem calls a site: one under another partner is answered as one that does not exist.</summary>
    public const string What = "Site";

    /// <summary>A site belongs to an existing partner (else a 404 whatever its body) and has a name, a kind and a real point.</summary>
    public static Decision Register(SiteState? current, RegisterSite command, DateTimeOffset now, string actor) =>
        command.Partner is not { } partner
            ? Rejection.NotFound(Partner.What, command.PartnerId)
            : new FieldErrors().CheckSite(command.Name, command.Kind, command.Latitude, command.Longitude).Then(() =>
                current is not null ? Rejection.Conflict($"Site {command.SiteId} already exists.")
                : partner.RefuseIfLeft() ?? Decision.Accept(new SiteRegistered(
                    command.SiteId, partner.Id, command.Name!.Trim(), command.Kind!.Value, command.Latitude!.Value, command.Longitude!.Value, now, actor)));

    /// <summary>Changes a site's name, kind and point (all given, as they now are).</summary>
    public static Decision Update(SiteState site, UpdateSite command, DateTimeOffset now, string actor) =>
        site.OfAnotherPartner(command.PartnerId) ?? new FieldErrors().CheckSite(command.Name, command.Kind, command.Latitude, command.Longitude).Then(() =>
        {
            var updated = new SiteUpdated(
                site.Id, site.PartnerId, command.Name!.Trim(), command.Kind!.Value, command.Latitude!.Value, command.Longitude!.Value, now, actor);
            return site.RetiredAt is not null ? Rejection.Conflict($"Site {site.Name} is retired; a retired site is not updated.")
                : updated.Name == site.Name && updated.Kind == site.Kind && updated.Latitude == site.Latitude && updated.Longitude == site.Longitude
                    ? Rejection.Conflict($"Site {site.Name} already has these details.")
                    : Decision.Accept(updated);
        });

    public static Decision Retire(SiteState site, RetireSite command, DateTimeOffset now, string actor) =>
        site.OfAnotherPartner(command.PartnerId) ?? new FieldErrors().CheckText(command.Reason, "reason", "Say why the site is retired.", Partner.MaxTextLength).Then(() =>
            site.RetiredAt is not null
                ? Rejection.Conflict($"Site {site.Name} is already retired.")
                : Decision.Accept(new SiteRetired(site.Id, site.PartnerId, command.Reason!.Trim(), now, actor)));

    /// <summary>A site is addressed under its partner; under another partner it does not exist.</summary>
    internal static Rejection? OfAnotherPartner(this SiteState site, Guid partnerId) =>
        site.PartnerId == partnerId ? null : Rejection.NotFound(What, site.Id);

    private static FieldErrors CheckSite(this FieldErrors errors, string? name, SiteKind? kind, double? latitude, double? longitude) => errors
        .CheckName(name)
        .Check(kind is not null, "kind", "Choose the kind of site.")
        .Check(latitude is >= -Place.MaxLatitude and <= Place.MaxLatitude, "latitude", "A latitude between -90 and 90 is required.")
        .Check(longitude is >= -Place.MaxLongitude and <= Place.MaxLongitude, "longitude", "A longitude between -180 and 180 is required.");
}
