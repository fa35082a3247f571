using Marten;
using Npgsql;
using WardLink.EventSourcing;
using WardLink.IntegrationTests.StoredValues;
using WardLink.IntegrationTests.Tips;
using WardLink.Testing;
using WardLink.Tips;

namespace WardLink.IntegrationTests.Ticks;

/// <summary>
/// A store from before times were compared to the tick: a ward's time copied into a timestamptz column of its own (Marten's
/// duplicated field, filled by casting the row's time, rounded to PostgreSQL's microseconds) and indexed after the ward.
/// Started on it, a service drops the copy, indexes the rows' own times, and counts and lists the rows stored before to the tick.
/// </summary>
public sealed class StoredBeforeTicksTests(ServiceGroup services) : IClassFixture<ServiceGroup>
{
    private const string Name = "tips-before-ticks";

    [Fact]
    public async Task Tips_stored_with_their_times_copied_to_the_microsecond_count_in_their_own_year_after_the_upgrade()
    {
        var first = await services.StartAsync<TipsService>(Name);
        var schema = services.StoreOf(Name).Options.DatabaseSchemaName;

        // The last tick of 1999 and of 2024 in the ward's time: their copies were the first instants of 2000 and 2025.
        var lastOf1999 = await first.CreateClient().ReceiveAsync(TipsApi.NewTip(receivedAt: "1999-12-31T23:59:59.9999999+07:00"));
        var lastOf2024 = await first.CreateClient().ReceiveAsync(TipsApi.NewTip(receivedAt: "2024-12-31T23:59:59.9999999+07:00"));
        await services.StopAsync(first);
        await ExecuteAsync(
            $"""
            drop index {schema}.mt_doc_tiprow_idx_ward_received_at;
            alter table {schema}.mt_doc_tiprow add column received_at timestamp with time zone;
            update {schema}.mt_doc_tiprow set received_at = {schema}.mt_immutable_timestamptz(data ->> 'receivedAt');
            create index mt_doc_tiprow_idx_ward_received_at on {schema}.mt_doc_tiprow (tenant_id, received_at);
            """);

        var client = (await services.StartAsync<TipsService>(Name)).CreateClient();

        foreach (var (year, received) in new[] { (1999, 1), (2000, 0), (2024, 1), (2025, 0) })
        {
            Assert.Equal((year, received), (year, (await client.OkJsonAsync($"/tips/stats?year={year}")).GetProperty("received").GetInt32()));
        }

        Assert.True(await client.ListsAsync("/tips?receivedFrom=1999-12-31T00:00:00%2B07:00&receivedTo=2000-01-01T00:00:00%2B07:00", lastOf1999));
        Assert.True(await client.ListsAsync("/tips?receivedFrom=2024-12-31T00:00:00%2B07:00&receivedTo=2025-01-01T00:00:00%2B07:00", lastOf2024));
        Assert.Equal(
            [$"(tenant_id, {ExactTimes.Function}((data ->> 'receivedAt'::text)))"],
            await QueryAsync(
                "select substring(indexdef from '\\(tenant_id.*') from pg_indexes where indexname = 'mt_doc_tiprow_idx_ward_received_at' " +
                "union all select column_name from information_schema.columns where table_name = 'mt_doc_tiprow' and column_name = 'received_at'"));
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(await services.DatabaseOfAsync(Name));
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
    }

    private async Task<List<string>> QueryAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(await services.DatabaseOfAsync(Name));
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        var found = new List<string>();
        while (await reader.ReadAsync(TestContext.Current.CancellationToken))
        {
            found.Add(reader.GetString(0));
        }

        return found;
    }
}
