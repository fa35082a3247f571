using WardLink.ServiceDefaults;

namespace WardLink.Tips;

public enum TipChannel
{
    Hotline,
    Chat,
    WalkIn,
    Web,
    Partner,
    Patrol,
}

public enum TipCategory
{
    Theft,
    Drugs,
    Violence,
    Traffic,
    Fraud,
    SuspiciousPerson,
    PublicOrder,
    Other,
}

/// <summary>Where a tip points: a known site, or a free-text place, or coordinates (at least one).</summary>
public sealed record TipPlace(Guid? SiteId, string? Description, double? Latitude, double? Longitude);

public sealed record TipReceived(
    Guid TipId,
    TipChannel Channel,
    TipCategory Category,
    string Description,
    TipPlace Place,
    DateTimeOffset ReceivedAt,
    string RecordedBy);

public sealed record ReceiveTip(
    Guid TipId,
    TipChannel? Channel,
    TipCategory? Category,
    string? Description,
    TipPlace? Place,
    DateTimeOffset? ReceivedAt,
    string RecordedBy);

public sealed record TipState(
    Guid Id,
    TipChannel Channel,
    TipCategory Category,
    string Description,
    TipPlace Place,
    DateTimeOffset ReceivedAt,
    string RecordedBy)
{
    public static TipState Create(TipReceived received) => new(
        received.TipId,
        received.Channel,
        received.Category,
        received.Description,
        received.Place,
        received.ReceivedAt,
        received.RecordedBy);
}

public static class Tip
{
    public const int MaxDescriptionLength = 4000;
    public const int MaxPlaceLength = 500;

    /// <summary>How far a caller's clock may run ahead of ours before "received at" counts as future.</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(2);

    public static Decision Receive(TipState? current, ReceiveTip command, DateTimeOffset now)
    {
        if (current is not null)
        {
            return Rejection.Conflict($"Tip {command.TipId} already exists.");
        }

        var errors = new FieldErrors()
            .Check(command.Channel is not null, "channel", "Choose the channel the tip came through.")
            .Check(command.Category is not null, "category", "Choose a category.")
            .Check(!string.IsNullOrWhiteSpace(command.Description), "description", "Describe what was seen or heard.")
            .Check((command.Description?.Length ?? 0) <= MaxDescriptionLength, "description", $"At most {MaxDescriptionLength} characters.")
            .Check(command.ReceivedAt is not null, "receivedAt", "Say when the tip was received (ISO-8601 with offset).")
            .Check(command.ReceivedAt is null || command.ReceivedAt <= now + ClockSkew, "receivedAt", "A tip cannot be received in the future.");
        CheckPlace(command.Place, errors);
        if (errors.Any)
        {
            return errors.ToRejection();
        }

        return Decision.Accept(new TipReceived(
            command.TipId,
            command.Channel!.Value,
            command.Category!.Value,
            command.Description!.Trim(),
            Normalise(command.Place!),
            command.ReceivedAt!.Value,
            command.RecordedBy));
    }

    private static void CheckPlace(TipPlace? place, FieldErrors errors)
    {
        var hasCoordinates = place?.Latitude is not null || place?.Longitude is not null;
        errors
            .Check(
                place is not null && (place.SiteId is not null || !string.IsNullOrWhiteSpace(place.Description) || hasCoordinates),
                "place",
                "Give a site id, a description of the place, or coordinates.")
            .Check(place?.SiteId != Guid.Empty, "place.siteId", "Not a site id.")
            .Check((place?.Description?.Length ?? 0) <= MaxPlaceLength, "place.description", $"At most {MaxPlaceLength} characters.")
            .Check(!hasCoordinates || (place!.Latitude is not null && place.Longitude is not null), "place", "Coordinates need both latitude and longitude.")
            .Check(place?.Latitude is null or (>= -90 and <= 90), "place.latitude", "Latitude is between -90 and 90.")
            .Check(place?.Longitude is null or (>= -180 and <= 180), "place.longitude", "Longitude is between -180 and 180.");
    }

    private static TipPlace Normalise(TipPlace place) =>
        place with { Description = string.IsNullOrWhiteSpace(place.Description) ? null : place.Description.Trim() };
}
