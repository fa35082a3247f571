using System.Linq.Expressions;

namespace WardLink.EventSourcing;

/// <summary>How a list applies an optional filter: only when the client gave a value for it.</summary>
public static class QueryFilters
{
    /// <summary>
    /// <paramref name="query"/> narrowed by <paramref name="matches"/> of the given value, or as
    /// it is when <paramref name="value"/> is null (the filter was not asked for).
    /// </summary>
    public static IQueryable<T> WhereGiven<T, TValue>(this IQueryable<T> query, TValue? value, Func<TValue, Expression<Func<T, bool>>> matches)
        where TValue : struct =>
        value is { } given ? query.Where(matches(given)) : query;
}
