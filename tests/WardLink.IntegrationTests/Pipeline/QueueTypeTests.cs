using WardLink.Testing;
using WardLink.Tips;

namespace WardLink.IntegrationTests.Pipeline;

/// <summary><c>Messaging:QueueType</c>: a service on a RabbitMQ cluster declares every queue it consumes as a quorum queue.</summary>
public sealed class QueueTypeTests(ServiceGroup services) : IClassFixture<ServiceGroup>
{
    [Fact]
    public async Task With_QueueType_quorum_every_queue_the_service_declares_is_a_quorum_queue()
    {
        await services.StartAsync<TipsService>(
            TipsService.Name,
            settings: new Dictionary<string, string?> { ["Messaging:QueueType"] = "quorum", ["Messaging:QuorumReplicas"] = "1" });

        var queues = (await services.Infrastructure.QueueTypesAsync(services.VirtualHost))
            .Where(queue => queue.Key.StartsWith($"{TipsService.Name}-", StringComparison.Ordinal))
            .ToList();

        Assert.NotEmpty(queues);
        Assert.All(queues, queue => Assert.Equal((queue.Key, "quorum"), (queue.Key, queue.Value)));
    }
}
