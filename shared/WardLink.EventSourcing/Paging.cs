using System.ComponentModel.DataAnnotations;
using Marten;
using Marten.Linq.MatchesSql;
using Marten.Metadata;
using Marten.Pagination;
using WardLink.Domain;
using WardLink.EventSourcing.Wards;

namespace WardLink.EventSourcing;

/// <summary>
/// A page of a list: <c>limit</c> and <c>page</c> from the query string, checked. Pages stop at
/// <see cref="MaxPage"/> and limits at <see cref="MaxLimit"/>, so the offset of any page accepted
/// (<see cref="Offset"/>, at most 9,999,000) fits the database's 32-bit offset.
/// </summary>
public readonly record struct PageRequest(int Limit, int Page)
{
    public const int MaxPage = 10_000;
    public const int MaxLimit = 1_000;

    /// <summary>The page a request that names none reads, as the documents state it (<c>default</c>).</summary>
    public const int FirstPage = 1;

    /// <summary>The limits of a page, as API documents state them.</summary>
    public static readonly string Limits = $"Pages 1 to {MaxPage}.";

    /// <summary>How many items come before this page.</summary>
    public int Offset => (Page - 1) * Limit;

    /// <summary>Reads <c>limit</c> (1 to <paramref name="maxLimit"/>, default <paramref name="defaultLimit"/>) and <c>page</c> (1 to <see cref="MaxPage"/>).</summary>
    public static PageRequest Read(int? limit, int? page, int defaultLimit, int maxLimit, FieldErrors errors)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxLimit, MaxLimit);
        var request = new PageRequest(limit ?? defaultLimit, page ?? FirstPage);
        errors
            .Check(request.Limit is >= 1 && request.Limit <= maxLimit, "limit", $"Between 1 and {maxLimit}.")
            .Check(request.Page is >= 1 and <= MaxPage, "page", $"Pages run from 1 to {MaxPage}; narrow the filters to reach further.");
        return request;
    }
}

/// <summary>One page of a list, with the total count of what matched.</summary>
public sealed record ListPage<T>(
    [property: MaxLength(PageRequest.MaxLimit)] IReadOnlyList<T> Items,
    [property: Range(0, long.MaxValue)] long Total,
    [property: Range(1, PageRequest.MaxPage)] int Page,
    [property: Range(1, PageRequest.MaxLimit)] int Limit)
{
    /// <summary>The same page with each item shown through <paramref name="view"/>.</summary>
    public ListPage<TView> Select<TView>(Func<T, TView> view) => new([.. Items.Select(view)], Total, Page, Limit);
}

/// <summary>
/// A read model's row of a list that spans wards: the record it stands for (by id) and the ward it
/// was recorded in, which the store fills in (<see cref="ITenanted.TenantId"/>) whenever it reads the row.
/// </summary>
public interface IListRow : ITenanted
{
    Guid Id { get; }
}

/// <summary>A record of a list, with the ward it belongs to.</summary>
public sealed record InWard<T>(T Record, string Ward);

/// <summary>A page asked of a list deeper than it pages (<see cref="Paging.MaxDepthAcrossDatabases"/>): a 400 on <c>page</c>.</summary>
public sealed class PageTooDeepException(string message) : Exception(message);

public static class Paging
{
    /// <summary>How deep (offset and limit) a list of wards kept in several databases pages: each database gives that many rows to merge.</summary>
    public const int MaxDepthAcrossDatabases = 10_000;

    public static async Task<ListPage<T>> ToListPageAsync<T>(this IQueryable<T> query, PageRequest request, CancellationToken ct)
    {
        var (rows, total) = await PagedAsync(query, request, ct);
        return new ListPage<T>(rows, total, request.Page, request.Limit);
    }

    /// <summary>
    /// The page <paramref name="request"/> of <paramref name="query"/> and the count of all it matches. Marten counts
    /// with the page's rows (<c>count(*) over ()</c>), so a page past the end counts none: its count is then the first
    /// row's (the query already asks for statistics, which a plain count would refuse).
    /// </summary>
    private static async Task<(IReadOnlyList<T> Rows, long Total)> PagedAsync<T>(IQueryable<T> query, PageRequest request, CancellationToken ct)
    {
        var page = await query.ToPagedListAsync(request.Page, request.Limit, ct);
        return ([.. page], page.Count > 0 || request.Page == 1 ? page.TotalItemCount : (await query.ToPagedListAsync(1, 1, ct)).TotalItemCount);
    }

    /// <summary>
    /// The rows of several databases, each part in its database's order, merged: the next row is always the head of a
    /// part, the one that comes first in <paramref name="order"/> (as .NET compares). A part's rows keep their
    /// database's order even where .NET would order them otherwise (text under another collation), so every page is a window
    /// of one sequence: no row is shown twice and none is skipped.
    /// </summary>
    private static IEnumerable<TRow> Merged<TRow>(IReadOnlyList<IReadOnlyList<TRow>> parts, Func<IQueryable<TRow>, IOrderedQueryable<TRow>> order)
        where TRow : IListRow
    {
        var rank = order(parts.SelectMany(part => part).AsQueryable()).AsEnumerable()
            .Select((row, index) => (row.TenantId, row.Id, index))
            .ToDictionary(ranked => (ranked.TenantId, ranked.Id), ranked => ranked.index);
        var next = new int[parts.Count];
        while (true)
        {
            var first = -1;
            for (var part = 0; part < parts.Count; part++)
            {
                if (next[part] < parts[part].Count && (first < 0 || RankOf(parts[part][next[part]]) < RankOf(parts[first][next[first]])))
                {
                    first = part;
                }
            }

            if (first < 0)
            {
                yield break;
            }

            yield return parts[first][next[first]++];
        }

        int RankOf(TRow row) => rank[(row.TenantId, row.Id)];
    }

    /// <summary>
    /// A page of a list that spans <paramref name="wards"/>: the read model's rows of those wards that
    /// <paramref name="filter"/> keeps, in <paramref name="order"/>, showing the records themselves (the
    /// documents <c>GET</c> of one reads, found by <paramref name="idOf"/>), each with its ward. Wards kept
    /// in several databases (<see cref="WardDatabases"/>) are each asked for their rows up to the page's
    /// end and their count, and the parts merged in <paramref name="order"/> (<see cref="Merged{TRow}"/>: each keeps its
    /// database's order, so text of different databases sorts as .NET compares it, which may differ from their collation);
    /// such a list pages no deeper than <see cref="MaxDepthAcrossDatabases"/> rows (<see cref="PageTooDeepException"/>).
    /// The rows, their count and the records are read at one moment (<see cref="WardDatabases.AtOneMomentAsync{T}"/>): a record
    /// shown is as its row was when the filter kept it.
    /// </summary>
    public static async Task<ListPage<InWard<TRecord>>> PageAsync<TRow, TRecord>(
        this WardDatabases databases,
        IReadOnlyList<string> wards,
        Func<IQueryable<TRow>, IQueryable<TRow>> filter,
        Func<IQueryable<TRow>, IOrderedQueryable<TRow>> order,
        Func<TRecord, Guid> idOf,
        PageRequest request,
        CancellationToken ct)
        where TRow : IListRow
        where TRecord : notnull
    {
        if (!databases.IsAtOneMoment)
        {
            return await databases.AtOneMomentAsync(moment => moment.PageAsync(wards, filter, order, idOf, request, ct));
        }

        var several = wards.Select(databases.DatabaseOf).Distinct().Count() > 1;
        if (several && request.Offset + request.Limit > MaxDepthAcrossDatabases)
        {
            throw new PageTooDeepException(
                $"A list of wards kept in several databases pages up to {MaxDepthAcrossDatabases} rows deep: name a ward (ward=) or narrow the filters to reach further.");
        }

        var parts = await databases.ReadAsync(wards, async (session, tenants) =>
        {
            var kept = filter(session.Query<TRow>().Where(row => row.TenantIsOneOf(tenants)));
            var rows = order(kept);
            if (!several)
            {
                return [await PagedAsync(rows, request, ct)];
            }

            return (IReadOnlyList<(IReadOnlyList<TRow> Rows, long Total)>)[(await rows.Take(request.Offset + request.Limit).ToListAsync(ct), await kept.LongCountAsync(ct))];
        });
        List<TRow> rows = several
            ? [.. Merged([.. parts.Select(part => part.Rows)], order).Skip(request.Offset).Take(request.Limit)]
            : [.. parts.SelectMany(part => part.Rows)];

        var ids = rows.Select(row => row.Id).ToArray();
        var records = (await databases.ReadAsync(
                rows.Select(row => databases.WardOfTenant(row.TenantId!)),
                async (session, tenants) => await session.Query<TRecord>().Where(record => record.TenantIsOneOf(tenants) && record.MatchesSql("d.id = ANY(?)", ids)).ToListAsync(ct)))
            .ToDictionary(idOf);
        return new ListPage<InWard<TRecord>>(
            [.. rows.Where(row => records.ContainsKey(row.Id)).Select(row => new InWard<TRecord>(records[row.Id], databases.WardOfTenant(row.TenantId!)))],
            parts.Sum(part => part.Total),
            request.Page,
            request.Limit);
    }
}
