using System.Text;
using RabbitMQ.Client;
using WardLink.Contracts.Incidents;
using WardLink.Contracts.Partners;
using WardLink.Contracts.Patrols;
using WardLink.Contracts.Tips;
using WardLink.Testing;

namespace WardLink.IntegrationTests.Privileges;

/// <summary>
/// Least privilege in RabbitMQ (DESIGN.md §8): each service's user, with the deployments'
/// permissions (deploy/rabbitmq/permissions.txt), publishes its own messages and consumes its own
/// queues, and is refused a peer's.
/// </summary>
public sealed class BrokerUserTests(ServiceGroup group) : IClassFixture<ServiceGroup>, IAsyncDisposable
{
    private readonly List<IConnection> _connections = [];

    /// <summary>A message each service publishes, by the exchange MassTransit publishes it to (namespace:type).</summary>
    private static readonly Dictionary<string, string> Publishes = new()
    {
        ["incidents"] = ExchangeOf<IncidentReported>(),
        ["patrols"] = ExchangeOf<PatrolObservationReported>(),
        ["tips"] = ExchangeOf<TipReferred>(),
        ["partners"] = ExchangeOf<SiteRegistered>(),
    };

    [Theory]
    [MemberData(nameof(ServiceRoles.Each), MemberType = typeof(ServiceRoles))]
    public async Task A_service_s_user_publishes_its_own_messages(string service)
    {
        var channel = await ChannelAsync(service);

        await DeclareAsync(channel, Publishes[service]);
        await channel.BasicPublishAsync(Publishes[service], string.Empty, Body(), Timeout());

        Assert.True(channel.IsOpen);
    }

    [Theory]
    [MemberData(nameof(ServiceRoles.Pairs), MemberType = typeof(ServiceRoles))]
    public async Task A_service_s_user_is_refused_publishing_a_message_a_peer_publishes(string service, string peer)
    {
        await DeclareAsync(await ChannelAsync(peer), Publishes[peer]);
        var channel = await ChannelAsync(service);

        await AssertRefusedAsync(channel, () => channel.BasicPublishAsync(Publishes[peer], string.Empty, Body(), Timeout()).AsTask());
    }

    [Theory]
    [MemberData(nameof(ServiceRoles.Pairs), MemberType = typeof(ServiceRoles))]
    public async Task A_service_s_user_is_refused_a_peer_s_queue_to_consume_or_to_declare(string service, string peer)
    {
        var queue = $"{peer}-test-queue";
        await (await ChannelAsync(peer)).QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, cancellationToken: Timeout());

        var consumer = await ChannelAsync(service);
        await AssertRefusedAsync(consumer, () => consumer.BasicConsumeAsync(queue, autoAck: false, new AsyncDefaultBasicConsumer(consumer), Timeout()));

        var declarer = await ChannelAsync(service);
        await AssertRefusedAsync(declarer, () => declarer.QueueDeclareAsync($"{peer}-planted", durable: true, exclusive: false, autoDelete: false, cancellationToken: Timeout()));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var connection in _connections)
        {
            await connection.DisposeAsync();
        }
    }

    private static string ExchangeOf<T>() => $"{typeof(T).Namespace}:{typeof(T).Name}";

    /// <summary>The broker closes the channel with 403 ACCESS_REFUSED; the call fails.</summary>
    private static async Task AssertRefusedAsync(IChannel channel, Func<Task> action)
    {
        await Assert.ThrowsAnyAsync<Exception>(action);
        var reason = await Eventually.Get(() => Task.FromResult(channel.CloseReason), "the broker to close the channel");
        Assert.True(reason.ReplyCode == Constants.AccessRefused, $"closed with {reason.ReplyCode} {reason.ReplyText}, not ACCESS_REFUSED");
    }

    /// <summary>A channel with publisher confirms, on a connection as <paramref name="service"/>'s user.</summary>
    private async Task<IChannel> ChannelAsync(string service)
    {
        var (broker, _) = await group.BrokerUserOfAsync(service);
        var connection = await new ConnectionFactory { Uri = new Uri(broker) }.CreateConnectionAsync(Timeout());
        _connections.Add(connection);
        return await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), Timeout());
    }

    private static Task DeclareAsync(IChannel channel, string exchange) =>
        channel.ExchangeDeclareAsync(exchange, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: Timeout());

    private static ReadOnlyMemory<byte> Body() => Encoding.UTF8.GetBytes("{}");

    private static CancellationToken Timeout() => new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token;
}
