using Microsoft.Extensions.DependencyInjection;

namespace WardLink.Testing;

/// <summary>One WardLink service on its own fresh database and RabbitMQ virtual host, for one test class.</summary>
public class ServiceFixture<TEntryPoint> : ServiceGroup
    where TEntryPoint : class
{
    private ServiceHost<TEntryPoint>? _host;

    public ServiceHost<TEntryPoint> Host => _host ?? throw new InvalidOperationException("The service did not start.");

    public HttpClient CreateClient() => Host.CreateClient();

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        _host = await StartAsync<TEntryPoint>(typeof(TEntryPoint).Name, services: ConfigureServices);
    }

    /// <summary>What a fixture of the class changes in the service's registrations (nothing here).</summary>
    protected virtual void ConfigureServices(IServiceCollection services)
    {
    }
}
