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

        var parked = await metrics.GaugeOfQueueAsync(ErrorQueues.InstrumentName, "tips-site-registered_error", 1);
        Assert.Equal(TipsService.Name, parked.Tags["service"]);

        // An operator takes the message out (to fix and resend it): the gauge falls back to 0.
        Assert.Single(await services.Infrastructure.TakeMessagesAsync(services.VirtualHost, "tips-site-registered_error", 10));
        await metrics.GaugeOfQueueAsync(ErrorQueues.InstrumentName, "tips-site-registered_error", 0);
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

        var setAside = await metrics.GaugeOfQueueAsync(ErrorQueues.InstrumentName, "tips-site-registered_skipped", 1);
        Assert.Equal(TipsService.Name, setAside.Tags["service"]);
        var message = Assert.Single(await services.Infrastructure.TakeMessagesAsync(services.VirtualHost, "tips-site-registered_skipped", 10));
        Assert.Contains("site-registered:v9", message.GetProperty("payload").GetString(), StringComparison.Ordinal);
    }

    [MessageUrn("wardlink:partners:site-registered:v9")]
    [EntityName("WardLink.Contracts.Partners:SiteRegistered")]
    public sealed record SiteRegisteredV9(Guid SiteId, string Name);
}

/// <summary>What waits in the wait queues for a ward or site still on its way (<see cref="WaitQueues"/>), as a gauge.</summary>
public sealed class WaitingMetricsTests(ServiceGroup services) : IClassFixture<ServiceGroup>
{
    /// <summary>A retirement of a site not known, at its last and longest wait: the gauge shows it there, then 0 once it returned and was parked.</summary>
    [Fact]
    public async Task A_message_waiting_shows_in_the_waiting_gauge_under_its_wait_queue_until_it_returns()
    {
        var tips = await services.StartAsync<TipsService>(TipsService.Name);
        using var metrics = new HostMetrics(tips.Services.GetRequiredService<IMeterFactory>());
        await using var bus = await TestBus.StartAsync(services.VirtualHost);
        var longest = WaitQueues.QueueOf(TipsService.Name, WaitQueues.Schedule[^1]);

        await bus.PublishAsync(
            new SiteRetired(Guid.CreateVersion7(), Guid.CreateVersion7(), DateTimeOffset.UtcNow, 2),
            NewId.NextGuid(),
            new Dictionary<string, string> { [WaitQueues.Header] = (WaitQueues.Schedule.Count - 1).ToString(System.Globalization.CultureInfo.InvariantCulture) });

        var waiting = await metrics.GaugeOfQueueAsync(ErrorQueues.WaitingInstrumentName, longest, 1);
        Assert.Equal(TipsService.Name, waiting.Tags["service"]);
        await metrics.GaugeOfQueueAsync(ErrorQueues.WaitingInstrumentName, longest, 0, WaitQueues.Schedule[^1] + TimeSpan.FromSeconds(30));
        Assert.Single(await services.Infrastructure.TakeMessagesAsync(services.VirtualHost, "tips-site-retired_error", 10));
    }
}
