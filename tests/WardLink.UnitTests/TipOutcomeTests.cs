using CsCheck;
using JasperFx.Events;
using WardLink.Contracts;
using WardLink.Contracts.Incidents;
using WardLink.Contracts.Tips;
using WardLink.Domain;
using WardLink.Tips;
using Decided = WardLink.Incidents;
using TipOutcomeRecorded = WardLink.Tips.TipOutcomeRecorded;
using TipReferred = WardLink.Tips.TipReferred;

namespace WardLink.UnitTests;

/// <summary>
/// The latest outcome counts: a tip stands at the outcome of the last resolution of each linked
/// incident, none while it is reopened, whatever order and however often incidents' messages arrive
/// (each kind has its own queue, and delivery is at least once).
/// </summary>
public sealed class TipOutcomeTests
{
    private static readonly Guid TipId = Guid.Parse("0193a000-0000-7000-8000-000000000001");
    private static readonly Guid IncidentId = Guid.Parse("0193a000-0000-7000-8000-000000000002");
    private static readonly DateTimeOffset Start = new(2024, 5, 2, 21, 40, 0, TimeSpan.FromHours(7));

    /// <summary>An incident's course as incidents publishes it: resolved, reopened, resolved again, … each later than the one before.</summary>
    private static readonly Gen<object[]> Courses =
        Gen.Enum<IncidentOutcome>().Array[1, 4].Select(outcomes => outcomes
            .SelectMany((outcome, index) => index == 0
                ? [Resolved(outcome, index)]
                : new object[] { new IncidentReopened(IncidentId, [TipId], Start.AddHours(2 * index - 1)), Resolved(outcome, index) })
            .ToArray());

    [Fact]
    public void Whatever_the_order_and_the_repeats_a_tip_stands_at_the_last_outcome_once()
    {
        Gen.Select(Courses, Gen.Int.Array[12], Gen.Int[0, 3].Array[12]).Sample((course, keys, repeats) =>
        {
            var deliveries = course
                .SelectMany((message, index) => Enumerable.Repeat(message, 1 + repeats[index]).Select(copy => (Key: keys[index] ^ copy.GetHashCode(), Message: copy)))
                .OrderBy(delivery => delivery.Key)
                .Select(delivery => delivery.Message);

            var (tip, row) = deliveries.Aggregate(Referred(), Deliver);

            var last = (IncidentResolved)course[^1];
            var outcome = Assert.Single(tip.Outcomes);
            Assert.Equal((last.Outcome, last.ResolvedAt), (outcome.Outcome, outcome.ResolvedAt));

            // The statistics' read model stands where the tip stands.
            Assert.Equal(new TipRowOutcome(IncidentId, last.Outcome), Assert.Single(row.Outcomes));
            Assert.Equal(tip.Status, row.Status);
        });
    }

    [Fact]
    public void A_reopened_incident_takes_its_outcome_off_the_tip_until_it_resolves_again()
    {
        var solved = Deliver(Referred(), Resolved(IncidentOutcome.CriminalCaseSolved, 0));
        var (reopened, row) = Deliver(solved, new IncidentReopened(IncidentId, [TipId], Start.AddHours(1)));

        Assert.Empty(reopened.Outcomes);
        Assert.Equal(TipStatus.Referred, reopened.Status);
        Assert.Empty(row.Outcomes);
        Assert.Equal(TipStatus.Referred, row.Status);
        Assert.Empty(Tip.WithdrawOutcome(reopened, IncidentId, Start.AddHours(1)).Events);
        Assert.Empty(Tip.RecordOutcome(reopened, Resolved(IncidentOutcome.CriminalCaseSolved, 0)).Events);
    }

    /// <summary>
    /// Incidents decides and tips follows: whatever an officer does to an incident (links the tip, unlinks it, resolves it
    /// now, backdated or a little ahead, reopens it, closes it, at any pace, the same second included), and in whatever
    /// order and however often the published messages reach tips, the tip holds the incident's outcome exactly when its
    /// last resolution named the tip and nothing took it off since (a reopening, the tip's unlinking). A tip linked after
    /// the resolution takes the outcome at the next one.
    /// </summary>
    [Fact]
    public void Whatever_an_officer_does_and_however_the_news_arrives_the_tip_holds_the_outcome_exactly_when_the_incident_gives_it()
    {
        var steps = Gen.Select(Gen.Int[0, 4], Gen.Int[0, 90], Gen.Int[-30, 600]).Array[1, 25];
        Gen.Select(steps, Gen.Int.Array[60], Gen.Int[0, 2].Array[60]).Sample((course, keys, repeats) =>
        {
            var incident = IncidentDecisionTests.UnderInvestigation();
            var now = incident.OccurredAt.AddHours(3);
            var messages = new List<object>();
            (bool Holds, DateTimeOffset At) expected = (false, default);
            foreach (var (step, advance, back) in course)
            {
                now = now.AddSeconds(advance);
                var decision = step switch
                {
                    0 => Decided.Incident.LinkTip(incident, new Decided.LinkTip(TipId, null), now, "officer"),
                    1 => Decided.Incident.UnlinkTip(incident, new Decided.UnlinkTip(TipId), now, "officer"),
                    2 => Decided.Incident.Resolve(incident, new Decided.ResolveIncident(IncidentOutcome.CriminalCaseSolved, null, now.AddSeconds(-back)), now, "officer"),
                    3 => Decided.Incident.Reopen(incident, new Decided.ReopenIncident("Contested"), now, "officer"),
                    _ => Decided.Incident.Close(incident, new Decided.CloseIncident(), now, "officer"),
                };
                foreach (var happened in decision.Events)
                {
                    (incident, expected) = happened switch
                    {
                        Decided.TipLinked linked => (incident.Apply(linked), expected),
                        Decided.TipUnlinked unlinked => (incident.Apply(unlinked), (false, expected.At)),
                        Decided.IncidentResolved resolved => (incident.Apply(resolved), (resolved.LinkedTipIds.Contains(TipId), resolved.At)),
                        Decided.IncidentReopened reopened => (incident.Apply(reopened), (false, expected.At)),
                        Decided.IncidentClosed closed => (incident.Apply(closed), expected),
                        _ => throw new InvalidOperationException($"Unexpected event {happened}"),
                    };
                    messages.AddRange(Published.ToMessage(new Event<object>(happened)) is { } message && IsAbout(message, TipId) ? [message] : []);
                }
            }

            var (tip, _) = messages
                .SelectMany((message, index) => Enumerable.Repeat(message, 1 + repeats[index % repeats.Length]).Select(copy => (Key: keys[index % keys.Length] ^ copy.GetHashCode(), Message: copy)))
                .OrderBy(delivery => delivery.Key)
                .Select(delivery => delivery.Message)
                .Aggregate(Referred(), Deliver);

            var held = tip.Outcomes.Where(outcome => outcome.IncidentId == incident.Id).Select(outcome => outcome.ResolvedAt).ToList();
            Assert.Equal(expected.Holds ? [expected.At] : [], held);
        },
        iter: 5_000);
    }

    /// <summary>
    /// A tip unlinked from the incident it was referred to, the link its referral made, is referred nowhere: it stood referred
    /// to an incident that no longer held it, and could be neither referred again ("already referred") nor assessed anew
    /// ("stays valuable"). Valuable again, in its state and in the list's row, it may be referred anew. An officer's link
    /// removed (incidents says which) leaves the referral, and so does an unlinking from another incident. However the news
    /// arrives (the unlinking, then a relink's resolution, in either order), the tip ends the same: referred nowhere, the
    /// outcome standing.
    /// </summary>
    [Fact]
    public void A_tip_unlinked_from_the_link_its_referral_made_is_referred_nowhere_whatever_order_the_news_comes_in()
    {
        var unlinked = new TipUnlinkedFromIncident(IncidentId, TipId, Start.AddHours(1), ReferralLink: true);
        var (tip, row) = Deliver(Referred(), unlinked);

        Assert.Null(tip.IncidentId);
        Assert.Equal((TipStatus.Assessed, TipStatus.Assessed), (tip.Status, row.Status));
        Assert.False(row.Referred);
        var again = Tip.Refer(tip, new ReferTip { NewIncidentId = Guid.NewGuid() }, Start.AddHours(2), "police-desk");
        Assert.True(again.IsAccepted, $"{again.Rejection}");
        Assert.True(Tip.Assess(tip, new AssessTip(TipVerdict.NotValuable, "the caller took it back"), Start.AddHours(2), "police-desk").IsAccepted);

        foreach (var kept in new[] { new TipUnlinkedFromIncident(IncidentId, TipId, Start.AddHours(1)), new TipUnlinkedFromIncident(Guid.NewGuid(), TipId, Start.AddHours(1), ReferralLink: true) })
        {
            var (keptTip, keptRow) = Deliver(Referred(), kept);
            Assert.Equal(IncidentId, keptTip.IncidentId);
            Assert.True(keptRow.Referred);
        }

        var resolvedAfterRelink = Resolved(IncidentOutcome.CriminalCaseSolved, 1);
        var unlinkFirst = Deliver(Deliver(Referred(), unlinked), resolvedAfterRelink);
        var resolveFirst = Deliver(Deliver(Referred(), resolvedAfterRelink), unlinked);
        foreach (var (ended, endedRow) in new[] { unlinkFirst, resolveFirst })
        {
            Assert.Null(ended.IncidentId);
            Assert.Equal(IncidentOutcome.CriminalCaseSolved, Assert.Single(ended.Outcomes).Outcome);
            Assert.Equal((TipStatus.Resolved, TipStatus.Resolved, false), (ended.Status, endedRow.Status, endedRow.Referred));
        }
    }

    /// <summary>
    /// A tip referred to an incident, unlinked from it (the link its referral made), referred to it again, unlinked again, …:
    /// however often each unlinking is heard again afterwards (a redelivery after the tip's ward committed and the
    /// consumer's ledger did not), the tip stands referred exactly when its last step was a referral, in its state and in
    /// the list's row; each referral again is one the tip takes (<see cref="Tip.Refer"/>), so each unlinking took the one before off.
    /// </summary>
    [Fact]
    public void An_unlinking_heard_again_leaves_a_newer_referral_to_the_same_incident_standing()
    {
        Gen.Select(Gen.Int[0, 7].Array[0, 3].Array[1, 4], Gen.Bool).Sample((cycles, endsReferred) =>
        {
            var current = Referred();
            var heard = new List<TipUnlinkedFromIncident>();
            foreach (var (redeliveries, cycle) in cycles.Select((redeliveries, cycle) => (redeliveries, cycle)))
            {
                var unlinked = new TipUnlinkedFromIncident(IncidentId, TipId, Start.AddHours(2 * cycle + 1), ReferralLink: true);
                heard.Add(unlinked);
                current = Deliver(current, unlinked);
                if (cycle < cycles.Length - 1 || endsReferred)
                {
                    var again = Tip.Refer(current.Tip, new ReferTip(IncidentId) { IncidentKnown = true }, Start.AddHours(2 * cycle + 2), "police-desk");
                    Assert.True(again.IsAccepted, $"{again.Rejection}");
                    current = Record(current, again.Events);
                }

                current = redeliveries.Select(pick => heard[pick % heard.Count]).Aggregate(current, Deliver);
            }

            Assert.Equal(endsReferred ? IncidentId : null, current.Tip.IncidentId);
            Assert.Equal(endsReferred, current.Row.Referred);
        });
    }

    /// <summary>
    /// A tip linked to a case by the police (not referred) takes its outcome and is resolved; referring it afterwards to a
    /// new incident leaves it resolved, in its state and in the list's row, while the outcome stands.
    /// </summary>
    [Fact]
    public void A_tip_resolved_through_a_linked_case_stays_resolved_when_it_is_referred_afterwards()
    {
        var received = new TipReceived(TipId, "TIP-2024-0002", TipChannel.Hotline, SecurityCategory.Theft, "seen", new Place(null, "gate", null, null), Start, "police-desk");
        var assessed = new TipAssessed(TipId, TipVerdict.Valuable, null, "credible", Start, "police-desk");
        var resolved = Deliver((TipState.Create(received).Apply(assessed), TipRows.Apply(assessed, TipRows.Create(received))), Resolved(IncidentOutcome.CriminalCaseSolved, 0));
        var referral = new TipReferred(TipId, "TIP-2024-0002", Guid.NewGuid(), false, SecurityCategory.Theft, "seen", new Place(null, "gate", null, null), Start, Start.AddHours(5), "police-desk");

        var (tip, row) = (resolved.Tip.Apply(referral), TipRows.Apply(referral, resolved.Row));

        Assert.Equal((TipStatus.Resolved, TipStatus.Resolved), (tip.Status, row.Status));
        Assert.True(row.Referred);
        Assert.Single(tip.Outcomes);
    }

    private static readonly Decided.IncidentsIntegrationEvents Published = new();

    /// <summary>Whether tips acts on <paramref name="message"/> for tip <paramref name="tipId"/> (its consumers act on the tips a message names).</summary>
    private static bool IsAbout(object message, Guid tipId) => message switch
    {
        IncidentResolved resolved => resolved.LinkedTipIds.Contains(tipId),
        IncidentReopened reopened => reopened.LinkedTipIds.Contains(tipId),
        TipUnlinkedFromIncident unlinked => unlinked.TipId == tipId,
        _ => false,
    };

    private static IncidentResolved Resolved(IncidentOutcome outcome, int index) =>
        new(IncidentId, "INC-2024-0001", IncidentClassification.Criminal, outcome, [TipId], Start.AddHours(2 * index));

    /// <summary>A referred tip, as it stands and as the statistics' read model holds it.</summary>
    private static (TipState Tip, TipRow Row) Referred()
    {
        var received = new TipReceived(TipId, "TIP-2024-0001", TipChannel.Hotline, SecurityCategory.Theft, "seen", new Place(null, "gate", null, null), Start, "police-desk");
        var assessed = new TipAssessed(TipId, TipVerdict.Valuable, null, "credible", Start, "police-desk");
        var referred = new TipReferred(TipId, "TIP-2024-0001", IncidentId, false, SecurityCategory.Theft, "seen", new Place(null, "gate", null, null), Start, Start, "police-desk");
        return (
            TipState.Create(received).Apply(assessed).Apply(referred),
            TipRows.Apply(referred, TipRows.Apply(assessed, TipRows.Create(received))));
    }

    private static (TipState Tip, TipRow Row) Deliver((TipState Tip, TipRow Row) current, object message)
    {
        var decision = message switch
        {
            IncidentResolved resolved => Tip.RecordOutcome(current.Tip, resolved),
            IncidentReopened reopened => Tip.WithdrawOutcome(current.Tip, reopened.IncidentId, reopened.ReopenedAt),
            TipUnlinkedFromIncident unlinked => Tip.Unlinked(current.Tip, unlinked),
            _ => throw new ArgumentException($"Not a message from incidents: {message}", nameof(message)),
        };
        return Record(current, decision.Events);
    }

    /// <summary>The tip and its row after <paramref name="events"/>.</summary>
    private static (TipState Tip, TipRow Row) Record((TipState Tip, TipRow Row) current, IEnumerable<object> events) =>
        events.Aggregate(current, (both, recorded) => recorded switch
        {
            TipReferred referred => (both.Tip.Apply(referred), TipRows.Apply(referred, both.Row)),
            TipOutcomeRecorded outcome => (both.Tip.Apply(outcome), TipRows.Apply(outcome, both.Row)),
            TipOutcomeWithdrawn withdrawn => (both.Tip.Apply(withdrawn), TipRows.Apply(withdrawn, both.Row)),
            TipReferralWithdrawn withdrawn => (both.Tip.Apply(withdrawn), TipRows.Apply(withdrawn, both.Row)),
            _ => throw new InvalidOperationException($"Unexpected event {recorded}"),
        });
}
