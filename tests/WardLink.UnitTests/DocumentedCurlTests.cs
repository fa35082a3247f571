using System.Text.RegularExpressions;
using WardLink.Testing;

namespace WardLink.UnitTests;

/// <summary>
/// The <c>curl</c> examples of the README and <c>docs/</c> are what a newcomer copies: each call of the API
/// through the gateway sends a token, except the public tip intake and the health probes, which need none
/// (docs/api.md). <c>WardLink.http</c> is run whole by the system tests (HttpFileTests), which also hold the bodies of
/// these examples to the merged API document.
/// </summary>
public sealed partial class DocumentedCurlTests
{
    [Fact]
    public void Every_documented_curl_of_a_protected_path_sends_a_token()
    {
        var protectedCalls = DocumentedCurls.All().Where(call => ProtectedPath().IsMatch(call.Command)).ToList();

        Assert.True(protectedCalls.Count >= 10, $"Only {protectedCalls.Count} documented curl calls of a protected path were found: the scan is broken.");
        Assert.All(protectedCalls, call => Assert.True(
            call.Command.Contains("Authorization: Bearer", StringComparison.Ordinal),
            $"{call.Document}: a curl call without a token: {call.Command}"));
    }

    /// <summary>A gateway path that needs a token: <c>/api/…</c> but the public intake, and <c>/api/ops/…</c>.</summary>
    [GeneratedRegex(@"https?://[^/\s'""]+/api/(?!public/)")]
    private static partial Regex ProtectedPath();
}
