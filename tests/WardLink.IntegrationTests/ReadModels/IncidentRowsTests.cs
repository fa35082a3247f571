using Marten;
using Microsoft.Extensions.DependencyInjection;
using WardLink.Contracts;
using WardLink.Domain;
using WardLink.Incidents;
using WardLink.IntegrationTests.StoredValues;
using WardLink.Testing;
using IncidentClassification = WardLink.Contracts.Incidents.IncidentClassification;
using IncidentOutcome = WardLink.Contracts.Incidents.IncidentOutcome;
using IncidentSource = WardLink.Contracts.Incidents.IncidentSource;
using SecurityCategory = WardLink.Contracts.Tips.SecurityCategory;

namespace WardLink.IntegrationTests.ReadModels;

/// <summary>The incident statistics as the database counts them from <see cref="IncidentRow"/>s, on a database of their own.</summary>
public sealed class IncidentRowsTests(ServiceFixture<IncidentsService> incidents) : IClassFixture<ServiceFixture<IncidentsService>>
{
    private static readonly Guid SiteId = Guid.Parse("0193b5a0-0000-7000-8000-00000000a001");

    private readonly HttpClient _client = incidents.CreateClient();

    private int _numbers;

    private IDocumentStore Store => incidents.Host.Services.GetRequiredService<IDocumentStore>();

    [Fact]
    public async Task Statistics_count_by_local_time_and_take_the_median_time_to_resolution()
    {
        // 15:30 UTC is 22:30 in the ward.
        var occurred = new DateTimeOffset(2024, 3, 14, 15, 30, 0, TimeSpan.Zero);
        await ReportAsync(IncidentClassification.Criminal, new Place(SiteId, "Eye hospital gate", null, null), occurred);

        Assert.Equal(System.Text.Json.JsonValueKind.Null, (await _client.OkJsonAsync("/incidents/stats?year=2024")).GetProperty("medianHoursToResolution").ValueKind);

        await ReportAsync(IncidentClassification.Criminal, new Place(SiteId, "Eye hospital gate", null, null), occurred, (IncidentOutcome.CriminalCaseSolved, 2));
        await ReportAsync(IncidentClassification.Traffic, new Place(null, "Road", null, null), occurred, (IncidentOutcome.Unfounded, 10));
        var statistics = await _client.OkJsonAsync("/incidents/stats?year=2024");

        Assert.Equal(3, statistics.GetProperty("total").GetInt32());
        Assert.Equal(2, statistics.GetProperty("byClassification").GetProperty("criminal").GetInt32());
        Assert.Equal(1, statistics.GetProperty("byClassification").GetProperty("traffic").GetInt32());
        Assert.Equal(0, statistics.GetProperty("byClassification").GetProperty("publicOrder").GetInt32());
        Assert.Equal(3, statistics.GetProperty("byHourOfDay")[22].GetInt32());
        Assert.Equal(2, statistics.GetProperty("bySite").GetProperty(SiteId.ToString()).GetInt32());
        Assert.Equal(1, statistics.GetProperty("withoutSite").GetInt32());
        Assert.Equal(1, statistics.GetProperty("resolvedByOutcome").GetProperty("criminalCaseSolved").GetInt32());
        Assert.Equal(1, statistics.GetProperty("resolvedByOutcome").GetProperty("unfounded").GetInt32());
        Assert.Equal(6, statistics.GetProperty("medianHoursToResolution").GetDouble());
    }

    /// <summary>A median half-way between two hundredths is rounded as by hand, away from zero (docs/security.md), not to the even digit.</summary>
    [Fact]
    public async Task A_median_half_way_between_two_hundredths_is_rounded_away_from_zero()
    {
        var occurred = new DateTimeOffset(2023, 5, 2, 3, 0, 0, TimeSpan.Zero);
        await ReportAsync(IncidentClassification.Criminal, new Place(null, "Market", null, null), occurred, (IncidentOutcome.CriminalCaseSolved, 1));
        await ReportAsync(IncidentClassification.Criminal, new Place(null, "Market", null, null), occurred, (IncidentOutcome.CriminalCaseSolved, 1.25));

        Assert.Equal(1.13, (await _client.OkJsonAsync("/incidents/stats?year=2023")).GetProperty("medianHoursToResolution").GetDouble());
    }

    private async Task ReportAsync(IncidentClassification classification, Place place, DateTimeOffset occurred, (IncidentOutcome Outcome, double AfterHours)? resolution = null)
    {
        var id = Guid.CreateVersion7();
        var number = $"INC-2024-{Interlocked.Increment(ref _numbers):0000}";
        object[] reported = [new IncidentReported(id, number, classification, SecurityCategory.Theft, "seen", place, occurred, IncidentSource.Police, null, occurred, "test")];
        await Store.AppendRawAsync<IncidentState>(
            id,
            resolution is { } resolved
                ? [.. reported, new IncidentResolved(id, number, classification, resolved.Outcome, null, [], occurred.AddHours(resolved.AfterHours), "test")]
                : reported);
    }
}
