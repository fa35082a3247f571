using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using WardLink.Domain;
using WardLink.EventSourcing;
using WardLink.EventSourcing.Wards;
using WardLink.Testing;
using WardLink.Tips;
using SecurityCategory = WardLink.Contracts.Tips.SecurityCategory;

namespace WardLink.IntegrationTests.Tips;

public sealed class TipsApiTests(ServiceFixture<TipsService> tips) : IClassFixture<ServiceFixture<TipsService>>
{
    private const string ValidTip = """
        {
          "channel": "hotline",
          "category": "theft",
          "description": "A man going through bags in the Eye hospital waiting room.",
          "place": { "description": "Eye hospital, ground-floor waiting room" },
          "receivedAt": "2024-05-02T21:40:00+07:00"
        }
        """;

    private readonly HttpClient _client = tips.CreateClient();

    [Fact]
    public async Task A_posted_tip_is_stored_as_one_TipReceived_event_and_read_back_with_its_ETag()
    {
        var created = await _client.PostAsync("/tips", Json(ValidTip), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("\"1\"", created.Headers.ETag?.Tag);
        var body = await created.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        var id = body.GetProperty("id").GetGuid();
        Assert.Equal($"/tips/{id}", created.Headers.Location?.OriginalString);
        Assert.Equal("hotline", body.GetProperty("channel").GetString());

        await using var session = tips.Host.Services.GetRequiredService<IDocumentStore>().QuerySession();
        var events = await session.Events.FetchStreamAsync(id, token: TestContext.Current.CancellationToken);
        var received = Assert.IsType<TipReceived>(Assert.Single(events).Data);
        Assert.Equal(TipChannel.Hotline, received.Channel);
        Assert.Equal(SecurityCategory.Theft, received.Category);
        Assert.Matches("^TIP-QT-2024-[0-9]{4}$", received.Number);
        Assert.Equal("Eye hospital, ground-floor waiting room", received.Place.Description);
        Assert.Equal(DateTimeOffset.Parse("2024-05-02T14:40:00Z", System.Globalization.CultureInfo.InvariantCulture), received.ReceivedAt);

        var read = await _client.GetAsync(created.Headers.Location, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal("\"1\"", read.Headers.ETag?.Tag);
        var tip = (await read.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("tip");
        Assert.Equal(id, tip.GetProperty("id").GetGuid());
        Assert.Equal("theft", tip.GetProperty("category").GetString());
        Assert.Equal("A man going through bags in the Eye hospital waiting room.", tip.GetProperty("description").GetString());
    }

    [Fact]
    public async Task The_gateway_prefix_is_understood_and_kept_in_the_location()
    {
        var created = await _client.PostAsync("/api/tips", Json(ValidTip), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.StartsWith("/api/tips/", created.Headers.Location?.OriginalString, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync(created.Headers.Location, TestContext.Current.CancellationToken)).StatusCode);
    }

    public static TheoryData<string, string, string> BadTips => new()
    {
        { "future", ValidTip.Replace("2024-05-02T21:40:00+07:00", "2999-01-01T00:00:00+07:00", StringComparison.Ordinal), "receivedAt" },
        { "unknown channel", ValidTip.Replace("\"hotline\"", "\"carrier-pigeon\"", StringComparison.Ordinal), "channel" },
        { "blank description", ValidTip.Replace("A man going through bags in the Eye hospital waiting room.", "   ", StringComparison.Ordinal), "description" },
        { "half coordinates", ValidTip.Replace("\"description\": \"Eye hospital, ground-floor waiting room\"", "\"latitude\": 19.8", StringComparison.Ordinal), "place.longitude" },
        { "not json", "{ this is not json", "body" },
        { "unknown category", ValidTip.Replace("\"theft\"", "\"arson\"", StringComparison.Ordinal), "category" },
        { "oversized description", ValidTip.Replace("A man going through bags in the Eye hospital waiting room.", new string('x', Tip.MaxDescriptionLength + 1), StringComparison.Ordinal), "description" },
        { "empty contact", ValidTip.Replace("\"channel\"", "\"contact\": {}, \"channel\"", StringComparison.Ordinal), "contact" },
    };

    [Theory]
    [MemberData(nameof(BadTips))]
    public async Task A_bad_tip_gets_a_400_problem_naming_the_field_and_stores_nothing(string why, string body, string field)
    {
        var before = await CountEventsAsync();

        var response = await _client.PostAsync("/tips", Json(body), TestContext.Current.CancellationToken);

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{why}: {response.StatusCode}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"{why}: errors lack '{field}': {problem}");
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("traceId").GetString()));
        Assert.Equal(before, await CountEventsAsync());
    }

    [Fact]
    public async Task An_unknown_tip_is_a_404_problem_to_read_assess_or_open_the_contact_of()
    {
        var unknown = Guid.NewGuid();
        var before = await Store.CountEventsAsync();

        foreach (var response in new[]
        {
            await _client.GetAsync($"/tips/{unknown}", TestContext.Current.CancellationToken),
            await _client.AssessAsync(unknown, "valuable"),
            await _client.GetAsync($"/tips/{unknown}/contact", TestContext.Current.CancellationToken),
        })
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        Assert.Equal(before, await Store.CountEventsAsync());
    }

    [Fact]
    public async Task Readiness_reports_the_database_and_the_broker()
    {
        // The bus connects in the background after start; readiness says when it has.
        var report = await Eventually.Get(
            async () =>
            {
                var response = await _client.GetAsync("/health/ready", TestContext.Current.CancellationToken);
                return response.StatusCode == HttpStatusCode.OK ? await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken) : null;
            },
            "the tips service to be ready");

        var checks = JsonDocument.Parse(report).RootElement.GetProperty("checks");
        Assert.Equal("Healthy", checks.GetProperty("postgres").GetProperty("status").GetString());
        Assert.Equal("Healthy", checks.GetProperty("masstransit-bus").GetProperty("status").GetString());

        // The operator's guide names every check a publishing service's readiness answers, and no other.
        Assert.Equal(
            OperatorGuide.ReadinessChecks(where => where.StartsWith("services", StringComparison.Ordinal)),
            [.. checks.EnumerateObject().Select(check => check.Name).Order(StringComparer.Ordinal)]);
    }

    [Fact]
    public async Task The_OpenAPI_document_describes_the_tip_endpoints()
    {
        var document = await _client.GetFromJsonAsync<JsonElement>("/openapi/v1.json", TestContext.Current.CancellationToken);

        Assert.True(document.GetProperty("paths").TryGetProperty("/tips", out _));
        Assert.True(document.GetProperty("paths").TryGetProperty("/tips/{id}", out _));
    }

    /// <summary>
    /// The follow-up secret travels in a header, which the document declares on the three follow-up operations, and on no
    /// other: required, of exactly the secret's length, in the alphabet every issued secret is written in.
    /// </summary>
    [Fact]
    public async Task The_follow_up_operations_and_only_they_declare_the_secret_header_with_its_length_and_alphabet()
    {
        var document = await _client.GetFromJsonAsync<JsonElement>("/openapi/v1.json", TestContext.Current.CancellationToken);
        var declaring = new List<string>();
        foreach (var (path, operations) in document.GetProperty("paths").EnumerateObject().Select(path => (path.Name, path.Value)))
        {
            foreach (var operation in operations.EnumerateObject())
            {
                var parameters = operation.Value.TryGetProperty("parameters", out var all) ? all.EnumerateArray().ToList() : [];
                if (parameters.SingleOrDefault(parameter => parameter.GetProperty("name").GetString() == FollowUp.SecretHeader) is not { ValueKind: JsonValueKind.Object } secret)
                {
                    continue;
                }

                declaring.Add($"{operation.Name.ToUpperInvariant()} {path}");
                Assert.Equal("header", secret.GetProperty("in").GetString());
                Assert.True(secret.GetProperty("required").GetBoolean());
                Assert.Contains("404", secret.GetProperty("description").GetString(), StringComparison.Ordinal);
                var schema = secret.GetProperty("schema");
                Assert.Equal("string", schema.GetProperty("type").GetString());
                Assert.Equal(FollowUp.SecretLength, schema.GetProperty("minLength").GetInt32());
                Assert.Equal(FollowUp.SecretLength, schema.GetProperty("maxLength").GetInt32());
                var pattern = schema.GetProperty("pattern").GetString()!;
                Assert.All(Enumerable.Range(0, 200).Select(_ => FollowUp.Issue(Guid.CreateVersion7()).Credentials.Secret), issued => Assert.Matches(pattern, issued));
                Assert.DoesNotMatch(pattern, new string('A', FollowUp.SecretLength + 1));
            }
        }

        Assert.Equal(["GET /public/tips/{code}", "GET /public/tips/{code}/messages", "POST /public/tips/{code}/messages"], declaring.Order(StringComparer.Ordinal));
    }

    private IDocumentStore Store => tips.Host.Services.GetRequiredService<IDocumentStore>();

    [Fact]
    public async Task Tips_are_numbered_per_local_year_without_gaps()
    {
        var first = await _client.ReceiveAsync(TipsApi.NewTip(receivedAt: "2019-12-31T23:30:00+07:00"));
        var second = await _client.ReceiveAsync(TipsApi.NewTip(receivedAt: "2019-12-31T17:30:00Z"));

        Assert.Equal("TIP-QT-2019-0001", (await Store.StoredTipAsync(first))!.Number);
        Assert.Equal("TIP-QT-2020-0001", (await Store.StoredTipAsync(second))!.Number);
        Assert.Equal("TIP-QT-2019-0001", Assert.IsType<TipReceived>(Assert.Single(await Store.EventsOfAsync(first))).Number);
    }

    [Fact]
    public async Task A_tip_at_a_known_site_is_accepted_and_an_unknown_site_is_a_400_naming_place_siteId()
    {
        var siteId = await Store.KnownSiteAsync("Eye hospital gate");

        var known = await _client.ReceiveAsync(TipsApi.NewTip(place: new { siteId }));
        var before = await Store.CountEventsAsync();
        var unknown = await _client.PostAsJsonAsync("/tips", TipsApi.NewTip(place: new { siteId = Guid.CreateVersion7() }), TestContext.Current.CancellationToken);

        Assert.Equal(siteId, (await Store.StoredTipAsync(known))!.Place.SiteId);
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        var problem = await unknown.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.True(problem.GetProperty("errors").TryGetProperty("place.siteId", out _), problem.ToString());
        Assert.Equal(before, await Store.CountEventsAsync());
    }

    [Fact]
    public async Task Triage_keeps_every_verdict_in_the_history_and_refuses_the_same_verdict_twice()
    {
        var id = await _client.ReceiveAsync();

        Assert.Equal(HttpStatusCode.OK, (await _client.AssessAsync(id, "notValuable", "Too vague.")).StatusCode);
        var twice = await _client.AssessAsync(id, "notValuable", "Still vague.");
        using var reassess = new HttpRequestMessage(HttpMethod.Post, $"/tips/{id}/assessments")
        {
            Content = JsonContent.Create(new { verdict = "valuable", reason = "A second caller gave the plate number." }),
        };
        reassess.Headers.IfMatch.Add(new System.Net.Http.Headers.EntityTagHeaderValue("\"2\""));
        var revised = await _client.SendAsync(reassess, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Conflict, twice.StatusCode);
        Assert.Equal("application/problem+json", twice.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.OK, revised.StatusCode);
        Assert.Equal("\"3\"", revised.Headers.ETag?.Tag);
        var events = await Store.EventsOfAsync(id);
        Assert.Equal([TipVerdict.NotValuable, TipVerdict.Valuable], events.OfType<TipAssessed>().Select(assessed => assessed.Verdict));
        var details = await _client.ReadAsync(id);
        Assert.Equal("valuable", details.GetProperty("tip").GetProperty("verdict").GetString());
        Assert.Equal("assessed", details.GetProperty("tip").GetProperty("status").GetString());
        var history = details.GetProperty("history").EnumerateArray().ToList();
        Assert.Equal(["tipReceived", "tipAssessed", "tipAssessed"], history.Select(entry => entry.GetProperty("type").GetString()));
        Assert.Equal([1L, 2L, 3L], history.Select(entry => entry.GetProperty("version").GetInt64()));
        Assert.All(history, entry => Assert.Equal("test-police", entry.GetProperty("by").GetString()));
        Assert.Equal(
            [.. events.Select(recorded => ((IBusinessEvent)recorded).At)],
            history.Select(entry => entry.GetProperty("at").GetDateTimeOffset()));
        Assert.All(history, entry => Assert.True(entry.TryGetProperty("recordedAt", out _)));
        Assert.Equal("Too vague.", history[1].GetProperty("data").GetProperty("reason").GetString());
    }

    [Fact]
    public async Task A_stale_If_Match_is_a_412_and_appends_nothing()
    {
        var id = await _client.ReceiveAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/tips/{id}/assessments")
        {
            Content = JsonContent.Create(new { verdict = "prank", reason = "Known prank caller." }),
        };
        request.Headers.IfMatch.Add(new System.Net.Http.Headers.EntityTagHeaderValue("\"7\""));

        var response = await _client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.PreconditionFailed, response.StatusCode);
        Assert.Single(await Store.EventsOfAsync(id));
    }

    /// <summary>A contact's read shows in the tip's history, so the tip's version moves: an If-Match taken before it is stale.</summary>
    [Fact]
    public async Task A_contact_read_moves_the_version_an_earlier_If_Match_named()
    {
        var id = await _client.ReceiveAsync(TipsApi.NewTip(contact: new { phone = "+84 911 000 111" }));
        var before = await _client.GetAsync($"/tips/{id}", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync($"/tips/{id}/contact", TestContext.Current.CancellationToken)).StatusCode);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/tips/{id}/assessments")
        {
            Content = JsonContent.Create(new { verdict = "valuable", reason = "The caller can be asked again." }),
        };
        request.Headers.IfMatch.Add(before.Headers.ETag!);

        var response = await _client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.PreconditionFailed, response.StatusCode);
        var details = await _client.GetAsync($"/tips/{id}", TestContext.Current.CancellationToken);
        Assert.Equal("\"2\"", details.Headers.ETag?.Tag);
        var history = (await details.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("history");
        Assert.Equal(["tipReceived", "tipContactRead"], history.EnumerateArray().Select(entry => entry.GetProperty("type").GetString()));
    }

    /// <summary>A duplicate names a tip: not an unknown id, nor the year's counter (a stream whose id follows from a public name).</summary>
    [Fact]
    public async Task A_duplicate_names_an_existing_tip()
    {
        var original = await _client.ReceiveAsync();
        var repeat = await _client.ReceiveAsync();

        var unknown = await _client.AssessAsync(repeat, "duplicate", "Same report.", Guid.CreateVersion7());
        var counter = await _client.AssessAsync(repeat, "duplicate", "Same report.", YearlyNumbers.CounterOf(Tip.NumberPrefix, new HomeWard().Id, 2024));
        var duplicate = await _client.AssessAsync(repeat, "duplicate", "Same report.", original);

        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, counter.StatusCode);
        Assert.Equal(HttpStatusCode.OK, duplicate.StatusCode);
        Assert.Equal(original, Assert.IsType<TipAssessed>((await Store.EventsOfAsync(repeat))[^1]).DuplicateOf);
    }

    [Fact]
    public async Task Only_a_valuable_tip_is_referred_to_a_new_or_an_existing_incident()
    {
        var pending = await _client.ReceiveAsync();
        var valuable = await _client.ReceiveAsync();
        var another = await _client.ReceiveAsync();
        await _client.AssessAsync(valuable, "valuable");
        await _client.AssessAsync(another, "valuable");
        var existingIncident = await Store.KnownIncidentAsync();

        var refused = await _client.PostAsJsonAsync($"/tips/{pending}/referral", new { }, TestContext.Current.CancellationToken);
        var toNew = await _client.PostAsJsonAsync($"/tips/{valuable}/referral", new { }, TestContext.Current.CancellationToken);
        var toExisting = await _client.PostAsJsonAsync($"/tips/{another}/referral", new { incidentId = existingIncident }, TestContext.Current.CancellationToken);
        var again = await _client.PostAsJsonAsync($"/tips/{valuable}/referral", new { }, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Single(await Store.EventsOfAsync(pending));
        Assert.Equal(HttpStatusCode.OK, toNew.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        var opened = Assert.IsType<TipReferred>((await Store.EventsOfAsync(valuable))[^1]);
        Assert.True(opened.OpensNewIncident);
        Assert.Equal(7, opened.IncidentId.Version);
        Assert.Equal("referred", (await toNew.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("status").GetString());
        var linked = Assert.IsType<TipReferred>((await Store.EventsOfAsync(another))[^1]);
        Assert.Equal(HttpStatusCode.OK, toExisting.StatusCode);
        Assert.False(linked.OpensNewIncident);
        Assert.Equal(existingIncident, linked.IncidentId);
    }

    [Fact]
    public async Task The_list_filters_by_channel_category_verdict_site_and_time_and_pages()
    {
        var siteId = await Store.KnownSiteAsync("Political School gate");

        var walkIn = await _client.ReceiveAsync(TipsApi.NewTip(channel: "walkIn", category: "drugs", receivedAt: "2021-03-01T09:00:00+07:00", place: new { siteId }));
        var chat = await _client.ReceiveAsync(TipsApi.NewTip(channel: "chat", category: "drugs", receivedAt: "2021-03-02T09:00:00+07:00"));
        await _client.AssessAsync(chat, "prank");

        async Task<List<Guid>> Ids(string query) =>
            [.. (await _client.GetFromJsonAsync<JsonElement>($"/tips?{query}", TestContext.Current.CancellationToken)).GetProperty("items").EnumerateArray().Select(tip => tip.GetProperty("id").GetGuid())];

        Assert.Equal([walkIn], await Ids("channel=walkIn&category=drugs"));
        Assert.Equal([walkIn], await Ids($"siteId={siteId}"));
        Assert.Equal([chat], await Ids("verdict=prank&category=drugs"));
        Assert.Equal([chat, walkIn], await Ids("receivedFrom=2021-03-01T00:00:00%2B07:00&receivedTo=2021-03-03T00:00:00%2B07:00"));
        Assert.Equal([walkIn], await Ids("status=pending&category=drugs&receivedFrom=2021-01-01T00:00:00Z&receivedTo=2022-01-01T00:00:00Z"));
        var page = await _client.GetFromJsonAsync<JsonElement>("/tips?receivedFrom=2021-03-01T00:00:00%2B07:00&receivedTo=2021-03-03T00:00:00%2B07:00&limit=1&page=2", TestContext.Current.CancellationToken);
        Assert.Equal(2, page.GetProperty("total").GetInt64());
        Assert.Equal(walkIn, Assert.Single(page.GetProperty("items").EnumerateArray()).GetProperty("id").GetGuid());
        Assert.Equal(HttpStatusCode.BadRequest, (await _client.GetAsync("/tips?verdict=maybe", TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await _client.GetAsync("/tips?limit=0", TestContext.Current.CancellationToken)).StatusCode);
    }

    [Fact]
    public async Task The_police_write_and_read_the_follow_up_thread()
    {
        var id = await _client.ReceiveAsync();

        var posted = await _client.PostAsJsonAsync($"/tips/{id}/messages", new { text = "Can you tell us what he wore?" }, TestContext.Current.CancellationToken);
        var empty = await _client.PostAsJsonAsync($"/tips/{id}/messages", new { text = "" }, TestContext.Current.CancellationToken);
        var thread = await _client.GetFromJsonAsync<JsonElement>($"/tips/{id}/messages", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        var message = Assert.Single(thread.EnumerateArray());
        Assert.Equal("police", message.GetProperty("author").GetString());
        Assert.Equal("Can you tell us what he wore?", message.GetProperty("text").GetString());
        Assert.Equal("Can you tell us what he wore?", Assert.IsType<TipMessagePosted>((await Store.EventsOfAsync(id))[^1]).Text);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync($"/tips/{Guid.CreateVersion7()}/messages", TestContext.Current.CancellationToken)).StatusCode);
    }

    [Fact]
    public async Task The_contact_is_stored_encrypted_apart_its_reads_are_recorded_and_erasure_keeps_the_tip()
    {
        var id = await _client.ReceiveAsync(TipsApi.NewTip(contact: new { name = "Lê Thị Contact", phone = "+84 911 222 333" }));

        await using (var session = Store.QuerySession())
        {
            var stored = await session.LoadAsync<TipContact>(id, TestContext.Current.CancellationToken);
            Assert.NotNull(stored);
            Assert.DoesNotContain("911 222 333", System.Text.Encoding.UTF8.GetString(stored.Ciphertext), StringComparison.Ordinal);
        }

        var read = await _client.GetFromJsonAsync<JsonElement>($"/tips/{id}/contact", TestContext.Current.CancellationToken);
        Assert.Equal("+84 911 222 333", read.GetProperty("phone").GetString());
        Assert.Equal("Lê Thị Contact", read.GetProperty("name").GetString());
        Assert.IsType<TipContactRead>((await Store.EventsOfAsync(id))[^1]);

        var erased = await _client.DeleteAsync($"/tips/{id}/contact", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NoContent, erased.StatusCode);
        await using (var session = Store.QuerySession())
        {
            Assert.Null(await session.LoadAsync<TipContact>(id, TestContext.Current.CancellationToken));
        }

        Assert.IsType<TipContactErased>((await Store.EventsOfAsync(id))[^1]);
        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync($"/tips/{id}", TestContext.Current.CancellationToken)).StatusCode);
        Assert.NotNull(await Store.StoredTipAsync(id));
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync($"/tips/{id}/contact", TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.DeleteAsync($"/tips/{id}/contact", TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal(3, (await Store.EventsOfAsync(id)).Count);
    }

    /// <summary>
    /// An insider's copy of one tip's sealed contact onto another (it is sealed with its tip's id), a contact changed in the
    /// database, or one sealed with another key: it does not open, so the read is a 409 problem and records no read (the
    /// read was recorded, then the answer failed: a 500, and the history said the contact had been read).
    /// </summary>
    [Fact]
    public async Task A_contact_that_does_not_open_is_a_409_and_no_read_is_recorded()
    {
        var ct = TestContext.Current.CancellationToken;
        var donor = await _client.ReceiveAsync(TipsApi.NewTip(contact: new { phone = "+84 911 222 444" }));
        var moved = await _client.ReceiveAsync(TipsApi.NewTip(contact: new { phone = "+84 911 222 555" }));
        var changed = await _client.ReceiveAsync(TipsApi.NewTip(contact: new { phone = "+84 911 222 666" }));
        await using (var session = Store.LightweightSession())
        {
            var sealedDonor = (await session.LoadAsync<TipContact>(donor, ct))!;
            var sealedChanged = (await session.LoadAsync<TipContact>(changed, ct))!;
            session.Store(sealedDonor with { Id = moved });
            session.Store(sealedChanged with { Ciphertext = [.. sealedChanged.Ciphertext.Select((b, i) => i == 0 ? (byte)(b ^ 1) : b)] });
            await session.SaveChangesAsync(ct);
        }

        foreach (var id in new[] { moved, changed })
        {
            var before = (await Store.EventsOfAsync(id)).Count;
            using var read = await _client.GetAsync($"/tips/{id}/contact", ct);
            Assert.Equal(HttpStatusCode.Conflict, read.StatusCode);
            Assert.Equal("application/problem+json", read.Content.Headers.ContentType?.MediaType);
            Assert.Contains("cannot be opened", await read.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
            Assert.Equal(before, (await Store.EventsOfAsync(id)).Count);
        }

        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync($"/tips/{donor}/contact", ct)).StatusCode);
    }

    /// <summary>
    /// A contact's row copied whole from another tip's (the p-insider probe: across wards it showed another ward's tipster, and
    /// recorded the read on the wrong tip) or damaged in the database, field by field over every field of the sealed document
    /// (<see cref="SealedRows"/>), is read by nobody: a 409 problem, no read recorded on either tip, never a 500 nor the donor's
    /// contact; and it is erased all the same (204, the row gone: the erasure opens nothing), where a damaged row was a 500 to
    /// read and to erase, so the tipster could not be forgotten.
    /// </summary>
    [Fact]
    public async Task A_contact_row_copied_from_another_tip_or_damaged_is_a_409_to_read_never_a_500_and_is_erased_all_the_same()
    {
        var ct = TestContext.Current.CancellationToken;
        var failuresBefore = tips.Host.Failures.Count;
        var donor = await _client.ReceiveAsync(TipsApi.NewTip(contact: new { name = "Zyxwq Donor", phone = "+84 912 555 001" }));
        var stored = await SealedRows.DataOfAsync<TipContact>(Store, donor, ct);
        var donorEvents = (await Store.EventsOfAsync(donor)).Count;

        const string Copied = "copied whole from another tip";
        foreach (var damage in SealedRows.DamagesOf<TipContact>(stored).Select(damaged => damaged.Damage).Prepend(Copied))
        {
            var id = await _client.ReceiveAsync(TipsApi.NewTip(contact: new { phone = "+84 912 555 002" }));
            await (damage == Copied ? SealedRows.WriteAsync<TipContact>(Store, id, stored.ToJsonString(), ct) : SealedRows.DamageAsync<TipContact>(Store, id, damage, ct));
            var before = (await Store.EventsOfAsync(id)).Count;

            using var read = await _client.GetAsync($"/tips/{id}/contact", ct);
            var body = await read.Content.ReadAsStringAsync(ct);
            Assert.True(read.StatusCode == HttpStatusCode.Conflict, $"{damage}: {(int)read.StatusCode} {body}");
            Assert.Equal("application/problem+json", read.Content.Headers.ContentType?.MediaType);
            Assert.Contains("cannot be opened", body, StringComparison.Ordinal);
            Assert.DoesNotContain("Zyxwq", body, StringComparison.Ordinal);
            Assert.Equal(before, (await Store.EventsOfAsync(id)).Count);

            using var erased = await _client.DeleteAsync($"/tips/{id}/contact", ct);
            Assert.True(erased.StatusCode == HttpStatusCode.NoContent, $"{damage}: erasure {(int)erased.StatusCode}");
            await using (var session = Store.QuerySession())
            {
                Assert.Null(await session.Json.FindByIdAsync<TipContact>(id, ct));
            }

            Assert.IsType<TipContactErased>((await Store.EventsOfAsync(id))[^1]);
        }

        Assert.Equal(donorEvents, (await Store.EventsOfAsync(donor)).Count);
        Assert.Equal(failuresBefore, tips.Host.Failures.Count);
    }

    /// <summary>A contact's texts are checked trimmed, and stored as checked: read back, each is what its pattern describes.</summary>
    [Fact]
    public async Task A_padded_contact_is_accepted_and_stored_trimmed()
    {
        var id = await _client.ReceiveAsync(TipsApi.NewTip(contact: TipsApi.PaddedContact));

        await _client.AssertPaddedContactStoredTrimmedAsync(id);
    }

    /// <summary>
    /// A read that loaded the contact's record before an erasure committed decides after it: the record written back
    /// stands in for what that read loaded, and the read is a 404 recording nothing.
    /// </summary>
    [Fact]
    public async Task A_contact_erased_while_a_read_is_in_flight_is_not_served_nor_its_read_recorded()
    {
        var id = await _client.ReceiveAsync(TipsApi.NewTip(contact: new { name = "Lê Thị Contact", phone = "+84 911 222 333" }));
        TipContact loaded;
        await using (var session = Store.QuerySession())
        {
            loaded = (await session.LoadAsync<TipContact>(id, TestContext.Current.CancellationToken))!;
        }

        Assert.Equal(HttpStatusCode.NoContent, (await _client.DeleteAsync($"/tips/{id}/contact", TestContext.Current.CancellationToken)).StatusCode);
        await using (var session = Store.LightweightSession())
        {
            session.Store(loaded);
            await session.SaveChangesAsync(TestContext.Current.CancellationToken);
        }

        var read = await _client.GetAsync($"/tips/{id}/contact", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, read.StatusCode);
        Assert.DoesNotContain("911 222 333", await read.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        var events = await Store.EventsOfAsync(id);
        Assert.IsType<TipContactErased>(events[^1]);
        Assert.DoesNotContain(events, recorded => recorded is TipContactRead);
    }

    /// <summary>
    /// An erased contact's row put back in the database, with the tip's snapshot saying it was never erased (the p-insider probe:
    /// the contact was read again, its read recorded after the erasure), is still erased: the tip's events say so, and the read is
    /// a 404 recording nothing. Such a row, which the API could not remove (a 404 to erase), is erased again: 204, the row gone.
    /// </summary>
    [Fact]
    public async Task An_erased_contact_put_back_with_its_snapshot_changed_is_not_read_and_is_erased_again()
    {
        var ct = TestContext.Current.CancellationToken;
        var id = await _client.ReceiveAsync(TipsApi.NewTip(contact: new { name = "Lê Thị Contact", phone = "+84 911 222 777" }));
        var stored = await SealedRows.DataOfAsync<TipContact>(Store, id, ct);
        Assert.Equal(HttpStatusCode.NoContent, (await _client.DeleteAsync($"/tips/{id}/contact", ct)).StatusCode);
        await using (var session = Store.LightweightSession())
        {
            session.QueueSqlCommand($"INSERT INTO {SealedRows.TableOf<TipContact>(Store)} (id, data, mt_version, mt_dotnet_type) VALUES (?, ?::jsonb, gen_random_uuid(), ?)", id, stored.ToJsonString(), typeof(TipContact).FullName!);
            session.QueueSqlCommand($"UPDATE {SealedRows.TableOf<TipState>(Store)} SET data = jsonb_set(data, '{{contactErased}}', 'false') WHERE id = ?", id);
            await session.SaveChangesAsync(ct);
        }

        using var read = await _client.GetAsync($"/tips/{id}/contact", ct);

        Assert.Equal(HttpStatusCode.NotFound, read.StatusCode);
        Assert.DoesNotContain("222 777", await read.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
        Assert.DoesNotContain(await Store.EventsOfAsync(id), recorded => recorded is TipContactRead);
        Assert.Equal(HttpStatusCode.NoContent, (await _client.DeleteAsync($"/tips/{id}/contact", ct)).StatusCode);
        await using (var session = Store.QuerySession())
        {
            Assert.Null(await session.Json.FindByIdAsync<TipContact>(id, ct));
        }

        Assert.Equal(2, (await Store.EventsOfAsync(id)).Count(recorded => recorded is TipContactErased));
        Assert.Equal(HttpStatusCode.NotFound, (await _client.DeleteAsync($"/tips/{id}/contact", ct)).StatusCode);
    }

    /// <summary>
    /// The tipster's right to be forgotten does not lose to officers reading the contact: of two erasures among reads at once,
    /// one erases (204) and the other finds none (404), never a 409 for a lost race; the reads before it read, those after it
    /// find none (no read recorded after the erasure), and nothing is left.
    /// </summary>
    [Fact]
    public async Task An_erasure_among_reads_at_once_erases_the_contact()
    {
        for (var round = 0; round < 5; round++)
        {
            var id = await _client.ReceiveAsync(TipsApi.NewTip(contact: new { phone = "+84 911 444 555" }));
            using var start = new SemaphoreSlim(0);
            var reads = Enumerable.Range(0, 6).Select(async _ =>
            {
                await start.WaitAsync(TestContext.Current.CancellationToken);
                return (await _client.GetAsync($"/tips/{id}/contact", TestContext.Current.CancellationToken)).StatusCode;
            }).ToList();
            var erasures = Enumerable.Range(0, 2).Select(_ => Task.Run(async () =>
            {
                await start.WaitAsync(TestContext.Current.CancellationToken);
                return (await _client.DeleteAsync($"/tips/{id}/contact", TestContext.Current.CancellationToken)).StatusCode;
            })).ToList();
            start.Release(8);

            Assert.Equal([HttpStatusCode.NoContent, HttpStatusCode.NotFound], (await Task.WhenAll(erasures)).Order());
            var read = await Task.WhenAll(reads);
            Assert.All(read, status => Assert.True(status is HttpStatusCode.OK or HttpStatusCode.NotFound, $"a read: {status}"));
            await using var session = Store.QuerySession();
            Assert.Null(await session.LoadAsync<TipContact>(id, TestContext.Current.CancellationToken));
            var events = await Store.EventsOfAsync(id);
            Assert.Single(events.OfType<TipContactErased>());
            Assert.DoesNotContain(events.SkipWhile(recorded => recorded is not TipContactErased), recorded => recorded is TipContactRead);
            Assert.Equal(read.Count(status => status == HttpStatusCode.OK), events.Count(recorded => recorded is TipContactRead));
        }
    }

    /// <summary>
    /// A step whose turn does not come (whatever holds the record is stuck: here a session of the test's own) is a 503 problem
    /// saying so (and an Error line: something held the record that long), with Retry-After, once it has waited <see cref="StreamResults.TurnTimeout"/>, never the minutes a lock may be
    /// held; it changes nothing, and its retry applies once the record is free.
    /// </summary>
    [Fact]
    public async Task A_step_whose_turn_does_not_come_is_a_503_saying_the_record_is_busy_and_changes_nothing()
    {
        var ct = TestContext.Current.CancellationToken;
        var tipId = await _client.ReceiveAsync(TipsApi.NewTip());
        var store = Store;
        var before = (await store.EventsOfAsync(tipId)).Count;
        HttpResponseMessage refused;
        var waited = System.Diagnostics.Stopwatch.StartNew();
        await using (var stuck = store.LightweightSession())
        {
            await stuck.Events.FetchForExclusiveWriting<TipState>(tipId, ct);
            waited.Restart();
            refused = await _client.PostAsJsonAsync($"/tips/{tipId}/assessments", new { verdict = "valuable", reason = "Seen on the camera." }, ct);
            waited.Stop();
        }

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero, "a 503 says when to retry");
        Assert.Equal("The record is busy with other changes.", (await refused.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("title").GetString());
        Assert.InRange(waited.Elapsed, StreamResults.TurnTimeout, StreamResults.TurnTimeout + TimeSpan.FromSeconds(5));
        Assert.Equal(before, (await store.EventsOfAsync(tipId)).Count);
        Assert.Equal(HttpStatusCode.OK, (await _client.PostAsJsonAsync($"/tips/{tipId}/assessments", new { verdict = "valuable", reason = "Seen on the camera." }, ct)).StatusCode);
    }

    /// <summary>Reading the contact records the read, yet is a read: officers at once all read it, whatever If-Match says, and each read is recorded.</summary>
    [Fact]
    public async Task Officers_reading_a_contact_at_once_all_read_it_each_read_recorded_and_no_If_Match_refuses_it()
    {
        var id = await _client.ReceiveAsync(TipsApi.NewTip(contact: new { name = "Lê Thị Contact", phone = "+84 911 222 333" }));
        const int Readers = 8;

        var reads = await Task.WhenAll(Enumerable.Range(0, Readers).Select(async reader =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/tips/{id}/contact");
            if (reader % 2 == 0)
            {
                request.Headers.TryAddWithoutValidation("If-Match", "\"1\"");
            }

            using var response = await tips.CreateClient().SendAsync(request, TestContext.Current.CancellationToken);
            return (response.StatusCode, response.Headers.ETag);
        }));

        Assert.All(reads, read => Assert.Equal((HttpStatusCode.OK, (System.Net.Http.Headers.EntityTagHeaderValue?)null), read));
        Assert.Equal(Readers, (await Store.EventsOfAsync(id)).Count(recorded => recorded is TipContactRead));
    }

    [Fact]
    public async Task Statistics_need_a_year()
    {
        Assert.Equal(HttpStatusCode.BadRequest, (await _client.GetAsync("/tips/stats", TestContext.Current.CancellationToken)).StatusCode);
        var empty = await _client.GetFromJsonAsync<JsonElement>("/tips/stats?year=2031", TestContext.Current.CancellationToken);
        Assert.Equal(0, empty.GetProperty("received").GetInt32());
    }

    private async Task<long> CountEventsAsync()
    {
        await using var session = tips.Host.Services.GetRequiredService<IDocumentStore>().QuerySession();
        return await session.Events.QueryAllRawEvents().LongCountAsync(TestContext.Current.CancellationToken);
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
