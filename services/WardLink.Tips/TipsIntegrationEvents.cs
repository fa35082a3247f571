using JasperFx.Events;
using WardLink.EventSourcing.Relay;
using Contract = WardLink.Contracts.Tips;

namespace WardLink.Tips;

/// <summary>
/// What the tips service tells the others: a valuable tip referred to an incident, and the outcome
/// recorded on a tip (for the partner that submitted it). Never the tipster's contact.
/// </summary>
public sealed class TipsIntegrationEvents : IIntegrationEventMap
{
    public object? ToMessage(IEvent recorded) => recorded.Data switch
    {
        TipReferred referred => new Contract.TipReferred(
            referred.TipId,
            referred.Number,
            referred.IncidentId,
            referred.OpensNewIncident,
            referred.Category,
            referred.Description,
            referred.Place,
            referred.ReceivedAt,
            referred.ReferredAt,
            referred.ReferredBy,
            referred.SubmittedByPartner),
        TipOutcomeRecorded outcome => new Contract.TipOutcomeRecorded(
            outcome.TipId,
            outcome.TipNumber ?? string.Empty,
            outcome.IncidentId,
            outcome.CaseNumber,
            outcome.Classification,
            outcome.Outcome,
            outcome.ResolvedAt,
            outcome.SubmittedByPartner),
        _ => null,
    };
}
