using WardLink.Contracts;

namespace WardLink.Domain;

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
            .CheckLength(place?.Description, "place.description", Place.MaxDescriptionLength)
            .CheckCoordinates(place?.Latitude, place?.Longitude, "place.");
    }

    /// <summary>
    /// Coordinates, when given, within their ranges and given both: the one left out is named (<paramref name="prefix"/>
    /// <c>latitude</c> or <c>longitude</c>), as is one out of its range.
    /// </summary>
    public static FieldErrors CheckCoordinates(this FieldErrors errors, double? latitude, double? longitude, string prefix = "") => errors
        .Check(latitude is not null || longitude is null, $"{prefix}latitude", "Give the latitude too: coordinates need both latitude and longitude.")
        .Check(longitude is not null || latitude is null, $"{prefix}longitude", "Give the longitude too: coordinates need both latitude and longitude.")
        .Check(latitude is null or (>= -Place.MaxLatitude and <= Place.MaxLatitude), $"{prefix}latitude", "Latitude is between -90 and 90.")
        .Check(longitude is null or (>= -Place.MaxLongitude and <= Place.MaxLongitude), $"{prefix}longitude", "Longitude is between -180 and 180.");
}
