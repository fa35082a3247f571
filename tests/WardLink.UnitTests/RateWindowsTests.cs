using CsCheck;
using WardLink.Gateway;
using WardLink.Testing;

namespace WardLink.UnitTests;

/// <summary>
/// The gateway's rate windows (docs/api.md, "Rate limits"): judged only by what each answer reports (its window's limit, the
/// requests left, when the window starts again), for any limit, window length and timing of requests, one at a time and at once.
/// </summary>
public sealed class RateWindowsTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 5, 7, 0, 0, TimeSpan.Zero);

    /// <summary>A request: its caller (of three), and how far the clock moves on before it: milliseconds, or to the very tick its caller's window ends (on the windows' own clock, <see cref="RateWindows.Now"/>).</summary>
    private static readonly Gen<(int Limit, int WindowSeconds, (int Partition, int AfterMs, bool ToTheEnd)[] Requests)> Traffic =
        Gen.Select(Gen.Int[1, 8], Gen.Int[1, 90])
            .SelectMany((limit, seconds) => Gen.Select(Gen.Int[0, 2], Gen.Int[0, seconds * 1500], Gen.Int[0, 3].Select(kind => kind == 0)).Array[1, 120]
                .Select(requests => (limit, seconds, requests)));

    /// <summary>
    /// Within one window (the same end) at most the limit is admitted, each admission leaves one request fewer, a refusal comes
    /// only once the limit is used and leaves none; a new window starts once the last has ended (at its very tick too), and
    /// always then, a whole number of windows after it; the reset is between a second and the window's length.
    /// </summary>
    [Fact]
    public void Each_answer_tells_the_truth_about_its_window()
    {
        Traffic.Sample(traffic =>
        {
            var window = TimeSpan.FromSeconds(traffic.WindowSeconds);
            var limit = new WindowLimit { PermitLimit = traffic.Limit, Window = window };
            var clock = new ManualClock(Start, timestampsFollow: true);
            var windows = new RateWindows(clock);
            var seen = new Dictionary<int, (TimeSpan Ends, int Admitted)>();
            foreach (var (partition, afterMs, toTheEnd) in traffic.Requests)
            {
                clock.Set(toTheEnd && seen.TryGetValue(partition, out var current) && current.Ends >= windows.Now ? Start + current.Ends : clock.GetUtcNow().AddMilliseconds(afterMs));
                var now = windows.Now;
                var standing = windows.Take($"client:{partition}", limit);
                Assert.InRange(standing.Ends - now, TimeSpan.FromTicks(1), window);
                Assert.InRange(standing.ResetSeconds(now), 1, traffic.WindowSeconds);
                Assert.Equal(traffic.Limit, standing.Limit);
                var admitted = 0;
                if (seen.TryGetValue(partition, out var last))
                {
                    Assert.Equal(now >= last.Ends, standing.Ends != last.Ends);
                    if (standing.Ends == last.Ends)
                    {
                        admitted = last.Admitted;
                    }
                    else
                    {
                        Assert.Equal(0, (standing.Ends - last.Ends).Ticks % window.Ticks);
                    }
                }

                Assert.Equal(admitted < traffic.Limit, standing.Admitted);
                admitted += standing.Admitted ? 1 : 0;
                Assert.Equal(traffic.Limit - admitted, standing.Remaining);
                seen[partition] = (standing.Ends, admitted);
            }
        });
    }

    /// <summary>A caller's answers are the same whatever other callers send meanwhile.</summary>
    [Fact]
    public void Callers_do_not_share_a_window()
    {
        Traffic.Sample(traffic =>
        {
            var limit = new WindowLimit { PermitLimit = traffic.Limit, Window = TimeSpan.FromSeconds(traffic.WindowSeconds) };
            Assert.Equal(AnswersOfFirst(traffic.Requests, limit), AnswersOfFirst([.. traffic.Requests.Select(request => request with { Partition = request.Partition == 0 ? 0 : -1 })], limit));
        });
    }

    /// <summary>
    /// Requests of one caller sent at once from four threads while the clock crosses many window ends (a request may read the
    /// clock just before another moves the window on): no window admits more than its limit, and each admits it whole. The
    /// threads are started together and the clock moves on only once they sent twice a window's limit since it last moved, so
    /// windows fill and requests are refused whatever the machine's speed, every thread sending among the others (which takes
    /// a window's turn in its time slice is the scheduler's: one thread filled every window of a run on a busy machine).
    /// </summary>
    [Fact]
    public void Requests_at_once_across_window_ends_never_take_more_than_the_limit()
    {
        const int Limit = 50;
        var clock = new ManualClock(Start, timestampsFollow: true);
        var windows = new RateWindows(clock);
        var limit = new WindowLimit { PermitLimit = Limit, Window = TimeSpan.FromSeconds(1) };
        var answers = new System.Collections.Concurrent.ConcurrentQueue<(int Sender, WindowStanding Standing)>();
        using var start = new Barrier(5);
        var done = false;
        var failures = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        var senders = Enumerable.Range(0, 4).Select(sender => new Thread(() =>
        {
            try
            {
                start.SignalAndWait(TestContext.Current.CancellationToken);
                while (!Volatile.Read(ref done))
                {
                    answers.Enqueue((sender, windows.Take("client:busy", limit)));
                }
            }
            catch (Exception failure)
            {
                failures.Enqueue(failure);
            }
        }) { IsBackground = true }).ToList();
        senders.ForEach(thread => thread.Start());
        try
        {
            start.SignalAndWait(TestContext.Current.CancellationToken);
            for (var step = 0; step < 400; step++)
            {
                clock.Set(clock.GetUtcNow().AddMilliseconds(50));
                var sent = answers.Count + (2 * Limit);
                Assert.True(SpinWait.SpinUntil(() => answers.Count >= sent || !failures.IsEmpty, TimeSpan.FromSeconds(30)), "the senders stopped sending");
            }
        }
        finally
        {
            Volatile.Write(ref done, true);
            senders.ForEach(thread => thread.Join(TimeSpan.FromSeconds(30)));
        }

        Assert.Empty(failures);

        var admitted = answers.Where(answer => answer.Standing.Admitted).GroupBy(answer => answer.Standing.Ends).ToList();
        Assert.True(admitted.Count > 5, $"Only {admitted.Count} windows were crossed.");
        Assert.All(admitted, window => Assert.InRange(window.Count(), 1, Limit));
        Assert.All(admitted, window =>
            Assert.Equal(Enumerable.Range(0, window.Count()).Select(used => Limit - 1 - used), window.Select(answer => answer.Standing.Remaining).OrderDescending()));
        Assert.Contains(admitted, window => window.Count() == Limit);
        Assert.Contains(answers, answer => !answer.Standing.Admitted);
        Assert.Equal(4, answers.Select(answer => answer.Sender).Distinct().Count());
    }

    /// <summary>
    /// A request that read the clock within its spent window, held up there while the window ended and another caller's request
    /// forgot it, is refused as the window's others were, not admitted in a copy of it: a partition's readings are taken under
    /// its lock, in order. (A reading taken before the lock was admitted past the limit, in no window that counted it.) Without
    /// the fix the other caller's request forgets at once; with it, it waits for the held request's lock, and the test lets the
    /// held request go on after half a second either way.
    /// </summary>
    [Fact]
    public async Task A_request_held_up_while_its_window_is_forgotten_is_not_admitted_past_the_limit()
    {
        using var clock = new HeldClock(Start);
        var windows = new RateWindows(clock);
        var limit = new WindowLimit { PermitLimit = 3, Window = TimeSpan.FromSeconds(10) };
        var answers = Enumerable.Range(0, 4).Select(_ => windows.Take("client:held", limit)).ToList();

        var held = Task.Run(() => clock.Holding(() => windows.Take("client:held", limit)), TestContext.Current.CancellationToken);
        await clock.Held.WaitAsync(TestContext.Current.CancellationToken);
        clock.Set(Start.AddSeconds(25));
        var other = Task.Run(() => windows.Take("client:other", limit), TestContext.Current.CancellationToken);
        await Task.WhenAny(other, Task.Delay(TimeSpan.FromMilliseconds(500), TestContext.Current.CancellationToken));
        clock.Release();
        answers.Add(await held);
        await other;
        answers.Add(windows.Take("client:held", limit));

        Assert.Equal([true, true, true, false, false, true], answers.Select(answer => answer.Admitted));
        Assert.All(answers.Where(answer => answer.Admitted).GroupBy(answer => answer.Ends), window => Assert.InRange(window.Count(), 1, limit.PermitLimit));
    }

    /// <summary>Partitions' windows begin anywhere in a window's length, a day's too: not all within its first minutes.</summary>
    [Fact]
    public void Windows_of_different_callers_begin_all_over_a_day()
    {
        var windows = new RateWindows(new ManualClock(Start, timestampsFollow: true));
        var limit = new WindowLimit { PermitLimit = 1, Window = TimeSpan.FromDays(1) };

        var ends = Enumerable.Range(0, 10_000).Select(caller => windows.Take($"address:{caller}", limit).Ends).ToList();

        Assert.All(ends, end => Assert.InRange(end, TimeSpan.FromTicks(1), TimeSpan.FromDays(1)));
        Assert.True(ends.Min() < TimeSpan.FromHours(1) && ends.Max() > TimeSpan.FromHours(23), $"{ends.Min()} to {ends.Max()}");
        Assert.InRange(ends.Count(end => end < TimeSpan.FromHours(12)), 4_000, 6_000);
    }

    /// <summary>A clock whose one reading on a thread the test names is held until the test lets it go on (the reading taken before the hold).</summary>
    private sealed class HeldClock(DateTimeOffset start) : TimeProvider, IDisposable
    {
        private readonly ManualClock _clock = new(start, timestampsFollow: true);
        private readonly TaskCompletionSource _held = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly ManualResetEventSlim _release = new();
        private Thread? _holding;

        /// <summary>Done once the held reading is taken.</summary>
        public Task Held => _held.Task;

        public override long TimestampFrequency => _clock.TimestampFrequency;

        public override long GetTimestamp()
        {
            var timestamp = _clock.GetTimestamp();
            if (Interlocked.CompareExchange(ref _holding, null, Thread.CurrentThread) == Thread.CurrentThread)
            {
                _held.TrySetResult();
                _release.Wait();
            }

            return timestamp;
        }

        /// <summary>Runs <paramref name="take"/> on this thread, its first reading of the clock held.</summary>
        public T Holding<T>(Func<T> take)
        {
            Volatile.Write(ref _holding, Thread.CurrentThread);
            return take();
        }

        public void Set(DateTimeOffset now) => _clock.Set(now);

        public void Release() => _release.Set();

        public void Dispose() => _release.Dispose();
    }

    /// <summary>Ended windows are forgotten as requests go on, and forgetting changes no answer of a window still running.</summary>
    [Fact]
    public void Ended_windows_are_forgotten_and_running_ones_kept()
    {
        var clock = new ManualClock(Start, timestampsFollow: true);
        var windows = new RateWindows(clock);
        var limit = new WindowLimit { PermitLimit = 5000, Window = TimeSpan.FromMinutes(1) };
        for (var caller = 0; caller < 3000; caller++)
        {
            Assert.True(windows.Take($"address:{caller}", limit).Admitted);
        }

        clock.Set(Start.AddMinutes(2));
        var running = Enumerable.Range(0, 4000).Select(_ => windows.Take("client:busy", limit)).ToList();

        Assert.InRange(windows.Kept, 1, 2);
        Assert.Equal(Enumerable.Range(1, 4000).Select(used => 5000 - used), running.Select(standing => standing.Remaining));
        Assert.All(running, standing => Assert.True(standing.Admitted));
    }

    /// <summary>Of two windows a request counted against, its answer reports the one that refused it, else the one with fewest requests left.</summary>
    [Fact]
    public void An_answer_reports_the_binding_window()
    {
        var standing = Gen.Select(Gen.Bool, Gen.Int[1, 100], Gen.Int[0, 100], Gen.Int[1, 600])
            .Select((admitted, limit, remaining, reset) => new WindowStanding(admitted, limit, remaining, TimeSpan.FromSeconds(reset), TimeSpan.FromMinutes(10)));
        Gen.Select(standing, standing).Sample((first, second) =>
        {
            var binding = WindowStanding.Binding(first, second);
            Assert.True(binding == first || binding == second);
            Assert.Equal(first.Admitted && second.Admitted, binding.Admitted);
            if (first.Admitted == second.Admitted)
            {
                Assert.Equal(Math.Min(first.Remaining, second.Remaining), binding.Remaining);
            }
        });
    }

    private static List<WindowStanding> AnswersOfFirst((int Partition, int AfterMs, bool ToTheEnd)[] requests, WindowLimit limit)
    {
        var clock = new ManualClock(Start, timestampsFollow: true);
        var windows = new RateWindows(clock);
        var answers = new List<WindowStanding>();
        foreach (var (partition, afterMs, _) in requests)
        {
            clock.Set(clock.GetUtcNow().AddMilliseconds(afterMs));
            if (partition >= 0)
            {
                var standing = windows.Take($"client:{partition}", limit);
                if (partition == 0)
                {
                    answers.Add(standing);
                }
            }
        }

        return answers;
    }
}
