using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using WardLink.ServiceDefaults.Security;

namespace WardLink.Testing;

/// <summary>
/// One WardLink app hosted by the test, with its configuration overridden. With
/// <paramref name="listenOnSocket"/> it runs Kestrel on a free loopback port, so other apps
/// (the gateway) reach it over a real socket. Its clients carry a police token unless a test
/// says otherwise (<see cref="TestAuth.As"/>); a service signs its audit checkpoints with the
/// run's key of it (<see cref="TestAudit"/>).
/// </summary>
public sealed class ServiceHost<TEntryPoint> : WebApplicationFactory<TEntryPoint>
    where TEntryPoint : class
{
    private readonly IReadOnlyDictionary<string, string?> _settings;
    private readonly Action<IServiceCollection>? _services;

    public ServiceHost(IReadOnlyDictionary<string, string?> settings, bool listenOnSocket = false, Action<IServiceCollection>? services = null)
    {
        _settings = settings;
        _services = services;
        if (listenOnSocket)
        {
            UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        }
    }

    /// <summary>The address Kestrel listens on (after <see cref="WebApplicationFactory{T}.StartServer"/>).</summary>
    public Uri Address =>
        new(Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single());

    protected override void ConfigureClient(HttpClient client)
    {
        base.ConfigureClient(client);
        client.As(TestAuth.Token(WardLinkRoles.Police));
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        foreach (var (key, value) in TestAuth.ServiceSettings.Concat(TestAudit.SettingsFor<TEntryPoint>()).Concat(_settings))
        {
            builder.UseSetting(key, value);
        }

        if (_services is not null)
        {
            builder.ConfigureServices(_services);
        }
    }
}
