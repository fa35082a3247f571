using CsCheck;
using WardLink.Contracts;
using WardLink.Contracts.Incidents;
using WardLink.Contracts.Tips;
using WardLink.Domain;
using WardLink.Tips;
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
        Assert.Empty(Tip.RecordOutcome(reopened, Resolved(IncidentOutcome.CriminalCaseSolved, 0), Start, Tip.IncidentsActor).Events);
    }

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
            IncidentResolved resolved => Tip.RecordOutcome(current.Tip, resolved, resolved.ResolvedAt, Tip.IncidentsActor),
            IncidentReopened reopened => Tip.WithdrawOutcome(current.Tip, reopened.IncidentId, reopened.ReopenedAt),
            _ => throw new ArgumentException($"Not a message from incidents: {message}", nameof(message)),
        };
        return decision.Events.Aggregate(current, (both, recorded) => recorded switch
        {
            TipOutcomeRecorded outcome => (both.Tip.Apply(outcome), TipRows.Apply(outcome, both.Row)),
            TipOutcomeWithdrawn withdrawn => (both.Tip.Apply(withdrawn), TipRows.Apply(withdrawn, both.Row)),
            _ => throw new InvalidOperationException($"Unexpected event {recorded}"),
        });
    }
}
