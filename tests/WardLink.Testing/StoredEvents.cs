using Marten;
using Npgsql;
using Xunit;

namespace WardLink.Testing;

/// <summary>What a service's store holds, counted as an insider with database access would: every ward, every database.</summary>
public static class StoredEvents
{
    /// <summary>How many events the store holds, of every ward (tenant), in every database it keeps wards in.</summary>
    public static async Task<long> CountEventsAsync(this IDocumentStore store)
    {
        long count = 0;
        foreach (var database in await store.Storage.AllDatabases())
        {
            await using var connection = database.CreateConnection();
            await connection.OpenAsync(TestContext.Current.CancellationToken);
            await using var command = new NpgsqlCommand($"select count(*) from {store.Options.Events.DatabaseSchemaName}.mt_events", connection);
            count += (long)(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken))!;
        }

        return count;
    }

    /// <summary>How many events the store holds of each ward (by store tenant), in every database it keeps wards in.</summary>
    public static async Task<IReadOnlyDictionary<string, long>> CountEventsPerTenantAsync(this IDocumentStore store)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var database in await store.Storage.AllDatabases())
        {
            await using var connection = database.CreateConnection();
            await connection.OpenAsync(TestContext.Current.CancellationToken);
            await using var command = new NpgsqlCommand($"select tenant_id, count(*) from {store.Options.Events.DatabaseSchemaName}.mt_events group by tenant_id", connection);
            await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
            while (await reader.ReadAsync(TestContext.Current.CancellationToken))
            {
                counts[reader.GetString(0)] = counts.GetValueOrDefault(reader.GetString(0)) + reader.GetInt64(1);
            }
        }

        return counts;
    }
}
