using Marten;
using Microsoft.AspNetCore.Http;
using Npgsql;

namespace WardLink.EventSourcing;

/// <summary>
/// Writers that must see each other's work take turns: a transaction-level advisory lock, held until
/// the transaction ends, so a check of what exists and the write it allows are one step (a limit on
/// how many of a thing a partner keeps, a yearly counter).
/// </summary>
public static class Turns
{
    /// <summary>The advisory lock key of the turn named by <paramref name="of"/>.</summary>
    public static long KeyOf(Guid of) => BitConverter.ToInt64(of.ToByteArray());

    /// <summary>
    /// Opens the session's transaction and waits for the turn of <paramref name="name"/>: what the session reads after
    /// this, every earlier holder has committed, and no later one writes until this session's transaction ends.
    /// </summary>
    public static Task TakeTurnAsync(this IDocumentSession session, string name, CancellationToken ct) =>
        session.TakeTurnsAsync([name], ct);

    /// <summary>
    /// Opens the session's transaction and waits for the turn of each of <paramref name="names"/>, in their ordinal order: two
    /// sessions that take some of the same turns take them in the same order, so neither waits for a turn the other holds
    /// while holding one it waits for.
    /// </summary>
    public static async Task TakeTurnsAsync(this IDocumentSession session, IEnumerable<string> names, CancellationToken ct)
    {
        await session.BeginTransactionAsync(ct);
        foreach (var name in names.Distinct().Order(StringComparer.Ordinal))
        {
            await TakeTurnAsync(session.Connection!, name, ct);
        }
    }

    /// <summary>
    /// Waits for the turn of <paramref name="name"/> in a transaction of its own on <paramref name="database"/>'s main
    /// database, held until the request ends (its answer sent, so after whatever it committed, an answer kept under an
    /// <c>Idempotency-Key</c> too): for writers that check records of every database before they write their own.
    /// </summary>
    public static async Task TakeTurnUntilAnsweredAsync(this HttpContext http, IDocumentStore database, string name, CancellationToken ct)
    {
        var connection = (await database.Storage.FindOrCreateDatabase(Wards.WardTenants.DefaultTenant)).CreateConnection();
        http.Response.RegisterForDisposeAsync(connection);
        await connection.OpenAsync(ct);
        http.Response.RegisterForDisposeAsync(await connection.BeginTransactionAsync(ct));
        await TakeTurnAsync(connection, name, ct);
    }

    private static async Task TakeTurnAsync(NpgsqlConnection connection, string name, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("SELECT pg_advisory_xact_lock($1)", connection)
        {
            Parameters = { new() { Value = KeyOf(NamedStreams.StreamIdOf(name)) } },
        };
        await command.ExecuteNonQueryAsync(ct);
    }
}
