using System.Globalization;
using Marten;
using WardLink.Contracts.Incidents;
using WardLink.Domain;
using WardLink.Incidents;
using WardLink.IntegrationTests.Incidents;
using WardLink.IntegrationTests.Patrols;
using WardLink.Patrols;
using WardLink.Testing;
using IncidentReported = WardLink.Incidents.IncidentReported;

namespace WardLink.IntegrationTests.Pipeline;

/// <summary>The real patrols and incidents services on one virtual host.</summary>
public sealed class PatrolsAndIncidents : ServiceGroup
{
    public HttpClient Patrols { get; private set; } = null!;

    public HttpClient Incidents { get; private set; } = null!;

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        Patrols = (await StartAsync<PatrolsService>(PatrolsService.Name)).CreateClient();
        Incidents = (await StartAsync<IncidentsService>(IncidentsService.Name)).CreateClient();
    }
}

public sealed class PatrolIncidentTests(PatrolsAndIncidents services) : IClassFixture<PatrolsAndIncidents>
{
    private IDocumentStore PatrolsStore => services.StoreOf(PatrolsService.Name);

    private IDocumentStore IncidentsStore => services.StoreOf(IncidentsService.Name);

    [Fact]
    public async Task An_observation_that_needs_an_incident_opens_it_in_incidents_and_incidents_at_the_site_feed_patrol_coverage()
    {
        var (routeId, site, _) = await services.Patrols.DefineRouteAsync(PatrolsStore);
        await using (var session = IncidentsStore.LightweightSession())
        {
            session.Store(site);
            await session.SaveChangesAsync(TestContext.Current.CancellationToken);
        }

        var (shiftId, etag) = await services.Patrols.StartShiftAsync(new { routeId, kind = "patrol", team = "police", members = PatrolRequests.Team });
        await services.Patrols.StepOkAsync($"/patrols/shifts/{shiftId}/observations", etag, new { description = "A fight at the Eye hospital gate.", severity = "high", needsIncident = true, siteId = site.Id });
        var observation = Assert.IsType<ObservationReported>((await PatrolsStore.EventsOfAsync(shiftId))[1].Data);
        var incidentId = observation.IncidentId!.Value;

        var opened = await Eventually.Get(
            async () => await IncidentsStore.EventsOfAsync(incidentId) is { Count: > 0 } events ? events : null,
            "the incident opened by the incidents service");
        var reported = Assert.IsType<IncidentReported>(Assert.Single(opened).Data);
        Assert.Equal((IncidentSource.Patrol, observation.ObservationId.ToString(), site.Id), (reported.Source, reported.SourceReference, reported.Place.SiteId));
        Assert.Equal("A fight at the Eye hospital gate.", reported.Description);

        // Incidents publishes IncidentReported; patrols keeps it and counts it in the site's coverage.
        var today = DateOnly.FromDateTime(observation.At.ToOffset(WardTime.Offset).DateTime).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        await Eventually.Get(
            async () => (await services.Patrols.GetJsonAsync($"/patrols/coverage?from={today}&to={today}&siteId={site.Id}")).GetProperty("incidents").GetInt32() == 1 ? "counted" : null,
            "the incident in the site's coverage");
        await using var query = PatrolsStore.QuerySession();
        var seen = await query.LoadAsync<SiteIncident>(incidentId, TestContext.Current.CancellationToken);
        Assert.Equal((reported.CaseNumber, (Guid?)site.Id, IncidentClassification.Other), (seen!.CaseNumber, seen.SiteId, seen.Classification));
    }
}
