using System.Diagnostics;
using System.Globalization;
using WardLink.Benchmark;
using WardLink.Simulator;

// The benchmark behind ./bench.sh: WardLink's tip intake, latency, propagation, one ward among many,
// replay and store growth on this machine, against PostgreSQL's own rates, as one table (--sections
// picks some). bench.sh starts the infrastructure and builds; this starts the services and the gateway and measures.
var options = BenchmarkOptions.Parse(args);
if (options is null)
{
    await Console.Error.WriteLineAsync(BenchmarkOptions.Usage);
    return 2;
}

// The server, as the developer's role (it makes pgbench's database); each service connects as its own.
var postgres = Environment.GetEnvironmentVariable("WARDLINK_POSTGRES");
var missing = SystemUnderTest.Variables.Prepend("WARDLINK_POSTGRES").Where(variable => string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(variable))).ToList();
if (string.IsNullOrWhiteSpace(postgres) || missing.Count > 0)
{
    await Console.Error.WriteLineAsync($"{string.Join(", ", missing)} must be set: run ./bench.sh.");
    return 2;
}

void Say(string line) => Console.Error.WriteLine($"[bench {DateTime.UtcNow:HH:mm:ss}] {line}");
string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, press) => { press.Cancel = true; cancel.Cancel(); };
var ct = cancel.Token;

// Services just started run slower while the JIT compiles what the load runs (on 2026-12-01, 20 % of the
// tips service's CPU in its first minute of intake was the JIT's): measures are taken once warm.
async Task SettleAsync(IReadOnlyList<Func<CancellationToken, Task<double>>> measures, double tolerance, string what, string unit, string rows)
{
    const int rounds = 10;
    if (!await Load.SettleAsync(measures, tolerance, rounds, results => Say($"  warming up, {what}: {string.Join(", ", results.Select(result => F($"{result:0.0}")))} {unit}"), ct))
    {
        Say($"  not settled after {rounds} rounds: {rows} may be slower than the system's steady state.");
    }
}
var loadSockets = Load.CompletesInline ? "the load's socket continuations inline, the system's through the thread pool" : "every process's socket continuations through the thread pool";
var table = new ResultTable($"{Machine.Describe()}; PostgreSQL {await Measurements.SettingsAsync(postgres, ct)}; {loadSockets}; load average (1 / 5 / 15 min) {Machine.LoadAverage()} at the start");

await using var system = new SystemUnderTest(options.Repository, options.FirstPort);
Say("starting the four services and the gateway (Release, Production)...");
await system.StartAsync(ct);

// Measures that must not share the machine with a backlog (daemons, consumers, autovacuum) wait until it is quiet.
async Task QuietAsync(string what)
{
    var waited = Stopwatch.StartNew();
    Say(await Measurements.QuietAsync(system, TimeSpan.FromSeconds(60), ct)
        ? F($"  the machine is quiet (under a fifth of a core over a second) after {waited.Elapsed.TotalSeconds:0.0} s")
        : $"  the machine did not get quiet (under a fifth of a core) within 60 s: {what} it with what still runs.");
}
using var sampling = new PeriodicTimer(TimeSpan.FromMilliseconds(500));
var sampler = Task.Run(async () =>
{
    while (await sampling.WaitForNextTickAsync(ct))
    {
        system.SampleWorkingSets();
    }
}, ct);

using var gateway = TokenHandler.CreateClient(system.Gateway.Address, system.Client, TimeSpan.FromSeconds(30));
using var direct = TokenHandler.CreateClient(system.Gateway.Address, system.Client, TimeSpan.FromSeconds(30), system.Service("tips").Address);

// The intake's warm-up, once, before whichever intake section runs first (run alone, the latency section
// measured services nothing had warmed: p99 1,456 ms at 500/s, against 25.7 and 55.6 ms in whole runs).
var intakeWarm = false;
async Task WarmIntakeAsync()
{
    if (intakeWarm)
    {
        return;
    }

    intakeWarm = true;
    Say("tip intake, closed loop: warming up, direct to the tips service and through the gateway...");
    await SettleAsync(
        [.. new[] { direct, gateway }.Select(client => (Func<CancellationToken, Task<double>>)(async ct => (await Load.ClosedLoopAsync(client, options.Clients, TimeSpan.FromSeconds(5), ct)).Rate))],
        0.10,
        "the rate direct and through the gateway",
        "tips/s",
        "the intake rows");
}

// The audit feed's first line comes once PostgreSQL has ordered the whole log: at 100× on a loaded
// machine that took more than the other clients' 30 s.
using var replayClient = TokenHandler.CreateClient(system.Gateway.Address, system.Client, TimeSpan.FromMinutes(30));

// What 8 closed-loop clients sustain through the gateway: measured by the throughput section, or for the overload section alone.
double? gatewayRate = null;
if (options.Runs("throughput"))
{
    Say($"pgbench: single-row INSERT, {options.Clients} clients, {options.Duration.TotalSeconds:0} s...");
    var pg = await Measurements.PgBenchInsertRateAsync(postgres, options.Clients, options.Duration, ct);

    await WarmIntakeAsync();
    Say("tip intake, closed loop: direct to the tips service and through the gateway, in turns...");

    // Direct and through the gateway in turns, a third of the duration at a time: what the machine's
    // other work (the daemons catching up, the JIT, other processes) takes falls on both alike.
    // The CPU each process spends on the gateway's turns is summed, to say what a tip costs each.
    double directTips = 0, gatewayTips = 0;
    int directFailures = 0, gatewayFailures = 0;
    var gatewayCpu = new CpuTotals(system.ProcessNames);
    var turn = options.Duration / 3;
    for (var round = 0; round < 3; round++)
    {
        var (directRound, directFailed) = await Load.ClosedLoopAsync(direct, options.Clients, turn, ct);
        var (gatewayRound, gatewayFailed) = await gatewayCpu.MeasureAsync(() => Load.ClosedLoopAsync(gateway, options.Clients, turn, ct));
        (directTips, directFailures) = (directTips + directRound * turn.TotalSeconds, directFailures + directFailed);
        (gatewayTips, gatewayFailures) = (gatewayTips + gatewayRound * turn.TotalSeconds, gatewayFailures + gatewayFailed);
    }

    var directRate = directTips / options.Duration.TotalSeconds;
    var sustained = gatewayTips / options.Duration.TotalSeconds;
    gatewayRate = sustained;
    table.Add(F($"PostgreSQL single-row INSERT (pgbench, {options.Clients} clients)"), F($"{pg:0} rows/s"), "", null);
    table.Add(F($"tip intake direct to the tips service ({options.Clients} clients)"), F($"{directRate:0} tips/s ({directFailures} failed)"), "", null);
    table.Add(F($"tip intake through the gateway ({options.Clients} clients)"), F($"{sustained:0} tips/s ({gatewayFailures} failed) = {sustained / pg:P0} of pgbench; CPU ms per 1,000 tips: {gatewayCpu.PerThousand(gatewayTips)}"), "≥ 25% of pgbench", sustained >= 0.25 * pg);
    table.Add("gateway vs direct throughput", F($"{sustained / directRate:P0}"), "≥ 85%", sustained >= 0.85 * directRate);
}

if (options.Runs("latency"))
{
    await WarmIntakeAsync();

    // The fixed rate's latency is that of the intake and its own daemons' work, never of a backlog the closed-loop
    // rounds before it left the daemons (on 2026-12-02 they left none: quiet after a second).
    await QuietAsync("the latency run shares");
    Say($"tip intake, open loop at {options.Rate}/s through the gateway for {options.Duration.TotalSeconds:0} s...");
    var fixedRate = await Load.OpenLoopAsync(gateway, options.Rate, options.Duration, ct);
    table.Add(F($"intake latency at {options.Rate}/s (gateway)"), fixedRate.Describe(), "p99 < 50 ms", fixedRate.P99 < 50 && fixedRate.Failures == 0 && fixedRate.Refused == 0);
}

// Twice what 8 closed-loop clients sustained through the gateway: admission control refuses what
// exceeds its bound at once (503), the admitted keep their latency, no process grows past 300 MB.
if (options.Runs("overload"))
{
    if (gatewayRate is null)
    {
        await WarmIntakeAsync();
        Say("tip intake, closed loop through the gateway: the sustained rate the overload doubles...");
        (gatewayRate, _) = await Load.ClosedLoopAsync(gateway, options.Clients, options.Duration, ct);
    }

    var overload = 2 * gatewayRate.Value;
    await QuietAsync("the overload shares");
    Say(F($"overload: open loop at {overload:0}/s (twice the sustained rate) through the gateway for {options.Duration.TotalSeconds:0} s..."));
    system.StartPhase();
    var overloaded = await Load.OpenLoopAsync(gateway, overload, options.Duration, ct);
    system.SampleWorkingSets();
    var overloadPeak = system.PhasePeakWorkingSets.MaxBy(process => process.Value);
    table.Add(
        F($"overload: intake at {overload:0}/s, twice the sustained rate (gateway)"),
        F($"{(double)overloaded.Refused / Math.Max(1, overloaded.Refused + overloaded.Requests + overloaded.Failures):P0} refused with 503 (p99 {overloaded.RefusedP99:0.0} ms); admitted {overloaded.Describe()}; largest process {overloadPeak.Key} {overloadPeak.Value / 1048576.0:0} MB"),
        "admitted p99 < 500 ms, nothing but 503 refused, every process < 300 MB",
        overloaded.P99 < 500 && overloaded.Failures == 0 && overloadPeak.Value < 300L * 1048576);
}

if (options.Runs("propagation"))
{
    const int warmReferrals = 5;
    // After the intake sections, the daemons may still be working through their backlog: propagation is
    // measured once both chains have linked every event, after a few referrals that warm the path.
    Say($"propagation: waiting for the tips and incidents daemons to catch up, {warmReferrals} referrals unrecorded, then {options.PropagationSamples} referrals, TipReferred in tips → IncidentReported in incidents...");
    foreach (var service in new[] { "tips", "incidents" })
    {
        await Measurements.ChainCatchUpAsync(SystemUnderTest.ConnectionStringOf(service), TimeSpan.FromMinutes(15), ct);
    }

    await Measurements.PropagationAsync(gateway, warmReferrals, ct);
    var propagation = await Measurements.PropagationAsync(gateway, options.PropagationSamples, ct);
    table.Add("propagation append → effect in another service (tip referred → incident opened)",
        F($"p50 {propagation.P50:0} ms, p99 {propagation.P99:0} ms ({propagation.Requests} referrals)"), "p50 < 50 ms, p99 < 150 ms", propagation.P50 < 50 && propagation.P99 < 150);
}

// One ward's intake and statistics as the province around it grows: the home ward's own client
// (bound to it) and the province's police, at the growth rate, the same tips in every ward.
if (options.Runs("wards"))
{
    using var provinceClient = TokenHandler.CreateClient(system.Gateway.Address, system.ProvinceClient, TimeSpan.FromSeconds(30));
    var province = new ProvinceWards(provinceClient, options.Clients, options.WardTips, Console.Error);
    var home = ProvinceWards.Home;
    var measures = new (string Measure, HttpClient Client, LoadRequest Request)[]
    {
        (F($"{home}: tip intake p50 at {options.GrowthRate}/s by its own client"), gateway, LoadRequest.Intake(home)),
        (F($"{home}: tip intake p50 at {options.GrowthRate}/s by the province's police"), provinceClient, LoadRequest.Intake(home)),
        (F($"{home}: tip statistics (GET /api/tips/stats) p50 at {options.GrowthRate}/s"), gateway, LoadRequest.Read($"/api/tips/stats?year={ProvinceWards.Year}&ward={home}")),
        (F($"{home}: annual report (GET /api/reports/annual) p50 at {options.GrowthRate}/s"), gateway, LoadRequest.Read($"/api/reports/annual?year={ProvinceWards.Year}&ward={home}")),
    };
    var runs = measures.Select(_ => new List<(string Condition, string Short, Latencies Latencies)>()).ToList();
    foreach (var count in options.WardCounts)
    {
        var wards = count == 1 ? "1 ward" : F($"{count} wards");
        Say($"growing the province to {wards}, {options.WardTips} tip(s) in each (load average {Machine.LoadAverage()})...");
        await province.GrowToAsync(count, ct);

        // Run alone, the section starts on services just started, slower for their first minutes.
        if (count == options.WardCounts[0])
        {
            await SettleAsync(
                [.. measures.Select(measure => (Func<CancellationToken, Task<double>>)(async ct => (await Load.OpenLoopAsync(measure.Client, options.GrowthRate, TimeSpan.FromSeconds(3), ct, measure.Request)).P50))],
                0.20,
                "each measure's p50",
                "ms",
                F($"the rows of {wards}"));
        }

        // The services' daemons and consumers are still working through the wards and tips just added:
        // each count is measured once they are done, so what is compared is the province's size.
        await QuietAsync(F($"the rows of {wards} share"));
        foreach (var ((measure, client, request), run) in measures.Zip(runs))
        {
            Say($"  {measure} with {wards} in the province...");
            run.Add((F($"with {wards} in the province"), wards, await Load.OpenLoopAsync(client, options.GrowthRate, options.Duration, ct, request)));
        }
    }

    foreach (var ((measure, _, _), run) in measures.Zip(runs))
    {
        table.AddGrowth(measure, run, 0.20, F($"p50 grows < 20% from {run[0].Short} to {run[^1].Short}"));
    }
}

if (options.Runs("growth"))
{
    var tipsDb = SystemUnderTest.ConnectionStringOf("tips");
    var growth = new List<(long Events, Latencies Intake, double PgRead, AuditReplay Replay, string PgCpu, string FeedCpu)>();
    var catchUps = new List<(long Linked, TimeSpan Took)>();
    // Multiples of --base-events: a store that already holds more than a multiple (the sections before add
    // tens of thousands of tips) is measured as it is, and the next multiple grows it.
    var baseEvents = options.BaseEvents;

    // The copies are of tips of one event (TipReceived): the demo's tips have more, so when no section
    // before posted any, a few seconds of intake make the templates (without them 1× measured the demo's 526 events).
    await Load.ClosedLoopAsync(gateway, options.Clients, TimeSpan.FromSeconds(3), ct);
    foreach (var factor in options.GrowthFactors)
    {
        var target = baseEvents * factor;
        Say($"growing the tips event store to {target:N0} events ({factor}×; tips stopped meanwhile)...");
        await system.StopForAsync("tips", () => Measurements.GrowTipsStoreAsync(tipsDb, target, ct), ct);
        Say("  waiting for the audit chain to link the copies...");
        catchUps.Add(await Measurements.ChainCatchUpAsync(tipsDb, TimeSpan.FromMinutes(15), ct));

        // What the copies leave behind (PostgreSQL's autovacuum of the tables that grew, the daemons) done first: on
        // 2026-12-02 two runs measured the intake at 1,000,000 events right after the chain's catch-up, at 32.7 and
        // 20.3 ms (p50) against 12.6 and 13.3 ms at 1×.
        await QuietAsync("the intake shares");
        await Load.ClosedLoopAsync(gateway, options.Clients, TimeSpan.FromSeconds(3), ct);
        var events = await Measurements.EventCountAsync(tipsDb, ct);
        Say($"  intake at {options.GrowthRate}/s with {events:N0} events in the store...");
        var intake = await Load.OpenLoopAsync(gateway, options.GrowthRate, options.Duration, ct);

        // Reads for 2 s before warm PostgreSQL's cache, so that neither timed read pays for the disk alone, and
        // the feed's code in the tips service just started and in the gateway (the JIT compiles the loop again
        // with what it measured: on 2026-12-02 a process took three reads of 300,000 rows to settle; the feed's
        // first 2,000 lines, or one read of 3,000 events, left the service at 14–22 ms of CPU a thousand events
        // against 8 once settled). Then each is timed in turns, twice, so that what the machine does meanwhile
        // falls on both alike: one after the other, the ratio at 1,000,000 events moved from 61 % to 89 % between runs.
        Say("  replay: PostgreSQL reading the audit log's rows, then the audit feed through the gateway, each for at least 2 s to warm (PostgreSQL's cache, the feed's code), then in turns, each twice for at least 2 s...");
        await QuietAsync("the reads share");

        var minimum = TimeSpan.FromSeconds(2);
        await Measurements.PostgresReadRateAsync(tipsDb, minimum, ct);
        await Measurements.AuditReplayAsync(replayClient, "tips", system.Service("tips"), minimum, ct);
        var (pgCpu, feedCpu) = (new CpuTotals(system.ProcessNames), new CpuTotals(system.ProcessNames));
        var pgRead = new ReadRate(0, 0);
        AuditReplay? replay = null;
        for (var turn = 0; turn < 2; turn++)
        {
            var (_, pgRows, pgRate) = await pgCpu.MeasureAsync(() => Measurements.PostgresReadRateAsync(tipsDb, minimum, ct));
            pgRead = pgRead.And(pgRows, pgRate);
            var feed = await feedCpu.MeasureAsync(() => Measurements.AuditReplayAsync(replayClient, "tips", system.Service("tips"), minimum, ct));
            replay = replay?.And(feed) ?? feed;
        }

        var (pgCpuUse, feedCpuUse) = (pgCpu.PerThousand(pgRead.Rows), feedCpu.PerThousand(replay!.Read));
        Say(F($"  audit replay of {replay.Events:N0} events: {replay.Rate:0} events/s vs PostgreSQL {pgRead.Rate:0} events/s"));
        Say($"  CPU ms per 1,000 events: PostgreSQL's read: {pgCpuUse}; the feed: {feedCpuUse}");
        growth.Add((events, intake, pgRead.Rate, replay, pgCpuUse, feedCpuUse));
    }

    table.AddGrowth(
        F($"intake p50 at {options.GrowthRate}/s"),
        [.. growth.Select(run => (F($"with {run.Events:N0} events in the store"), F($"{run.Events:N0}"), run.Intake))],
        0.20,
        "p50 grows < 20% from 1× to 100×");

    foreach (var ((events, _, _, _, _, _), (linked, took)) in growth.Zip(catchUps))
    {
        table.Add(F($"audit chain linking the copies after growing to {events:N0} events (tips restarted)"), linked == 0 ? "nothing to link" : F($"{linked / took.TotalSeconds:0} events/s ({linked:N0} events in {took.TotalSeconds:0.0} s)"), "", null);
    }

    foreach (var (_, _, pgRead, replay, pgCpu, feedCpu) in growth)
    {
        table.Add(
            F($"audit replay: the whole /api/audit/tips/log (NDJSON through the gateway) vs PostgreSQL reading its rows, {replay.Events:N0} events"),
            F($"{replay.Rate:0} events/s vs {pgRead:0} events/s = {replay.Rate / pgRead:P0}; tips' RSS {replay.BeforeBytes / 1048576.0:0} MB before, peak {replay.PeakBytes / 1048576.0:0} MB; CPU ms per 1,000 events, the feed: {feedCpu}; PostgreSQL's read: {pgCpu}"),
            F($"≥ 75% of PostgreSQL, memory flat (RSS grows < {AuditReplay.FlatBytes / 1048576} MB)"),
            replay.Rate >= 0.75 * pgRead && replay.GrowthBytes < AuditReplay.FlatBytes);
    }
}

cancel.CancelAfter(TimeSpan.FromSeconds(1));
await sampler.ContinueWith(_ => { }, TaskScheduler.Default);
foreach (var (name, peak) in system.PeakWorkingSets)
{
    table.Add(F($"working set of {name} (peak VmRSS, sampled every 500 ms)"), F($"{peak / 1048576.0:0} MB"), "< 300 MB", peak < 300L * 1048576);
}

Console.WriteLine(table.ToMarkdown($"{Machine.LoadAverage()} at the end"));
return 0;
