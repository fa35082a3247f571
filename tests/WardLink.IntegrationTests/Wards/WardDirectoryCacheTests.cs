using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Marten;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using WardLink.EventSourcing;
using WardLink.EventSourcing.Wards;
using WardLink.IntegrationTests.Tips;
using WardLink.Testing;
using WardLink.Tips;

namespace WardLink.IntegrationTests.Wards;

/// <summary>
/// The ward each request acts in is kept in memory (<see cref="WardDirectoryCache"/>), and never kept
/// past a change of the directory, whoever makes it: here an insider at the database, changing the home
/// ward's code, which every new tip's number shows. The change must reach the requests by the table's
/// notification (well before an entry's longest age), also when the service's listening connection was cut.
/// </summary>
public sealed class WardDirectoryCacheTests(ServiceFixture<TipsService> tips) : IClassFixture<ServiceFixture<TipsService>>
{
    private static readonly TimeSpan Heard = WardDirectoryCache.MaxAge / 2;

    private readonly HttpClient _client = tips.CreateClient();
    private readonly WardDirectoryCache _cache = tips.Host.Services.GetRequiredService<WardDirectoryCache>();

    [Fact]
    public async Task A_change_at_the_database_reaches_the_next_requests_by_its_notification()
    {
        await ListeningAsync();
        await SetCodeAsync("QT");
        await SeenAsync("QT");
        Assert.StartsWith("TIP-QT-", await NumberAsync(), StringComparison.Ordinal);

        await SetCodeAsync("QX");
        await SeenAsync("QX");
    }

    [Fact]
    public async Task A_change_while_the_listening_connection_is_down_is_read_from_the_database_at_once()
    {
        await ListeningAsync();
        await SetCodeAsync("QT");
        await SeenAsync("QT");

        // The test holds the directory's table, so the service cannot listen again (it installs the
        // table's trigger first), cuts its listening connection, and changes the code meanwhile.
        await using (var insider = await OpenAsync())
        {
            await using var transaction = await insider.BeginTransactionAsync(TestContext.Current.CancellationToken);
            await ExecuteAsync(insider, $"lock table {Table} in share row exclusive mode");
            await using (var terminate = new NpgsqlCommand($"select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and query = 'LISTEN {WardDirectoryCache.Channel}'", insider))
            {
                Assert.Equal(true, await terminate.ExecuteScalarAsync(TestContext.Current.CancellationToken));
            }

            await Eventually.Get(() => Task.FromResult(_cache.Listening ? null : "stopped"), "the service to find its listening connection cut");
            await ExecuteAsync(insider, UpdateCode("QY"));
            await transaction.CommitAsync(TestContext.Current.CancellationToken);
        }

        Assert.StartsWith("TIP-QY-", await NumberAsync(), StringComparison.Ordinal);
        await ListeningAsync();
        Assert.StartsWith("TIP-QY-", await NumberAsync(), StringComparison.Ordinal);
    }

    private string Table => tips.Host.Services.GetRequiredService<IDocumentStore>().Options.FindOrResolveDocumentType(typeof(KnownWard)).TableName.QualifiedName;

    private Task<string> ListeningAsync() =>
        Eventually.Get(() => Task.FromResult(_cache.Listening ? "listening" : null), "the service to listen for changes of its ward directory");

    /// <summary>Waits, well within an entry's longest age, until a new tip's number shows <paramref name="code"/>.</summary>
    private Task<string> SeenAsync(string code) =>
        Eventually.Get(async () => (await NumberAsync()).StartsWith($"TIP-{code}-", StringComparison.Ordinal) ? code : null, $"the code {code} in a new tip's number", Heard);

    private async Task SetCodeAsync(string code)
    {
        await using var insider = await OpenAsync();
        Assert.Equal(1, await ExecuteAsync(insider, UpdateCode(code)));
    }

    private string UpdateCode(string code) =>
        $"update {Table} set data = jsonb_set(data, '{{code}}', to_jsonb('{code}'::text)) where id = '{new HomeWard().Id}'";

    private async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(tips.Host.Services.GetRequiredService<IConfiguration>().GetConnectionString(EventStore.ConnectionName));
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        return connection;
    }

    private static async Task<int> ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
    }

    private async Task<string> NumberAsync()
    {
        var response = await _client.PostAsJsonAsync("/tips", TipsApi.NewTip(), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("number").GetString()!;
    }
}
