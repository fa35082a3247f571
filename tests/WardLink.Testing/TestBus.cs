using System.Collections.Concurrent;
using MassTransit;
using WardLink.ServiceDefaults;

namespace WardLink.Testing;

/// <summary>
/// A MassTransit bus of the test's own on a virtual host: publishes messages with chosen ids (to
/// play a relay that delivers twice, or a poison message) and records what it receives.
/// </summary>
public sealed class TestBus : IAsyncDisposable
{
    private readonly IBusControl _bus;

    private TestBus(IBusControl bus) => _bus = bus;

    /// <summary>Every message of type T received on the test's own queue, by message id.</summary>
    public ConcurrentQueue<(Guid MessageId, object Message)> Received { get; } = new();

    public static async Task<TestBus> StartAsync(string address, Action<TestBus, IRabbitMqBusFactoryConfigurator>? receive = null)
    {
        var broker = BrokerAddress.Parse(address);
        TestBus? self = null;
        var bus = Bus.Factory.CreateUsingRabbitMq(rabbit =>
        {
            rabbit.Host(broker.Host, broker.Port, broker.VirtualHost, host =>
            {
                host.Username(broker.Username);
                host.Password(broker.Password);
            });
            receive?.Invoke(self!, rabbit);
        });
        self = new TestBus(bus);
        await bus.StartAsync(TestTimeout());
        return self;
    }

    /// <summary>Listens on a queue of the test's own for messages of type T, recording each.</summary>
    public static Action<TestBus, IRabbitMqBusFactoryConfigurator> Recording<T>(string queue)
        where T : class =>
        (self, rabbit) => rabbit.ReceiveEndpoint(queue, endpoint => endpoint.Handler<T>(context =>
        {
            self.Received.Enqueue((context.MessageId!.Value, context.Message));
            return Task.CompletedTask;
        }));

    public Task PublishAsync<T>(T message, Guid messageId)
        where T : class =>
        _bus.Publish(message, context => context.MessageId = messageId, TestTimeout());

    public async ValueTask DisposeAsync() => await _bus.StopAsync(TestTimeout());

    private static CancellationToken TestTimeout() => new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token;
}
