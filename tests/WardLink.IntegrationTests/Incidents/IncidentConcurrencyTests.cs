using Marten;
using Microsoft.Extensions.DependencyInjection;
using WardLink.Domain;
using WardLink.Incidents;
using WardLink.ServiceDefaults;
using WardLink.Testing;
using IncidentReported = WardLink.Incidents.IncidentReported;

namespace WardLink.IntegrationTests.Incidents;

/// <summary>On a database of its own, so the case numbers of the year start at 1.</summary>
public sealed class IncidentCaseNumberTests(ServiceFixture<IncidentsService> incidents) : IClassFixture<ServiceFixture<IncidentsService>>
{
    [Fact]
    public async Task Concurrent_reports_get_distinct_gap_free_case_numbers()
    {
        var client = incidents.CreateClient();
        var year = WardTime.LocalYear(DateTimeOffset.UtcNow);

        // As many reports as the service handles at once: more would wait for admission, and on a
        // slow machine some be refused with 503 (AdmissionTests prove that refusal).
        var sent = new AdmissionOptions().MaxInFlight;
        var reports = await Task.WhenAll(Enumerable.Range(0, sent).Select(_ => Task.Run(() => client.ReportAsync())));

        var numbers = reports.Select(report => report.Body.GetProperty("caseNumber").GetString()!).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(Enumerable.Range(1, sent).Select(n => $"INC-QT-{year}-{n:0000}"), numbers);
        var store = incidents.Host.Services.GetRequiredService<IDocumentStore>();
        foreach (var (id, _, body) in reports)
        {
            var reported = Assert.IsType<IncidentReported>(Assert.Single(await store.EventsOfAsync(id)).Data);
            Assert.Equal(body.GetProperty("caseNumber").GetString(), reported.CaseNumber);
        }
    }
}
