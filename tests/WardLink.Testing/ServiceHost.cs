using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
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

    /// <summary>Every line the app has logged at <see cref="LogLevel.Error"/> or above, with its exception: what an operator's alert on failures would see.</summary>
    public IReadOnlyCollection<string> Failures => _failures.Lines;

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

    /// <summary>
    /// The host as the application runs it: Program.cs's <c>app.Run()</c> starts it, and stops and disposes it once its
    /// lifetime is told to stop, once, as in a deployment. The factory's own stop ran every hosted service's stop a second
    /// time, at once with the application's (Marten's projection coordinator then threw, or once never finished).
    /// </summary>
    protected override IHost CreateHost(IHostBuilder builder) => new RunByTheApplication(base.CreateHost(builder));

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

/// <summary>A started application's host, stopped and disposed by the application's own run.</summary>
internal sealed class RunByTheApplication(IHost host) : IHost
{
    private readonly IHostApplicationLifetime _lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();

    public IServiceProvider Services => host.Services;

    public Task StartAsync(CancellationToken cancellationToken = default) => host.StartAsync(cancellationToken);

    /// <summary>Has the application's run stop the host, and waits until it has.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var registration = _lifetime.ApplicationStopped.Register(() => stopped.TrySetResult());
        _lifetime.StopApplication();
        await stopped.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Nothing: the application's run disposes the host once it has stopped it.</summary>
    public void Dispose()
    {
    }
}
