using Marten;
using Microsoft.Extensions.DependencyInjection;
using WardLink.Contracts;
using WardLink.Contracts.Incidents;
using WardLink.Contracts.Tips;
using WardLink.Domain;
using WardLink.IntegrationTests.StoredValues;
using WardLink.Testing;
using WardLink.Tips;
using TipOutcomeRecorded = WardLink.Tips.TipOutcomeRecorded;
using TipReferred = WardLink.Tips.TipReferred;

namespace WardLink.IntegrationTests.ReadModels;

/// <summary>The tip statistics as the database counts them from <see cref="TipRow"/>s, on a database of their own.</summary>
public sealed class TipRowsTests(ServiceFixture<TipsService> tips) : IClassFixture<ServiceFixture<TipsService>>
{
    private static readonly DateTimeOffset Received = new(2024, 5, 2, 21, 40, 0, WardTime.Offset);
    private static readonly Place Gate = new(null, "gate", null, null);

    private readonly HttpClient _client = tips.CreateClient();

    private IDocumentStore Store => tips.Host.Services.GetRequiredService<IDocumentStore>();

    [Fact]
    public async Task Statistics_count_distinct_cases_that_valuable_tips_contributed_to()
    {
        var incident = Guid.CreateVersion7();
        await SolvedAsync(incident, IncidentOutcome.CriminalCaseSolved);
        await SolvedAsync(incident, IncidentOutcome.CriminalCaseSolved);
        var pending = Guid.CreateVersion7();
        await Store.AppendRawAsync<TipState>(pending, ReceivedTip(pending));

        var statistics = await _client.OkJsonAsync("/tips/stats?year=2024");

        Assert.Equal(3, statistics.GetProperty("received").GetInt32());
        Assert.Equal(1, statistics.GetProperty("criminalCasesContributed").GetInt32());
        Assert.Equal(0, statistics.GetProperty("administrativeViolationsContributed").GetInt32());
        Assert.Equal(1, statistics.GetProperty("pending").GetInt32());
        Assert.Equal(2, statistics.GetProperty("referred").GetInt32());
        Assert.Equal(2, statistics.GetProperty("assessedByVerdict").GetProperty("valuable").GetInt32());
        Assert.Equal(3, statistics.GetProperty("receivedByChannel").GetProperty("hotline").GetInt32());

        // Every channel, category and verdict is named, 0 where there was none (as incidents' and partners' figures), so two
        // years line up.
        foreach (var (field, values, counted) in new[]
        {
            ("receivedByChannel", Enum.GetValues<TipChannel>().Distinct().Count(), 3),
            ("receivedByCategory", Enum.GetValues<SecurityCategory>().Distinct().Count(), 3),
            ("assessedByVerdict", Enum.GetValues<TipVerdict>().Distinct().Count(), 2),
        })
        {
            var counts = statistics.GetProperty(field).EnumerateObject().Select(count => count.Value.GetInt32()).ToList();
            Assert.True(counts.Count == values, $"{field}: {counts.Count} of {values} values named");
            Assert.Equal(counted, counts.Sum());
        }
    }

    [Fact]
    public async Task A_reopened_incident_takes_its_outcome_off_the_statistics_until_it_resolves_again()
    {
        var incident = Guid.CreateVersion7();
        var tip = await SolvedAsync(incident, IncidentOutcome.AdministrativeViolationHandled, 2023);
        Assert.Equal(1, (await _client.OkJsonAsync("/tips/stats?year=2023")).GetProperty("administrativeViolationsContributed").GetInt32());

        await using (var session = Store.LightweightSession())
        {
            session.Events.Append(tip, new TipOutcomeWithdrawn(tip, incident, Received.AddYears(-1).AddDays(2)));
            await session.SaveChangesAsync(TestContext.Current.CancellationToken);
        }

        var statistics = await _client.OkJsonAsync("/tips/stats?year=2023");
        Assert.Equal(0, statistics.GetProperty("administrativeViolationsContributed").GetInt32());
        Assert.Equal(1, statistics.GetProperty("referred").GetInt32());
        Assert.Equal(1, (await _client.OkJsonAsync("/tips?status=referred&receivedFrom=2023-01-01T00:00:00%2B07:00&receivedTo=2024-01-01T00:00:00%2B07:00")).GetProperty("total").GetInt32());
        Assert.Equal(0, (await _client.OkJsonAsync("/tips?status=resolved&receivedFrom=2023-01-01T00:00:00%2B07:00&receivedTo=2024-01-01T00:00:00%2B07:00")).GetProperty("total").GetInt32());
    }

    private async Task<Guid> SolvedAsync(Guid incident, IncidentOutcome outcome, int year = 2024)
    {
        var id = Guid.CreateVersion7();
        var received = Received.AddYears(year - Received.Year);
        await Store.AppendRawAsync<TipState>(
            id,
            ReceivedTip(id, received),
            new TipAssessed(id, TipVerdict.Valuable, null, "credible", received, "police-desk"),
            new TipReferred(id, "TIP-2024-0001", incident, false, SecurityCategory.Theft, "seen", Gate, received, received, "police-desk"),
            new TipOutcomeRecorded(id, incident, "INC-2024-0001", IncidentClassification.Criminal, outcome, received.AddDays(1)));
        return id;
    }

    private static TipReceived ReceivedTip(Guid id, DateTimeOffset? at = null) =>
        new(id, "TIP-2024-0001", TipChannel.Hotline, SecurityCategory.Theft, "seen", Gate, at ?? Received, "police-desk");
}
