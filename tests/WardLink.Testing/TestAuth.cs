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

    /// <summary>The key id of the run's key, as every token the gateway issues names it.</summary>
    public static string KeyId => Signing.Key.KeyId;

    /// <summary>An elliptic-curve key of no issuer's (P-256).</summary>
    private static readonly ECDsa EllipticKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    /// <summary>
    /// A token of exactly <paramref name="header"/> (its <c>kid</c> the run key's where it names none) and <paramref name="claims"/>,
    /// as a forger writes one: signed with the run's key (RS256) when <paramref name="withKey"/>, else with a one-byte signature.
    /// </summary>
    public static string Raw(JsonObject header, JsonObject claims, bool withKey = true)
    {
        header["kid"] ??= KeyId;
        return Joined(header, claims, content => withKey ? SignatureOf(SecurityAlgorithms.RsaSha256, content) : [0x78]);
    }

    /// <summary>
    /// A token of exactly <paramref name="header"/> (no <c>kid</c> added) and <paramref name="claims"/>, signed as its <c>alg</c>
    /// says with what a forger may hold (<see cref="SignatureOf"/>).
    /// </summary>
    public static string SignedAs(JsonObject header, JsonObject claims) =>
        Joined(header, claims, content => SignatureOf(header["alg"]?.ToString(), content));

    /// <summary>
    /// The signature of <paramref name="content"/> by <paramref name="algorithm"/>: RS256, RS384, RS512 and PS256 with the run's own
    /// RSA key (so only the algorithm can be wrong), ES256 with a key of no issuer's, HS256 with the run's public key (PEM) as the
    /// secret (the forgery RFC 8725, section 2.1, warns of); none for <c>none</c> (RFC 7519's unsecured JWT); one byte for any other.
    /// </summary>
    private static byte[] SignatureOf(string? algorithm, byte[] content) => algorithm switch
    {
        SecurityAlgorithms.RsaSha256 => Key.SignData(content, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
        SecurityAlgorithms.RsaSha384 => Key.SignData(content, HashAlgorithmName.SHA384, RSASignaturePadding.Pkcs1),
        SecurityAlgorithms.RsaSha512 => Key.SignData(content, HashAlgorithmName.SHA512, RSASignaturePadding.Pkcs1),
        SecurityAlgorithms.RsaSsaPssSha256 => Key.SignData(content, HashAlgorithmName.SHA256, RSASignaturePadding.Pss),
        SecurityAlgorithms.EcdsaSha256 => EllipticKey.SignData(content, HashAlgorithmName.SHA256),
        SecurityAlgorithms.HmacSha256 => HMACSHA256.HashData(Encoding.ASCII.GetBytes(PublicKeyPem), content),
        SecurityAlgorithms.None => [],
        _ => [0x78],
    };

    /// <summary>The compact form of <paramref name="header"/> and <paramref name="claims"/> with the signature <paramref name="sign"/> makes of them.</summary>
    private static string Joined(JsonObject header, JsonObject claims, Func<byte[], byte[]> sign)
    {
        var content = $"{Base64UrlEncoder.Encode(header.ToJsonString())}.{Base64UrlEncoder.Encode(claims.ToJsonString())}";
        return $"{content}.{Base64UrlEncoder.Encode(sign(Encoding.ASCII.GetBytes(content)))}";
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
