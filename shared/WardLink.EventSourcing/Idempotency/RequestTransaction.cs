using Npgsql;

namespace WardLink.EventSourcing.Idempotency;

/// <summary>
/// The database transaction a request under an <c>Idempotency-Key</c> runs in. Document sessions
/// opened while it is set enlist in it (<see cref="TracedSessionFactory"/>) and do not commit it:
/// the record they write commits together with the answer kept for the key. It is a transaction of
/// one database (<see cref="Database"/>, of <see cref="Wards.WardDatabases"/>): a session of a ward kept
/// in another would write that ward's records where its reads never look.
/// </summary>
public static class RequestTransaction
{
    private static readonly AsyncLocal<(NpgsqlTransaction Transaction, string Database)?> Ambient = new();

    /// <summary>The transaction of the request being handled; null outside an idempotent request.</summary>
    public static NpgsqlTransaction? Current => Ambient.Value?.Transaction;

    /// <summary>The name of the database <see cref="Current"/> is a transaction of.</summary>
    public static string? Database => Ambient.Value?.Database;

    internal static void Enlist(NpgsqlTransaction transaction, string database) => Ambient.Value = (transaction, database);

    internal static void Leave() => Ambient.Value = null;
}
