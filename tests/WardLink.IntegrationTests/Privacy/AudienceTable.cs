using WardLink.Testing;

namespace WardLink.IntegrationTests.Privacy;

/// <summary>
/// The security document's table of which audience reads which personal or police-only field: rows named as
/// <see cref="PrivateText.Fields"/>, one column per <see cref="Audience"/>, each cell <c>yes</c> or <c>no</c>.
/// </summary>
public sealed record AudienceTable(IReadOnlyDictionary<string, IReadOnlyDictionary<Audience, bool>> Rows)
{
    /// <summary>The columns, in the table's order and words.</summary>
    public static readonly IReadOnlyList<(string Header, Audience Audience)> Columns =
    [
        ("police", Audience.Police),
        ("partner of the site", Audience.PartnerOfTheSite),
        ("other partner", Audience.OtherPartner),
        ("auditor", Audience.Auditor),
        ("ops", Audience.Ops),
        ("public", Audience.Public),
    ];

    private const string FirstHeader = "field";

    /// <summary>Where the table is, from the repository's root.</summary>
    public const string Document = "docs/security.md";

    public static string HeaderLine => $"| {FirstHeader} | {string.Join(" | ", Columns.Select(column => column.Header))} |";

    /// <summary>Reads the table from the repository's docs/security.md (the repository found from the test's folder upwards).</summary>
    public static AudienceTable FromSecurityDocument()
    {
        return Parse(File.ReadAllLines(Repository.Path(Document)));
    }

    public static AudienceTable Parse(IReadOnlyList<string> lines)
    {
        var table = MarkdownTables.RowsUnder(lines, cells => cells is [FirstHeader, ..] && cells.Skip(1).SequenceEqual(Columns.Select(column => column.Header)));
        Assert.True(table is not null, $"{Document} has no table with the header {HeaderLine}");
        var rows = new Dictionary<string, IReadOnlyDictionary<Audience, bool>>(StringComparer.Ordinal);
        foreach (var cells in table)
        {
            var line = string.Join(" | ", cells);
            Assert.True(cells.Count == Columns.Count + 1, $"{Document} audience table: row \"{line}\" has {cells.Count} cells, not {Columns.Count + 1}.");
            Assert.True(cells.Skip(1).All(cell => cell is "yes" or "no"), $"{Document} audience table: row \"{line}\" has a cell that is neither yes nor no.");
            Assert.True(rows.TryAdd(cells[0], Columns.Select((column, i) => (column.Audience, Shown: cells[i + 1] == "yes")).ToDictionary(cell => cell.Audience, cell => cell.Shown)),
                $"{Document} audience table: row \"{cells[0]}\" is there twice.");
        }

        return new AudienceTable(rows);
    }
}
