using Marten;
using WardLink.Domain;
using WardLink.EventSourcing;
using WardLink.EventSourcing.Sites;

namespace WardLink.Tips;

/// <summary>Recording a new tip, the same way from the police's <c>POST /tips</c> and a public submission.</summary>
public static class TipIntake
{
    /// <summary>
    /// Records a new tip with its yearly number, its encrypted contact and (for a public
    /// submission) its follow-up access, all in one transaction; a refused tip stores nothing.
    /// </summary>
    internal static async Task<Rejection?> RecordAsync(
        this IDocumentSession session, ReceiveTip command, FollowUpAccess? access, ContactVault vault, DateTimeOffset now, string actor, CancellationToken ct)
    {
        var decision = Tip.Receive(
            null,
            command with
            {
                SiteKnown = await session.SiteKnownAsync(command.Place, ct),
                Number = await session.ReserveNumberAsync(Tip.NumberPrefix, command.ReceivedAt ?? now, command.TipId, ct),
            },
            now,
            actor);
        if (decision.Rejection is { } rejection)
        {
            return rejection;
        }

        if (command.Contact is { } contact)
        {
            session.Insert(vault.Seal(command.TipId, contact));
        }

        if (access is not null)
        {
            session.Insert(access);
        }

        session.Events.StartStream<TipState>(command.TipId, decision.Events);
        await session.SaveChangesAsync(ct);
        return null;
    }
}
