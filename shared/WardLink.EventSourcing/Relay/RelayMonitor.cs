using Marten;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using WardLink.EventSourcing.Wards;

namespace WardLink.EventSourcing.Relay;

/// <summary>Measures relay lag every few seconds for the <c>wardlink.relay.lag</c> gauge.</summary>
public sealed class RelayMonitor(IDocumentStore store, WardDatabases databases, RelayStatus status, TimeProvider clock, ILogger<RelayMonitor> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await status.RefreshAsync(store, databases, stoppingToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                logger.LogDebug(exception, "Could not measure relay lag");
            }
        }
    }
}

/// <summary>
/// Readiness detail of the relay: lag, published and dead-lettered counts, and whether publishing
/// fails. A relay that cannot publish makes the service degraded (it still takes writes, which wait
/// in the event store), not unready.
/// </summary>
public sealed class RelayHealthCheck(IDocumentStore store, WardDatabases databases, RelayStatus status) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        await status.RefreshAsync(store, databases, cancellationToken);
        var data = new Dictionary<string, object>
        {
            ["lag"] = status.Lag,
            ["highWaterMark"] = status.HighWaterMark,
            ["relayedSequence"] = status.RelayedSequence,
            ["published"] = status.Published,
            ["deadLettered"] = status.DeadLettered,
        };
        if (status.FailingSince is { } since)
        {
            data["failingSince"] = since;
            data["failedAttempts"] = status.FailedAttempts;
            return HealthCheckResult.Degraded($"Publishing fails since {since:O}: {status.LastFailure}", data: data);
        }

        return HealthCheckResult.Healthy($"{status.Lag} events waiting to be relayed.", data);
    }
}
