using System.Text;
using System.Text.RegularExpressions;
using WardLink.Testing;

namespace WardLink.UnitTests;

/// <summary>
/// Every relative link of the repository's Markdown (the README, docs/, deploy/) leads somewhere: its file or folder exists,
/// and its <c>#anchor</c> is a heading of that file as GitHub names headings (a probe found <c>partners.md#wards</c>, a
/// heading since renamed, in docs/wards.md). Links in code (fenced or inline) are code, not links.
/// </summary>
public sealed partial class DocumentLinkTests
{
    [Fact]
    public void Every_relative_link_of_the_documentation_names_a_file_that_exists_and_a_heading_it_has()
    {
        var documents = Documents().ToList();
        var broken = new List<string>();
        var links = 0;
        foreach (var document in documents)
        {
            foreach (var (line, target) in LinksOf(File.ReadAllLines(document)))
            {
                links++;
                var (path, anchor) = target.IndexOf('#') is var hash and >= 0 ? (target[..hash], target[(hash + 1)..]) : (target, null);
                var resolved = path.Length == 0 ? document : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(document)!, Uri.UnescapeDataString(path)));
                var where = $"{Path.GetRelativePath(Repository.Path(string.Empty), document)}:{line}: ({target})";
                if (!File.Exists(resolved) && !Directory.Exists(resolved))
                {
                    broken.Add($"{where} no such file");
                }
                else if (anchor is not null && (!resolved.EndsWith(".md", StringComparison.Ordinal) || !AnchorsOf(File.ReadAllLines(resolved)).Contains(anchor)))
                {
                    broken.Add($"{where} no such heading");
                }
            }
        }

        Assert.True(documents.Count >= 10 && links > 50, $"Only {documents.Count} documents and {links} relative links were read.");
        Assert.True(broken.Count == 0, string.Join('\n', broken));
    }

    [Theory]
    [InlineData("## Wards: the jurisdictions, and how they change", "wards-the-jurisdictions-and-how-they-change")]
    [InlineData("### `GET /api/tips` and [paging](api.md)", "get-apitips-and-paging")]
    [InlineData("## Moving a group of wards to a second cluster", "moving-a-group-of-wards-to-a-second-cluster")]
    [InlineData("## Tips_and *notes* — 2024", "tips_and-notes--2024")]
    public void A_heading_is_named_as_GitHub_names_it(string heading, string anchor) =>
        Assert.Equal([anchor], AnchorsOf([heading]));

    [Fact]
    public void A_heading_written_twice_is_named_with_a_number_the_second_time_and_code_is_no_heading() =>
        Assert.Equal(["steps", "steps-1", "after"], AnchorsOf(["# Steps", "```", "# Not a heading", "```", "## Steps", "## After"]));

    /// <summary>The repository's Markdown files, build output and local data aside.</summary>
    private static IEnumerable<string> Documents() =>
        Directory.EnumerateFiles(Repository.Path(string.Empty), "*.md", SearchOption.AllDirectories)
            .Where(file => !Path.GetRelativePath(Repository.Path(string.Empty), file).Split(Path.DirectorySeparatorChar)
                .Any(folder => folder is "bin" or "obj" or "node_modules" or ".local" or ".git"));

    /// <summary>Each relative link's target and its line, outside code.</summary>
    private static IEnumerable<(int Line, string Target)> LinksOf(string[] lines) =>
        OutsideFences(lines).SelectMany(line => Link().Matches(InlineCode().Replace(line.Text, string.Empty))
            .Select(match => (line.Number, match.Groups["target"].Value))
            .Where(link => !Scheme().IsMatch(link.Value)));

    /// <summary>The anchors GitHub gives the headings of a document: lower case, letters, digits, <c>-</c> and <c>_</c> kept, spaces as <c>-</c>, a repeated one numbered.</summary>
    private static HashSet<string> AnchorsOf(string[] lines)
    {
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (_, text) in OutsideFences(lines))
        {
            if (Heading().Match(text) is not { Success: true } heading)
            {
                continue;
            }

            var words = LinkText().Replace(heading.Groups["text"].Value.Trim(), "${text}");
            var slug = new StringBuilder();
            foreach (var character in words.ToLowerInvariant())
            {
                if (char.IsLetterOrDigit(character) || character is '-' or '_')
                {
                    slug.Append(character);
                }
                else if (character == ' ')
                {
                    slug.Append('-');
                }
            }

            var anchor = slug.ToString();
            var count = seen.GetValueOrDefault(anchor);
            seen[anchor] = count + 1;
            anchors.Add(count == 0 ? anchor : $"{anchor}-{count}");
        }

        foreach (Match id in lines.SelectMany(line => HtmlId().Matches(line)))
        {
            anchors.Add(id.Groups["id"].Value);
        }

        return anchors;
    }

    private static IEnumerable<(int Number, string Text)> OutsideFences(string[] lines)
    {
        var fenced = false;
        for (var index = 0; index < lines.Length; index++)
        {
            if (lines[index].TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                fenced = !fenced;
            }
            else if (!fenced)
            {
                yield return (index + 1, lines[index]);
            }
        }
    }

    [GeneratedRegex(@"\]\((?<target>[^)\s]+)(?:\s+""[^""]*"")?\)")]
    private static partial Regex Link();

    [GeneratedRegex(@"`[^`]*`")]
    private static partial Regex InlineCode();

    [GeneratedRegex(@"^[a-zA-Z][a-zA-Z0-9+.-]*:")]
    private static partial Regex Scheme();

    [GeneratedRegex(@"^#{1,6}\s+(?<text>.+?)\s*#*$")]
    private static partial Regex Heading();

    [GeneratedRegex(@"\[(?<text>[^\]]*)\]\([^)]*\)")]
    private static partial Regex LinkText();

    [GeneratedRegex(@"<a\s+(?:id|name)=""(?<id>[^""]+)""")]
    private static partial Regex HtmlId();
}
