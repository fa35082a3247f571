using JasperFx;
using Marten;
using WardLink.EventSourcing.Idempotency;

namespace WardLink.EventSourcing;

/// <summary>Optimistic concurrency: a unit of work that lost a race runs again.</summary>
public static class Conflicts
{
    private const int MaxAttempts = 30;

    /// <summary>
    /// Runs <paramref name="work"/> in a fresh session until it commits without an optimistic
    /// concurrency conflict (a number, or a stream version, taken by someone else meanwhile); a conflict no attempt can win, a stream
    /// it appends to disagreeing with itself, is an <see cref="InconsistentStreamException"/> at once. Inside
    /// a request's transaction (<see cref="RequestTransaction"/>) each attempt runs under a savepoint,
    /// so a conflict undoes only that attempt.
    /// </summary>
    public static async Task<T> RetryOnConflictAsync<T>(this ISessionFactory sessions, Func<IDocumentSession, Task<T>> work, CancellationToken ct)
    {
        const string Attempt = "wardlink_attempt";
        for (var attempt = 1; ; attempt++)
        {
            await using var session = sessions.OpenSession();
            var transaction = RequestTransaction.Current;
            if (transaction is not null)
            {
                await transaction.SaveAsync(Attempt, ct);
            }

            try
            {
                return await work(session);
            }
            catch (Exception conflict) when (IsConflict(conflict))
            {
                // A stream whose row disagrees with its events refuses every attempt alike: no race to retry.
                await session.ThrowIfInconsistentAsync(conflict, ct);
                if (attempt == MaxAttempts)
                {
                    throw;
                }

                if (transaction is not null)
                {
                    await transaction.RollbackAsync(Attempt, ct);
                }

                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(5, 20) * Math.Min(attempt, 10)), ct);
            }
        }
    }

    /// <summary>
    /// Someone else wrote first: a stale expected version (as Marten reports it, or as PostgreSQL raised it in a quick
    /// append, <see cref="StreamVersionMismatch"/>), or a stream (a year's first number), an event's version or a key
    /// claimed concurrently, a unique violation.
    /// </summary>
    public static bool IsConflict(Exception exception) =>
        exception.Wraps(failure => failure is ConcurrencyException or Marten.Exceptions.ExistingStreamIdCollisionException
            or Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.UniqueViolation or StreamVersionMismatch });

    /// <summary>What Marten's quick append raises when a stream's version is not the one expected (it then throws a <see cref="ConcurrencyException"/>).</summary>
    private const string StreamVersionMismatch = "MT003";
}
