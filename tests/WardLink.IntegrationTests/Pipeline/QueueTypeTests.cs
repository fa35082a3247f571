using MassTransit;
using WardLink.Contracts.Partners;
using WardLink.EventSourcing;
using WardLink.Testing;
using WardLink.Tips;

namespace WardLink.IntegrationTests.Pipeline;

/// <summary><c>Messaging:QueueType</c>: a service on a RabbitMQ cluster declares every queue it consumes as a quorum queue.</summary>
public sealed class QueueTypeTests(ServiceGroup services) : IClassFixture<ServiceGroup>
{
    /// <summary>
    /// Also the wait queues (<see cref="WaitQueues"/>), declared when a message first waits (here a retirement of a site not
    /// known), whose messages come back to their queue.
    /// </summary>
    [Fact]
    public async Task With_QueueType_quorum_every_queue_the_service_declares_is_a_quorum_queue()
    {
        await services.StartAsync<TipsService>(
            TipsService.Name,
            settings: new Dictionary<string, string?> { ["Messaging:QueueType"] = "quorum", ["Messaging:QuorumReplicas"] = "1" });
        await using var bus = await TestBus.StartAsync(services.VirtualHost);
        var (siteId, partnerId) = (Guid.CreateVersion7(), Guid.CreateVersion7());
        await bus.PublishAsync(new SiteRetired(siteId, partnerId, DateTimeOffset.UtcNow, 2), NewId.NextGuid());

        var queues = (await Eventually.Get(
                async () => await services.Infrastructure.QueueTypesAsync(services.VirtualHost) is var all && all.ContainsKey(WaitQueues.QueueOf(TipsService.Name, WaitQueues.Schedule[0])) ? all : null,
                "the retirement to wait"))
            .Where(queue => queue.Key.StartsWith($"{TipsService.Name}-", StringComparison.Ordinal))
            .ToList();

        Assert.NotEmpty(queues);
        Assert.All(queues, queue => Assert.Equal((queue.Key, "quorum"), (queue.Key, queue.Value)));

        // What waits in a quorum wait queue comes back: the retirement is applied once its site is registered.
        await bus.PublishAsync(new SiteRegistered(siteId, partnerId, "School gate", SiteKind.Gate, 19.81, 105.78, DateTimeOffset.UtcNow), NewId.NextGuid());
        await Eventually.Get(
            async () => (await services.SitesKnownToAsync(TipsService.Name)).SingleOrDefault(site => site.Id == siteId && site.RetiredAt is not null),
            "the waiting retirement applied once its site came");
    }
}
