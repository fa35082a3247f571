using System.Text;
using System.Text.Json;

namespace WardLink.Simulator;

/// <summary>
/// What one service's <c>GET /api/audit/{service}/integrity</c> reported once its chain covered the
/// log as the run left it (<see cref="LastSequence"/>): whether the chain is complete and intact, how
/// far it reaches, its first broken link (a cut head or tail included), the checkpoints that disagree
/// with it or that it does not reach (as JSON, for the message), and how many events no peer has
/// witnessed yet.
/// </summary>
public sealed record AuditVerdict(
    string Service, long LastSequence, bool Intact, long EventsChecked, long ChainedThrough, long Pending, int CheckpointsAgreeing, string? FirstBroken, IReadOnlyList<string> CheckpointsDisagreeing, long Unwitnessed);

/// <summary>
/// The audit check that ends the year: every service's hash chain must be complete (from genesis to
/// every checkpoint it took) and intact over all the events the run wrote. The chain is extended by an asynchronous ordered subscription, so the check
/// first takes the last sequence of each service's log once the run is over (the last line of
/// <c>/log?after=</c> the chain's reach, or the reach itself when nothing waits), then asks for the
/// integrity report until the chain has reached that sequence; a broken chain fails at once.
/// </summary>
public static class AuditIntegrity
{
    /// <summary>How long a service's chain may take to link the events of the run's last moments.</summary>
    public static readonly TimeSpan Coverage = TimeSpan.FromSeconds(120);

    public static async Task<IReadOnlyList<AuditVerdict>> CheckAsync(Api api, TextWriter progress, CancellationToken ct)
    {
        var verdicts = new List<AuditVerdict>();
        foreach (var service in AnnualReport.Services)
        {
            var report = await api.GetAsync($"audit/{service}/integrity", ct);
            var reach = report.GetProperty("chainedThrough").GetInt64();
            var waiting = await api.GetLinesAsync($"audit/{service}/log?after={reach}", ct);
            var last = waiting.Count == 0 ? reach : waiting[^1].GetProperty("sequence").GetInt64();
            progress.WriteLine($"[simulator] audit of {service}: the run left its log at sequence {last}; the chain reaches {reach}");
            await Api.UntilAsync(
                async () =>
                {
                    report = await api.GetAsync($"audit/{service}/integrity", ct);
                    return !report.GetProperty("intact").GetBoolean() || report.GetProperty("chainedThrough").GetInt64() >= last;
                },
                $"the audit chain of {service} to reach sequence {last}",
                Coverage,
                ct);
            verdicts.Add(VerdictOf(service, last, report));
        }

        return verdicts;
    }

    /// <summary>What is wrong with the verdicts: a broken chain, a disagreeing checkpoint, a log the run left empty.</summary>
    public static IReadOnlyList<string> Problems(IEnumerable<AuditVerdict> verdicts) =>
    [
        .. verdicts.SelectMany(verdict => (verdict.Intact, verdict.LastSequence) switch
        {
            (_, 0) => [$"{verdict.Service}: the audit log is empty after the year"],
            (true, _) => [],
            _ => verdict.CheckpointsDisagreeing.Select(checkpoint => $"{verdict.Service}: checkpoint {checkpoint} disagrees with the recomputed chain")
                .Prepend($"{verdict.Service}: the audit chain is not intact; first broken link: {verdict.FirstBroken ?? "none"}"),
        }),
    ];

    public static string Table(IEnumerable<AuditVerdict> verdicts)
    {
        var table = new StringBuilder()
            .AppendLine("| audit | last sequence of the run | chain intact | events checked | chained through | pending | checkpoints agreeing | unwitnessed events |")
            .AppendLine("| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |");
        foreach (var verdict in verdicts)
        {
            table.AppendLine($"| {verdict.Service} | {verdict.LastSequence} | {(verdict.Intact ? "yes" : "NO")} | {verdict.EventsChecked} | {verdict.ChainedThrough} | {verdict.Pending} | {verdict.CheckpointsAgreeing} | {verdict.Unwitnessed} |");
        }

        return table.ToString();
    }

    /// <summary>The verdict on <paramref name="service"/>'s integrity report (its JSON), whose log the run left at sequence <paramref name="last"/>.</summary>
    public static AuditVerdict VerdictOf(string service, long last, JsonElement report)
    {
        var checkpoints = report.GetProperty("checkpoints").EnumerateArray().ToList();
        bool Agrees(JsonElement checkpoint, bool value) => checkpoint.GetProperty("agrees").GetBoolean() == value;
        return new AuditVerdict(
            service,
            last,
            report.GetProperty("intact").GetBoolean(),
            report.GetProperty("eventsChecked").GetInt64(),
            report.GetProperty("chainedThrough").GetInt64(),
            report.GetProperty("pending").GetInt64(),
            checkpoints.Count(checkpoint => Agrees(checkpoint, true)),
            report.GetProperty("firstBroken") is { ValueKind: JsonValueKind.Object } broken ? broken.GetRawText() : null,
            [.. checkpoints.Where(checkpoint => Agrees(checkpoint, false)).Select(checkpoint => checkpoint.GetRawText())],
            report.GetProperty("unwitnessed").GetProperty("events").GetInt64());
    }
}
