using System.Buffers;
using System.Collections.Concurrent;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace WardLink.ServiceDefaults.Security;

/// <summary>
/// Bearer-token validation that remembers the tokens it found valid until they end (their expiry
/// plus the clock skew, as validation itself would accept them), so a client's repeated requests with
/// one token cost one signature check, not one each (an RSA verification through OpenSSL was a tenth
/// of the gateway's CPU under intake; the gateway checks a token twice, its own scheme and the route's).
/// A token found invalid is not remembered: it is checked in full every time. Before IdentityModel reads a token's key, signature
/// or claims, one that is no JWS in compact form of JSON parts is refused as malformed, and one whose <c>alg</c> is not one of
/// <see cref="TokenValidationParameters.ValidAlgorithms"/> as written (RFC 7515: case-sensitive) for its algorithm. Each caller gets
/// its own copy of the token's identity. One handler serves one bearer scheme, whose validation parameters do not
/// change (<see cref="WardLinkAuth.AddWardLinkBearer"/> gives each scheme its own); it remembers at most
/// <paramref name="capacity"/> tokens, dropping those that have ended when full, and all when none has.
/// </summary>
public sealed class RememberedTokens(TimeProvider clock, int capacity = RememberedTokens.DefaultCapacity) : JsonWebTokenHandler
{
    public const int DefaultCapacity = 1_000;

    /// <summary>A JWS in compact form (RFC 7515): base64url parts, unpadded, joined by dots.</summary>
    private static readonly SearchValues<char> CompactForm = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.");

    private readonly ConcurrentDictionary<string, Remembered> _valid = new(StringComparer.Ordinal);

    /// <summary>How many tokens are remembered now.</summary>
    public int Count => _valid.Count;

    public override async Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
    {
        var now = clock.GetUtcNow();
        if (_valid.TryGetValue(token, out var remembered))
        {
            if (now < remembered.Until)
            {
                return remembered.Copy();
            }

            _valid.TryRemove(KeyValuePair.Create(token, remembered));
        }

        // IdentityModel decodes a part leniently: a signature with base64's '=' padding verified, so one token had many spellings.
        // And it tells a token of five parts (an encrypted one's form), or one whose header is no JSON object, by no fault a caller
        // can act on. (A token remembered passed this when it was found valid: the exact text is the key.)
        if (!IsCompact(token))
        {
            return Malformed();
        }

        JsonWebToken read;
        try
        {
            read = new JsonWebToken(token);
        }
        catch (ArgumentException)
        {
            return Malformed();
        }

        // IdentityModel reads a part's first JSON object and passes over what follows it ('{…}xx', a second object).
        if (!IsOneJsonObject(read.EncodedHeader) || !IsOneJsonObject(read.EncodedPayload))
        {
            return Malformed();
        }

        // IdentityModel judges a token's algorithm only against a key it has found for it, and tells a failure there as the key's or
        // the signature's ("The signature key was not found"): a token of an algorithm not accepted is told so before anything else.
        if (validationParameters.ValidAlgorithms is { } algorithms && algorithms.Any() && !algorithms.Contains(read.Alg, StringComparer.Ordinal))
        {
            return new() { IsValid = false, Exception = new SecurityTokenInvalidAlgorithmException("The token's algorithm is not one accepted.") { InvalidAlgorithm = read.Alg } };
        }

        var result = await base.ValidateTokenAsync(read, validationParameters);
        if (result is { IsValid: true, SecurityToken: JsonWebToken { ValidTo: var validTo }, ClaimsIdentity: { } identity } && validTo > DateTime.MinValue)
        {
            Forget(now);
            _valid[token] = new Remembered(result.SecurityToken, identity.Clone(), result.Issuer, result.TokenType, new DateTimeOffset(validTo, TimeSpan.Zero) + validationParameters.ClockSkew);
        }

        return result;
    }

    /// <summary>Whether a base64url part decodes to one JSON object and nothing after it.</summary>
    private static bool IsOneJsonObject(string part)
    {
        try
        {
            using var json = JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(part));
            return json.RootElement.ValueKind == JsonValueKind.Object;
        }
        catch (Exception error) when (error is JsonException or FormatException or ArgumentException)
        {
            return false;
        }
    }

    /// <summary>Three non-empty parts of base64url's characters joined by dots.</summary>
    private static bool IsCompact(ReadOnlySpan<char> token) =>
        !token.ContainsAnyExcept(CompactForm)
        && token.Count('.') == 2
        && token.IndexOf('.') is > 0 and var first
        && token.LastIndexOf('.') is var last && last > first + 1 && last < token.Length - 1;

    private static TokenValidationResult Malformed() =>
        new() { IsValid = false, Exception = new SecurityTokenMalformedException("The token is not a JWS in compact form of JSON parts.") };

    /// <summary>Makes room for one more: drops the tokens that have ended when full, and all when none has.</summary>
    private void Forget(DateTimeOffset now)
    {
        if (_valid.Count < capacity)
        {
            return;
        }

        foreach (var (token, remembered) in _valid)
        {
            if (remembered.Until <= now)
            {
                _valid.TryRemove(KeyValuePair.Create(token, remembered));
            }
        }

        if (_valid.Count >= capacity)
        {
            _valid.Clear();
        }
    }

    private sealed record Remembered(SecurityToken Token, ClaimsIdentity Identity, string Issuer, string TokenType, DateTimeOffset Until)
    {
        public TokenValidationResult Copy() => new()
        {
            IsValid = true,
            SecurityToken = Token,
            ClaimsIdentity = Identity.Clone(),
            Issuer = Issuer,
            TokenType = TokenType,
        };
    }
}
