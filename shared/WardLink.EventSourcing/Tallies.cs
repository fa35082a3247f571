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

/// <summary>What the database counted of several fields of one set of rows, each field's tallies apart.</summary>
public sealed class Facets(ILookup<string, Tally> tallies)
{
    /// <summary>The tallies of field <paramref name="member"/> (as it was named to <see cref="Tallies.CountEachAsync{T}"/>).</summary>
    public IEnumerable<Tally> this[string member] => tallies[member];
}

/// <summary>
/// The one way statistics count: the rows of the wards a statistic covers, each ward up to the end of
/// its share (<see cref="InShares"/>), which the database groups by each field asked for, in one query
/// (<see cref="CountEachAsync"/>), or adds up (<see cref="SumEachAsync"/>), and the answer names the
/// values as the API does. A value stored before enums were read strictly (e.g. a number) names
/// nothing and is not counted.
/// </summary>
public static class Tallies
{
    private static readonly MethodInfo TenantIsOneOf = typeof(LinqExtensions).GetMethod(nameof(LinqExtensions.TenantIsOneOf))!;

    /// <summary>
    /// The rows a statistic of local year <paramref name="year"/> counts: each of <paramref name="shares"/>'
    /// ward's own rows whose business time (<paramref name="at"/>) falls in the year and before the
    /// end of the share, whatever ward the session is in. One query, whichever wards and boundaries.
    /// </summary>
    public static IQueryable<T> InShares<T>(this IQueryable<T> rows, IReadOnlyList<WardShare> shares, WardTenants tenants, Expression<Func<T, DateTimeOffset>> at, int year)
    {
        ArgumentOutOfRangeException.ThrowIfZero(shares.Count);
        var (start, end) = WardTime.LocalYearSpan(year);
        var row = at.Parameters[0];
        var inShares = shares
            .Select(share => (Expression)Expression.AndAlso(
                Expression.Call(TenantIsOneOf.MakeGenericMethod(typeof(T)), row, Expression.Constant(new[] { tenants.TenantOf(share.Ward) })),
                Expression.LessThan(at.Body, Expression.Constant((share.Until < end ? share.Until.Value : end).ToUniversalTime()))))
            .Aggregate(Expression.OrElse);

        // In UTC: what a timestamptz parameter takes.
        return rows.Where(Expression.Lambda<Func<T, bool>>(Expression.AndAlso(Expression.GreaterThanOrEqual(at.Body, Expression.Constant(start.ToUniversalTime())), inShares), row));
    }

    /// <summary>
    /// The rows of <paramref name="rows"/> counted by each of <paramref name="members"/> (property
    /// names, <c>Residence.PremisesVisited</c> for a nested one), in one query; with
    /// <paramref name="sumOf"/>, each tally also adds that member up.
    /// </summary>
    public static async Task<Facets> CountEachAsync<T>(
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

        return new Facets(tallies.ToLookup(tally => tally.Member, tally => tally.Tally, StringComparer.Ordinal));
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

    /// <summary>
    /// The median of <paramref name="value"/> over <paramref name="rows"/> (which all have one),
    /// rounded to 2 decimals, null when there are none: the database counts and sorts, and gives
    /// the middle one or two.
    /// </summary>
    public static async Task<double?> MedianAsync<T>(this IQueryable<T> rows, Expression<Func<T, double>> value, CancellationToken ct)
        where T : notnull
    {
        var count = await rows.CountAsync(ct);
        if (count == 0)
        {
            return null;
        }

        var middle = await rows.OrderBy(value).Skip((count - 1) / 2).Take(2 - (count % 2)).Select(value).ToListAsync(ct);
        return Math.Round(middle.Average(), 2);
    }

    /// <summary>How many rows were counted (whatever their value).</summary>
    public static int Total(this IEnumerable<Tally> tallies) => tallies.Sum(tally => tally.Count);

    /// <summary>How many rows have <paramref name="value"/> (e.g. <c>"true"</c>, or null for none).</summary>
    public static int CountOf(this IEnumerable<Tally> tallies, string? value) => tallies.Where(tally => tally.Value == value).Sum(tally => tally.Count);

    /// <summary>Every value of <typeparamref name="T"/> by its API name, 0 where there was none, so two years line up.</summary>
    public static Dictionary<string, int> EveryName<T>(this IEnumerable<Tally> tallies)
        where T : struct, Enum
    {
        var counts = Enum.GetValues<T>().ToDictionary(value => EnumNames.NameOf(value)!, _ => 0, StringComparer.Ordinal);
        foreach (var (value, count) in tallies.Named<T>())
        {
            counts[EnumNames.NameOf(value)!] += count;
        }

        return counts;
    }

    /// <summary>The values of <typeparamref name="T"/> that were counted, in the enum's order (the others left out).</summary>
    public static Dictionary<T, int> Named<T>(this IEnumerable<Tally> tallies)
        where T : struct, Enum =>
        tallies
            .Select(tally => (Named: EnumNames.TryParse<T>(tally.Value, out var value), Value: value, tally.Count))
            .Where(tally => tally.Named)
            .GroupBy(tally => tally.Value)
            .OrderBy(group => group.Key)
            .ToDictionary(group => group.Key, group => group.Sum(tally => tally.Count));

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
