using Marten;
using WardLink.Contracts.Incidents;
using WardLink.ServiceDefaults;

namespace WardLink.Tips;

/// <summary>An incident resolved: every tip linked to it that this service knows records the outcome, replacing the one before.</summary>
public sealed class IncidentResolvedConsumer(IDocumentSession session, TimeProvider clock)
    : IdempotentConsumer<IncidentResolved>(session, clock)
{
    protected override Task ApplyAsync(IncidentResolved message, IDocumentSession session, CancellationToken cancellationToken) =>
        session.DecideOnTipsAsync(message.LinkedTipIds, tip => Tip.RecordOutcome(tip, message), cancellationToken);
}

/// <summary>An incident reopened: every tip linked to it that this service knows stops counting its outcome.</summary>
public sealed class IncidentReopenedConsumer(IDocumentSession session, TimeProvider clock)
    : IdempotentConsumer<IncidentReopened>(session, clock)
{
    protected override Task ApplyAsync(IncidentReopened message, IDocumentSession session, CancellationToken cancellationToken) =>
        session.DecideOnTipsAsync(message.LinkedTipIds, tip => Tip.WithdrawOutcome(tip, message), cancellationToken);
}

internal static class IncidentNews
{
    /// <summary>Appends to each of <paramref name="tipIds"/> what <paramref name="decide"/> makes of the news, in the consumer's transaction.</summary>
    public static async Task DecideOnTipsAsync(this IDocumentSession session, IEnumerable<Guid> tipIds, Func<TipState?, Decision> decide, CancellationToken ct)
    {
        foreach (var tipId in tipIds.Distinct())
        {
            var (tip, version) = await session.LoadStreamAsync<TipState>(tipId, ct);
            var decision = decide(tip);
            if (decision.Events.Count > 0)
            {
                session.Events.Append(tipId, version + decision.Events.Count, [.. decision.Events]);
            }
        }
    }
}
