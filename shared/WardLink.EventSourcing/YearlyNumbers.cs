using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Marten;
using Npgsql;
using WardLink.Audit;
using WardLink.Domain;
using WardLink.EventSourcing.Wards;

namespace WardLink.EventSourcing;

/// <summary>A number handed out by <see cref="YearlyNumbers"/>: which record it names, and when.</summary>
public sealed record NumberReserved([property: ShownToAuditors] string Number, Guid For);

/// <summary>The numbers one commit handed out together (a batch of <see cref="NumberedRecords"/>), in order: which record each names.</summary>
public sealed record NumbersReserved(IReadOnlyList<NumberReserved> Numbers);

/// <summary>
/// Human-readable numbers per ward and year in the ward's local time (<c>TIP-QT-2024-0042</c>,
/// <c>INC-DQ-2025-0007</c>: the ward's short code after the prefix), unique and gap-free: each prefix,
/// ward and year is a small event stream, in that ward, whose last event names the last number handed
/// out (<see cref="NumberReserved"/> for one record, <see cref="NumbersReserved"/> for a batch), appended
/// in the same transaction as the record(s) it names.
/// Writers of one counter take turns: the reservation opens the session's transaction and holds a
/// transaction-level advisory lock on the counter until the record commits, so concurrent writers
/// queue instead of conflicting (with optimistic retries alone, 8 concurrent writers brought tip
/// intake down to about 10 per second). One writer numbers one record (<see cref="ReserveNumberAsync"/>,
/// for a message's consumer or a request under an <c>Idempotency-Key</c>) or a whole batch
/// (<see cref="NumberedRecords"/>, HTTP intake); both take the same lock, so they share the counter.
/// </summary>
public static partial class YearlyNumbers
{
    /// <summary>The longest prefix of a number (<c>TIP</c>, <c>INC</c>).</summary>
    public const int MaxPrefixLength = 8;

    /// <summary>The longest number handed out: a prefix, a ward code, a four-digit year and a count of up to 19 digits.</summary>
    public const int MaxNumberLength = MaxPrefixLength + 1 + WardNames.MaxCodeLength + 1 + 4 + 1 + 19;

    /// <summary>
    /// What a tip's number looks like where a request names one (<c>TIP-QT-2024-0042</c>, or before wards <c>TIP-2024-0042</c>):
    /// <c>TIP</c>, the ward's code, a year from 1970 to 2100, the count as numbers are written (four digits, or more without a
    /// leading zero). Free text where a number goes would reach whoever is shown numbers (auditors): a name and a phone number
    /// (<c>HOA-NGUYEN-1990-0912345678</c>) were taken as one.
    /// </summary>
    public const string Pattern = "^" + Patterns.AnyWhiteSpace + "TIP(-[A-Z]{2,6})?-(19[7-9][0-9]|20[0-9]{2}|2100)-(000[1-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-9][0-9]{3,18})" + Patterns.AnyWhiteSpace + "$";

    /// <summary>Whether <paramref name="text"/>, as sent, is within <see cref="MaxNumberLength"/> and a number as <see cref="Pattern"/> describes it (read trimmed: white space around it too).</summary>
    public static bool IsNumber(string text) => Characters.AtMost(text, MaxNumberLength) && NumberShape().IsWholly(text);

    [GeneratedRegex(Pattern, RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex NumberShape();

    /// <summary>Reserves the next number of <paramref name="prefix"/> in the session's ward and the local year of <paramref name="at"/>.</summary>
    public static async Task<string> ReserveNumberAsync(this IDocumentSession session, string prefix, DateTimeOffset at, Guid forRecord, CancellationToken ct)
    {
        var counter = await session.TakeCounterAsync(prefix, WardTime.LocalYear(at), ct);
        var number = counter.Next();
        session.Events.Append(counter.StreamId, counter.Version + 1, new NumberReserved(number, forRecord));
        return number;
    }

    /// <summary>The advisory lock key of a counter: whoever holds it may number records of that prefix, ward and year.</summary>
    public static long LockKeyOf(string prefix, string ward, int year) => Turns.KeyOf(CounterOf(prefix, ward, year));

    /// <summary>
    /// Opens the session's transaction, waits for the counter's turn (the lock is released when the
    /// transaction ends) and reads where the counter stands.
    /// </summary>
    internal static async Task<Counter> TakeCounterAsync(this IDocumentSession session, string prefix, int year, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(prefix.Length, MaxPrefixLength);
        var known = await session.WardOfSessionAsync(ct)
            ?? throw new InvalidOperationException($"The ward of tenant '{session.TenantId}' is not in this service's jurisdiction directory (yet): no number can name it.");
        var (ward, code) = (known.Id, known.Code);
        await session.BeginTransactionAsync(ct);
        var counter = CounterOf(prefix, ward, year);

        // One round trip: the turn, then the counter's last two events in a statement of its own, which (read
        // committed) sees what the turn's previous holder committed. The one before the last is read to check the last by it.
        await using var batch = new NpgsqlBatch(session.Connection)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand("SELECT pg_advisory_xact_lock($1)") { Parameters = { new() { Value = LockKeyOf(prefix, ward, year) } } },
                new NpgsqlBatchCommand($"SELECT version, data::text FROM {session.DocumentStore.Options.Events.DatabaseSchemaName}.mt_events WHERE stream_id = $1 AND tenant_id = $2 ORDER BY version DESC LIMIT 2")
                {
                    Parameters = { new() { Value = counter }, new() { Value = session.TenantId } },
                },
            },
        };
        await using var reader = await batch.ExecuteReaderAsync(ct);
        await reader.NextResultAsync(ct);
        if (!await reader.ReadAsync(ct))
        {
            return new Counter($"{prefix}-{code}", year, counter, 0, 0);
        }

        var (version, last) = (reader.GetInt64(0), CountsIn(reader.GetString(1)));
        var before = await reader.ReadAsync(ct) && reader.GetInt64(0) == version - 1 ? CountsIn(reader.GetString(1)) : null;
        if (DisagreementOf(version, last, before) is { } disagreement)
        {
            throw new InconsistentStreamException(counter, session.TenantId, $"the counter {prefix}-{ward}-{year} {disagreement}: no number can follow it safely");
        }

        return new Counter($"{prefix}-{code}", year, counter, version, last![^1]);
    }

    /// <summary>
    /// The counts of the numbers a counter's event names, in order (<see cref="NumberReserved"/>: its number;
    /// <see cref="NumbersReserved"/>: each of its numbers), read from the event's stored data; null when it names none, or one of
    /// them is no number.
    /// </summary>
    public static IReadOnlyList<long>? CountsIn(string data)
    {
        using var stored = JsonDocument.Parse(data);
        var root = stored.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var named = root.TryGetProperty("numbers", out var numbers) && numbers.ValueKind == JsonValueKind.Array ? [.. numbers.EnumerateArray()] : new[] { root };
        var counts = named.Select(CountIn).ToList();
        return counts.Count > 0 && counts.All(count => count is not null) ? [.. counts.Select(count => count!.Value)] : null;
    }

    /// <summary>
    /// Why a counter at <paramref name="version"/>, whose last event names the counts <paramref name="last"/> and the event before it
    /// <paramref name="before"/> (null: none, or naming none), cannot go on from its last number; null when it can. A counter's numbers
    /// count on one by one from 1, each event naming one at least: the last event's go on from the one before's last (from 1 at
    /// version 1), and its last is at least the version. A number rewritten in the database, to an earlier one (the next would be
    /// handed out twice), a later one (a gap) or no number, does not follow.
    /// </summary>
    public static string? DisagreementOf(long version, IReadOnlyList<long>? last, IReadOnlyList<long>? before)
    {
        if (last is null)
        {
            return $"ends with an event (version {version}) that names no number";
        }

        if (version > 1 && before is null)
        {
            return $"has no event naming a number before its last (version {version - 1})";
        }

        var after = version == 1 ? 0 : before![^1];
        return last.Where((count, i) => count != after + 1 + i).Any() || last[^1] < version
            ? $"ends with an event (version {version}) naming {string.Join(", ", last)} after {after}"
            : null;
    }

    /// <summary>The count of the number one element of a counter's event names, or null when it names none.</summary>
    private static long? CountIn(JsonElement element) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty("number", out var number) && number.ValueKind == JsonValueKind.String
            && number.GetString() is { } text
            ? TryCountOf(text)
            : null;

    /// <summary>The count a number ends with (<c>TIP-QT-2024-0042</c>: 42), or null when it ends with none.</summary>
    private static long? TryCountOf(string number) =>
        long.TryParse(number.AsSpan(number.LastIndexOf('-') + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var count) ? count : null;

    /// <summary>The stream of the counter of <paramref name="prefix"/> in <paramref name="ward"/> and <paramref name="year"/>.</summary>
    public static Guid CounterOf(string prefix, string ward, int year) => NamedStreams.StreamIdOf($"{prefix}-{ward}-{year}");

    /// <summary>A counter taken by one writer at its stream's <paramref name="version"/>: the numbers it hands out follow <see cref="Last"/>.</summary>
    internal sealed class Counter(string prefix, int year, Guid streamId, long version, long last)
    {
        public Guid StreamId { get; } = streamId;

        /// <summary>The counter stream's version when taken: the next event appended to it is the one after.</summary>
        public long Version { get; } = version;

        /// <summary>The last number handed out.</summary>
        public long Last { get; private set; } = last;

        /// <summary>The number after <see cref="Last"/>, not taken yet.</summary>
        public string Peek() => $"{prefix}-{year}-{Last + 1:0000}";

        /// <summary>Takes the next number.</summary>
        public string Next()
        {
            var number = Peek();
            Last++;
            return number;
        }
    }
}
