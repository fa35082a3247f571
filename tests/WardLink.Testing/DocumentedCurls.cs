using System.Text.RegularExpressions;

namespace WardLink.Testing;

/// <summary>A <c>curl</c> command of a document's shell code blocks: its text, its method, the path it calls and the body it sends.</summary>
public sealed record DocumentedCurl(string Document, string Command, string Method, string? Path, string? Body);

/// <summary>
/// The <c>curl</c> examples of the README and <c>docs/</c>, what a newcomer copies: each command of their shell code blocks, its
/// continued lines (<c>\</c>) joined and a quoted body kept whole across its lines.
/// </summary>
public static partial class DocumentedCurls
{
    /// <summary>Every <c>curl</c> command of <c>README.md</c> and <c>docs/*.md</c>.</summary>
    public static IReadOnlyList<DocumentedCurl> All() =>
    [
        .. from document in Directory.GetFiles(Repository.Path("docs"), "*.md").Append(Repository.Path("README.md"))
           from command in Of(File.ReadAllText(document))
           select Read(Path.GetFileName(document), command),
    ];

    /// <summary>Each <c>curl</c> command of the markdown's shell code blocks.</summary>
    public static IEnumerable<string> Of(string markdown) =>
        from block in ShellBlock().Matches(markdown)
        from command in Command().Matches(block.Groups[1].Value.Replace("\\\n", " ", StringComparison.Ordinal))
        select command.Value.Trim();

    private static DocumentedCurl Read(string document, string command)
    {
        var body = Body().Match(command);
        return new DocumentedCurl(
            document,
            command,
            Method().Match(command) is { Success: true } method ? method.Groups[1].Value : body.Success ? "POST" : "GET",
            Address().Match(command) is { Success: true } address ? address.Groups[1].Value : null,
            body.Success ? body.Groups[1].Value : null);
    }

    [GeneratedRegex(@"```(?:bash|sh|shell)\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex ShellBlock();

    /// <summary>From <c>curl</c> to the end of its line, a quoted text running on over lines.</summary>
    [GeneratedRegex(@"curl (?:[^'\n]|'[^']*')*")]
    private static partial Regex Command();

    [GeneratedRegex(@"-X (\w+)")]
    private static partial Regex Method();

    [GeneratedRegex(@"https?://[^/\s'""]+(/[^\s'""]*)")]
    private static partial Regex Address();

    /// <summary>A JSON body given inline (<c>-d '{…}'</c>).</summary>
    [GeneratedRegex(@"(?:-d|--data|--data-raw) '(\{[^']*)'")]
    private static partial Regex Body();
}
