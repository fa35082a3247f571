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

/// <summary>
/// What a load run sends: its <c>n</c>-th request (<see cref="Create"/>), and the status that answers it
/// as asked; tip intake (<c>POST /api/tips</c>, in a ward or the caller's first) or a read.
/// </summary>
public sealed record LoadRequest(Func<int, HttpRequestMessage> Create, HttpStatusCode Answered)
{
    /// <summary>Tips for <paramref name="ward"/> (the caller's first when null), received a minute ago or at <paramref name="receivedAt"/>.</summary>
    public static LoadRequest Intake(string? ward = null, DateTimeOffset? receivedAt = null) =>
        new(
            n => new HttpRequestMessage(HttpMethod.Post, new Uri(ward is null ? "/api/tips" : $"/api/tips?ward={ward}", UriKind.Relative))
            {
                Content = JsonContent.Create(Load.Tip(n, receivedAt)),
            },
            HttpStatusCode.Created);

    public static LoadRequest Read(string pathAndQuery) =>
        new(_ => new HttpRequestMessage(HttpMethod.Get, new Uri(pathAndQuery, UriKind.Relative)), HttpStatusCode.OK);
}

/// <summary>
/// Load through HTTP, by default tip intake (<see cref="LoadRequest.Intake"/>): closed loop (as fast as
/// N clients go), open loop (a fixed rate), or a given set of requests sent by N clients.
/// </summary>
public static class Load
{
    /// <summary>
    /// The runtime's setting that runs socket continuations on the thread that polled them, not through the thread
    /// pool. bench.sh sets it for the benchmark alone: the load then costs about half the CPU a request it cost
    /// (0.05 against 0.11 ms a tip on 2026-12-02), CPU the system under test shares, as pgbench's client is lean C.
    /// The services and the gateway are started without it (<see cref="SystemUnderTest"/>), as deployed.
    /// </summary>
    public const string InlineCompletions = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>Whether this process's sockets complete inline (<see cref="InlineCompletions"/>), as the table says.</summary>
    public static bool CompletesInline => Environment.GetEnvironmentVariable(InlineCompletions) == "1";

    /// <summary>How many times <see cref="SendEachAsync"/> sends a request admission control refused again.</summary>
    public const int RefusalsTolerated = 50;

    /// <summary>A tip as a hotline desk records it, received at <paramref name="receivedAt"/> (a minute ago when not given).</summary>
    public static object Tip(int n, DateTimeOffset? receivedAt = null) => new
    {
        channel = "hotline",
        category = "theft",
        description = $"Benchmark tip {n}: a motorbike taken from the Obstetrics hospital car park.",
        place = new { description = "Obstetrics hospital car park", latitude = 19.8069, longitude = 105.7765 },
        receivedAt = receivedAt ?? DateTimeOffset.UtcNow.AddMinutes(-1),
    };

    /// <summary><paramref name="clients"/> clients each sending the next request as soon as the last is answered; requests answered as asked per second.</summary>
    public static async Task<(double Rate, int Failures)> ClosedLoopAsync(HttpClient client, int clients, TimeSpan duration, CancellationToken ct, LoadRequest? request = null)
    {
        request ??= LoadRequest.Intake();
        var done = 0;
        var failures = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async worker =>
        {
            while (clock.Elapsed < duration)
            {
                if (await SendAsync(client, request, worker, ct) == request.Answered)
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
    /// Requests sent at <paramref name="rate"/> per second whatever the answers do (open loop); each
    /// latency runs from when the request was due, so a stall counts for every request it delays.
    /// </summary>
    public static async Task<Latencies> OpenLoopAsync(HttpClient client, double rate, TimeSpan duration, CancellationToken ct, LoadRequest? request = null)
    {
        request ??= LoadRequest.Intake();
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
                    var status = await SendAsync(client, request, n, ct);
                    if (status == request.Answered)
                    {
                        latencies.Add((clock.Elapsed - due).TotalMilliseconds);
                    }
                    else if (status == HttpStatusCode.ServiceUnavailable)
                    {
                        refused.Add((clock.Elapsed - due).TotalMilliseconds);
                    }
                    else
                    {
                        Interlocked.Increment(ref failures);
                    }
                },
                ct));
        }

        await Task.WhenAll(inFlight);
        return Latencies.Of(latencies, failures, clock.Elapsed, refused);
    }

    /// <summary>
    /// Runs each of <paramref name="measures"/> in turn, unrecorded, round after round until every one's
    /// result is within <paramref name="tolerance"/> (0.1: 10 %) of its result in the round before, at most <paramref name="rounds"/> rounds;
    /// each round's results are told to <paramref name="told"/>. Services just started are slower for
    /// their first minutes (the JIT compiles and recompiles what the load runs). Whether they settled.
    /// </summary>
    public static async Task<bool> SettleAsync(
        IReadOnlyList<Func<CancellationToken, Task<double>>> measures, double tolerance, int rounds, Action<IReadOnlyList<double>> told, CancellationToken ct)
    {
        List<double>? previous = null;
        for (var round = 0; round < rounds; round++)
        {
            var results = new List<double>(measures.Count);
            foreach (var measure in measures)
            {
                results.Add(await measure(ct));
            }

            told(results);
            if (previous is not null && results.Zip(previous).All(pair => Math.Abs(pair.First / pair.Second - 1) < tolerance))
            {
                return true;
            }

            previous = results;
        }

        return false;
    }

    /// <summary>
    /// Sends each of <paramref name="requests"/> (a request and its <c>n</c>), <paramref name="clients"/> at a
    /// time; one refused by admission control (503) is sent again after a moment, up to
    /// <see cref="RefusalsTolerated"/> times. Throws at the first answered otherwise than as asked.
    /// </summary>
    public static Task SendEachAsync(HttpClient client, IEnumerable<(LoadRequest Request, int N)> requests, int clients, CancellationToken ct) =>
        Parallel.ForEachAsync(requests, new ParallelOptions { MaxDegreeOfParallelism = clients, CancellationToken = ct }, async (each, ct) =>
        {
            var status = await SendAsync(client, each.Request, each.N, ct);
            for (var refusals = 1; status == HttpStatusCode.ServiceUnavailable && refusals <= RefusalsTolerated; refusals++)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200), ct);
                status = await SendAsync(client, each.Request, each.N, ct);
            }

            if (status != each.Request.Answered)
            {
                using var shown = each.Request.Create(each.N);
                throw new InvalidOperationException($"{shown.Method} {shown.RequestUri} answered {(status is null ? "nothing" : (int)status)} instead of {(int)each.Request.Answered}.");
            }
        });

    /// <summary>The answer's status; null when none came (refused connection, time-out).</summary>
    private static async Task<HttpStatusCode?> SendAsync(HttpClient client, LoadRequest request, int n, CancellationToken ct)
    {
        try
        {
            using var message = request.Create(n);
            using var response = await client.SendAsync(message, ct);
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
