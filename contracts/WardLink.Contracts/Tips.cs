using MassTransit;
using WardLink.Contracts.Incidents;

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
/// personal data of the tipster. <see cref="SubmittedByPartner"/> (the partner whose client
/// submitted the tip) was added to v1 as an optional field: a message without it reads as a tip
/// no partner submitted.
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
    string ReferredBy,
    Guid? SubmittedByPartner = null);

/// <summary>
/// The outcome of an incident a tip was linked to was recorded on the tip (from incidents'
/// <c>IncidentResolved</c>), with the partner that submitted the tip, if one did, so the partner
/// can be told. No text of the tip or of the case.
/// </summary>
[MessageUrn("wardlink:tips:tip-outcome-recorded:v1")]
public sealed record TipOutcomeRecorded(
    Guid TipId,
    string TipNumber,
    Guid IncidentId,
    string CaseNumber,
    IncidentClassification Classification,
    IncidentOutcome Outcome,
    DateTimeOffset ResolvedAt,
    Guid? SubmittedByPartner);
