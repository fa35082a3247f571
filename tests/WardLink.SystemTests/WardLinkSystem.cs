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
/// </summary>
public sealed class WardLinkSystem : ServiceGroup
{
    private readonly Dictionary<string, IAsyncDisposable> _services = [];
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
    public Task StopAsync(string serviceName) => StopAsync(_services[serviceName]);

    public override async ValueTask DisposeAsync()
    {
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }

        await base.DisposeAsync();
    }

    private static string Destination(string serviceName) => $"ReverseProxy:Clusters:{serviceName}:Destinations:primary:Address";

    private async Task<string> StartOnSocketAsync<TEntryPoint>(string name)
        where TEntryPoint : class
    {
        var host = await StartAsync<TEntryPoint>(name, listenOnSocket: true);
        _services[name] = host;
        return host.Address.ToString();
    }
}
