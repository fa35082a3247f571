using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using WardLink.ServiceDefaults.Security;

namespace WardLink.Testing;

/// <summary>
/// The token issuer's key for one test run (made fresh in memory), the settings that give it to
/// services and the gateway, and tokens signed with it exactly as the gateway signs them, so a
/// test can call a service as any role without a gateway.
/// </summary>
public static class TestAuth
{
    /// <summary>The four services, each its own audience.</summary>
    public static readonly IReadOnlyList<string> Services = ["incidents", "patrols", "tips", "partners"];

    private static readonly RSA Key = RSA.Create(2048);

    public static readonly string PublicKeyPem = Key.ExportSubjectPublicKeyInfoPem();

    public static readonly string PrivateKeyPem = Key.ExportPkcs8PrivateKeyPem();

    private static readonly AuthSettings Issuer = new() { SigningKey = PrivateKeyPem };

    private static readonly SigningCredentials Signing = new(Issuer.Signing(), SecurityAlgorithms.RsaSha256);

    /// <summary>A key of no issuer's, under a key id no service knows.</summary>
    private static readonly SigningCredentials Foreign = new(new RsaSecurityKey(RSA.Create(2048)) { KeyId = "a-key-nobody-has" }, SecurityAlgorithms.RsaSha256);

    /// <summary>What a service needs to validate the test run's tokens.</summary>
    public static IEnumerable<KeyValuePair<string, string?>> ServiceSettings =>
    [
        new("Auth:Issuer", Issuer.Issuer.AbsoluteUri),
        new("Auth:PublicKey", PublicKeyPem),
    ];

    /// <summary>
    /// A token as the gateway issues it: <paramref name="role"/> (and partner id) for
    /// <paramref name="audiences"/> (every service when null), valid from now for
    /// <paramref name="lifetime"/> (negative: already expired), bound to <paramref name="wards"/> and
    /// <paramref name="provinces"/> (neither: the home ward).
    /// </summary>
    public static string Token(
        string role,
        Guid? partnerId = null,
        IEnumerable<string>? audiences = null,
        TimeSpan? lifetime = null,
        string? subject = null,
        IEnumerable<string>? wards = null,
        IEnumerable<string>? provinces = null)
    {
        var now = DateTime.UtcNow;
        var valid = lifetime ?? TimeSpan.FromHours(1);
        var claims = new Dictionary<string, object>
        {
            [WardLinkClaims.Subject] = subject ?? $"test-{role}",
            [WardLinkClaims.Role] = role,
            ["aud"] = (audiences ?? Services).Select(WardLinkAuth.AudienceOf).ToArray(),
        };
        if (partnerId is { } partner)
        {
            claims[WardLinkClaims.PartnerId] = partner.ToString();
        }

        if (wards is not null)
        {
            claims[WardLinkClaims.Ward] = wards.ToArray();
        }

        if (provinces is not null)
        {
            claims[WardLinkClaims.Province] = provinces.ToArray();
        }

        var issuedAt = valid < TimeSpan.Zero ? now + valid - TimeSpan.FromHours(1) : now;
        return Signed(claims, issuedAt, now + valid, Signing);
    }

    /// <summary>
    /// A police token for every service valid from <paramref name="notBefore"/> to <paramref name="expires"/> (either claim left out
    /// when null), signed with the run's key, or with another one under a key id no service knows (<paramref name="foreignKey"/>),
    /// its header's <c>typ</c> <paramref name="type"/> (IdentityModel writes <c>JWT</c> when it is null; <see cref="Raw"/> writes any header).
    /// </summary>
    public static string Police(DateTime? notBefore, DateTime? expires, bool foreignKey = false, string? type = WardLinkAuth.AccessTokenType) =>
        Signed(
            new Dictionary<string, object> { [WardLinkClaims.Subject] = "test-police", [WardLinkClaims.Role] = WardLinkRoles.Police, ["aud"] = Services.Select(WardLinkAuth.AudienceOf).ToArray() },
            notBefore,
            expires,
            foreignKey ? Foreign : Signing,
            type);

    /// <summary>
    /// A token of exactly <paramref name="header"/> (its <c>kid</c> the run key's where it names none) and <paramref name="claims"/>,
    /// as a forger writes one: signed with the run's key (RS256) when <paramref name="withKey"/>, else with a one-byte signature.
    /// </summary>
    public static string Raw(JsonObject header, JsonObject claims, bool withKey = true)
    {
        header["kid"] ??= Signing.Key.KeyId;
        var content = $"{Base64UrlEncoder.Encode(header.ToJsonString())}.{Base64UrlEncoder.Encode(claims.ToJsonString())}";
        var signature = withKey ? Key.SignData(Encoding.ASCII.GetBytes(content), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1) : [0x78];
        return $"{content}.{Base64UrlEncoder.Encode(signature)}";
    }

    /// <summary>A police token's claims for every service, valid for the next hour, as the run's issuer writes them.</summary>
    public static JsonObject PoliceClaims()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        return new JsonObject
        {
            ["iss"] = Issuer.Issuer.AbsoluteUri,
            [WardLinkClaims.Subject] = "test-police",
            [WardLinkClaims.Role] = WardLinkRoles.Police,
            ["aud"] = new JsonArray([.. Services.Select(service => (JsonNode)WardLinkAuth.AudienceOf(service))]),
            ["iat"] = now,
            ["nbf"] = now,
            ["exp"] = now + 3600,
        };
    }

    private static string Signed(Dictionary<string, object> claims, DateTime? notBefore, DateTime? expires, SigningCredentials signing, string? type = WardLinkAuth.AccessTokenType) =>
        new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer.Issuer.AbsoluteUri,
            Claims = claims,
            IssuedAt = notBefore,
            NotBefore = notBefore,
            Expires = expires,
            SigningCredentials = signing,
            TokenType = type,
        });

    /// <summary>Sends <paramref name="token"/> (none when null) with every request of <paramref name="client"/>.</summary>
    public static HttpClient As(this HttpClient client, string? token)
    {
        client.DefaultRequestHeaders.Authorization = token is null ? null : new AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}
