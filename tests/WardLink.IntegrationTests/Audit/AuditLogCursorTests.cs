using System.Text.Json;
using Marten;
using Marten.Services;
using WardLink.Audit;
using WardLink.Auditor;
using WardLink.EventSourcing;
using WardLink.IntegrationTests.Tips;
using WardLink.Testing;
using WardLink.Tips;

namespace WardLink.IntegrationTests.Audit;

/// <summary>
/// PostgreSQL hands out sequences as transactions append and the transactions commit in any order. An auditor
/// pages through the log with <c>after=</c> the last sequence it saw: an event whose transaction commits after a
/// later one's must still reach it, and a transaction that never commits must not stop the log for good.
/// </summary>
public sealed class AuditLogCursorTests(ServiceFixture<TipsService> tips) : IClassFixture<ServiceFixture<TipsService>>
{
    [Fact]
    public async Task A_reader_paging_on_from_the_last_sequence_it_saw_gets_an_event_committed_after_a_later_one()
    {
        var client = tips.CreateClient();
        await client.ReceiveAsync();
        var seen = await PageAsync(client, 0);

        // An append that holds its sequence in an open transaction while a tip commits after it.
        await using (var held = await HoldAppendAsync())
        {
            await client.ReceiveAsync();
            seen.AddRange(await PageAsync(client, seen[^1]));
            Assert.DoesNotContain(held.Sequence, seen);
            await held.Transaction.CommitAsync(TestContext.Current.CancellationToken);
        }

        await client.ChainedAsync(TipsService.Name);
        seen.AddRange(await PageAsync(client, seen[^1]));
        Assert.Equal(await StoredAsync(), seen);
    }

    [Fact]
    public async Task A_sequence_whose_transaction_never_commits_holds_the_log_back_only_until_the_store_gives_up_on_it()
    {
        var client = tips.CreateClient();
        long abandoned;
        await using (var held = await HoldAppendAsync())
        {
            abandoned = held.Sequence;
            await held.Transaction.RollbackAsync(TestContext.Current.CancellationToken);
        }

        await client.ReceiveAsync();
        var stored = await StoredAsync();
        Assert.DoesNotContain(abandoned, stored);
        var after = stored.Where(sequence => sequence < abandoned).DefaultIfEmpty(0).Max();
        var served = await Eventually.Get(
            async () => await PageAsync(client, after) is { Count: > 0 } page && page[^1] == stored[^1] ? page : null,
            "the log to go on past a sequence that was never committed");
        Assert.Equal(stored.Where(sequence => sequence > after), served);
    }

    private async Task<HeldAppend> HoldAppendAsync()
    {
        var store = tips.StoreOf(nameof(TipsService));
        var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        var transaction = await connection.BeginTransactionAsync(TestContext.Current.CancellationToken);
        await using (var session = store.LightweightSession(SessionOptions.ForTransaction(transaction)))
        {
            var id = Guid.CreateVersion7();
            session.Events.StartStream(id, new NumberReserved("AUDIT-HELD", id));
            await session.SaveChangesAsync(TestContext.Current.CancellationToken);
        }

        await using var command = new Npgsql.NpgsqlCommand("select max(seq_id) from mt_events", connection, transaction);
        return new HeldAppend(connection, transaction, (long)(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken))!);
    }

    private Task<List<long>> StoredAsync() =>
        tips.StoreOf(nameof(TipsService)).QueryAsync("select seq_id from mt_events order by seq_id", reader => reader.GetInt64(0));

    private static async Task<List<long>> PageAsync(HttpClient client, long after)
    {
        var text = await client.GetStringAsync($"/audit/{TipsService.Name}/log?after={after}", TestContext.Current.CancellationToken);
        return [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonSerializer.Deserialize<AuditEntry>(line, AuditorCommands.Json)!.Sequence)];
    }

    private sealed record HeldAppend(Npgsql.NpgsqlConnection Connection, Npgsql.NpgsqlTransaction Transaction, long Sequence) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Transaction.DisposeAsync();
            await Connection.DisposeAsync();
        }
    }
}
