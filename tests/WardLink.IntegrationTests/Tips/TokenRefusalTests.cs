using System.Net;
using System.Text.RegularExpressions;
using CsCheck;
using WardLink.ServiceDefaults.Security;
using WardLink.Testing;
using WardLink.Tips;

namespace WardLink.IntegrationTests.Tips;

/// <summary>
/// A refused token is told why in words a client can act on (docs/security.md), its times in ISO 8601 UTC: a token with no expiry
/// signed with a key nobody has was told "The token expired at 0001-01-01T00:00:00Z", and one not yet valid
/// "not valid before '12/07/2026 04:09:33'" (the server's culture, month first, no zone). Every combination of a missing, past and
/// future not-before and expiry, signed with the issuer's key or another, is sent to the tips service.
/// </summary>
public sealed partial class TokenRefusalTests(ServiceFixture<TipsService> tips) : IClassFixture<ServiceFixture<TipsService>>
{
    [Fact]
    public async Task A_refused_token_is_told_why_with_its_times_in_ISO_8601_UTC_and_a_valid_one_is_let_in()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = tips.CreateClient();
        var moment = Gen.OneOf(Gen.Const((TimeSpan?)null), Gen.Int[2, 48 * 60].Select(minutes => (TimeSpan?)TimeSpan.FromMinutes(minutes)), Gen.Int[2, 48 * 60].Select(minutes => (TimeSpan?)TimeSpan.FromMinutes(-minutes)));
        await Gen.Select(moment, moment, Gen.Bool).SampleAsync(
            async case_ =>
            {
                var (notBefore, expires, foreign) = case_;
                var now = DateTime.UtcNow;
                using var request = new HttpRequestMessage(HttpMethod.Get, "/tips");
                request.Headers.Authorization = new("Bearer", TestAuth.Police(now + notBefore, now + expires, foreign));
                using var answer = await client.SendAsync(request, ct);
                var said = answer.Headers.WwwAuthenticate.ToString();
                var valid = !foreign && expires > TimeSpan.Zero && (notBefore is null || notBefore < TimeSpan.Zero);
                if (valid)
                {
                    return answer.StatusCode == HttpStatusCode.OK;
                }

                var why = Description().Match(said) is { Success: true } match ? match.Groups[1].Value : string.Empty;
                var expected = foreign ? null
                    : expires is null ? WardLinkAuth.NoExpiry
                    : notBefore > expires ? WardLinkAuth.EndsBeforeItBegins
                    : notBefore > TimeSpan.Zero ? $"The token is not valid before {now + notBefore:yyyy-MM-ddTHH:mm:ssZ}: check the clocks, or ask for a new one."
                    : expires < TimeSpan.Zero ? $"The token expired at {now + expires:yyyy-MM-ddTHH:mm:ssZ}: ask for a new one."
                    : throw new InvalidOperationException("A valid token was taken for a refused one.");
                return answer.StatusCode == HttpStatusCode.Unauthorized
                    && said.Contains("error=\"invalid_token\"", StringComparison.Ordinal)
                    && why.Length > 0 && !why.Contains("0001-01-01", StringComparison.Ordinal) && !CultureTime().IsMatch(why)
                    && (expected is null || why == expected);
            },
            iter: 60,
            print: case_ => $"notBefore {case_.Item1}, expires {case_.Item2}, foreign key {case_.Item3}");
    }

    [GeneratedRegex("error_description=\"([^\"]*)\"")]
    private static partial Regex Description();

    [GeneratedRegex(@"\d{1,2}/\d{1,2}/\d{4}")]
    private static partial Regex CultureTime();
}
