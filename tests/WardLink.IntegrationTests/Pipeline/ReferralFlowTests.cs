using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using WardLink.Incidents;
using WardLink.IntegrationTests.Incidents;
using WardLink.IntegrationTests.Tips;
using WardLink.Testing;
using WardLink.Tips;

namespace WardLink.IntegrationTests.Pipeline;

/// <summary>The tips and incidents services on one broker, started once for the class.</summary>
public sealed class TipsAndIncidents : ServiceGroup
{
    public HttpClient Tips { get; private set; } = null!;

    public HttpClient Incidents { get; private set; } = null!;

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        Tips = (await StartAsync<TipsService>(TipsService.Name)).CreateClient();
        Incidents = (await StartAsync<IncidentsService>(IncidentsService.Name)).CreateClient();
    }
}

/// <summary>The whole linkage of a tip to a case, through the broker.</summary>
public sealed class ReferralFlowTests(TipsAndIncidents services) : IClassFixture<TipsAndIncidents>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>
    /// A tip an officer linked to an incident before the tip's referral to that incident came (the tips probe: its referral's own
    /// link removed, an officer's link made, the tip referred to the incident again) is referred nowhere once that link is removed,
    /// as when the link its referral made is: the tip and the incident agree, and the tip may be referred anew. It stayed referred
    /// to an incident that no longer linked it, and every new referral of it was a 409.
    /// </summary>
    [Fact]
    public async Task A_tip_an_officer_linked_before_its_referral_came_is_referred_nowhere_once_that_link_is_removed()
    {
        var (tips, incidents) = (services.Tips, services.Incidents);
        var tipId = await tips.ReceiveAsync(TipsApi.NewTip(receivedAt: "2023-06-01T20:00:00+07:00"));
        Assert.Equal(HttpStatusCode.OK, (await tips.AssessAsync(tipId, "valuable")).StatusCode);
        var (incidentId, etag, _) = await incidents.ReportAsync(IncidentRequests.Report(occurredAt: "2023-06-01T19:30:00+07:00"));
        etag = await incidents.StepOkAsync($"/incidents/{incidentId}/tips", etag, new { tipId });

        var referral = await Eventually.Get(
            async () => await tips.PostAsJsonAsync($"/tips/{tipId}/referral", new { incidentId }, Ct) is { StatusCode: HttpStatusCode.OK } referred ? referred : null,
            "the tip referred to the incident tips has heard of");
        Assert.Equal(incidentId, (await referral.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("incidentId").GetGuid());
        etag = await Eventually.Get(
            async () => await incidents.GetAsync($"/incidents/{incidentId}", Ct) is var read
                && (await read.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("timeline").EnumerateArray().Any(step => step.GetProperty("type").GetString() == "tipReferredOnLink")
                    ? read.Headers.ETag!.Tag : null,
            "the referral taking the officer's link as its own");

        await incidents.StepOkAsync($"/incidents/{incidentId}/tips/{tipId}", etag, method: HttpMethod.Delete);

        var withdrawn = await Eventually.Get(
            async () => await tips.ReadAsync(tipId) is var read && read.GetProperty("tip").GetProperty("incidentId").ValueKind == JsonValueKind.Null ? read.ToString() : null,
            "the tip's referral withdrawn");
        Assert.Equal("valuable", JsonDocument.Parse(withdrawn).RootElement.GetProperty("tip").GetProperty("verdict").GetString());
        using var again = await tips.PostAsJsonAsync($"/tips/{tipId}/referral", new { incidentId }, Ct);
        Assert.True(again.StatusCode == HttpStatusCode.OK, $"{again.StatusCode}: {await again.Content.ReadAsStringAsync(Ct)}");
    }

    [Fact]
    public async Task A_valuable_tip_referred_to_a_new_incident_that_is_solved_counts_as_a_criminal_case_it_contributed_to()
    {
        var (tips, incidents) = (services.Tips, services.Incidents);

        // A hotline tip, judged valuable and referred to a new incident.
        var received = await tips.PostAsJsonAsync("/tips", new
        {
            channel = "hotline",
            category = "theft",
            description = "Two men forcing motorbike locks in the Obstetrics hospital car park at night.",
            place = new { description = "Obstetrics hospital car park" },
            receivedAt = "2024-03-14T21:40:00+07:00",
        }, Ct);
        Assert.Equal(HttpStatusCode.Created, received.StatusCode);
        var tipId = (await received.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetGuid();
        Assert.Equal(HttpStatusCode.OK, (await tips.PostAsJsonAsync($"/tips/{tipId}/assessments", new { verdict = "valuable", reason = "Precise time and place" }, Ct)).StatusCode);
        var referred = await tips.PostAsJsonAsync($"/tips/{tipId}/referral", new { }, Ct);
        Assert.Equal(HttpStatusCode.OK, referred.StatusCode);

        // Incidents opens the incident from TipReferred, sourced from the tip.
        var opened = await Eventually.Get(
            async () =>
            {
                var list = await incidents.GetFromJsonAsync<JsonElement>("/incidents?source=tip", Ct);
                return list.GetProperty("items").EnumerateArray().Select(item => item.ToString()).FirstOrDefault();
            },
            "the incident opened from the referral");
        var incident = JsonDocument.Parse(opened).RootElement;
        var incidentId = incident.GetProperty("id").GetGuid();
        Assert.StartsWith("INC-", incident.GetProperty("caseNumber").GetString(), StringComparison.Ordinal);

        // The police investigate and solve it as a criminal case.
        var assigned = await Step(incidents, incidentId, "assign", new { unit = "Quảng Thắng ward police" });
        await Step(incidents, incidentId, "resolve", new { outcome = "criminalCaseSolved", summary = "Two suspects arrested" }, assigned);

        // Tips records the outcome on the tip, and the year's statistics count the case.
        var counted = await Eventually.Get(
            async () => await tips.GetFromJsonAsync<JsonElement>("/tips/stats?year=2024", Ct) is var year
                && year.GetProperty("criminalCasesContributed").GetInt32() == 1 ? year.ToString() : null,
            "the tip statistics to count the solved case");
        var stats = JsonDocument.Parse(counted).RootElement;
        Assert.Equal(0, stats.GetProperty("administrativeViolationsContributed").GetInt32());
        Assert.Equal(1, stats.GetProperty("referred").GetInt32());

        var tip = await tips.GetFromJsonAsync<JsonElement>($"/tips/{tipId}", Ct);
        var outcome = Assert.Single(tip.GetProperty("tip").GetProperty("outcomes").EnumerateArray());
        Assert.Equal(incidentId, outcome.GetProperty("incidentId").GetGuid());
        Assert.Equal("criminalCaseSolved", outcome.GetProperty("outcome").GetString());
    }

    /// <summary>Posts one lifecycle step under If-Match; returns the new ETag.</summary>
    private static async Task<string> Step(HttpClient incidents, Guid id, string step, object body, string? etag = null)
    {
        etag ??= (await incidents.GetAsync($"/incidents/{id}", Ct)).Headers.ETag!.Tag;
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/incidents/{id}/{step}") { Content = JsonContent.Create(body) };
        request.Headers.TryAddWithoutValidation("If-Match", etag);
        var response = await incidents.SendAsync(request, Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{step}: {response.StatusCode} {await response.Content.ReadAsStringAsync(Ct)}");
        return response.Headers.ETag!.Tag;
    }
}
