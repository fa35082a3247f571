using JasperFx;
using JasperFx.Events;
using JasperFx.Events.Daemon;
using Marten;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Weasel.Core;

namespace WardLink.ServiceDefaults;

public static class EventStore
{
    /// <summary>The connection string of the service's own database (<c>ConnectionStrings:Postgres</c>).</summary>
    public const string ConnectionName = "Postgres";

    /// <summary>
    /// Marten on the service's own database: event metadata on, the async daemon in HotCold mode
    /// (several replicas may run, one runs the projections and the relay), schema created on start.
    /// </summary>
    public static MartenServiceCollectionExtensions.MartenConfigurationExpression AddWardLinkEventStore(
        this IHostApplicationBuilder builder, string serviceName, Action<StoreOptions>? configure = null)
    {
        // Read when the container builds, so hosts (tests, the AppHost) can still change configuration.
        string ConnectionString(IServiceProvider services) =>
            services.GetRequiredService<IConfiguration>().GetConnectionString(ConnectionName)
            ?? throw new InvalidOperationException($"ConnectionStrings:{ConnectionName} is not set for the {serviceName} service.");

        builder.Services.AddHealthChecks().AddNpgSql(ConnectionString, name: "postgres", tags: [Health.ReadyTag]);

        return builder.Services
            .AddMarten(services =>
            {
                var options = new StoreOptions();
                options.Connection(ConnectionString(services));
                options.UseSystemTextJsonForSerialization(EnumStorage.AsString, Casing.CamelCase);
                options.Events.StreamIdentity = StreamIdentity.AsGuid;
                options.Events.MetadataConfig.HeadersEnabled = true;
                options.Events.MetadataConfig.CorrelationIdEnabled = true;
                options.Events.MetadataConfig.CausationIdEnabled = true;
                options.AutoCreateSchemaObjects = AutoCreate.CreateOrUpdate;
                configure?.Invoke(options);
                return options;
            })
            .UseLightweightSessions()
            .AddAsyncDaemon(DaemonMode.HotCold)
            .ApplyAllDatabaseChangesOnStartup();
    }
}
