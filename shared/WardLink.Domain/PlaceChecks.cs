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
            .Check(!hasCoordinates || (place!.Latitude is not null && place.Longitude is not null), "place", "Coordinates need both latitude and longitude.")
            .Check(place?.Latitude is null or (>= -Place.MaxLatitude and <= Place.MaxLatitude), "place.latitude", "Latitude is between -90 and 90.")
            .Check(place?.Longitude is null or (>= -Place.MaxLongitude and <= Place.MaxLongitude), "place.longitude", "Longitude is between -180 and 180.");
    }
}
