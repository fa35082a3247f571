using System.Collections.Concurrent;

namespace WardLink.Gateway;

/// <summary>
/// Where a caller stands in one window after a request counted against it: whether the request was admitted, the window's
/// limit, the requests it has left, and when the window ends on the windows' own clock (<see cref="RateWindows.Now"/>): the
/// answer's <c>RateLimit-*</c> headers, and a refusal's <c>Retry-After</c>, reckoned as the answer starts.
/// </summary>
public readonly record struct WindowStanding(bool Admitted, int Limit, int Remaining, TimeSpan Ends, TimeSpan Window)
{
    /// <summary>Of the windows a request counted against, the one its answer reports: a refusing one, else the one with least left.</summary>
    public static WindowStanding Binding(WindowStanding first, WindowStanding second) =>
        first.Admitted != second.Admitted ? (first.Admitted ? second : first)
        : second.Remaining < first.Remaining || (second.Remaining == first.Remaining && second.Ends > first.Ends) ? second
        : first;

    /// <summary>Whole seconds from <paramref name="now"/> (<see cref="RateWindows.Now"/>) until the window starts again: at least 1, at most its length.</summary>
    public long ResetSeconds(TimeSpan now) =>
        Math.Max(1, (long)Math.Ceiling(TimeSpan.FromTicks(Math.Min((Ends - now).Ticks, Window.Ticks)).TotalSeconds));
}

/// <summary>
/// Fixed windows per partition (a client, an address): at most <see cref="WindowLimit.PermitLimit"/> requests in each
/// <see cref="WindowLimit.Window"/>. A partition's windows follow one another on the clock from an offset of its own
/// (a hash of its name), so windows of different callers do not all start again at once; a refused request takes nothing.
/// Windows are reckoned on the clock's monotonic timestamps (a wall clock set back or forward moves none) and only move on:
/// a request reads the clock under its partition's lock, so a partition's readings are in order, and one taken after its
/// window was forgotten falls after that window's end (a reading taken before the lock once came after the window it fell
/// in was forgotten, and was admitted again in a copy of it). Unlike .NET's fixed-window limiter,
/// each answer can say when its window starts again. Ended windows are forgotten, by one request at a time and at most
/// once a second, so the partitions kept are about those of the last window.
/// </summary>
public sealed class RateWindows(TimeProvider clock)
{
    private static readonly TimeSpan ForgetEvery = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<string, Count> _counts = new(StringComparer.Ordinal);
    private readonly long _origin = clock.GetTimestamp();
    private long _nextForget;
    private int _forgetting;

    /// <summary>How many partitions have a window kept now.</summary>
    public int Kept => _counts.Count;

    /// <summary>The windows' own clock: the time since they began, on the clock's monotonic timestamps.</summary>
    public TimeSpan Now => clock.GetElapsedTime(_origin);

    /// <summary>Counts a request against <paramref name="partition"/>'s window under <paramref name="limit"/>: admitted while the window has requests left.</summary>
    public WindowStanding Take(string partition, WindowLimit limit)
    {
        var length = limit.Window.Ticks;
        // The hash's share of 2^32 of the window's length: anywhere in a window of any length (its remainder by the length
        // stayed below 2^32 ticks, 7 minutes, and a day's windows all began within the first 7).
        var offset = (long)((UInt128)(uint)StringComparer.Ordinal.GetHashCode(partition) * (ulong)length >> 32);
        long now;
        (bool Admitted, int Used, long Ends) taken;
        while (true)
        {
            var count = _counts.GetOrAdd(partition, _ => new Count());
            lock (count)
            {
                if (count.Forgotten)
                {
                    continue;
                }

                // The first end after now of the windows that end at offset + k × length (now - offset may be negative: no division of it).
                now = Now.Ticks;
                var ends = (now - offset + length) / length * length + offset;
                if (ends > count.Ends)
                {
                    (count.Ends, count.Used) = (ends, 0);
                }

                var admitted = count.Used < limit.PermitLimit;
                count.Used += admitted ? 1 : 0;
                taken = (admitted, count.Used, count.Ends);
                break;
            }
        }

        if (now >= Interlocked.Read(ref _nextForget) && Interlocked.CompareExchange(ref _forgetting, 1, 0) == 0)
        {
            try
            {
                Forget(now);
            }
            finally
            {
                Interlocked.Exchange(ref _nextForget, now + ForgetEvery.Ticks);
                Volatile.Write(ref _forgetting, 0);
            }
        }

        return new(taken.Admitted, limit.PermitLimit, limit.PermitLimit - taken.Used, TimeSpan.FromTicks(taken.Ends), limit.Window);
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
