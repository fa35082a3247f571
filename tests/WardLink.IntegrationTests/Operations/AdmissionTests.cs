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
        var tips = await services.StartAsync<TipsService>(
            TipsService.Name,
            settings: new Dictionary<string, string?> { ["Admission:MaxInFlight"] = "2", ["Admission:MaxQueued"] = "1" });
        var limiter = tips.Services.GetRequiredService<ConcurrencyLimiter>();
        var client = tips.CreateClient();
        var ct = TestContext.Current.CancellationToken;

        // Two tips in flight, held at their year's counter by the test...
        await using var turn = await CounterTurn.TakeAsync(await services.DatabaseOfAsync(TipsService.Name), Tip.NumberPrefix, 2021);
        var inFlight = Enumerable.Range(0, 2).Select(_ => client.PostAsJsonAsync("/tips", TipsApi.NewTip(receivedAt: "2021-02-03T08:00:00+07:00"), ct)).ToList();
        await Eventually.Get(() => Task.FromResult(limiter.GetStatistics() is { CurrentAvailablePermits: 0 } full ? full : null), "two requests in flight");

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
        Assert.Equal(1, limiter.GetStatistics()!.TotalFailedLeases);

        await turn.ReleaseAsync();
        Assert.All(await Task.WhenAll(inFlight), created => Assert.Equal(HttpStatusCode.Created, created.StatusCode));
        Assert.Equal(HttpStatusCode.OK, (await queued).StatusCode);
        Assert.Equal(2, (await client.GetFromJsonAsync<JsonElement>("/tips", ct)).GetProperty("total").GetInt64());
    }
}
