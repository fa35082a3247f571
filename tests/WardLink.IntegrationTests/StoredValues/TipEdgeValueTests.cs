using System.Net;
using System.Net.Http.Json;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using WardLink.Contracts;
using WardLink.Contracts.Incidents;
using WardLink.Domain;
using WardLink.IntegrationTests.Tips;
using WardLink.Testing;
using WardLink.Tips;
using SecurityCategory = WardLink.Contracts.Tips.SecurityCategory;

namespace WardLink.IntegrationTests.StoredValues;

/// <summary>
/// The tips service at the edges (issue 16): pages past the bound, times without an offset or
/// outside the business-time window, years out of range, a referral to an incident tips never
/// heard of, and statistics over poison records written straight into the event store.
/// </summary>
public sealed class TipEdgeValueTests(ServiceFixture<TipsService> tips) : IClassFixture<ServiceFixture<TipsService>>
{
    private readonly HttpClient _client = tips.CreateClient();

    private Marten.IDocumentStore Store => tips.Host.Services.GetRequiredService<Marten.IDocumentStore>();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("/tips?page=2147483647", "page")]
    [InlineData("/api/tips?page=2147483647", "page")]
    [InlineData("/tips?page=10001", "page")]
    [InlineData("/tips?page=0", "page")]
    [InlineData("/tips?limit=2147483647", "limit")]
    [InlineData("/tips/sites?page=2147483647", "page")]
    [InlineData("/tips?receivedFrom=2024-05-02T21:40:00", "receivedFrom")]
    [InlineData("/tips?receivedFrom=2024-05-02", "receivedFrom")]
    [InlineData("/tips?receivedFrom=0001-01-01T00:00:00Z", "receivedFrom")]
    [InlineData("/tips?receivedTo=9999-12-31T23:59:59Z", "receivedTo")]
    [InlineData("/tips/stats?year=9998", "year")]
    [InlineData("/tips/stats?year=1", "year")]
    [InlineData("/tips/stats?year=1969", "year")]
    [InlineData("/tips/stats?year=2101", "year")]
    public async Task Edge_values_in_the_query_are_400_problems_naming_the_field(string path, string field) =>
        await (await _client.GetAsync(path, Ct)).AssertFieldErrorAsync(field);

    [Theory]
    [InlineData("/tips?page=10000&limit=200")]
    [InlineData("/tips/sites?page=10000&limit=500")]
    [InlineData("/tips?receivedFrom=1970-01-01T00:00:00Z&receivedTo=1970-01-01T07:00:00%2B07:00")]
    [InlineData("/tips/stats?year=2100")]
    public async Task The_last_page_and_times_at_the_window_s_edges_are_answered(string path) =>
        await (await _client.GetAsync(path, Ct)).AssertOkAsync();

    [Theory]
    [InlineData("9999-12-31T20:00:00Z")]
    [InlineData("2024-05-02T21:40:00")]
    [InlineData("2024-05-02")]
    [InlineData("0001-01-01T00:00:00Z")]
    [InlineData("1969-12-31T23:59:59Z")]
    [InlineData("2099-01-01T00:00:00+07:00")]
    public async Task A_tip_received_outside_the_window_or_without_an_offset_is_a_400_naming_receivedAt_and_stores_nothing(string receivedAt)
    {
        var before = await Store.CountEventsAsync();

        var response = await _client.PostAsJsonAsync("/tips", TipsApi.NewTip(receivedAt: receivedAt), Ct);

        await response.AssertFieldErrorAsync("receivedAt");
        Assert.Equal(before, await Store.CountEventsAsync());
    }

    [Fact]
    public async Task A_tip_received_on_the_first_day_of_the_window_is_numbered_in_its_local_year()
    {
        var id = await _client.ReceiveAsync(TipsApi.NewTip(receivedAt: "1970-01-01T00:00:00Z"));

        Assert.Equal("TIP-QT-1970-0001", ((TipReceived)(await Store.EventsOfAsync(id))[0]).Number);
    }

    [Fact]
    public async Task A_referral_to_an_incident_tips_has_not_heard_of_is_a_400_naming_it_and_one_it_has_heard_of_is_referred()
    {
        await using var bus = await TestBus.StartAsync(tips.VirtualHost);
        var tip = await _client.ReceiveAsync();
        await _client.AssessAsync(tip, "valuable");
        var incidentId = Guid.CreateVersion7();

        var unknown = await _client.PostAsJsonAsync($"/tips/{tip}/referral", new { incidentId }, Ct);

        await unknown.AssertFieldErrorAsync("incidentId");
        Assert.Equal(2, (await Store.EventsOfAsync(tip)).Count);

        await bus.PublishAsync(
            new IncidentReported(incidentId, "INC-2024-0042", IncidentClassification.Criminal, SecurityCategory.Theft, IncidentSource.Police, null, null, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow),
            NewId.NextGuid());
        await Eventually.Get(() => Store.KnownIncidentAsync(incidentId), "tips to learn the incident from IncidentReported");
        var known = await _client.PostAsJsonAsync($"/tips/{tip}/referral", new { incidentId }, Ct);

        await known.AssertOkAsync();
        var referred = Assert.IsType<TipReferred>((await Store.EventsOfAsync(tip))[^1]);
        Assert.Equal(incidentId, referred.IncidentId);
        Assert.False(referred.OpensNewIncident);
    }

    [Fact]
    public async Task Statistics_answer_over_poison_tips_written_straight_into_the_event_store()
    {
        // Other tests of the class share its store (a tip on the window's first day counts in its
        // first year), in whatever order they run: each year's count is checked as it grew.
        var edgeYears = new[] { 2030, WardTime.LastYear, WardTime.FirstYear };
        var before = new Dictionary<int, int>();
        foreach (var year in edgeYears)
        {
            before[year] = await ReceivedInAsync(year);
        }

        var place = new Place(null, "Eye hospital", null, null);
        await Store.AppendRawAsync<TipState>(Guid.CreateVersion7(), new TipReceived(Guid.CreateVersion7(), "TIP-2030-9001", (TipChannel)99, (SecurityCategory)99, "poison", place, new DateTimeOffset(2030, 6, 1, 0, 0, 0, TimeSpan.Zero), "test"));
        var farFuture = Guid.CreateVersion7();
        await Store.AppendRawAsync<TipState>(farFuture, new TipReceived(farFuture, "TIP-10000-0001", TipChannel.Hotline, SecurityCategory.Theft, "poison", place, DateTimeOffset.MaxValue.AddHours(-1), "test"));
        var yearOne = Guid.CreateVersion7();
        await Store.AppendRawAsync<TipState>(yearOne, new TipReceived(yearOne, "TIP-1-0002", TipChannel.Hotline, SecurityCategory.Theft, "poison", place, DateTimeOffset.MinValue.AddHours(1), "test"));

        foreach (var year in new[] { WardTime.FirstYear, 2026, 2030, WardTime.LastYear })
        {
            var stats = await _client.OkJsonAsync($"/tips/stats?year={year}");
            Assert.Equal(year, stats.GetProperty("year").GetInt32());
        }

        // 2030's poison, and the two outside the window, each in its nearest year (docs/api.md).
        foreach (var year in edgeYears)
        {
            Assert.Equal(before[year] + 1, await ReceivedInAsync(year));
        }

        await (await _client.GetAsync($"/tips/{farFuture}", Ct)).AssertOkAsync();
        await (await _client.GetAsync($"/tips/{yearOne}", Ct)).AssertOkAsync();
    }

    [Fact]
    public async Task A_tip_received_in_the_last_century_counts_in_its_own_year_not_in_the_first_year_of_the_century()
    {
        var (in1999, in2000) = (await ReceivedInAsync(1999), await ReceivedInAsync(2000));

        await _client.ReceiveAsync(TipsApi.NewTip(receivedAt: "1999-12-31T23:00:00+07:00"));

        Assert.Equal((in1999 + 1, in2000), (await ReceivedInAsync(1999), await ReceivedInAsync(2000)));
    }

    private async Task<int> ReceivedInAsync(int year) =>
        (await _client.OkJsonAsync($"/tips/stats?year={year}")).GetProperty("received").GetInt32();
}
