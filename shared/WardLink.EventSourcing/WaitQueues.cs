using System.Diagnostics;
using System.Globalization;
using MassTransit;
using MassTransit.RabbitMqTransport;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace WardLink.EventSourcing;

/// <summary>
/// A message that names what another message, still on its way on another queue, brings (<see cref="NotKnownYetException"/>)
/// waits on the broker, not in the service: its consumer (<see cref="IdempotentConsumer{TMessage}"/>) publishes a copy of the
/// delivery to one of the service's wait queues (<c>tips-wait-100ms</c>, <c>tips-wait-1s</c>, <c>tips-wait-5s</c>,
/// <c>tips-wait-30s</c>) and ends; the delivery is acknowledged once the broker confirmed the copy. A wait queue's time to live
/// hands the copy to the service's <c>tips-waited</c> exchange, which routes it back to the queue it came from; the copy counts
/// its waits in the <see cref="Header"/> header. After <see cref="Schedule"/>'s waits (about four minutes) the consumer
/// throws, and the message is parked in the queue's <c>_error</c> queue like any failing message. The wait queues, their
/// exchanges and each queue's way back are declared with the queue's other topology, on every connection. A message retried
/// in the service instead (in memory) kept one of the queue's prefetched slots: sixteen of them held every slot for minutes,
/// and the queue's other messages waited with them.
/// </summary>
public sealed partial class WaitQueues(string service, int? quorumReplicas, MessageRetries retries, ILogger<WaitQueues> logger)
{
    /// <summary>How often a message has waited since it was last parked.</summary>
    public const string Header = "WardLink-Waits";

    /// <summary>The headers MassTransit gives a message it parks: a message moved back from the error queue carries them.</summary>
    private const string FaultHeaders = "MT-Fault-";

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

    /// <summary>
    /// How often a delivery with these headers has waited: its <see cref="Header"/> (0 without one, or with one that is not a
    /// count), or 0 once it was parked and moved back from the error queue (it carries MassTransit's fault headers): what it
    /// names may have come meanwhile, and it waits its whole schedule again.
    /// </summary>
    public static int WaitsOf(IEnumerable<KeyValuePair<string, object>> headers)
    {
        var waits = 0;
        foreach (var (name, value) in headers)
        {
            if (name.StartsWith(FaultHeaders, StringComparison.OrdinalIgnoreCase))
            {
                return 0;
            }

            if (string.Equals(name, Header, StringComparison.OrdinalIgnoreCase))
            {
                waits = int.TryParse(value as string, NumberStyles.None, CultureInfo.InvariantCulture, out var count) ? count : 0;
            }
        }

        return waits;
    }

    /// <summary>Whether the delivery of <paramref name="context"/> may wait once more.</summary>
    public static bool MayWait(ConsumeContext context) => WaitsOf(context.ReceiveContext.TransportHeaders.GetAll()) < Schedule.Count;

    /// <summary>
    /// A receive endpoint's part: the service's wait queues (declared on each channel the endpoint opens, before it consumes)
    /// and the way back from <see cref="ReturnOf"/> to the endpoint's queue <paramref name="queue"/>.
    /// </summary>
    public void Configure(IRabbitMqReceiveEndpointConfigurator endpoint, string queue)
    {
        endpoint.Bind(ReturnOf(service), back =>
        {
            back.ExchangeType = ExchangeType.Direct;
            back.RoutingKey = queue;
        });
        endpoint.ConfigureChannel(channel => channel.UseFilter(new DeclareWaitQueues(this)));
    }

    /// <summary>
    /// Publishes the delivery of <paramref name="context"/> as it came (its properties, headers and body), its waits counted,
    /// to its next wait queue, once the broker confirmed it: the consumer then ends, and the delivery is acknowledged. A copy
    /// the broker refuses (its wait queue gone: returned unrouted) fails the consume, as any failure does. One consumer of a
    /// message type to a queue (each consumer has its own, MassTransit's default): two that both waited would each publish a copy.
    /// </summary>
    public async Task WaitAsync<TMessage>(ConsumeContext<TMessage> context)
        where TMessage : class
    {
        var receive = context.ReceiveContext;
        if (!receive.TryGetPayload(out ChannelContext? channel) || !receive.TryGetPayload(out RabbitMqBasicConsumeContext? delivery)
            || !receive.TryGetPayload(out ReceiveSettings? settings))
        {
            throw new InvalidOperationException("A message can wait only on the RabbitMQ channel it came on.");
        }

        var waits = WaitsOf(receive.TransportHeaders.GetAll()) + 1;
        var queue = QueueOf(service, Schedule[waits - 1]);
        var properties = new BasicProperties(delivery.Properties) { UserId = null, Expiration = null };
        properties.Headers = new Dictionary<string, object?>(
            (delivery.Properties.Headers ?? new Dictionary<string, object?>()).Where(header => !IsLeftOutOfTheCopy(header.Key)),
            StringComparer.Ordinal)
        {
            [Header] = waits.ToString(CultureInfo.InvariantCulture),
        };
        await channel.BasicPublishAsync(queue, settings.QueueName, mandatory: true, properties, receive.GetBody(), awaitAck: true, receive.CancellationToken);
        retries.Count(typeof(TMessage).Name);
        receive.GetOrAddPayload(() => new Waited());
        Activity.Current?.SetTag("wardlink.message.wait_queue", queue).SetTag("wardlink.message.waits", waits);
    }

    /// <summary>
    /// What the copy leaves out: the broker's record of the dead-lettering (the broker's to write: a publisher's is not kept,
    /// and only grows), and the fault headers of an earlier parking (the copy waits anew).
    /// </summary>
    private static bool IsLeftOutOfTheCopy(string header) =>
        header.StartsWith("x-death", StringComparison.Ordinal) || header.StartsWith("x-first-death-", StringComparison.Ordinal)
        || header.StartsWith("x-last-death-", StringComparison.Ordinal) || header.StartsWith(FaultHeaders, StringComparison.OrdinalIgnoreCase)
        || string.Equals(header, "MT-Reason", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// On a delivery's receive context once its copy waits: the delivery's consumer ended and applied nothing (its consume
    /// observers' <c>PostConsume</c> came all the same). Where it waits is the span's (<c>wardlink.message.wait_queue</c>).
    /// </summary>
    public sealed record Waited;

    /// <summary>
    /// Declares the wait queues on a channel: each fed by a fanout exchange of its name, its messages returned through
    /// <see cref="ReturnOf"/>. What fails is thrown on as <see cref="AsRetried"/> says, so MassTransit tries the channel again.
    /// </summary>
    private async Task DeclareAsync(ChannelContext channel)
    {
        try
        {
            await DeclareEachAsync(channel);
        }
        catch (Exception failed) when (!channel.CancellationToken.IsCancellationRequested)
        {
            if (IsRefusal(failed))
            {
                LogNotDeclared(logger, failed, service);
            }
            else
            {
                LogInterrupted(logger, failed, service);
            }

            throw AsRetried(failed, service);
        }
    }

    /// <summary>Whether the broker refused a declaration (a reply code of 400 or more: other arguments, no permission).</summary>
    public static bool IsRefusal(Exception failure) => failure is OperationInterruptedException { ShutdownReason.ReplyCode: >= 400 };

    /// <summary>
    /// What a failed declaration is thrown on as, for MassTransit's receive transport to retry it (its policy retries a
    /// <see cref="ConnectionException"/> and a broker's refusal, nothing else): a refusal as it came; anything else, the channel
    /// or its connection closed on the way (the channel disposed, <c>320 CONNECTION_FORCED</c>, a cut socket), as a
    /// <see cref="RabbitMqConnectionException"/>. Thrown as it came, that stopped the endpoint for good (the faults probe: a
    /// queue of the service consumed nothing after its connection was closed during the declaration, its service still ready).
    /// </summary>
    public static Exception AsRetried(Exception failure, string service) =>
        IsRefusal(failure) ? failure : new RabbitMqConnectionException($"The wait queues of {service} could not be declared: the channel closed on the way.", failure);

    private async Task DeclareEachAsync(ChannelContext channel)
    {
        foreach (var delay in Schedule.Distinct())
        {
            var queue = QueueOf(service, delay);
            var arguments = new Dictionary<string, object>
            {
                ["x-message-ttl"] = (long)delay.TotalMilliseconds,
                ["x-dead-letter-exchange"] = ReturnOf(service),
            };
            if (quorumReplicas is { } replicas)
            {
                // A quorum queue dead-letters at most once unless told otherwise: a message returning while its way back has
                // no leader would be lost.
                arguments["x-queue-type"] = "quorum";
                arguments["x-quorum-initial-group-size"] = replicas;
                arguments["x-dead-letter-strategy"] = "at-least-once";
                arguments["x-overflow"] = "reject-publish";
            }

            await channel.ExchangeDeclare(queue, ExchangeType.Fanout, durable: true, autoDelete: false, new Dictionary<string, object>(), channel.CancellationToken);
            await channel.QueueDeclare(queue, durable: true, exclusive: false, autoDelete: false, arguments, channel.CancellationToken);
            await channel.QueueBind(queue, queue, string.Empty, new Dictionary<string, object>(), channel.CancellationToken);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The wait queues of {Service} could not be declared: no queue of the service consumes until they are (a wait queue of other arguments, e.g. of another Messaging:QueueType, is deleted once empty).")]
    private static partial void LogNotDeclared(ILogger logger, Exception exception, string service);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The wait queues of {Service} could not be declared: the channel or its connection closed on the way; the endpoint tries again on a new one.")]
    private static partial void LogInterrupted(ILogger logger, Exception exception, string service);

    /// <summary>
    /// Declares the wait queues on each channel an endpoint opens, before it consumes. One the broker refuses (declared before
    /// with other arguments) stops every queue of the service, each retried by MassTransit: logged at Error, naming why; a channel
    /// closed on the way is retried as a lost connection (<see cref="AsRetried"/>), logged at Warning.
    /// </summary>
    private sealed class DeclareWaitQueues(WaitQueues waits) : IFilter<ChannelContext>
    {
        public async Task Send(ChannelContext context, IPipe<ChannelContext> next)
        {
            await waits.DeclareAsync(context);
            await next.Send(context);
        }

        public void Probe(ProbeContext context) => context.CreateFilterScope("waitQueues");
    }
}
