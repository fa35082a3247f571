using Marten;
using Microsoft.AspNetCore.Http;
using WardLink.ServiceDefaults.Security;

namespace WardLink.EventSourcing.Sites;

/// <summary>A record (or a list's row of it) a partner may see when it submitted it or when it happened at one of its sites.</summary>
public interface IPartnerVisible
{
    /// <summary>The partner whose client submitted the record; null when the police or the public did.</summary>
    Guid? SubmittedByPartner { get; }

    /// <summary>The partner site the record happened at, if any.</summary>
    Guid? SiteId { get; }
}

/// <summary>
/// What a <c>partner</c> client may read: what it submitted and what concerns its sites (from the
/// service's site directory). Other roles have no scope: <see cref="ForAsync"/> gives null.
/// </summary>
public sealed class PartnerScope
{
    private readonly Guid _partnerId;
    private readonly Guid?[] _siteIds;

    private PartnerScope(Guid partnerId, Guid?[] siteIds)
    {
        _partnerId = partnerId;
        _siteIds = siteIds;
    }

    /// <summary>The caller's scope, or null when the caller is not a partner (and sees everything its policy allows).</summary>
    public static async Task<PartnerScope?> ForAsync(HttpContext http, IQuerySession session, CancellationToken ct)
    {
        if (http.PartnerId() is not { } partnerId)
        {
            return null;
        }

        var sites = await session.Query<KnownSite>().Where(site => site.PartnerId == partnerId).Select(site => site.Id).ToListAsync(ct);
        return new PartnerScope(partnerId, [.. sites.Select(id => (Guid?)id)]);
    }

    public bool Covers(IPartnerVisible record) =>
        record.SubmittedByPartner == _partnerId || (record.SiteId is { } site && _siteIds.Contains(site));

    /// <summary>Only the records the partner may see, as a database query.</summary>
    public IQueryable<T> Filter<T>(IQueryable<T> records)
        where T : IPartnerVisible
    {
        var partnerId = _partnerId;
        var siteIds = _siteIds;
        return records.Where(record => record.SubmittedByPartner == partnerId || siteIds.Contains(record.SiteId));
    }
}

public static class PartnerScopes
{
    /// <summary><paramref name="records"/> as the scope allows (all of them without a scope).</summary>
    public static IQueryable<T> VisibleTo<T>(this IQueryable<T> records, PartnerScope? scope)
        where T : IPartnerVisible => scope is null ? records : scope.Filter(records);

    /// <summary>Whether the record may be shown (always without a scope). A hidden record answers 404, as if it did not exist.</summary>
    public static bool Shows(this PartnerScope? scope, IPartnerVisible record) => scope is null || scope.Covers(record);
}
