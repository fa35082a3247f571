using System.Diagnostics.Metrics;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using WardLink.Contracts.Partners;
using WardLink.ServiceDefaults;
using WardLink.Testing;
using WardLink.Tips;

namespace WardLink.IntegrationTests.Operations;

public sealed class ErrorQueueMetricsTests(ServiceGroup services) : IClassFixture<ServiceGroup>
{
    [Fact]
    public async Task A_failing_message_shows_as_consumer_errors_and_once_parked_in_the_error_queue_depth_gauge()
    {
        var tips = await services.StartAsync<TipsService>(TipsService.Name);
        using var metrics = new HostMetrics(tips.Services.GetRequiredService<IMeterFactory>(), "MassTransit");
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

        // MassTransit's meter counts every failed attempt: the first delivery and each retry.
        await Eventually.Get(
            () => Task.FromResult(metrics.Of("messaging.masstransit.consume.errors")
                .Where(failure => Equals(failure.Tags["messaging.masstransit.consumer_type"], "SiteRegisteredConsumer")
                    && Equals(failure.Tags["messaging.masstransit.exception_type"], "InvalidMessageException"))
                .Sum(failure => failure.Value) >= Messaging.RetryLimit + 1 ? "all" : null),
            "a consumer error for each attempt");
        Assert.Contains(metrics.Of("messaging.masstransit.consume.retries"), retry => Equals(retry.Tags["messaging.masstransit.destination"], "tips-site-registered"));
    }
}
