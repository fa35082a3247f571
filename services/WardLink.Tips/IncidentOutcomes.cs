using Marten;
using WardLink.Contracts.Incidents;
using WardLink.Domain;
using WardLink.EventSourcing;
using WardLink.EventSourcing.Wards;

namespace WardLink.Tips;

/// <summary>An incident resolved: every tip linked to it that this service knows records the outcome, replacing the one before.</summary>
public sealed class IncidentResolvedConsumer(IDocumentSession session, TimeProvider clock, IncidentNews news)
    : IdempotentConsumer<IncidentResolved>(session, clock)
{
    protected override Task ApplyAsync(IncidentResolved message, IDocumentSession session, CancellationToken cancellationToken) =>
        news.DecideOnTipsAsync(
            session, message.IncidentId, message.LinkedTipIds, message.LinkReach.Of, tip => Tip.RecordOutcome(tip, message), cancellationToken);
}

/// <summary>An incident reopened: every tip linked to it that this service knows stops counting its outcome.</summary>
public sealed class IncidentReopenedConsumer(IDocumentSession session, TimeProvider clock, IncidentNews news)
    : IdempotentConsumer<IncidentReopened>(session, clock)
{
    protected override Task ApplyAsync(IncidentReopened message, IDocumentSession session, CancellationToken cancellationToken) =>
        news.DecideOnTipsAsync(
            session, message.IncidentId, message.LinkedTipIds, message.LinkReach.Of, tip => Tip.WithdrawOutcome(tip, message.IncidentId, message.ReopenedAt), cancellationToken);
}

/// <summary>A tip unlinked from an incident: the incident's outcome stops counting for that tip, and its referral when the link was the referral's.</summary>
public sealed class TipUnlinkedFromIncidentConsumer(IDocumentSession session, TimeProvider clock, IncidentNews news)
    : IdempotentConsumer<TipUnlinkedFromIncident>(session, clock)
{
    protected override Task ApplyAsync(TipUnlinkedFromIncident message, IDocumentSession session, CancellationToken cancellationToken) =>
        news.DecideOnTipsAsync(
            session, message.IncidentId, [message.TipId], _ => message.Reach, tip => Tip.Unlinked(tip, message), cancellationToken);
}

/// <summary>
/// Incidents' news of the tips linked to an incident. A tip is mostly of the incident's ward (the message's, which the
/// consumer's session acts in); one of another ward (a province's police link any tip of their wards) is decided in a
/// session of its own ward, committed before the consumer's ledger: the decisions are idempotent (news no later than what
/// the tip knows changes nothing), so a redelivery after a failure in between records nothing twice. Only a ward the link
/// reaches, one the linking caller could see, is crossed into: a client bound to one ward that links another ward's tip
/// (its id learnt elsewhere) writes nothing there. A tip no ward holds (an id incidents took as given), or one of a ward
/// its link does not reach, is logged, not silently passed over.
/// </summary>
public sealed partial class IncidentNews(ISessionFactory sessions, WardDatabases databases, ILogger<IncidentNews> logger)
{
    /// <summary>Appends to each of <paramref name="tipIds"/> what <paramref name="decide"/> makes of it, in the tip's ward.</summary>
    public async Task DecideOnTipsAsync(
        IDocumentSession session, Guid incidentId, IEnumerable<Guid> tipIds, Func<Guid, IReadOnlyList<string>?> reachOf, Func<TipState, Decision> decide, CancellationToken ct)
    {
        // In the order of their ids, as every writer of several tips takes them: two such writers never wait on each other in a ring.
        foreach (var tipId in tipIds.Distinct().Order())
        {
            if (await DecideAsync(session, tipId, decide, ct))
            {
                continue;
            }

            if (await databases.TenantsOfStreamsAsync([tipId], ct) is [var tenant] && tenant != session.TenantId)
            {
                var ward = databases.WardOfTenant(tenant);
                if (reachOf(tipId) is { } reach && !reach.Contains(ward))
                {
                    BeyondReach(incidentId, tipId);
                    continue;
                }

                using (WardContext.Enter(ward))
                {
                    await sessions.RetryOnConflictAsync(
                        async there =>
                        {
                            await DecideAsync(there, tipId, decide, ct);
                            await there.SaveChangesAsync(ct);
                            return true;
                        },
                        ct);
                }
            }
            else
            {
                UnknownTip(incidentId, tipId);
            }
        }
    }

    /// <summary>
    /// Stages what <paramref name="decide"/> makes of tip <paramref name="tipId"/> in <paramref name="session"/>'s ward; false
    /// when the ward holds no such tip. The tip is read under its row's lock, as a step reads it (<see cref="StreamResults"/>):
    /// officers acting on the tip meanwhile commit first or wait, and the news never loses a race to them (a lost race was
    /// the bus's retry, five at most, and then the message parked: the outcome never recorded).
    /// </summary>
    private static async Task<bool> DecideAsync(IDocumentSession session, Guid tipId, Func<TipState, Decision> decide, CancellationToken ct)
    {
        if (await session.StreamOfAsync<TipState>(tipId, ct) is null)
        {
            return false;
        }

        var stream = await session.Events.FetchForExclusiveWriting<TipState>(tipId, ct);
        if (decide(stream.Aggregate!) is { Events.Count: > 0 } decision)
        {
            stream.AppendMany(decision.Events);
        }

        return true;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "News of incident {IncidentId} names tip {TipId}, which no ward of this service holds: nothing is recorded for it")]
    private partial void UnknownTip(Guid incidentId, Guid tipId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "News of incident {IncidentId} names tip {TipId} of a ward its link does not reach (the linking caller could not see it): nothing is recorded for it")]
    private partial void BeyondReach(Guid incidentId, Guid tipId);
}
