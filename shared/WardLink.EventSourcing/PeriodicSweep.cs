using System.Threading.Channels;
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
    /// <summary>Whether a round is asked for before the interval ends (<see cref="RunSoon"/>): one held, however often asked.</summary>
    private readonly Channel<bool> _soon = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    /// <summary>How long between the start of two rounds.</summary>
    protected abstract TimeSpan Interval { get; }

    /// <summary>
    /// Asks for a round as soon as the one under way (if any) ends, without waiting for the interval: work was made due (a delivery
    /// queued) or left behind for want of room. Asked many times during a round, at most two more run (one request already taken
    /// by the waiting read, one held); the interval's rounds go on as before.
    /// </summary>
    public void RunSoon() => _soon.Writer.TryWrite(true);

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
        Task<bool>? tick = null;
        Task<bool>? soon = null;
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
                logger.LogWarning(failure, "{Sweep} failed; it runs again at the next round", GetType().Name);
            }

            // The next tick, or a round asked for sooner; whichever did not come stays awaited for the next wait (a timer takes one
            // wait at a time, and a read left behind would take the next request unseen).
            tick ??= timer.WaitForNextTickAsync(stoppingToken).AsTask();
            soon ??= _soon.Reader.ReadAsync(stoppingToken).AsTask();
            if (await Task.WhenAny(tick, soon) == soon)
            {
                soon = null;
            }
            else if (await tick)
            {
                tick = null;
            }
            else
            {
                return;
            }
        }
        while (!stoppingToken.IsCancellationRequested);
    }
}
