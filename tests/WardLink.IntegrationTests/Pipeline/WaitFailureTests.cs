using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using WardLink.Contracts.Partners;
using WardLink.EventSourcing;
using WardLink.Testing;
using WardLink.Tips;

namespace WardLink.IntegrationTests.Pipeline;

/// <summary>
/// A wait the broker refuses (<see cref="WaitQueues"/>): the tips service alone on a virtual host, whose first wait queue an
/// operator deleted while it ran.
/// </summary>
public sealed class WaitFailureTests(ServiceGroup services) : IClassFixture<ServiceGroup>
{
    /// <summary>
    /// The copy is returned unrouted, so the wait fails as any failure does: retried 5 times, then the message is parked naming
    /// the wait queue and why, never dropped (docs/pipeline.md, and the runbook's error queue).
    /// </summary>
    [Fact]
    public async Task A_message_whose_wait_queue_is_gone_is_parked_naming_why_not_lost()
    {
        await services.StartAsync<TipsService>(TipsService.Name);
        var queue = WaitQueues.QueueOf(TipsService.Name, WaitQueues.Schedule[0]);
        await services.Infrastructure.DeleteQueueAsync(services.VirtualHost, queue);
        await using var bus = await TestBus.StartAsync(services.VirtualHost);
        var siteId = Guid.CreateVersion7();

        await bus.PublishAsync(new SiteRetired(siteId, Guid.CreateVersion7(), DateTimeOffset.UtcNow, 2), NewId.NextGuid());

        var parked = await Eventually.Get(
            async () => (await services.Infrastructure.TakeMessagesAsync(services.VirtualHost, "tips-site-retired_error", 10)) is { Count: > 0 } taken ? taken : null,
            "the retirement parked");
        var headers = Assert.Single(parked).GetProperty("properties").GetProperty("headers");
        Assert.Equal("RabbitMQ.Client.Exceptions.PublishReturnException", headers.GetProperty("MT-Fault-ExceptionType").GetString());
        Assert.Equal($"312 NO_ROUTE Exchange: {queue} Routing Key: tips-site-retired", headers.GetProperty("MT-Fault-Message").GetString());
        Assert.Equal(Messaging.RetryLimit.ToString(System.Globalization.CultureInfo.InvariantCulture), headers.GetProperty("MT-Fault-RetryCount").ToString());
        Assert.Contains(siteId.ToString(), Assert.Single(parked).GetProperty("payload").GetString(), StringComparison.Ordinal);
    }
}

/// <summary>A wait queue declared before with other arguments than the service's (<see cref="WaitQueues"/>), on a virtual host of its own.</summary>
public sealed class WaitQueueMismatchTests(ServiceGroup services) : IClassFixture<ServiceGroup>
{
    /// <summary>
    /// The broker refuses the service's declaration: the service's bus never becomes healthy (no queue of it consumes:
    /// docs/pipeline.md), readiness's bus check says so, and an Error names the queue and why.
    /// </summary>
    [Fact]
    public async Task A_wait_queue_of_other_arguments_keeps_the_bus_unhealthy_and_is_an_error_in_the_log_naming_it()
    {
        var queue = WaitQueues.QueueOf(TipsService.Name, TimeSpan.FromSeconds(1));
        await services.Infrastructure.DeclareQueueAsync(services.VirtualHost, queue, """{"x-message-ttl":999}""");
        var logs = new CapturedLogs(LogLevel.Error);

        var unhealthy = await Assert.ThrowsAsync<TimeoutException>(() => services.StartAsync<TipsService>(TipsService.Name, services: added => added.AddSingleton<ILoggerProvider>(logs)));

        Assert.Equal("The tips service's bus did not become healthy: Unhealthy.", unhealthy.Message);
        var error = await Eventually.Get(
            () => Task.FromResult(logs.Lines.FirstOrDefault(line => line.Contains("The wait queues of tips could not be declared", StringComparison.Ordinal))),
            "the refused declaration in the log");
        Assert.Contains(queue, error, StringComparison.Ordinal);
        Assert.Contains("PRECONDITION_FAILED", error, StringComparison.Ordinal);

        // Readiness shows it: its bus check is not Healthy, while the broker itself answers.
        var readiness = await services.ServicesOf(TipsService.Name).GetRequiredService<HealthCheckService>().CheckHealthAsync(TestContext.Current.CancellationToken);
        Assert.NotEqual(HealthStatus.Healthy, readiness.Entries["masstransit-bus"].Status);
        Assert.Equal(HealthStatus.Healthy, readiness.Entries["broker"].Status);
    }
}
