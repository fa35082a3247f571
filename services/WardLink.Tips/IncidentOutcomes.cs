using Marten;
using WardLink.Contracts.Incidents;
using WardLink.Domain;
using WardLink.EventSourcing;

namespace WardLink.Tips;

/// <summary>An incident resolved: every tip linked to it that this service knows records the outcome, replacing the one before.</summary>
public sealed class IncidentResolvedConsumer(IDocumentSession session, TimeProvider clock)
    : IdempotentConsumer<IncidentResolved>(session, clock)
{
    protected override Task ApplyAsync(IncidentResolved message, IDocumentSession session, CancellationToken cancellationToken) =>
        session.DecideOnTipsAsync(message.LinkedTipIds, tip => Tip.RecordOutcome(tip, message, message.ResolvedAt, Tip.IncidentsActor), cancellationToken);
}

/// <summary>An incident reopened: every tip linked to it that this service knows stops counting its outcome.</summary>
public sealed class IncidentReopenedConsumer(IDocumentSession session, TimeProvider clock)
    : IdempotentConsumer<IncidentReopened>(session, clock)
{
    protected override Task ApplyAsync(IncidentReopened message, IDocumentSession session, CancellationToken cancellationToken) =>
        session.DecideOnTipsAsync(message.LinkedTipIds, tip => Tip.WithdrawOutcome(tip, message.IncidentId, message.ReopenedAt), cancellationToken);
}

/// <summary>A tip unlinked from an incident: the incident's outcome stops counting for that tip.</summary>
public sealed class TipUnlinkedFromIncidentConsumer(IDocumentSession session, TimeProvider clock)
    : IdempotentConsumer<TipUnlinkedFromIncident>(session, clock)
{
    protected override Task ApplyAsync(TipUnlinkedFromIncident message, IDocumentSession session, CancellationToken cancellationToken) =>
        session.DecideOnTipsAsync([message.TipId], tip => Tip.WithdrawOutcome(tip, message.IncidentId, message.UnlinkedAt), cancellationToken);
}

internal static class IncidentNews
{
    /// <summary>Appends to each of <paramref name="tipIds"/> what <paramref name="decide"/> makes of it (of incidents' news), in the consumer's transaction.</summary>
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
