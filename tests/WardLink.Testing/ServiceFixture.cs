using Xunit;

namespace WardLink.Testing;

/// <summary>
/// A WardLink service on its own fresh database and RabbitMQ virtual host, for one test class.
/// </summary>
public class ServiceFixture<TEntryPoint> : IAsyncLifetime
    where TEntryPoint : class
{
    private TestInfrastructure? _infrastructure;

    public ServiceHost<TEntryPoint> Host { get; private set; } = null!;

    public string Database { get; private set; } = null!;

    public string VirtualHost { get; private set; } = null!;

    public HttpClient CreateClient() => Host.CreateClient();

    public async ValueTask InitializeAsync()
    {
        _infrastructure = await TestInfrastructure.GetAsync();
        Database = await _infrastructure.CreateDatabaseAsync(typeof(TEntryPoint).Name);
        VirtualHost = await _infrastructure.CreateVirtualHostAsync(typeof(TEntryPoint).Name);
        Host = new ServiceHost<TEntryPoint>(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Postgres"] = Database,
            ["ConnectionStrings:RabbitMq"] = VirtualHost,
        });
        Host.StartServer();
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        if (_infrastructure is not null)
        {
            await _infrastructure.DropDatabaseAsync(Database);
            await _infrastructure.DeleteVirtualHostAsync(VirtualHost);
        }

        GC.SuppressFinalize(this);
    }
}
