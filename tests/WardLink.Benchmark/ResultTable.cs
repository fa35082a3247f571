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
