using System.Collections.Concurrent;

namespace WardLink.Gateway;

/// <summary>
/// Where a caller stands in one window after a request counted against it: whether the request was admitted, the window's
/// limit, the requests it has left, and how long until the window starts again (the answer's <c>RateLimit-*</c> headers,
/// and a refusal's <c>Retry-After</c>).
/// </summary>
public readonly record struct WindowStanding(bool Admitted, int Limit, int Remaining, TimeSpan Reset)
{
    /// <summary>Of the windows a request counted against, the one its answer reports: a refusing one, else the one with least left.</summary>
    public static WindowStanding Binding(WindowStanding first, WindowStanding second) =>
        first.Admitted != second.Admitted ? (first.Admitted ? second : first)
        : second.Remaining < first.Remaining || (second.Remaining == first.Remaining && second.Reset > first.Reset) ? second
        : first;
}

/// <summary>
/// Fixed windows per partition (a client, an address): at most <see cref="WindowLimit.PermitLimit"/> requests in each
/// <see cref="WindowLimit.Window"/>. A partition's windows follow one another on the clock from an offset of its own
/// (a hash of its name), so windows of different callers do not all start again at once; a refused request takes nothing.
/// Unlike .NET's fixed-window limiter, each answer can say when its window starts again. A window that has ended is
/// forgotten (every few thousand requests the ended ones are dropped), so the partitions kept are those of the last window.
/// </summary>
public sealed class RateWindows(TimeProvider clock)
{
    private const int ForgetEvery = 4096;

    private readonly ConcurrentDictionary<string, Count> _counts = new(StringComparer.Ordinal);
    private long _taken;

    /// <summary>How many partitions have a window kept now.</summary>
    public int Kept => _counts.Count;

    /// <summary>Counts a request against <paramref name="partition"/>'s window under <paramref name="limit"/>: admitted while the window has requests left.</summary>
    public WindowStanding Take(string partition, WindowLimit limit)
    {
        var now = clock.GetUtcNow().UtcTicks;
        var length = limit.Window.Ticks;
        var offset = (long)((uint)StringComparer.Ordinal.GetHashCode(partition) % (ulong)length);
        var ends = ((now - offset) / length + 1) * length + offset;
        WindowStanding standing;
        while (true)
        {
            var count = _counts.GetOrAdd(partition, _ => new Count());
            lock (count)
            {
                if (count.Forgotten)
                {
                    continue;
                }

                if (count.Ends != ends)
                {
                    (count.Ends, count.Used) = (ends, 0);
                }

                var admitted = count.Used < limit.PermitLimit;
                count.Used += admitted ? 1 : 0;
                standing = new(admitted, limit.PermitLimit, limit.PermitLimit - count.Used, TimeSpan.FromTicks(ends - now));
                break;
            }
        }

        if (Interlocked.Increment(ref _taken) % ForgetEvery == 0)
        {
            Forget(now);
        }

        return standing;
    }

    private void Forget(long now)
    {
        foreach (var (partition, count) in _counts)
        {
            lock (count)
            {
                if (count.Ends <= now)
                {
                    count.Forgotten = true;
                    _counts.TryRemove(KeyValuePair.Create(partition, count));
                }
            }
        }
    }

    /// <summary>A partition's current window: when it ends and how many requests it took; forgotten once dropped.</summary>
    private sealed class Count
    {
        public long Ends { get; set; }

        public int Used { get; set; }

        public bool Forgotten { get; set; }
    }
}
