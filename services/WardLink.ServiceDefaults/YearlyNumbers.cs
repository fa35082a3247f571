using System.Security.Cryptography;
using System.Text;
using JasperFx;
using Marten;
using Npgsql;
using WardLink.ServiceDefaults.Audit;
using WardLink.ServiceDefaults.Idempotency;

namespace WardLink.ServiceDefaults;

/// <summary>A number handed out by <see cref="YearlyNumbers"/>: which record it names, and when.</summary>
public sealed record NumberReserved([property: ShownToAuditors] string Number, Guid For);

/// <summary>
/// Human-readable numbers per year in the ward's local time (<c>TIP-2024-0042</c>,
/// <c>INC-2024-0007</c>), unique and gap-free: each prefix and year is a small event stream
/// whose version is the last number, appended in the same transaction as the record it names.
/// Writers of one counter take turns: the reservation opens the session's transaction and holds a
/// transaction-level advisory lock on the counter until the record commits, so concurrent writers
/// queue instead of conflicting (with optimistic retries alone, 8 concurrent writers brought tip
/// intake down to about 10 per second). <see cref="RetryOnConflictAsync{T}"/> still runs the whole
/// unit of work again on a conflict, so a number is never skipped nor given twice.
/// </summary>
public static class YearlyNumbers
{
    /// <summary>The ward's local time (Asia/Ho_Chi_Minh: UTC+7, no daylight saving time).</summary>
    public static readonly TimeSpan WardOffset = TimeSpan.FromHours(7);

    /// <summary>The longest prefix of a number (<c>TIP</c>, <c>INC</c>).</summary>
    public const int MaxPrefixLength = 8;

    /// <summary>The longest number handed out: a prefix, a four-digit year and a count of up to 19 digits.</summary>
    public const int MaxNumberLength = MaxPrefixLength + 1 + 4 + 1 + 19;

    private const int MaxAttempts = 30;

    /// <summary>The local year of <paramref name="at"/>, clamped into the business-time window (a stored time outside it still has a year).</summary>
    public static int LocalYear(DateTimeOffset at) => BusinessTime.Clamp(at).ToOffset(WardOffset).Year;

    /// <summary>Reserves the next number of <paramref name="prefix"/> in the local year of <paramref name="at"/>.</summary>
    public static async Task<string> ReserveNumberAsync(this IDocumentSession session, string prefix, DateTimeOffset at, Guid forRecord, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(prefix.Length, MaxPrefixLength);
        var year = LocalYear(at);
        var counter = StreamIdOf($"{prefix}-{year}");
        await session.BeginTransactionAsync(ct);
        await using (var turn = new NpgsqlCommand("SELECT pg_advisory_xact_lock($1)", session.Connection) { Parameters = { new() { Value = BitConverter.ToInt64(counter.ToByteArray()) } } })
        {
            await turn.ExecuteNonQueryAsync(ct);
        }

        var state = await session.Events.FetchStreamStateAsync(counter, ct);
        var next = (state?.Version ?? 0) + 1;
        var number = $"{prefix}-{year}-{next:0000}";
        session.Events.Append(counter, next, new NumberReserved(number, forRecord));
        return number;
    }

    /// <summary>
    /// Runs <paramref name="work"/> in a fresh session until it commits without an optimistic
    /// concurrency conflict (a number, or a stream version, taken by someone else meanwhile). Inside
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
            catch (Exception conflict) when (IsConflict(conflict) && attempt < MaxAttempts)
            {
                if (transaction is not null)
                {
                    await transaction.RollbackAsync(Attempt, ct);
                }

                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(5, 20) * Math.Min(attempt, 10)), ct);
            }
        }
    }

    /// <summary>
    /// Someone else wrote first: a stale expected version, or a stream (a year's first number)
    /// created concurrently, which quick appends report as a unique violation on mt_streams.
    /// </summary>
    private static bool IsConflict(Exception exception) =>
        exception is ConcurrencyException or Marten.Exceptions.ExistingStreamIdCollisionException
            or Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.UniqueViolation }
        || exception.InnerException is { } inner && IsConflict(inner);

    /// <summary>A stable stream id for a name (a name-based UUID: SHA-256 of the name, version bits set).</summary>
    public static Guid StreamIdOf(string name)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes("wardlink:" + name), hash);
        hash[6] = (byte)((hash[6] & 0x0F) | 0x80);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash[..16], bigEndian: true);
    }
}
