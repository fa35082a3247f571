using Marten;
using WardLink.Contracts.Incidents;
using WardLink.ServiceDefaults;

namespace WardLink.Tips;

/// <summary>An incident resolved: every tip linked to it that this service knows records the outcome.</summary>
public sealed class IncidentResolvedConsumer(IDocumentSession session, TimeProvider clock)
    : IdempotentConsumer<IncidentResolved>(session, clock)
{
    protected override async Task ApplyAsync(IncidentResolved message, IDocumentSession session, CancellationToken cancellationToken)
    {
        foreach (var tipId in message.LinkedTipIds.Distinct())
        {
            var (tip, version) = await session.LoadStreamAsync<TipState>(tipId, cancellationToken);
            var decision = Tip.RecordOutcome(tip, message);
            if (decision.Events.Count > 0)
            {
                session.Events.Append(tipId, version + decision.Events.Count, [.. decision.Events]);
            }
        }
    }
}
