using MassTransit;

namespace WardLink.Contracts.Tips;

/// <summary>What a tip or an incident is about; shared by tips and incidents.</summary>
public enum SecurityCategory
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

/// <summary>
/// A valuable tip was referred to an incident: a new one (<see cref="OpensNewIncident"/>, with the
/// incident id chosen by tips so a redelivery cannot open two) or an existing one. Carries no
/// personal data of the tipster.
/// </summary>
[MessageUrn("wardlink:tips:tip-referred:v1")]
public sealed record TipReferred(
    Guid TipId,
    string TipNumber,
    Guid IncidentId,
    bool OpensNewIncident,
    SecurityCategory Category,
    string Description,
    Guid? SiteId,
    string? PlaceDescription,
    double? Latitude,
    double? Longitude,
    DateTimeOffset ReceivedAt,
    DateTimeOffset ReferredAt,
    string ReferredBy);
