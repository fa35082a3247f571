using System.Text.Json;
using WardLink.Audit;
using WardLink.ServiceDefaults;
using WardLink.Simulator;

namespace WardLink.UnitTests;

/// <summary>
/// The simulator's audit verdicts, read from integrity reports as the services write them (the
/// chain verifier's report in the API's JSON): an intact chain passes, a break or a disagreeing
/// checkpoint fails with what broke, an empty log fails.
/// </summary>
public sealed class AuditIntegrityTests
{
    private static readonly DateTimeOffset Taken = new(2024, 12, 31, 23, 0, 0, TimeSpan.Zero);

    [Fact]
    public void An_intact_chain_over_the_runs_events_passes()
    {
        var (entries, heads) = HashChainTests.Log(4);

        var verdict = Verdict(HashChainTests.Verify(entries, HashChainTests.Signed("tips", 2, heads[1], Taken)), last: 4);

        Assert.Equal(("tips", 4L, true, 4L, 4L, 0L, 1, (string?)null), (verdict.Service, verdict.LastSequence, verdict.Intact, verdict.EventsChecked, verdict.ChainedThrough, verdict.Pending, verdict.CheckpointsAgreeing, verdict.FirstBroken));
        Assert.Empty(verdict.CheckpointsDisagreeing);
        Assert.Empty(AuditIntegrity.Problems([verdict]));
    }

    [Fact]
    public void Changed_data_fails_naming_the_service_the_broken_link_and_the_disagreeing_checkpoint()
    {
        var (entries, heads) = HashChainTests.Log(4);
        entries[2] = entries[2] with { Event = entries[2].Event! with { DataHash = new string('f', 64) } };

        var verdict = Verdict(HashChainTests.Verify(entries, HashChainTests.Signed("incidents", 4, heads[3], Taken)), last: 4);
        var problems = AuditIntegrity.Problems([verdict]);

        Assert.False(verdict.Intact);
        Assert.Equal(2, problems.Count);
        Assert.StartsWith("tips: the audit chain is not intact", problems[0], StringComparison.Ordinal);
        Assert.Contains("\"sequence\":3", problems[0], StringComparison.Ordinal);
        Assert.Contains("\"kind\":\"dataChanged\"", problems[0], StringComparison.Ordinal);
        Assert.Contains("\"holder\":\"incidents\"", problems[1], StringComparison.Ordinal);
    }

    [Fact]
    public void A_log_the_run_left_empty_fails()
    {
        var verdict = Verdict(HashChainTests.Verify([]), last: 0);

        Assert.True(verdict.Intact);
        Assert.Equal(["tips: the audit log is empty after the year"], AuditIntegrity.Problems([verdict]));
    }

    /// <summary>The report as the integrity endpoint answers it, read back by the simulator.</summary>
    private static AuditVerdict Verdict(IntegrityReport report, long last)
    {
        var json = new JsonSerializerOptions();
        ProblemResponses.ConfigureJson(json);
        return AuditIntegrity.VerdictOf(report.Service, last, JsonSerializer.SerializeToElement(report, json));
    }
}
