using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
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
    private readonly CapturedLogs _failures = new(LogLevel.Error);

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

    /// <summary>
    /// Starts the app expecting it to refuse, and says what it refused with: the exception thrown, and the
    /// failures its host logged (when the app has stopped before the test host looks at it, what is thrown
    /// is only that the app was disposed; the reason is in its log). Null when it started.
    /// </summary>
    public string? StartRefusal()
    {
        try
        {
            StartServer();
            return null;
        }
        catch (Exception thrown)
        {
            return string.Join(Environment.NewLine, [thrown.ToString(), .. _failures.Lines]);
        }
    }

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

        builder.ConfigureLogging(logging => logging.AddProvider(_failures));
        if (_services is not null)
        {
            builder.ConfigureServices(_services);
        }
    }
}
