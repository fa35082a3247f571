using System.Diagnostics.Metrics;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using WardLink.Contracts.Partners;
using WardLink.EventSourcing;
using WardLink.Testing;
using WardLink.Tips;

namespace WardLink.IntegrationTests.Pipeline;

/// <summary><c>Messaging:QueueType</c>: a service on a RabbitMQ cluster declares every queue it consumes as a quorum queue.</summary>
public sealed class QueueTypeTests(ServiceGroup services) : IClassFixture<ServiceGroup>
{
    /// <summary>Also its wait queues (<see cref="WaitQueues"/>), whose messages come back to their queue.</summary>
    [Fact]
    public async Task With_QueueType_quorum_every_queue_the_service_declares_is_a_quorum_queue()
    {
        var tips = await services.StartAsync<TipsService>(
            TipsService.Name,
            settings: new Dictionary<string, string?> { ["Messaging:QueueType"] = "quorum", ["Messaging:QuorumReplicas"] = "1" });

        var queues = (await services.Infrastructure.QueueTypesAsync(services.VirtualHost))
            .Where(queue => queue.Key.StartsWith($"{TipsService.Name}-", StringComparison.Ordinal))
            .ToList();

        Assert.Superset(
            WaitQueues.Schedule.Select(delay => WaitQueues.QueueOf(TipsService.Name, delay)).ToHashSet(),
            queues.Select(queue => queue.Key).ToHashSet());
        Assert.All(queues, queue => Assert.Equal((queue.Key, "quorum"), (queue.Key, queue.Value)));

        // What waits in a quorum wait queue comes back: a retirement that waited is applied once its site is registered.
        await using var bus = await TestBus.StartAsync(services.VirtualHost);
        using var metrics = new HostMetrics(tips.Services.GetRequiredService<IMeterFactory>());
        var (siteId, partnerId) = (Guid.CreateVersion7(), Guid.CreateVersion7());
        await bus.PublishAsync(new SiteRetired(siteId, partnerId, DateTimeOffset.UtcNow, 2), NewId.NextGuid());
        await metrics.WaitedAsync<SiteRetired>(1);
        await services.RegisteredThenRetiredInTipsAsync(bus, siteId, partnerId);
    }
}
