using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using WardLink.Incidents;
using WardLink.Testing;

namespace WardLink.IntegrationTests.Incidents;

/// <summary>
/// The statistics of a known data set: the 2022 baseline of the programme (22 incidents, 13 of
/// them criminal offences) and a 2024 in which 8 criminal cases were solved and 5 administrative
/// violations handled, on a database of their own.
/// </summary>
public sealed class IncidentStatisticsTests(IncidentStatisticsTests.KnownYears data) : IClassFixture<IncidentStatisticsTests.KnownYears>
{
    [Fact]
    public async Task The_2022_baseline_is_reproduced_in_local_time()
    {
        var stats = await data.Client.GetFromJsonAsync<JsonElement>("/incidents/stats?year=2022", TestContext.Current.CancellationToken);

        Assert.Equal(2022, stats.GetProperty("year").GetInt32());
        Assert.Equal(22, stats.GetProperty("total").GetInt32());
        AssertCounts(stats.GetProperty("byClassification"), ("criminal", 13), ("administrative", 4), ("publicOrder", 3), ("traffic", 2), ("other", 0));
        AssertCounts(stats.GetProperty("byCategory"), ("theft", 8), ("drugs", 3), ("violence", 2), ("other", 4), ("publicOrder", 3), ("traffic", 2), ("fraud", 0));
        AssertCounts(stats.GetProperty("bySource"), ("tip", 12), ("patrol", 6), ("police", 4), ("partner", 0));
        AssertCounts(stats.GetProperty("bySite"), (data.Site.ToString(), 5));
        Assert.Equal(17, stats.GetProperty("withoutSite").GetInt32());
        var hours = stats.GetProperty("byHourOfDay").EnumerateArray().Select(hour => hour.GetInt32()).ToList();
        Assert.Equal(24, hours.Count);
        Assert.Equal(10, hours[22]);
        Assert.Equal(11, hours[9]);
        Assert.Equal(1, hours[23]);
        Assert.Equal(22, hours.Sum());
        AssertCounts(stats.GetProperty("resolvedByOutcome"), ("criminalCaseSolved", 0), ("unfounded", 0));
        Assert.Equal(JsonValueKind.Null, stats.GetProperty("medianHoursToResolution").ValueKind);
    }

    [Fact]
    public async Task The_2024_outcomes_and_median_time_to_resolution_are_counted()
    {
        var stats = await data.Client.GetFromJsonAsync<JsonElement>("/api/incidents/stats?year=2024", TestContext.Current.CancellationToken);

        Assert.Equal(14, stats.GetProperty("total").GetInt32());
        AssertCounts(stats.GetProperty("byClassification"), ("criminal", 9), ("administrative", 5));
        AssertCounts(stats.GetProperty("resolvedByOutcome"), ("criminalCaseSolved", 8), ("administrativeViolationHandled", 5), ("unfounded", 0), ("referredElsewhere", 0));
        Assert.Equal(7, stats.GetProperty("medianHoursToResolution").GetDouble());
    }

    [Fact]
    public async Task Two_years_are_compared_in_one_call()
    {
        var comparison = await data.Client.GetFromJsonAsync<JsonElement>("/incidents/stats/compare?year=2024&compareWith=2022", TestContext.Current.CancellationToken);

        Assert.Equal(2024, comparison.GetProperty("year").GetProperty("year").GetInt32());
        Assert.Equal(2022, comparison.GetProperty("comparedWith").GetProperty("year").GetInt32());
        Assert.Equal(-8, comparison.GetProperty("totalChange").GetInt32());
        Assert.Equal(-36.4, comparison.GetProperty("totalChangePercent").GetDouble());
        Assert.Equal(1, (await data.Client.GetFromJsonAsync<JsonElement>("/incidents/stats?year=2023", TestContext.Current.CancellationToken)).GetProperty("total").GetInt32());
    }

    [Theory]
    [InlineData("/incidents/stats")]
    [InlineData("/incidents/stats?year=12")]
    [InlineData("/incidents/stats/compare?year=2024")]
    public async Task A_missing_or_impossible_year_is_a_400_problem(string query)
    {
        var response = await data.Client.GetAsync(query, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    private static void AssertCounts(JsonElement counts, params (string Key, int Count)[] expected)
    {
        foreach (var (key, count) in expected)
        {
            Assert.True(counts.TryGetProperty(key, out var actual), $"no '{key}' in {counts}");
            Assert.True(actual.GetInt32() == count, $"{key}: expected {count}, got {actual.GetInt32()}");
        }
    }

    /// <summary>Reports the data set through the API once for the class.</summary>
    public sealed class KnownYears : ServiceFixture<IncidentsService>
    {
        public HttpClient Client { get; private set; } = null!;

        public Guid Site { get; private set; }

        public override async ValueTask InitializeAsync()
        {
            await base.InitializeAsync();
            Client = CreateClient();
            Site = (await Host.Services.GetRequiredService<IDocumentStore>().KnowSiteAsync("Endocrinology hospital")).Id;
            for (var i = 0; i < 22; i++)
            {
                var (classification, category) = i switch
                {
                    < 8 => ("criminal", "theft"),
                    < 11 => ("criminal", "drugs"),
                    < 13 => ("criminal", "violence"),
                    < 17 => ("administrative", "other"),
                    < 20 => ("publicOrder", "publicOrder"),
                    _ => ("traffic", "traffic"),
                };
                var source = i switch { < 12 => "tip", < 18 => "patrol", _ => "police" };
                // The last one occurred at 23:30 local on New Year's Eve: 16:30 UTC, still 2022 in the ward.
                var occurredAt = i == 21 ? "2022-12-31T23:30:00+07:00" : $"2022-{(i % 12) + 1:00}-10T{(i < 10 ? 22 : 9):00}:00:00+07:00";
                object? place = i < 5 ? new { siteId = Site } : null;
                await Client.ReportAsync(IncidentRequests.Report(classification, category, place, occurredAt, source));
            }

            // 00:30 local on 1 January 2023 is 17:30 UTC on 31 December 2022: a 2023 incident.
            await Client.ReportAsync(IncidentRequests.Report(occurredAt: "2023-01-01T00:30:00+07:00"));

            for (var i = 0; i < 13; i++)
            {
                var occurredAt = new DateTimeOffset(2024, (i % 12) + 1, 5, 21, 30, 0, TimeSpan.FromHours(7));
                var (id, etag, _) = await Client.ReportAsync(IncidentRequests.Report(
                    i < 8 ? "criminal" : "administrative", i < 8 ? "theft" : "other", occurredAt: occurredAt.ToString("O", System.Globalization.CultureInfo.InvariantCulture), source: "tip"));
                etag = await Client.StepOkAsync($"/incidents/{id}/assign", etag, new { unit = "Ward police" });
                await Client.StepOkAsync($"/incidents/{id}/resolve", etag, new
                {
                    outcome = i < 8 ? "criminalCaseSolved" : "administrativeViolationHandled",
                    resolvedAt = occurredAt.AddHours(i + 1),
                });
            }

            await Client.ReportAsync(IncidentRequests.Report("criminal", "drugs", occurredAt: "2024-11-20T22:10:00+07:00"));
        }
    }
}
