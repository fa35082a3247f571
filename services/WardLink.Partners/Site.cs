using WardLink.Contracts.Partners;
using WardLink.ServiceDefaults;

namespace WardLink.Partners;

public sealed record SiteRegistered(
    Guid SiteId,
    Guid PartnerId,
    string Name,
    SiteKind Kind,
    double Latitude,
    double Longitude,
    DateTimeOffset RegisteredAt,
    string RegisteredBy);

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
    string Name,
    SiteKind Kind,
    double Latitude,
    double Longitude,
    DateTimeOffset RegisteredAt,
    string RegisteredBy)
{
    public static SiteState Create(SiteRegistered registered) => new(
        registered.SiteId,
        registered.PartnerId,
        registered.Name,
        registered.Kind,
        registered.Latitude,
        registered.Longitude,
        registered.RegisteredAt,
        registered.RegisteredBy);
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

        var errors = new FieldErrors()
            .CheckName(command.Name)
            .Check(command.Kind is not null, "kind", "Choose the kind of site.")
            .Check(command.Latitude is >= -90 and <= 90, "latitude", "A latitude between -90 and 90 is required.")
            .Check(command.Longitude is >= -180 and <= 180, "longitude", "A longitude between -180 and 180 is required.");
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
}
