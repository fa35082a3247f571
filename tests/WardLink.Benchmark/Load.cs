using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;

namespace WardLink.Benchmark;

/// <summary>
/// Latencies of the answered requests; <see cref="Refused"/> were answered 503 (admission control)
/// within <see cref="RefusedP99"/>, <see cref="Failures"/> not answered as asked otherwise.
/// </summary>
public sealed record Latencies(int Requests, int Failures, double AchievedRate, double P50, double P95, double P99, int Refused = 0, double RefusedP99 = double.NaN)
{
    public string Describe() => string.Create(
        CultureInfo.InvariantCulture,
        $"p50 {P50:0.0} ms, p95 {P95:0.0} ms, p99 {P99:0.0} ms ({Requests} requests at {AchievedRate:0}/s, {Refused} refused with 503, {Failures} failed)");

    public static Latencies Of(IReadOnlyCollection<double> milliseconds, int failures, TimeSpan elapsed, IReadOnlyCollection<double>? refused = null)
    {
        var sorted = milliseconds.Order().ToArray();
        var refusedSorted = (refused ?? []).Order().ToArray();
        return new Latencies(
            sorted.Length, failures, sorted.Length / elapsed.TotalSeconds, Percentile(sorted, 0.50), Percentile(sorted, 0.95), Percentile(sorted, 0.99),
            refusedSorted.Length, Percentile(refusedSorted, 0.99));
    }

    public static double Percentile(double[] sorted, double quantile) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(quantile * sorted.Length) - 1, 0, sorted.Length - 1)];
}

/// <summary>Tip intake load: POST /api/tips, closed loop (as fast as N clients go) or open loop (a fixed rate).</summary>
public static class Load
{
    /// <summary>A tip as a hotline desk records it; received a minute ago.</summary>
    public static object Tip(int n) => new
    {
        channel = "hotline",
        category = "theft",
        description = $"Benchmark tip {n}: a motorbike taken from the Obstetrics hospital car park.",
        place = new { description = "Obstetrics hospital car park", latitude = 19.8069, longitude = 105.7765 },
        receivedAt = DateTimeOffset.UtcNow.AddMinutes(-1),
    };

    /// <summary><paramref name="clients"/> clients each sending the next tip as soon as the last is answered; tips per second.</summary>
    public static async Task<(double Rate, int Failures)> ClosedLoopAsync(HttpClient client, int clients, TimeSpan duration, CancellationToken ct)
    {
        var done = 0;
        var failures = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async worker =>
        {
            while (clock.Elapsed < duration)
            {
                if (await PostAsync(client, worker, ct))
                {
                    Interlocked.Increment(ref done);
                }
                else
                {
                    Interlocked.Increment(ref failures);
                }
            }
        }));
        return (done / clock.Elapsed.TotalSeconds, failures);
    }

    /// <summary>
    /// Tips sent at <paramref name="rate"/> per second whatever the answers do (open loop); each
    /// latency runs from when the request was due, so a stall counts for every request it delays.
    /// </summary>
    public static async Task<Latencies> OpenLoopAsync(HttpClient client, double rate, TimeSpan duration, CancellationToken ct)
    {
        var latencies = new ConcurrentBag<double>();
        var refused = new ConcurrentBag<double>();
        var failures = 0;
        var total = (int)(rate * duration.TotalSeconds);
        var interval = TimeSpan.FromSeconds(1 / rate);
        var inFlight = new List<Task>(total);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < total; i++)
        {
            var due = interval * i;
            var wait = due - clock.Elapsed;
            if (wait > TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(wait, ct);
            }

            var n = i;
            inFlight.Add(Task.Run(
                async () =>
                {
                    switch (await SendAsync(client, n, ct))
                    {
                        case HttpStatusCode.Created:
                            latencies.Add((clock.Elapsed - due).TotalMilliseconds);
                            break;
                        case HttpStatusCode.ServiceUnavailable:
                            refused.Add((clock.Elapsed - due).TotalMilliseconds);
                            break;
                        default:
                            Interlocked.Increment(ref failures);
                            break;
                    }
                },
                ct));
        }

        await Task.WhenAll(inFlight);
        return Latencies.Of(latencies, failures, clock.Elapsed, refused);
    }

    private static async Task<bool> PostAsync(HttpClient client, int n, CancellationToken ct) => await SendAsync(client, n, ct) == HttpStatusCode.Created;

    /// <summary>The answer's status; null when none came (refused connection, time-out).</summary>
    private static async Task<HttpStatusCode?> SendAsync(HttpClient client, int n, CancellationToken ct)
    {
        try
        {
            using var response = await client.PostAsJsonAsync(new Uri("/api/tips", UriKind.Relative), Tip(n), ct);
            return response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return null;
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            return null;
        }
    }
}
