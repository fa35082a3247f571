using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.IdentityModel.Tokens;
using WardLink.ServiceDefaults.Security;

namespace WardLink.Testing;

/// <summary>
/// A token of every kind docs/security.md tells a reason for, each with that reason word for word: what a bearer check (at a
/// service and at the gateway, which share it) must answer, so a fault told as another's fails. A token of another algorithm
/// than RS256 was told "The signature key was not found" or "The signature is invalid" (IdentityModel judged the algorithm only
/// with a key it had found), and the documented reason was never given; the tests accepted any of them.
/// </summary>
public static partial class RefusedTokens
{
    /// <summary>One refused token: what it is, the token, and the reason it is told.</summary>
    public sealed record Refused(string What, string Token, string Reason);

    /// <summary>The algorithms of JWS other than RS256 a forger may name (RS256 in lower case too: RFC 7515's names are case-sensitive).</summary>
    public static readonly IReadOnlyList<string> OtherAlgorithms =
    [
        SecurityAlgorithms.RsaSha384, SecurityAlgorithms.RsaSha512, SecurityAlgorithms.RsaSsaPssSha256, SecurityAlgorithms.EcdsaSha256,
        SecurityAlgorithms.HmacSha256, SecurityAlgorithms.None, "rs256",
    ];

    /// <summary>A key id no service knows.</summary>
    private const string UnknownKeyId = "a-key-nobody-has";

    /// <summary>
    /// Every kind of refused token as the bearer check of <paramref name="service"/> (its audience, <c>wardlink-{service}</c>) tells it:
    /// not a JWT (an unsecured one too), another <c>typ</c>; each fault of its claims (no expiry, an end before its start, expired, not
    /// yet valid, another issuer, another audience) under the issuer's signature; a signature that does not verify, whatever the
    /// claims, under the issuer's key id or none, and under one nobody has (IdentityModel tells a fault of the claims first, one
    /// without an expiry as it had none: it was told it ends before it begins); and each other algorithm, under no key id, the
    /// issuer's or another, whatever the claims: the algorithm is told first.
    /// </summary>
    public static IEnumerable<Refused> OfEveryKind(string service)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var other = TestAuth.Services.First(name => name != service);
        var claimSets = new (string What, Action<JsonObject> Change, string? Reason)[]
        {
            ("valid", _ => { }, null),
            ("without exp", claims => claims.Remove("exp"), WardLinkAuth.NoExpiry),
            ("with exp before nbf", claims => Lifetime(claims, now + 600, now + 300), WardLinkAuth.EndsBeforeItBegins),
            ("expired", claims => Lifetime(claims, now - 3600, now - 600), Expired(now - 600)),
            ("not yet valid", claims => Lifetime(claims, now + 600, now + 3600), NotYetValid(now + 600)),
            ("of another issuer", claims => claims["iss"] = "https://elsewhere.example/", WardLinkAuth.OtherIssuer),
            ($"for {other} only", claims => claims["aud"] = WardLinkAuth.AudienceOf(other), WardLinkAuth.NotFor([WardLinkAuth.AudienceOf(service)])),
        };

        yield return new("three parts that are no JSON", "not.a.token", WardLinkAuth.NotAJwt);
        yield return new("an unsecured token (alg none, its signature part empty)", TestAuth.SignedAs(Header(SecurityAlgorithms.None, TestAuth.KeyId), Claims()), WardLinkAuth.NotAJwt);
        yield return new("typ JWT", TestAuth.Raw(new JsonObject { ["alg"] = SecurityAlgorithms.RsaSha256, ["typ"] = "JWT" }, Claims()), WardLinkAuth.NotAnAccessToken);
        foreach (var (what, change, reason) in claimSets.Where(claims => claims.Reason is not null))
        {
            yield return new($"signed by the issuer, claims {what}", TestAuth.Raw(Header(SecurityAlgorithms.RsaSha256, TestAuth.KeyId), Claims(change)), reason!);
        }

        foreach (var (keyId, (what, change, reason)) in
            from keyId in new[] { TestAuth.KeyId, null, UnknownKeyId }
            from claims in claimSets
            select (keyId, claims))
        {
            yield return new(
                $"a signature not the issuer's under {keyId ?? "no key id"}, claims {what}",
                Unverifiable(Header(SecurityAlgorithms.RsaSha256, keyId), Claims(change)),
                keyId == UnknownKeyId ? reason ?? WardLinkAuth.UnknownKey : keyId is null ? WardLinkAuth.UnknownKey : WardLinkAuth.InvalidSignature);
        }

        foreach (var (algorithm, keyId, (what, change, _)) in
            from algorithm in OtherAlgorithms
            from keyId in new[] { null, TestAuth.KeyId, UnknownKeyId }
            from claims in claimSets
            select (algorithm, keyId, claims))
        {
            // A token naming none signs nothing (RFC 7519's unsecured JWT, no signed JWT at all, as above): here it has a signature part.
            var token = algorithm == SecurityAlgorithms.None ? Unverifiable(Header(algorithm, keyId), Claims(change)) : TestAuth.SignedAs(Header(algorithm, keyId), Claims(change));
            yield return new($"{algorithm} under {keyId ?? "no key id"}, claims {what}", token, WardLinkAuth.OtherAlgorithm);
        }
    }

    /// <summary>Sets the claims' start (<c>nbf</c>, <c>iat</c>) and expiry (<c>exp</c>), in seconds since 1970.</summary>
    private static void Lifetime(JsonObject claims, long start, long expiry)
    {
        claims["iat"] = start;
        claims["nbf"] = start;
        claims["exp"] = expiry;
    }

    /// <summary>
    /// Sends each of <see cref="OfEveryKind"/> for <paramref name="service"/> to <paramref name="path"/>: each that is not a 401
    /// telling its reason (<c>error="invalid_token"</c>, <c>error_description</c> word for word) is listed, one a line.
    /// </summary>
    public static async Task<IReadOnlyList<string>> MisToldAsync(HttpClient client, string path, string service, CancellationToken ct)
    {
        var failures = new List<string>();
        foreach (var refused in OfEveryKind(service))
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.TryAddWithoutValidation("Authorization", $"Bearer {refused.Token}");
            using var answer = await client.SendAsync(request, ct);
            if (answer.StatusCode != HttpStatusCode.Unauthorized || ReasonOf(answer) != refused.Reason)
            {
                failures.Add($"{path}, {refused.What}: {(int)answer.StatusCode} {answer.Headers.WwwAuthenticate}; expected \"{refused.Reason}\"");
            }
        }

        return failures;
    }

    /// <summary>The <c>error_description</c> of a refusal's <c>WWW-Authenticate</c> when its error is <c>invalid_token</c>, else empty.</summary>
    public static string ReasonOf(HttpResponseMessage answer) =>
        answer.Headers.WwwAuthenticate.ToString() is var said && said.Contains("error=\"invalid_token\"", StringComparison.Ordinal)
            && Description().Match(said) is { Success: true } match
            ? match.Groups[1].Value
            : string.Empty;

    /// <summary>The reason a token that expired at <paramref name="expiry"/> (seconds since 1970) is told.</summary>
    public static string Expired(long expiry) => $"The token expired at {Utc(expiry)}: ask for a new one.";

    /// <summary>The reason a token not valid before <paramref name="start"/> (seconds since 1970) is told.</summary>
    public static string NotYetValid(long start) => $"The token is not valid before {Utc(start)}: check the clocks, or ask for a new one.";

    private static string Utc(long seconds) => DateTimeOffset.FromUnixTimeSeconds(seconds).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static JsonObject Header(string algorithm, string? keyId)
    {
        var header = new JsonObject { ["alg"] = algorithm, ["typ"] = WardLinkAuth.AccessTokenType };
        if (keyId is not null)
        {
            header["kid"] = keyId;
        }

        return header;
    }

    private static JsonObject Claims(Action<JsonObject>? change = null)
    {
        var claims = TestAuth.PoliceClaims();
        change?.Invoke(claims);
        return claims;
    }

    /// <summary>A token of <paramref name="header"/> and <paramref name="claims"/> whose signature, one byte, no key verifies.</summary>
    private static string Unverifiable(JsonObject header, JsonObject claims)
    {
        var token = TestAuth.SignedAs(header, claims);
        return $"{token[..(token.LastIndexOf('.') + 1)]}eA";
    }

    [GeneratedRegex("error_description=\"([^\"]*)\"")]
    private static partial Regex Description();
}
