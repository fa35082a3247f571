using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using WardLink.Contracts.Incidents;
using WardLink.Domain;
using WardLink.Incidents;
using WardLink.Testing;
using IncidentReopened = WardLink.Incidents.IncidentReopened;
using IncidentReported = WardLink.Incidents.IncidentReported;
using IncidentResolved = WardLink.Incidents.IncidentResolved;

namespace WardLink.IntegrationTests.Incidents;

public sealed class IncidentsApiTests(ServiceFixture<IncidentsService> incidents) : IClassFixture<ServiceFixture<IncidentsService>>
{
    private readonly HttpClient _client = incidents.CreateClient();

    private IDocumentStore Store => incidents.Host.Services.GetRequiredService<IDocumentStore>();

    [Fact]
    public async Task A_reported_incident_gets_a_case_number_of_the_local_year_and_is_stored_as_one_IncidentReported_event()
    {
        var site = await Store.KnowSiteAsync("Eye hospital, car park");

        var response = await _client.PostAsJsonAsync("/api/incidents", IncidentRequests.Report(place: new { siteId = site.Id }), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("\"1\"", response.Headers.ETag?.Tag);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        var id = body.GetProperty("id").GetGuid();
        Assert.Equal($"/api/incidents/{id}", response.Headers.Location?.OriginalString);
        var caseNumber = body.GetProperty("caseNumber").GetString()!;
        Assert.Matches($"^INC-QT-{WardTime.LocalYear(DateTimeOffset.UtcNow)}-\\d{{4}}$", caseNumber);
        Assert.Equal("reported", body.GetProperty("status").GetString());

        var reported = Assert.IsType<IncidentReported>(Assert.Single(await Store.EventsOfAsync(id)).Data);
        Assert.Equal(caseNumber, reported.CaseNumber);
        Assert.Equal(IncidentClassification.Criminal, reported.Classification);
        Assert.Equal(site.Id, reported.Place.SiteId);
        Assert.Equal(IncidentSource.Police, reported.Source);
        Assert.Equal("CA-QT-2024-118", reported.SourceReference);
        Assert.Equal("test-police", reported.By);
        Assert.Equal(DateTimeOffset.Parse("2024-05-02T14:40:00Z", CultureInfo.InvariantCulture), reported.OccurredAt);
    }

    public static TheoryData<string, string, string> BadReports => new()
    {
        { "unknown classification", Body("\"classification\": \"witchcraft\""), "classification" },
        { "unknown category", Body("\"category\": \"ufo\""), "category" },
        { "unknown source", Body("\"source\": \"rumour\""), "source" },
        { "future", Body("\"occurredAt\": \"2999-01-01T00:00:00+07:00\""), "occurredAt" },
        { "unknown site", Body($"\"place\": {{ \"siteId\": \"{Guid.CreateVersion7()}\" }}"), "place.siteId" },
        { "no place", Body("\"place\": {}"), "place" },
        { "not json", "{ this is not json", "body" },
    };

    [Theory]
    [MemberData(nameof(BadReports))]
    public async Task A_bad_report_gets_a_400_problem_naming_the_field_and_stores_nothing(string why, string body, string field)
    {
        var before = await Store.CountEventsAsync();

        var response = await _client.PostAsync("/incidents", IncidentRequests.Json(body), TestContext.Current.CancellationToken);

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{why}: {response.StatusCode}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"{why}: errors lack '{field}': {problem}");
        Assert.Equal(before, await Store.CountEventsAsync());
    }

    [Fact]
    public async Task An_incident_goes_from_report_to_closure_and_back_each_step_an_event_with_actor_and_time_shown_in_its_timeline()
    {
        var (id, etag, _) = await _client.ReportAsync();
        var tipId = Guid.CreateVersion7();

        etag = await _client.StepOkAsync($"/incidents/{id}/assign", etag, new { unit = "Ward police, criminal team", officer = "Lt. Hoa" });
        etag = await _client.StepOkAsync($"/incidents/{id}/tips", etag, new { tipId, tipNumber = "TIP-2024-0003" });
        etag = await _client.StepOkAsync($"/incidents/{id}/notes", etag, new { text = "Camera footage requested from the hospital." });
        etag = await _client.StepOkAsync($"/incidents/{id}/reclassify", etag, new { classification = "administrative", reason = "Bike found abandoned; no theft." });
        etag = await _client.StepOkAsync($"/incidents/{id}/resolve", etag, new { outcome = "administrativeViolationHandled", summary = "Owner fined for parking." });
        etag = await _client.StepOkAsync($"/incidents/{id}/close", etag);
        etag = await _client.StepOkAsync($"/incidents/{id}/reopen", etag, new { reason = "The owner appealed." });
        var reopened = etag;
        etag = await _client.StepOkAsync($"/incidents/{id}/tips/{tipId}", etag, method: HttpMethod.Delete);
        var retried = await _client.StepAsync($"/incidents/{id}/tips/{tipId}", reopened, method: HttpMethod.Delete);

        Assert.Equal("\"9\"", etag);
        Assert.Equal(HttpStatusCode.PreconditionFailed, retried.StatusCode);
        Assert.Equal(etag, retried.Headers.ETag?.Tag);
        var events = await Store.EventsOfAsync(id);
        Assert.Equal(
            [typeof(IncidentReported), typeof(InvestigationStarted), typeof(TipLinked), typeof(NoteAdded), typeof(IncidentReclassified),
             typeof(IncidentResolved), typeof(IncidentClosed), typeof(IncidentReopened), typeof(TipUnlinked)],
            events.Select(recorded => recorded.Data.GetType()));
        var resolved = Assert.IsType<IncidentResolved>(events[5].Data);
        Assert.Equal(IncidentOutcome.AdministrativeViolationHandled, resolved.Outcome);
        Assert.Equal(IncidentClassification.Administrative, resolved.Classification);
        Assert.Equal([tipId], resolved.LinkedTipIds);

        var read = await _client.GetAsync($"/incidents/{id}", TestContext.Current.CancellationToken);
        Assert.Equal("\"9\"", read.Headers.ETag?.Tag);
        var record = await read.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        var incident = record.GetProperty("incident");
        Assert.Equal("underInvestigation", incident.GetProperty("status").GetString());
        Assert.Equal("Lt. Hoa", incident.GetProperty("officer").GetString());
        Assert.Empty(incident.GetProperty("linkedTipIds").EnumerateArray());
        var timeline = record.GetProperty("timeline").EnumerateArray().ToList();
        Assert.Equal(
            ["incidentReported", "investigationStarted", "tipLinked", "noteAdded", "incidentReclassified", "incidentResolved", "incidentClosed", "incidentReopened", "tipUnlinked"],
            timeline.Select(step => step.GetProperty("type").GetString()));
        Assert.All(timeline, step => Assert.Equal("test-police", step.GetProperty("by").GetString()));
        Assert.Equal("The owner appealed.", timeline[7].GetProperty("data").GetProperty("reason").GetString());
        Assert.Equal(9, timeline[8].GetProperty("version").GetInt64());
    }

    [Fact]
    public async Task Invalid_transitions_are_409_problems_and_append_nothing()
    {
        var (id, etag, _) = await _client.ReportAsync();

        var resolveUnassigned = await _client.StepAsync($"/incidents/{id}/resolve", etag, new { outcome = "unfounded" });
        Assert.Equal(HttpStatusCode.Conflict, resolveUnassigned.StatusCode);
        Assert.Equal("application/problem+json", resolveUnassigned.Content.Headers.ContentType?.MediaType);

        etag = await _client.StepOkAsync($"/incidents/{id}/assign", etag, new { unit = "Traffic team" });
        etag = await _client.StepOkAsync($"/incidents/{id}/resolve", etag, new { outcome = "unfounded" });
        etag = await _client.StepOkAsync($"/incidents/{id}/close", etag);
        var closeAgain = await _client.StepAsync($"/incidents/{id}/close", etag);
        Assert.Equal(HttpStatusCode.Conflict, closeAgain.StatusCode);

        Assert.Equal(4, (await Store.EventsOfAsync(id)).Count);
    }

    [Fact]
    public async Task Bad_input_to_a_step_is_a_400_problem_and_appends_nothing()
    {
        var (id, etag, _) = await _client.ReportAsync();
        etag = await _client.StepOkAsync($"/incidents/{id}/assign", etag, new { unit = "Criminal team" });

        var noOutcome = await _client.StepAsync($"/incidents/{id}/resolve", etag, new { summary = "Done" });
        var futureResolution = await _client.StepAsync($"/incidents/{id}/resolve", etag, new { outcome = "unfounded", resolvedAt = "2999-01-01T00:00:00+07:00" });
        var unknownOutcome = await _client.StepAsync($"/incidents/{id}/resolve", etag, new { outcome = "forgotten" });

        Assert.Equal(HttpStatusCode.BadRequest, noOutcome.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, futureResolution.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, unknownOutcome.StatusCode);
        Assert.Equal(2, (await Store.EventsOfAsync(id)).Count);
    }

    [Fact]
    public async Task A_stale_If_Match_is_a_412_problem_and_appends_nothing()
    {
        var (id, firstETag, _) = await _client.ReportAsync();
        await _client.StepOkAsync($"/incidents/{id}/notes", firstETag, new { text = "First note." });

        var stale = await _client.StepAsync($"/incidents/{id}/notes", firstETag, new { text = "Written on an old copy." });

        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);
        Assert.Equal("application/problem+json", stale.Content.Headers.ContentType?.MediaType);
        Assert.Equal("\"2\"", stale.Headers.ETag?.Tag);
        Assert.Equal(2, (await Store.EventsOfAsync(id)).Count);
    }

    [Fact]
    public async Task Two_officers_updating_one_incident_with_the_same_If_Match_one_wins_and_the_other_is_refused()
    {
        var (id, etag, _) = await _client.ReportAsync();

        var answers = await Task.WhenAll(
            _client.StepAsync($"/incidents/{id}/assign", etag, new { unit = "Criminal team", officer = "Lt. Hoa" }),
            _client.StepAsync($"/incidents/{id}/assign", etag, new { unit = "Criminal team", officer = "Sgt. Minh" }));

        Assert.Single(answers, answer => answer.StatusCode == HttpStatusCode.OK);
        Assert.Single(answers, answer => answer.StatusCode is HttpStatusCode.PreconditionFailed or HttpStatusCode.Conflict);
        var events = await Store.EventsOfAsync(id);
        Assert.Equal(2, events.Count);
        Assert.Single(events, recorded => recorded.Data is InvestigationStarted);
    }

    [Fact]
    public async Task An_unknown_incident_is_a_404_problem_to_read_and_to_change()
    {
        var unknown = Guid.CreateVersion7();

        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync($"/incidents/{unknown}", TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.StepAsync($"/incidents/{unknown}/notes", null, new { text = "Hello" })).StatusCode);
        Assert.Empty(await Store.EventsOfAsync(unknown));
    }

    [Fact]
    public async Task The_list_filters_by_status_classification_category_site_source_and_time_and_pages()
    {
        var site = await Store.KnowSiteAsync("Political School gate");
        var atSite = new { siteId = site.Id };
        var traffic = await _client.ReportAsync(IncidentRequests.Report("traffic", "traffic", atSite, "2021-03-01T07:15:00+07:00", "patrol"));
        var disorder = await _client.ReportAsync(IncidentRequests.Report("publicOrder", "publicOrder", atSite, "2021-03-02T22:00:00+07:00", "partner"));
        var older = await _client.ReportAsync(IncidentRequests.Report("traffic", "traffic", atSite, "2021-02-01T07:15:00+07:00", "patrol"));
        await _client.StepOkAsync($"/incidents/{disorder.Id}/assign", disorder.ETag, new { unit = "Ward police" });

        Assert.Equal([disorder.Id, traffic.Id, older.Id], await IdsAsync($"/incidents?siteId={site.Id}"));
        Assert.Equal([traffic.Id, older.Id], await IdsAsync($"/incidents?siteId={site.Id}&classification=traffic"));
        Assert.Equal([disorder.Id], await IdsAsync($"/incidents?siteId={site.Id}&category=publicOrder"));
        Assert.Equal([disorder.Id], await IdsAsync($"/incidents?siteId={site.Id}&status=underInvestigation"));
        Assert.Equal([disorder.Id], await IdsAsync($"/incidents?siteId={site.Id}&source=partner"));
        Assert.Equal([disorder.Id, traffic.Id], await IdsAsync($"/incidents?siteId={site.Id}&from=2021-03-01T00:00:00%2B07:00&to=2021-04-01T00:00:00%2B07:00"));

        var second = await _client.GetFromJsonAsync<JsonElement>($"/incidents?siteId={site.Id}&limit=2&page=2", TestContext.Current.CancellationToken);
        Assert.Equal(3, second.GetProperty("total").GetInt64());
        Assert.Equal(older.Id, Assert.Single(second.GetProperty("items").EnumerateArray()).GetProperty("id").GetGuid());

        Assert.Equal(HttpStatusCode.BadRequest, (await _client.GetAsync("/incidents?limit=0", TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await _client.GetAsync("/incidents?status=lost", TestContext.Current.CancellationToken)).StatusCode);
    }

    [Fact]
    public async Task The_OpenAPI_document_describes_the_incident_endpoints()
    {
        var document = await _client.GetFromJsonAsync<JsonElement>("/openapi/v1.json", TestContext.Current.CancellationToken);

        foreach (var path in new[] { "/incidents", "/incidents/{id}", "/incidents/{id}/resolve", "/incidents/stats", "/incidents/stats/compare" })
        {
            Assert.True(document.GetProperty("paths").TryGetProperty(path, out _), path);
        }
    }

    private async Task<List<Guid>> IdsAsync(string query)
    {
        var page = await _client.GetFromJsonAsync<JsonElement>(query, TestContext.Current.CancellationToken);
        return [.. page.GetProperty("items").EnumerateArray().Select(item => item.GetProperty("id").GetGuid())];
    }

    private static string Body(string replacement)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["classification"] = "\"classification\": \"criminal\"",
            ["category"] = "\"category\": \"theft\"",
            ["description"] = "\"description\": \"A phone snatched at the school gate.\"",
            ["place"] = "\"place\": { \"description\": \"Political School gate\" }",
            ["occurredAt"] = "\"occurredAt\": \"2024-05-02T21:40:00+07:00\"",
            ["source"] = "\"source\": \"police\"",
        };
        var key = replacement[1..replacement.IndexOf('"', 1)];
        fields[key] = replacement;
        return "{ " + string.Join(", ", fields.Values) + " }";
    }
}
