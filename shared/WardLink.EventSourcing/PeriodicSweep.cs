using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using WardLink.EventSourcing.Wards;

namespace WardLink.EventSourcing;

/// <summary>
/// Background work done in rounds at an interval (a sweep for what time made due: missed shifts,
/// overdue action items, webhook deliveries). A round that fails is logged and the next one runs;
/// each round is idempotent, so several replicas may sweep at once. A sweep finds its work across
/// every ward (a query with <c>AnyTenant</c>) and does each item in the item's ward
/// (<see cref="EnterWardOf"/>), so whatever it records lands where the item belongs.
/// </summary>
public abstract class PeriodicSweep(TimeProvider clock, ILogger logger, WardTenants wards) : BackgroundService
{
    /// <summary>How long between the start of two rounds.</summary>
    protected abstract TimeSpan Interval { get; }

    /// <summary>One round at <paramref name="now"/>; returns how many things it did, for the log.</summary>
    protected abstract Task<int> RunRoundAsync(DateTimeOffset now, CancellationToken ct);

    /// <summary>
    /// Acts in the ward whose store tenant is <paramref name="tenant"/> (the tenant of a row found across
    /// the wards) until the scope is disposed: every session opened meanwhile is that ward's.
    /// </summary>
    protected WardContext.Scope EnterWardOf(string? tenant) => WardContext.Enter(wards.WardOf(tenant ?? WardTenants.DefaultTenant));

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
