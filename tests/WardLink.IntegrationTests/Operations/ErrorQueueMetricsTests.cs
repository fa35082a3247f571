using System.Diagnostics.Metrics;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using WardLink.Contracts.Partners;
using WardLink.EventSourcing;
using WardLink.Testing;
using WardLink.Tips;

namespace WardLink.IntegrationTests.Operations;

/// <summary>What waits in the error queues, which MassTransit's meter does not show, as a gauge.</summary>
public sealed class ErrorQueueMetricsTests(ServiceGroup services) : IClassFixture<ServiceGroup>
{
    [Fact]
    public async Task A_message_parked_in_an_error_queue_shows_in_the_error_queue_depth_gauge()
    {
        var tips = await services.StartAsync<TipsService>(TipsService.Name);
        using var metrics = new HostMetrics(tips.Services.GetRequiredService<IMeterFactory>());
        await using var bus = await TestBus.StartAsync(services.VirtualHost);

        await bus.PublishAsync(new SiteRegistered(Guid.CreateVersion7(), Guid.CreateVersion7(), " ", SiteKind.Gate, 19.8, 105.7, DateTimeOffset.UtcNow), NewId.NextGuid());

        var parked = await Eventually.Get(
            () =>
            {
                metrics.Observe();
                return Task.FromResult(metrics.Of(ErrorQueues.InstrumentName) is [.., { Value: 1 } depth] ? depth : null);
            },
            "one message in the error queue gauge");
        Assert.Equal("tips-site-registered_error", parked.Tags["queue"]);
        Assert.Equal(TipsService.Name, parked.Tags["service"]);

        // An operator takes the message out (to fix and resend it): the gauge falls back to 0.
        Assert.Single(await services.Infrastructure.TakeMessagesAsync(services.VirtualHost, "tips-site-registered_error", 10));
        await Eventually.Get(
            () =>
            {
                metrics.Observe();
                return Task.FromResult(metrics.Of(ErrorQueues.InstrumentName) is [.., { Value: 0 } empty] ? empty : null);
            },
            "the error queue gauge to read 0");
    }
}
