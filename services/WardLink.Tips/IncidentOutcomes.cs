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
        session.DecideOnTipsAsync(message.LinkedTipIds, message, Tip.RecordOutcome, message.ResolvedAt, cancellationToken);
}

/// <summary>An incident reopened: every tip linked to it that this service knows stops counting its outcome.</summary>
public sealed class IncidentReopenedConsumer(IDocumentSession session, TimeProvider clock)
    : IdempotentConsumer<IncidentReopened>(session, clock)
{
    protected override Task ApplyAsync(IncidentReopened message, IDocumentSession session, CancellationToken cancellationToken) =>
        session.DecideOnTipsAsync(
            message.LinkedTipIds, message, (tip, reopened, _, _) => Tip.WithdrawOutcome(tip, reopened.IncidentId, reopened.ReopenedAt), message.ReopenedAt, cancellationToken);
}

/// <summary>A tip unlinked from an incident: the incident's outcome stops counting for that tip.</summary>
public sealed class TipUnlinkedFromIncidentConsumer(IDocumentSession session, TimeProvider clock)
    : IdempotentConsumer<TipUnlinkedFromIncident>(session, clock)
{
    protected override Task ApplyAsync(TipUnlinkedFromIncident message, IDocumentSession session, CancellationToken cancellationToken) =>
        session.DecideOnTipsAsync(
            [message.TipId], message, (tip, unlinked, _, _) => Tip.WithdrawOutcome(tip, unlinked.IncidentId, unlinked.UnlinkedAt), message.UnlinkedAt, cancellationToken);
}

internal static class IncidentNews
{
    /// <summary>
    /// Appends to each of <paramref name="tipIds"/> what <paramref name="decide"/> makes of the <paramref name="news"/> (which
    /// happened at <paramref name="now"/>, told by incidents), in the consumer's transaction.
    /// </summary>
    public static async Task DecideOnTipsAsync<TNews>(
        this IDocumentSession session, IEnumerable<Guid> tipIds, TNews news, Func<TipState?, TNews, DateTimeOffset, string, Decision> decide, DateTimeOffset now, CancellationToken ct)
    {
        foreach (var tipId in tipIds.Distinct())
        {
            var (tip, version) = await session.LoadStreamAsync<TipState>(tipId, ct);
            var decision = decide(tip, news, now, Tip.IncidentsActor);
            if (decision.Events.Count > 0)
            {
                session.Events.Append(tipId, version + decision.Events.Count, [.. decision.Events]);
            }
        }
    }
}
