using Marten;
using MassTransit;
using WardLink.Contracts.Partners;
using WardLink.EventSourcing.Wards;
using WardLink.ServiceDefaults.Security;

namespace WardLink.EventSourcing.Sites;

/// <summary>
/// Whether a partner is in good standing, as this service knows it from the partners service's messages: suspended or resumed
/// (<c>Version</c>, the partner's stream version of the last step kept, so a late message never overwrites a newer one), or
/// gone (<c>Left</c>, for good, from <c>LeftAt</c>: none for a leave kept before its time was). A partner the directory does
/// not know (registered, nothing since) is in good standing.
/// </summary>
public sealed record KnownPartnerStanding(Guid Id, bool InGoodStanding, long Version, bool Left = false, DateTimeOffset? LeftAt = null);

/// <summary>
/// The service's own answer to whether a partner's token may act (<see cref="IPartnerStandingCheck"/>): every service but the
/// partners service (which reads its records) keeps the partners' standing as it keeps their sites, so a token a suspended partner
/// still holds works nowhere, not only at the gateway.
/// </summary>
public sealed class PartnerStandingDirectory(IDocumentStore store) : IPartnerStandingCheck
{
    public async Task<bool> InGoodStandingAsync(Guid partnerId, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        return await session.LoadAsync<KnownPartnerStanding>(partnerId, ct) is not { } known || known.InGoodStanding;
    }
}

/// <summary>Keeps a suspension or a resumption, unless the directory already has a newer step of the partner or its leaving.</summary>
public sealed class PartnerStandingChangedConsumer(IDocumentSession session, TimeProvider clock, WardDatabases databases, WardTenants tenants)
    : DirectoryConsumer<PartnerStandingChanged>(session, clock, databases, tenants)
{
    protected override async Task KeepAsync(PartnerStandingChanged message, IDocumentSession session, string ward, CancellationToken cancellationToken)
    {
        var known = await session.LoadAsync<KnownPartnerStanding>(message.PartnerId, cancellationToken);
        if (known is null || (!known.Left && known.Version < message.PartnerVersion))
        {
            session.Keep(known, new KnownPartnerStanding(message.PartnerId, message.InGoodStanding, message.PartnerVersion));
        }
    }
}

/// <summary>Keeps a partner's leaving: it is out of standing for good, whatever arrives after.</summary>
public sealed class PartnerLeftStandingConsumer(IDocumentSession session, TimeProvider clock, WardDatabases databases, WardTenants tenants)
    : DirectoryConsumer<PartnerLeft>(session, clock, databases, tenants)
{
    protected override async Task KeepAsync(PartnerLeft message, IDocumentSession session, string ward, CancellationToken cancellationToken)
    {
        var known = await session.LoadAsync<KnownPartnerStanding>(message.PartnerId, cancellationToken);
        session.Keep(known, new KnownPartnerStanding(message.PartnerId, false, known?.Version ?? 0, Left: true, message.LeftAt));
    }
}

public static class PartnerStandings
{
    /// <summary>
    /// Which of <paramref name="partnerIds"/> the directory knows had left the linkage by <paramref name="at"/> (one whose leave
    /// was kept without its time: at any time). A partner whose leave is still on its way is not among them.
    /// </summary>
    public static async Task<IReadOnlyList<Guid>> DepartedByAsync(this IQuerySession session, IReadOnlyList<Guid> partnerIds, DateTimeOffset at, CancellationToken ct) =>
        partnerIds.Count == 0
            ? []
            : [.. (await session.LoadManyAsync<KnownPartnerStanding>(ct, partnerIds.Distinct()))
                .Where(known => known.Left && (known.LeftAt is not { } left || left <= at))
                .Select(known => known.Id)
                .Order()];

    public static void AddPartnerStandings(this IBusRegistrationConfigurator bus)
    {
        bus.AddConsumer<PartnerStandingChangedConsumer>();
        bus.AddConsumer<PartnerLeftStandingConsumer>();
    }

    /// <summary>
    /// Writes <paramref name="kept"/> over <paramref name="known"/> (as this session read it): an insert where there was no row, so
    /// two deliveries at once for a partner the directory did not know cannot both keep their step (the second insert fails and the
    /// bus delivers its message again, which then reads the first's), an update under optimistic concurrency where there was one.
    /// </summary>
    internal static void Keep(this IDocumentSession session, KnownPartnerStanding? known, KnownPartnerStanding kept)
    {
        if (known is null)
        {
            session.Insert(kept);
        }
        else
        {
            session.Update(kept);
        }
    }

    /// <summary>Kept once for every ward, under optimistic concurrency: two deliveries at once cannot both keep their step.</summary>
    public static void AddPartnerStandings(this StoreOptions store) =>
        store.Schema.For<KnownPartnerStanding>().SingleTenanted().UseOptimisticConcurrency(true);
}
