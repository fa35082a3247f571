using Marten;
using Npgsql;
using WardLink.Audit;
using WardLink.Domain;

namespace WardLink.EventSourcing;

/// <summary>A number handed out by <see cref="YearlyNumbers"/>: which record it names, and when.</summary>
public sealed record NumberReserved([property: ShownToAuditors] string Number, Guid For);

/// <summary>
/// Human-readable numbers per year in the ward's local time (<c>TIP-2024-0042</c>,
/// <c>INC-2024-0007</c>), unique and gap-free: each prefix and year is a small event stream
/// whose version is the last number, appended in the same transaction as the record it names.
/// Writers of one counter take turns: the reservation opens the session's transaction and holds a
/// transaction-level advisory lock on the counter until the record commits, so concurrent writers
/// queue instead of conflicting (with optimistic retries alone, 8 concurrent writers brought tip
/// intake down to about 10 per second). <see cref="Conflicts.RetryOnConflictAsync{T}"/> still runs the whole
/// unit of work again on a conflict, so a number is never skipped nor given twice.
/// </summary>
public static class YearlyNumbers
{
    /// <summary>The longest prefix of a number (<c>TIP</c>, <c>INC</c>).</summary>
    public const int MaxPrefixLength = 8;

    /// <summary>The longest number handed out: a prefix, a four-digit year and a count of up to 19 digits.</summary>
    public const int MaxNumberLength = MaxPrefixLength + 1 + 4 + 1 + 19;

    /// <summary>Reserves the next number of <paramref name="prefix"/> in the local year of <paramref name="at"/>.</summary>
    public static async Task<string> ReserveNumberAsync(this IDocumentSession session, string prefix, DateTimeOffset at, Guid forRecord, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(prefix.Length, MaxPrefixLength);
        var year = WardTime.LocalYear(at);
        var counter = NamedStreams.StreamIdOf($"{prefix}-{year}");
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
}
