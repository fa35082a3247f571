using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using WardLink.Gateway;
using WardLink.ServiceDefaults.Security;
using WardLink.Testing;
using Yarp.ReverseProxy.Configuration;

namespace WardLink.SystemTests;

/// <summary>
/// What the gateway passes on to the service behind each of its routes, every route of its configuration walked: a
/// route open to anyone passes on none of the caller's credentials (a token, a cookie), the others the token the
/// service reads. Every cluster is a recorder here, so what arrives is seen as sent.
/// </summary>
public sealed class GatewayCredentialTests : IAsyncLifetime
{
    private const string RouteHeader = "X-Test-Route";

    /// <summary>The credentials every request sends, named here apart from the list the gateway strips (<c>Proxy.Credentials</c>).</summary>
    private static readonly string[] SentCredentials = ["Authorization", "Proxy-Authorization", "Cookie"];

    /// <summary>A token of each role but the partner's (whose standing the gateway would ask a recorder): together they pass every guarded route.</summary>
    private static readonly Dictionary<string, string> Tokens = new[] { WardLinkRoles.Police, WardLinkRoles.Auditor, WardLinkRoles.Ops }
        .ToDictionary(role => role, role => TestAuth.Token(role), StringComparer.Ordinal);

    private readonly ConcurrentDictionary<string, IHeaderDictionary> _arrived = new(StringComparer.Ordinal);
    private WebApplication? _recorder;
    private ServiceHost<GatewayService>? _gateway;

    public async ValueTask InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        _recorder = builder.Build();
        _recorder.Run(http =>
        {
            _arrived[http.Request.Headers[RouteHeader].ToString()] = new HeaderDictionary(http.Request.Headers.ToDictionary(StringComparer.OrdinalIgnoreCase));
            return Task.CompletedTask;
        });
        await _recorder.StartAsync(TestContext.Current.CancellationToken);
        var settings = WardLinkSystem.GatewaySettings().ToDictionary(setting => setting.Key, setting => setting.Value);
        foreach (var service in TestAuth.Services)
        {
            settings[$"ReverseProxy:Clusters:{service}:Destinations:primary:Address"] = _recorder.Urls.Single() + "/";
        }

        _gateway = new ServiceHost<GatewayService>(settings, listenOnSocket: true);
        _gateway.StartServer();
    }

    [Fact]
    public async Task A_route_open_to_anyone_passes_on_no_credential_and_the_others_pass_on_the_token()
    {
        using var gateway = new HttpClient { BaseAddress = _gateway!.Address };
        var routes = _gateway.Services.GetRequiredService<IProxyConfigProvider>().GetConfig().Routes;
        foreach (var route in routes)
        {
            foreach (var (role, token) in Tokens)
            {
                using var request = new HttpRequestMessage(new HttpMethod(route.Match.Methods is [var method, ..] ? method : "GET"), Concrete(route.Match.Path!));
                request.Headers.TryAddWithoutValidation("Authorization", $"Bearer {token}");
                request.Headers.TryAddWithoutValidation("Proxy-Authorization", "Basic dGlwc3Rlcjpob21l");
                request.Headers.TryAddWithoutValidation("Cookie", "session=the-tipster-s-own");
                request.Headers.TryAddWithoutValidation(RouteHeader, $"{route.RouteId} {role}");
                using var answer = await gateway.SendAsync(request, TestContext.Current.CancellationToken);
            }
        }

        var open = routes.Where(route => string.Equals(route.AuthorizationPolicy, Proxy.AnonymousPolicy, StringComparison.OrdinalIgnoreCase)).Select(route => route.RouteId).ToList();
        Assert.NotEmpty(open);
        foreach (var route in routes)
        {
            var arrived = _arrived.Where(request => request.Key.Split(' ')[0] == route.RouteId).ToList();
            Assert.True(arrived.Count > 0, $"{route.RouteId}: nothing arrived, with any role's token");
            foreach (var (sent, headers) in arrived)
            {
                if (open.Contains(route.RouteId))
                {
                    Assert.All(SentCredentials, header => Assert.False(headers.ContainsKey(header), $"{sent} passed on {header}"));
                }
                else
                {
                    Assert.Equal($"Bearer {Tokens[sent.Split(' ')[1]]}", headers.Authorization.ToString());
                }
            }
        }
    }

    /// <summary>A path the route's pattern matches: each parameter a record id, a catch-all one more segment.</summary>
    private static string Concrete(string pattern) =>
        string.Join('/', pattern.Split('/').Select(segment => segment.StartsWith("{**", StringComparison.Ordinal)
            ? "TIP-2024-0001"
            : segment.StartsWith('{') ? Guid.NewGuid().ToString() : segment));

    public async ValueTask DisposeAsync()
    {
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }

        if (_recorder is not null)
        {
            await _recorder.DisposeAsync();
        }
    }
}
