using System.ComponentModel.DataAnnotations;
namespace WardLink.Domain;

/// <summary>
/// Where something happened or was seen: a site of the partners' directory, a described place,
/// and/or coordinates; at least one of them. Shared by tips and incidents.
/// </summary>
public sealed record Place(
    Guid? SiteId,
    [property: MaxLength(Place.MaxDescriptionLength)] string? Description,
    [property: Range(-Place.MaxLatitude, Place.MaxLatitude)] double? Latitude,
    [property: Range(-Place.MaxLongitude, Place.MaxLongitude)] double? Longitude)
{
    public const int MaxDescriptionLength = 500;

    /// <summary>A latitude lies within ±90 degrees; the documents state it as the checks enforce it.</summary>
    public const double MaxLatitude = 90;

    /// <summary>A longitude lies within ±180 degrees.</summary>
    public const double MaxLongitude = 180;

    /// <summary>The same place with its description trimmed (or none when blank).</summary>
    public Place Normalised() => this with { Description = string.IsNullOrWhiteSpace(Description) ? null : Description.Trim() };
}

public static class PlaceChecks
{
    /// <summary>
    /// The field errors of a place given in a command (<c>place</c>, <c>place.siteId</c>, …);
    /// <paramref name="siteKnown"/> says whether the service's site directory knows its site.
    /// </summary>
    public static FieldErrors CheckPlace(this FieldErrors errors, Place? place, bool siteKnown)
    {
        var hasCoordinates = place?.Latitude is not null || place?.Longitude is not null;
        return errors
            .Check(
                place is not null && (place.SiteId is not null || !string.IsNullOrWhiteSpace(place.Description) || hasCoordinates),
                "place",
                "Give a site id, a description of the place, or coordinates.")
            .Check(place?.SiteId != Guid.Empty, "place.siteId", "Not a site id.")
            .Check(place?.SiteId is null || place.SiteId == Guid.Empty || siteKnown, "place.siteId", "No such site in the site directory.")
            .Check((place?.Description?.Length ?? 0) <= Place.MaxDescriptionLength, "place.description", $"At most {Place.MaxDescriptionLength} characters.")
            .Check(!hasCoordinates || (place!.Latitude is not null && place.Longitude is not null), "place", "Coordinates need both latitude and longitude.")
            .Check(place?.Latitude is null or (>= -Place.MaxLatitude and <= Place.MaxLatitude), "place.latitude", "Latitude is between -90 and 90.")
            .Check(place?.Longitude is null or (>= -Place.MaxLongitude and <= Place.MaxLongitude), "place.longitude", "Longitude is between -180 and 180.");
    }
}
