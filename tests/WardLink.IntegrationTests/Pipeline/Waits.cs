using MassTransit;
using WardLink.Contracts.Partners;
using WardLink.EventSourcing;
using WardLink.Testing;
using WardLink.Tips;

namespace WardLink.IntegrationTests.Pipeline;

/// <summary>What the tests of waiting messages (<see cref="WaitQueues"/>) share.</summary>
internal static class Waits
{
    /// <summary>Until the host has made messages of <typeparamref name="TMessage"/> wait <paramref name="waits"/> times in all (counted since <paramref name="metrics"/> began).</summary>
    public static Task WaitedAsync<TMessage>(this HostMetrics metrics, int waits, TimeSpan? timeout = null) =>
        Eventually.Get(
            () => Task.FromResult(metrics.Sum(MessageRetries.InstrumentName, ("message_type", typeof(TMessage).Name), ("reason", "notKnownYet")) >= waits ? "waited" : null),
            $"{typeof(TMessage).Name} messages to wait {waits} times",
            timeout);

    /// <summary>Registers the site whose retirement waits, and waits until tips has it retired.</summary>
    public static async Task RegisteredThenRetiredInTipsAsync(this ServiceGroup services, TestBus bus, Guid siteId, Guid partnerId)
    {
        await bus.PublishAsync(new SiteRegistered(siteId, partnerId, "School gate", SiteKind.Gate, 19.81, 105.78, DateTimeOffset.UtcNow), NewId.NextGuid());
        await Eventually.Get(
            async () => (await services.SitesKnownToAsync(TipsService.Name)).SingleOrDefault(site => site.Id == siteId && site.RetiredAt is not null),
            "the waiting retirement applied once its site came",
            TimeSpan.FromSeconds(60));
    }
}
