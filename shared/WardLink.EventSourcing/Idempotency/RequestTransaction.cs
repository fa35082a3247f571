using Npgsql;

namespace WardLink.EventSourcing.Idempotency;

/// <summary>
/// The database transaction a request under an <c>Idempotency-Key</c> runs in. Document sessions
/// opened while it is set enlist in it (<see cref="TracedSessionFactory"/>) and do not commit it:
/// the record they write commits together with the answer kept for the key.
/// </summary>
public static class RequestTransaction
{
    private static readonly AsyncLocal<NpgsqlTransaction?> Ambient = new();

    /// <summary>The transaction of the request being handled; null outside an idempotent request.</summary>
    public static NpgsqlTransaction? Current => Ambient.Value;

    internal static void Enlist(NpgsqlTransaction? transaction) => Ambient.Value = transaction;
}
