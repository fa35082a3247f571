using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using WardLink.Testing;

namespace WardLink.SystemTests;

/// <summary>
/// The latest outcome counts, through the gateway: an incident resolved as a criminal case, then
/// reopened and resolved as an administrative violation, counts once, as the latter, in the tips'
/// and the incidents' statistics and in the annual report.
/// </summary>
public sealed class OutcomeRevisionTests(WardLinkSystem system) : IClassFixture<WardLinkSystem>
{
    private const int Year = 2023;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_case_resolved_as_criminal_then_reopened_and_resolved_as_administrative_counts_once_as_administrative_everywhere()
    {
        using var api = system.CreateGatewayClient();
        var (tip, _) = await ValuableTipAsync(api, Year);
        var incident = await ReferredAsync(api, tip);

        await OkAsync(api.PostAsJsonAsync($"/api/incidents/{incident}/assign", new { unit = "Criminal team" }, Ct));
        await OkAsync(api.PostAsJsonAsync($"/api/incidents/{incident}/resolve", new { outcome = "criminalCaseSolved" }, Ct));
        await StatisticsAsync(api, Year, tips => tips.GetProperty("criminalCasesContributed").GetInt32() == 1, "the criminal case to count for the tip");

        await OkAsync(api.PostAsJsonAsync($"/api/incidents/{incident}/reopen", new { reason = "The owner found the bags at home." }, Ct));
        await OkAsync(api.PostAsJsonAsync($"/api/incidents/{incident}/resolve", new { outcome = "administrativeViolationHandled" }, Ct));
        var tipFigures = await StatisticsAsync(api, Year, tips => tips.GetProperty("administrativeViolationsContributed").GetInt32() == 1, "the new outcome to count for the tip");

        Assert.Equal(0, tipFigures.GetProperty("criminalCasesContributed").GetInt32());
        var incidentFigures = await api.GetFromJsonAsync<JsonElement>($"/api/incidents/stats?year={Year}", Ct);
        AssertCountedOnceAsAdministrative(incidentFigures.GetProperty("resolvedByOutcome"));
        var report = await api.GetFromJsonAsync<JsonElement>($"/api/reports/annual?year={Year}", Ct);
        Assert.True(report.GetProperty("complete").GetBoolean(), report.ToString());
        var services = report.GetProperty("services");
        AssertCountedOnceAsAdministrative(services.GetProperty("incidents").GetProperty("statistics").GetProperty("resolvedByOutcome"));
        var reportedTips = services.GetProperty("tips").GetProperty("statistics");
        Assert.Equal((0, 1), (reportedTips.GetProperty("criminalCasesContributed").GetInt32(), reportedTips.GetProperty("administrativeViolationsContributed").GetInt32()));
    }

    /// <summary>
    /// A tip unlinked from a resolved incident no longer holds its outcome, and once no valuable tip is linked the case
    /// no longer counts as one tips contributed to (the unlink was not published: the outcome stood for good); the referred
    /// tip, unlinked from the link its referral made, is referred nowhere and may be referred again.
    /// </summary>
    [Fact]
    public async Task A_tip_unlinked_from_a_resolved_incident_loses_its_outcome_and_the_case_stops_counting_once_none_is_linked()
    {
        const int Unlinked = Year - 1;
        using var api = system.CreateGatewayClient();
        var (first, _) = await ValuableTipAsync(api, Unlinked);
        var (second, secondNumber) = await ValuableTipAsync(api, Unlinked);
        var incident = await ReferredAsync(api, first);
        await OkAsync(api.PostAsJsonAsync($"/api/incidents/{incident}/tips", new { tipId = second, tipNumber = secondNumber }, Ct));
        await OkAsync(api.PostAsJsonAsync($"/api/incidents/{incident}/assign", new { unit = "Criminal team" }, Ct));
        await OkAsync(api.PostAsJsonAsync($"/api/incidents/{incident}/resolve", new { outcome = "criminalCaseSolved" }, Ct));
        await OutcomesAsync(api, second, 1, "the resolution to reach the linked tip");

        using (var unlink = await api.DeleteAsync($"/api/incidents/{incident}/tips/{second}", Ct))
        {
            Assert.Equal(HttpStatusCode.OK, unlink.StatusCode);
        }

        await OutcomesAsync(api, second, 0, "the unlinked tip to lose the outcome");
        Assert.Equal(1, (await StatisticsAsync(api, Unlinked, _ => true, "the statistics")).GetProperty("criminalCasesContributed").GetInt32());

        using (var unlink = await api.DeleteAsync($"/api/incidents/{incident}/tips/{first}", Ct))
        {
            Assert.Equal(HttpStatusCode.OK, unlink.StatusCode);
        }

        await StatisticsAsync(api, Unlinked, tips => tips.GetProperty("criminalCasesContributed").GetInt32() == 0, "the case to stop counting once no tip is linked");
        await OutcomesAsync(api, first, 0, "the referred tip, unlinked too, to lose the outcome");

        // The first tip's link was the one its referral made: it is referred nowhere now, and is referred again (docs/incidents.md).
        await Eventually.Get(
            async () => (await api.GetFromJsonAsync<JsonElement>($"/api/tips/{first}", Ct)).GetProperty("tip").GetProperty("incidentId").ValueKind == JsonValueKind.Null ? "so" : null,
            "the referral to be withdrawn");
        Assert.NotEqual(incident, await ReferredAsync(api, first));
    }

    private static async Task<(Guid Id, string Number)> ValuableTipAsync(HttpClient api, int year)
    {
        using var created = await api.PostAsJsonAsync(
            "/api/tips",
            new
            {
                channel = "hotline",
                category = "theft",
                description = "Bags taken from the Eye hospital waiting room.",
                place = new { description = "Eye hospital, waiting room" },
                receivedAt = $"{year}-05-01T07:30:00+07:00",
            },
            Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var tip = await created.Content.ReadFromJsonAsync<JsonElement>(Ct);
        var id = tip.GetProperty("id").GetGuid();
        await OkAsync(api.PostAsJsonAsync($"/api/tips/{id}/assessments", new { verdict = "valuable", reason = "A teacher saw it." }, Ct));
        return (id, tip.GetProperty("number").GetString()!);
    }

    /// <summary>Refers <paramref name="tip"/> to a new incident; its id once incidents has opened it.</summary>
    private static async Task<Guid> ReferredAsync(HttpClient api, Guid tip)
    {
        var incident = (await OkAsync(api.PostAsJsonAsync($"/api/tips/{tip}/referral", new { }, Ct))).GetProperty("incidentId").GetGuid();
        await Eventually.Get(async () => (await api.GetAsync($"/api/incidents/{incident}", Ct)).IsSuccessStatusCode ? "opened" : null, "the referral to open its incident");
        return incident;
    }

    private static Task<string> OutcomesAsync(HttpClient api, Guid tip, int count, string what) =>
        Eventually.Get(
            async () => (await api.GetFromJsonAsync<JsonElement>($"/api/tips/{tip}", Ct)).GetProperty("tip").GetProperty("outcomes").GetArrayLength() == count ? "so" : null,
            what);

    private static void AssertCountedOnceAsAdministrative(JsonElement resolvedByOutcome) =>
        Assert.Equal(
            (0, 1),
            (resolvedByOutcome.GetProperty("criminalCaseSolved").GetInt32(), resolvedByOutcome.GetProperty("administrativeViolationHandled").GetInt32()));

    private static async Task<JsonElement> StatisticsAsync(HttpClient api, int year, Func<JsonElement, bool> done, string what)
    {
        var figures = await Eventually.Get(
            async () =>
            {
                var body = await api.GetStringAsync($"/api/tips/stats?year={year}", Ct);
                return done(JsonDocument.Parse(body).RootElement) ? body : null;
            },
            what);
        return JsonDocument.Parse(figures).RootElement;
    }

    private static async Task<JsonElement> OkAsync(Task<HttpResponseMessage> sending)
    {
        using var response = await sending;
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(Ct)}");
        return await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
    }
}
