using System.Globalization;
using System.Text.RegularExpressions;

namespace WardLink.Domain;

/// <summary>
/// The window every business time lies in, and the years every statistic and date range asks
/// about: one place for every decision and query. A time something happened (received, occurred,
/// held, checked in, resolved…) lies from <see cref="Earliest"/> up to now plus
/// <see cref="ClockSkew"/>; a due date from <see cref="Earliest"/> up to
/// <see cref="DueYearsAhead"/> years from now; statistics and local date ranges name years
/// <see cref="FirstYear"/> to <see cref="LastYear"/>, and a range spans at most
/// <see cref="MaxRangeDays"/> days. Reads clamp a stored time into
/// [<see cref="Earliest"/>, <see cref="Latest"/>], so a value stored before the window existed
/// never makes a read fail.
/// </summary>
public static partial class WardTime
{
    /// <summary>The ward's local time (Asia/Ho_Chi_Minh: UTC+7, no daylight saving time).</summary>
    public static readonly TimeSpan Offset = TimeSpan.FromHours(7);

    /// <summary>The first year a statistic or a date range names: <see cref="Earliest"/>'s, so every time intake accepts is counted in its own year.</summary>
    public const int FirstYear = 1970;
    public const int LastYear = 2100;
    public const int DueYearsAhead = 5;
    public const int MaxRangeDays = 366;

    /// <summary>The hours of a local day, as statistics count by hour.</summary>
    public const int HoursInDay = 24;

    /// <summary>The longest time as the API states it: ISO 8601 to the tick with its offset, <c>2024-05-02T21:40:00.1234567+07:00</c>.</summary>
    public const int MaxTextLength = 33;

    /// <summary>1970-01-01T00:00:00Z: nothing the ward records happened before.</summary>
    public static readonly DateTimeOffset Earliest = DateTimeOffset.UnixEpoch;

    /// <summary>The last instant of <see cref="LastYear"/> in the ward's local time.</summary>
    public static readonly DateTimeOffset Latest = new DateTimeOffset(LastYear + 1, 1, 1, 0, 0, 0, Offset).AddTicks(-1);

    /// <summary>
    /// What a time filter of a query may name: the local years <see cref="FirstYear"/> to <see cref="LastYear"/>, from the
    /// first instant of the one to the instant after the other (a range's end is not in it), so every local year a
    /// statistic counts can be asked for as a range [start, end) too.
    /// </summary>
    public static readonly (DateTimeOffset From, DateTimeOffset To) QueryWindow =
        (new DateTimeOffset(FirstYear, 1, 1, 0, 0, 0, Offset), new DateTimeOffset(LastYear + 1, 1, 1, 0, 0, 0, Offset));

    /// <summary>How far a caller's clock may run ahead of ours before a time counts as future.</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(2);

    /// <summary>The limits of a statistics year, as API documents state them.</summary>
    public static readonly string YearLimits = $"Years {FirstYear} to {LastYear}.";

    /// <summary>The limits of a range of local dates, as API documents state them.</summary>
    public static readonly string DateRangeLimits = $"Local dates (yyyy-MM-dd) in years {FirstYear} to {LastYear}, at most {MaxRangeDays} days counting both from and to (both included).";

    /// <summary>The limits of a time filter, as API documents state them.</summary>
    public static readonly string QueryTimeLimits = $"Times with an offset, from {QueryWindow.From:yyyy-MM-dd'T'HH:mmzzz} to {QueryWindow.To:yyyy-MM-dd'T'HH:mmzzz}.";

    /// <summary>What a time given by a client looks like.</summary>
    public const string WithOffset = "A time in ISO-8601 with its offset (seconds to at most 7 decimals), e.g. 2024-05-02T21:40:00+07:00 or 2024-05-02T14:40:00Z.";

    /// <summary>
    /// Whether a time (already readable as one) is written as <see cref="WithOffset"/> says: an ISO-8601 date and time of
    /// day that ends in its offset, <c>Z</c> or <c>±hh:mm</c>, its seconds to at most 7 decimals (a tick: more would be cut
    /// unseen, and the text past its <see cref="MaxTextLength"/>). A date alone, a time without an offset, or another way of
    /// writing one (<c>02-OCT-2024 21:40</c>, <c>Thu, 02 May 2024 14:40:00 GMT</c>) would be read in the server's own zone
    /// or by its culture, where JSON never reads it: a query and the auditor take what a body takes.
    /// </summary>
    public static bool HasOffset(string text) => IsoWithOffset().IsMatch(text);

    /// <summary>What a local date given by a client looks like.</summary>
    public const string LocalDateForm = "A local date written yyyy-MM-dd, e.g. 2024-05-02.";

    /// <summary>
    /// Whether a local date is written as <see cref="LocalDateForm"/> says, as JSON reads one: <c>06/01/2024</c>,
    /// <c>2024/06/01</c> or <c>June 1, 2024</c> would be read by the server's culture, month and day in whichever order.
    /// </summary>
    public static bool IsLocalDate(string text) => DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _);

    /// <summary>The latest time something may have happened, at <paramref name="now"/>.</summary>
    public static DateTimeOffset LatestPast(DateTimeOffset now) => Min(now + ClockSkew, Latest);

    /// <summary>The latest date something may be due, at <paramref name="now"/>.</summary>
    public static DateTimeOffset LatestDue(DateTimeOffset now) => Min(now.AddYears(DueYearsAhead), Latest);

    /// <summary>Whether <paramref name="at"/> may be when something happened, seen at <paramref name="now"/>.</summary>
    public static bool IsPast(DateTimeOffset at, DateTimeOffset now) => at >= Earliest && at <= LatestPast(now);

    /// <summary>Whether <paramref name="at"/> may be a due date set at <paramref name="now"/>.</summary>
    public static bool IsDue(DateTimeOffset at, DateTimeOffset now) => at >= Earliest && at <= LatestDue(now);

    /// <summary>
    /// When a step happened: the time given, else now, or the latest of <paramref name="notBefore"/> where that is later (a record
    /// dated up to <see cref="ClockSkew"/> ahead by a caller whose clock runs fast): a step sent without a time is never refused on it.
    /// Hold the time given to <see cref="CheckPast"/>, not this one: the step before may lie past the skew from the now of a replica whose clock runs behind.
    /// </summary>
    public static DateTimeOffset StepAt(DateTimeOffset? given, DateTimeOffset now, params ReadOnlySpan<DateTimeOffset?> notBefore)
    {
        if (given is { } at)
        {
            return at;
        }

        var latest = now;
        foreach (var earliest in notBefore)
        {
            latest = earliest > latest ? earliest.Value : latest;
        }

        return latest;
    }

    /// <summary>A time given by the caller (none is fine: the caller's decision fills in now): when something happened.</summary>
    public static FieldErrors CheckPast(this FieldErrors errors, DateTimeOffset? at, string field, DateTimeOffset now) =>
        errors.Check(at is not { } when || IsPast(when, now), field, $"From {Earliest:yyyy-MM-dd} on, and not in the future (at most {ClockSkew.TotalMinutes:0} minutes of clock skew).");

    /// <summary>A due date given by the caller: from <see cref="Earliest"/> to <see cref="DueYearsAhead"/> years ahead.</summary>
    public static FieldErrors CheckDue(this FieldErrors errors, DateTimeOffset? at, string field, DateTimeOffset now) =>
        errors.Check(at is not { } when || IsDue(when, now), field, $"From {Earliest:yyyy-MM-dd} to at most {DueYearsAhead} years ahead.");

    /// <summary>A year of statistics: given, and from <see cref="FirstYear"/> to <see cref="LastYear"/>.</summary>
    public static FieldErrors CheckYear(this FieldErrors errors, int? year, string field) =>
        errors.Check(year is >= FirstYear and <= LastYear, field, $"Give a year from {FirstYear} to {LastYear}.");

    /// <summary>Whether the local date <paramref name="date"/> lies in the years <see cref="FirstYear"/> to <see cref="LastYear"/>.</summary>
    public static bool InYears(DateOnly date) => date.Year is >= FirstYear and <= LastYear;

    /// <summary>A local date given by the caller (none is fine: the decision fills in its own): in the years.</summary>
    public static FieldErrors CheckLocalDate(this FieldErrors errors, DateOnly? date, string field) =>
        errors.Check(date is not { } given || InYears(given), field, $"A local date (yyyy-MM-dd) in {FirstYear} to {LastYear}.");

    /// <summary>Local dates [<paramref name="from"/>, <paramref name="to"/>]: both given, in the years, in order, at most <see cref="MaxRangeDays"/> days.</summary>
    public static FieldErrors CheckLocalDates(this FieldErrors errors, DateOnly? from, DateOnly? to) => errors
        .Check(from is { } first && InYears(first), "from", $"Give the first local date (yyyy-MM-dd), in {FirstYear} to {LastYear}.")
        .Check(to is { } last && InYears(last), "to", $"Give the last local date (yyyy-MM-dd), in {FirstYear} to {LastYear}.")
        .CheckDateOrder(from, to, "to")
        .Check(from is null || to is null || from > to || to.Value.DayNumber - from.Value.DayNumber < MaxRangeDays, "to", $"At most {MaxRangeDays} days from the first date on.");

    /// <summary>A time range [<paramref name="from"/>, <paramref name="to"/>) of a query: when both are given, it does not end before it starts (an empty range finds nothing).</summary>
    public static FieldErrors CheckTimeRange(this FieldErrors errors, DateTimeOffset? from, DateTimeOffset? to, string toField) =>
        errors.CheckDateOrder(from, to, toField);

    /// <summary>A range of dates or times whose end, when both are given, is not before its start: one message for every range a query takes.</summary>
    private static FieldErrors CheckDateOrder<T>(this FieldErrors errors, T? from, T? to, string toField)
        where T : struct, IComparable<T> =>
        errors.Check(from is not { } first || to is not { } last || first.CompareTo(last) <= 0, toField, RangeEndsBeforeItStarts);

    /// <summary>The message of a range whose end comes before its start, of dates or of times alike.</summary>
    public const string RangeEndsBeforeItStarts = "The range ends before it starts.";

    /// <summary>A time filter of a query (from the query string): inside the window, if given.</summary>
    public static FieldErrors CheckQueryTime(this FieldErrors errors, DateTimeOffset? at, string field) =>
        errors.Check(at is not { } when || IsInQueryWindow(when), field, QueryTimeLimits);

    /// <summary>Whether <paramref name="at"/> is a time a query may name (<see cref="QueryWindow"/>): what the auditor's tool takes too.</summary>
    public static bool IsInQueryWindow(DateTimeOffset at) => at >= QueryWindow.From && at <= QueryWindow.To;

    /// <summary>A stored time brought into the window, so a value stored before the window existed reads without error.</summary>
    public static DateTimeOffset Clamp(DateTimeOffset at) => at < Earliest ? Earliest : at > Latest ? Latest : at;

    /// <summary>The local dates [<paramref name="from"/>, <paramref name="to"/>] as the instants [start, end), in UTC.</summary>
    public static (DateTimeOffset Start, DateTimeOffset End) LocalDays(DateOnly from, DateOnly to) => (
        new DateTimeOffset(from.ToDateTime(TimeOnly.MinValue), Offset).ToUniversalTime(),
        new DateTimeOffset(to.ToDateTime(TimeOnly.MinValue), Offset).AddDays(1).ToUniversalTime());

    /// <summary>The first and the last local date of <paramref name="year"/>.</summary>
    public static (DateOnly First, DateOnly Last) LocalYearDates(int year) => (new DateOnly(year, 1, 1), new DateOnly(year, 12, 31));

    /// <summary>The local year <paramref name="year"/> as the instants [start, end).</summary>
    public static (DateTimeOffset Start, DateTimeOffset End) LocalYearSpan(int year)
    {
        var (first, last) = LocalYearDates(year);
        return LocalDays(first, last);
    }

    /// <summary>The local hour of the day (0 to 23) of <paramref name="at"/>, clamped into the window (a stored time outside it still has an hour).</summary>
    public static int LocalHour(DateTimeOffset at) => Clamp(at).ToOffset(Offset).Hour;

    /// <summary>The local year of <paramref name="at"/>, clamped into the window (a stored time outside it still has a year).</summary>
    public static int LocalYear(DateTimeOffset at) => Clamp(at).ToOffset(Offset).Year;

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    [GeneratedRegex(@"\A[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,7})?)?(?:[Zz]|[+-][0-9]{2}:[0-9]{2})\z", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex IsoWithOffset();
}
