namespace WardLink.Testing;

/// <summary>The operator's guide (<c>deploy/README.md</c>) as the tests read it.</summary>
public static class OperatorGuide
{
    public const string Document = "deploy/README.md";

    private const string ChecksHeader = "| check | where | fails when |";

    /// <summary>
    /// The readiness checks the guide's table names for a process whose <c>where</c> cell <paramref name="applies"/>
    /// (e.g. <c>services</c>, <c>services that publish</c>, <c>gateway</c>), in ordinal order.
    /// </summary>
    public static IReadOnlyList<string> ReadinessChecks(Func<string, bool> applies)
    {
        var lines = File.ReadAllLines(Repository.Path(Document));
        var header = Array.FindIndex(lines, line => line.Trim() == ChecksHeader);
        if (header < 0)
        {
            throw new InvalidOperationException($"{Document} has no table headed {ChecksHeader}.");
        }

        return [.. lines
            .Skip(header + 2)
            .TakeWhile(line => line.TrimStart().StartsWith('|'))
            .Select(line => line.Split('|', StringSplitOptions.TrimEntries))
            .Where(cells => applies(cells[2]))
            .Select(cells => cells[1].Trim('`'))
            .Order(StringComparer.Ordinal)];
    }
}
