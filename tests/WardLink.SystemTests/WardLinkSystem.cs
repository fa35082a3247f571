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
public sealed class WardLinkSystem : IAsyncLifetime
{
    private readonly Dictionary<string, IAsyncDisposable> _services = [];
    private readonly List<string> _databases = [];
    private TestInfrastructure? _infrastructure;
    private string? _virtualHost;
    private ServiceHost<GatewayService>? _gateway;

    public Uri GatewayAddress => (_gateway ?? throw new InvalidOperationException("The gateway did not start.")).Address;

    public HttpClient CreateGatewayClient() => new() { BaseAddress = GatewayAddress, Timeout = TimeSpan.FromSeconds(15) };

    public async ValueTask InitializeAsync()
    {
        _infrastructure = await TestInfrastructure.GetAsync();
        _virtualHost = await _infrastructure.CreateVirtualHostAsync("system");
        var addresses = new Dictionary<string, string?>
        {
            [$"ReverseProxy:Clusters:{IncidentsService.Name}:Destinations:primary:Address"] = (await StartAsync<IncidentsService>(IncidentsService.Name)).ToString(),
            [$"ReverseProxy:Clusters:{PatrolsService.Name}:Destinations:primary:Address"] = (await StartAsync<PatrolsService>(PatrolsService.Name)).ToString(),
            [$"ReverseProxy:Clusters:{TipsService.Name}:Destinations:primary:Address"] = (await StartAsync<TipsService>(TipsService.Name)).ToString(),
            [$"ReverseProxy:Clusters:{PartnersService.Name}:Destinations:primary:Address"] = (await StartAsync<PartnersService>(PartnersService.Name)).ToString(),
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
    public async Task StopAsync(string serviceName)
    {
        await _services[serviceName].DisposeAsync();
        _services.Remove(serviceName);
    }

    public async ValueTask DisposeAsync()
    {
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }

        foreach (var service in _services.Values)
        {
            await service.DisposeAsync();
        }

        foreach (var database in _databases)
        {
            await _infrastructure!.DropDatabaseAsync(database);
        }

        if (_virtualHost is not null)
        {
            await _infrastructure!.DeleteVirtualHostAsync(_virtualHost);
        }
    }

    private async Task<Uri> StartAsync<TEntryPoint>(string name)
        where TEntryPoint : class
    {
        var database = await _infrastructure!.CreateDatabaseAsync(name);
        _databases.Add(database);
        var host = new ServiceHost<TEntryPoint>(
            new Dictionary<string, string?>
            {
                ["ConnectionStrings:Postgres"] = database,
                ["ConnectionStrings:RabbitMq"] = _virtualHost,
            },
            listenOnSocket: true);
        host.StartServer();
        _services[name] = host;
        return host.Address;
    }
}
