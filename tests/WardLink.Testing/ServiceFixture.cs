using Xunit;

namespace WardLink.Testing;

/// <summary>
/// A WardLink service on its own fresh database and RabbitMQ virtual host, for one test class.
/// </summary>
public class ServiceFixture<TEntryPoint> : IAsyncLifetime
    where TEntryPoint : class
{
    private TestInfrastructure? _infrastructure;

    private ServiceHost<TEntryPoint>? _host;

    public ServiceHost<TEntryPoint> Host => _host ?? throw new InvalidOperationException("The service did not start.");

    public string? Database { get; private set; }

    public string? VirtualHost { get; private set; }

    public HttpClient CreateClient() => Host.CreateClient();

    public async ValueTask InitializeAsync()
    {
        _infrastructure = await TestInfrastructure.GetAsync();
        Database = await _infrastructure.CreateDatabaseAsync(typeof(TEntryPoint).Name);
        VirtualHost = await _infrastructure.CreateVirtualHostAsync(typeof(TEntryPoint).Name);
        _host = new ServiceHost<TEntryPoint>(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Postgres"] = Database,
            ["ConnectionStrings:RabbitMq"] = VirtualHost,
        });
        _host.StartServer();
    }

    public async ValueTask DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        if (_infrastructure is not null && Database is not null)
        {
            await _infrastructure.DropDatabaseAsync(Database);
        }

        if (_infrastructure is not null && VirtualHost is not null)
        {
            await _infrastructure.DeleteVirtualHostAsync(VirtualHost);
        }

        GC.SuppressFinalize(this);
    }
}
