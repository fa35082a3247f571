using Marten;
using WardLink.Domain;
using WardLink.EventSourcing;
using WardLink.EventSourcing.Wards;

namespace WardLink.Tips;

/// <summary>Recording a new tip, the same way from the police's <c>POST /tips</c> and a public submission.</summary>
public static class TipIntake
{
    /// <summary>
    /// Records a new tip in the ward the work acts in, with the ward's next yearly number, its
    /// encrypted contact (trimmed, as checked) and (for a public submission) its follow-up access, all in one transaction,
    /// committed with the other tips of its ward and year that arrived meanwhile
    /// (<see cref="NumberedRecords"/>); a refused tip (a site of another ward, a time after the ward
    /// ended among others) stores nothing and takes no number. The new tip's state comes from its
    /// event, without reading it back.
    /// </summary>
    internal static async Task<(Rejection? Rejection, TipState? Tip)> RecordAsync(
        this NumberedRecords records,
        ISessionFactory sessions,
        WardTenants wards,
        ReceiveTip command,
        WardAccess seenBy,
        FollowUpAccess? access,
        ContactVault vault,
        DateTimeOffset now,
        string actor,
        CancellationToken ct)
    {
        await using (var lookup = sessions.QuerySession())
        {
            var (ward, siteWard) = await lookup.LookUpWardsAsync(command.Place, wards, seenBy, command.ReceivedAt ?? now, ct);
            command = command with { Ward = ward, SiteWard = siteWard };
        }

        var contact = command.Contact is { } details ? vault.Seal(command.TipId, details.Trimmed()) : null;
        TipState? tip = null;
        var rejection = await records.RecordAsync(
            Tip.NumberPrefix,
            command.ReceivedAt ?? now,
            command.TipId,
            (session, number) =>
            {
                var decision = Tip.Receive(null, command with { Number = number }, now, actor);
                if (decision.Rejection is { } rejection)
                {
                    return rejection;
                }

                if (contact is not null)
                {
                    session.Insert(contact);
                }

                if (access is not null)
                {
                    session.Insert(access);
                }

                session.Events.StartStream<TipState>(command.TipId, decision.Events);
                tip = TipState.Create((TipReceived)decision.Events.Single());
                return null;
            },
            ct);
        return (rejection, tip);
    }
}
