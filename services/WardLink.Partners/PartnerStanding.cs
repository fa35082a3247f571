using Marten;
using WardLink.EventSourcing;
using WardLink.EventSourcing.Wards;
using WardLink.ServiceDefaults.Security;

namespace WardLink.Partners;

/// <summary>
/// Whether a partner is in good standing (active in the linkage): the gateway's view of a partner,
/// nothing else of it. The gateway issues tokens to a partner's clients, and lets them through,
/// only while it is.
/// </summary>
public sealed record PartnerStandingView(Guid PartnerId, PartnerStatus Status, bool InGoodStanding);

public static class PartnerStanding
{
    /// <summary><c>GET /partners/{id}/standing</c>, for the gateway (and the police): 404 for a partner never registered.</summary>
    public static RouteGroupBuilder MapPartnerStanding(this RouteGroupBuilder partners)
    {
        partners.MapGet("/{id:guid}/standing", Get)
            .RequireAuthorization(WardLinkPolicies.PartnerStanding)
            .WithName("GetPartnerStanding")
            .WithSummary("Whether a partner is active in the linkage; the gateway gives its clients tokens and lets them through only then.")
            .Produces<PartnerStandingView>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        return partners;
    }

    /// <summary>Whether partner <paramref name="partnerId"/> is in good standing now: its clients let through, its webhooks told.</summary>
    public static async Task<bool> InGoodStandingAsync(this IQuerySession session, Guid partnerId, CancellationToken ct) =>
        await session.LoadAsync<PartnerState>(partnerId, ct) is { } partner && InGoodStanding(partner);

    /// <summary>
    /// Whether partner <paramref name="partnerId"/> was in good standing at <paramref name="at"/>: its suspensions, resumptions and
    /// leaving up to then, each at its own time, whenever it is asked (a notice of what happened then, made a moment later).
    /// </summary>
    public static async Task<bool> WasInGoodStandingAsync(this IQuerySession session, Guid partnerId, DateTimeOffset at, CancellationToken ct)
    {
        if (await session.LoadAsync<PartnerState>(partnerId, ct) is not { } partner)
        {
            return false;
        }

        var then = partner with { Status = PartnerStatus.Active };
        foreach (var recorded in await session.Events.FetchStreamAsync(partnerId, token: ct))
        {
            then = recorded.Data switch
            {
                PartnerSuspended suspended when suspended.At <= at => then.Apply(suspended),
                PartnerResumed resumed when resumed.At <= at => then.Apply(resumed),
                PartnerLeft left when left.At <= at => then.Apply(left),
                _ => then,
            };
        }

        return InGoodStanding(then);
    }

    /// <summary>Whether <paramref name="partner"/> is served: active in the linkage, neither suspended nor gone.</summary>
    internal static bool InGoodStanding(PartnerState partner) => partner.Status == PartnerStatus.Active;

    private static async Task<IResult> Get(Guid id, IQuerySession session, CancellationToken ct) =>
        await session.LoadAsync<PartnerState>(id, ct) is { } partner
            ? Results.Ok(new PartnerStandingView(partner.Id, partner.Status, InGoodStanding(partner)))
            : StreamResults.NotFound(Partner.What, id);
}

/// <summary>
/// The partners service's own answer to whether a partner's token may act: the partner's record, in its ward, as of the request
/// (the other services keep a directory from its messages; here one would lag the records while the relay cannot publish): out
/// of standing in any ward that records it (an insider's copy in another ward too), it may not act. A partner no ward records
/// (none registered under the id) is in good standing, as the directories take it. One query of each ward database a request.
/// </summary>
public sealed class PartnerStandingOfRecord(IDocumentStore store, WardDatabases databases) : IPartnerStandingCheck
{
    public async Task<bool> InGoodStandingAsync(Guid partnerId, CancellationToken ct)
    {
        foreach (var tenant in await databases.TenantsOfStreamsAsync([partnerId], ct))
        {
            await using var session = store.QuerySession(tenant);
            if (await session.LoadAsync<PartnerState>(partnerId, ct) is { } partner && !PartnerStanding.InGoodStanding(partner))
            {
                return false;
            }
        }

        return true;
    }
}
