using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
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
    private const int ProvinceWards = 100;
    private const int RowsEach = 3;

    [Fact]
    public async Task Every_time_of_a_ward_s_rows_is_indexed_after_the_ward_to_the_tick_and_not_alone()
    {
        var store = tips.Host.Services.GetRequiredService<IDocumentStore>();
        await using var connection = new NpgsqlConnection(await tips.DatabaseOfAsync(nameof(TipsService)));
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand(
            "select array_agg(indexdef) filter (where indexdef like '%(tenant_id, %' || @ticks || '((data ->> ''receivedAt''::text)))'), " +
            "array_agg(indexdef) filter (where indexdef like '%receivedAt%' and indexdef not like '%(tenant_id, %') " +
            "from pg_indexes where schemaname = @schema and tablename = 'mt_doc_tiprow'",
            connection);
        command.Parameters.AddWithValue("schema", store.Options.DatabaseSchemaName);
        command.Parameters.AddWithValue("ticks", ExactTimes.Function);
        await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        await reader.ReadAsync(TestContext.Current.CancellationToken);

        Assert.Single(reader.GetFieldValue<string[]>(0));
        Assert.True(reader.IsDBNull(1), $"An index of the time alone: {(reader.IsDBNull(1) ? null : string.Join("; ", reader.GetFieldValue<string[]>(1)))}");
    }

    /// <summary>
    /// The home ward holds nearly all of the table, all of it this year but 20 rows of the year before, in which another
    /// ward holds 2,000; a province of 100 wards holds 3 rows each this year. Counting the home ward's year before reads
    /// its 20 rows, and the province's year its 300, by the ward's index: not the year's rows of every ward filtered by
    /// ward (what PostgreSQL did taking the time's own index, for the home ward because it took the ward and the time
    /// for independent, for the province because each ward's share was a condition of its own), whether the statement
    /// is planned for its values or once for any (a prepared statement's generic plan).
    /// </summary>
    [Fact]
    public async Task A_statistic_reads_only_its_wards_rows_of_its_year_when_one_ward_holds_most_of_the_table()
    {
        var ct = TestContext.Current.CancellationToken;
        var store = tips.Host.Services.GetRequiredService<IDocumentStore>();
        var wards = tips.Host.Services.GetRequiredService<WardTenants>();
        var year = WardTime.LocalYear(DateTimeOffset.UtcNow);
        var yearBefore = WardTime.LocalYearSpan(year - 1).Start.AddMonths(6);
        var now = DateTimeOffset.UtcNow;
        string[] province = [.. Enumerable.Range(1, ProvinceWards).Select(ward => $"index-province-{ward}")];
        await using var connection = new NpgsqlConnection(await tips.DatabaseOfAsync(nameof(TipsService)));
        await connection.OpenAsync(ct);
        await FillAsync(
            connection,
            store.Options.DatabaseSchemaName,
            [(wards.TenantOf(wards.Home), now, 20_000), (wards.TenantOf(wards.Home), yearBefore, 20), ("index-another-ward", yearBefore, 2_000), .. province.Select(ward => (ward, now, RowsEach))]);

        await using var session = store.QuerySession();
        (string Name, WardShare[] Shares, int Year, int Rows)[] statistics =
        [
            ("home", [new WardShare(wards.Home, null)], year - 1, 20),
            ("province", [.. province.Select(ward => new WardShare(ward, null))], year, ProvinceWards * RowsEach),
        ];
        foreach (var planning in new[] { "force_custom_plan", "force_generic_plan" })
        {
            foreach (var (name, shares, counted, rows) in statistics)
            {
                var query = session.Query<TipRow>().InShares(shares, wards, tip => tip.ReceivedAt, counted).ToCommand(FetchType.FetchMany);
                var plan = await PlanAsync(connection, query, $"{name}_{planning}", planning, ct);

                Assert.Equal(rows, plan.GetProperty("Actual Rows").GetDouble());
                Assert.True(RowsRead(plan) <= 2 * rows, $"Counting the {name}'s {rows} rows read {RowsRead(plan)} rows or index entries ({planning}): {plan.ToString()[..Math.Min(plan.ToString().Length, 3000)]}");
            }
        }
    }

    /// <summary>The first tip's list row copied: for each of <paramref name="copies"/>, its count of times into its ward at its time (as JSON writes it).</summary>
    private async Task FillAsync(NpgsqlConnection connection, string schema, IReadOnlyList<(string Tenant, DateTimeOffset At, int Count)> copies)
    {
        using var client = tips.CreateClient();
        await client.ReceiveAsync();
        await using var fill = new NpgsqlCommand(
            $"""
            insert into {schema}.mt_doc_tiprow (tenant_id, id, data, mt_dotnet_type, mt_version)
            select copies.tenant, gen_random_uuid(), jsonb_set(t.data, array['receivedAt'], to_jsonb(copies.at)), t.mt_dotnet_type, t.mt_version
            from (select * from {schema}.mt_doc_tiprow limit 1) t
            cross join lateral (
                select c.tenant, c.at from unnest(@tenants, @ats, @counts) as c(tenant, at, n) cross join lateral generate_series(1, c.n)) copies;
            analyze {schema}.mt_doc_tiprow
            """,
            connection);
        fill.Parameters.AddWithValue("tenants", copies.Select(copy => copy.Tenant).ToArray());
        fill.Parameters.AddWithValue("ats", copies.Select(copy => JsonSerializer.Deserialize<string>(JsonSerializer.Serialize(copy.At))!).ToArray());
        fill.Parameters.AddWithValue("counts", copies.Select(copy => copy.Count).ToArray());
        await fill.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>
    /// What PostgreSQL did to run <paramref name="query"/> (Marten's parameters <c>:p0</c>, <c>:p1</c>, …) as a prepared statement,
    /// planned as <paramref name="planning"/> says. The statement is prepared from a <c>do</c> block: a <c>prepare</c> sent as a
    /// statement of its own would have its <c>$1</c> taken for a parameter of that statement.
    /// </summary>
    private static async Task<JsonElement> PlanAsync(NpgsqlConnection connection, NpgsqlCommand query, string name, string planning, CancellationToken ct)
    {
        var positional = Regex.Replace(query.CommandText, @"(?<!:):p(\d+)\b", named => $"${int.Parse(named.Groups[1].Value, CultureInfo.InvariantCulture) + 1}");
        await using (var prepare = new NpgsqlCommand($"set plan_cache_mode = {planning}; do $prepare$ begin execute 'prepare {name}({string.Join(", ", query.Parameters.Select(TypeOf))}) as ' || {Quoted(positional)}; end $prepare$", connection))
        {
            await prepare.ExecuteNonQueryAsync(ct);
        }

        await using var explain = new NpgsqlCommand($"explain (analyze, format json) execute {name}({string.Join(", ", query.Parameters.Select(LiteralOf))})", connection);
        return JsonDocument.Parse((string)(await explain.ExecuteScalarAsync(ct))!).RootElement[0].GetProperty("Plan");
    }

    /// <summary>The type PostgreSQL declares a statement's parameter of (what the statistics' queries take).</summary>
    private static string TypeOf(NpgsqlParameter parameter) => parameter.Value switch
    {
        string[] => "text[]",
        long => "bigint",
        string => "text",
        var other => throw new NotSupportedException($"A parameter of {other?.GetType()}"),
    };

    /// <summary>A parameter's value written into the statement (an <c>execute</c> under <c>explain</c> takes no parameters of its own).</summary>
    private static string LiteralOf(NpgsqlParameter parameter) => parameter.Value switch
    {
        string[] texts => $"array[{string.Join(", ", texts.Select(Quoted))}]::text[]",
        long ticks => ticks.ToString(CultureInfo.InvariantCulture),
        string text => Quoted(text),
        var other => throw new NotSupportedException($"A parameter of {other?.GetType()}"),
    };

    private static string Quoted(string text) => $"'{text.Replace("'", "''", StringComparison.Ordinal)}'";

    /// <summary>
    /// The rows and index entries the plan's scans read, all nodes together: what each index scan found and its filter
    /// removed, each sequential scan's rows, and what a heap scan's filter or recheck removed, in all their loops.
    /// </summary>
    private static double RowsRead(JsonElement node)
    {
        double Of(string measure) => node.TryGetProperty(measure, out var rows) ? rows.GetDouble() : 0;
        var scanned = node.TryGetProperty("Index Name", out _) || node.GetProperty("Node Type").GetString() == "Seq Scan" ? Of("Actual Rows") : 0;
        var read = (scanned + Of("Rows Removed by Filter") + Of("Rows Removed by Index Recheck")) * Math.Max(1, Of("Actual Loops"));
        return read + (node.TryGetProperty("Plans", out var children) ? children.EnumerateArray().Sum(RowsRead) : 0);
    }
}
