using System.Collections.Concurrent;
using MassTransit;
using WardLink.EventSourcing;
using WardLink.EventSourcing.Wards;

namespace WardLink.Testing;

/// <summary>
/// A MassTransit bus of the test's own on a virtual host: publishes messages with chosen ids (to
/// play a relay that delivers twice, or a poison message) and records what it receives.
/// </summary>
public sealed class TestBus : IAsyncDisposable
{
    private readonly IBusControl _bus;

    private TestBus(IBusControl bus, ConcurrentQueue<(Guid MessageId, object Message)> received)
    {
        _bus = bus;
        Received = received;
    }

    /// <summary>Every message received on the test's own queue (see <see cref="Recording{T}"/>), with its message id.</summary>
    public ConcurrentQueue<(Guid MessageId, object Message)> Received { get; }

    public static async Task<TestBus> StartAsync(string address, Action<ConcurrentQueue<(Guid MessageId, object Message)>, IRabbitMqBusFactoryConfigurator>? receive = null)
    {
        var broker = BrokerAddress.Parse(address);
        var received = new ConcurrentQueue<(Guid MessageId, object Message)>();
        var bus = Bus.Factory.CreateUsingRabbitMq(rabbit =>
        {
            rabbit.Host(broker.Host, broker.Port, broker.VirtualHost, host =>
            {
                host.Username(broker.Username);
                host.Password(broker.Password);
            });
            receive?.Invoke(received, rabbit);
        });
        await bus.StartAsync(TestTimeout());
        return new TestBus(bus, received);
    }

    /// <summary>Listens on a queue of the test's own for messages of type T, recording each.</summary>
    public static Action<ConcurrentQueue<(Guid MessageId, object Message)>, IRabbitMqBusFactoryConfigurator> Recording<T>(string queue)
        where T : class =>
        (received, rabbit) => rabbit.ReceiveEndpoint(queue, endpoint => endpoint.Handler<T>(context =>
        {
            received.Enqueue((context.MessageId!.Value, context.Message));
            return Task.CompletedTask;
        }));

    public Task PublishAsync<T>(T message, Guid messageId)
        where T : class =>
        _bus.Publish(message, context => context.MessageId = messageId, TestTimeout());

    /// <summary>Publishes a message whose type is known only at run time (a generated sample of each contract).</summary>
    public Task PublishAsync(object message, Type messageType, Guid messageId) =>
        _bus.Publish(message, messageType, Pipe.Execute<PublishContext>(context => context.MessageId = messageId), TestTimeout());

    /// <summary>Publishes as the relay of a record of ward <paramref name="ward"/> does: with the ward's header, so consumers act in that ward.</summary>
    public Task PublishAsync<T>(T message, Guid messageId, string ward)
        where T : class =>
        PublishAsync(message, messageId, new Dictionary<string, string> { [WardMessages.Header] = ward });

    /// <summary>Publishes with headers of the test's choosing (a ward's, a count of waits).</summary>
    public Task PublishAsync<T>(T message, Guid messageId, IReadOnlyDictionary<string, string> headers)
        where T : class =>
        _bus.Publish(
            message,
            context =>
            {
                context.MessageId = messageId;
                foreach (var (name, value) in headers)
                {
                    context.Headers.Set(name, value);
                }
            },
            TestTimeout());

    public async ValueTask DisposeAsync() => await _bus.StopAsync(TestTimeout());

    private static CancellationToken TestTimeout() => new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token;
}
