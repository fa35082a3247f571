using Marten;
using Marten.Pagination;

namespace WardLink.ServiceDefaults;

/// <summary>A page of a list: <c>limit</c> and <c>page</c> from the query string, checked.</summary>
public readonly record struct PageRequest(int Limit, int Page)
{
    /// <summary>Reads <c>limit</c> (1 to <paramref name="maxLimit"/>, default <paramref name="defaultLimit"/>) and <c>page</c> (from 1).</summary>
    public static PageRequest Read(int? limit, int? page, int defaultLimit, int maxLimit, FieldErrors errors)
    {
        var request = new PageRequest(limit ?? defaultLimit, page ?? 1);
        errors
            .Check(request.Limit is >= 1 && request.Limit <= maxLimit, "limit", $"Between 1 and {maxLimit}.")
            .Check(request.Page >= 1, "page", "Pages start at 1.");
        return request;
    }
}

/// <summary>One page of a list, with the total count of what matched.</summary>
public sealed record ListPage<T>(IReadOnlyList<T> Items, long Total, int Page, int Limit)
{
    /// <summary>The same page with each item shown through <paramref name="view"/>.</summary>
    public ListPage<TView> Select<TView>(Func<T, TView> view) => new([.. Items.Select(view)], Total, Page, Limit);
}

public static class Paging
{
    public static async Task<ListPage<T>> ToListPageAsync<T>(this IQueryable<T> query, PageRequest request, CancellationToken ct)
    {
        var found = await query.ToPagedListAsync(request.Page, request.Limit, ct);
        return new ListPage<T>([.. found], found.TotalItemCount, request.Page, request.Limit);
    }
}
