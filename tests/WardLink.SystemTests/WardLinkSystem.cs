using WardLink.Gateway;
using WardLink.Incidents;
using WardLink.Partners;
using WardLink.Patrols;
using WardLink.Testing;
using WardLink.Tips;

namespace WardLink.SystemTests;

/// <summary>
/// The whole system for one test class: the four services and the gateway, each listening on a
/// real loopback socket, each service on its own database, all on one RabbitMQ virtual host.
/// A derived class can give the gateway more settings (e.g. small rate limits).
/// </summary>
public class WardLinkSystem : ServiceGroup
{
    private readonly Dictionary<string, ServiceHostAddress> _services = [];
    private ServiceHost<GatewayService>? _gateway;

    public Uri GatewayAddress => (_gateway ?? throw new InvalidOperationException("The gateway did not start.")).Address;

    public HttpClient CreateGatewayClient() => new() { BaseAddress = GatewayAddress, Timeout = TimeSpan.FromSeconds(15) };

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
        foreach (var (key, value) in GatewaySettings)
        {
            addresses[key] = value;
        }

        _gateway = new ServiceHost<GatewayService>(addresses, listenOnSocket: true);
        _gateway.StartServer();
    }

    /// <summary>Waits until the gateway reports every service ready; returns its readiness report.</summary>
    public async Task<string> WaitUntilReadyAsync()
    {
        using var gateway = CreateGatewayClient();
        return await Eventually.Get(
            async () =>
            {
                var body = await gateway.GetStringAsync("/health/ready");
                return body.Contains("\"status\":\"Healthy\"", StringComparison.Ordinal) ? body : null;
            },
            "the gateway and all four services to be ready");
    }

    /// <summary>Stops one service as a crash would look from the gateway: its socket closes.</summary>
    public Task StopAsync(string serviceName) => StopAsync(_services[serviceName].Host);

    /// <summary>A client of one service directly, bypassing the gateway.</summary>
    public HttpClient CreateServiceClient(string serviceName) => new() { BaseAddress = _services[serviceName].Address, Timeout = TimeSpan.FromSeconds(15) };

    /// <summary>Settings the gateway gets on top of the services' addresses.</summary>
    protected virtual IReadOnlyDictionary<string, string?> GatewaySettings { get; } = new Dictionary<string, string?>();

    public override async ValueTask DisposeAsync()
    {
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }

        await base.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    private static string Destination(string serviceName) => $"ReverseProxy:Clusters:{serviceName}:Destinations:primary:Address";

    private async Task<string> StartOnSocketAsync<TEntryPoint>(string name)
        where TEntryPoint : class
    {
        var host = await StartAsync<TEntryPoint>(name, listenOnSocket: true);
        _services[name] = new ServiceHostAddress(host, host.Address);
        return host.Address.ToString();
    }

    private sealed record ServiceHostAddress(IAsyncDisposable Host, Uri Address);
}
