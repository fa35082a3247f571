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
/// future not-before and expiry, signed with the issuer's key or another, of the access tokens' type (RFC 9068's <c>at+jwt</c>) or
/// another, spelled as signed or respelled as IdentityModel's lenient decoding still read it (a padded signature verified), is sent to
/// the tips service.
/// </summary>
public sealed partial class TokenRefusalTests(ServiceFixture<TipsService> tips) : IClassFixture<ServiceFixture<TipsService>>
{
    [Fact]
    public async Task A_refused_token_is_told_why_with_its_times_in_ISO_8601_UTC_and_a_valid_one_is_let_in()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = tips.CreateClient();
        var moment = Gen.OneOf(Gen.Const((TimeSpan?)null), Gen.Int[2, 48 * 60].Select(minutes => (TimeSpan?)TimeSpan.FromMinutes(minutes)), Gen.Int[2, 48 * 60].Select(minutes => (TimeSpan?)TimeSpan.FromMinutes(-minutes)));
        var type = Gen.OneOf(Gen.Const(WardLinkAuth.AccessTokenType), Gen.Const("JWT"), Gen.Const("id_token+jwt"));
        await Gen.Select(moment, moment, Gen.Bool, type, Gen.Int[0, 8]).SampleAsync(
            async case_ =>
            {
                var (notBefore, expires, foreign, typ, spelling) = case_;
                var now = DateTime.UtcNow;
                var token = Spelled(TestAuth.Police(now + notBefore, now + expires, foreign, typ), spelling);
                using var request = new HttpRequestMessage(HttpMethod.Get, "/tips");
                request.Headers.Authorization = new("Bearer", token);
                using var answer = await client.SendAsync(request, ct);
                var said = answer.Headers.WwwAuthenticate.ToString();
                var lifetimeValid = expires > TimeSpan.Zero && (notBefore is null || notBefore < TimeSpan.Zero);
                if (!foreign && lifetimeValid && typ == WardLinkAuth.AccessTokenType && spelling == 0)
                {
                    return answer.StatusCode == HttpStatusCode.OK;
                }

                var why = Description().Match(said) is { Success: true } match ? match.Groups[1].Value : string.Empty;

                // A token spelled otherwise than base64url is malformed whatever it says; a foreign key's is told by IdentityModel (its
                // signature or its lifetime first); a token of another type is told so once its lifetime is valid.
                var expected = spelling != 0 ? Malformed
                    : foreign ? null
                    : expires is null ? WardLinkAuth.NoExpiry
                    : notBefore > expires ? WardLinkAuth.EndsBeforeItBegins
                    : notBefore > TimeSpan.Zero ? $"The token is not valid before {now + notBefore:yyyy-MM-ddTHH:mm:ssZ}: check the clocks, or ask for a new one."
                    : expires < TimeSpan.Zero ? $"The token expired at {now + expires:yyyy-MM-ddTHH:mm:ssZ}: ask for a new one."
                    : typ != WardLinkAuth.AccessTokenType ? WardLinkAuth.NotAnAccessToken
                    : throw new InvalidOperationException("A valid token was taken for a refused one.");
                return answer.StatusCode == HttpStatusCode.Unauthorized
                    && said.Contains("error=\"invalid_token\"", StringComparison.Ordinal)
                    && why.Length > 0 && !why.Contains("0001-01-01", StringComparison.Ordinal) && !CultureTime().IsMatch(why)
                    && (expected is null || why == expected);
            },
            iter: 80,
            print: case_ => $"notBefore {case_.Item1}, expires {case_.Item2}, foreign key {case_.Item3}, typ {case_.Item4}, spelling {case_.Item5}");
    }

    private const string Malformed = "The token is not a JWT: a header, claims and a signature, each base64url, joined by dots.";

    /// <summary>
    /// The token as signed (0), or respelled as a lenient decoder still reads it: its signature padded with base64's '=' (1 to 3),
    /// or its parts in base64's own alphabet, '+' and '/' for '-' and '_', with a space, a tab or a '%' inside, or each part padded
    /// (4 to 8; a non-ASCII letter is Kestrel's to refuse, before any handler reads the header).
    /// </summary>
    private static string Spelled(string token, int spelling) => spelling switch
    {
        0 => token,
        <= 3 => token + new string('=', spelling),
        4 => token.Replace('-', '+').Replace('_', '/') + (token.Contains('-') || token.Contains('_') ? string.Empty : "+"),
        5 => token.Insert(token.IndexOf('.') + 1, " "),
        6 => token.Insert(token.IndexOf('.') + 1, "\t"),
        7 => token.Insert(token.LastIndexOf('.') + 1, "%"),
        _ => token.Replace(".", "=."),
    };

    [GeneratedRegex("error_description=\"([^\"]*)\"")]
    private static partial Regex Description();

    [GeneratedRegex(@"\d{1,2}/\d{1,2}/\d{4}")]
    private static partial Regex CultureTime();
}
