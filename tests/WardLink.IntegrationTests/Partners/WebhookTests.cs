using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;
using Marten;
using MassTransit;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Trace;
using StandardWebhooks;
using StandardWebhooks.Diagnostics;
using WardLink.Contracts;
using WardLink.Contracts.Incidents;
using WardLink.Contracts.Patrols;
using WardLink.Contracts.Tips;
using WardLink.EventSourcing;
using WardLink.IntegrationTests.Incidents;
using WardLink.IntegrationTests.Operations;
using WardLink.IntegrationTests.Pipeline;
using WardLink.Partners;
using WardLink.ServiceDefaults.Security;
using WardLink.Testing;
using Contract = WardLink.Contracts.Partners;

namespace WardLink.IntegrationTests.Partners;

/// <summary>
/// The partners service, its webhook sender on a short retry schedule and allowed to reach the
/// loopback receiver, two partners (A and B) each with a site, and a bus of the test's own that
/// plays the other services' relays.
/// </summary>
public class WebhookSystem : ServiceGroup
{
    /// <summary>Every event type, as a subscription names them.</summary>
    public static readonly string[] AllEvents = [.. Enum.GetNames<WebhookEventType>().Select(name => JsonNamingPolicy.CamelCase.ConvertName(name))];

    /// <summary>
    /// The sender on a short retry schedule, polling often, allowed to reach a loopback receiver. Its
    /// timeout and window leave room for a loaded machine: an answer later than the timeout is retried (a
    /// second copy with the same <c>webhook-id</c>), and a receiver that fails three times needs its fourth
    /// attempt within the window, which the receiver that is down for all of it waits out.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string?> QuickSender = new Dictionary<string, string?>
    {
        ["Webhooks:AllowLocalTargets"] = "true",
        ["Webhooks:Timeout"] = "00:00:10",
        ["Webhooks:FirstRetryAfter"] = "00:00:00.100",
        ["Webhooks:MaxRetryInterval"] = "00:00:00.400",
        ["Webhooks:RetryFor"] = "00:00:10",
        ["Webhooks:PollInterval"] = "00:00:00.100",
    };

    public ServiceHost<PartnersService> Partners { get; private set; } = null!;

    /// <summary>The sender's settings (<see cref="QuickSender"/>).</summary>
    protected virtual IReadOnlyDictionary<string, string?> SenderSettings => QuickSender;

    public WebhookReceiver Receiver { get; private set; } = null!;

    public TestBus Bus { get; private set; } = null!;

    /// <summary>What the partners service's consumers finished, by message id.</summary>
    public ConsumeCounter Consumed { get; } = new();

    /// <summary>Every line the partners service logged at the levels its configuration sets (appsettings.json), as its exporters write them.</summary>
    public CapturedLogs Logs { get; } = new();

    /// <summary>The spans the partners service exports (what an operator's trace backend receives).</summary>
    public Tips.ExportedSpans Exported { get; } = new();

    public HttpClient Police { get; private set; } = null!;

    public Guid PartnerA { get; private set; }

    public Guid SiteA { get; private set; }

    public Guid PartnerB { get; private set; }

    public Guid SiteB { get; private set; }

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        Receiver = Own(await WebhookReceiver.StartAsync());
        Partners = await StartAsync<PartnersService>(PartnersService.Name, settings: SenderSettings, services: services => services
            .AddConsumeObserver(_ => Consumed)
            .AddLogging(logging => logging.AddProvider(Logs))
            .ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddProcessor(new SimpleActivityExportProcessor(Exported))));
        Bus = Own(await TestBus.StartAsync(VirtualHost));
        Police = Partners.CreateClient();
        (PartnerA, SiteA) = await PartnerWithSiteAsync("Thanh Hóa Eye Hospital", "Eye hospital main gate");
        (PartnerB, SiteB) = await PartnerWithSiteAsync("Provincial Political School", "Political School gate", "school");
    }

    /// <summary>A partner of a test's own, registered by the police, with one site.</summary>
    public async Task<(Guid Partner, Guid Site)> PartnerWithSiteAsync(string name, string site, string kind = "hospital")
    {
        var partner = await Police.RegisterPartnerAsync(name, kind);
        return (partner, await Police.RegisterSiteAsync(partner, site));
    }

    /// <summary>A client of the partner's own, as its partner client calls the service.</summary>
    public HttpClient ClientOf(Guid partnerId) => Partners.CreateClient().As(TestAuth.Token(WardLinkRoles.Partner, partnerId));

}

/// <summary>Signed webhooks for partners (issue 22), against a real HTTP receiver on loopback.</summary>
public sealed class WebhookTests(WebhookSystem system) : IClassFixture<WebhookSystem>
{
    private static readonly string[] CameraInstalled = ["cameraInstalled"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_delivery_arrives_signed_verifies_with_the_package_s_verifier_continues_the_event_s_trace_and_after_two_rotations_verifies_with_each_secret_it_had()
    {
        var partner = system.ClientOf(system.PartnerA);
        var (webhookId, secret) = await SubscribeAsync(partner, system.PartnerA, system.Receiver.Endpoint("signed"), "cameraApproved", "cameraInstalled");
        var cameraId = await CreatedIdAsync(await system.Police.PostAsJsonAsync($"/partners/{system.PartnerA}/sites/{system.SiteA}/cameras", new { description = "Lamp post facing the car park" }, Ct));

        var trace = ActivityTraceId.CreateRandom();
        using (var approve = new HttpRequestMessage(HttpMethod.Post, $"/partners/cameras/{cameraId}/approve") { Content = JsonContent.Create(new { }) })
        {
            approve.Headers.Add("traceparent", $"00-{trace}-{ActivitySpanId.CreateRandom()}-01");
            Assert.Equal(HttpStatusCode.OK, (await system.Police.SendAsync(approve, Ct)).StatusCode);
        }

        var received = Assert.Single(await ArrivedAsync("signed", 1));
        new StandardWebhook(secret).Verify(received.Body, received.Headers);
        Assert.Matches("^msg_[0-9a-f]{32}$", received.Id);
        Assert.Contains(trace.ToString(), received.Headers["traceparent"].ToString(), StringComparison.Ordinal);
        var body = JsonDocument.Parse(received.Body).RootElement;
        Assert.Equal("camera.approved", body.GetProperty("type").GetString());
        Assert.Equal(["at", "cameraId", "siteId"], body.GetProperty("data").EnumerateObject().Select(field => field.Name).Order(StringComparer.Ordinal));
        Assert.Equal(cameraId, body.GetProperty("data").GetProperty("cameraId").GetGuid());
        Assert.Equal(system.SiteA, body.GetProperty("data").GetProperty("siteId").GetGuid());
        var logged = Assert.Single(await DeliveriesAsync(partner, system.PartnerA, webhookId, "delivered", 1));
        Assert.Equal(received.Id, logged.GetProperty("messageId").GetString());
        var attempt = Assert.Single(logged.GetProperty("attempts").EnumerateArray());
        Assert.Equal(200, attempt.GetProperty("status").GetInt32());
        Assert.Equal("thanks", attempt.GetProperty("response").GetString());

        // Rotated twice (as a retry after a lost answer does): the receiver may still hold either earlier secret.
        async Task<HttpResponseMessage> RotateAsync() => await partner.PostAsync($"/partners/{system.PartnerA}/webhooks/{webhookId}/rotate-secret", null, Ct);
        var rotated = await RotateAsync();
        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        var betweenSecret = (await rotated.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("secret").GetString()!;
        rotated = await RotateAsync();
        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        var newSecret = (await rotated.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("secret").GetString()!;
        Assert.Equal(3, new[] { secret, betweenSecret, newSecret }.Distinct().Count());
        Assert.Equal(HttpStatusCode.OK, (await system.Police.PostAsJsonAsync($"/partners/cameras/{cameraId}/install", new { }, Ct)).StatusCode);

        var installed = (await ArrivedAsync("signed", 2))[1];
        Assert.Equal(3, installed.Headers["webhook-signature"].ToString().Split(' ').Length);
        new StandardWebhook(newSecret).Verify(installed.Body, installed.Headers);
        VerifyAnySignature(betweenSecret, installed);
        VerifyAnySignature(secret, installed);
        Assert.Throws<WebhookVerificationException>(() => VerifyAnySignature(WebhookSecrets.NewSecret(), installed));
        Assert.Throws<WebhookVerificationException>(() => new StandardWebhook(newSecret).Verify(installed.Body.Replace("camera.installed", "camera.decommissioned", StringComparison.Ordinal), installed.Headers));

        // Each delivery carries one signature per secret still signing: a rotation beyond the most of them waits.
        for (var replaced = 2; replaced < Webhook.MaxReplacedSecrets; replaced++)
        {
            Assert.Equal(HttpStatusCode.OK, (await RotateAsync()).StatusCode);
        }

        Assert.Equal(HttpStatusCode.Conflict, (await RotateAsync()).StatusCode);
    }

    /// <summary>
    /// The one consumer whose effect is not idempotent by itself (each run would queue a delivery with a new webhook-id, which
    /// a receiver cannot tell from another event): a message delivered again under its id queues nothing twice.
    /// </summary>
    /// <summary>
    /// A webhook's address may carry its receiver's secret in its path (a chat service's hook URL): no line the service logs
    /// at its configured levels holds it, nor any span it exports, delivered or refused by the receiver (.NET's HttpClient
    /// logged every call's address at Information, its query hidden, its path in full, and its span's url.full showed it).
    /// </summary>
    [Fact]
    public async Task A_webhook_s_address_is_written_in_no_log_line_nor_span_whatever_its_receiver_answers()
    {
        var (partnerId, siteId) = await system.PartnerWithSiteAsync("Hook path clinic", "Hook path clinic gate");
        using var partner = system.ClientOf(partnerId);
        var (delivered, refused) = ($"hook-Zq9PathSecret{Guid.NewGuid():N}", $"hook-Zq9PathSecret{Guid.NewGuid():N}");
        await SubscribeAsync(partner, partnerId, system.Receiver.Endpoint(delivered), "cameraApproved");
        await SubscribeAsync(partner, partnerId, system.Receiver.Endpoint(refused, _ => 500), "cameraApproved");
        var cameraId = await CreatedIdAsync(await system.Police.PostAsJsonAsync($"/partners/{partnerId}/sites/{siteId}/cameras", new { description = "Gate camera of the unlogged hook" }, Ct));
        Assert.Equal(HttpStatusCode.OK, (await system.Police.PostAsJsonAsync($"/partners/cameras/{cameraId}/approve", new { }, Ct)).StatusCode);

        await ArrivedAsync(delivered, 1);
        await ArrivedAsync(refused, 2);

        Assert.Contains(system.Logs.Lines, line => line.Contains("Application started", StringComparison.Ordinal));
        // The receiver runs in the test's process: its own server spans (POST /hooks/{name}) are the receiver's, not the sender's.
        var exported = system.Exported.Spans.Where(span => !span.StartsWith("POST /hooks/", StringComparison.Ordinal)).ToList();
        Assert.True(exported.Count(span => span.StartsWith("webhook CameraApproved", StringComparison.Ordinal)) >= 3, string.Join("\n", exported));
        Assert.Contains(exported, span => span.StartsWith("POST ", StringComparison.Ordinal) && span.Contains("url.full=http://127.0.0.1:", StringComparison.Ordinal) && span.Contains("/{path}", StringComparison.Ordinal));
        var written = system.Logs.Lines.Concat(exported).Where(line => line.Contains(delivered, StringComparison.Ordinal) || line.Contains(refused, StringComparison.Ordinal)).ToList();
        Assert.True(written.Count == 0, string.Join("\n", written));
    }

    [Fact]
    public async Task A_message_delivered_twice_under_its_id_queues_one_delivery_and_the_receiver_gets_one_webhook()
    {
        var partner = system.ClientOf(system.PartnerB);
        var (webhookId, _) = await SubscribeAsync(partner, system.PartnerB, system.Receiver.Endpoint("once", _ => 200), "incidentReported");
        var (message, messageId) = (IncidentAt(system.SiteB), Guid.NewGuid());

        await system.Bus.PublishAsync(message, messageId);
        await system.Bus.PublishAsync(message, messageId);

        await Eventually.Get(() => Task.FromResult(system.Consumed.CountOf(messageId) >= 2 ? "consumed" : null), "the message consumed twice");
        Assert.Single(await DeliveriesAsync(partner, system.PartnerB, webhookId, "delivered", 1));
        var log = await partner.GetFromJsonAsync<JsonElement>($"/partners/{system.PartnerB}/webhooks/{webhookId}/deliveries", Ct);
        Assert.Single(log.GetProperty("items").EnumerateArray());
        Assert.Single(await ArrivedAsync("once", 1));
    }

    [Fact]
    public async Task A_receiver_that_fails_three_times_gets_the_event_on_the_fourth_attempt_once_with_the_same_webhook_id()
    {
        var partner = system.ClientOf(system.PartnerA);
        var (webhookId, _) = await SubscribeAsync(partner, system.PartnerA, system.Receiver.Endpoint("flaky", attempt => attempt <= 3 ? 500 : 200), "incidentReported");
        using var metrics = new HostMetrics(system.Partners.Services.GetRequiredService<IMeterFactory>());

        await system.Bus.PublishAsync(IncidentAt(system.SiteA), Guid.NewGuid());

        var logged = Assert.Single(await DeliveriesAsync(partner, system.PartnerA, webhookId, "delivered", 1));
        var requests = system.Receiver.At("flaky");
        Assert.Equal(4, requests.Count);
        Assert.Single(requests.Select(request => request.Id).Distinct());
        Assert.Equal(4, logged.GetProperty("attemptCount").GetInt32());
        Assert.Equal([500, 500, 500, 200], logged.GetProperty("attempts").EnumerateArray().Select(attempt => attempt.GetProperty("status").GetInt32()));

        // The sender counts a delivery once its outcome is stored, so just after the log shows it (its lag last).
        await Eventually.Get(
            () => Task.FromResult(metrics.Of("wardlink.webhooks.lag").FirstOrDefault(lag => Equals(lag.Tags["event_type"], "IncidentReported"))),
            "the delivery's lag");
        Assert.True(metrics.Of("wardlink.webhooks.failed_attempts").Count(failed => Equals(failed.Tags["reason"], "status") && Equals(failed.Tags["event_type"], "IncidentReported")) >= 3);
        Assert.Contains(metrics.Of("wardlink.webhooks.delivered"), delivered => Equals(delivered.Tags["event_type"], "IncidentReported"));
        Assert.Contains(metrics.Of("wardlink.webhooks.lag"), lag => lag.Value > 0);
    }

    [Fact]
    public async Task A_receiver_down_for_the_whole_window_gets_its_webhook_disabled_then_a_resume_sends_what_waited_and_a_replay_what_failed()
    {
        var partner = system.ClientOf(system.PartnerB);
        var down = true;
        var (webhookId, secret) = await SubscribeAsync(partner, system.PartnerB, system.Receiver.Endpoint("down", _ => Volatile.Read(ref down) ? 503 : 200), "incidentReported", "incidentResolved");

        await system.Bus.PublishAsync(IncidentAt(system.SiteB), Guid.NewGuid());

        var failed = Assert.Single(await DeliveriesAsync(partner, system.PartnerB, webhookId, "failed", 1, TimeSpan.FromSeconds(60)));
        Assert.True(failed.GetProperty("attemptCount").GetInt32() > 3, failed.ToString());
        Assert.All(failed.GetProperty("attempts").EnumerateArray(), attempt => Assert.Equal(503, attempt.GetProperty("status").GetInt32()));
        Assert.Contains("disabled", failed.GetProperty("note").GetString(), StringComparison.Ordinal);
        var webhook = await partner.GetFromJsonAsync<JsonElement>($"/partners/{system.PartnerB}/webhooks/{webhookId}", Ct);
        Assert.Equal("disabled", webhook.GetProperty("status").GetString());
        Assert.Equal(failed.GetProperty("id").GetGuid(), webhook.GetProperty("disabledByDelivery").GetGuid());
        var disabled = Assert.IsType<WebhookDisabled>((await system.Partners.Services.GetRequiredService<IDocumentStore>().EventsOfAsync(webhookId))[^1].Data);
        Assert.Equal(Webhook.Sender, disabled.By);

        // While disabled, a new event waits; resuming sends it, and a replay sends the one that failed, with its own id again.
        await system.Bus.PublishAsync(new IncidentResolved(Guid.NewGuid(), "INC-2024-0031", IncidentClassification.Criminal, IncidentOutcome.CriminalCaseSolved, [], DateTimeOffset.UtcNow, system.SiteB), Guid.NewGuid());
        await DeliveriesAsync(partner, system.PartnerB, webhookId, "held", 1);
        Volatile.Write(ref down, false);
        Assert.Equal(HttpStatusCode.OK, (await partner.PostAsync($"/partners/{system.PartnerB}/webhooks/{webhookId}/resume", null, Ct)).StatusCode);
        var sent = Assert.Single(await DeliveriesAsync(partner, system.PartnerB, webhookId, "delivered", 1));
        Assert.Equal("incidentResolved", sent.GetProperty("eventType").GetString());
        var resolved = system.Receiver.At("down").Last(request => request.Id == sent.GetProperty("messageId").GetString());
        new StandardWebhook(secret).Verify(resolved.Body, resolved.Headers);

        var replay = await partner.PostAsJsonAsync($"/partners/{system.PartnerB}/webhooks/{webhookId}/replay", new { since = DateTimeOffset.UtcNow.AddHours(-1) }, Ct);
        Assert.Equal(HttpStatusCode.Accepted, replay.StatusCode);
        Assert.True((await replay.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("replayed").GetInt32() >= 1);
        var delivered = await DeliveriesAsync(partner, system.PartnerB, webhookId, "delivered", 2);
        Assert.Contains(delivered, delivery => delivery.GetProperty("id").GetGuid() == failed.GetProperty("id").GetGuid());
        Assert.Contains(
            system.Receiver.At("down").Where(request => request.Id == failed.GetProperty("messageId").GetString()),
            request => Accepted(secret, request));
    }

    /// <summary>
    /// A replay on a paused webhook, of one delivery or of a window, holds what it replays, and says so: it was a 202 "pending"
    /// whose delivery the sender quietly held again a moment later (the webhooks probe). The resume sends it, once.
    /// </summary>
    [Fact]
    public async Task A_replay_on_a_paused_webhook_is_held_and_says_so_and_the_resume_sends_it()
    {
        var partner = system.ClientOf(system.PartnerA);
        var (webhookId, _) = await SubscribeAsync(partner, system.PartnerA, system.Receiver.Endpoint("paused-replay"), "tipReferred");
        await system.Bus.PublishAsync(TipFrom(system.PartnerA, "A bicycle taken from the rack"), Guid.NewGuid());
        var delivery = Assert.Single(await DeliveriesAsync(partner, system.PartnerA, webhookId, "delivered", 1)).GetProperty("id").GetGuid();
        var webhook = $"/partners/{system.PartnerA}/webhooks/{webhookId}";
        Assert.Equal(HttpStatusCode.OK, (await partner.PostAsync($"{webhook}/pause", null, Ct)).StatusCode);

        using (var one = await partner.PostAsync($"{webhook}/deliveries/{delivery}/replay", null, Ct))
        {
            Assert.Equal(HttpStatusCode.Accepted, one.StatusCode);
            Assert.Equal("held", (await one.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("status").GetString());
        }

        Assert.Equal(delivery, Assert.Single(await DeliveriesAsync(partner, system.PartnerA, webhookId, "held", 1)).GetProperty("id").GetGuid());
        using (var window = await partner.PostAsJsonAsync($"{webhook}/replay", new { since = DateTimeOffset.UtcNow.AddHours(-1) }, Ct))
        {
            Assert.Equal(HttpStatusCode.Accepted, window.StatusCode);
        }

        Assert.Equal(delivery, Assert.Single(await DeliveriesAsync(partner, system.PartnerA, webhookId, "held", 1)).GetProperty("id").GetGuid());
        Assert.Single(system.Receiver.At("paused-replay"));
        Assert.Equal(HttpStatusCode.OK, (await partner.PostAsync($"{webhook}/resume", null, Ct)).StatusCode);
        var twice = await ArrivedAsync("paused-replay", 2);
        Assert.Equal(twice[0].Id, twice[1].Id);

        // Sent once by the resume, for both replays: the log shows it delivered again, with nothing left to send.
        var sent = Assert.Single(await DeliveriesAsync(partner, system.PartnerA, webhookId, "delivered", 1));
        Assert.Equal(2, sent.GetProperty("attemptCount").GetInt32());
        Assert.Equal(2, system.Receiver.At("paused-replay").Count);
        Assert.Equal(HttpStatusCode.NoContent, (await partner.DeleteAsync(webhook, Ct)).StatusCode);
    }

    [Fact]
    public async Task One_delivery_is_replayed_on_request_with_the_same_webhook_id()
    {
        var partner = system.ClientOf(system.PartnerA);
        var (webhookId, _) = await SubscribeAsync(partner, system.PartnerA, system.Receiver.Endpoint("replayed"), "tipReferred");
        await system.Bus.PublishAsync(TipFrom(system.PartnerA, "Two men trying car doors"), Guid.NewGuid());
        var delivery = Assert.Single(await DeliveriesAsync(partner, system.PartnerA, webhookId, "delivered", 1));

        var replay = await partner.PostAsync($"/partners/{system.PartnerA}/webhooks/{webhookId}/deliveries/{delivery.GetProperty("id").GetGuid()}/replay", null, Ct);

        Assert.Equal(HttpStatusCode.Accepted, replay.StatusCode);
        var twice = await ArrivedAsync("replayed", 2);
        Assert.Equal(twice[0].Id, twice[1].Id);
        Assert.Equal(twice[0].Body, twice[1].Body);
        var other = system.ClientOf(system.PartnerB);
        Assert.Equal(HttpStatusCode.NotFound, (await other.PostAsync($"/partners/{system.PartnerA}/webhooks/{webhookId}/deliveries/{delivery.GetProperty("id").GetGuid()}/replay", null, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.PostAsync($"/partners/{system.PartnerB}/webhooks/{webhookId}/deliveries/{delivery.GetProperty("id").GetGuid()}/replay", null, Ct)).StatusCode);
    }

    /// <summary>
    /// A delivery in mid-send is pending, its next attempt moved past the attempt's timeout: a replay leaves it so, where making
    /// it due at once let the sender send it a second time while the first attempt was still under way.
    /// </summary>
    [Fact]
    public async Task A_replay_of_a_delivery_being_sent_leaves_it_as_it_is()
    {
        var partner = await system.Police.RegisterPartnerAsync("Thanh Hóa Traditional Medicine Hospital");
        var client = system.ClientOf(partner);
        var answer = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var (webhookId, _) = await SubscribeAsync(client, partner, system.Receiver.Endpoint("in-flight", async response =>
        {
            await answer.Task;
            await response.WriteAsync("thanks", Ct);
        }), "tipReferred");
        try
        {
            await system.Bus.PublishAsync(TipFrom(partner, "A bag left by the pharmacy door"), Guid.NewGuid());
            await ArrivedAsync("in-flight", 1);
            var sending = await StoredDeliveryAsync(webhookId);

            var replay = await client.PostAsync($"/partners/{partner}/webhooks/{webhookId}/deliveries/{sending.Id}/replay", null, Ct);

            Assert.Equal(HttpStatusCode.Accepted, replay.StatusCode);
            Assert.Equal("pending", (await replay.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("status").GetString());
            var after = await StoredDeliveryAsync(webhookId);
            Assert.Equal((DeliveryStatus.Pending, sending.NextAttemptAt, sending.RetryUntil, sending.Note), (after.Status, after.NextAttemptAt, after.RetryUntil, after.Note));
        }
        finally
        {
            answer.SetResult();
        }
    }

    /// <summary>Replays of one delivery sent at once are each accepted: one that lost the race to store it reads it again, pending, and leaves it.</summary>
    [Fact]
    public async Task Replays_of_one_delivery_sent_at_once_are_each_accepted()
    {
        var partner = await system.Police.RegisterPartnerAsync("Thanh Hóa Rehabilitation Hospital");
        var client = system.ClientOf(partner);
        var (webhookId, _) = await SubscribeAsync(client, partner, system.Receiver.Endpoint("replayed-at-once"), "tipReferred");
        await system.Bus.PublishAsync(TipFrom(partner, "Someone sleeping in the stairwell"), Guid.NewGuid());
        var deliveryId = Assert.Single(await DeliveriesAsync(client, partner, webhookId, "delivered", 1)).GetProperty("id").GetGuid();

        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            using var response = await system.ClientOf(partner).PostAsync($"/partners/{partner}/webhooks/{webhookId}/deliveries/{deliveryId}/replay", null, Ct);
            return (response.StatusCode, Body: await response.Content.ReadAsStringAsync(Ct));
        }));

        Assert.All(answers, answer => Assert.True(answer.StatusCode == HttpStatusCode.Accepted, $"{answer.StatusCode} {answer.Body}"));
        await ArrivedAsync("replayed-at-once", 2);
    }

    [Fact]
    public async Task A_partner_is_told_only_of_its_own_sites_and_submissions_and_only_the_fields_of_its_view()
    {
        // Partners of their own, so no other test's event reaches these subscriptions.
        var (partnerA, siteA) = await system.PartnerWithSiteAsync("Thanh Hóa Psychiatric Hospital", "Psychiatric hospital gate");
        var (partnerB, siteB) = await system.PartnerWithSiteAsync("Vocational and Continuing Education Centre", "Education centre gate", "school");
        await SubscribeAsync(system.ClientOf(partnerA), partnerA, system.Receiver.Endpoint("view-a"), WebhookSystem.AllEvents);
        await SubscribeAsync(system.ClientOf(partnerB), partnerB, system.Receiver.Endpoint("view-b"), WebhookSystem.AllEvents);
        const string Marker = "MARKER-never-leaves";

        await system.Bus.PublishAsync(IncidentAt(siteA) with { SourceReference = Marker }, Guid.NewGuid());
        await system.Bus.PublishAsync(TipFrom(partnerA, Marker), Guid.NewGuid());
        await system.Bus.PublishAsync(TipFrom(null, Marker), Guid.NewGuid());
        await system.Bus.PublishAsync(
            new TipOutcomeRecorded(Guid.NewGuid(), "TIP-2024-0008", Guid.NewGuid(), "INC-2024-0008", IncidentClassification.Criminal, IncidentOutcome.CriminalCaseSolved, DateTimeOffset.UtcNow, partnerB),
            Guid.NewGuid());
        await system.Bus.PublishAsync(
            new ShiftMissed(Guid.NewGuid(), Guid.NewGuid(), DateOnly.FromDateTime(DateTime.UtcNow), DateTimeOffset.UtcNow.AddHours(-3), DateTimeOffset.UtcNow, [siteA, siteB, Guid.NewGuid()]),
            Guid.NewGuid());

        var toA = await ArrivedAsync("view-a", 3);
        var toB = await ArrivedAsync("view-b", 2);
        Assert.Equal(["incident.reported", "shift.missed", "tip.referred"], TypesOf(toA));
        Assert.Equal(["shift.missed", "tip.outcomeRecorded"], TypesOf(toB));
        Assert.All(toA.Concat(toB), request => Assert.DoesNotContain(Marker, request.Body, StringComparison.Ordinal));
        Assert.All(toA, request => Assert.DoesNotContain(siteB.ToString(), request.Body, StringComparison.Ordinal));
        Assert.All(toB, request => Assert.DoesNotContain(siteA.ToString(), request.Body, StringComparison.Ordinal));
        Assert.Equal(
            ["caseNumber", "category", "classification", "incidentId", "occurredAt", "reportedAt", "siteId", "source"],
            FieldsOf(toA, "incident.reported"));
        Assert.Equal(["category", "receivedAt", "referredAt", "siteId", "tipId", "tipNumber"], FieldsOf(toA, "tip.referred"));
        Assert.Equal(["plannedDate", "siteIds", "windowEnd", "windowStart"], FieldsOf(toA, "shift.missed"));
        Assert.Equal(["caseNumber", "classification", "outcome", "resolvedAt", "tipId", "tipNumber"], FieldsOf(toB, "tip.outcomeRecorded"));
        Assert.Equal(
            [siteB],
            Data(toB, "shift.missed").GetProperty("siteIds").EnumerateArray().Select(site => site.GetGuid()));
        Assert.Equal(3, system.Receiver.At("view-a").Count);
    }

    /// <summary>
    /// For every event type a webhook sends, messages naming each partner (as submitter, owner or the partner a camera is of,
    /// where the message names one) beside each partner's site: whatever a message names, a delivery names a site only to the
    /// partner whose site it is, and each partner is still told of every type, naming its own site where the type names one.
    /// </summary>
    [Fact]
    public async Task No_event_type_names_a_site_to_a_partner_other_than_the_site_s_owner()
    {
        var partners = new[]
        {
            await system.Police.RegisterPartnerAsync("Thanh Hóa Obstetrics Hospital"),
            await system.Police.RegisterPartnerAsync("Thanh Hóa Ophthalmology Centre"),
        };
        var siteOf = new Dictionary<Guid, Guid>();
        var webhookOf = new Dictionary<Guid, Guid>();
        foreach (var partner in partners)
        {
            siteOf[partner] = await system.Police.RegisterSiteAsync(partner, "Main gate");
            webhookOf[partner] = (await SubscribeAsync(system.ClientOf(partner), partner, system.Receiver.Endpoint($"sites-{partner}"), WebhookSystem.AllEvents)).Id;
        }

        var messageIds = new List<Guid>();
        foreach (var type in Enum.GetValues<WebhookEventType>())
        {
            foreach (var (partner, site) in partners.SelectMany(partner => partners.Select(owner => (partner, siteOf[owner]))))
            {
                var messageId = Guid.NewGuid();
                await PublishNamingAsync(type, partner, site, messageId);
                messageIds.Add(messageId);
            }
        }

        await Eventually.Get(() => Task.FromResult(messageIds.All(id => system.Consumed.CountOf(id) > 0) ? "consumed" : null), "every message consumed");
        await using var session = system.Partners.Services.GetRequiredService<IDocumentStore>().QuerySession();
        foreach (var partner in partners)
        {
            var webhookId = webhookOf[partner];
            var queued = await session.Query<WebhookDelivery>().Where(delivery => delivery.AnyTenant() && delivery.WebhookId == webhookId).ToListAsync(Ct);
            foreach (var other in partners.Where(other => other != partner))
            {
                Assert.All(queued, delivery => Assert.False(
                    delivery.Payload.Contains(siteOf[other].ToString(), StringComparison.Ordinal), $"{delivery.EventType} to {partner} names {other}'s site: {delivery.Payload}"));
            }

            foreach (var type in Enum.GetValues<WebhookEventType>())
            {
                var bodies = queued.Where(delivery => delivery.EventType == type).Select(delivery => JsonDocument.Parse(delivery.Payload).RootElement.GetProperty("data")).ToList();
                Assert.True(bodies.Count > 0, $"{partner} was told of no {type}");
                if (bodies.Any(data => data.TryGetProperty("siteId", out _) || data.TryGetProperty("siteIds", out _)))
                {
                    Assert.Contains(bodies, data => data.ToString().Contains(siteOf[partner].ToString(), StringComparison.Ordinal));
                }
            }
        }
    }

    /// <summary>
    /// The service's OpenAPI document describes each delivery a partner's endpoint receives (its <c>webhooks</c>, one per event
    /// type and no other): every type's delivery, as it arrives, is the body its entry's schema takes, naming no field the
    /// entry does not, and carries each header the entry requires, of the form it states (<see cref="DocumentedResponses"/>).
    /// </summary>
    [Fact]
    public async Task Every_event_type_arrives_as_the_document_s_webhooks_describe_it()
    {
        var (partner, site) = await system.PartnerWithSiteAsync("Thanh Hóa Dermatology Hospital", "Main gate");
        await SubscribeAsync(system.ClientOf(partner), partner, system.Receiver.Endpoint("documented"), WebhookSystem.AllEvents);
        var types = Enum.GetValues<WebhookEventType>();
        foreach (var type in types)
        {
            await PublishNamingAsync(type, partner, site, Guid.NewGuid());
        }

        var arrived = await ArrivedAsync("documented", types.Length);
        var document = (await system.Police.GetFromJsonAsync<JsonObject>("/openapi/v1.json", Ct))!;
        Assert.Equal(
            types.Select(WebhookPayload.NameOf).Order(StringComparer.Ordinal),
            Assert.IsType<JsonObject>(document["webhooks"]).Select(webhook => webhook.Key).Order(StringComparer.Ordinal));
        var documented = new DocumentedResponses(document);
        var failures = arrived.SelectMany(request =>
        {
            var body = JsonNode.Parse(request.Body);
            var type = (string)body!["type"]!;
            return documented.CheckWebhook(type, body, request.Headers.ToDictionary(header => header.Key, header => header.Value.ToString(), StringComparer.OrdinalIgnoreCase))
                .Select(problem => $"{type}: {problem}");
        }).ToList();

        // Closed, as every body the document describes: a receiver's validator refuses what the entry does not name.
        failures.AddRange(Assert.IsType<JsonObject>(document["webhooks"])
            .Where(webhook => (bool?)webhook.Value!["post"]!["requestBody"]!["content"]!["application/json"]!["schema"]!["additionalProperties"] != false)
            .Select(webhook => $"{webhook.Key}: its body takes properties it does not name"));
        Assert.Equal(types.Select(WebhookPayload.NameOf).Order(StringComparer.Ordinal), TypesOf(arrived));
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public async Task An_action_item_past_its_due_date_is_noticed_once_and_its_owner_is_told_without_its_text()
    {
        var owner = system.ClientOf(system.PartnerB);
        await SubscribeAsync(owner, system.PartnerB, system.Receiver.Endpoint("overdue"), "actionItemOverdue");
        var meetingId = await CreatedIdAsync(await system.Police.PostAsJsonAsync(
            "/partners/meetings", new { heldAt = DateTimeOffset.UtcNow.AddDays(-3), attendingPartnerIds = new[] { system.PartnerA, system.PartnerB }, minutes = "Reviewed the month." }, Ct));
        const string Text = "Call Mr Bảo about the back gate";
        var assigned = await system.Police.PostAsJsonAsync(
            $"/partners/meetings/{meetingId}/action-items", new { text = Text, ownerPartnerId = system.PartnerB, dueAt = DateTimeOffset.UtcNow.AddDays(-1) }, Ct);
        Assert.Equal(HttpStatusCode.OK, assigned.StatusCode);
        var itemId = (await assigned.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("actionItems")[0].GetProperty("id").GetGuid();

        // Whichever round notices it (the background one or these), it is noticed once.
        var sweep = system.Partners.Services.GetServices<IHostedService>().OfType<OverdueActionItemSweep>().Single();
        await sweep.SweepAsync(DateTimeOffset.UtcNow, Ct);
        Assert.Equal(0, await sweep.SweepAsync(DateTimeOffset.UtcNow, Ct));

        var overdue = Assert.Single((await system.Partners.Services.GetRequiredService<IDocumentStore>().EventsOfAsync(meetingId)).Select(recorded => recorded.Data).OfType<ActionItemOverdue>());
        Assert.Equal((itemId, system.PartnerB, Meeting.Sweeper), (overdue.ItemId, overdue.OwnerPartnerId, overdue.By));
        var told = Assert.Single(await ArrivedAsync("overdue", 1));
        Assert.Equal("actionItem.overdue", JsonDocument.Parse(told.Body).RootElement.GetProperty("type").GetString());
        Assert.Equal(["dueAt", "itemId", "meetingId"], FieldsOf([told], "actionItem.overdue"));
        Assert.DoesNotContain("Bảo", told.Body, StringComparison.Ordinal);
    }

    /// <summary>
    /// The delivery log tells the partner what kind of failure an attempt met, never what the sender's network said: a
    /// partner could otherwise subscribe internal names and read back which exist and where they point.
    /// </summary>
    [Fact]
    public async Task A_failed_attempt_is_logged_by_its_kind_without_what_the_network_said()
    {
        var partner = await system.Police.RegisterPartnerAsync("Thanh Hóa Blood Transfusion Centre");
        var site = await system.Police.RegisterSiteAsync(partner, "Donor entrance");
        var client = system.ClientOf(partner);
        var (webhookId, _) = await SubscribeAsync(client, partner, "http://127.0.0.1:9/hooks", "incidentReported");

        await system.Bus.PublishAsync(IncidentAt(site), Guid.NewGuid());

        var error = await Eventually.Get(
            async () => (await client.GetFromJsonAsync<JsonElement>($"/partners/{partner}/webhooks/{webhookId}/deliveries", Ct)).GetProperty("items").EnumerateArray()
                .SelectMany(delivery => delivery.GetProperty("attempts").EnumerateArray()).Select(attempt => attempt.GetProperty("error").GetString()).FirstOrDefault(),
            "a failed attempt");
        Assert.Equal("The receiver could not be reached (its name, a connection or TLS failed).", error);
    }

    /// <summary>
    /// A receiver that is reached but answers something HTTP cannot read (no status line, a status that is not three digits, a
    /// header line without its colon), cuts its answer short (nothing at all, a status line or head cut off; a body cut off
    /// after a status is that status, its excerpt none) or sends more headers
    /// than are read is logged as that kind of failure, without a status: not as one that could not be reached. The answers
    /// are the two a probe found and some generated of each kind.
    /// </summary>
    [Fact]
    public async Task An_answer_that_is_not_HTTP_is_cut_short_or_has_too_many_headers_is_logged_as_such_without_a_status()
    {
        var garbage = Gen.Select(Gen.Char["ABCXYZabcxyz<{"], Gen.String[Gen.Char["ABCXYZabcxyz019 :/.<>{}"], 0, 30], (first, rest) => $"{first}{rest}\r\n\r\n");
        var badStatus = Gen.OneOf(Gen.Int[0, 99], Gen.Int[1000, 99999]).Select(code => $"HTTP/1.1 {code} X\r\n\r\n");
        var badHeader = Gen.Select(Gen.Char["ABCXYZabcxyz019"], Gen.String[Gen.Char["ABCXYZabcxyz019 "], 0, 20], (first, rest) => $"HTTP/1.1 200 OK\r\n{first}{rest}\r\n\r\n");
        string[] notHttp = ["HTTP/1.1 99 X\r\n\r\n", "NOT HTTP AT ALL\r\n\r\n", .. Check.Single(Gen.OneOf(garbage, badStatus, badHeader).Array[4])];
        var answers = notHttp.Select(answer => (answer, WebhookSender.UnreadableAnswer(HttpRequestError.InvalidResponse)))
            .Concat(new[] { string.Empty, "HTTP/1.1 200 OK\r\nContent-Le", "HTTP/1.1 20" }.Select(cut => (cut, WebhookSender.UnreadableAnswer(HttpRequestError.ResponseEnded))))
            .Append(($"HTTP/1.1 200 OK\r\nX-Padding: {new string('p', 70 * 1024)}\r\n\r\n", WebhookSender.UnreadableAnswer(HttpRequestError.ConfigurationLimitExceeded)))
            .ToList();
        var partner = await system.Police.RegisterPartnerAsync("Thanh Hóa Endocrinology Hospital");
        var site = await system.Police.RegisterSiteAsync(partner, "Clinic entrance");
        var client = system.ClientOf(partner);
        using var raw = RawReceiver.Start();
        var webhooks = new List<(Guid Id, string Answer, string Logged)>();
        for (var i = 0; i < answers.Count; i++)
        {
            webhooks.Add(((await SubscribeAsync(client, partner, raw.Endpoint($"answer-{i}", answers[i].Item1), "incidentReported")).Id, answers[i].Item1, answers[i].Item2));
        }

        await system.Bus.PublishAsync(IncidentAt(site), Guid.NewGuid());

        foreach (var (webhookId, answer, logged) in webhooks)
        {
            var attempt = (await Eventually.Get(
                async () => (await client.GetFromJsonAsync<JsonElement>($"/partners/{partner}/webhooks/{webhookId}/deliveries", Ct)).GetProperty("items").EnumerateArray()
                    .SelectMany(delivery => delivery.GetProperty("attempts").EnumerateArray()).ToList() is { Count: > 0 } attempts ? attempts : null,
                $"an attempt answered {answer}"))[0];
            Assert.True(attempt.GetProperty("status").ValueKind == JsonValueKind.Null, answer);
            Assert.True(attempt.GetProperty("error").GetString() == logged, $"{answer[..Math.Min(answer.Length, 40)]}: {attempt.GetProperty("error").GetString()}");
        }
    }

    /// <summary>
    /// Rotations of one webhook sent at once (a client retrying one it got no answer to) take turns: each keeps the secrets the
    /// others issued, where one that read the secrets before another committed would drop that one's secret, or fail.
    /// </summary>
    [Fact]
    public async Task Rotations_sent_at_once_are_each_answered_and_every_secret_they_issued_still_signs()
    {
        var partner = await system.Police.RegisterPartnerAsync("Thanh Hóa Paediatric Hospital");
        var client = system.ClientOf(partner);
        var (webhookId, secret) = await SubscribeAsync(client, partner, system.Receiver.Endpoint("rotated-at-once"), "incidentReported");

        var answers = await Task.WhenAll(Enumerable.Range(0, Webhook.MaxReplacedSecrets).Select(async _ =>
        {
            using var response = await system.ClientOf(partner).PostAsync($"/partners/{partner}/webhooks/{webhookId}/rotate-secret", null, Ct);
            return (response.StatusCode, Body: await response.Content.ReadFromJsonAsync<JsonElement>(Ct));
        }));

        Assert.All(answers, answer => Assert.True(answer.StatusCode == HttpStatusCode.OK, $"{answer.StatusCode} {answer.Body}"));
        var kept = await SealedSecretOfAsync(webhookId);
        Assert.Equal(
            answers.Select(answer => answer.Body.GetProperty("secret").GetString()!).Append(secret).Order(StringComparer.Ordinal),
            system.Partners.Services.GetRequiredService<WebhookSecrets>().SigningAt(new SealedDocument<WebhookSecret>(webhookId, kept, null), DateTimeOffset.UtcNow)!.Order(StringComparer.Ordinal));
    }

    /// <summary>
    /// A partner keeps at most <see cref="Webhook.MaxPerPartner"/> live webhooks, however many subscriptions arrive at
    /// once: with room for one more, eight at once make one webhook and seven 409s.
    /// </summary>
    [Fact]
    public async Task Subscriptions_at_once_never_take_a_partner_past_its_limit_of_webhooks()
    {
        var partner = await system.Police.RegisterPartnerAsync("Thanh Hóa Endocrine Hospital");
        var client = system.ClientOf(partner);
        for (var i = 1; i < Webhook.MaxPerPartner; i++)
        {
            await SubscribeAsync(client, partner, system.Receiver.Endpoint($"limit-{i}"), "incidentReported");
        }

        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(async i =>
        {
            using var response = await system.ClientOf(partner).PostAsJsonAsync(
                $"/partners/{partner}/webhooks", new { url = system.Receiver.Endpoint($"limit-last-{i}"), events = CameraInstalled }, Ct);
            return response.StatusCode;
        }));

        Assert.Equal(1, answers.Count(status => status == HttpStatusCode.Created));
        Assert.All(answers.Where(status => status != HttpStatusCode.Created), status => Assert.Equal(HttpStatusCode.Conflict, status));
        Assert.Equal(Webhook.MaxPerPartner, (await client.GetFromJsonAsync<JsonElement>($"/partners/{partner}/webhooks", Ct)).GetArrayLength());
    }

    /// <summary>
    /// Resuming sends what was held, whatever the sender was doing at that moment: a webhook paused and resumed again and
    /// again while events keep coming (the sender holding some as it reads the webhook paused) ends with every delivery
    /// sent, none left held under an active webhook.
    /// </summary>
    [Fact]
    public async Task Every_delivery_held_while_a_webhook_is_paused_is_sent_once_it_resumes_however_the_sender_and_the_resume_meet()
    {
        const int Rounds = 10;
        const int EventsPerRound = 20;
        var partner = await system.Police.RegisterPartnerAsync("Thanh Hóa Oncology Hospital");
        var site = await system.Police.RegisterSiteAsync(partner, "Radiotherapy gate");
        var client = system.ClientOf(partner);
        var (webhookId, _) = await SubscribeAsync(client, partner, system.Receiver.Endpoint("paused-often"), "incidentReported");
        var version = "\"1\"";
        for (var round = 0; round < Rounds; round++)
        {
            version = await client.StepOkAsync($"/partners/{partner}/webhooks/{webhookId}/pause", version);
            foreach (var _ in Enumerable.Range(0, EventsPerRound))
            {
                await system.Bus.PublishAsync(IncidentAt(site), Guid.NewGuid());
            }

            // Resumed as soon as the sender has begun holding this round's deliveries, while it holds the rest.
            await Eventually.Get(
                async () => (await client.GetFromJsonAsync<JsonElement>($"/partners/{partner}/webhooks/{webhookId}/deliveries?status=held", Ct))
                    .GetProperty("total").GetInt32() > 0 ? "holding" : null,
                "the sender to hold a delivery of the round");
            version = await client.StepOkAsync($"/partners/{partner}/webhooks/{webhookId}/resume", version);
        }

        await Eventually.Get(
            async () => (await client.GetFromJsonAsync<JsonElement>($"/partners/{partner}/webhooks/{webhookId}/deliveries?status=delivered", Ct))
                .GetProperty("total").GetInt32() == Rounds * EventsPerRound ? "all sent" : null,
            "every delivery to be sent");
        var held = await client.GetFromJsonAsync<JsonElement>($"/partners/{partner}/webhooks/{webhookId}/deliveries?status=held", Ct);
        Assert.Equal(0, held.GetProperty("total").GetInt32());
    }

    /// <summary>
    /// A resume and replays of the delivery it would send, at once, take turns (docs/partners.md): the resume is never a 409,
    /// the webhook ends active and the delivery is sent again, round after round, whichever commits first.
    /// </summary>
    [Fact]
    public async Task A_resume_and_replays_of_its_held_delivery_at_once_each_succeed_and_the_webhook_is_active()
    {
        var partner = await system.Police.RegisterPartnerAsync("Thanh Hóa Endocrinology Hospital");
        var client = system.ClientOf(partner);
        var (webhookId, _) = await SubscribeAsync(client, partner, system.Receiver.Endpoint("resumed-and-replayed"), "tipReferred");
        var webhook = $"/partners/{partner}/webhooks/{webhookId}";
        await system.Bus.PublishAsync(TipFrom(partner, "A bag left by the lift"), Guid.NewGuid());
        var deliveryId = Assert.Single(await DeliveriesAsync(client, partner, webhookId, "delivered", 1)).GetProperty("id").GetGuid();
        const int Rounds = 12;
        for (var round = 1; round <= Rounds; round++)
        {
            var version = (await client.GetAsync(webhook, Ct)).Headers.ETag!.Tag;
            await client.StepOkAsync($"{webhook}/pause", version);
            using (var replayed = await client.PostAsync($"{webhook}/deliveries/{deliveryId}/replay", null, Ct))
            {
                Assert.Equal(HttpStatusCode.Accepted, replayed.StatusCode);
            }

            await DeliveriesAsync(client, partner, webhookId, "held", 1);
            var answers = await Task.WhenAll(
                SendAsync(HttpMethod.Post, $"{webhook}/resume", new { }),
                SendAsync(HttpMethod.Post, $"{webhook}/deliveries/{deliveryId}/replay", new { }),
                SendAsync(HttpMethod.Post, $"{webhook}/replay", new { since = "2020-01-01T00:00:00+07:00" }));

            Assert.True(answers is [(HttpStatusCode.OK, _), (HttpStatusCode.Accepted, _), (HttpStatusCode.Accepted, _)], $"round {round}: {string.Join(" | ", answers)}");
            Assert.Equal("active", (await client.GetFromJsonAsync<JsonElement>(webhook, Ct)).GetProperty("status").GetString());
            await ArrivedAsync("resumed-and-replayed", 1 + round);
        }

        async Task<(HttpStatusCode, string)> SendAsync(HttpMethod method, string path, object body)
        {
            using var response = await system.ClientOf(partner).SendAsync(new HttpRequestMessage(method, path) { Content = JsonContent.Create(body) }, Ct);
            return (response.StatusCode, await response.Content.ReadAsStringAsync(Ct));
        }
    }

    /// <summary>
    /// A webhook paused while a delivery's last attempt is under way: the attempt fails, and the delivery the sender would
    /// give up (and whose webhook it would disable) is held instead, the webhook left paused as its partner left it, so that
    /// resuming sends it, once, with its webhook-id. The sender here gives up at the first failure, so the attempt the
    /// receiver holds is the last.
    /// </summary>
    [Fact]
    public async Task A_delivery_whose_last_attempt_fails_after_its_webhook_was_paused_is_held_and_sent_once_when_it_resumes()
    {
        await using var service = await SenderGivingUpAtOnce.StartAsync("Thanh Hóa Maternity Hospital");
        var attempted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var answer = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var (webhookId, _) = await SubscribeAsync(service.Client, service.Partner, system.Receiver.Endpoint("paused-at-last", async response =>
        {
            // The first attempt fails once the test has paused the webhook; the one its resume makes is accepted.
            if (attempted.TrySetResult())
            {
                await answer.Task;
                response.StatusCode = StatusCodes.Status500InternalServerError;
            }
        }), "incidentReported");
        var webhookPath = $"/partners/{service.Partner}/webhooks/{webhookId}";
        try
        {
            await service.Bus.PublishAsync(IncidentAt(service.Site), Guid.NewGuid());
            await attempted.Task.WaitAsync(Eventually.DefaultTimeout, Ct);
            Assert.Equal(HttpStatusCode.OK, (await service.Client.PostAsync($"{webhookPath}/pause", null, Ct)).StatusCode);
        }
        finally
        {
            answer.TrySetResult();
        }

        var recorded = Assert.Single(await RecordedAsync(service.Client, webhookPath, 1));
        Assert.Equal("held", recorded.GetProperty("status").GetString());
        Assert.Equal("Held: the webhook is not active; resuming it sends this.", recorded.GetProperty("note").GetString());
        Assert.Equal(500, Assert.Single(recorded.GetProperty("attempts").EnumerateArray()).GetProperty("status").GetInt32());
        Assert.Equal("paused", (await service.Client.GetFromJsonAsync<JsonElement>(webhookPath, Ct)).GetProperty("status").GetString());
        Assert.DoesNotContain(await service.Partners.Services.GetRequiredService<IDocumentStore>().EventsOfAsync(webhookId), recordedEvent => recordedEvent.Data is WebhookDisabled);

        Assert.Equal(HttpStatusCode.OK, (await service.Client.PostAsync($"{webhookPath}/resume", null, Ct)).StatusCode);
        var sent = Assert.Single(await DeliveriesAsync(service.Client, service.Partner, webhookId, "delivered", 1));
        Assert.Equal(recorded.GetProperty("id").GetGuid(), sent.GetProperty("id").GetGuid());
        var requests = system.Receiver.At("paused-at-last");
        Assert.Equal(2, requests.Count);
        Assert.All(requests, request => Assert.Equal(recorded.GetProperty("messageId").GetString(), request.Id));
    }

    /// <summary>
    /// Two deliveries whose last attempts are under way at once both fail: the first recorded gives up and disables the
    /// webhook; the other, recorded under the webhook its sibling disabled meanwhile, is held, so resuming sends it, once,
    /// while the one given up stays failed (a replay sends it). One resume makes both due at once, so the sender takes both in
    /// one round and their attempts are under way together.
    /// </summary>
    [Fact]
    public async Task A_delivery_whose_last_attempt_fails_after_another_disabled_its_webhook_is_held_and_sent_once_when_it_resumes()
    {
        await using var service = await SenderGivingUpAtOnce.StartAsync("Thanh Hóa Obstetrics Clinic");
        var bothUnderWay = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var arrivals = 0;
        var (webhookId, _) = await SubscribeAsync(service.Client, service.Partner, system.Receiver.Endpoint("disabled-meanwhile", async response =>
        {
            // The first two attempts fail, answered once both are under way; later ones are accepted.
            var arrival = Interlocked.Increment(ref arrivals);
            if (arrival <= 2)
            {
                if (arrival == 2)
                {
                    bothUnderWay.SetResult();
                }

                await bothUnderWay.Task.WaitAsync(Eventually.DefaultTimeout, Ct);
                response.StatusCode = StatusCodes.Status500InternalServerError;
            }
        }), "incidentReported");
        var webhookPath = $"/partners/{service.Partner}/webhooks/{webhookId}";
        Assert.Equal(HttpStatusCode.OK, (await service.Client.PostAsync($"{webhookPath}/pause", null, Ct)).StatusCode);
        await service.Bus.PublishAsync(IncidentAt(service.Site), Guid.NewGuid());
        await service.Bus.PublishAsync(IncidentAt(service.Site), Guid.NewGuid());
        await DeliveriesAsync(service.Client, service.Partner, webhookId, "held", 2);

        Assert.Equal(HttpStatusCode.OK, (await service.Client.PostAsync($"{webhookPath}/resume", null, Ct)).StatusCode);

        var recorded = await RecordedAsync(service.Client, webhookPath, 2);
        var failed = Assert.Single(recorded, delivery => delivery.GetProperty("status").GetString() == "failed");
        var held = Assert.Single(recorded, delivery => delivery.GetProperty("status").GetString() == "held");
        Assert.Equal("Held: the webhook is not active; resuming it sends this.", held.GetProperty("note").GetString());
        var webhook = await service.Client.GetFromJsonAsync<JsonElement>(webhookPath, Ct);
        Assert.Equal(("disabled", failed.GetProperty("id").GetGuid()), (webhook.GetProperty("status").GetString(), webhook.GetProperty("disabledByDelivery").GetGuid()));

        Assert.Equal(HttpStatusCode.OK, (await service.Client.PostAsync($"{webhookPath}/resume", null, Ct)).StatusCode);
        var sent = Assert.Single(await DeliveriesAsync(service.Client, service.Partner, webhookId, "delivered", 1));
        Assert.Equal(held.GetProperty("id").GetGuid(), sent.GetProperty("id").GetGuid());
        Assert.Equal(failed.GetProperty("id").GetGuid(), Assert.Single(await DeliveriesAsync(service.Client, service.Partner, webhookId, "failed", 1)).GetProperty("id").GetGuid());
        var requests = system.Receiver.At("disabled-meanwhile");
        Assert.Equal(2, requests.Count(request => request.Id == held.GetProperty("messageId").GetString()));
        Assert.Single(requests, request => request.Id == failed.GetProperty("messageId").GetString());
    }

    /// <summary>
    /// Whatever a receiver answers is logged once and the delivery goes on by its schedule: a body with a NUL character
    /// (which PostgreSQL cannot store), a body that breaks off before the length it announced, a 2xx whose body does not
    /// finish within the timeout (the receiver said 2xx in time: delivered, not sent again), a status no HTTP status is.
    /// None may leave the delivery pending with nothing logged, sent again and again for ever.
    /// </summary>
    [Fact]
    public async Task An_answer_the_log_cannot_keep_as_it_came_is_logged_once_and_the_delivery_goes_on()
    {
        var partner = await system.Police.RegisterPartnerAsync("Thanh Hóa Lung Hospital");
        var site = await system.Police.RegisterSiteAsync(partner, "Outpatient gate");
        var client = system.ClientOf(partner);
        var nul = (await SubscribeAsync(client, partner, system.Receiver.Endpoint("nul", response => response.WriteAsync("ok\0done", Ct)), "incidentReported")).Id;
        var broken = (await SubscribeAsync(client, partner, system.Receiver.Endpoint("broken", async response =>
        {
            response.ContentLength = 100;
            await response.WriteAsync("thanks", Ct);
        }), "incidentReported")).Id;
        var slow = (await SubscribeAsync(client, partner, system.Receiver.Endpoint("slow-body", async response =>
        {
            response.ContentLength = 100;
            await response.WriteAsync("accepted", Ct);
            await response.Body.FlushAsync(Ct);
            try
            {
                // The rest of the body never comes: the sender gives up on it when its timeout ends.
                await Task.Delay(Timeout.Infinite, response.HttpContext.RequestAborted);
            }
            catch (OperationCanceledException)
            {
            }
        }), "incidentReported")).Id;
        var emoji = (await SubscribeAsync(client, partner, system.Receiver.Endpoint("emoji", response =>
            response.WriteAsync(string.Concat(new string('é', 10), string.Concat(Enumerable.Repeat("😀", 600))), Ct)), "incidentReported")).Id;
        var latin1 = (await SubscribeAsync(client, partner, system.Receiver.Endpoint("latin1", response => Answer(response, "text/plain; charset=ISO-8859-1", Encoding.Latin1, "Thanh Hóa")), "incidentReported")).Id;
        var utf16 = (await SubscribeAsync(client, partner, system.Receiver.Endpoint("utf-16le", response => Answer(response, "text/plain; charset=utf-16le", Encoding.Unicode, "Quảng Thắng")), "incidentReported")).Id;
        var utf16Unmarked = (await SubscribeAsync(client, partner, system.Receiver.Endpoint("utf-16", response => Answer(response, "text/plain; charset=utf-16", Encoding.BigEndianUnicode, "Đông Quang")), "incidentReported")).Id;
        var unicode = (await SubscribeAsync(client, partner, system.Receiver.Endpoint("unicode", response => Answer(response, "text/plain; charset=\"unicode\"", Encoding.BigEndianUnicode, "Điện Biên")), "incidentReported")).Id;
        var ascii = (await SubscribeAsync(client, partner, system.Receiver.Endpoint("us-ascii", response => Answer(response, "text/plain; charset=us-ascii", Encoding.Latin1, "café")), "incidentReported")).Id;
        var noStatus = (await SubscribeAsync(client, partner, system.Receiver.Endpoint("no-status", response =>
        {
            response.StatusCode = 999;
            return Task.CompletedTask;
        }), "incidentReported")).Id;

        await system.Bus.PublishAsync(IncidentAt(site), Guid.NewGuid());

        var kept = Assert.Single((await DeliveriesAsync(client, partner, nul, "delivered", 1)).Single().GetProperty("attempts").EnumerateArray());
        Assert.Equal("ok\uFFFDdone", kept.GetProperty("response").GetString());
        // The first 500 characters as the document counts them (maxLength): an emoji is one, though two UTF-16 units.
        var excerpt = Assert.Single((await DeliveriesAsync(client, partner, emoji, "delivered", 1)).Single().GetProperty("attempts").EnumerateArray());
        Assert.Equal(string.Concat(new string('é', 10), string.Concat(Enumerable.Repeat("😀", 490))), excerpt.GetProperty("response").GetString());
        // Read in the charset the answer names (ISO-8859-1's "ó" was logged as U+FFFD, UTF-16 without a mark as noise), UTF-16
        // without a mark big-endian (RFC 2781), a byte it cannot decode as U+FFFD (ASCII's decoder wrote "?").
        foreach (var (webhook, text) in new[] { (latin1, "Thanh Hóa"), (utf16, "Quảng Thắng"), (utf16Unmarked, "Đông Quang"), (unicode, "Điện Biên"), (ascii, "caf\uFFFD") })
        {
            var read = Assert.Single((await DeliveriesAsync(client, partner, webhook, "delivered", 1)).Single().GetProperty("attempts").EnumerateArray());
            Assert.Equal(text, read.GetProperty("response").GetString());
        }

        var cut = Assert.Single((await DeliveriesAsync(client, partner, broken, "delivered", 1)).Single().GetProperty("attempts").EnumerateArray());
        Assert.Equal(200, cut.GetProperty("status").GetInt32());
        var late = Assert.Single((await DeliveriesAsync(client, partner, slow, "delivered", 1)).Single().GetProperty("attempts").EnumerateArray());
        Assert.Equal((200, JsonValueKind.Null), (late.GetProperty("status").GetInt32(), late.GetProperty("error").ValueKind));
        var odd = (await DeliveriesAsync(client, partner, noStatus, "failed", 1)).Single().GetProperty("attempts").EnumerateArray().ToList();
        Assert.All(odd, attempt => Assert.Equal(JsonValueKind.Null, attempt.GetProperty("status").ValueKind));
        Assert.Equal("The receiver answered 999, which is no HTTP status.", odd[0].GetProperty("error").GetString());
        Assert.Single(system.Receiver.At("nul"));
        Assert.Single(system.Receiver.At("broken"));
        Assert.Single(system.Receiver.At("slow-body"));
    }

    /// <summary>A receiver's answer of <paramref name="text"/> in <paramref name="encoding"/>, as <paramref name="contentType"/> says.</summary>
    private static Task Answer(HttpResponse response, string contentType, Encoding encoding, string text)
    {
        response.ContentType = contentType;
        return response.Body.WriteAsync(encoding.GetBytes(text), Ct).AsTask();
    }

    /// <summary>
    /// A partner's access ends with the partnership: a suspended partner, or one that left, is told nothing of what happens at
    /// its sites. One missed shift passing the sites of three partners fans out in one transaction, so once the partner
    /// in good standing is told, the other two were passed over, not merely not yet served.
    /// </summary>
    [Fact]
    public async Task A_partner_suspended_or_gone_is_told_nothing_while_one_in_good_standing_is()
    {
        var told = await system.Police.RegisterPartnerAsync("Thanh Hóa Rehabilitation Hospital");
        var suspended = await system.Police.RegisterPartnerAsync("Thanh Hóa Traditional Medicine Hospital");
        var gone = await system.Police.RegisterPartnerAsync("Ward market board", "other");
        var sites = new List<Guid>();
        var webhooks = new Dictionary<Guid, Guid>();
        foreach (var partner in new[] { told, suspended, gone })
        {
            sites.Add(await system.Police.RegisterSiteAsync(partner, "Main gate"));
            webhooks[partner] = (await SubscribeAsync(system.ClientOf(partner), partner, system.Receiver.Endpoint($"standing-{partner}"), "shiftMissed")).Id;
        }

        await system.Police.StepOkAsync($"/partners/{suspended}/suspend", "\"1\"", new { reason = "Under review." });
        await system.Police.StepOkAsync($"/partners/{gone}/leave", "\"1\"", new { reason = "Closed." });
        await system.Bus.PublishAsync(
            new ShiftMissed(Guid.NewGuid(), Guid.NewGuid(), DateOnly.FromDateTime(DateTime.UtcNow), DateTimeOffset.UtcNow.AddHours(-3), DateTimeOffset.UtcNow, [.. sites]),
            Guid.NewGuid());

        Assert.Single(await ArrivedAsync($"standing-{told}", 1));
        foreach (var partner in new[] { suspended, gone })
        {
            var page = await system.Police.GetFromJsonAsync<JsonElement>($"/partners/{partner}/webhooks/{webhooks[partner]}/deliveries", Ct);
            Assert.Empty(page.GetProperty("items").EnumerateArray());
            Assert.Empty(system.Receiver.At($"standing-{partner}") ?? []);
        }
    }

    /// <summary>
    /// A partner's standing is judged at the time a thing happened, not when its notice is made a moment later (the broker, a
    /// backlog): what happened before a suspension is queued, held while the partner is suspended and sent by a replay once it
    /// is resumed; what happened while it was suspended is never queued, even when its notice is made after the resumption. An
    /// incident's report happens when it is reported: one that occurred before the suspension but is reported during it is not told.
    /// </summary>
    [Fact]
    public async Task A_partner_is_told_what_happened_before_its_suspension_and_never_what_happened_during_it_whenever_the_notice_is_made()
    {
        var partner = await system.Police.RegisterPartnerAsync("Thanh Hóa Children's Hospital");
        var site = await system.Police.RegisterSiteAsync(partner, "Children's hospital gate");
        var client = system.ClientOf(partner);
        var endpoint = $"standing-then-{partner}";
        var (webhookId, _) = await SubscribeAsync(client, partner, system.Receiver.Endpoint(endpoint), "incidentReported");
        var before = IncidentAt(site) with { OccurredAt = DateTimeOffset.UtcNow.AddMinutes(-2), ReportedAt = DateTimeOffset.UtcNow.AddMinutes(-1) };

        var suspended = await system.Police.StepOkAsync($"/partners/{partner}/suspend", "\"1\"", new { reason = "Under review." });
        var during = IncidentAt(site) with { OccurredAt = DateTimeOffset.UtcNow.AddMinutes(-3), ReportedAt = DateTimeOffset.UtcNow };
        var beforeId = Guid.NewGuid();
        await system.Bus.PublishAsync(before, beforeId);
        var held = Assert.Single(await DeliveriesAsync(system.Police, partner, webhookId, "held", 1));
        Assert.Equal(WebhookDelivery.OutOfStandingNote, held.GetProperty("note").GetString());

        // A replay while the partner is suspended sends nothing, so it is refused and changes nothing.
        using (var whileSuspended = await system.Police.PostAsJsonAsync($"/partners/{partner}/webhooks/{webhookId}/replay", new { since = DateTimeOffset.UtcNow.AddHours(-1) }, Ct))
        using (var oneWhileSuspended = await system.Police.PostAsync($"/partners/{partner}/webhooks/{webhookId}/deliveries/{held.GetProperty("id").GetGuid()}/replay", null, Ct))
        {
            Assert.Equal((HttpStatusCode.Conflict, HttpStatusCode.Conflict), (whileSuspended.StatusCode, oneWhileSuspended.StatusCode));
            Assert.Equal(held.GetRawText(), Assert.Single(await DeliveriesAsync(system.Police, partner, webhookId, "held", 1)).GetRawText());
        }

        // Nor does the webhook's pause and resume while the partner is suspended: resuming it makes due only what its pause
        // held, so what the suspension holds stays as it was (it was made due, and went out if the partner was resumed before
        // the sender held it again).
        var paused = await system.Police.StepOkAsync($"/partners/{partner}/webhooks/{webhookId}/pause", "\"1\"");
        await system.Police.StepOkAsync($"/partners/{partner}/webhooks/{webhookId}/resume", paused);
        var afterResume = await system.Police.GetFromJsonAsync<JsonElement>($"/partners/{partner}/webhooks/{webhookId}/deliveries", Ct);
        Assert.Equal(held.GetRawText(), Assert.Single(afterResume.GetProperty("items").EnumerateArray()).GetRawText());

        await system.Police.StepOkAsync($"/partners/{partner}/resume", suspended);
        var duringId = Guid.NewGuid();
        await system.Bus.PublishAsync(during, duringId);
        await Eventually.Get(() => Task.FromResult(system.Consumed.CountOf(duringId) > 0 ? "consumed" : null), "the notice of what happened during the suspension made");
        var log = await client.GetFromJsonAsync<JsonElement>($"/partners/{partner}/webhooks/{webhookId}/deliveries", Ct);
        Assert.Equal([held.GetProperty("id").GetGuid()], log.GetProperty("items").EnumerateArray().Select(delivery => delivery.GetProperty("id").GetGuid()));
        Assert.Empty(system.Receiver.At(endpoint));

        using var replay = await client.PostAsJsonAsync($"/partners/{partner}/webhooks/{webhookId}/replay", new { since = DateTimeOffset.UtcNow.AddHours(-1) }, Ct);
        Assert.Equal(HttpStatusCode.Accepted, replay.StatusCode);
        var sent = Assert.Single(await ArrivedAsync(endpoint, 1));
        Assert.Equal(before.IncidentId, JsonDocument.Parse(sent.Body).RootElement.GetProperty("data").GetProperty("incidentId").GetGuid());

        // Once the partner has left, a replay is refused too: what was delivered stays delivered, and nothing is sent again.
        var delivered = Assert.Single(await DeliveriesAsync(system.Police, partner, webhookId, "delivered", 1));
        var partnerNow = await system.Police.GetAsync($"/partners/{partner}", Ct);
        await system.Police.StepOkAsync($"/partners/{partner}/leave", partnerNow.Headers.ETag!.Tag, new { reason = "Closed." });
        using var afterLeaving = await system.Police.PostAsJsonAsync($"/partners/{partner}/webhooks/{webhookId}/replay", new { since = DateTimeOffset.UtcNow.AddHours(-1) }, Ct);
        Assert.Equal(HttpStatusCode.Conflict, afterLeaving.StatusCode);
        Assert.Equal(delivered.GetProperty("id").GetGuid(), Assert.Single(await DeliveriesAsync(system.Police, partner, webhookId, "delivered", 1)).GetProperty("id").GetGuid());
        Assert.Single(system.Receiver.At(endpoint));
    }

    [Fact]
    public async Task A_partner_client_manages_only_its_own_partner_s_webhooks_and_the_police_any()
    {
        var a = system.ClientOf(system.PartnerA);
        var b = system.ClientOf(system.PartnerB);
        var (webhookId, _) = await SubscribeAsync(a, system.PartnerA, system.Receiver.Endpoint("owned"), "cameraInstalled");

        Assert.Equal(HttpStatusCode.NotFound, (await b.GetAsync($"/partners/{system.PartnerA}/webhooks", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await b.GetAsync($"/partners/{system.PartnerA}/webhooks/{webhookId}", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await b.GetAsync($"/partners/{system.PartnerB}/webhooks/{webhookId}", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await b.PostAsync($"/partners/{system.PartnerA}/webhooks/{webhookId}/pause", null, Ct)).StatusCode);

        // A stale If-Match tells nothing either: not that the webhook exists, nor its version.
        var staleStep = await SendWithIfMatchAsync(b, HttpMethod.Post, $"/partners/{system.PartnerB}/webhooks/{webhookId}/pause");
        Assert.Equal(HttpStatusCode.NotFound, staleStep.StatusCode);
        Assert.Null(staleStep.Headers.ETag);
        Assert.Equal(
            HttpStatusCode.NotFound,
            (await b.PostAsJsonAsync($"/partners/{system.PartnerA}/webhooks", new { url = system.Receiver.Endpoint("stolen"), events = CameraInstalled }, Ct)).StatusCode);
        Assert.Contains(
            (await system.Police.GetFromJsonAsync<JsonElement>($"/partners/{system.PartnerA}/webhooks", Ct)).EnumerateArray(),
            webhook => webhook.GetProperty("id").GetGuid() == webhookId);
        Assert.Equal(HttpStatusCode.OK, (await system.Police.PostAsync($"/partners/{system.PartnerA}/webhooks/{webhookId}/pause", null, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await a.PostAsync($"/partners/{system.PartnerA}/webhooks/{webhookId}/pause", null, Ct)).StatusCode);

        // Another partner's deletion removes nothing; the owner's removes the sealed secrets with the webhook (an insider reading
        // the table finds none of a subscription that is gone).
        Assert.Equal(HttpStatusCode.NotFound, (await b.DeleteAsync($"/partners/{system.PartnerB}/webhooks/{webhookId}", Ct)).StatusCode);
        Assert.NotNull(await SealedSecretOfAsync(webhookId));
        Assert.Equal(HttpStatusCode.NoContent, (await a.DeleteAsync($"/partners/{system.PartnerA}/webhooks/{webhookId}", Ct)).StatusCode);
        Assert.Null(await SealedSecretOfAsync(webhookId));
        Assert.Equal(HttpStatusCode.NotFound, (await a.GetAsync($"/partners/{system.PartnerA}/webhooks/{webhookId}", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await SendWithIfMatchAsync(a, HttpMethod.Delete, $"/partners/{system.PartnerA}/webhooks/{webhookId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await SendWithIfMatchAsync(a, HttpMethod.Post, $"/partners/{system.PartnerA}/webhooks/{webhookId}/resume")).StatusCode);
        Assert.DoesNotContain(
            (await a.GetFromJsonAsync<JsonElement>($"/partners/{system.PartnerA}/webhooks", Ct)).EnumerateArray(),
            webhook => webhook.GetProperty("id").GetGuid() == webhookId);
    }

    /// <summary>
    /// A webhook's secrets row copied whole from another webhook's, or damaged in the database field by field over every field
    /// of the sealed document (<see cref="SealedRows"/>), signs nothing that does not open, as docs/partners.md says: a delivery is
    /// either sent signed only with secrets the partner was given for this webhook (the current one verifying), or, where the
    /// current one does not open (a copied row, a damaged current secret, a row that does not read), given up at once with the
    /// attempt's error saying so and the webhook disabled, nothing sent. Either way a rotation answers 200 (never a 500) and mends
    /// it: after a resume and a replay of what was given up, the next delivery verifies with the new secret; and the webhook's
    /// deletion removes the damaged row. The unit tests held this for <see cref="WebhookSecrets"/> alone.
    /// </summary>
    [Fact]
    public async Task A_secrets_row_copied_or_damaged_field_by_field_signs_nothing_it_cannot_open_and_a_rotation_mends_it()
    {
        var (partnerId, siteId) = await system.PartnerWithSiteAsync("Damaged secrets clinic", "Damaged secrets clinic gate");
        using var partner = system.ClientOf(partnerId);
        var store = system.Partners.Services.GetRequiredService<IDocumentStore>();
        var failuresBefore = system.Partners.Failures.Count;
        var (donorId, _) = await SubscribeAsync(partner, partnerId, system.Receiver.Endpoint("secrets-donor"), "incidentReported");
        Assert.Equal(HttpStatusCode.OK, (await partner.PostAsync($"/partners/{partnerId}/webhooks/{donorId}/rotate-secret", null, Ct)).StatusCode);
        var stored = await SealedRows.DataOfAsync<WebhookSecret>(store, donorId, Ct);
        Assert.Single(stored["replaced"]!.AsArray());
        Assert.Equal(HttpStatusCode.NoContent, (await partner.DeleteAsync($"/partners/{partnerId}/webhooks/{donorId}", Ct)).StatusCode);

        const string Copied = "copied whole from another webhook";
        var sent = new List<string>();
        var damages = SealedRows.DamagesOf<WebhookSecret>(stored).Select(damaged => damaged.Damage).Prepend(Copied).ToList();
        foreach (var (damage, index) in damages.Select((damage, index) => (damage, index)))
        {
            var endpoint = $"damaged-secrets-{index}";
            var (webhookId, first) = await SubscribeAsync(partner, partnerId, system.Receiver.Endpoint(endpoint), "incidentReported");
            var webhook = $"/partners/{partnerId}/webhooks/{webhookId}";
            var second = await RotatedSecretAsync(partner, webhook, damage);
            await (damage == Copied
                ? SealedRows.WriteAsync<WebhookSecret>(store, webhookId, stored.ToJsonString(), Ct)
                : SealedRows.DamageAsync<WebhookSecret>(store, webhookId, damage, Ct));

            await system.Bus.PublishAsync(IncidentAt(siteId), Guid.NewGuid());
            var delivery = Assert.Single(await RecordedAsync(partner, webhook, 1));
            if (delivery.GetProperty("status").GetString() == "failed")
            {
                var attempt = Assert.Single(delivery.GetProperty("attempts").EnumerateArray());
                Assert.True(attempt.GetProperty("error").GetString() == WebhookSender.UnsignableError, $"{damage}: {delivery}");
                Assert.Equal(JsonValueKind.Null, attempt.GetProperty("status").ValueKind);
                Assert.Equal("disabled", (await partner.GetFromJsonAsync<JsonElement>(webhook, Ct)).GetProperty("status").GetString());
                Assert.Empty(system.Receiver.At(endpoint) ?? []);
            }
            else
            {
                Assert.False(damage.StartsWith("current", StringComparison.Ordinal) || damage.StartsWith("data", StringComparison.Ordinal) || damage == Copied, $"{damage}: sent, {delivery}");
                Assert.True(delivery.GetProperty("status").GetString() == "delivered", $"{damage}: {delivery}");
                var arrived = Assert.Single(await ArrivedAsync(endpoint, 1));
                Assert.True(Accepted(second, arrived));
                Assert.All(arrived.Headers["webhook-signature"].ToString().Split(' '), signature => Assert.True(
                    new[] { first, second }.Any(secret => SignedWith(signature, arrived, secret)), $"{damage}: a signature made with neither of the webhook's secrets"));
                sent.Add(damage);
            }

            var third = await RotatedSecretAsync(partner, webhook, damage);
            if (delivery.GetProperty("status").GetString() == "failed")
            {
                Assert.Equal(HttpStatusCode.OK, (await partner.PostAsync($"{webhook}/resume", null, Ct)).StatusCode);
                Assert.Equal(HttpStatusCode.Accepted, (await partner.PostAsync($"{webhook}/deliveries/{delivery.GetProperty("id").GetGuid()}/replay", null, Ct)).StatusCode);
            }
            else
            {
                await system.Bus.PublishAsync(IncidentAt(siteId), Guid.NewGuid());
            }

            Assert.True(Accepted(third, (await ArrivedAsync(endpoint, delivery.GetProperty("status").GetString() == "failed" ? 1 : 2))[^1]), damage);
            Assert.Equal(HttpStatusCode.NoContent, (await partner.DeleteAsync(webhook, Ct)).StatusCode);
            await using var session = store.QuerySession();
            Assert.Null(await session.Json.FindByIdAsync<WebhookSecret>(webhookId, Ct));
        }

        // A replaced secret changed in its sealed bytes leaves the row readable: the current secret signs alone.
        Assert.Subset(sent.ToHashSet(), damages.Where(damage => damage.StartsWith("replaced.", StringComparison.Ordinal) && damage.EndsWith("one bit changed", StringComparison.Ordinal)).ToHashSet());
        Assert.Equal(failuresBefore, system.Partners.Failures.Count);
    }

    /// <summary>Rotates the webhook's secret (200, never a 500, whatever its row holds) and answers the new one.</summary>
    private static async Task<string> RotatedSecretAsync(HttpClient partner, string webhook, string damage)
    {
        using var rotated = await partner.PostAsync($"{webhook}/rotate-secret", null, Ct);
        var body = await rotated.Content.ReadAsStringAsync(Ct);
        Assert.True(rotated.StatusCode == HttpStatusCode.OK, $"{damage}: rotation {(int)rotated.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("secret").GetString()!;
    }

    /// <summary>
    /// A deleted webhook's secret is shown to nobody again: a retry of its keyed subscription replayed the kept answer, secret and
    /// all, for its key's 24 hours after the deletion (the webhooks probe). The deletion forgets that answer with the secrets; the
    /// key, free again, subscribes anew (a new webhook, a new secret).
    /// </summary>
    [Fact]
    public async Task A_deleted_webhook_s_secret_is_not_replayed_to_a_retry_of_its_subscription()
    {
        var partner = system.ClientOf(system.PartnerA);
        var key = $"subscribe-{Guid.NewGuid()}";
        async Task<(HttpStatusCode Status, bool Replayed, Guid Id, string Secret)> SubscribeWithKeyAsync()
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/partners/{system.PartnerA}/webhooks")
            {
                Content = JsonContent.Create(new { url = system.Receiver.Endpoint("keyed"), events = CameraInstalled }),
            };
            request.Headers.Add("Idempotency-Key", key);
            using var answer = await partner.SendAsync(request, Ct);
            var body = await answer.Content.ReadFromJsonAsync<JsonElement>(Ct);
            return (answer.StatusCode, answer.Headers.Contains("Idempotent-Replayed"), body.GetProperty("webhook").GetProperty("id").GetGuid(), body.GetProperty("secret").GetString()!);
        }

        var first = await SubscribeWithKeyAsync();
        Assert.Equal((HttpStatusCode.Created, false), (first.Status, first.Replayed));
        Assert.Equal((HttpStatusCode.Created, true, first.Id, first.Secret), await SubscribeWithKeyAsync());
        Assert.Equal(1, await KeptAnswersOfAsync(first.Id));

        Assert.Equal(HttpStatusCode.NoContent, (await partner.DeleteAsync($"/partners/{system.PartnerA}/webhooks/{first.Id}", Ct)).StatusCode);
        Assert.Equal(0, await KeptAnswersOfAsync(first.Id));
        var again = await SubscribeWithKeyAsync();
        Assert.Equal((HttpStatusCode.Created, false), (again.Status, again.Replayed));
        Assert.NotEqual(first.Id, again.Id);
        Assert.NotEqual(first.Secret, again.Secret);
        Assert.Equal(HttpStatusCode.NoContent, (await partner.DeleteAsync($"/partners/{system.PartnerA}/webhooks/{again.Id}", Ct)).StatusCode);
    }

    /// <summary>How many keyed requests' kept answers name record <paramref name="recordId"/> (an insider's read of the table).</summary>
    private async Task<int> KeptAnswersOfAsync(Guid recordId)
    {
        await using var session = system.Partners.Services.GetRequiredService<IDocumentStore>().QuerySession();
        return (await session.AdvancedSql.QueryAsync<int>(
            $"select count(*)::int from {session.DocumentStore.Options.Events.DatabaseSchemaName}.{EventSourcing.Idempotency.IdempotencyStore.TableName} where record_id = ?", Ct, recordId)).Single();
    }

    private async Task<WebhookSecret?> SealedSecretOfAsync(Guid webhookId)
    {
        await using var session = system.Partners.Services.GetRequiredService<IDocumentStore>().QuerySession();
        return await session.LoadAsync<WebhookSecret>(webhookId, Ct);
    }

    /// <summary>
    /// An address holding a control character (the CR LF a probe stored, and generated ones) or a space inside it is a 400
    /// naming <c>url</c>, when subscribing and when changing a webhook, and nothing is stored: the webhook keeps its address.
    /// </summary>
    [Fact]
    public async Task An_address_holding_a_control_character_or_a_space_is_refused_when_subscribing_and_when_changing()
    {
        var partner = await system.Police.RegisterPartnerAsync("Thanh Hóa Oncology Hospital");
        var client = system.ClientOf(partner);
        var good = system.Receiver.Endpoint("address-kept");
        var (webhookId, _) = await SubscribeAsync(client, partner, good, CameraInstalled);
        var unwanted = Gen.OneOf(Gen.Char['\u0000', '\u001F'], Gen.Const('\u007F'), Gen.Char['\u0080', '\u009F'], Gen.Char[" \u00A0\u2028\u3000"]);
        string[] urls =
        [
            $"{good}\r\nX-Injected: y",
            .. Check.Single(Gen.Select(unwanted, Gen.Int[1, good.Length - 1], (character, at) => good.Insert(at, character.ToString())).Array[10]),
        ];
        foreach (var url in urls)
        {
            var subscribed = await client.PostAsJsonAsync($"/partners/{partner}/webhooks", new { url, events = CameraInstalled }, Ct);
            var read = await client.GetAsync($"/partners/{partner}/webhooks/{webhookId}", Ct);
            using var change = new HttpRequestMessage(HttpMethod.Put, $"/partners/{partner}/webhooks/{webhookId}") { Content = JsonContent.Create(new { url, events = CameraInstalled }) };
            change.Headers.IfMatch.Add(read.Headers.ETag!);
            var changed = await client.SendAsync(change, Ct);
            foreach (var answer in new[] { subscribed, changed })
            {
                Assert.True(answer.StatusCode == HttpStatusCode.BadRequest, $"{JsonSerializer.Serialize(url)}: {answer.StatusCode}");
                Assert.True((await answer.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors").TryGetProperty("url", out _), JsonSerializer.Serialize(url));
            }
        }

        var kept = Assert.Single(await client.GetFromJsonAsync<JsonElement[]>($"/partners/{partner}/webhooks", Ct) ?? []);
        Assert.Equal(good, kept.GetProperty("url").GetString());
    }

    /// <summary>A step sent with an <c>If-Match</c> no version of the record has.</summary>
    private static async Task<HttpResponseMessage> SendWithIfMatchAsync(HttpClient client, HttpMethod method, string path)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.TryAddWithoutValidation("If-Match", "\"99\"");
        return await client.SendAsync(request, Ct);
    }

    [Fact]
    public async Task Private_loopback_and_link_local_targets_are_refused_when_subscribing_and_when_connecting()
    {
        // On a virtual host of its own: a second partners service on the fixture's would compete for its queues.
        await using var group = new ServiceGroup();
        await group.InitializeAsync();
        var strict = await group.StartAsync<PartnersService>(PartnersService.Name, settings: new Dictionary<string, string?> { ["Webhooks:AllowLocalTargets"] = "false" });
        using var police = strict.CreateClient();
        var partnerId = await police.RegisterPartnerAsync("Thanh Hóa Dermatology Hospital");
        string[] refused =
        [
            "https://127.0.0.1/hooks", "https://localhost/hooks", "https://10.1.2.3/hooks", "https://192.168.1.10/hooks", "https://172.20.0.1/hooks",
            "https://169.254.169.254/latest/meta-data", "https://[::1]/hooks", "https://[fe80::1]/hooks", "https://[fd00::1]/hooks", "https://[::ffff:127.0.0.1]/hooks",
            "http://desk.hospital.example/hooks", "ftp://desk.hospital.example/hooks", "https://user:pass@desk.hospital.example/hooks",
        ];
        foreach (var url in refused)
        {
            var answer = await police.PostAsJsonAsync($"/partners/{partnerId}/webhooks", new { url, events = CameraInstalled }, Ct);
            Assert.True(answer.StatusCode == HttpStatusCode.BadRequest, $"{url}: {answer.StatusCode}");
            Assert.True((await answer.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors").TryGetProperty("url", out _), url);
        }

        Assert.Empty(await police.GetFromJsonAsync<JsonElement[]>($"/partners/{partnerId}/webhooks", Ct) ?? []);

        // A name that resolves to loopback passes the address check of a subscription, and is refused when the sender connects.
        var target = system.Receiver.Endpoint("never").Replace("127.0.0.1", "localhost", StringComparison.Ordinal);
        var client = strict.Services.GetRequiredService<IHttpClientFactory>().CreateClient(WebhookSender.ClientName);
        var failure = await Assert.ThrowsAsync<HttpRequestException>(() => client.PostAsync(target, new StringContent("{}"), Ct));
        Assert.IsType<WebhookTargetRefusedException>(failure.InnerException);
        Assert.Empty(system.Receiver.At("never"));
        var permitted = system.Partners.Services.GetRequiredService<IHttpClientFactory>().CreateClient(WebhookSender.ClientName);
        Assert.Equal(HttpStatusCode.OK, (await permitted.PostAsync(target, new StringContent("{}"), Ct)).StatusCode);
        Assert.Single(system.Receiver.At("never"));
    }

    /// <summary>Publishes a message of the event behind <paramref name="type"/> naming <paramref name="partner"/> wherever the message names a partner and <paramref name="site"/> wherever it names a site.</summary>
    private Task PublishNamingAsync(WebhookEventType type, Guid partner, Guid site, Guid messageId)
    {
        var now = DateTimeOffset.UtcNow;
        return type switch
        {
            WebhookEventType.IncidentReported => system.Bus.PublishAsync(IncidentAt(site), messageId),
            WebhookEventType.IncidentResolved => system.Bus.PublishAsync(
                new IncidentResolved(Guid.NewGuid(), "INC-2024-0051", IncidentClassification.Criminal, IncidentOutcome.CriminalCaseSolved, [], now, site), messageId),
            WebhookEventType.TipReferred => system.Bus.PublishAsync(TipFrom(partner, "A tip at a site") with { Place = new Place(site, null, null, null) }, messageId),
            WebhookEventType.TipOutcomeRecorded => system.Bus.PublishAsync(
                new TipOutcomeRecorded(Guid.NewGuid(), "TIP-2024-0051", Guid.NewGuid(), "INC-2024-0051", IncidentClassification.Criminal, IncidentOutcome.CriminalCaseSolved, now, partner), messageId),
            WebhookEventType.ShiftMissed => system.Bus.PublishAsync(
                new ShiftMissed(Guid.NewGuid(), Guid.NewGuid(), DateOnly.FromDateTime(now.UtcDateTime), now.AddHours(-3), now, [site]), messageId),
            WebhookEventType.CameraApproved => system.Bus.PublishAsync(new Contract.CameraApproved(Guid.NewGuid(), site, partner, now), messageId),
            WebhookEventType.CameraInstalled => system.Bus.PublishAsync(new Contract.CameraInstalled(Guid.NewGuid(), site, partner, now), messageId),
            WebhookEventType.CameraDecommissioned => system.Bus.PublishAsync(new Contract.CameraDecommissioned(Guid.NewGuid(), site, partner, now), messageId),
            WebhookEventType.ActionItemOverdue => system.Bus.PublishAsync(new Contract.ActionItemOverdue(Guid.NewGuid(), Guid.NewGuid(), partner, now.AddDays(-1), now), messageId),
            _ => throw new ArgumentOutOfRangeException(nameof(type), type, "A webhook event type this test does not publish yet: add its message."),
        };
    }

    internal static IncidentReported IncidentAt(Guid siteId) => new(
        Guid.NewGuid(), "INC-2024-0042", IncidentClassification.Criminal, SecurityCategory.Theft, IncidentSource.Patrol, null, siteId, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow);

    private static TipReferred TipFrom(Guid? partnerId, string text) => new(
        Guid.NewGuid(), "TIP-2024-0042", Guid.NewGuid(), true, SecurityCategory.Theft, text, new Place(null, text, 19.8, 105.77),
        DateTimeOffset.UtcNow.AddHours(-2), DateTimeOffset.UtcNow, "officer-lan", partnerId);

    /// <summary>
    /// One partner's endpoints that never answer hold none of another partner's notices: with five webhooks of one partner on
    /// an endpoint that holds every request open (past the sender's timeout, which would end them), four notices each, a notice
    /// to another partner's endpoint arrives while the first partner's attempts are all still held, four of them (its share).
    /// (The sender sent a round's deliveries four at a time, the earliest due first, and waited for them all; with a share per
    /// webhook, the first partner's twenty filled every attempt the sender had.)
    /// </summary>
    [Fact]
    public async Task A_partner_s_endpoints_that_never_answer_do_not_hold_another_partner_s_notice()
    {
        var (slowPartner, slowSite) = await system.PartnerWithSiteAsync("Hàm Rồng Ward Market Board", "Market hall gate");
        var (otherPartner, otherSite) = await system.PartnerWithSiteAsync("Đông Vệ Primary School", "School gate", "school");
        var (held, ended) = (0, 0);
        var slow = system.Receiver.Endpoint("never-answers", async response =>
        {
            Interlocked.Increment(ref held);
            try
            {
                await Task.Delay(Timeout.Infinite, response.HttpContext.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                Interlocked.Increment(ref ended);
            }
        });
        var slowClient = system.ClientOf(slowPartner);
        var slowWebhooks = new List<Guid>();
        for (var i = 0; i < 5; i++)
        {
            slowWebhooks.Add((await SubscribeAsync(slowClient, slowPartner, $"{slow}?n={i}", "incidentReported")).Id);
        }

        try
        {
            for (var i = 0; i < 4; i++)
            {
                await system.Bus.PublishAsync(IncidentAt(slowSite), Guid.NewGuid());
            }

            await Eventually.Get(() => Task.FromResult(Volatile.Read(ref held) >= 4 ? "held" : null), "the first attempts to the endpoint that never answers");
            await SubscribeAsync(system.ClientOf(otherPartner), otherPartner, system.Receiver.Endpoint("answers-at-once"), "incidentReported");
            await system.Bus.PublishAsync(IncidentAt(otherSite), Guid.NewGuid());

            Assert.Single(await ArrivedAsync("answers-at-once", 1));
            Assert.True(Volatile.Read(ref ended) == 0, $"the other partner's notice came only after {ended} attempt(s) to the endpoint that never answers ended");
            Assert.Equal(4, Volatile.Read(ref held));
        }
        finally
        {
            foreach (var webhook in slowWebhooks)
            {
                await SendWithIfMatchAsync(slowClient, HttpMethod.Delete, $"/partners/{slowPartner}/webhooks/{webhook}");
            }
        }
    }

    internal static async Task<(Guid Id, string Secret)> SubscribeAsync(HttpClient client, Guid partnerId, string url, params string[] events)
    {
        var response = await client.PostAsJsonAsync($"/partners/{partnerId}/webhooks", new { url, events, description = "Security desk" }, Ct);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{response.StatusCode}: {body}");
        var secret = body.GetProperty("secret").GetString()!;
        Assert.StartsWith(WebhookSecrets.Prefix, secret, StringComparison.Ordinal);
        return (body.GetProperty("webhook").GetProperty("id").GetGuid(), secret);
    }

    private static async Task<Guid> CreatedIdAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetGuid();
    }

    /// <summary>The one delivery of <paramref name="webhookId"/> as the store keeps it.</summary>
    private async Task<WebhookDelivery> StoredDeliveryAsync(Guid webhookId)
    {
        await using var session = system.Partners.Services.GetRequiredService<IDocumentStore>().QuerySession();
        return Assert.Single(await session.Query<WebhookDelivery>().Where(delivery => delivery.AnyTenant() && delivery.WebhookId == webhookId).ToListAsync(Ct));
    }

    private async Task<IReadOnlyList<ReceivedWebhook>> ArrivedAsync(string name, int count) =>
        await Eventually.Get(() => Task.FromResult(system.Receiver.At(name) is { } arrived && arrived.Count >= count ? arrived : null), $"{count} webhook(s) at {name}");

    internal static async Task<IReadOnlyList<JsonElement>> DeliveriesAsync(HttpClient client, Guid partnerId, Guid webhookId, string status, int count, TimeSpan? timeout = null) =>
        await Eventually.Get(
            async () =>
            {
                var page = await client.GetFromJsonAsync<JsonElement>($"/partners/{partnerId}/webhooks/{webhookId}/deliveries?status={status}", Ct);
                var items = page.GetProperty("items").EnumerateArray().ToList();
                return items.Count >= count ? items : null;
            },
            $"{count} {status} deliveries of webhook {webhookId}",
            timeout);

    /// <summary>The webhook's delivery log once <paramref name="count"/> of its deliveries have an attempt recorded and are no longer pending.</summary>
    private static async Task<IReadOnlyList<JsonElement>> RecordedAsync(HttpClient client, string webhookPath, int count) =>
        await Eventually.Get(
            async () =>
            {
                var items = (await client.GetFromJsonAsync<JsonElement>($"{webhookPath}/deliveries", Ct)).GetProperty("items").EnumerateArray().ToList();
                return items.Count(delivery => delivery.GetProperty("attemptCount").GetInt32() > 0 && delivery.GetProperty("status").GetString() != "pending") >= count ? items : null;
            },
            $"{count} deliveries of {webhookPath} with their attempts recorded");

    private static bool Accepted(string secret, ReceivedWebhook request)
    {
        new StandardWebhook(secret).Verify(request.Body, request.Headers);
        return true;
    }

    /// <summary>
    /// Verifies as the specification says a receiver should, against each signature of the header
    /// in turn: the package's verifier (StandardWebhooks 1.1.2) checks only the first one, which
    /// during a rotation is the new secret's.
    /// </summary>
    private static void VerifyAnySignature(string secret, ReceivedWebhook request)
    {
        if (!request.Headers["webhook-signature"].ToString().Split(' ').Any(signature => SignedWith(signature, request, secret)))
        {
            throw new WebhookVerificationException("No signature of the request verifies with the secret.");
        }
    }

    /// <summary>Whether <paramref name="signature"/>, one of the request's, verifies with <paramref name="secret"/>.</summary>
    private static bool SignedWith(string signature, ReceivedWebhook request, string secret)
    {
        try
        {
            new StandardWebhook(secret).Verify(request.Body, new HeaderDictionary(request.Headers.ToDictionary()) { ["webhook-signature"] = signature });
            return true;
        }
        catch (WebhookVerificationException)
        {
            return false;
        }
    }

    private static List<string> TypesOf(IEnumerable<ReceivedWebhook> requests) =>
        [.. requests.Select(request => JsonDocument.Parse(request.Body).RootElement.GetProperty("type").GetString()!).Order(StringComparer.Ordinal)];

    private static JsonElement Data(IEnumerable<ReceivedWebhook> requests, string type) =>
        requests.Select(request => JsonDocument.Parse(request.Body).RootElement).Single(body => body.GetProperty("type").GetString() == type).GetProperty("data");

    private static List<string> FieldsOf(IEnumerable<ReceivedWebhook> requests, string type) =>
        [.. Data(requests, type).EnumerateObject().Select(field => field.Name).Order(StringComparer.Ordinal)];

    /// <summary>
    /// A partners service of the test's own whose sender gives up on a delivery at its first failed attempt: its window is
    /// shorter than half its first retry, the least a retry waits, so no retry fits in it and the attempt a receiver holds
    /// is the last. On a group of its own (database and virtual host): a second partners service on the fixture's would
    /// compete for its queues. It has one partner, with a site, and a bus that tells it of events.
    /// </summary>
    private sealed class SenderGivingUpAtOnce : IAsyncDisposable
    {
        private static readonly Dictionary<string, string?> Settings = new(WebhookSystem.QuickSender)
        {
            ["Webhooks:FirstRetryAfter"] = "00:01:00",
            ["Webhooks:MaxRetryInterval"] = "00:01:00",
            ["Webhooks:RetryFor"] = "00:00:01",
        };

        private readonly ServiceGroup _group;

        private SenderGivingUpAtOnce(ServiceGroup group, ServiceHost<PartnersService> partners, TestBus bus, Guid partner, Guid site)
        {
            _group = group;
            Partners = partners;
            Bus = bus;
            Partner = partner;
            Site = site;
            Client = partners.CreateClient().As(TestAuth.Token(WardLinkRoles.Partner, partner));
        }

        public ServiceHost<PartnersService> Partners { get; }

        public TestBus Bus { get; }

        public Guid Partner { get; }

        public Guid Site { get; }

        /// <summary>A client of the partner's own.</summary>
        public HttpClient Client { get; }

        public static async Task<SenderGivingUpAtOnce> StartAsync(string partnerName)
        {
            var group = new ServiceGroup();
            try
            {
                await group.InitializeAsync();
                var partners = await group.StartAsync<PartnersService>(PartnersService.Name, settings: Settings);
                using var police = partners.CreateClient();
                var partner = await police.RegisterPartnerAsync(partnerName);
                var site = await police.RegisterSiteAsync(partner, "Main gate");
                return new SenderGivingUpAtOnce(group, partners, await TestBus.StartAsync(group.VirtualHost), partner, site);
            }
            catch
            {
                await group.DisposeAsync();
                throw;
            }
        }

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            await Bus.DisposeAsync();
            await _group.DisposeAsync();
        }
    }
}
