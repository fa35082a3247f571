using System.Text.RegularExpressions;
using WardLink.Testing;

namespace WardLink.UnitTests;

/// <summary>
/// The operator's guide's metrics table (deploy/README.md) is what alerts and dashboards are built from: every
/// <c>wardlink.*</c> instrument the code creates is in it, and it names none the code does not create.
/// </summary>
public sealed partial class DocumentedMetricsTests
{
    private static readonly string[] CodeFolders = ["contracts", "gateway", "services", "shared"];

    [Fact]
    public void The_operators_guide_names_every_instrument_the_code_creates_and_no_other()
    {
        var created = CodeFolders
            .SelectMany(folder => Directory.EnumerateFiles(Repository.Path(folder), "*.cs", SearchOption.AllDirectories))
            .Where(file => !file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !file.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(InstrumentsCreatedIn)
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.True(created.Count >= 10, $"Only {created.Count} instruments were found in the code: the scan is broken.");
        Assert.Equal(OperatorGuide.Instruments("wardlink."), created);
    }

    /// <summary>
    /// The names of the instruments <paramref name="file"/> creates: a literal first argument, or a constant of the
    /// same file (<c>InstrumentName = "…"</c>); any other argument fails the test, so no instrument goes unseen.
    /// </summary>
    private static IEnumerable<string> InstrumentsCreatedIn(string file)
    {
        var text = File.ReadAllText(file);
        var constants = Constant().Matches(text).ToLookup(match => match.Groups[1].Value, match => match.Groups[2].Value, StringComparer.Ordinal);
        foreach (Match creation in Creation().Matches(text))
        {
            var literal = creation.Groups[1];
            var named = creation.Groups[2].Value;
            yield return literal.Success
                ? literal.Value
                : constants[named].Distinct(StringComparer.Ordinal).SingleOrDefault()
                    ?? throw new InvalidOperationException($"{file}: an instrument named by {named}, which is not one string constant of the file: name it so the scan sees it.");
        }
    }

    [GeneratedRegex(@"\bconst\s+string\s+(\w+)\s*=\s*""([^""]+)""")]
    private static partial Regex Constant();

    [GeneratedRegex(@"\.Create(?:Counter|UpDownCounter|Histogram|Gauge|ObservableCounter|ObservableUpDownCounter|ObservableGauge)(?:<[^>]+>)?\(\s*(?:""([^""]+)""|(\w+))")]
    private static partial Regex Creation();
}
