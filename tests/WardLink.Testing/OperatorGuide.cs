namespace WardLink.Testing;

/// <summary>The operator's guide (<c>deploy/README.md</c>) as the tests read it.</summary>
public static class OperatorGuide
{
    public const string Document = "deploy/README.md";

    private static readonly string[] ChecksHeader = ["check", "where", "fails when"];

    private static readonly string[] InstrumentsHeader = ["instrument", "type", "tags", "what"];

    /// <summary>
    /// The readiness checks the guide's table names for a process whose <c>where</c> cell <paramref name="applies"/>
    /// (e.g. <c>services</c>, <c>services that publish</c>, <c>gateway</c>), in ordinal order.
    /// </summary>
    public static IReadOnlyList<string> ReadinessChecks(Func<string, bool> applies) =>
        [.. Rows(ChecksHeader)
            .Where(cells => applies(cells[1]))
            .Select(cells => cells[0])
            .Order(StringComparer.Ordinal)];

    /// <summary>
    /// The instruments the guide's metrics table names whose names start with <paramref name="prefix"/>, in ordinal
    /// order (a row may name several, each in backticks; one that starts with a dot continues the row's first).
    /// </summary>
    public static IReadOnlyList<string> Instruments(string prefix) =>
        [.. Rows(InstrumentsHeader)
            .SelectMany(cells => cells[0].Split(',', StringSplitOptions.TrimEntries).Select(name => name.Trim('`')))
            .Where(name => name.StartsWith(prefix, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)];

    private static IReadOnlyList<List<string>> Rows(string[] header) =>
        MarkdownTables.RowsUnder(File.ReadAllLines(Repository.Path(Document)), cells => cells.SequenceEqual(header))
        ?? throw new InvalidOperationException($"{Document} has no table headed | {string.Join(" | ", header)} |.");
}
