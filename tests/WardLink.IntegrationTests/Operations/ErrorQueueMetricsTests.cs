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

/// <summary>A message in a version of its contract no consumer reads: set aside where the operators' gauge shows it.</summary>
public sealed class SkippedQueueMetricsTests(ServiceGroup services) : IClassFixture<ServiceGroup>
{
    [Fact]
    public async Task A_message_in_a_version_no_consumer_reads_is_set_aside_in_the_skipped_queue_and_shows_in_the_gauge()
    {
        var tips = await services.StartAsync<TipsService>(TipsService.Name);
        using var metrics = new HostMetrics(tips.Services.GetRequiredService<IMeterFactory>());
        await using var bus = await TestBus.StartAsync(services.VirtualHost);

        // From a partners service upgraded before tips: the same exchange, a version tips does not know.
        await bus.PublishAsync(new SiteRegisteredV9(Guid.CreateVersion7(), "A gate from the future"), NewId.NextGuid());

        var setAside = await Eventually.Get(
            () =>
            {
                metrics.Observe();
                return Task.FromResult(metrics.Of(ErrorQueues.InstrumentName).LastOrDefault(depth => depth.Tags["queue"] is "tips-site-registered_skipped" && depth.Value == 1));
            },
            "one message in the skipped queue's gauge");
        Assert.Equal(TipsService.Name, setAside.Tags["service"]);
        var message = Assert.Single(await services.Infrastructure.TakeMessagesAsync(services.VirtualHost, "tips-site-registered_skipped", 10));
        Assert.Contains("site-registered:v9", message.GetProperty("payload").GetString(), StringComparison.Ordinal);
    }

    [MessageUrn("wardlink:partners:site-registered:v9")]
    [EntityName("WardLink.Contracts.Partners:SiteRegistered")]
    public sealed record SiteRegisteredV9(Guid SiteId, string Name);
}
