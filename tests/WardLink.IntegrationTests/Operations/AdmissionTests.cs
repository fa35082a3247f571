using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Threading.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using WardLink.IntegrationTests.Tips;
using WardLink.ServiceDefaults;
using WardLink.Testing;
using WardLink.Tips;

namespace WardLink.IntegrationTests.Operations;

/// <summary>
/// Admission control: a service past its bound of requests in flight and queued answers a 503
/// problem with <c>Retry-After</c> at once, keeps answering its health endpoints, and serves the
/// admitted and queued requests once it can.
/// </summary>
public sealed class AdmissionTests(ServiceGroup services) : IClassFixture<ServiceGroup>
{
    [Fact]
    public async Task A_service_with_as_many_requests_in_flight_and_queued_as_it_admits_refuses_the_next_with_503_and_Retry_After()
    {
        var (tips, limiter) = await StartAsync("tips-full", maxInFlight: 2, maxQueued: 1, maxQueueWait: TimeSpan.FromMinutes(5));
        var client = tips.CreateClient();
        var ct = TestContext.Current.CancellationToken;

        // Two tips in flight, held at their year's counter by the test...
        await using var turn = await CounterTurn.TakeAsync(await services.DatabaseOfAsync("tips-full"), Tip.NumberPrefix, 2021);
        var inFlight = await HoldAsync(client, limiter, 2021, 2);

        // ...a read waiting in the queue...
        var queued = client.GetAsync("/tips", ct);
        await Eventually.Get(() => Task.FromResult(limiter.GetStatistics() is { CurrentQueuedCount: 1 } waiting ? waiting : null), "one request queued");

        // ...and the next request is refused at once; health still answers.
        var refused = await client.GetAsync("/tips", ct);
        var live = await client.GetAsync("/health/live", ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Equal(TimeSpan.FromSeconds(ProblemResponses.RetryAfterSeconds), refused.Headers.RetryAfter?.Delta);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>(ct);
        Assert.Equal(503, problem.GetProperty("status").GetInt32());
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal((0L, 1L), (limiter.GetStatistics()!.CurrentAvailablePermits, limiter.GetStatistics()!.CurrentQueuedCount));

        await turn.ReleaseAsync();
        Assert.All(await Task.WhenAll(inFlight), created => Assert.Equal(HttpStatusCode.Created, created.StatusCode));
        Assert.Equal(HttpStatusCode.OK, (await queued).StatusCode);
        Assert.Equal(2, (await client.GetFromJsonAsync<JsonElement>("/tips", ct)).GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task A_request_that_waits_longer_than_the_queue_wait_for_a_turn_is_refused_with_503()
    {
        var (tips, limiter) = await StartAsync("tips-slow", maxInFlight: 1, maxQueued: 10, maxQueueWait: TimeSpan.FromMilliseconds(200));
        var client = tips.CreateClient();
        await using var turn = await CounterTurn.TakeAsync(await services.DatabaseOfAsync("tips-slow"), Tip.NumberPrefix, 2020);
        var inFlight = await HoldAsync(client, limiter, 2020, 1);

        var waited = await client.GetAsync("/tips", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, waited.StatusCode);
        Assert.NotNull(waited.Headers.RetryAfter);
        await turn.ReleaseAsync();
        Assert.Equal(HttpStatusCode.Created, (await inFlight.Single()).StatusCode);
    }

    /// <summary>The tips service on a database of its own (<paramref name="name"/>) with the given admission limits.</summary>
    private async Task<(ServiceHost<TipsService> Tips, ConcurrencyLimiter Limiter)> StartAsync(string name, int maxInFlight, int maxQueued, TimeSpan maxQueueWait)
    {
        var tips = await services.StartAsync<TipsService>(
            name,
            settings: new Dictionary<string, string?>
            {
                ["Admission:MaxInFlight"] = $"{maxInFlight}",
                ["Admission:MaxQueued"] = $"{maxQueued}",
                ["Admission:MaxQueueWait"] = maxQueueWait.ToString("c"),
            });
        return (tips, tips.Services.GetRequiredService<ConcurrencyLimiter>());
    }

    /// <summary><paramref name="count"/> tips of <paramref name="year"/> sent, held in flight at the year's counter (the test holds its turn) until every permit is taken.</summary>
    private static async Task<List<Task<HttpResponseMessage>>> HoldAsync(HttpClient client, ConcurrencyLimiter limiter, int year, int count)
    {
        var held = Enumerable.Range(0, count)
            .Select(_ => client.PostAsJsonAsync("/tips", TipsApi.NewTip(receivedAt: $"{year}-02-03T08:00:00+07:00"), TestContext.Current.CancellationToken))
            .ToList();
        await Eventually.Get(() => Task.FromResult(limiter.GetStatistics() is { CurrentAvailablePermits: 0 } full ? full : null), $"{count} requests in flight");
        return held;
    }
}
