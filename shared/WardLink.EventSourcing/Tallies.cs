using System.Linq.Expressions;
using Marten;
using WardLink.Domain;

namespace WardLink.EventSourcing;

/// <summary>How many rows share one value, as the database counted them.</summary>
public sealed record Tally<TKey>(TKey Key, int Count);

/// <summary>
/// The one way statistics count: the database groups a read model's rows by a value and counts
/// them (<see cref="CountByAsync"/>), and the answer names the values as the API does. A value
/// stored before enums were read strictly (e.g. a number) names nothing and is not counted.
/// </summary>
public static class Tallies
{
    /// <summary>The rows of <paramref name="rows"/> counted by <paramref name="key"/>, in the database.</summary>
    public static async Task<IReadOnlyList<Tally<TKey>>> CountByAsync<T, TKey>(this IQueryable<T> rows, Expression<Func<T, TKey>> key, CancellationToken ct)
        where T : notnull =>
        await rows.GroupBy(key).Select(group => new Tally<TKey>(group.Key, group.Count())).ToListAsync(ct);

    /// <summary>The tallies of the values given (rows without one left out).</summary>
    public static IEnumerable<Tally<T>> Given<T>(this IEnumerable<Tally<T?>> tallies)
        where T : struct => tallies.Where(tally => tally.Key is not null).Select(tally => new Tally<T>(tally.Key!.Value, tally.Count));

    /// <summary>Every value of <typeparamref name="T"/> by its API name, 0 where there was none, so two years line up.</summary>
    public static Dictionary<string, int> EveryName<T>(this IEnumerable<Tally<T>> tallies)
        where T : struct, Enum
    {
        var counts = Enum.GetValues<T>().ToDictionary(value => EnumNames.NameOf(value)!, _ => 0, StringComparer.Ordinal);
        foreach (var tally in tallies)
        {
            if (EnumNames.NameOf(tally.Key) is { } name)
            {
                counts[name] += tally.Count;
            }
        }

        return counts;
    }

    /// <summary>The values of <typeparamref name="T"/> that were counted, in the enum's order (the others left out).</summary>
    public static Dictionary<T, int> Named<T>(this IEnumerable<Tally<T>> tallies)
        where T : struct, Enum => tallies.Where(tally => Enum.IsDefined(tally.Key)).OrderBy(tally => tally.Key).ToDictionary(tally => tally.Key, tally => tally.Count);

    /// <summary>The counts by local hour of the day (0 to 23), 0 where there was none.</summary>
    public static int[] ByHourOfDay(this IEnumerable<Tally<int>> tallies)
    {
        var hours = new int[WardTime.HoursInDay];
        foreach (var tally in tallies.Where(tally => tally.Key is >= 0 and < WardTime.HoursInDay))
        {
            hours[tally.Key] += tally.Count;
        }

        return hours;
    }

    /// <summary>The counts by site (its id as text), and how many rows have no site.</summary>
    public static (Dictionary<string, int> BySite, int WithoutSite) BySite(this IReadOnlyList<Tally<Guid?>> tallies) => (
        tallies.Given().ToDictionary(tally => tally.Key.ToString(), tally => tally.Count, StringComparer.Ordinal),
        tallies.Where(tally => tally.Key is null).Sum(tally => tally.Count));

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
}
