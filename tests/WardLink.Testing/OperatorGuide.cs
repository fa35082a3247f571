namespace WardLink.Testing;

/// <summary>The operator's guide (<c>deploy/README.md</c>) as the tests read it.</summary>
public static class OperatorGuide
{
    public const string Document = "deploy/README.md";

    private const string ChecksHeader = "| check | where | fails when |";

    private const string InstrumentsHeader = "| instrument | type | tags | what |";

    /// <summary>
    /// The readiness checks the guide's table names for a process whose <c>where</c> cell <paramref name="applies"/>
    /// (e.g. <c>services</c>, <c>services that publish</c>, <c>gateway</c>), in ordinal order.
    /// </summary>
    public static IReadOnlyList<string> ReadinessChecks(Func<string, bool> applies) =>
        [.. Rows(ChecksHeader)
            .Where(cells => applies(cells[2]))
            .Select(cells => cells[1].Trim('`'))
            .Order(StringComparer.Ordinal)];

    /// <summary>
    /// The instruments the guide's metrics table names whose names start with <paramref name="prefix"/>, in ordinal
    /// order (a row may name several, each in backticks; one that starts with a dot continues the row's first).
    /// </summary>
    public static IReadOnlyList<string> Instruments(string prefix) =>
        [.. Rows(InstrumentsHeader)
            .SelectMany(cells => cells[1].Split(',', StringSplitOptions.TrimEntries).Select(name => name.Trim('`')))
            .Where(name => name.StartsWith(prefix, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)];

    /// <summary>The cells of each row of the table headed <paramref name="header"/> (the first and last empty, around the pipes).</summary>
    private static IEnumerable<string[]> Rows(string header)
    {
        var lines = File.ReadAllLines(Repository.Path(Document));
        var at = Array.FindIndex(lines, line => line.Trim() == header);
        if (at < 0)
        {
            throw new InvalidOperationException($"{Document} has no table headed {header}.");
        }

        return lines
            .Skip(at + 2)
            .TakeWhile(line => line.TrimStart().StartsWith('|'))
            .Select(line => line.Split('|', StringSplitOptions.TrimEntries));
    }
}
