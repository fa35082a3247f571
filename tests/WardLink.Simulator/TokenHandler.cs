using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;

namespace WardLink.Simulator;

/// <summary>An OAuth2 client of the gateway's token endpoint (client credentials).</summary>
public sealed record ClientCredentials(string ClientId, string ClientSecret)
{
    /// <summary>The development police desk, as the gateway's development configuration knows it.</summary>
    public static ClientCredentials PoliceDesk { get; } = new("police-desk", "police-desk-dev-secret");

    /// <summary>The development province police (every ward of Thanh Hóa), which plays the merger.</summary>
    public static ClientCredentials ProvincePolice { get; } = new("province-police", "province-police-dev-secret");
}

/// <summary>
/// Puts a bearer token from the gateway's <c>POST /connect/token</c> on every request: taken once,
/// renewed a minute before it expires. A gateway without a token endpoint (404, before
/// authentication is deployed) gets requests without a token.
/// </summary>
public sealed class TokenHandler(Uri gateway, ClientCredentials credentials, TimeProvider clock) : DelegatingHandler(new SocketsHttpHandler())
{
    private static readonly TimeSpan RenewBefore = TimeSpan.FromMinutes(1);
    private readonly SemaphoreSlim _lock = new(1, 1);
    private string? _token;
    private DateTimeOffset _renewAt = DateTimeOffset.MinValue;

    /// <summary>A client of <paramref name="baseAddress"/> (by default the gateway) carrying a token of <paramref name="gateway"/>.</summary>
    public static HttpClient CreateClient(Uri gateway, ClientCredentials credentials, TimeSpan timeout, Uri? baseAddress = null) =>
        new(new TokenHandler(gateway, credentials, TimeProvider.System)) { BaseAddress = baseAddress ?? gateway, Timeout = timeout };

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (await TokenAsync(cancellationToken) is { } token)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await base.SendAsync(request, cancellationToken);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _lock.Dispose();
        }

        base.Dispose(disposing);
    }

    private async Task<string?> TokenAsync(CancellationToken ct)
    {
        if (clock.GetUtcNow() < _renewAt)
        {
            return _token;
        }

        await _lock.WaitAsync(ct);
        try
        {
            if (clock.GetUtcNow() >= _renewAt)
            {
                (_token, _renewAt) = await RequestTokenAsync(ct);
            }

            return _token;
        }
        finally
        {
            _lock.Release();
        }
    }

    private async Task<(string? Token, DateTimeOffset RenewAt)> RequestTokenAsync(CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(gateway, "/connect/token"))
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials",
                ["client_id"] = credentials.ClientId,
                ["client_secret"] = credentials.ClientSecret,
            }),
        };
        using var response = await base.SendAsync(request, ct);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return (null, DateTimeOffset.MaxValue);
        }

        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException(
                $"The gateway refused a token to client '{credentials.ClientId}': {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}",
                null,
                response.StatusCode);
        }

        var token = await response.Content.ReadFromJsonAsync<TokenResponse>(ct)
            ?? throw new HttpRequestException("The token endpoint answered an empty body.");
        return (token.AccessToken, clock.GetUtcNow() + TimeSpan.FromSeconds(token.ExpiresIn) - RenewBefore);
    }

    private sealed record TokenResponse(
        [property: System.Text.Json.Serialization.JsonPropertyName("access_token")] string AccessToken,
        [property: System.Text.Json.Serialization.JsonPropertyName("expires_in")] int ExpiresIn);
}
