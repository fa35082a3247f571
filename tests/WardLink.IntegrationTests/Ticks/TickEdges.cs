using System.Globalization;
using System.Text.Json;
using CsCheck;
using WardLink.Domain;
using WardLink.IntegrationTests.StoredValues;

namespace WardLink.IntegrationTests.Ticks;

/// <summary>
/// Times to the tick either side of an edge, as clients write them (all 7 decimals, in an offset of their own), and what every
/// statistic and list is held to with them (docs/api.md: a time has up to 7 decimals, ranges are <c>[from, to)</c>): a record at
/// the last tick before a local year's end (<c>…23:59:59.9999999+07:00</c>) counts in that year, one at its first instant in the
/// next, and a record is listed for a range exactly when its time is in it, to the tick. (A timestamptz keeps microseconds:
/// PostgreSQL rounded a stored time's text cast to one, and Npgsql cut a time sent as one, towards 2000-01-01.)
/// </summary>
public static class TickEdges
{
    /// <summary>
    /// Ticks from an edge: the last tick before it (<c>.9999999</c>), the edge, half a microsecond either side (<c>.0000005</c>),
    /// or any within two microseconds.
    /// </summary>
    public static readonly Gen<long> Near = Gen.OneOf(Gen.OneOf(-1L, 0L, 5L, -5L), Gen.Long[-20, 20]);

    /// <summary>Offsets a client may write a time in: UTC, the ward's, and others a long way either side, with minutes too.</summary>
    public static readonly Gen<TimeSpan> Offset = Gen.OneOf(TimeSpan.Zero, WardTime.Offset, TimeSpan.FromHours(-5), new TimeSpan(5, 45, 0), TimeSpan.FromHours(14), TimeSpan.FromHours(-12));

    /// <summary>A time something may have happened, to the tick: from the window's first day to yesterday.</summary>
    public static readonly Gen<DateTimeOffset> Past =
        Gen.Long[WardTime.Earliest.UtcTicks + TimeSpan.TicksPerDay, DateTimeOffset.UtcNow.UtcTicks - TimeSpan.TicksPerDay].Select(ticks => new DateTimeOffset(ticks, TimeSpan.Zero));

    /// <summary>A local year from the window's first that ended at least <paramref name="yearsAgo"/> years before this one began.</summary>
    public static Gen<int> EndedYear(int yearsAgo = 1) => Gen.Int[WardTime.FirstYear, WardTime.LocalYear(DateTimeOffset.UtcNow) - yearsAgo];

    /// <summary>The first instant of local year <paramref name="year"/>: the edge between it and the year before.</summary>
    public static DateTimeOffset YearStart(int year) => WardTime.LocalYearSpan(year).Start;

    /// <summary><paramref name="at"/> as a client writes it: all 7 decimals, in <paramref name="offset"/>.</summary>
    public static string Text(DateTimeOffset at, TimeSpan offset) => at.ToOffset(offset).ToString("yyyy-MM-dd'T'HH:mm:ss.fffffffzzz", CultureInfo.InvariantCulture);

    /// <summary><paramref name="at"/> in a query string, as <see cref="Text"/> writes it.</summary>
    public static string Query(DateTimeOffset at, TimeSpan offset) => Uri.EscapeDataString(Text(at, offset));

    /// <summary><paramref name="at"/> as the services' JSON writes it (decimals trimmed, its own offset): what a stored row holds.</summary>
    public static string Stored(DateTimeOffset at) => JsonSerializer.Deserialize<string>(JsonSerializer.Serialize(at))!;

    /// <summary>
    /// What <paramref name="counted"/> counts in the local year <paramref name="year"/> and the next, before and after
    /// <paramref name="recordAsync"/> records something at <paramref name="at"/>: one more in the local year of <paramref name="at"/>, the same in the other.
    /// </summary>
    public static Task AssertCountedInItsYearAsync(DateTimeOffset at, int year, Func<int, Task<int>> counted, Func<Task> recordAsync) =>
        AssertCountedWhereItFallsAsync(at, [year, year + 1], counted, inYear => WardTime.LocalYear(at) == inYear, recordAsync);

    /// <summary>
    /// Forty times within a few ticks of a local year's end, each recorded in any offset by <paramref name="recordAsync"/>: each
    /// counted by <paramref name="counted"/> in its own local year, not the other (<see cref="AssertCountedInItsYearAsync"/>).
    /// </summary>
    public static Task AssertEachCountedInItsYearAsync(Func<int, Task<int>> counted, Func<DateTimeOffset, TimeSpan, Task> recordAsync) =>
        Gen.Select(EndedYear(), Near, Offset).SampleAsync(
            async (year, ticks, offset) =>
            {
                var at = YearStart(year + 1).AddTicks(ticks);
                await AssertCountedInItsYearAsync(at, year, counted, () => recordAsync(at, offset));
            },
            iter: 40,
            threads: 1);

    /// <summary>
    /// Forty past times, each recorded in any offset by <paramref name="recordAsync"/> (the record's id): each listed by
    /// <paramref name="listed"/> (from, to, id) for a range with a bound a few ticks away exactly when it falls in it.
    /// </summary>
    public static Task AssertEachListedInRangeAsync(Func<DateTimeOffset, TimeSpan, Task<Guid>> recordAsync, Func<string, string, Guid, Task<bool>> listed) =>
        Gen.Select(Past, Offset, Near, Offset).SampleAsync(
            async (at, offset, ticks, boundOffset) =>
            {
                var id = await recordAsync(at, offset);
                await AssertListedInRangeAsync(at, at.AddTicks(ticks), boundOffset, (from, to) => listed(from, to, id));
            },
            iter: 40,
            threads: 1);

    /// <summary>
    /// What <paramref name="counted"/> counts in each of <paramref name="periods"/>, before and after <paramref name="recordAsync"/>
    /// records something at <paramref name="at"/>: one more in the period that <paramref name="holdsIt"/>, the same in every other.
    /// </summary>
    public static async Task AssertCountedWhereItFallsAsync<TPeriod>(
        DateTimeOffset at, IReadOnlyList<TPeriod> periods, Func<TPeriod, Task<int>> counted, Func<TPeriod, bool> holdsIt, Func<Task> recordAsync)
    {
        var before = new List<int>();
        foreach (var period in periods)
        {
            before.Add(await counted(period));
        }

        await recordAsync();

        for (var i = 0; i < periods.Count; i++)
        {
            var expected = before[i] + (holdsIt(periods[i]) ? 1 : 0);
            var actual = await counted(periods[i]);
            Assert.True(expected == actual, $"{Text(at, WardTime.Offset)} in {periods[i]}: {actual}, expected {expected}");
        }
    }

    /// <summary>
    /// A record at <paramref name="at"/> is listed (<paramref name="listed"/>, given the query's from and to) for the range from
    /// <paramref name="bound"/> on exactly when it is not before it, and for the range up to <paramref name="bound"/> exactly when it is before it.
    /// </summary>
    public static async Task AssertListedInRangeAsync(DateTimeOffset at, DateTimeOffset bound, TimeSpan offset, Func<string, string, Task<bool>> listed)
    {
        var (from, to) = (await listed(Query(bound, offset), Query(bound.AddHours(1), offset)), await listed(Query(bound.AddHours(-1), offset), Query(bound, offset)));

        Assert.True(from == at >= bound, $"{Text(at, WardTime.Offset)} from {Text(bound, offset)}: listed {from}");
        Assert.True(to == at < bound, $"{Text(at, WardTime.Offset)} to {Text(bound, offset)}: listed {to}");
    }

    /// <summary>Whether the list page at <paramref name="path"/> shows the record <paramref name="id"/>.</summary>
    public static async Task<bool> ListsAsync(this HttpClient client, string path, Guid id) =>
        (await client.OkJsonAsync(path)).GetProperty("items").EnumerateArray().Any(item => item.GetProperty("id").GetGuid() == id);
}
