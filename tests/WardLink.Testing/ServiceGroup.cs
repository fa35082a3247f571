using System.Reflection;
using Marten;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using WardLink.EventSourcing;
using WardLink.EventSourcing.Sites;
using WardLink.EventSourcing.Wards;
using Xunit;

namespace WardLink.Testing;

/// <summary>
/// WardLink services for one test class: each service on its own fresh database, all of them on
/// one fresh RabbitMQ virtual host, each there with a user of its own allowed what the deployments
/// allow it (deploy/rabbitmq/permissions.txt). A service can be stopped and started again on its
/// database (a restart), or started twice on it (two replicas). Everything is dropped at the end.
/// </summary>
public class ServiceGroup : IAsyncLifetime
{
    /// <summary>The service that keeps the wards (partners).</summary>
    private const string WardKeeper = "partners";

    private readonly Dictionary<string, string> _databases = [];
    private readonly Dictionary<string, (string Broker, string Management)> _brokerUsers = [];
    private readonly Dictionary<string, IServiceProvider> _running = [];
    private readonly List<IAsyncDisposable> _hosts = [];

    /// <summary>The databases partners runs on in this group (replicas share one).</summary>
    private readonly HashSet<string> _wardKeepers = [];
    private TestInfrastructure? _infrastructure;
    private string? _virtualHost;

    /// <summary>The key the tips service encrypts tipster contacts with in tests (base64, 32 bytes).</summary>
    public static readonly string TipsContactKey = Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes("wardlink-tests-contact-key-32byt"));

    /// <summary>The key the partners service seals webhook signing secrets with in tests (base64, 32 bytes).</summary>
    public static readonly string WebhookSecretKey = Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes("wardlink-tests-webhook-key-32byt"));

    /// <summary>How long a host may take to stop: its hosted services' 30 s shutdown, its bus's 15 s, with room for a slow machine.</summary>
    protected virtual TimeSpan StopLimit => TimeSpan.FromMinutes(2);

    public TestInfrastructure Infrastructure => _infrastructure ?? throw new InvalidOperationException("Not initialised.");

    /// <summary>The amqp:// address of the group's virtual host.</summary>
    public string VirtualHost => _virtualHost ?? throw new InvalidOperationException("Not initialised.");

    public virtual async ValueTask InitializeAsync()
    {
        _infrastructure = await TestInfrastructure.GetAsync();
        _virtualHost = await _infrastructure.CreateVirtualHostAsync(GetType().Name);
    }

    /// <summary>
    /// Starts service <paramref name="name"/> on its database (made on first use), optionally on a
    /// real socket and with extra services registered.
    /// </summary>
    public async Task<ServiceHost<TEntryPoint>> StartAsync<TEntryPoint>(
        string name, bool listenOnSocket = false, Action<IServiceCollection>? services = null, IReadOnlyDictionary<string, string?>? settings = null)
        where TEntryPoint : class
    {
        var (broker, management) = await BrokerUserOfAsync(ServiceNameOf<TEntryPoint>());
        var configuration = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Postgres"] = await DatabaseOfAsync(name),
            ["ConnectionStrings:RabbitMq"] = broker,
            ["ConnectionStrings:RabbitMqManagement"] = management,
            ["Tips:ContactKey"] = TipsContactKey,
            ["Webhooks:SecretKey"] = WebhookSecretKey,
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            configuration[key] = value;
        }

        var host = new ServiceHost<TEntryPoint>(configuration, listenOnSocket, services);
        _hosts.Add(host);
        host.StartServer();
        _running[name] = host.Services;

        // The bus starts in the background; wait until its queues are bound, so nothing published
        // by the test is lost for want of a binding.
        var health = await host.Services.GetRequiredService<IBusControl>().WaitForHealthStatus(BusHealthStatus.Healthy, TimeSpan.FromSeconds(30));
        if (health != BusHealthStatus.Healthy)
        {
            throw new TimeoutException($"The {name} service's bus did not become healthy: {health}.");
        }

        // Only while the group runs one partners database: a second one's consumers share its queues
        // and may take the other's message.
        if (ServiceNameOf<TEntryPoint>() == WardKeeper)
        {
            _wardKeepers.Add(name);
            if (_wardKeepers.Count == 1 && HomeWardRecordedOnStart)
            {
                await WaitUntilHomeWardHeardAsync(host.Services);
            }
        }

        return host;
    }

    /// <summary>Whether the group's partners service records its home ward on start (a group that stops it from doing so says no).</summary>
    protected virtual bool HomeWardRecordedOnStart => true;

    /// <summary>
    /// Partners establishes the home ward once its bus is up and hears it back as every directory does
    /// (its WardEstablished, version 1): wait for that, so nothing it writes is still being written
    /// when a test begins (and counts what is stored).
    /// </summary>
    private static Task<KnownWard> WaitUntilHomeWardHeardAsync(IServiceProvider services)
    {
        var home = services.GetRequiredService<IOptions<WardOptions>>().Value.Home.Id;
        var store = services.GetRequiredService<IDocumentStore>();
        return Eventually.Get(
            async () =>
            {
                await using var session = store.QuerySession();
                return await session.WardAsync(home, CancellationToken.None) is { Version: > 0 } known ? known : null;
            },
            $"the partners service to hear of its home ward {home}");
    }

    /// <summary>The connection string of service <paramref name="name"/>'s database, made on first use.</summary>
    public async Task<string> DatabaseOfAsync(string name)
    {
        if (!_databases.TryGetValue(name, out var database))
        {
            _databases[name] = database = await Infrastructure.CreateDatabaseAsync(name);
        }

        return database;
    }

    /// <summary>
    /// The settings that keep <paramref name="wards"/>' records in a second database of service <paramref name="service"/>
    /// (group <paramref name="group"/> of <c>Wards:Databases</c>; the database is made on first use), as a province that
    /// moved those wards to a second cluster would configure it.
    /// </summary>
    public async Task<Dictionary<string, string?>> SecondDatabaseOfAsync(string service, string group, IReadOnlyList<string> wards)
    {
        var settings = new Dictionary<string, string?>
        {
            [$"{WardOptions.Section}:Databases:{group}:ConnectionString"] = await DatabaseOfAsync($"{service}-{group}"),
        };
        for (var i = 0; i < wards.Count; i++)
        {
            settings[$"{WardOptions.Section}:Databases:{group}:Wards:{i}"] = wards[i];
        }

        return settings;
    }

    /// <summary>The amqp:// and management addresses, with its own user's credentials, of service <paramref name="service"/> on the group's virtual host.</summary>
    public async Task<(string Broker, string Management)> BrokerUserOfAsync(string service)
    {
        if (!_brokerUsers.TryGetValue(service, out var user))
        {
            _brokerUsers[service] = user = await Infrastructure.CreateServiceUserAsync(VirtualHost, service);
        }

        return user;
    }

    /// <summary>The service's name (its queues' prefix): the <c>Name</c> constant of its marker type, e.g. <c>TipsService.Name</c>.</summary>
    public static string ServiceNameOf<TEntryPoint>() =>
        typeof(TEntryPoint).GetField("Name", BindingFlags.Public | BindingFlags.Static)?.GetRawConstantValue() as string
        ?? throw new InvalidOperationException($"{typeof(TEntryPoint).Name} has no public constant Name.");

    /// <summary>Stops a host, as a crash or a deployment would: its bus, daemon and sockets close.</summary>
    public async Task StopAsync(IAsyncDisposable host)
    {
        _hosts.Remove(host);
        await StopWithinLimitAsync(host);
    }

    /// <summary>
    /// Has what a fixture starts beside its services (a test bus, a webhook receiver) stopped with them, last started
    /// first, within the same limit.
    /// </summary>
    protected T Own<T>(T started)
        where T : IAsyncDisposable
    {
        _hosts.Add(started);
        return started;
    }

    /// <summary>
    /// Stops a host, failing with its name and the test class when it has not stopped within <see cref="StopLimit"/>: a
    /// host that never stops would otherwise hold its class's fixture, and the run's last tests (those that run alone
    /// wait for every other class to end), until the run's hang detector ends it without naming anything. The stop
    /// runs off the caller's thread, so a disposal that blocks its thread is bounded too.
    /// </summary>
    private async Task StopWithinLimitAsync(IAsyncDisposable host)
    {
        try
        {
            await Task.Run(async () => await host.DisposeAsync()).WaitAsync(StopLimit);
        }
        catch (TimeoutException)
        {
            var service = host.GetType() is { IsGenericType: true } generic ? generic.GetGenericArguments()[0].Name : host.GetType().Name;
            throw new TimeoutException($"{service} of {GetType().Name} did not stop within {StopLimit.TotalSeconds:0} s (a service stops within its 30 s grace period); it was left running.");
        }
    }

    /// <summary>The services (DI container) of the last started instance of a service.</summary>
    public IServiceProvider ServicesOf(string name) => _running[name];

    /// <summary>The document store of the last started instance of a service.</summary>
    public IDocumentStore StoreOf(string name) => _running[name].GetRequiredService<IDocumentStore>();

    public async Task<IReadOnlyList<KnownSite>> SitesKnownToAsync(string name)
    {
        await using var session = StoreOf(name).QuerySession();
        return await session.Query<KnownSite>().ToListAsync();
    }

    /// <summary>The messages a service's consumers have applied, from the ledger of each database it keeps wards in (each keeps those of its wards).</summary>
    public Task<List<ProcessedMessage>> ProcessedByAsync(string name) =>
        ServicesOf(name).GetRequiredService<WardDatabases>().ReadEveryWardAsync<ProcessedMessage>(async session => await session.Query<ProcessedMessage>().ToListAsync());

    /// <summary>Stores what <paramref name="keep"/> stages in each database of service <paramref name="name"/>, as its directories' consumers keep them: every database keeps the directories.</summary>
    public async Task KeepInEveryDatabaseAsync(string name, Func<IDocumentSession, Task> keep)
    {
        foreach (var tenant in ServicesOf(name).GetRequiredService<WardDatabases>().SessionTenants)
        {
            await using var session = StoreOf(name).LightweightSession(tenant);
            await keep(session);
            await session.SaveChangesAsync();
        }
    }

    public virtual async ValueTask DisposeAsync()
    {
        // Every host is stopped, and the databases and virtual host dropped, even when one host does not stop.
        var hung = new List<TimeoutException>();
        foreach (var host in Enumerable.Reverse(_hosts).ToList())
        {
            try
            {
                await StopWithinLimitAsync(host);
            }
            catch (TimeoutException timeout)
            {
                hung.Add(timeout);
            }
        }

        if (_infrastructure is not null)
        {
            foreach (var database in _databases.Values)
            {
                await _infrastructure.DropDatabaseAsync(database);
            }

            if (_virtualHost is not null)
            {
                await _infrastructure.DeleteVirtualHostAsync(_virtualHost);
                await _infrastructure.DeleteServiceUsersAsync(_virtualHost);
            }
        }

        GC.SuppressFinalize(this);
        if (hung.Count > 0)
        {
            throw new AggregateException(hung);
        }
    }
}
