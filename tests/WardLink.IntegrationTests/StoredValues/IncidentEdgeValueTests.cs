using Microsoft.Extensions.DependencyInjection;
using WardLink.Contracts;
using WardLink.Domain;
using WardLink.Incidents;
using WardLink.Testing;
using IncidentClassification = WardLink.Contracts.Incidents.IncidentClassification;
using IncidentOutcome = WardLink.Contracts.Incidents.IncidentOutcome;
using IncidentSource = WardLink.Contracts.Incidents.IncidentSource;
using SecurityCategory = WardLink.Contracts.Tips.SecurityCategory;

namespace WardLink.IntegrationTests.StoredValues;

/// <summary>
/// The incidents service at the edges (issue 16): years and pages bounded, and the statistics and
/// the comparison over poison incidents written straight into the event store.
/// </summary>
public sealed class IncidentEdgeValueTests(ServiceFixture<IncidentsService> incidents) : IClassFixture<ServiceFixture<IncidentsService>>
{
    private readonly HttpClient _client = incidents.CreateClient();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("/incidents?page=2147483647", "page")]
    [InlineData("/incidents/stats?year=9998", "year")]
    [InlineData("/incidents/stats/compare?year=2024&compareWith=9998", "compareWith")]
    [InlineData("/incidents?from=2024-05-02T21:40:00", "from")]
    [InlineData("/incidents/sites?page=2147483647", "page")]
    public async Task Edge_values_in_the_query_are_400_problems_naming_the_field(string path, string field) =>
        await (await _client.GetAsync(path, Ct)).AssertFieldErrorAsync(field);

    [Fact]
    public async Task Statistics_and_the_comparison_answer_over_poison_incidents_written_straight_into_the_event_store()
    {
        var store = incidents.Host.Services.GetRequiredService<Marten.IDocumentStore>();
        var occurred = new DateTimeOffset(2024, 3, 1, 22, 0, 0, WardTime.Offset);
        var place = new Place(null, "Eye hospital", null, null);
        var poison = Guid.CreateVersion7();
        await store.AppendRawAsync<IncidentState>(
            poison,
            new IncidentReported(poison, "INC-2024-9001", IncidentClassification.Criminal, (SecurityCategory)99, "poison", place, occurred, (IncidentSource)99, null, occurred, "test"),
            new IncidentResolved(poison, "INC-2024-9001", IncidentClassification.Criminal, (IncidentOutcome)99, null, [], new DateTimeOffset(9999, 12, 31, 23, 59, 59, TimeSpan.Zero), "test"));
        var endOfTime = Guid.CreateVersion7();
        await store.AppendRawAsync<IncidentState>(
            endOfTime,
            new IncidentReported(endOfTime, "INC-10000-0001", IncidentClassification.Other, SecurityCategory.Other, "poison", place, DateTimeOffset.MaxValue, IncidentSource.Police, null, occurred, "test"));

        var stats = await _client.OkJsonAsync("/incidents/stats?year=2024");
        var comparison = await _client.OkJsonAsync("/incidents/stats/compare?year=2024&compareWith=2022");

        Assert.Equal(1, stats.GetProperty("total").GetInt32());
        Assert.Equal(1, comparison.GetProperty("totalChange").GetInt32());
        await _client.OkJsonAsync($"/incidents/stats?year={WardTime.LastYear}");
        await _client.OkJsonAsync($"/incidents/stats/compare?year={WardTime.FirstYear}&compareWith={WardTime.LastYear}");
    }
}
