namespace WardLink.Testing;

/// <summary>Tables of the repository's Markdown documents, as the tests that hold the code to them read them.</summary>
public static class MarkdownTables
{
    /// <summary>The cells of a table row, trimmed and out of their backticks; none for a line that is no row.</summary>
    public static List<string> Cells(string line) =>
        line.Trim() is ['|', .. var inner, '|'] ? [.. inner.Split('|').Select(cell => cell.Trim().Trim('`'))] : [];

    /// <summary>The cells of each row under the first header <paramref name="isHeader"/> accepts (past its separator line); null when there is none.</summary>
    public static IReadOnlyList<List<string>>? RowsUnder(IReadOnlyList<string> lines, Func<List<string>, bool> isHeader)
    {
        var header = lines.ToList().FindIndex(line => Cells(line) is { Count: > 0 } cells && isHeader(cells));
        return header < 0 ? null : [.. lines.Skip(header + 2).TakeWhile(line => line.TrimStart().StartsWith('|')).Select(Cells)];
    }
}
