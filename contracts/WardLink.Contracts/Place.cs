using System.ComponentModel.DataAnnotations;

namespace WardLink.Contracts;

/// <summary>
/// Where something happened or was seen: a site of the partners' directory, a described place,
/// and/or coordinates; at least one of them. Shared by tips and incidents, in their
/// states and requests and in the messages between them (<see cref="Tips.TipReferred"/>).
/// </summary>
[AnyOfGiven(nameof(SiteId), nameof(Description), nameof(Latitude))]
public sealed record Place(
    Guid? SiteId = null,
    [property: MaxLength(Place.MaxDescriptionLength)] string? Description = null,
    [property: Range(-Place.MaxLatitude, Place.MaxLatitude), RequiredWith(nameof(Place.Longitude))] double? Latitude = null,
    [property: Range(-Place.MaxLongitude, Place.MaxLongitude), RequiredWith(nameof(Place.Latitude))] double? Longitude = null)
{
    public const int MaxDescriptionLength = 500;

    /// <summary>A latitude lies within ±90 degrees; the documents state it as the checks enforce it.</summary>
    public const double MaxLatitude = 90;

    /// <summary>A longitude lies within ±180 degrees.</summary>
    public const double MaxLongitude = 180;

    /// <summary>The same place with its description trimmed (or none when blank).</summary>
    public Place Normalised() => this with { Description = string.IsNullOrWhiteSpace(Description) ? null : Description.Trim() };
}
