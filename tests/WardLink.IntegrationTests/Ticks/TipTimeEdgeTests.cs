using CsCheck;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using WardLink.EventSourcing;
using WardLink.IntegrationTests.StoredValues;
using WardLink.IntegrationTests.Tips;
using WardLink.Testing;
using WardLink.Tips;

namespace WardLink.IntegrationTests.Ticks;

/// <summary>
/// Tips to the tick (<see cref="TickEdges"/>): the statistics count a tip in the local year it was received in, the list's
/// <c>receivedFrom</c>/<c>receivedTo</c> hold it to the tick, and the store reads every stored time's text as its own ticks.
/// </summary>
public sealed class TipTimeEdgeTests(ServiceFixture<TipsService> tips) : IClassFixture<ServiceFixture<TipsService>>
{
    private readonly HttpClient _client = tips.CreateClient();

    [Fact]
    public async Task A_stored_time_reads_as_its_own_ticks_whatever_its_offset_and_decimals()
    {
        var ct = TestContext.Current.CancellationToken;
        var store = tips.Host.Services.GetRequiredService<IDocumentStore>();
        await using var connection = new NpgsqlConnection(await tips.DatabaseOfAsync(nameof(TipsService)));
        await connection.OpenAsync(ct);
        var anyTime = Gen.Long[DateTimeOffset.MinValue.UtcTicks + TimeSpan.TicksPerDay, DateTimeOffset.MaxValue.UtcTicks - TimeSpan.TicksPerDay];
        var anyOffset = Gen.Int[-14 * 60, 14 * 60].Select(minutes => TimeSpan.FromMinutes(minutes));
        var decimals = Gen.Int[0, 7].Select(kept => (long)Math.Pow(10, 7 - kept));

        await Gen.Select(anyTime, anyOffset, decimals).SampleAsync(
            async (ticks, offset, unit) =>
            {
                var at = new DateTimeOffset(ticks - (ticks % unit), TimeSpan.Zero).ToOffset(offset);
                await using var command = new NpgsqlCommand($"select {store.Options.DatabaseSchemaName}.{ExactTimes.Function}(@text)", connection);
                command.Parameters.AddWithValue("text", TickEdges.Stored(at));

                Assert.Equal(at.UtcTicks, (long)(await command.ExecuteScalarAsync(ct))!);
            },
            iter: 500,
            threads: 1);
    }

    [Fact]
    public async Task A_tip_received_at_either_side_of_a_local_year_s_end_counts_in_its_own_year()
    {
        await TickEdges.AssertEachCountedInItsYearAsync(
            async counted => (await _client.OkJsonAsync($"/tips/stats?year={counted}")).GetProperty("received").GetInt32(),
            (at, offset) => _client.ReceiveAsync(TipsApi.NewTip(receivedAt: TickEdges.Text(at, offset))));
    }

    [Fact]
    public async Task A_tip_is_listed_for_a_range_exactly_when_it_was_received_in_it_to_the_tick()
    {
        await TickEdges.AssertEachListedInRangeAsync(
            (at, offset) => _client.ReceiveAsync(TipsApi.NewTip(receivedAt: TickEdges.Text(at, offset))),
            (from, to, id) => _client.ListsAsync($"/tips?receivedFrom={from}&receivedTo={to}&limit=100", id));
    }
}
