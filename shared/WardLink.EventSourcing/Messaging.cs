using System.ComponentModel.DataAnnotations;
using System.Diagnostics.Metrics;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WardLink.ServiceDefaults;

using WardLink.EventSourcing.Wards;

namespace WardLink.EventSourcing;

public static class Messaging
{
    /// <summary>The broker address (<c>ConnectionStrings:RabbitMq</c>), e.g. <c>amqp://user:pass@host:5672/vhost</c>.</summary>
    public const string ConnectionName = "RabbitMq";

    /// <summary>How often a failing message is retried before it goes to the queue's <c>_error</c> queue.</summary>
    public const int RetryLimit = 5;

    /// <summary>
    /// How often a message that failed because PostgreSQL was unreachable is retried (every 1 s, growing to 30 s: about
    /// five minutes in all) before it too is parked: a restart or a failover is waited out, not turned into error queues.
    /// A message that names what the directory does not know yet waits on the broker instead (<see cref="WaitQueues"/>).
    /// </summary>
    public const int OutageRetryLimit = 14;

    /// <summary>
    /// The bus's heartbeat with RabbitMQ: a connection that passes nothing for a few of them (a broker that hangs, a network that
    /// drops everything) is given up and reconnected, and readiness's <see cref="BrokerHealthCheck"/> then asks the broker itself.
    /// </summary>
    public static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(10);

    /// <summary>
    /// MassTransit over RabbitMQ: queues named after the service (<c>tips-site-registered</c>),
    /// a bounded number of retries (more, and longer apart, while PostgreSQL is unreachable), then the queue's
    /// <c>_error</c> queue, whose depth is measured; no fault messages are published. An enum value a message's enum does not
    /// define fails the message's reading (<see cref="MessageEnums"/>). MassTransit's usage telemetry (the bus's endpoints,
    /// the host's system and time zone, posted to its makers) is off: nothing leaves for a third party.
    /// </summary>
    public static IHostApplicationBuilder AddWardLinkMessaging(
        this IHostApplicationBuilder builder, string serviceName, Action<IBusRegistrationConfigurator>? configure = null)
    {
        MessageEnums.RefuseUndefined();
        var quorum = builder.Configuration.Read<MessagingOptions>(MessagingOptions.Section) is { QueueType: "quorum" } messaging ? messaging.QuorumReplicas : (int?)null;
        builder.Services.AddSingleton(services => MessageRetries.For(serviceName, services.GetRequiredService<IMeterFactory>()));
        builder.Services.AddSingleton(services => new WaitQueues(
            serviceName, quorum, services.GetRequiredService<Func<string, MessageRetries>>()("notKnownYet"), services.GetRequiredService<ILogger<WaitQueues>>()));
        builder.Services.AddMassTransit(bus =>
        {
            bus.DisableUsageTelemetry();
            bus.SetEndpointNameFormatter(new KebabCaseEndpointNameFormatter(serviceName, includeNamespace: false));
            bus.AddConfigureEndpointsCallback((context, queue, endpoint) =>
            {
                // No Fault<T> message: nothing consumes one, and a service's broker user may publish
                // only the messages it owns (deploy/rabbitmq/permissions.txt). A failed message
                // waits in the queue's _error queue, with the exception in its headers.
                endpoint.PublishFaults = false;
                if (endpoint is IRabbitMqReceiveEndpointConfigurator rabbit)
                {
                    if (quorum is { } replicas)
                    {
                        rabbit.SetQuorumQueue(replicas);
                    }

                    context.GetRequiredService<WaitQueues>().Configure(rabbit, queue);
                }
            });

            configure?.Invoke(bus);
            bus.UsingRabbitMq((context, rabbit) =>
            {
                var broker = BrokerAddress.Parse(
                    context.GetRequiredService<IConfiguration>().GetConnectionString(ConnectionName)
                    ?? throw new InvalidOperationException($"ConnectionStrings:{ConnectionName} is not set for the {serviceName} service."));
                rabbit.Host(broker.Host, broker.Port, broker.VirtualHost, host =>
                {
                    host.Username(broker.Username);
                    host.Password(broker.Password);
                    host.Heartbeat(Heartbeat);
                });
                // The outer policy (the one whose count the error queue's headers give) retries what fails for any other
                // reason; within it, a failure because PostgreSQL is unreachable is retried apart, for longer. A message naming
                // what is not known here yet waits on the broker (WaitQueues), and is parked once it waited its last. Each retry
                // and wait is counted (MessageRetries), by why.
                var retries = context.GetRequiredService<Func<string, MessageRetries>>();
                rabbit.UseMessageRetry(retry =>
                {
                    retry.Ignore<Exception>(failure => DatabaseOutages.Is(failure) || failure is NotKnownYetException);
                    retry.Exponential(RetryLimit, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(200));
                    retry.ConnectRetryObserver(retries("failure"));
                });
                rabbit.UseMessageRetry(retry =>
                {
                    retry.Handle<Exception>(DatabaseOutages.Is);
                    retry.Exponential(OutageRetryLimit, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(1));
                    retry.ConnectRetryObserver(retries("outage"));
                });
                rabbit.UseWardOfMessages();
                rabbit.ConfigureEndpoints(context);
            });
        });
        builder.Services.RemoveMassTransitHostedService();
        builder.Services.AddSingleton<IHostedService, BoundedBusStop>();
        builder.Services.AddHostedService<ErrorQueues>();
        builder.Services.AddHealthChecks().AddCheck<BrokerHealthCheck>("broker", tags: [Health.ReadyTag]);
        builder.Services.Configure<MassTransitHostOptions>(options =>
        {
            // Start without waiting for the broker: readiness reports it, the bus reconnects.
            options.WaitUntilStarted = false;

            // Stop without waiting longer than this for the bus: a receive endpoint still waiting for a broker
            // connection (after an outage) once kept a stopping service, and a test run, waiting forever.
            options.StopTimeout = StopTimeout;
        });
        return builder;
    }

    /// <summary>How long a stopping service waits for its bus to stop (within the orchestrators' 30 s grace period).</summary>
    public static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How long a stopping service waits for its bus at most, whatever the bus does with <see cref="StopTimeout"/>: then the
    /// rest of the service stops (<see cref="BoundedBusStop"/>).
    /// </summary>
    public static readonly TimeSpan StopLimit = StopTimeout + TimeSpan.FromSeconds(5);
}

/// <summary>
/// <c>Messaging:QueueType</c>: <c>classic</c> (the default: one node, the local run and the tests) or <c>quorum</c> (a RabbitMQ
/// cluster: every receive endpoint's queue is declared a quorum queue replicated on <c>Messaging:QuorumReplicas</c> nodes, 3 by
/// default, at most RabbitMQ's cluster of 99 in reason). A queue's type is fixed when it is declared, so choose before the
/// first deployment.
/// </summary>
public sealed class MessagingOptions
{
    public const string Section = "Messaging";

    [AllowedValues("classic", "quorum")]
    public string QueueType { get; set; } = "classic";

    [Range(1, 99)]
    public int QuorumReplicas { get; set; } = 3;
}

/// <summary>The parts of an <c>amqp://</c> address MassTransit needs.</summary>
public sealed record BrokerAddress(string Host, ushort Port, string VirtualHost, string Username, string Password)
{
    public static BrokerAddress Parse(string address)
    {
        if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || (uri.Scheme != "amqp" && uri.Scheme != "rabbitmq"))
        {
            throw new FormatException($"'{Redact(address)}' is not an amqp:// address.");
        }

        var credentials = uri.UserInfo.Split(':', 2);
        var virtualHost = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        return new BrokerAddress(
            uri.Host,
            uri.IsDefaultPort ? (ushort)5672 : (ushort)uri.Port,
            virtualHost.Length == 0 ? "/" : virtualHost,
            credentials.Length > 0 && credentials[0].Length > 0 ? Uri.UnescapeDataString(credentials[0]) : "guest",
            credentials.Length > 1 ? Uri.UnescapeDataString(credentials[1]) : "guest");
    }

    private static string Redact(string address) => address.Contains('@', StringComparison.Ordinal) ? "amqp://***@" + address[(address.IndexOf('@', StringComparison.Ordinal) + 1)..] : address;
}

/// <summary>A consumer refused a message as malformed; the bus retries it, then parks it in the error queue.</summary>
public sealed class InvalidMessageException(string message) : Exception(message);

/// <summary>
/// A message names what another message, still on its way on another queue, brings: a ward or a site the service's
/// directory does not know yet. The message waits on the broker (<see cref="WaitQueues"/>: from 100 ms, growing to 30 s,
/// about four minutes in all, where other failures are parked within about 6 s), then is parked in the error queue.
/// </summary>
public sealed class NotKnownYetException(string message) : Exception(message);

/// <summary>
/// MassTransit's hosted service, its stop bounded by <see cref="Messaging.StopLimit"/>: parts of a bus's stop await with no
/// token (a bus observer's <c>PreStop</c>, a receive transport still waiting on the broker after an outage), so neither its
/// <see cref="Messaging.StopTimeout"/> nor the host's shutdown token ended it. Once in a full test run a tips service never
/// stopped after a broker outage, and every hosted service the host stops after the bus (the ward listeners, Marten's
/// projection daemon) ran on. Past the limit the rest of the service stops, and the bus's own stop is left to end with the
/// process.
/// </summary>
internal sealed partial class BoundedBusStop(IBusDepot depot, IOptions<MassTransitHostOptions> options, ILogger<BoundedBusStop> logger) : IHostedService, IAsyncDisposable
{
    private readonly MassTransitHostedService _bus = new(depot, options);

    public Task StartAsync(CancellationToken cancellationToken) => _bus.StartAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => WithinLimitAsync(_bus.StopAsync(cancellationToken), cancellationToken);

    /// <summary>Stops the bus if the host did not (a service that failed to start), within the same limit.</summary>
    public async ValueTask DisposeAsync() => await WithinLimitAsync(_bus.DisposeAsync().AsTask(), CancellationToken.None);

    private async Task WithinLimitAsync(Task stop, CancellationToken cancellationToken)
    {
        try
        {
            await stop.WaitAsync(Messaging.StopLimit, cancellationToken);
        }
        catch (TimeoutException)
        {
            LogBusNotStopped(logger, Messaging.StopLimit);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The message bus did not stop within {Limit}: the rest of the service stops without it.")]
    private static partial void LogBusNotStopped(ILogger logger, TimeSpan limit);
}
