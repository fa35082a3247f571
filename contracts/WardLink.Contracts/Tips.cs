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
/// personal data of the tipster. Version 2 carries the <see cref="Contracts.Place"/> whole and
/// <see cref="SubmittedByPartner"/> (the partner whose client submitted the tip, if one did, so the
/// partner can be told); it shares its exchange with <see cref="TipReferredV1"/>, which incidents
/// still reads.
/// </summary>
[MessageUrn("wardlink:tips:tip-referred:v2")]
public sealed record TipReferred(
    Guid TipId,
    string TipNumber,
    Guid IncidentId,
    bool OpensNewIncident,
    SecurityCategory Category,
    string Description,
    Place Place,
    DateTimeOffset ReceivedAt,
    DateTimeOffset ReferredAt,
    string ReferredBy,
    Guid? SubmittedByPartner = null);

/// <summary>
/// Version 1 of <see cref="TipReferred"/>, with the place flattened into four fields, as tips
/// published it before version 2: published to the same exchange, so a referral still queued (or
/// sent by a tips instance not yet upgraded) while incidents is upgraded is read, not parked.
/// </summary>
[MessageUrn("wardlink:tips:tip-referred:v1")]
[EntityName("WardLink.Contracts.Tips:TipReferred")]
public sealed record TipReferredV1(
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
    string ReferredBy)
{
    /// <summary>The same referral as version 2.</summary>
    public TipReferred Upgraded() => new(
        TipId, TipNumber, IncidentId, OpensNewIncident, Category, Description,
        new Place(SiteId, PlaceDescription, Latitude, Longitude), ReceivedAt, ReferredAt, ReferredBy);
}

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
