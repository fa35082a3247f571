using System.Net.Http.Headers;
using System.Security.Cryptography;
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
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer.Issuer.AbsoluteUri,
            Claims = claims,
            IssuedAt = issuedAt,
            NotBefore = issuedAt,
            Expires = now + valid,
            SigningCredentials = Signing,
            TokenType = "at+jwt",
        });
    }

    /// <summary>Sends <paramref name="token"/> (none when null) with every request of <paramref name="client"/>.</summary>
    public static HttpClient As(this HttpClient client, string? token)
    {
        client.DefaultRequestHeaders.Authorization = token is null ? null : new AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}
