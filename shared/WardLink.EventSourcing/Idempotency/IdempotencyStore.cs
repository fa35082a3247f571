using System.ComponentModel.DataAnnotations;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using WardLink.Domain;
using WardLink.EventSourcing.Wards;
using WardLink.ServiceDefaults;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace WardLink.EventSourcing.Idempotency;

/// <summary>How long answers are kept, how long a retry waits for the first request, how often expired ones go.</summary>
public sealed class IdempotencyOptions
{
    public const string Section = "Idempotency";

    /// <summary>How long a first answer is returned for retries (24 hours).</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "30.00:00:00")]
    public TimeSpan KeepFor { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How long a request waits for another one with the same key to finish before a 409 (10 s).</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:10:00")]
    public TimeSpan WaitFor { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often expired answers are deleted (hourly); an expired one is never returned meanwhile.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00")]
    public TimeSpan SweepEvery { get; set; } = TimeSpan.FromHours(1);
}

/// <summary>What a reservation found: the key was free (reserved now), kept for a request, or held by one in progress.</summary>
public enum Reservation
{
    Reserved,
    Kept,
    InProgress,
}

/// <summary>
/// The kept answers of requests sent with an <c>Idempotency-Key</c>, in the database of the request's ward
/// (<c>wardlink_idempotent_requests</c>, beside the event store, created with Marten's schema). A
/// row is reserved in the transaction the request's work runs in and completed with its answer
/// before that transaction commits, so a committed record always has its answer and a rolled-back
/// request leaves no trace. A second request with the same key waits on the first one's row (the
/// unique key), then finds its answer; or finds the key free again when the first one rolled back.
/// </summary>
public sealed class IdempotencyStore(IDocumentStore store, IOptions<IdempotencyOptions> options, TimeProvider clock, WardTenants tenants, WardDatabases databases)
{
    public const string TableName = "wardlink_idempotent_requests";

    /// <summary>The fingerprint of a request whose record's personal data was erased: it matches any body (no guess can be tested).</summary>
    public const string ForgottenFingerprint = "forgotten";

    private const string LockNotAvailable = "55P03";

    private string Table => $"{store.Options.Events.DatabaseSchemaName}.{TableName}";

    public IdempotencyOptions Options => options.Value;

    public static void AddTable(StoreOptions options)
    {
        var table = new Table(new PostgresqlObjectName(options.Events.DatabaseSchemaName, TableName, SchemaUtils.IdentifierUsage.General));
        table.AddColumn("id", "text").AsPrimaryKey();
        table.AddColumn("fingerprint", "text").NotNull();
        table.AddColumn("kept_at", "timestamp with time zone").NotNull();
        table.AddColumn("expires_at", "timestamp with time zone").NotNull();
        table.AddColumn("answer", "bytea");
        table.AddColumn("nonce", "bytea");
        table.AddColumn("tag", "bytea");
        table.AddColumn("record_id", "uuid");
        // Forgetting a record's requests (ForgetRequestsOf, ForgetAnswersOf) and the sweep of expired answers each find their rows
        // by an index, not by reading every answer the ward kept for its 24 hours inside the erasure's or deletion's transaction.
        table.Indexes.Add(new IndexDefinition($"ix_{TableName}_record_id") { Columns = ["record_id"], Predicate = "record_id is not null" });
        table.Indexes.Add(new IndexDefinition($"ix_{TableName}_expires_at") { Columns = ["expires_at"] });
        options.Storage.ExtendedSchemaObjects.Add(table);
    }

    /// <summary>
    /// Stages, in <paramref name="session"/>'s unit of work (committed with it, or not at all), forgetting the fingerprints of the keyed
    /// requests that created record <paramref name="recordId"/>: once its personal data is erased (a tipster's contact), a retry of
    /// such a key answers its kept answer whatever body it comes with, so neither the API (a 201 for the right guess, a 422 for any
    /// other) nor the table (a keyed hash of the body) can confirm a guess of what was erased.
    /// </summary>
    public static void ForgetRequestsOf(IDocumentSession session, Guid recordId) =>
        session.QueueSqlCommand($"UPDATE {session.DocumentStore.Options.Events.DatabaseSchemaName}.{TableName} SET fingerprint = ? WHERE record_id = ?", ForgottenFingerprint, recordId);

    /// <summary>
    /// Stages, in <paramref name="session"/>'s unit of work, forgetting the keyed requests that created record
    /// <paramref name="recordId"/> and their kept answers, for a record deleted whose answer holds a secret (a webhook's signing
    /// secret, replayed after its deletion for the key's 24 hours): the key is then free, and sent again it is a new request.
    /// </summary>
    public static void ForgetAnswersOf(IDocumentSession session, Guid recordId) =>
        session.QueueSqlCommand($"DELETE FROM {session.DocumentStore.Options.Events.DatabaseSchemaName}.{TableName} WHERE record_id = ?", recordId);

    /// <summary>
    /// A connection to the database that keeps <paramref name="ward"/>'s records (null: the service's default ward's), named
    /// by <see cref="DatabaseOf"/>: the work of a request kept in it enlists in this connection's transaction.
    /// </summary>
    public Task<NpgsqlConnection> OpenAsync(string? ward, CancellationToken ct) => OpenTenantAsync(TenantOf(ward), ct);

    /// <summary>The name of the database <see cref="OpenAsync(string?, CancellationToken)"/> opens for <paramref name="ward"/>.</summary>
    public string DatabaseOf(string? ward) => databases.DatabaseOfTenant(TenantOf(ward));

    private string TenantOf(string? ward) => ward is null ? WardTenants.DefaultTenant : tenants.TenantOf(ward);

    private async Task<NpgsqlConnection> OpenTenantAsync(string tenant, CancellationToken ct)
    {
        var connection = (await store.Storage.FindOrCreateDatabase(tenant)).CreateConnection();
        await connection.OpenAsync(ct);
        return connection;
    }

    /// <summary>
    /// Reserves <paramref name="id"/> in <paramref name="transaction"/> unless a live answer is kept
    /// for it (an expired one is taken over). Waits up to <see cref="IdempotencyOptions.WaitFor"/>
    /// for a request that holds it in progress; the wait alone is bounded, not the work after it.
    /// </summary>
    public async Task<Reservation> ReserveAsync(NpgsqlTransaction transaction, string id, string fingerprint, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await ExecuteAsync(transaction, $"SET LOCAL lock_timeout = {(long)Options.WaitFor.TotalMilliseconds}", ct);
        await using var reserve = new NpgsqlCommand(
            $"""
             INSERT INTO {Table} AS kept (id, fingerprint, kept_at, expires_at) VALUES (@id, @fingerprint, @now, @expires)
             ON CONFLICT (id) DO UPDATE SET fingerprint = excluded.fingerprint, kept_at = excluded.kept_at, expires_at = excluded.expires_at,
                 answer = NULL, nonce = NULL, tag = NULL, record_id = NULL
             WHERE kept.expires_at <= excluded.kept_at
             RETURNING id
             """,
            transaction.Connection,
            transaction);
        reserve.Parameters.AddWithValue("id", id);
        reserve.Parameters.AddWithValue("fingerprint", fingerprint);
        reserve.Parameters.AddWithValue("now", now);
        reserve.Parameters.AddWithValue("expires", now + Options.KeepFor);
        try
        {
            if (await reserve.ExecuteScalarAsync(ct) is null)
            {
                return Reservation.Kept;
            }
        }
        catch (PostgresException waited) when (waited.SqlState == LockNotAvailable)
        {
            return Reservation.InProgress;
        }

        await ExecuteAsync(transaction, "SET LOCAL lock_timeout = DEFAULT", ct);
        return Reservation.Reserved;
    }

    /// <summary>
    /// The live answer kept for <paramref name="id"/> with the fingerprint of its request; null when there is none (any more). An
    /// answer missing from a kept row (which a request never commits) is null here; a sealed one is one with a nonce or a tag, a
    /// missing other part empty: it does not open, where it would be taken for an answer in clear.
    /// </summary>
    public async Task<(string Fingerprint, byte[]? Answer, SealedData? Sealed)?> LoadAsync(NpgsqlConnection connection, string id, CancellationToken ct)
    {
        await using var load = new NpgsqlCommand($"SELECT fingerprint, answer, nonce, tag FROM {Table} WHERE id = @id AND expires_at > @now", connection);
        load.Parameters.AddWithValue("id", id);
        load.Parameters.AddWithValue("now", clock.GetUtcNow());
        await using var reader = await load.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
        {
            return null;
        }

        byte[]? Column(int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetFieldValue<byte[]>(ordinal);
        var (answer, nonce, tag) = (Column(1), Column(2), Column(3));
        var sealedAnswer = nonce is null && tag is null ? null : new SealedData(nonce ?? [], answer ?? [], tag ?? []);
        return (reader.GetString(0), answer, sealedAnswer);
    }

    /// <summary>Completes the reservation with the answer (sealed, or in clear when <paramref name="sealedAnswer"/> is null).</summary>
    public async Task KeepAsync(NpgsqlTransaction transaction, string id, byte[] answer, SealedData? sealedAnswer, Guid? recordId, CancellationToken ct)
    {
        await using var keep = new NpgsqlCommand(
            $"UPDATE {Table} SET answer = @answer, nonce = @nonce, tag = @tag, record_id = @record WHERE id = @id", transaction.Connection, transaction);
        keep.Parameters.AddWithValue("id", id);
        keep.Parameters.AddWithValue("record", (object?)recordId ?? DBNull.Value);
        keep.Parameters.AddWithValue("answer", sealedAnswer?.Ciphertext ?? answer);
        keep.Parameters.AddWithValue("nonce", (object?)sealedAnswer?.Nonce ?? DBNull.Value);
        keep.Parameters.AddWithValue("tag", (object?)sealedAnswer?.Tag ?? DBNull.Value);
        await keep.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Deletes the answers kept longer than <see cref="IdempotencyOptions.KeepFor"/>; returns how many.</summary>
    public async Task<int> SweepAsync(CancellationToken ct)
    {
        var swept = 0;
        foreach (var tenant in databases.SessionTenants)
        {
            await using var connection = await OpenTenantAsync(tenant, ct);
            await using var sweep = new NpgsqlCommand($"DELETE FROM {Table} WHERE expires_at <= @now", connection);
            sweep.Parameters.AddWithValue("now", clock.GetUtcNow());
            swept += await sweep.ExecuteNonQueryAsync(ct);
        }

        return swept;
    }

    private static async Task ExecuteAsync(NpgsqlTransaction transaction, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, transaction.Connection, transaction);
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The store, its options and the hourly sweep of expired answers.</summary>
    public static void Register(IServiceCollection services)
    {
        services.AddSettings<IdempotencyOptions>(IdempotencyOptions.Section);
        services.AddSingleton<IdempotencyStore>();
        services.AddHostedService<IdempotencySweep>();
    }
}

/// <summary>Deletes expired answers now and then; until then they are ignored, never returned.</summary>
internal sealed partial class IdempotencySweep(IdempotencyStore store, TimeProvider clock, ILogger<IdempotencySweep> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(store.Options.SweepEvery, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await store.SweepAsync(stoppingToken);
            }
            catch (NpgsqlException failure)
            {
                // Expired answers are ignored meanwhile; the next sweep removes them.
                SweepFailed(logger, failure);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not delete expired idempotency keys; retrying at the next sweep.")]
    private static partial void SweepFailed(ILogger logger, Exception failure);
}
