using CsCheck;
using WardLink.Gateway;
using WardLink.Testing;

namespace WardLink.UnitTests;

/// <summary>
/// The gateway's rate windows (docs/api.md, "Rate limits"): judged only by what each answer reports (its window's limit, the
/// requests left, the time until the window starts again), for any limit, window length and timing of requests.
/// </summary>
public sealed class RateWindowsTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 5, 7, 0, 0, TimeSpan.Zero);

    private static readonly Gen<(int Limit, int WindowSeconds, (int Partition, int AfterMs)[] Requests)> Traffic =
        Gen.Select(Gen.Int[1, 8], Gen.Int[1, 90])
            .SelectMany((limit, seconds) => Gen.Select(Gen.Int[0, 2], Gen.Int[0, seconds * 1500]).Array[1, 120]
                .Select(requests => (limit, seconds, requests)));

    /// <summary>
    /// Within one window (the same end: now + reset) at most the limit is admitted, each admission leaves one request fewer, a
    /// refusal comes only once the limit is used and leaves none; a new window starts only once the last has ended, and always
    /// then, at a whole number of windows after it; the reset is never more than a window.
    /// </summary>
    [Fact]
    public void Each_answer_tells_the_truth_about_its_window()
    {
        Traffic.Sample(traffic =>
        {
            var window = TimeSpan.FromSeconds(traffic.WindowSeconds);
            var limit = new WindowLimit { PermitLimit = traffic.Limit, Window = window };
            var clock = new ManualClock(Start);
            var windows = new RateWindows(clock);
            var seen = new Dictionary<int, (DateTimeOffset Ends, int Admitted)>();
            foreach (var (partition, afterMs) in traffic.Requests)
            {
                clock.Set(clock.GetUtcNow().AddMilliseconds(afterMs));
                var now = clock.GetUtcNow();
                var standing = windows.Take($"client:{partition}", limit);
                var ends = now + standing.Reset;
                Assert.InRange(standing.Reset, TimeSpan.FromTicks(1), window);
                Assert.Equal(traffic.Limit, standing.Limit);
                var admitted = 0;
                if (seen.TryGetValue(partition, out var last))
                {
                    Assert.Equal(now >= last.Ends, ends != last.Ends);
                    if (ends == last.Ends)
                    {
                        admitted = last.Admitted;
                    }
                    else
                    {
                        Assert.Equal(0, (ends - last.Ends).Ticks % window.Ticks);
                    }
                }

                Assert.Equal(admitted < traffic.Limit, standing.Admitted);
                admitted += standing.Admitted ? 1 : 0;
                Assert.Equal(traffic.Limit - admitted, standing.Remaining);
                seen[partition] = (ends, admitted);
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

    /// <summary>Ended windows are forgotten as requests go on, and forgetting changes no answer of a window still running.</summary>
    [Fact]
    public void Ended_windows_are_forgotten_and_running_ones_kept()
    {
        var clock = new ManualClock(Start);
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
        var standing = Gen.Select(Gen.Bool, Gen.Int[1, 100], Gen.Int[0, 100], Gen.Int[1, 600]).Select((admitted, limit, remaining, reset) => new WindowStanding(admitted, limit, remaining, TimeSpan.FromSeconds(reset)));
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

    private static List<WindowStanding> AnswersOfFirst((int Partition, int AfterMs)[] requests, WindowLimit limit)
    {
        var clock = new ManualClock(Start);
        var windows = new RateWindows(clock);
        var answers = new List<WindowStanding>();
        foreach (var (partition, afterMs) in requests)
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
