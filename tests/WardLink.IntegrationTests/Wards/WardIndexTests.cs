using System.Text.Json;
using Marten;
using Marten.Linq;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using WardLink.Domain;
using WardLink.EventSourcing;
using WardLink.EventSourcing.Wards;
using WardLink.IntegrationTests.Tips;
using WardLink.Testing;
using WardLink.Tips;

namespace WardLink.IntegrationTests.Wards;

/// <summary>One ward's statistics and lists read that ward's rows by index, however many wards share the table.</summary>
public sealed class WardIndexTests(ServiceFixture<TipsService> tips) : IClassFixture<ServiceFixture<TipsService>>
{
    [Fact]
    public async Task Every_duplicated_time_of_a_ward_s_rows_is_indexed_after_the_ward()
    {
        var store = tips.Host.Services.GetRequiredService<IDocumentStore>();
        await using var connection = new NpgsqlConnection(await tips.DatabaseOfAsync(nameof(TipsService)));
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand(
            "select indexdef from pg_indexes where schemaname = @schema and tablename = 'mt_doc_tiprow' and indexdef like '%(tenant_id, received_at)%'", connection);
        command.Parameters.AddWithValue("schema", store.Options.DatabaseSchemaName);

        Assert.NotNull(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken));
    }

    /// <summary>
    /// The home ward holds nearly all of the table, this year; the year before, it holds 20 rows and another ward 2,000.
    /// Counting the home ward's year before reads its 20 rows, not every ward's rows of that year filtered by ward
    /// (what PostgreSQL did with separate conditions on the ward and the time, taking the time's own index).
    /// </summary>
    [Fact]
    public async Task A_ward_that_holds_most_of_the_table_has_a_year_counted_from_its_own_rows_of_that_year()
    {
        var ct = TestContext.Current.CancellationToken;
        var store = tips.Host.Services.GetRequiredService<IDocumentStore>();
        var wards = tips.Host.Services.GetRequiredService<WardTenants>();
        using var client = tips.CreateClient();
        await client.ReceiveAsync();
        var year = WardTime.LocalYear(DateTimeOffset.UtcNow) - 1;
        var midYear = WardTime.LocalYearSpan(year).Start.AddMonths(6);
        await using var connection = new NpgsqlConnection(await tips.DatabaseOfAsync(nameof(TipsService)));
        await connection.OpenAsync(ct);
        await ExecuteAsync(
            connection,
            $"""
            insert into {store.Options.DatabaseSchemaName}.mt_doc_tiprow (tenant_id, id, data, mt_dotnet_type, mt_version, received_at)
            select copies.tenant, gen_random_uuid(), t.data, t.mt_dotnet_type, t.mt_version, copies.at
            from (select * from {store.Options.DatabaseSchemaName}.mt_doc_tiprow limit 1) t
            cross join lateral (
                select @home as tenant, now() as at from generate_series(1, 20000)
                union all select @home, @before from generate_series(1, 20)
                union all select 'another-ward', @before from generate_series(1, 2000)) copies;
            analyze {store.Options.DatabaseSchemaName}.mt_doc_tiprow
            """,
            ("home", wards.TenantOf(wards.Home)),
            ("before", midYear.ToUniversalTime()));

        await using var session = store.QuerySession();
        var command = session.Query<TipRow>().InShares([new WardShare(wards.Home, null)], wards, tip => tip.ReceivedAt, year).ToCommand(FetchType.FetchMany);
        command.CommandText = $"explain (analyze, format json) {command.CommandText}";
        command.Connection = connection;
        var plan = JsonDocument.Parse((string)(await command.ExecuteScalarAsync(ct))!).RootElement[0].GetProperty("Plan");

        Assert.Equal(20, RowsOf(plan, "Actual Rows"));
        Assert.True(RowsRead(plan) <= 20, $"Counting the ward's 20 rows of {year} read {RowsRead(plan)} rows of the table: {plan}");
    }

    /// <summary>What the plan's scans of the table returned (<paramref name="measure"/>), all nodes together.</summary>
    private static double RowsOf(JsonElement node, string measure) =>
        (node.TryGetProperty("Relation Name", out _) && node.TryGetProperty(measure, out var rows) ? rows.GetDouble() : 0)
        + (node.TryGetProperty("Plans", out var children) ? children.EnumerateArray().Sum(child => RowsOf(child, measure)) : 0);

    /// <summary>The rows the plan's scans read: those they returned and those their filters removed.</summary>
    private static double RowsRead(JsonElement plan) =>
        RowsOf(plan, "Actual Rows") + RowsOf(plan, "Rows Removed by Filter") + RowsOf(plan, "Rows Removed by Index Recheck");

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
    }
}
