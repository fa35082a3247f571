using System.Diagnostics;
using System.Globalization;
using MassTransit;
using MassTransit.Configuration;
using MassTransit.Context;
using MassTransit.RabbitMqTransport;
using RabbitMQ.Client;

namespace WardLink.EventSourcing;

/// <summary>
/// A message that names what another message, still on its way on another queue, brings (<see cref="NotKnownYetException"/>)
/// waits on the broker, not in the service: a copy goes to one of the service's wait queues (<c>tips-wait-100ms</c>,
/// <c>tips-wait-1s</c>, <c>tips-wait-5s</c>, <c>tips-wait-30s</c>), whose time to live hands it to the service's
/// <c>tips-waited</c> exchange, which routes it back to the queue it came from; the message is acknowledged once the broker
/// confirmed the copy, and the copy counts its waits in the <see cref="Header"/> header. After <see cref="Schedule"/>'s
/// waits (about four minutes) it is parked in the queue's <c>_error</c> queue like any failing message. A message that
/// waited in the service instead (retried in memory) kept one of the queue's prefetched slots: sixteen of them held every
/// slot for minutes, and the queue's other messages waited with them.
/// </summary>
public static class WaitQueues
{
    /// <summary>How often a message has waited; a message moved back from the <c>_error</c> queue keeps it, so waits no more.</summary>
    public const string Header = "WardLink-Waits";

    /// <summary>How long each wait lasts, in turn: about four minutes in all.</summary>
    public static readonly IReadOnlyList<TimeSpan> Schedule =
    [
        TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1),
        TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5), .. Enumerable.Repeat(TimeSpan.FromSeconds(30), 7),
    ];

    /// <summary>The wait queue (and the exchange of the same name that feeds it) of a service for a wait of <paramref name="delay"/>.</summary>
    public static string QueueOf(string service, TimeSpan delay) =>
        delay < TimeSpan.FromSeconds(1)
            ? string.Create(CultureInfo.InvariantCulture, $"{service}-wait-{delay.TotalMilliseconds}ms")
            : string.Create(CultureInfo.InvariantCulture, $"{service}-wait-{delay.TotalSeconds}s");

    /// <summary>The exchange through which a service's waited messages return to their queues, each bound by its own name.</summary>
    public static string ReturnOf(string service) => $"{service}-waited";

    /// <summary>How often a message has waited: its <see cref="Header"/>, or 0 when it has none (or one that is not a count).</summary>
    public static int WaitsOf(string? header) =>
        int.TryParse(header, NumberStyles.None, CultureInfo.InvariantCulture, out var waits) ? waits : 0;

    /// <summary>
    /// Puts every message type's consumers behind the wait (between the retry policies configured before and the consumers):
    /// each wait is counted as a retry by <paramref name="retries"/>. Wait queues are quorum queues of
    /// <paramref name="quorumReplicas"/> nodes when the service's queues are.
    /// </summary>
    public static void UseWaitQueues(this IConsumePipeConfigurator pipe, string service, int? quorumReplicas, MessageRetries retries) =>
        _ = new WaitObserver(pipe, new Topology(service, quorumReplicas), retries);

    /// <summary>
    /// On a delivery's receive context, once its copy waits in <paramref name="Queue"/> (its <paramref name="Waits"/>th wait): the
    /// delivery's consumers ended without a fault, and applied nothing. A consume observer's <c>PostConsume</c> comes all the same.
    /// </summary>
    public sealed record Waited(string Queue, int Waits);

    private sealed record Topology(string Service, int? QuorumReplicas)
    {
        /// <summary>
        /// Declares the wait queue of <paramref name="delay"/> and the way back to <paramref name="origin"/> (each time: a message
        /// waits rarely, and a broker that lost them gets them back), and gives the exchange to publish to.
        /// </summary>
        public async Task<string> DeclareAsync(ChannelContext channel, TimeSpan delay, string origin, CancellationToken ct)
        {
            var queue = QueueOf(Service, delay);
            var back = ReturnOf(Service);
            var arguments = new Dictionary<string, object>
            {
                ["x-message-ttl"] = (long)delay.TotalMilliseconds,
                ["x-dead-letter-exchange"] = back,
            };
            if (QuorumReplicas is { } replicas)
            {
                // A quorum queue dead-letters at most once unless told otherwise: a message returning while the
                // return's target has no leader would be lost.
                arguments["x-queue-type"] = "quorum";
                arguments["x-quorum-initial-group-size"] = replicas;
                arguments["x-dead-letter-strategy"] = "at-least-once";
                arguments["x-overflow"] = "reject-publish";
            }

            await channel.ExchangeDeclare(back, ExchangeType.Direct, durable: true, autoDelete: false, new Dictionary<string, object>(), ct);
            await channel.QueueBind(origin, back, origin, new Dictionary<string, object>(), ct);
            await channel.ExchangeDeclare(queue, ExchangeType.Fanout, durable: true, autoDelete: false, new Dictionary<string, object>(), ct);
            await channel.QueueDeclare(queue, durable: true, exclusive: false, autoDelete: false, arguments, ct);
            await channel.QueueBind(queue, queue, string.Empty, new Dictionary<string, object>(), ct);
            return queue;
        }
    }

    private sealed class WaitObserver : ConfigurationObserver, IMessageConfigurationObserver
    {
        private readonly Topology _topology;
        private readonly MessageRetries _retries;

        public WaitObserver(IConsumePipeConfigurator pipe, Topology topology, MessageRetries retries)
            : base(pipe)
        {
            _topology = topology;
            _retries = retries;
            Connect(this);
        }

        public void MessageConfigured<TMessage>(IConsumePipeConfigurator configurator)
            where TMessage : class =>
            configurator.AddPipeSpecification(new FilterPipeSpecification<ConsumeContext<TMessage>>(new WaitFilter<TMessage>(_topology, _retries)));
    }

    private sealed class WaitFilter<TMessage>(Topology topology, MessageRetries retries) : IFilter<ConsumeContext<TMessage>>
        where TMessage : class
    {
        public async Task Send(ConsumeContext<TMessage> context, IPipe<ConsumeContext<TMessage>> next)
        {
            var waiting = new WaitingContext(context);
            var waits = WaitsOf(context.ReceiveContext.TransportHeaders.Get<string>(Header));
            try
            {
                await next.Send(waiting);
                return;
            }
            catch (NotKnownYetException) when (waits >= Schedule.Count)
            {
                await waiting.NotifyHeldFaultAsync();
                throw;
            }
            catch (NotKnownYetException)
            {
                // Waits remain: the message waits, and is no fault (no R-FAULT in the log, no consume error counted).
            }

            var queue = await WaitAsync(context.ReceiveContext, waits);
            retries.Count(typeof(TMessage).Name);
            context.ReceiveContext.GetOrAddPayload(() => new Waited(queue, waits + 1));
            Activity.Current?.SetTag("wardlink.message.wait_queue", queue).SetTag("wardlink.message.waits", waits + 1);
        }

        /// <summary>Publishes the delivery as it came (its properties, headers and body), its waits counted, to the next wait queue, named.</summary>
        private async Task<string> WaitAsync(ReceiveContext receive, int waits)
        {
            if (!receive.TryGetPayload(out ChannelContext? channel) || !receive.TryGetPayload(out RabbitMqBasicConsumeContext? delivery))
            {
                throw new InvalidOperationException("A message can wait only on the RabbitMQ channel it came on.");
            }

            var origin = receive.InputAddress.AbsolutePath[(receive.InputAddress.AbsolutePath.LastIndexOf('/') + 1)..];
            var exchange = await topology.DeclareAsync(channel, Schedule[waits], origin, receive.CancellationToken);
            var properties = new BasicProperties(delivery.Properties);
            var headers = new Dictionary<string, object?>(delivery.Properties.Headers ?? new Dictionary<string, object?>(), StringComparer.Ordinal);

            // The broker's own record of the dead-lettering is its to write: a publisher's is not kept, and only grows.
            foreach (var death in headers.Keys.Where(key => key.StartsWith("x-death", StringComparison.Ordinal) || key.StartsWith("x-first-death-", StringComparison.Ordinal) || key.StartsWith("x-last-death-", StringComparison.Ordinal)).ToList())
            {
                headers.Remove(death);
            }

            headers[Header] = (waits + 1).ToString(CultureInfo.InvariantCulture);
            properties.Headers = headers;
            await channel.BasicPublishAsync(exchange, origin, mandatory: true, properties, receive.GetBody(), awaitAck: true, receive.CancellationToken);
            return exchange;
        }

        public void Probe(ProbeContext context) => context.CreateFilterScope("waitQueues");

        /// <summary>Holds back the fault a consumer reports for what is not known yet, as MassTransit's retries do for theirs, until it is one.</summary>
        private sealed class WaitingContext(ConsumeContext<TMessage> context) : ConsumeContextScope<TMessage>(context)
        {
            private Func<Task>? _held;

            public override Task NotifyFaulted<T>(ConsumeContext<T> faulted, TimeSpan duration, string consumerType, Exception exception)
            {
                if (exception is not NotKnownYetException)
                {
                    return base.NotifyFaulted(faulted, duration, consumerType, exception);
                }

                _held = () => base.NotifyFaulted(faulted, duration, consumerType, exception);
                return Task.CompletedTask;
            }

            public Task NotifyHeldFaultAsync() => _held?.Invoke() ?? Task.CompletedTask;
        }
    }
}
