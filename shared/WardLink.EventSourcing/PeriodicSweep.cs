using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace WardLink.EventSourcing;

/// <summary>
/// Background work done in rounds at an interval (a sweep for what time made due: missed shifts,
/// overdue action items, webhook deliveries). A round that fails is logged and the next one runs;
/// each round is idempotent, so several replicas may sweep at once.
/// </summary>
public abstract class PeriodicSweep(TimeProvider clock, ILogger logger) : BackgroundService
{
    /// <summary>How long between the start of two rounds.</summary>
    protected abstract TimeSpan Interval { get; }

    /// <summary>One round at <paramref name="now"/>; returns how many things it did, for the log.</summary>
    protected abstract Task<int> RunRoundAsync(DateTimeOffset now, CancellationToken ct);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, clock);
        do
        {
            try
            {
                var done = await RunRoundAsync(clock.GetUtcNow(), stoppingToken);
                if (done > 0 && logger.IsEnabled(LogLevel.Information))
                {
                    logger.LogInformation("{Sweep} did {Count} thing(s) this round", GetType().Name, done);
                }
            }
            catch (Exception failure) when (failure is not OperationCanceledException)
            {
                logger.LogWarning(failure, "{Sweep} failed; it runs again at the next interval", GetType().Name);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
