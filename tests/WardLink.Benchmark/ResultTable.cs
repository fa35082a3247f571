using System.Globalization;
using System.Text;

namespace WardLink.Benchmark;

/// <summary>The benchmark's one table: each measure, its result, its target and whether the target is met.</summary>
public sealed class ResultTable(string machine)
{
    private readonly List<(string Measure, string Result, string Target, bool? Met)> _rows = [];

    /// <summary>Adds a row, and tells it on standard error at once (the table comes at the end of a long run).</summary>
    public void Add(string measure, string result, string target, bool? met)
    {
        _rows.Add((measure, result, target, met));
        Console.Error.WriteLine($"[bench {DateTime.UtcNow:HH:mm:ss}]   {measure}: {result}");
    }

    /// <summary>
    /// One row per run of a latency measured as something grows (the store, the wards): its p50 with the
    /// change against the first run's, its p99, and what was refused (503) or failed. The target, that
    /// p50 grows by less than <paramref name="maxGrowth"/> with nothing refused or failed, is judged at the last run.
    /// Each run names its <c>Condition</c> in the measure ("with 10 wards in the province") and is named
    /// <c>Short</c> as the first one ("1 ward") in the result.
    /// </summary>
    public void AddGrowth(string measure, IReadOnlyList<(string Condition, string Short, Latencies Latencies)> runs, double maxGrowth, string target)
    {
        var first = runs[0];
        foreach (var (condition, _, latencies) in runs)
        {
            var change = latencies.P50 / first.Latencies.P50 - 1;
            var unanswered = latencies.Refused + latencies.Failures == 0 ? "" : $", {latencies.Refused} refused with 503, {latencies.Failures} failed";
            Add(
                $"{measure} {condition}",
                string.Create(CultureInfo.InvariantCulture, $"{latencies.P50:0.0} ms ({change:+0%;-0%;0%} vs {first.Short}); p99 {latencies.P99:0.0} ms{unanswered}"),
                target,
                condition == runs[^1].Condition ? change < maxGrowth && latencies.Refused + latencies.Failures == 0 : null);
        }
    }

    /// <summary>The table, its machine line ending with <paramref name="machineAtEnd"/> (what changed on the machine during the run).</summary>
    public string ToMarkdown(string machineAtEnd)
    {
        var text = new StringBuilder()
            .AppendLine($"WardLink benchmark, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, on {machine}; {machineAtEnd}")
            .AppendLine()
            .AppendLine("| measure | result | target | met |")
            .AppendLine("| --- | --- | --- | --- |");
        foreach (var (measure, result, target, met) in _rows)
        {
            text.AppendLine($"| {measure} | {result} | {target} | {met switch { true => "yes", false => "**missed**", null => "" }} |");
        }

        return text.ToString();
    }
}
