using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using WardLink.EventSourcing.Idempotency;
using WardLink.Testing;
using WardLink.Tips;

namespace WardLink.IntegrationTests.Tips;

public sealed class PublicTipsApiTests(ServiceFixture<TipsService> tips) : IClassFixture<ServiceFixture<TipsService>>
{
    private static readonly object PublicTip = new
    {
        category = "suspiciousPerson",
        description = "Someone photographs the babies' ward door every evening.",
        place = new { description = "Obstetrics hospital, 2nd floor" },
    };

    private readonly HttpClient _client = tips.CreateClient();

    private IDocumentStore Store => tips.Host.Services.GetRequiredService<IDocumentStore>();

    [Fact]
    public async Task A_public_tip_gets_a_code_and_a_secret_kept_only_as_a_hash()
    {
        var created = await _client.PostAsJsonAsync("/public/tips", PublicTip, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var (code, secret) = await CredentialsOf(created);
        Assert.Equal($"/public/tips/{code}", created.Headers.Location?.OriginalString);
        await using var session = Store.QuerySession();
        var access = await session.LoadAsync<FollowUpAccess>(code, TestContext.Current.CancellationToken);
        Assert.NotNull(access);
        Assert.Equal(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(secret)), access.SecretHash);
        var received = Assert.IsType<TipReceived>(Assert.Single(await Store.EventsOfAsync(access.TipId)));
        Assert.Equal(TipChannel.Web, received.Channel);
        Assert.Equal(PublicTipEndpoints.TipsterActor, received.RecordedBy);
        Assert.DoesNotContain(secret, JsonSerializer.Serialize(received), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_tipster_follows_up_and_talks_with_the_police_without_being_identified()
    {
        var (code, secret, tipId) = await SubmittedAsync();

        var status = await Public(HttpMethod.Get, $"/api/public/tips/{code}", secret);
        Assert.Equal(HttpStatusCode.OK, status.StatusCode);
        var body = await status.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal("pending", body.GetProperty("status").GetString());
        Assert.Equal("suspiciousPerson", body.GetProperty("category").GetString());

        var asked = await Public(HttpMethod.Post, $"/public/tips/{code}/messages", secret, new { text = "He came again tonight at 21:15." });
        Assert.Equal(HttpStatusCode.OK, asked.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _client.AssessAsync(tipId, "valuable")).StatusCode);
        await _client.PostAsJsonAsync($"/tips/{tipId}/messages", new { text = "Thank you, a patrol is on its way." }, TestContext.Current.CancellationToken);

        var policeView = await _client.GetFromJsonAsync<JsonElement>($"/tips/{tipId}/messages", TestContext.Current.CancellationToken);
        Assert.Equal(["tipster", "police"], policeView.EnumerateArray().Select(message => message.GetProperty("author").GetString()));
        var thread = await (await Public(HttpMethod.Get, $"/public/tips/{code}/messages", secret)).Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        var messages = thread.EnumerateArray().ToList();
        Assert.Equal(["He came again tonight at 21:15.", "Thank you, a patrol is on its way."], messages.Select(message => message.GetProperty("text").GetString()));
        Assert.All(messages, message => Assert.False(message.TryGetProperty("postedBy", out _)));
        var events = await Store.EventsOfAsync(tipId);
        Assert.Equal(PublicTipEndpoints.TipsterActor, Assert.IsType<TipMessagePosted>(events[1]).PostedBy);
        var publicStatus = await (await Public(HttpMethod.Get, $"/public/tips/{code}", secret)).Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal("assessed", publicStatus.GetProperty("status").GetString());
        Assert.False(publicStatus.TryGetProperty("verdict", out _));
    }

    /// <summary>A public path no operation takes is a 404 problem for the public, not a 401 asking for a token it never needs.</summary>
    [Fact]
    public async Task A_mistyped_public_path_is_a_404_problem_for_the_public()
    {
        var (code, secret) = await CredentialsOf(await _client.PostAsJsonAsync("/public/tips", PublicTip, TestContext.Current.CancellationToken));
        using var anonymous = tips.CreateClient().As(null);

        foreach (var path in new[] { $"/public/tips/{code}/message", $"/public/tips/{code}/messages/x", "/public/tip", "/public/tips/x/y/z" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Add(FollowUp.SecretHeader, secret);
            using var answer = await anonymous.SendAsync(request, TestContext.Current.CancellationToken);

            Assert.True(answer.StatusCode == HttpStatusCode.NotFound, $"{path}: {(int)answer.StatusCode}");
            Assert.False(answer.Headers.Contains("WWW-Authenticate"), path);
            Assert.Equal("application/problem+json", answer.Content.Headers.ContentType?.MediaType);
        }
    }

    [Fact]
    public async Task A_wrong_secret_and_an_unknown_code_get_the_same_404_and_append_nothing()
    {
        var (code, secret) = await CredentialsOf(await _client.PostAsJsonAsync("/public/tips", PublicTip, TestContext.Current.CancellationToken));
        var before = await Store.CountEventsAsync();

        var wrongSecret = await Public(HttpMethod.Get, $"/public/tips/{code}", secret[..^2] + "xx");
        var noSecret = await Public(HttpMethod.Get, $"/public/tips/{code}", null);
        var unknownCode = await Public(HttpMethod.Get, "/public/tips/ZZZZZZZZZZZZ", secret);
        var postWrong = await Public(HttpMethod.Post, $"/public/tips/{code}/messages", "nope", new { text = "let me in" });

        foreach (var response in new[] { wrongSecret, noSecret, unknownCode, postWrong })
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        var titles = new List<string?>();
        foreach (var response in new[] { wrongSecret, noSecret, unknownCode, postWrong })
        {
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
            problem.GetProperty("traceId");
            titles.Add(problem.GetProperty("title").GetString() + "|" + problem.GetProperty("status").GetInt32() + "|" + problem.GetProperty("type").GetString());
        }

        Assert.Single(titles.Distinct());
        Assert.Equal(before, await Store.CountEventsAsync());
    }

    /// <summary>The document bounds the secret (<see cref="FollowUp.SecretLength"/> characters of base64url); a secret past that is a wrong one: the same 404, never a 400 naming it.</summary>
    [Fact]
    public async Task A_secret_longer_than_documented_or_of_other_characters_gets_the_same_404_as_a_wrong_one_and_appends_nothing()
    {
        var (code, secret, _) = await SubmittedAsync();
        var before = await Store.CountEventsAsync();
        var wrong = await ProblemOf(await Public(HttpMethod.Get, $"/public/tips/{code}", secret[..^1] + (secret[^1] == 'A' ? 'B' : 'A')));

        foreach (var value in new[] { secret + "A", secret + secret, new string('A', 8_000), $"{secret[..^1]}!", "*/;" + secret, $"{secret[..20]} {secret[20..]}" })
        {
            foreach (var (method, path, body) in new (HttpMethod, string, object?)[]
            {
                (HttpMethod.Get, $"/public/tips/{code}", null),
                (HttpMethod.Get, $"/public/tips/{code}/messages", null),
                (HttpMethod.Post, $"/public/tips/{code}/messages", new { text = "Let me in." }),
            })
            {
                Assert.Equal(wrong, await ProblemOf(await Public(method, path, value, body)));
            }
        }

        Assert.Equal(before, await Store.CountEventsAsync());
    }

    [Fact]
    public async Task A_bad_public_tip_is_a_400_and_stores_nothing()
    {
        var before = await Store.CountEventsAsync();

        var response = await _client.PostAsJsonAsync("/public/tips", new { category = "theft", description = "", place = new { siteId = Guid.CreateVersion7() } }, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.True(problem.GetProperty("errors").TryGetProperty("description", out _));
        Assert.True(problem.GetProperty("errors").TryGetProperty("place.siteId", out _));
        Assert.Equal(before, await Store.CountEventsAsync());
        await using var session = Store.QuerySession();
        Assert.Equal(0, await session.Query<FollowUpAccess>().CountAsync(TestContext.Current.CancellationToken) - await session.Query<TipState>().CountAsync(state => state.Channel == TipChannel.Web, TestContext.Current.CancellationToken));
    }

    [Theory]
    [InlineData("application/x-www-form-urlencoded", "category=theft&description=bike")]
    [InlineData("application/xml", "<tip><category>theft</category></tip>")]
    [InlineData("text/plain", "a bike was stolen")]
    public async Task An_anonymous_tip_in_another_format_than_json_is_a_415_problem_not_a_401_and_stores_nothing(string contentType, string body)
    {
        var before = await Store.CountEventsAsync();
        using var anonymous = tips.CreateClient().As(null);
        using var content = new StringContent(body, System.Text.Encoding.UTF8, contentType);

        var response = await anonymous.PostAsync("/api/public/tips", content, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(before, await Store.CountEventsAsync());
    }

    [Fact]
    public async Task A_method_the_path_does_not_take_is_a_405_problem_for_an_anonymous_caller_too()
    {
        using var anonymous = tips.CreateClient().As(null);

        var response = await anonymous.PutAsJsonAsync("/api/public/tips", PublicTip, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("POST", response.Content.Headers.Allow);
    }

    /// <summary>
    /// The tipster's messages and the police's steps on the tip race to append: every message the tipster sends is kept
    /// (none is a 409, which would lose it and tell the tipster the police were at work); a police reply that loses its race
    /// is the documented 409 of a step, and the thread holds exactly the replies answered 200.
    /// </summary>
    [Fact]
    public async Task The_tipster_s_messages_are_kept_whatever_the_police_do_on_the_tip_at_the_same_moment()
    {
        var (code, secret, tipId) = await SubmittedAsync();
        const int Each = 6;

        var tipster = Enumerable.Range(0, Each).Select(async i =>
        {
            using var response = await Public(HttpMethod.Post, $"/public/tips/{code}/messages", secret, new { text = $"Seen again, time {i}." });
            return response.StatusCode;
        });
        var police = Enumerable.Range(0, Each).Select(async i =>
        {
            using var response = await _client.PostAsJsonAsync($"/tips/{tipId}/messages", new { text = $"Thank you, note {i}." }, TestContext.Current.CancellationToken);
            return response.StatusCode;
        });
        var (tipsterSent, policeSent) = (Task.WhenAll(tipster), Task.WhenAll(police));
        await Task.WhenAll(tipsterSent, policeSent);
        var (tipsterAnswers, policeAnswers) = (await tipsterSent, await policeSent);

        Assert.All(tipsterAnswers, status => Assert.Equal(HttpStatusCode.OK, status));
        Assert.All(policeAnswers, status => Assert.Contains(status, new[] { HttpStatusCode.OK, HttpStatusCode.Conflict }));
        var thread = await (await Public(HttpMethod.Get, $"/public/tips/{code}/messages", secret)).Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal(Each, thread.EnumerateArray().Count(message => message.GetProperty("author").GetString() == "tipster"));
        Assert.Equal(policeAnswers.Count(status => status == HttpStatusCode.OK), thread.EnumerateArray().Count(message => message.GetProperty("author").GetString() == "police"));
    }

    /// <summary>The tip's version counts every event, the police's assessments and contact reads among them: the tipster is never told it.</summary>
    [Fact]
    public async Task The_tipster_is_never_told_the_tips_version_and_an_If_Match_changes_nothing()
    {
        var (code, secret, tipId) = await SubmittedAsync();

        Assert.Equal(HttpStatusCode.OK, (await _client.AssessAsync(tipId, "valuable")).StatusCode);
        var answers = new[]
        {
            await Public(HttpMethod.Post, $"/public/tips/{code}/messages", secret, new { text = "Any news?" }, ifMatch: "\"1\""),
            await Public(HttpMethod.Post, $"/public/tips/{code}/messages", secret, new { text = "Still there tonight." }),
            await Public(HttpMethod.Get, $"/public/tips/{code}/messages", secret),
            await Public(HttpMethod.Get, $"/public/tips/{code}", secret),
        };

        Assert.All(answers, answer => Assert.Equal(HttpStatusCode.OK, answer.StatusCode));
        Assert.All(answers, answer => Assert.Null(answer.Headers.ETag));
        Assert.Equal(2, (await Store.EventsOfAsync(tipId)).OfType<TipMessagePosted>().Count());
    }

    [Fact]
    public async Task A_tipster_cannot_grow_a_thread_past_the_messages_that_may_await_a_reply_and_a_police_reply_opens_it_again()
    {
        var (code, secret, tipId) = await SubmittedAsync();
        for (var i = 0; i < Tip.MaxUnansweredMessages; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await Public(HttpMethod.Post, $"/public/tips/{code}/messages", secret, new { text = $"Detail {i}" })).StatusCode);
        }

        var refused = await Public(HttpMethod.Post, $"/public/tips/{code}/messages", secret, new { text = "One more." });
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Equal(Tip.MaxUnansweredMessages, (await Store.EventsOfAsync(tipId)).OfType<TipMessagePosted>().Count());

        Assert.Equal(HttpStatusCode.OK, (await _client.PostAsJsonAsync($"/tips/{tipId}/messages", new { text = "Thank you, we are on it." }, TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Public(HttpMethod.Post, $"/public/tips/{code}/messages", secret, new { text = "One more." })).StatusCode);
    }

    /// <summary>
    /// A message whose answer was lost (a dropped connection, a 503 after the commit) is sent again under its Idempotency-Key: the
    /// tipster's retries, sent one after another or all at once, and the police's, with the If-Match the first saw, post it once and
    /// answer the thread with <c>Idempotent-Replayed: true</c>; the key with another text is a 422 that posts nothing; keys are each
    /// client's own; a key that is no key is a 400 naming the header.
    /// </summary>
    [Fact]
    public async Task A_message_sent_again_under_its_Idempotency_Key_is_posted_once_by_the_tipster_and_by_the_police()
    {
        var (code, secret, tipId) = await SubmittedAsync();
        var path = $"/public/tips/{code}/messages";

        var first = await Public(HttpMethod.Post, path, secret, new { text = "He came again." }, key: "tipster-1");
        var retry = await Public(HttpMethod.Post, path, secret, new { text = " He came again. " }, key: "tipster-1");
        var together = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Public(HttpMethod.Post, path, secret, new { text = "At 21:15." }, key: "tipster-2")));
        var reused = await Public(HttpMethod.Post, path, secret, new { text = "Something else." }, key: "tipster-1");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.False(first.Headers.Contains(IdempotencyKeys.ReplayedHeaderName));
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.Equal("true", Assert.Single(retry.Headers.GetValues(IdempotencyKeys.ReplayedHeaderName)));
        Assert.All(together, answer => Assert.Equal(HttpStatusCode.OK, answer.StatusCode));
        Assert.Equal(3, together.Count(answer => answer.Headers.Contains(IdempotencyKeys.ReplayedHeaderName)));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, reused.StatusCode);
        Assert.Equal("application/problem+json", reused.Content.Headers.ContentType?.MediaType);
        Assert.Equal(["He came again.", "At 21:15."], (await Store.EventsOfAsync(tipId)).OfType<TipMessagePosted>().Select(posted => posted.Text));

        var version = (await _client.GetAsync($"/tips/{tipId}", TestContext.Current.CancellationToken)).Headers.ETag!.Tag;
        var reply = await _client.SendAsync(Keyed(HttpMethod.Post, $"/tips/{tipId}/messages", "tipster-1", new { text = "Thank you." }, version), TestContext.Current.CancellationToken);
        var replyAgain = await _client.SendAsync(Keyed(HttpMethod.Post, $"/tips/{tipId}/messages", "tipster-1", new { text = "Thank you." }, version), TestContext.Current.CancellationToken);
        var notAKey = await _client.SendAsync(Keyed(HttpMethod.Post, $"/tips/{tipId}/messages", new string('k', IdempotencyKeys.MaxLength + 1), new { text = "Thank you." }), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, reply.StatusCode);
        Assert.Equal(HttpStatusCode.OK, replyAgain.StatusCode);
        Assert.Equal("true", Assert.Single(replyAgain.Headers.GetValues(IdempotencyKeys.ReplayedHeaderName)));
        Assert.Equal(reply.Headers.ETag, replyAgain.Headers.ETag);
        Assert.Equal(await reply.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), await replyAgain.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(HttpStatusCode.BadRequest, notAKey.StatusCode);
        Assert.Contains(IdempotencyKeys.HeaderName, await notAKey.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.Equal(["He came again.", "At 21:15.", "Thank you."], (await Store.EventsOfAsync(tipId)).OfType<TipMessagePosted>().Select(posted => posted.Text));
    }

    /// <summary>The public's contact is checked trimmed and stored as checked, as the police's intake stores it.</summary>
    [Fact]
    public async Task A_padded_contact_from_the_public_is_accepted_and_stored_trimmed()
    {
        var (code, _) = await CredentialsOf(await _client.PostAsJsonAsync(
            "/public/tips", new { category = "suspiciousPerson", description = "Someone photographs the babies' ward door.", place = new { description = "Obstetrics hospital" }, contact = TipsApi.PaddedContact }, TestContext.Current.CancellationToken));
        Guid tipId;
        await using (var session = Store.QuerySession())
        {
            tipId = (await session.LoadAsync<FollowUpAccess>(code, TestContext.Current.CancellationToken))!.TipId;
        }

        await _client.AssertPaddedContactStoredTrimmedAsync(tipId);
    }

    private async Task<HttpResponseMessage> Public(HttpMethod method, string path, string? secret, object? body = null, string? ifMatch = null, string? key = null) =>
        await _client.SendAsync(Keyed(method, path, key, body, ifMatch, secret), TestContext.Current.CancellationToken);

    private static HttpRequestMessage Keyed(HttpMethod method, string path, string? key, object? body, string? ifMatch = null, string? secret = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        if (key is not null)
        {
            request.Headers.TryAddWithoutValidation(IdempotencyKeys.HeaderName, key);
        }

        if (secret is not null)
        {
            request.Headers.Add(FollowUp.SecretHeader, secret);
        }

        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        return request;
    }

    /// <summary>A public tip submitted: its follow-up code and secret, and the tip they open (which the tipster is never told).</summary>
    private async Task<(string Code, string Secret, Guid TipId)> SubmittedAsync()
    {
        var (code, secret) = await CredentialsOf(await _client.PostAsJsonAsync("/api/public/tips", PublicTip, TestContext.Current.CancellationToken));
        await using var session = Store.QuerySession();
        return (code, secret, (await session.LoadAsync<FollowUpAccess>(code, TestContext.Current.CancellationToken))!.TipId);
    }

    /// <summary>A 404 problem's status, title and type.</summary>
    private static async Task<string> ProblemOf(HttpResponseMessage response)
    {
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        return $"{(int)response.StatusCode} {response.Content.Headers.ContentType?.MediaType} {problem.GetProperty("title")} {problem.GetProperty("type")}";
    }

    private static async Task<(string Code, string Secret)> CredentialsOf(HttpResponseMessage created)
    {
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await created.Content.ReadFromJsonAsync<JsonElement>();
        return (body.GetProperty("code").GetString()!, body.GetProperty("secret").GetString()!);
    }
}
