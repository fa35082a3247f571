using System.Text.RegularExpressions;
using WardLink.Testing;

namespace WardLink.UnitTests;

/// <summary>
/// The <c>curl</c> examples of the README and <c>docs/</c> are what a newcomer copies: each call of the API
/// through the gateway sends a token, except the public tip intake and the health probes, which need none
/// (docs/api.md). <c>WardLink.http</c> is run whole by the system tests (HttpFileTests).
/// </summary>
public sealed partial class DocumentedCurlTests
{
    [Fact]
    public void Every_documented_curl_of_a_protected_path_sends_a_token()
    {
        var documents = Directory.GetFiles(Repository.Path("docs"), "*.md").Append(Repository.Path("README.md")).ToList();
        var commands = documents.SelectMany(document => CurlCommands(File.ReadAllText(document)).Select(command => (Document: Path.GetFileName(document), Command: command))).ToList();
        var protectedCalls = commands.Where(call => ProtectedPath().IsMatch(call.Command)).ToList();

        Assert.True(protectedCalls.Count >= 10, $"Only {protectedCalls.Count} documented curl calls of a protected path were found: the scan is broken.");
        Assert.All(protectedCalls, call => Assert.True(
            call.Command.Contains("Authorization: Bearer", StringComparison.Ordinal),
            $"{call.Document}: a curl call without a token: {call.Command}"));
    }

    /// <summary>Each <c>curl</c> command of the document's shell code blocks, its continued lines (<c>\</c>) joined.</summary>
    private static IEnumerable<string> CurlCommands(string markdown) =>
        from block in ShellBlock().Matches(markdown)
        let joined = block.Groups[1].Value.Replace("\\\n", " ", StringComparison.Ordinal)
        from line in joined.Split('\n')
        where line.Contains("curl ", StringComparison.Ordinal)
        select line.Trim();

    [GeneratedRegex(@"```(?:bash|sh|shell)\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex ShellBlock();

    /// <summary>A gateway path that needs a token: <c>/api/…</c> but the public intake, and <c>/api/ops/…</c>.</summary>
    [GeneratedRegex(@"https?://[^/\s'""]+/api/(?!public/)")]
    private static partial Regex ProtectedPath();
}
