using System.Net;
using System.Net.Sockets;
using System.Text;

namespace WardLink.SystemTests;

/// <summary>
/// The system behind one trusted proxy, 127.0.0.2 (all of 127.0.0.0/8 is loopback on Linux), with
/// 2 public tips per address in a window far longer than a test, so only a partition can reset.
/// </summary>
public sealed class TrustedProxySystem : WardLinkSystem
{
    public static readonly IPAddress Proxy = IPAddress.Parse("127.0.0.2");

    public static readonly IPAddress NotAProxy = IPAddress.Parse("127.0.0.3");

    protected override IReadOnlyDictionary<string, string?> MoreGatewaySettings { get; } = new Dictionary<string, string?>
    {
        ["Gateway:TrustedProxies:0"] = Proxy.ToString(),
        ["RateLimits:PublicTips:PermitLimit"] = "2",
        ["RateLimits:PublicTips:Window"] = "00:10:00",
    };
}

/// <summary>The rate limits partition by the real caller behind a trusted proxy, and only behind one.</summary>
[Collection(GatewaySurface.Collection)]
public sealed class ClientAddressTests(TrustedProxySystem system) : IClassFixture<TrustedProxySystem>
{
    [Fact]
    public async Task Two_callers_behind_the_trusted_proxy_each_have_their_own_public_tip_limit()
    {
        await system.WaitUntilReadyAsync();
        using var proxy = system.CreateClientFrom(TrustedProxySystem.Proxy);

        Assert.Equal(HttpStatusCode.Created, await PublicTipAsync(proxy, "203.0.113.10"));
        Assert.Equal(HttpStatusCode.Created, await PublicTipAsync(proxy, "203.0.113.10"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await PublicTipAsync(proxy, "203.0.113.10"));

        // The proxy appends the address it saw: that one is the caller, whatever the caller wrote before it. The spent caller
        // naming a fresh address of its own is still refused; another caller naming the spent one is served.
        Assert.Equal(HttpStatusCode.TooManyRequests, await PublicTipAsync(proxy, "198.51.100.9, 203.0.113.10"));
        Assert.Equal(HttpStatusCode.Created, await PublicTipAsync(proxy, "203.0.113.10, 203.0.113.21"));
        Assert.Equal(HttpStatusCode.Created, await PublicTipAsync(proxy, "198.51.100.7, 203.0.113.20"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await PublicTipAsync(proxy, "203.0.113.10"));
    }

    [Fact]
    public async Task A_forged_X_Forwarded_For_from_an_address_that_is_no_trusted_proxy_is_ignored()
    {
        await system.WaitUntilReadyAsync();
        using var caller = system.CreateClientFrom(TrustedProxySystem.NotAProxy);

        Assert.Equal(HttpStatusCode.Created, await PublicTipAsync(caller, "192.0.2.1"));
        Assert.Equal(HttpStatusCode.Created, await PublicTipAsync(caller, "192.0.2.2"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await PublicTipAsync(caller, "192.0.2.3"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await PublicTipAsync(caller, null));
    }

    private static async Task<HttpStatusCode> PublicTipAsync(HttpClient client, string? forwardedFor)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/public/tips")
        {
            Content = new StringContent(
                """{ "category": "theft", "description": "A phone taken from a bench at the Eye hospital.", "place": { "description": "Eye hospital benches" } }""",
                Encoding.UTF8,
                "application/json"),
        };
        if (forwardedFor is not null)
        {
            request.Headers.Add("X-Forwarded-For", forwardedFor);
        }

        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        return response.StatusCode;
    }
}
