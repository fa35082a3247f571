using System.ComponentModel.DataAnnotations;
using WardLink.Contracts.Partners;
using WardLink.ServiceDefaults;
using WardLink.ServiceDefaults.Audit;
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
    string RegisteredBy);

/// <summary>The site's facts as they now are (all of them, so the relay publishes the event as it is).</summary>
public sealed record SiteUpdated(
    Guid SiteId,
    Guid PartnerId,
    [property: ShownToAuditors] string Name,
    SiteKind Kind,
    double Latitude,
    double Longitude,
    DateTimeOffset At,
    string By);

public sealed record SiteRetired(Guid SiteId, Guid PartnerId, string Reason, DateTimeOffset At, string By);

public sealed record RegisterSite(
    Guid SiteId,
    Guid PartnerId,
    string? Name,
    SiteKind? Kind,
    double? Latitude,
    double? Longitude,
    string RegisteredBy);

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
    /// <summary>A site belongs to an existing partner and has a name, a kind and a real point.</summary>
    public static Decision Register(PartnerState? partner, RegisterSite command, DateTimeOffset now)
    {
        if (partner is null)
        {
            return Rejection.NotFound($"Partner {command.PartnerId} was not found.");
        }

        if (partner.RefuseIfLeft() is { } refused)
        {
            return refused;
        }

        var errors = new FieldErrors().CheckSite(command.Name, command.Kind, command.Latitude, command.Longitude);
        if (errors.Any)
        {
            return errors.ToRejection();
        }

        return Decision.Accept(new SiteRegistered(
            command.SiteId,
            partner.Id,
            command.Name!.Trim(),
            command.Kind!.Value,
            command.Latitude!.Value,
            command.Longitude!.Value,
            now,
            command.RegisteredBy));
    }

    /// <summary>Changes a site's name, kind and point (all given, as they now are).</summary>
    public static Decision Update(SiteState site, Guid partnerId, string? name, SiteKind? kind, double? latitude, double? longitude, DateTimeOffset now, string by)
    {
        if (site.OfAnotherPartner(partnerId) is { } notFound)
        {
            return notFound;
        }

        if (site.RetiredAt is not null)
        {
            return Rejection.Conflict($"Site {site.Name} is retired; a retired site is not updated.");
        }

        var errors = new FieldErrors().CheckSite(name, kind, latitude, longitude);
        if (errors.Any)
        {
            return errors.ToRejection();
        }

        var updated = new SiteUpdated(site.Id, site.PartnerId, name!.Trim(), kind!.Value, latitude!.Value, longitude!.Value, now, by);
        return updated.Name == site.Name && updated.Kind == site.Kind && updated.Latitude == site.Latitude && updated.Longitude == site.Longitude
            ? Rejection.Conflict($"Site {site.Name} already has these details.")
            : Decision.Accept(updated);
    }

    public static Decision Retire(SiteState site, Guid partnerId, string? reason, DateTimeOffset now, string by)
    {
        if (site.OfAnotherPartner(partnerId) is { } notFound)
        {
            return notFound;
        }

        if (site.RetiredAt is not null)
        {
            return Rejection.Conflict($"Site {site.Name} is already retired.");
        }

        var errors = new FieldErrors().CheckText(reason, "reason", "Say why the site is retired.", Partner.MaxTextLength);
        return errors.Any ? errors.ToRejection() : Decision.Accept(new SiteRetired(site.Id, site.PartnerId, reason!.Trim(), now, by));
    }

    /// <summary>A site is addressed under its partner; under another partner it does not exist.</summary>
    internal static Rejection? OfAnotherPartner(this SiteState site, Guid partnerId) =>
        site.PartnerId == partnerId ? null : Rejection.NotFound($"Site {site.Id} of partner {partnerId} was not found.");

    private static FieldErrors CheckSite(this FieldErrors errors, string? name, SiteKind? kind, double? latitude, double? longitude) => errors
        .CheckName(name)
        .Check(kind is not null, "kind", "Choose the kind of site.")
        .Check(latitude is >= -Place.MaxLatitude and <= Place.MaxLatitude, "latitude", "A latitude between -90 and 90 is required.")
        .Check(longitude is >= -Place.MaxLongitude and <= Place.MaxLongitude, "longitude", "A longitude between -180 and 180 is required.");
}
