using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using WardLink.Contracts;
using WardLink.Domain;
using WardLink.EventSourcing.Sites;

namespace WardLink.EventSourcing.Wards;

/// <summary>
/// What an intake looks up before it decides a new record (<see cref="WardChecks.CheckWard"/>): the
/// ward its session records in, and the ward of the site the record's place names.
/// </summary>
public static class WardIntake
{
    /// <summary>
    /// The ward <paramref name="session"/> records in, and the ward of the site <paramref name="place"/>
    /// names (null when it names none, or one this service's site directory does not know; a site known
    /// from before wards existed is the home ward's). A site of a ward the request's caller
    /// (<paramref name="seenBy"/>; null for a message, which sees every ward) may not see is, to it, one
    /// the directory does not know: its answer names no ward of another's. A site of a ward merged into another by the
    /// record's time (<paramref name="at"/>) is the successor's then: a tip sent today from a site of
    /// Quảng Thắng, merged into Đông Quang, is Đông Quang's. A ward the jurisdiction directory does not know
    /// (yet) takes no record: the work fails, so a message is retried until the directory knows it.
    /// </summary>
    public static async Task<(RecordingWard Ward, string? SiteWard)> LookUpWardsAsync(
        this IQuerySession session, Place? place, WardTenants tenants, WardAccess? seenBy, DateTimeOffset at, CancellationToken ct)
    {
        var ward = await session.WardOfSessionAsync(ct)
            ?? throw new NotKnownYetException($"The ward of tenant '{session.TenantId}' is not in this service's jurisdiction directory (yet): nothing can be recorded in it.");
        var site = place?.SiteId is { } siteId ? await session.LoadAsync<KnownSite>(siteId, ct) : null;
        if (site is null)
        {
            return (ward.AsRecording(), null);
        }

        var siteWard = await RequestWards.WardAtAsync(site.WardIn(tenants), id => id == ward.Id ? Task.FromResult<KnownWard?>(ward) : session.WardAsync(id, ct), at);
        return (ward.AsRecording(), seenBy is null || seenBy.Allows(siteWard) ? siteWard : null);
    }

    /// <summary>
    /// As <see cref="LookUpWardsAsync"/>, for a message (which sees every ward), of a record of time <paramref name="at"/>
    /// (a referred tip's, an observation's: the site of a ward merged by then is its successor's, as at the sender's intake):
    /// a site it names that the site directory does not know is one the sending service knew, whose registration is still
    /// on its way on another queue: the message waits for it (<see cref="NotKnownYetException"/>), where a request naming it is refused.
    /// </summary>
    public static async Task<(RecordingWard Ward, string? SiteWard)> LookUpWardsOfMessageAsync(
        this IQuerySession session, Place? place, WardTenants tenants, DateTimeOffset at, CancellationToken ct)
    {
        var (ward, siteWard) = await session.LookUpWardsAsync(place, tenants, seenBy: null, at, ct);
        return place?.SiteId is { } siteId && siteId != Guid.Empty && siteWard is null
            ? throw new NotKnownYetException($"Site {siteId} is not in this service's site directory (yet).")
            : (ward, siteWard);
    }

    /// <summary>
    /// The refusal of new record <paramref name="decision"/> starts (or would start: <see cref="Decision.WouldBegin"/>): its
    /// ward's end judged with the request's values, since what happens from a merger on is the successor's. It may not go to
    /// the request's ward when it begins (when its first event happened: <see cref="BusinessEvents.HappenedAt"/>; for a
    /// decision that refused the request's values and began nothing, when <paramref name="beginsAt"/> says, by default now,
    /// when it is recorded; null: not known) once that ward has ended: a 400 on <c>ward</c>, named with the other wrong values
    /// of a refused request and before any other refusal. It may when the request's ward is a record's in the path (what is
    /// added under an existing record, as a step to it, stays in its ward), when the session records in another ward than
    /// the request's (a ward being established), and when the request acts in no ward (<see cref="RequestWards.AllowedWithoutWard"/>).
    /// Intakes that check their own business time field (<see cref="WardChecks.CheckWard"/>) name it there.
    /// </summary>
    public static Rejection? RefusalOfNewRecord(this HttpContext http, IQuerySession session, Decision decision, Func<DateTimeOffset, DateTimeOffset?>? beginsAt)
    {
        if (http.Features.Get<RequestWard>() is not { OfRecord: false, Ward: { EndedOn: not null } ward }
            || session.TenantId != http.RequestServices.GetRequiredService<WardTenants>().TenantOf(ward.Id))
        {
            return decision.Rejection;
        }

        var begins = decision.Events.Concat(decision.WouldBegin).OfType<IBusinessEvent>().FirstOrDefault() is { } first
            ? first.HappenedAt()
            : decision.Rejection is null ? null : (beginsAt ?? (now => now))(http.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow());
        var ended = new FieldErrors().CheckWard(ward.AsRecording(), begins, "ward", siteWard: null);
        return !ended.Any ? decision.Rejection : decision.Rejection is { } refused ? refused.AndThen(ended.ToRejection()) : ended.ToRejection();
    }

    /// <summary>The ward as a decision checks it.</summary>
    public static RecordingWard AsRecording(this KnownWard ward) => new(ward.Id, ward.EndedOn, ward.MergedInto);
}
