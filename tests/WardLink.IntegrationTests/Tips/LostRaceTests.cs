using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using WardLink.EventSourcing;
using WardLink.EventSourcing.Idempotency;
using WardLink.IntegrationTests.Idempotency;
using WardLink.Testing;
using WardLink.Tips;

namespace WardLink.IntegrationTests.Tips;

/// <summary>
/// Requests that race for one record and are answered as the API documents (retried, replayed, or a 409/412 the caller
/// reads) are no failure of the service: nothing of them is logged at Error, where an operator's alert would fire. A
/// service of its own, so every line it logs is of these races.
/// </summary>
public sealed class LostRaceTests(ServiceFixture<TipsService> tips) : IClassFixture<ServiceFixture<TipsService>>
{
    private const int Together = 12;

    private readonly HttpClient _police = tips.CreateClient();

    [Fact]
    public async Task Requests_that_lose_a_race_and_are_answered_log_no_failure()
    {
        var ct = TestContext.Current.CancellationToken;
        var tipId = await _police.ReceiveAsync(TipsApi.NewTip(contact: new { name = "Trần Văn Racer", phone = "+84 912 345 678" }));

        // Officers reading the contact at once: each read records itself, and a record that lost the race is retried.
        var reads = await Task.WhenAll(Enumerable.Range(0, Together).Select(_ => _police.GetAsync($"/tips/{tipId}/contact", ct)));
        // One creation sent again and again under one Idempotency-Key: one tip, every other answer the kept one.
        var created = await Task.WhenAll(Enumerable.Range(0, Together).Select(_ => _police.SendAsync(Keyed("race-1"), ct)));
        var etag = (await _police.GetAsync($"/tips/{tipId}", ct)).Headers.ETag!.Tag;
        // Assessments under one If-Match: one applies, the others (taking their turns after it) are told their version is stale.
        var assessed = await Task.WhenAll(Enumerable.Range(0, Together).Select(_ => _police.SendAsync(Assessment(tipId, etag), ct)));

        Assert.All(reads, read => Assert.Equal(HttpStatusCode.OK, read.StatusCode));
        Assert.All(created, answer => Assert.Equal(HttpStatusCode.Created, answer.StatusCode));
        Assert.Single((await Task.WhenAll(created.Select(IdOf))).Distinct());
        Assert.Equal(1, assessed.Count(answer => answer.StatusCode == HttpStatusCode.OK));
        Assert.All(assessed.Where(answer => answer.StatusCode != HttpStatusCode.OK), answer => Assert.Equal(HttpStatusCode.PreconditionFailed, answer.StatusCode));
        Assert.Equal(Together + 2, (await tips.Host.Services.GetRequiredService<IDocumentStore>().EventsOfAsync(tipId)).Count);
        Assert.Empty(tips.Host.Failures);
    }

    /// <summary>
    /// A step holds its record's row from its read to its commit; a writer appending to the record meanwhile without that read
    /// (a consumer: an incident's outcome on a tip, the overdue sweep, the webhook sender) waits for the row before it writes
    /// anything, then loses the race (and is retried). Before, it wrote its event first and then waited on the row, while the
    /// step waited on that event: a deadlock, which PostgreSQL ended after a second by failing one of them, logged as an Error
    /// (Marten committed the victim again).
    /// </summary>
    [Fact]
    public async Task A_writer_appending_to_a_record_a_step_holds_waits_for_it_and_loses_the_race_never_a_deadlock()
    {
        var ct = TestContext.Current.CancellationToken;
        var tipId = await _police.ReceiveAsync(TipsApi.NewTip());
        var store = tips.Host.Services.GetRequiredService<IDocumentStore>();
        var version = (await store.EventsOfAsync(tipId)).Count;

        var consumer = await store.WhileAStepHoldsAsync<TipState>(
            tips.ConnectionString,
            tipId,
            read => Task.Run(
                async () =>
                {
                    await using var writer = store.LightweightSession();
                    writer.Events.Append(tipId, read + 1, new TipContactRead(tipId, DateTimeOffset.UtcNow, "a consumer"));
                    await writer.SaveChangesAsync(ct);
                },
                ct),
            new TipContactRead(tipId, DateTimeOffset.UtcNow, "an officer"),
            ct);

        var lost = await Assert.ThrowsAnyAsync<Exception>(() => consumer);
        Assert.True(Conflicts.IsConflict(lost), $"the consumer did not lose a race: {lost}");
        Assert.Equal(version + 1, (await store.EventsOfAsync(tipId)).Count);
        Assert.Empty(tips.Host.Failures);
    }

    private static HttpRequestMessage Keyed(string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/tips") { Content = JsonContent.Create(TipsApi.NewTip()) };
        request.Headers.Add(IdempotencyKeys.HeaderName, key);
        return request;
    }

    private static HttpRequestMessage Assessment(Guid tipId, string etag)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/tips/{tipId}/assessments")
        {
            Content = JsonContent.Create(new { verdict = "valuable", reason = "Checked against the camera footage." }),
        };
        request.Headers.TryAddWithoutValidation("If-Match", etag);
        return request;
    }

    private static async Task<Guid> IdOf(HttpResponseMessage created) =>
        (await created.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("id").GetGuid();
}
