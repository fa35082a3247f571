using System.Linq.Expressions;
using System.Reflection;
using System.Text.Json;
using Marten;
using Marten.Linq;
using Npgsql;
using WardLink.Domain;
using WardLink.EventSourcing.Wards;

namespace WardLink.EventSourcing;

/// <summary>How many rows have one value of a field (as text, null where none), and what their amounts add up to, as the database counted them.</summary>
public sealed record Tally(string? Value, int Count, long Sum = 0);

/// <summary>
/// What the databases counted of several fields of one set of rows, each field's tallies apart; the tallies of
/// one value that several databases counted are added up into one.
/// </summary>
public sealed class Facets(IEnumerable<(string Member, Tally Tally)> tallies)
{
    private readonly ILookup<string, Tally> _tallies = tallies
        .GroupBy(counted => (counted.Member, counted.Tally.Value))
        .ToLookup(
            same => same.Key.Member,
            same => new Tally(same.Key.Value, same.Sum(counted => counted.Tally.Count), same.Sum(counted => counted.Tally.Sum)),
            StringComparer.Ordinal);

    /// <summary>The tallies of field <paramref name="member"/> (as it was named to <see cref="Tallies.TalliesAsync{T}"/>).</summary>
    public IEnumerable<Tally> this[string member] => _tallies[member];
}

/// <summary>
/// The rows one statistic counts (<see cref="Tallies.InShares{T}"/>), wherever their wards are kept: each count
/// asks every database that keeps some of the statistic's wards (<see cref="WardDatabases"/>) and adds up what they counted.
/// </summary>
/// <param name="at">The rows' business time, which puts each in a year and a ward's share.</param>
public sealed class CountedRows<T>(WardDatabases databases, StatisticWards counted, Expression<Func<T, DateTimeOffset>> at, int year, Func<IQueryable<T>, IQueryable<T>>? then = null)
    where T : notnull
{
    /// <summary>Only the rows that also match <paramref name="predicate"/>.</summary>
    public CountedRows<T> Where(Expression<Func<T, bool>> predicate) =>
        new(databases, counted, at, year, rows => Then(rows).Where(predicate));

    /// <summary>The rows counted by each of <paramref name="members"/> (see <see cref="Tallies.TalliesAsync{T}"/>).</summary>
    public async Task<Facets> CountEachAsync(IReadOnlyList<string> members, CancellationToken ct, string? sumOf = null) =>
        new((await EachAsync((session, rows) => rows.TalliesAsync(session, members, ct, sumOf))).SelectMany(tallies => tallies));

    /// <summary>How many rows there are, and what each of <paramref name="members"/> adds up to over them.</summary>
    public async Task<(int Count, long[] Sums)> SumEachAsync(IReadOnlyList<string> members, CancellationToken ct)
    {
        var parts = await EachAsync((session, rows) => rows.SumEachAsync(session, members, ct));
        return (parts.Sum(part => part.Count), [.. members.Select((_, index) => parts.Sum(part => part.Sums[index]))]);
    }

    public async Task<int> CountAsync(CancellationToken ct) => (await EachAsync((_, rows) => rows.CountAsync(ct))).Sum();

    public Task<int> CountAsync(Expression<Func<T, bool>> predicate, CancellationToken ct) => Where(predicate).CountAsync(ct);

    /// <summary>
    /// The distinct values <paramref name="select"/> finds among the rows (a row's records too), in one query a database: what is
    /// counted of them is of one moment.
    /// </summary>
    public async Task<IReadOnlyList<TValue>> DistinctAsync<TValue>(Func<IQueryable<T>, IQueryable<TValue>> select, CancellationToken ct)
        where TValue : notnull =>
        [.. (await EachAsync(async (_, rows) => await select(rows).ToListAsync(ct))).SelectMany(values => values).Distinct()];

    /// <summary>The median of <paramref name="value"/> over the rows (which all have one), rounded to 2 decimals (<see cref="Figures.Rounded"/>); null when there are none.</summary>
    public async Task<double?> MedianAsync(Expression<Func<T, double>> value, CancellationToken ct)
    {
        List<double> values = [.. (await EachAsync(async (_, rows) => await rows.Select(value).ToListAsync(ct))).SelectMany(found => found).Order()];
        return values.Count == 0 ? null : Figures.Rounded((values[(values.Count - 1) / 2] + values[values.Count / 2]) / 2, 2);
    }

    private IQueryable<T> Then(IQueryable<T> rows) => then is null ? rows : then(rows);

    /// <summary>What <paramref name="count"/> finds in each database, with the statistic's rows of the wards it keeps.</summary>
    private Task<List<TResult>> EachAsync<TResult>(Func<IQuerySession, IQueryable<T>, Task<TResult>> count) =>
        databases.ReadAsync(
            counted.Shares.Select(share => share.Ward),
            async (session, kept) =>
            {
                var here = kept.Select(databases.Wards.WardOf).ToHashSet(StringComparer.Ordinal);
                var rows = session.Query<T>().InShares([.. counted.Shares.Where(share => here.Contains(share.Ward))], databases.Wards, at, year);
                return (IReadOnlyList<TResult>)[await count(session, Then(rows))];
            });
}

/// <summary>
/// The one way statistics count: the rows of the wards a statistic covers, each ward up to the end of
/// its share (<see cref="InShares"/>), which each database keeping some of them groups by each field asked for, in one query
/// (<see cref="TalliesAsync"/>), or adds up (<see cref="SumEachAsync"/>), through <see cref="CountedRows{T}"/>, and the answer names the
/// values as the API does. A value stored before enums were read strictly (e.g. a number) names
/// nothing and is not counted.
/// </summary>
public static class Tallies
{
    private static readonly MethodInfo TenantIsOneOf = typeof(LinqExtensions).GetMethod(nameof(LinqExtensions.TenantIsOneOf))!;

    /// <summary>
    /// The rows of <typeparamref name="T"/> that statistic <paramref name="counted"/> of local year <paramref name="year"/> counts, by their
    /// business time <paramref name="at"/>; with <paramref name="databases"/> read at one moment (<see cref="WardDatabases.AtOneMomentAsync{T}"/>),
    /// so that a statistic's figures, each read by a query of its own, agree with each other.
    /// </summary>
    public static CountedRows<T> Counting<T>(this WardDatabases databases, StatisticWards counted, Expression<Func<T, DateTimeOffset>> at, int year)
        where T : notnull =>
        databases.IsAtOneMoment
            ? new(databases, counted, at, year)
            : throw new InvalidOperationException("A statistic counts with the databases read at one moment (WardDatabases.AtOneMomentAsync).");

    /// <summary>
    /// The rows a statistic of local year <paramref name="year"/> counts: each of <paramref name="shares"/>'
    /// ward's own rows whose business time (<paramref name="at"/>) falls in the year and before the
    /// end of the share, whatever ward the session is in. One query, whichever wards and boundaries: the wards
    /// whose shares end together are one condition, <c>tenant_id = any(wards) and start &lt;= time &lt; end</c>
    /// (most statistics have one end, the year's), which the <c>(tenant_id, time)</c> index answers whatever the
    /// wards; a condition for each ward's share had a prepared statement's generic plan read the year of every
    /// ward by the time's own index (docs/benchmark.md).
    /// </summary>
    public static IQueryable<T> InShares<T>(this IQueryable<T> rows, IReadOnlyList<WardShare> shares, WardTenants tenants, Expression<Func<T, DateTimeOffset>> at, int year)
    {
        ArgumentOutOfRangeException.ThrowIfZero(shares.Count);

        // A time stored outside the window (written before it was enforced) counts in the window's nearest year.
        var (start, end) = WardTime.LocalYearSpan(year);
        start = year == WardTime.FirstYear ? DateTimeOffset.MinValue : start;
        end = year == WardTime.LastYear ? DateTimeOffset.MaxValue : end;
        var row = at.Parameters[0];
        var inShares = shares
            .GroupBy(share => share.Until < end ? share.Until.Value : end)
            .OrderBy(until => until.Key)
            .Select(until => (Expression)Expression.AndAlso(
                Expression.Call(TenantIsOneOf.MakeGenericMethod(typeof(T)), row, Expression.Constant(until.Select(share => tenants.TenantOf(share.Ward)).Distinct(StringComparer.Ordinal).ToArray())),
                Expression.LessThan(at.Body, Expression.Constant(until.Key))))
            .Aggregate(Expression.OrElse);

        // Compared to the tick (ExactTimes): the last tick of a year is in it, the first of the next is not.
        return rows.Where(Expression.Lambda<Func<T, bool>>(Expression.AndAlso(Expression.GreaterThanOrEqual(at.Body, Expression.Constant(start)), inShares), row));
    }

    /// <summary>
    /// The rows of <paramref name="rows"/> counted by each of <paramref name="members"/> (property
    /// names, <c>Residence.PremisesVisited</c> for a nested one), in one query; with
    /// <paramref name="sumOf"/>, each tally also adds that member up.
    /// </summary>
    public static async Task<IReadOnlyList<(string Member, Tally Tally)>> TalliesAsync<T>(
        this IQueryable<T> rows, IQuerySession session, IReadOnlyList<string> members, CancellationToken ct, string? sumOf = null)
        where T : notnull
    {
        var command = rows.ToCommand(FetchType.FetchMany);
        var values = string.Join(", ", members.Select(member => $"('{member}', d.data #>> '{PathOf(member)}')"));
        var sum = sumOf is null ? "0" : $"coalesce(sum((d.data #>> '{PathOf(sumOf)}')::bigint), 0)";
        command.CommandText =
            $"select f.member, f.value, count(*)::int, {sum}::bigint from ({Inner(command)}) as d " +
            $"cross join lateral (values {values}) as f(member, value) group by f.member, f.value";
        var tallies = new List<(string Member, Tally Tally)>();
        await using (var reader = await session.ExecuteReaderAsync(command, ct))
        {
            while (await reader.ReadAsync(ct))
            {
                tallies.Add((reader.GetString(0), new Tally(await reader.IsDBNullAsync(1, ct) ? null : reader.GetString(1), reader.GetInt32(2), reader.GetInt64(3))));
            }
        }

        return tallies;
    }

    /// <summary>How many rows <paramref name="rows"/> has, and what each of <paramref name="members"/> adds up to over them, in one query.</summary>
    public static async Task<(int Count, long[] Sums)> SumEachAsync<T>(this IQueryable<T> rows, IQuerySession session, IReadOnlyList<string> members, CancellationToken ct)
        where T : notnull
    {
        var command = rows.ToCommand(FetchType.FetchMany);
        var sums = string.Concat(members.Select(member => $", coalesce(sum((d.data #>> '{PathOf(member)}')::bigint), 0)::bigint"));
        command.CommandText = $"select count(*)::int{sums} from ({Inner(command)}) as d";
        await using var reader = await session.ExecuteReaderAsync(command, ct);
        await reader.ReadAsync(ct);
        return (reader.GetInt32(0), [.. members.Select((_, index) => reader.GetInt64(index + 1))]);
    }

    /// <summary>How many rows were counted (whatever their value).</summary>
    public static int Total(this IEnumerable<Tally> tallies) => tallies.Sum(tally => tally.Count);

    /// <summary>How many rows have <paramref name="value"/> (e.g. <c>"true"</c>, or null for none).</summary>
    public static int CountOf(this IEnumerable<Tally> tallies, string? value) => tallies.Where(tally => tally.Value == value).Sum(tally => tally.Count);

    /// <summary>Every value of <typeparamref name="T"/> by its API name, 0 where there was none, so two years line up.</summary>
    public static Dictionary<string, int> EveryName<T>(this IEnumerable<Tally> tallies)
        where T : struct, Enum =>
        tallies.Every<T>().ToDictionary(pair => EnumNames.NameOf(pair.Key)!, pair => pair.Value, StringComparer.Ordinal);

    /// <summary>Every value of <typeparamref name="T"/>, in the enum's order, 0 where there was none, so two years line up.</summary>
    public static Dictionary<T, int> Every<T>(this IEnumerable<Tally> tallies)
        where T : struct, Enum
    {
        var counted = tallies
            .Select(tally => (Named: EnumNames.TryParse<T>(tally.Value, out var value), Value: value, tally.Count))
            .Where(tally => tally.Named)
            .GroupBy(tally => tally.Value)
            .ToDictionary(group => group.Key, group => group.Sum(tally => tally.Count));
        return Enum.GetValues<T>().Distinct().Order().ToDictionary(value => value, value => counted.GetValueOrDefault(value));
    }

    /// <summary>The counts by local hour of the day (0 to 23), 0 where there was none.</summary>
    public static int[] ByHourOfDay(this IEnumerable<Tally> tallies)
    {
        var hours = new int[WardTime.HoursInDay];
        foreach (var tally in tallies)
        {
            if (int.TryParse(tally.Value, out var hour) && hour is >= 0 and < WardTime.HoursInDay)
            {
                hours[hour] += tally.Count;
            }
        }

        return hours;
    }

    /// <summary>The counts by site (its id as text), and how many rows have no site.</summary>
    public static (Dictionary<string, int> BySite, int WithoutSite) BySite(this IEnumerable<Tally> tallies) => (
        tallies.Where(tally => Guid.TryParse(tally.Value, out _)).ToDictionary(tally => Guid.Parse(tally.Value!).ToString(), tally => tally.Count, StringComparer.Ordinal),
        tallies.CountOf(null));

    /// <summary>A member's JSON path in a row (<c>{residence,premisesVisited}</c>): its names in camelCase, as the store writes them.</summary>
    private static string PathOf(string member)
    {
        var names = member.Split('.');
        if (!names.All(name => name.Length > 0 && name.All(char.IsAsciiLetterOrDigit)))
        {
            throw new ArgumentException($"'{member}' names no member of a row.", nameof(member));
        }

        return $"{{{string.Join(',', names.Select(JsonNamingPolicy.CamelCase.ConvertName))}}}";
    }

    /// <summary>The rows' own query, to count over.</summary>
    private static string Inner(NpgsqlCommand command) => command.CommandText.TrimEnd().TrimEnd(';');
}
