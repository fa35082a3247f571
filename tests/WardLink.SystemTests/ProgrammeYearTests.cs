using WardLink.ServiceDefaults.Security;
using WardLink.Simulator;
using WardLink.Testing;

namespace WardLink.SystemTests;

/// <summary>The system with a per-client rate limit that a bulk load of a year's records fits under.</summary>
public sealed class BulkLoadedSystem : WardLinkSystem
{
    /// <summary>The year is played into an empty system only.</summary>
    protected override bool RegistersTestPartners => false;

    protected override IReadOnlyDictionary<string, string?> MoreGatewaySettings { get; } = new Dictionary<string, string?>
    {
        ["RateLimits:PerClient:PermitLimit"] = "100000",
    };
}

/// <summary>
/// The simulator plays the programme's year through the gateway; the annual figures are the
/// programme's, and every service's audit chain is intact over the events the year wrote.
/// </summary>
public sealed class ProgrammeYearTests(BulkLoadedSystem system) : IClassFixture<BulkLoadedSystem>
{
    [Fact]
    public async Task The_year_played_through_the_gateway_shows_the_programmes_figures_in_the_annual_reports_and_leaves_every_audit_chain_intact()
    {
        await system.WaitUntilReadyAsync();
        using var gateway = system.CreateGatewayClient();
        using var progress = new StringWriter();

        var plan = new YearPlan(seed: 11, Demo.Partners.Count, patrolDays: 14);
        var (baseline, year) = await new YearSimulation(gateway, progress).RunAsync(plan, TestContext.Current.CancellationToken);

        TestContext.Current.TestOutputHelper?.WriteLine(progress.ToString() + ProgrammeCheck.Table(baseline, year));
        Assert.Equal(22, baseline.Incidents);
        Assert.Equal(13, baseline.CriminalIncidents);
        Assert.Equal(0, baseline.TipsReceived);
        Assert.Equal(297, year.TipsReceived);
        Assert.Equal(82, year.TipsValuable);
        Assert.Equal(82, year.TipsReferred);
        Assert.Equal(8, year.CriminalCasesContributed);
        Assert.Equal(5, year.AdministrativeViolationsContributed);
        Assert.Equal(8, year.CriminalCasesSolved);
        Assert.Equal(5, year.AdministrativeViolationsHandled);
        Assert.Equal(12, year.PartnersInLinkage);
        Assert.Equal(12, year.MeetingsHeld);
        Assert.Equal(12, year.ActionItemsClosed);
        Assert.Equal(366 + 314, year.ShiftsPlanned);
        var performed = plan.Shifts.Where(shift => shift.Performed).ToList();
        Assert.Equal(performed.Count, year.ShiftsPerformed);
        Assert.Equal(performed.Sum(shift => shift.CheckIns.Count), year.CheckIns);
        Assert.Equal(performed.Sum(shift => PatrolRoutePlan.All.Single(route => route.Name == shift.Route).Checkpoints.Count - shift.CheckIns.Count), year.CheckpointsMissed);
        Assert.Empty(ProgrammeCheck.Differences(baseline, year));

        // The 2025 merger, played by a police client of the whole province and read both ways.
        using var province = system.CreateAnonymousGatewayClient().As(TestAuth.Token(WardLinkRoles.Police, provinces: [WardMerger.Province]));
        var merger = await new WardMerger(province, progress).RunAsync(TestContext.Current.CancellationToken);
        TestContext.Current.TestOutputHelper?.WriteLine(WardMerger.Table(merger));
        Assert.Empty(WardMerger.Differences(merger));

        var audit = await AuditIntegrity.CheckAsync(new Api(gateway), progress, TestContext.Current.CancellationToken);
        TestContext.Current.TestOutputHelper?.WriteLine(AuditIntegrity.Table(audit));
        Assert.Equal(AnnualReport.Services, audit.Select(verdict => verdict.Service));
        Assert.Empty(AuditIntegrity.Problems(audit));
        Assert.All(audit, verdict =>
        {
            Assert.True(verdict.Intact, verdict.Service);
            Assert.True(verdict.EventsChecked > 0, verdict.Service);
            Assert.True(verdict.ChainedThrough >= verdict.LastSequence, verdict.Service);
            Assert.Empty(verdict.CheckpointsDisagreeing);
        });
    }
}
