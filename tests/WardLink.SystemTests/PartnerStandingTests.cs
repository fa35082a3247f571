using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using WardLink.Gateway;
using WardLink.ServiceDefaults;
using WardLink.ServiceDefaults.Security;
using WardLink.Testing;

namespace WardLink.SystemTests;

/// <summary>The system with the gateway remembering a partner's standing for 1 s, and a client bound to a partner nobody registered.</summary>
public sealed class PartnerStandingSystem : WardLinkSystem
{
    public static readonly Guid UnregisteredPartner = Guid.Parse("0195d000-cccc-7000-8000-00000000000c");

    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(1);

    protected override IReadOnlyDictionary<string, string?> MoreGatewaySettings { get; } = new Dictionary<string, string?>
    {
        ["Gateway:PartnerStanding:CacheFor"] = CacheFor.ToString(),
        ["Auth:Clients:test-partner-unregistered:SecretHash"] = ClientSecrets.Hash("test-partner-unregistered-secret"),
        ["Auth:Clients:test-partner-unregistered:Role"] = WardLinkRoles.Partner,
        ["Auth:Clients:test-partner-unregistered:PartnerId"] = UnregisteredPartner.ToString(),
    };
}

/// <summary>A partner's access ends with the partnership: no new token, and the tokens it holds stop working.</summary>
[Collection(GatewaySurface.Collection)]
public sealed class PartnerStandingTests(PartnerStandingSystem system) : IClassFixture<PartnerStandingSystem>
{
    /// <summary>How long a held token may keep working after its partner is suspended: the cache time, and room for a loaded machine.</summary>
    private static readonly TimeSpan Bound = PartnerStandingSystem.CacheFor + TimeSpan.FromSeconds(10);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_suspended_partner_gets_no_token_and_its_held_token_stops_working_until_it_resumes()
    {
        await system.WaitUntilReadyAsync();
        using var police = await system.CreateGatewayClientAsync("test-police");
        using var partner = await system.CreateGatewayClientAsync("test-partner-a");
        Assert.Equal(HttpStatusCode.OK, (await partner.GetAsync("/api/tips?limit=1", Ct)).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await police.PostAsJsonAsync($"/api/partners/{WardLinkSystem.PartnerA}/suspend", new { reason = "Duties not met" }, Ct)).StatusCode);

        await AssertRefusedLikeAnUnknownClientAsync("test-partner-a");
        await AssertHeldTokenRefusedAsync(partner);
        await AssertAtEveryServiceAsync(partner, served: false);

        // A request of the wrong shape is refused for its shape first (docs/api.md), as it would be without the token.
        using (var wrongMethod = await partner.PutAsJsonAsync("/api/tips", new { }, Ct))
        {
            Assert.Equal(HttpStatusCode.MethodNotAllowed, wrongMethod.StatusCode);
            Assert.Contains("POST", wrongMethod.Content.Headers.Allow);
        }

        // Where no token is needed (the public intake), the held token lets nothing in, and is not refused either.
        var publicTip = await partner.PostAsJsonAsync("/api/public/tips", new { category = "theft", description = "A bag taken at the gate.", place = new { description = "School gate" } }, Ct);
        Assert.Equal(HttpStatusCode.Created, publicTip.StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await police.PostAsync($"/api/partners/{WardLinkSystem.PartnerA}/resume", null, Ct)).StatusCode);
        await Eventually.Get(
            async () => (await partner.GetAsync("/api/tips?limit=1", Ct)).StatusCode == HttpStatusCode.OK ? "served" : null,
            "the held token to work again once the partner resumed",
            Bound);
        await AssertAtEveryServiceAsync(partner, served: true);
        using var anonymous = system.CreateAnonymousGatewayClient();
        Assert.NotEmpty(await WardLinkSystem.RequestTokenAsync(anonymous, "test-partner-a", "test-partner-a-secret"));
    }

    [Fact]
    public async Task A_partner_that_left_gets_no_token_and_its_held_token_stops_working()
    {
        await system.WaitUntilReadyAsync();
        using var police = await system.CreateGatewayClientAsync("test-police");
        using var partner = await system.CreateGatewayClientAsync("test-partner-b");
        Assert.Equal(HttpStatusCode.OK, (await partner.GetAsync("/api/incidents?limit=1", Ct)).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await police.PostAsJsonAsync($"/api/partners/{WardLinkSystem.PartnerB}/leave", new { reason = "Moved out of the ward" }, Ct)).StatusCode);

        await AssertRefusedLikeAnUnknownClientAsync("test-partner-b");
        await AssertHeldTokenRefusedAsync(partner);
        await AssertAtEveryServiceAsync(partner, served: false);
    }

    [Fact]
    public async Task A_partner_nobody_registered_gets_no_token_and_a_token_naming_it_is_refused()
    {
        await system.WaitUntilReadyAsync();
        await AssertRefusedLikeAnUnknownClientAsync("test-partner-unregistered");

        using var forged = system.CreateAnonymousGatewayClient().As(TestAuth.Token(WardLinkRoles.Partner, PartnerStandingSystem.UnregisteredPartner));
        await AssertNotInGoodStandingAsync(await forged.GetAsync("/api/tips?limit=1", Ct));
    }

    [Fact]
    public async Task The_standing_is_read_by_the_gateway_s_role_which_reads_nothing_else()
    {
        using var partners = system.CreateServiceClient("partners");
        var asGateway = TestAuth.Token(WardLinkRoles.Gateway, audiences: ["partners"]);

        var standing = await Send(partners, $"/partners/{WardLinkSystem.PartnerA}/standing", asGateway);
        Assert.Equal(HttpStatusCode.OK, standing.StatusCode);
        var view = await standing.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal(WardLinkSystem.PartnerA, view.GetProperty("partnerId").GetGuid());
        Assert.Equal(3, view.EnumerateObject().Count());
        Assert.Equal(("active", true), (view.GetProperty("status").GetString(), view.GetProperty("inGoodStanding").GetBoolean()));
        Assert.Equal(HttpStatusCode.NotFound, (await Send(partners, $"/partners/{PartnerStandingSystem.UnregisteredPartner}/standing", asGateway)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await Send(partners, $"/partners/{WardLinkSystem.PartnerA}", asGateway)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await Send(partners, "/partners", asGateway)).StatusCode);
        Assert.Equal(
            HttpStatusCode.Forbidden,
            (await Send(partners, $"/partners/{WardLinkSystem.PartnerA}/standing", TestAuth.Token(WardLinkRoles.Partner, WardLinkSystem.PartnerA))).StatusCode);
    }

    /// <summary>
    /// The partner's held token sent straight to each service, past the gateway (an insider on the network), is
    /// <paramref name="served"/> there too, once the partner's standing has reached it: a suspended partner's token wrote tips,
    /// incidents and webhooks at the services' own ports for the rest of its hour (a probe found so).
    /// </summary>
    private async Task AssertAtEveryServiceAsync(HttpClient partner, bool served)
    {
        var token = partner.DefaultRequestHeaders.Authorization!.Parameter!;
        foreach (var (service, read) in new[] { ("tips", "/tips?limit=1"), ("incidents", "/incidents?limit=1"), ("patrols", "/patrols/sites?limit=1"), ("partners", "/partners/wards") })
        {
            using var direct = system.CreateServiceClient(service);
            await Eventually.Get(
                async () =>
                {
                    using var answer = await Send(direct, read, token);
                    return served ? answer.StatusCode == HttpStatusCode.OK ? "served" : null
                        : answer.StatusCode == HttpStatusCode.Unauthorized && answer.Headers.WwwAuthenticate.ToString().Contains(PartnerOutOfStandingException.Reason, StringComparison.Ordinal) ? "refused" : null;
                },
                $"{service} to {(served ? "serve" : "refuse")} the partner's held token",
                Bound);
        }
    }

    private static async Task<HttpResponseMessage> Send(HttpClient client, string path, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new("Bearer", token);
        return await client.SendAsync(request, Ct);
    }

    /// <summary>The token endpoint's answer to the client is the one an unknown client gets: nothing tells them apart.</summary>
    private async Task AssertRefusedLikeAnUnknownClientAsync(string clientId)
    {
        using var gateway = system.CreateAnonymousGatewayClient();
        using var refused = await gateway.PostAsync("/connect/token", WardLinkSystem.TokenRequest(clientId, $"{clientId}-secret"), Ct);
        using var unknown = await gateway.PostAsync("/connect/token", WardLinkSystem.TokenRequest("nobody-at-all", $"{clientId}-secret"), Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(unknown.StatusCode, refused.StatusCode);
        var body = await refused.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal("invalid_client", body.GetProperty("error").GetString());
        Assert.False(body.TryGetProperty("access_token", out _));
        Assert.Equal(await unknown.Content.ReadAsStringAsync(Ct), body.GetRawText());
    }

    private static async Task AssertHeldTokenRefusedAsync(HttpClient partner)
    {
        var refused = await Eventually.Get(
            async () =>
            {
                var response = await partner.GetAsync("/api/tips?limit=1", Ct);
                return response.StatusCode == HttpStatusCode.Unauthorized ? response : null;
            },
            "the gateway to refuse the partner's held token",
            Bound);
        await AssertNotInGoodStandingAsync(refused);
    }

    private static async Task AssertNotInGoodStandingAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("invalid_token", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal("The partner is not in good standing.", problem.GetProperty("title").GetString());
    }
}

/// <summary>The gateway alone, the partners service unreachable: a partner client gets no token and no passage; others do.</summary>
public sealed class PartnersUnreachableTests : IAsyncLifetime
{
    private ServiceHost<GatewayService>? _gateway;

    public ValueTask InitializeAsync()
    {
        // A port that was free a moment ago and that nothing listens on: connections are refused.
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var nowhere = $"http://127.0.0.1:{((IPEndPoint)probe.LocalEndpoint).Port}/";
        probe.Stop();
        var settings = WardLinkSystem.GatewaySettings().ToDictionary(setting => setting.Key, setting => setting.Value);
        foreach (var service in TestAuth.Services)
        {
            settings[$"ReverseProxy:Clusters:{service}:Destinations:primary:Address"] = nowhere;
        }

        _gateway = new ServiceHost<GatewayService>(settings, listenOnSocket: true);
        _gateway.StartServer();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task A_partner_client_is_refused_a_token_with_a_clear_error_while_the_police_get_theirs()
    {
        using var gateway = new HttpClient { BaseAddress = _gateway!.Address };

        using var refused = await gateway.PostAsync("/connect/token", WardLinkSystem.TokenRequest("test-partner-a", "test-partner-a-secret"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var body = await refused.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal("temporarily_unavailable", body.GetProperty("error").GetString());
        Assert.Contains("standing could not be confirmed", body.GetProperty("error_description").GetString(), StringComparison.Ordinal);
        Assert.False(body.TryGetProperty("access_token", out _));
        Assert.NotEmpty(await WardLinkSystem.RequestTokenAsync(gateway, "test-police", "test-police-secret"));
    }

    [Fact]
    public async Task A_partner_s_held_token_is_not_let_through_while_its_standing_cannot_be_confirmed()
    {
        using var partner = new HttpClient { BaseAddress = _gateway!.Address }.As(TestAuth.Token(WardLinkRoles.Partner, WardLinkSystem.PartnerA));

        var response = await partner.GetAsync("/api/tips?limit=1", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(ProblemResponses.RetryAfterSeconds), response.Headers.RetryAfter?.Delta);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal("The partner's standing could not be confirmed.", problem.GetProperty("title").GetString());
    }

    public async ValueTask DisposeAsync()
    {
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }
    }
}
