using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using WardLink.Gateway;
using WardLink.Incidents;
using WardLink.Partners;
using WardLink.Patrols;
using WardLink.ServiceDefaults.Security;
using WardLink.Testing;
using WardLink.Tips;

namespace WardLink.SystemTests;

/// <summary>
/// The whole system for one test class: the four services and the gateway, each listening on a
/// real loopback socket, each service on its own database, all on one RabbitMQ virtual host.
/// Partners A and B, whom the test partner clients act for, are registered and active. A derived
/// class can give the gateway more settings (e.g. small rate limits).
/// </summary>
public class WardLinkSystem : ServiceGroup
{
    private readonly Dictionary<string, IAsyncDisposable> _services = [];
    private readonly Dictionary<string, Uri> _addresses = [];
    private ServiceHost<GatewayService>? _gateway;

    public static readonly Guid PartnerA = Guid.Parse("0195d000-aaaa-7000-8000-00000000000a");

    public static readonly Guid PartnerB = Guid.Parse("0195d000-bbbb-7000-8000-00000000000b");

    /// <summary>The gateway's test clients: one per role and two partners, each with secret <c>{id}-secret</c>.</summary>
    public static readonly IReadOnlyDictionary<string, (string Role, Guid? PartnerId)> Clients = new Dictionary<string, (string, Guid?)>
    {
        ["test-police"] = (WardLinkRoles.Police, null),
        ["test-auditor"] = (WardLinkRoles.Auditor, null),
        ["test-ops"] = (WardLinkRoles.Ops, null),
        ["test-partner-a"] = (WardLinkRoles.Partner, PartnerA),
        ["test-partner-b"] = (WardLinkRoles.Partner, PartnerB),
    };

    public Uri GatewayAddress => Gateway.Address;

    /// <summary>What the gateway logged at Error or above.</summary>
    public IReadOnlyCollection<string> GatewayFailures => Gateway.Failures;

    /// <summary>Every line the gateway logged at the levels its configuration sets (appsettings.json), as its console and OTLP exporters write them.</summary>
    public CapturedLogs GatewayLogs { get; } = new();

    /// <summary>The gateway's meters, as an exporter would read them.</summary>
    public IMeterFactory GatewayMeters => Gateway.Services.GetRequiredService<IMeterFactory>();

    private ServiceHost<GatewayService> Gateway => _gateway ?? throw new InvalidOperationException("The gateway did not start.");

    /// <summary>A client of the gateway with a police token.</summary>
    public HttpClient CreateGatewayClient() => CreateAnonymousGatewayClient().As(TestAuth.Token(WardLinkRoles.Police));

    public HttpClient CreateAnonymousGatewayClient() => new() { BaseAddress = GatewayAddress, Timeout = TimeSpan.FromSeconds(60) };

    /// <summary>A client of the gateway whose connections come from <paramref name="local"/>.</summary>
    public HttpClient CreateClientFrom(IPAddress local) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (context, ct) =>
        {
            var socket = new Socket(local.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                socket.Bind(new IPEndPoint(local, 0));
                await socket.ConnectAsync(context.DnsEndPoint, ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    })
    {
        BaseAddress = GatewayAddress,
        Timeout = TimeSpan.FromSeconds(60),
    };

    /// <summary>A client of the gateway with a token the gateway issued to <paramref name="clientId"/> (<see cref="Clients"/>).</summary>
    public async Task<HttpClient> CreateGatewayClientAsync(string clientId, string? scope = null)
    {
        var client = CreateAnonymousGatewayClient();
        return client.As(await RequestTokenAsync(client, clientId, $"{clientId}-secret", scope));
    }

    /// <summary>Asks the gateway's token endpoint for a client-credentials token; fails the test when refused.</summary>
    public static async Task<string> RequestTokenAsync(HttpClient gateway, string clientId, string secret, string? scope = null)
    {
        using var response = await gateway.PostAsync("/connect/token", TokenRequest(clientId, secret, scope));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"The token endpoint refused {clientId}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("access_token").GetString()!;
    }

    public static FormUrlEncodedContent TokenRequest(string clientId, string secret, string? scope = null, string grantType = "client_credentials") =>
        new(new Dictionary<string, string>
        {
            ["grant_type"] = grantType,
            ["client_id"] = clientId,
            ["client_secret"] = secret,
            ["scope"] = scope ?? "",
        }.Where(field => field.Value.Length > 0));

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        var addresses = new Dictionary<string, string?>
        {
            [Destination(IncidentsService.Name)] = await StartOnSocketAsync<IncidentsService>(IncidentsService.Name),
            [Destination(PatrolsService.Name)] = await StartOnSocketAsync<PatrolsService>(PatrolsService.Name),
            [Destination(TipsService.Name)] = await StartOnSocketAsync<TipsService>(TipsService.Name),
            [Destination(PartnersService.Name)] = await StartOnSocketAsync<PartnersService>(PartnersService.Name),
        };
        foreach (var (key, value) in GatewaySettings().Concat(MoreGatewaySettings))
        {
            addresses[key] = value;
        }

        _gateway = new ServiceHost<GatewayService>(addresses, listenOnSocket: true, services: services => services.AddLogging(logging => logging.AddProvider(GatewayLogs)));
        _gateway.StartServer();

        // The gateway serves a partner's clients only while the partner is active in the linkage.
        if (!RegistersTestPartners)
        {
            return;
        }

        using var partners = CreateServiceClient(PartnersService.Name).As(TestAuth.Token(WardLinkRoles.Police));
        foreach (var (name, partnerId) in new[] { ("Partner A school", PartnerA), ("Partner B hospital", PartnerB) })
        {
            using var registered = await partners.PostAsJsonAsync("/partners", new { name, kind = "hospital", partnerId });
            Assert.True(registered.IsSuccessStatusCode, $"Registering {name}: {(int)registered.StatusCode} {await registered.Content.ReadAsStringAsync()}");
        }
    }

    /// <summary>Waits until the gateway's open probe says Healthy (every service ready); returns the probe's answer.</summary>
    public async Task<string> WaitUntilReadyAsync()
    {
        using var gateway = CreateAnonymousGatewayClient();
        return await Eventually.Get(
            async () =>
            {
                var body = await gateway.GetStringAsync("/health/ready");
                return body.Contains("\"status\":\"Healthy\"", StringComparison.Ordinal) ? body : null;
            },
            "the gateway and all four services to be ready");
    }

    /// <summary>A client of one service directly (not through the gateway), with no token.</summary>
    public HttpClient CreateServiceClient(string serviceName) =>
        new() { BaseAddress = ServiceAddress(serviceName), Timeout = TimeSpan.FromSeconds(15) };

    /// <summary>Where one service listens.</summary>
    public Uri ServiceAddress(string serviceName) => _addresses[serviceName];

    /// <summary>Stops one service as a crash would look from the gateway: its socket closes.</summary>
    public Task StopAsync(string serviceName) => StopAsync(_services[serviceName]);

    /// <summary>Whether partners A and B are registered at start (for their clients); false leaves the system empty.</summary>
    protected virtual bool RegistersTestPartners => true;

    /// <summary>Settings every service gets on top of the test defaults.</summary>
    protected virtual IReadOnlyDictionary<string, string?>? MoreServiceSettings => null;

    /// <summary>Settings the gateway gets on top of the services' addresses and its auth settings.</summary>
    protected virtual IReadOnlyDictionary<string, string?> MoreGatewaySettings { get; } = new Dictionary<string, string?>();

    public override async ValueTask DisposeAsync()
    {
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }

        await base.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    /// <summary>The gateway's signing key and its <see cref="Clients"/>, with hashed secrets.</summary>
    public static IEnumerable<KeyValuePair<string, string?>> GatewaySettings()
    {
        yield return new("Auth:SigningKey", TestAuth.PrivateKeyPem);
        foreach (var (id, (role, partnerId)) in Clients)
        {
            yield return new($"Auth:Clients:{id}:SecretHash", ClientSecrets.Hash($"{id}-secret"));
            yield return new($"Auth:Clients:{id}:Role", role);
            if (partnerId is { } partner)
            {
                yield return new($"Auth:Clients:{id}:PartnerId", partner.ToString());
            }
        }
    }

    private static string Destination(string serviceName) => $"ReverseProxy:Clusters:{serviceName}:Destinations:primary:Address";

    private async Task<string> StartOnSocketAsync<TEntryPoint>(string name)
        where TEntryPoint : class
    {
        var host = await StartAsync<TEntryPoint>(name, listenOnSocket: true, settings: MoreServiceSettings);
        _services[name] = host;
        _addresses[name] = host.Address;
        return host.Address.ToString();
    }
}
