using Microsoft.AspNetCore.Http;
using WardLink.Testing;

namespace WardLink.IntegrationTests.Partners;

/// <summary>The webhook system with its sender polling once every ten minutes (the most it takes): what it sends meanwhile it was woken to send.</summary>
public sealed class RarelyPollingWebhookSystem : WebhookSystem
{
    protected override IReadOnlyDictionary<string, string?> SenderSettings { get; } =
        new Dictionary<string, string?>(QuickSender) { ["Webhooks:PollInterval"] = "00:10:00" };
}

/// <summary>
/// The sender polls for due deliveries (<c>Webhooks:PollInterval</c>) and is also woken: a delivery queued is attempted at once, and
/// a round that left due deliveries for want of room (four attempts under way to one partner) is followed by the next as soon as
/// an attempt ends. A partner's backlog after an outage went out four a poll (a second) however fast its endpoint answered: a
/// probe saw deliveries wait 16–35 s for their first attempt after a 40 s broker pause.
/// </summary>
public sealed class WebhookWakeTests(RarelyPollingWebhookSystem system) : IClassFixture<RarelyPollingWebhookSystem>
{
    private const int PerPartner = 4;

    [Fact]
    public async Task With_ten_minutes_between_polls_a_backlog_past_a_partner_s_room_goes_out_once_its_endpoint_answers()
    {
        var ct = TestContext.Current.CancellationToken;
        var (partnerId, siteId) = await system.PartnerWithSiteAsync("Thanh Hóa Children's Hospital", "Children's hospital east gate");
        var partner = system.ClientOf(partnerId);
        var answer = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var (webhookId, _) = await WebhookTests.SubscribeAsync(partner, partnerId, system.Receiver.Endpoint("backlog", async response =>
        {
            await answer.Task;
            await response.WriteAsync("thanks", ct);
        }), "incidentReported");

        const int backlog = (3 * PerPartner) + 1;
        var messages = Enumerable.Range(0, backlog).Select(_ => Guid.NewGuid()).ToList();
        foreach (var messageId in messages)
        {
            await system.Bus.PublishAsync(WebhookTests.IncidentAt(siteId), messageId);
        }

        // The first attempts, woken by the queueing, wait for their answer: the partner's room is taken, the rest queued behind it.
        await Eventually.Get(() => Task.FromResult(messages.All(messageId => system.Consumed.CountOf(messageId) >= 1) ? "consumed" : null), "every message consumed");
        await Eventually.Get(() => Task.FromResult(system.Receiver.At("backlog").Count >= PerPartner ? "taken" : null), "the partner's room taken");
        Assert.Equal(PerPartner, system.Receiver.At("backlog").Count);

        answer.SetResult();
        var delivered = await WebhookTests.DeliveriesAsync(partner, partnerId, webhookId, "delivered", backlog, TimeSpan.FromSeconds(60));
        Assert.Equal(backlog, delivered.Count);
        Assert.Equal(backlog, system.Receiver.At("backlog").Select(received => received.Id).Distinct().Count());
    }
}
