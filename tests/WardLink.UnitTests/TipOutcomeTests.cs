using CsCheck;
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

            var tip = deliveries.Aggregate(Referred(), Deliver);

            var last = (IncidentResolved)course[^1];
            var outcome = Assert.Single(tip.Outcomes);
            Assert.Equal((last.Outcome, last.ResolvedAt), (outcome.Outcome, outcome.ResolvedAt));
            var statistics = TipStatistics.Of(2024, [tip]);
            Assert.Equal(last.Outcome == IncidentOutcome.CriminalCaseSolved ? 1 : 0, statistics.CriminalCasesContributed);
            Assert.Equal(last.Outcome == IncidentOutcome.AdministrativeViolationHandled ? 1 : 0, statistics.AdministrativeViolationsContributed);
        });
    }

    [Fact]
    public void A_reopened_incident_takes_its_outcome_off_the_tip_until_it_resolves_again()
    {
        var solved = Deliver(Referred(), Resolved(IncidentOutcome.CriminalCaseSolved, 0));
        var reopened = Deliver(solved, new IncidentReopened(IncidentId, [TipId], Start.AddHours(1)));

        Assert.Empty(reopened.Outcomes);
        Assert.Equal(TipStatus.Referred, reopened.Status);
        Assert.Equal(0, TipStatistics.Of(2024, [reopened]).CriminalCasesContributed);
        Assert.Empty(Tip.WithdrawOutcome(reopened, new IncidentReopened(IncidentId, [TipId], Start.AddHours(1)), Start.AddHours(1), Tip.IncidentsActor).Events);
        Assert.Empty(Tip.RecordOutcome(reopened, Resolved(IncidentOutcome.CriminalCaseSolved, 0), Start, Tip.IncidentsActor).Events);
    }

    private static IncidentResolved Resolved(IncidentOutcome outcome, int index) =>
        new(IncidentId, "INC-2024-0001", IncidentClassification.Criminal, outcome, [TipId], Start.AddHours(2 * index));

    private static TipState Referred() =>
        TipState.Create(new TipReceived(TipId, "TIP-2024-0001", TipChannel.Hotline, SecurityCategory.Theft, "seen", new Place(null, "gate", null, null), Start, "police-desk"))
            .Apply(new TipAssessed(TipId, TipVerdict.Valuable, null, "credible", Start, "police-desk"))
            .Apply(new TipReferred(TipId, "TIP-2024-0001", IncidentId, false, SecurityCategory.Theft, "seen", new Place(null, "gate", null, null), Start, Start, "police-desk"));

    private static TipState Deliver(TipState tip, object message)
    {
        var decision = message switch
        {
            IncidentResolved resolved => Tip.RecordOutcome(tip, resolved, resolved.ResolvedAt, Tip.IncidentsActor),
            IncidentReopened reopened => Tip.WithdrawOutcome(tip, reopened, reopened.ReopenedAt, Tip.IncidentsActor),
            _ => throw new ArgumentException($"Not a message from incidents: {message}", nameof(message)),
        };
        return decision.Events.Aggregate(tip, (state, recorded) => recorded switch
        {
            TipOutcomeRecorded outcome => state.Apply(outcome),
            TipOutcomeWithdrawn withdrawn => state.Apply(withdrawn),
            _ => throw new InvalidOperationException($"Unexpected event {recorded}"),
        });
    }
}
