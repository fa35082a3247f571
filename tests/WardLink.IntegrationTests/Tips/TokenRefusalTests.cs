using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
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
        var type = Gen.OneOf(Gen.Const(WardLinkAuth.AccessTokenType), Gen.Const("JWT"), Gen.Const("id_token+jwt"), Gen.Const("application/AT+JWT"), Gen.Const("At+Jwt"));
        await Gen.Select(moment, moment, Gen.Bool, type, Gen.Int[0, 12]).SampleAsync(
            async case_ =>
            {
                var (notBefore, expires, foreign, typ, spelling) = case_;
                var now = DateTime.UtcNow;
                var token = Spelled(TestAuth.Police(now + notBefore, now + expires, foreign, typ), spelling);
                using var request = new HttpRequestMessage(HttpMethod.Get, "/tips");
                request.Headers.Authorization = new("Bearer", token);
                using var answer = await client.SendAsync(request, ct);
                var lifetimeValid = expires > TimeSpan.Zero && (notBefore is null || notBefore < TimeSpan.Zero);
                if (!foreign && lifetimeValid && WardLinkAuth.IsAccessTokenType(typ) && spelling == 0)
                {
                    return answer.StatusCode == HttpStatusCode.OK;
                }

                // A token spelled otherwise than base64url is malformed whatever it says; a fault of its lifetime is told before its
                // key's (IdentityModel judges the lifetime of a token under a key id it does not know before telling it so) or its type's.
                var expected = spelling != 0 ? WardLinkAuth.NotAJwt
                    : expires is null ? WardLinkAuth.NoExpiry
                    : notBefore > expires ? WardLinkAuth.EndsBeforeItBegins
                    : notBefore > TimeSpan.Zero ? $"The token is not valid before {now + notBefore:yyyy-MM-ddTHH:mm:ssZ}: check the clocks, or ask for a new one."
                    : expires < TimeSpan.Zero ? $"The token expired at {now + expires:yyyy-MM-ddTHH:mm:ssZ}: ask for a new one."
                    : foreign ? WardLinkAuth.UnknownKey
                    : !WardLinkAuth.IsAccessTokenType(typ) ? WardLinkAuth.NotAnAccessToken
                    : throw new InvalidOperationException("A valid token was taken for a refused one.");
                return answer.StatusCode == HttpStatusCode.Unauthorized && RefusedTokens.ReasonOf(answer) == expected;
            },
            iter: 80,
            print: case_ => $"notBefore {case_.Item1}, expires {case_.Item2}, foreign key {case_.Item3}, typ {case_.Item4}, spelling {case_.Item5}");
    }

    /// <summary>
    /// The token as signed (0), or respelled as a lenient decoder still reads it: its signature padded with base64's '=' (1 to 3),
    /// or its parts in base64's own alphabet, '+' and '/' for '-' and '_', with a space, a tab or a '%' inside, or each part padded
    /// (4 to 8; a non-ASCII letter is Kestrel's to refuse, before any handler reads the header); or in base64url, but of five parts
    /// (an encrypted token's form), with a header that is no JSON object, or a header or claims of one object followed by more
    /// (9 to 12: IdentityModel read the first object and passed over the rest).
    /// </summary>
    private static string Spelled(string token, int spelling) => spelling switch
    {
        0 => token,
        <= 3 => token + new string('=', spelling),
        4 => token.Replace('-', '+').Replace('_', '/') + (token.Contains('-') || token.Contains('_') ? string.Empty : "+"),
        5 => token.Insert(token.IndexOf('.') + 1, " "),
        6 => token.Insert(token.IndexOf('.') + 1, "\t"),
        7 => token.Insert(token.LastIndexOf('.') + 1, "%"),
        8 => token.Replace(".", "=."),
        9 => $"{token}.AAAA.BBBB",
        10 => $"W10{token[token.IndexOf('.')..]}",
        _ => WithPartFollowedBy(token, spelling == 11 ? 0 : 1, spelling == 11 ? "xx" : "{}"),
    };

    /// <summary>The token with its header (<paramref name="part"/> 0) or its claims (1) followed by <paramref name="after"/>, re-encoded.</summary>
    private static string WithPartFollowedBy(string token, int part, string after)
    {
        var parts = token.Split('.');
        parts[part] = Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Decode(parts[part]) + after);
        return string.Join('.', parts);
    }

    private static readonly string[] ForgedPlaces = ["header:typ", "header:alg", "header:kid", "claims:iss", "claims:aud"];

    private static readonly bool[] Signings = [true, false];

    /// <summary>
    /// The reason a forged token with <paramref name="value"/> at <paramref name="place"/> is told, in the order the checks run
    /// (null: it is let in): a header member or registered claim not of its type (text; an audience a list of texts too) makes no
    /// JWT; an algorithm other than RS256 is told so before anything else; then the signature (under a key id nobody has, the key
    /// is not found; under the issuer's, a byte is no signature), then the claims and the type.
    /// </summary>
    private static string? ToldFor(string place, JsonNode? value, bool signed) =>
        (place, ofItsType: value?.GetValueKind() == JsonValueKind.String || (place == "claims:aud" && value is JsonArray), signed) switch
        {
            (_, false, _) => WardLinkAuth.NotAJwt,
            ("header:alg", _, _) => WardLinkAuth.OtherAlgorithm,
            ("header:kid", _, true) => null,
            ("header:kid", _, false) => WardLinkAuth.UnknownKey,
            (_, _, false) => WardLinkAuth.InvalidSignature,
            ("header:typ", _, _) => WardLinkAuth.NotAnAccessToken,
            ("claims:iss", _, _) => WardLinkAuth.OtherIssuer,
            _ => WardLinkAuth.NotFor([WardLinkAuth.AudienceOf(TipsService.Name)]),
        };

    /// <summary>
    /// A forger's token (a header and claims of its choosing, signed with the issuer's key or not, under its key id or another) is
    /// told why in the service's own words: an unsigned token's issuer was repeated in the header unescaped ("The issuer
    /// 'https://evil/", error="insufficient_scope' is invalid"), and one outside ASCII made every authenticated route a 500. A
    /// <c>typ</c> of another text is no access token's (one of its media type's spellings is), and a header member of JWS's or a
    /// registered claim that is no text where RFC 7515 and 7519 write one (a <c>typ</c> that is a list) makes no JWT.
    /// </summary>
    [Fact]
    public async Task A_forged_token_is_told_why_in_the_service_s_words_never_its_own()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = tips.CreateClient();
        JsonNode?[] hostile =
        [
            "https://evil/\", error=\"insufficient_scope", "\u00e9vil", "evil\r\nSet-Cookie: x=y", "Qu\u1ea3ng Th\u1eafng evil",
            new JsonArray("evil"), new JsonObject { ["evil"] = 1 }, 7,
        ];
        var failures = new List<string>();
        foreach (var (place, value, signed) in
            from place in ForgedPlaces
            from value in hostile
            from signed in Signings
            select (place, value, signed))
        {
            var (header, claims) = (new JsonObject { ["alg"] = "RS256", ["typ"] = WardLinkAuth.AccessTokenType }, TestAuth.PoliceClaims());
            var (part, name) = (place.Split(':')[0], place.Split(':')[1]);
            (part == "header" ? header : claims)[name] = value?.DeepClone();
            using var request = new HttpRequestMessage(HttpMethod.Get, "/tips?limit=1");
            request.Headers.TryAddWithoutValidation("Authorization", $"Bearer {TestAuth.Raw(header, claims, signed)}");
            using var answer = await client.SendAsync(request, ct);
            var said = answer.Headers.WwwAuthenticate.ToString();

            // The issuer's signature verifies whatever key id the header names (a hint to find the key, text): such a token acts.
            var told = ToldFor(place, value, signed) is not { } expected ? answer.StatusCode == HttpStatusCode.OK
                : answer.StatusCode == HttpStatusCode.Unauthorized
                && !said.Contains("evil", StringComparison.OrdinalIgnoreCase) && !said.Contains("Set-Cookie", StringComparison.Ordinal)
                && said.Count(character => character == '=') == 2 && RefusedTokens.ReasonOf(answer) == expected;
            if (!told)
            {
                failures.Add($"{place} = {value?.ToJsonString()}, signed {signed}: {(int)answer.StatusCode} {said}");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));

        foreach (var type in new[] { "application/at+jwt", "AT+JWT" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/tips?limit=1");
            request.Headers.Authorization = new("Bearer", TestAuth.Raw(new JsonObject { ["alg"] = "RS256", ["typ"] = type }, TestAuth.PoliceClaims()));
            using var answer = await client.SendAsync(request, ct);
            Assert.True(answer.StatusCode == HttpStatusCode.OK, $"typ {type}: {(int)answer.StatusCode} {answer.Headers.WwwAuthenticate}");
        }
    }

    /// <summary>
    /// docs/security.md's reasons, each for its own case, word for word (<see cref="RefusedTokens"/>): a token of another algorithm
    /// than RS256 (RS384, RS512 and PS256 under the issuer's own key, ES256, HS256 keyed with the issuer's public key, none, rs256),
    /// under no key id, the issuer's or another, was told "The signature key was not found" or "The signature is invalid" (the
    /// t-roles probe), never "The token is not signed with RS256."; and each reason told is one the document writes (its times aside).
    /// </summary>
    [Fact]
    public async Task Each_kind_of_refused_token_is_told_the_reason_the_document_gives_for_it()
    {
        using var client = tips.CreateClient();
        var failures = await RefusedTokens.MisToldAsync(client, "/tips?limit=1", TipsService.Name, TestContext.Current.CancellationToken);
        Assert.True(failures.Count == 0, string.Join("\n", failures));

        var document = Whitespace().Replace(File.ReadAllText(Repository.Path("docs/security.md")), " ");
        var unwritten = RefusedTokens.OfEveryKind(TipsService.Name).Select(refused => refused.Reason).Distinct()
            .Where(reason => !Regex.IsMatch(document, Time().Replace(Regex.Escape(reason), Time().ToString())))
            .ToList();
        Assert.True(unwritten.Count == 0, string.Join("\n", unwritten));
    }

    [GeneratedRegex(@"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")]
    private static partial Regex Time();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
