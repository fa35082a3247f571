using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
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
}
