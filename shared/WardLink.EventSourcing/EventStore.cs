using System.Diagnostics.Metrics;
using JasperFx;
using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.MultiTenancy;
using Marten;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using OpenTelemetry.Trace;
using WardLink.EventSourcing.Audit;
using WardLink.EventSourcing.Idempotency;
using WardLink.EventSourcing.Relay;
using WardLink.EventSourcing.Sites;
using WardLink.EventSourcing.Wards;
using WardLink.ServiceDefaults;
using Weasel.Core;

namespace WardLink.EventSourcing;

public static class EventStore
{
    /// <summary>The connection string of the service's own database (<c>ConnectionStrings:Postgres</c>).</summary>
    public const string ConnectionName = "Postgres";

    /// <summary>The async daemon wakes at most this often for commits (<see cref="CommitWakeup"/>).</summary>
    public static readonly TimeSpan WakeEvery = TimeSpan.FromMilliseconds(50);

    /// <summary>How long a service waits for a connection to its store (the pool's or a new one) before it answers 503.</summary>
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a service waits for PostgreSQL to answer a statement before it gives up (a 503). Npgsql then asks PostgreSQL to
    /// cancel it through a new connection, which a PostgreSQL that hangs (stopped, partitioned) holds up to twice
    /// <see cref="ConnectTimeout"/> (its opening, then the server's close), and waits no longer for the statement's end
    /// (<c>Cancellation Timeout=-1</c>): 22 s in all, within the gateway's 30 s, so such a database is a 503 problem and not
    /// the gateway's 504.
    /// </summary>
    public static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(12);

    /// <summary>
    /// A store's connection string as the services use it: what it sets stays, and unless it says
    /// otherwise, a pooled connection is not reset on return (no <c>DISCARD ALL</c>: nothing here leaves
    /// session state behind, the numbering locks are transaction-level, the daemon releases its own lock,
    /// and the benchmark counted about five resets a tip), statements run often are prepared once per connection,
    /// and a connection or a statement is waited for no longer than <see cref="ConnectTimeout"/> and <see cref="CommandTimeout"/>
    /// (a statement's cancellation no longer than the connection it takes).
    /// </summary>
    public static string Tuned(string connectionString)
    {
        // Npgsql's builder "contains" every keyword it knows: what the string itself sets is read apart.
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        foreach (var (keyword, set) in Defaults)
        {
            if (!given.ContainsKey(keyword) && !given.ContainsKey(keyword.Replace(" ", "", StringComparison.Ordinal)))
            {
                set(builder);
            }
        }

        return builder.ConnectionString;
    }

    /// <summary>
    /// Npgsql asks PostgreSQL to cancel a statement past its <see cref="CommandTimeout"/> (or one whose request was
    /// cancelled) synchronously, on a thread of the pool, through a new connection a PostgreSQL that hangs holds up to twice
    /// <see cref="ConnectTimeout"/>. The pool adds threads about one a second past its minimum (the cores), so a hanging
    /// database's statements timing out together held their requests, and every other (liveness too), seconds past the bounds
    /// above: 24 requests at once were answered over 10 s, the last after 32 s. The minimum is raised so that every connection
    /// the store may open can be cancelling at once while the cores still serve. The pool then starts threads up to it without
    /// waiting when work queues (41 for 400 short CPU-bound tasks on 2 cores, 5 before): the benchmark measured no cost. Only
    /// ever raised, once at a time (several services share a test's process: the largest store's wins).
    /// </summary>
    private static void KeepThreadsForCancellations(IEnumerable<string> connectionStrings, ILogger logger)
    {
        var wanted = Environment.ProcessorCount + connectionStrings.Sum(connectionString => new NpgsqlConnectionStringBuilder(connectionString).MaxPoolSize);
        lock (ThreadsRaised)
        {
            ThreadPool.GetMinThreads(out var workers, out var completionPorts);
            if (workers < wanted && !ThreadPool.SetMinThreads(wanted, completionPorts))
            {
                logger.LogWarning(
                    "The thread pool's minimum stays {Workers}, not {Wanted} (DOTNET_ThreadPool_* settings, or a maximum below it): a hanging database's cancellations may hold requests past their bounds.",
                    workers,
                    wanted);
            }
        }
    }

    private static readonly Lock ThreadsRaised = new();

    /// <summary>What <see cref="Tuned"/> sets unless the string sets its keyword (with its spaces or without).</summary>
    private static readonly (string Keyword, Action<NpgsqlConnectionStringBuilder> Set)[] Defaults =
    [
        ("No Reset On Close", builder => builder.NoResetOnClose = true),
        ("Max Auto Prepare", builder => builder.MaxAutoPrepare = 64),
        ("Timeout", builder => builder.Timeout = (int)ConnectTimeout.TotalSeconds),
        ("Command Timeout", builder => builder.CommandTimeout = (int)CommandTimeout.TotalSeconds),
        ("Cancellation Timeout", builder => builder.CancellationTimeout = -1),
    ];

    /// <summary>
    /// Marten on the service's own database: event metadata on, sessions stamped with the current
    /// trace, appended events counted, the async daemon in HotCold mode (several replicas may run,
    /// one runs the relay), the relay when the service publishes, schema created on start, the read
    /// models registered inline and rebuilt on start when empty.
    /// </summary>
    public static IHostApplicationBuilder AddWardLinkEventStore(this IHostApplicationBuilder builder, string serviceName, WardLinkServiceOptions service)
    {
        // Read when the container builds, so hosts (tests, the AppHost) can still change configuration.
        string ConnectionString(IServiceProvider services) =>
            Tuned(services.GetRequiredService<IConfiguration>().GetConnectionString(ConnectionName)
            ?? throw new InvalidOperationException($"ConnectionStrings:{ConnectionName} is not set for the {serviceName} service."));

        builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddNpgsql());
        builder.Services.AddExceptionHandler<StoreProblems>();
        builder.Services.AddHealthChecks()
            .AddNpgSql(ConnectionString, name: "postgres", tags: [Health.ReadyTag], timeout: Health.CheckTimeout)
            .AddCheck<WardDatabasesHealthCheck>("ward-databases", tags: [Health.ReadyTag], timeout: Health.CheckTimeout);

        var marten = builder.Services
            .AddMarten(services =>
            {
                var options = new StoreOptions();
                var wards = services.GetRequiredService<IOptions<WardOptions>>().Value;
                KeepThreadsForCancellations(
                    [ConnectionString(services), .. wards.Databases.Values.Select(group => Tuned(group.ConnectionString))],
                    services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(EventStore)));
                if (wards.Databases.Count == 0)
                {
                    options.Connection(ConnectionString(services));
                }
                else
                {
                    options.Tenancy = new WardTenancy(options, ConnectionString(services), wards, services.GetRequiredService<WardTenants>());
                }

                options.UseSystemTextJsonForSerialization(EnumStorage.AsString, Casing.CamelCase);
                options.Events.StreamIdentity = StreamIdentity.AsGuid;

                // Every time a query compares, orders or indexes, to the tick (a timestamptz keeps microseconds).
                options.UseExactTimes();

                // The yearly counters' events, which every numbering service reads back (YearlyNumbers).
                options.Events.AddEventType<NumberReserved>();
                options.Events.AddEventType<NumbersReserved>();

                // Every ward is a tenant of the one store: each stream, read model and record carries
                // its ward, and a session sees only its own ward's (see TracedSessionFactory). What the
                // whole service shares (the directories, the ledger of processed messages) is kept once.
                options.Events.TenancyStyle = TenancyStyle.Conjoined;
                // Marten applies the policies last added first: the ward indexes see the documents multi-tenanted.
                options.Policies.AllDocumentsAreMultiTenanted();
                options.AddJurisdictionDirectory();
                options.Listeners.Add(new WardsChanged(services.GetRequiredService<WardDirectoryCache>()));
                options.Events.MetadataConfig.HeadersEnabled = true;
                options.Events.MetadataConfig.CorrelationIdEnabled = true;
                options.Events.MetadataConfig.CausationIdEnabled = true;
                options.AutoCreateSchemaObjects = AutoCreate.CreateOrUpdate;

                // An append against an expected version (a consumer's, a sweep's) waits for the stream's row before it
                // writes: a step holds that row from its read to its commit (StreamResults), and an append that wrote its
                // event first, then waited on the row, while the step waited on that event, was a deadlock.
                options.Events.UseExclusiveLockOnConcurrentAppends = true;

                // The relay and the audit chain see a new event when the daemon's high-water agent finds
                // it. Polling alone (every 100 ms) made propagation p50 67-78 ms, p99 about 240 ms in the
                // benchmark; every commit that appends events now also sends a NOTIFY, which wakes the
                // agent at once when quiet and at most once per WakeEvery under load (CommitWakeup: one
                // wake a commit, Marten's own LISTEN, was a third of PostgreSQL's statements during intake).
                // Polling stays as the safety net (a NOTIFY missed while a listening connection
                // reconnects): 100 ms while events keep coming, 500 ms when quiet.
                options.Listeners.Add(new CommitNotice());
                options.Projections.Wakeup = services.GetRequiredService<CommitWakeup>();
                options.Projections.FastPollingTime = TimeSpan.FromMilliseconds(100);
                options.Projections.SlowPollingTime = TimeSpan.FromMilliseconds(500);
                options.Schema.For<ProcessedMessage>().SingleTenanted();
                AuditStorage.AddTables(options);
                IdempotencyStore.AddTable(options);
                options.Listeners.Add(new EventsAppended(serviceName, services.GetRequiredService<IMeterFactory>()));
                if (service.KeepsPartnerDirectory)
                {
                    options.AddSiteDirectory();
                    options.AddPartnerStandings();
                }

                service.Store?.Invoke(options);
                service.ReadModels.Register(options);
                return options;
            })
            .BuildSessionsWith<TracedSessionFactory>()
            .AddAsyncDaemon(DaemonMode.HotCold)
            .ApplyAllDatabaseChangesOnStartup();

        // Marten logs through this logger (AddMarten's default when no other is set): lost races at Debug.
        builder.Services.AddSingleton<ILogger<IDocumentStore>, LostRaces>();
        builder.Services.AddSingleton(services => new CommitWakeup(
            async ct => [.. (await services.GetRequiredService<IDocumentStore>().Storage.AllDatabases()).Select(database => (Func<NpgsqlConnection>)(() => database.CreateConnection()))],
            WakeEvery,
            services.GetService<TimeProvider>() ?? TimeProvider.System,
            services.GetRequiredService<ILogger<CommitWakeup>>()));

        // After the schema is applied on start, before the bus consumes or the server answers.
        builder.Services.AddSingleton(service.ReadModels);
        builder.Services.AddHostedService<MovedWardsCheck>();
        builder.Services.AddHostedService<ReadModelRebuild>();
        IdempotencyStore.Register(builder.Services);
        builder.Services.AddSettings<IntakeOptions>(IntakeOptions.Section);
        builder.Services.AddSingleton<NumberedRecords>();
        builder.Services.AddOptions<WardOptions>().BindConfiguration(WardOptions.Section)
            .Validate(wards => !wards.Home.Problems().Any(), "Wards:Home is not a valid ward (see WardOptions).")
            .Validate(wards => !WardDatabases.Problems(wards).Any(), "Wards:Databases is not valid: every group names a connection string and wards, not the home ward, none twice (see WardDatabases).")
            .ValidateOnStart();
        builder.Services.AddSingleton<WardTenants>();
        builder.Services.AddSingleton(services => new WardDirectoryCache(services.GetService<TimeProvider>() ?? TimeProvider.System));
        builder.Services.AddHostedService<WardDirectoryListener>();
        builder.Services.AddSingleton<WardDatabases>();
        builder.Services.Configure<OpenApiOptions>(ApiDescription.DocumentName, options =>
        {
            options.AddOperationTransformer<WardParameterDocumentation>();
            options.AddOperationTransformer(StoreProblems.DescribeUnreadable);
        });
        builder.Services.AddHostedService(services => ActivatorUtilities.CreateInstance<HomeWardKnown>(services, service.KeepsPartnerDirectory));
        marten.AddSubscriptionWithServices<AuditChain>(ServiceLifetime.Singleton, subscription => subscription.Options.BatchSize = 500);
        if (service.Publishes is { } map)
        {
            builder.Services.AddSingleton(map);
            builder.Services.AddSingleton<RelayStatus>();
            builder.Services.AddHostedService<RelayMonitor>();
            builder.Services.AddHealthChecks().AddCheck<RelayHealthCheck>("relay", tags: [Health.ReadyTag], timeout: Health.CheckTimeout);
            marten.AddSubscriptionWithServices<EventRelay>(ServiceLifetime.Singleton, subscription => subscription.Options.BatchSize = 500);
        }

        return builder;
    }
}
