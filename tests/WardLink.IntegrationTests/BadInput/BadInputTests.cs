using System.Net.Http.Json;
using System.Text.Json;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using WardLink.EventSourcing;
using WardLink.EventSourcing.Wards;
using WardLink.Incidents;
using WardLink.IntegrationTests.Incidents;
using WardLink.IntegrationTests.Partners;
using WardLink.IntegrationTests.Patrols;
using WardLink.IntegrationTests.Pipeline;
using WardLink.IntegrationTests.Tips;
using WardLink.Partners;
using WardLink.Patrols;
using WardLink.ServiceDefaults.Security;
using WardLink.Testing;
using WardLink.Tips;

namespace WardLink.IntegrationTests.BadInput;

public sealed class TipsBadInputTests(ServiceFixture<TipsService> tips) : BadInputSuite<TipsService>(tips), IClassFixture<ServiceFixture<TipsService>>
{
    protected override Task RecordOneOfEachKindAsync(HttpClient client, IServiceProvider services) => client.ReceiveAsync();
}

public sealed class IncidentsBadInputTests(ServiceFixture<IncidentsService> incidents) : BadInputSuite<IncidentsService>(incidents), IClassFixture<ServiceFixture<IncidentsService>>
{
    protected override Task RecordOneOfEachKindAsync(HttpClient client, IServiceProvider services) => client.ReportAsync();

    /// <summary>A linked tip is the tips service's: incidents keeps its id and number as given.</summary>
    protected override IReadOnlyCollection<string> IdsOfOtherServices => ["tipId"];

    /// <summary>A link of a tip nobody linked yet: each is taken once (the sample's tip, linked once, is a 409 after).</summary>
    protected override IReadOnlyDictionary<string, object> StepBodies { get; } = new Dictionary<string, object>
    {
        ["POST /incidents/{id}/tips"] = (Func<object>)(() => new { tipId = Guid.NewGuid(), tipNumber = "TIP-SW-2024-0042" }),
    };

    /// <summary>An incident no tip is linked to: every id under it names a tip it does not have.</summary>
    protected override async Task<(IReadOnlyList<BareRecord> Bare, IReadOnlyList<Guid> Others)> BareRecordsAsync(HttpClient client) =>
        ([new BareRecord("/incidents/{id}", (await client.ReportAsync()).Id, [])], []);
}

public sealed class PatrolsBadInputTests(ServiceFixture<PatrolsService> patrols) : BadInputSuite<PatrolsService>(patrols), IClassFixture<ServiceFixture<PatrolsService>>
{
    protected override async Task RecordOneOfEachKindAsync(HttpClient client, IServiceProvider services)
    {
        var (routeId, _, _) = await client.DefineRouteAsync(services.GetRequiredService<IDocumentStore>());
        await client.ScheduleAsync(routeId, PatrolRequests.Tomorrow);
        await client.StartShiftAsync(new { routeId, kind = "patrol", team = "police", members = PatrolRequests.Team });

        // The suite counts every row before and after each request: the sweep (every minute) must find nothing to record.
        var sweep = services.GetServices<Microsoft.Extensions.Hosting.IHostedService>().OfType<MissedShiftSweep>().Single();
        Assert.Empty(await sweep.SweepAsync(DateTimeOffset.UtcNow, TestContext.Current.CancellationToken));
    }

    /// <summary>An observation the started shift takes again and again (the sample names a site nobody registered).</summary>
    protected override IReadOnlyDictionary<string, object> StepBodies { get; } = new Dictionary<string, object>
    {
        ["POST /patrols/shifts/{id}/observations"] = new { description = "A lamp out by the gate.", severity = "low" },
    };
}

/// <summary>
/// The partners service without overdue rounds while the suite runs: a sample action item is due in the past, and a round
/// (every minute) recording it overdue would be counted as stored by whichever refusal it ran beside.
/// </summary>
public sealed class PartnersBadInputTests(PartnersWithoutOverdueRounds partners) : BadInputSuite<PartnersService>(partners), IClassFixture<PartnersWithoutOverdueRounds>
{
    protected override async Task RecordOneOfEachKindAsync(HttpClient client, IServiceProvider services)
    {
        // The home ward's stream is recorded in the background once the bus is up: then the store holds what the test reads.
        // Its WardEstablished comes back to the service's own directory, whose consumer writes it (and its ledger entry):
        // then nothing is written in the background while the suite counts rows around each request.
        await Eventually.Get(
            async () => (await client.GetAsync($"/partners/wards/{new HomeWard().Id}", TestContext.Current.CancellationToken)).IsSuccessStatusCode ? "established" : null,
            "the home ward's stream");
        await Eventually.Get(
            async () =>
            {
                await using var session = services.GetRequiredService<IDocumentStore>().QuerySession();
                return await session.Query<ProcessedMessage>().FirstOrDefaultAsync(processed => processed.Consumer == nameof(WardEstablishedConsumer), TestContext.Current.CancellationToken);
            },
            "the home ward's WardEstablished applied by the service's own directory");
        var partnerId = await client.RegisterPartnerAsync();
        await client.RegisterSiteAsync(partnerId, "Eye hospital gate");
        var channel = await client.PostAsJsonAsync("/partners/channels", new { kind = "hotline", name = "Ward police hotline", number = "0237 3852 113" }, TestContext.Current.CancellationToken);
        Assert.Equal(System.Net.HttpStatusCode.Created, channel.StatusCode);
    }

    private static readonly string[] TipOutcomes = ["tipOutcomeRecorded"];

    /// <summary>
    /// A ward of the home ward's province (the sample names a province nobody recorded), refused for its blank name alone: a
    /// walk judging each of its texts by whether it is named establishes no ward (a ward established is written to the
    /// service's own directory in the background, which the next test's row counts would see).
    /// </summary>
    protected override IReadOnlyDictionary<string, object> StepBodies { get; } = new Dictionary<string, object>
    {
        ["POST /partners/wards"] = new { wardId = "sample-ward", code = "SW", name = " ", province = new HomeWard().Province },
    };

    /// <summary>The home ward, read by its own id.</summary>
    protected override IReadOnlyDictionary<string, string> PathCodes { get; } = new Dictionary<string, string> { ["wardId"] = new HomeWard().Id };

    /// <summary>
    /// A partner with a site, and under them each kind a read names: a camera, a meeting (with an action item, a part a step
    /// names), an outreach session, an ID-card drive, warning signs, a webhook.
    /// </summary>
    protected override async Task RecordEveryReadKindAsync(HttpClient client)
    {
        var ct = TestContext.Current.CancellationToken;
        var partnerId = await client.RegisterPartnerAsync("Provincial Lung Hospital");
        var siteId = await client.RegisterSiteAsync(partnerId, "Lung hospital gate");
        foreach (var (path, body) in new (string, object)[]
        {
            ($"/partners/{partnerId}/sites/{siteId}/cameras", new { description = "On the lamp post, facing the gate", at = "2024-03-01T09:00:00+07:00" }),
            ("/partners/meetings", new { heldAt = "2024-05-06T08:00:00+07:00", attendingPartnerIds = new[] { partnerId }, minutes = "Reviewed April's tips." }),
            ($"/partners/{partnerId}/outreach-sessions", new { topics = (string[])["trafficSafety"], attendees = 120, at = "2024-09-10T08:00:00+07:00" }),
            ($"/partners/{partnerId}/id-card-drives", new { cardsIssued = 300, at = "2024-05-20T08:00:00+07:00" }),
            ($"/partners/{partnerId}/sites/{siteId}/warning-signs", new { count = 4, text = "Lock your motorbike.", at = "2024-03-01T08:00:00+07:00" }),
            ($"/partners/{partnerId}/webhooks", new { url = "https://partner.example/hooks", events = TipOutcomes }),
        })
        {
            using var created = await client.PostAsJsonAsync(path, body, ct);
            Assert.True(created.StatusCode == System.Net.HttpStatusCode.Created, $"POST {path}: {created.StatusCode} {await created.Content.ReadAsStringAsync(ct)}");
            if (path == "/partners/meetings")
            {
                using var item = await client.PostAsJsonAsync($"{created.Headers.Location}/action-items", new { text = "Survey the gate for a camera.", ownerPartnerId = partnerId, dueAt = DateTimeOffset.UtcNow.AddDays(30) }, ct);
                Assert.True(item.StatusCode == System.Net.HttpStatusCode.OK, $"an action item: {item.StatusCode} {await item.Content.ReadAsStringAsync(ct)}");
            }
        }
    }

    /// <summary>
    /// A partner with no site, contact or webhook, reached by the police and by its own client, and a channel with no member:
    /// every id under them names a record they do not have; among those named, another partner's webhook (its sites are among
    /// the newest records of each kind).
    /// </summary>
    protected override async Task<(IReadOnlyList<BareRecord> Bare, IReadOnlyList<Guid> Others)> BareRecordsAsync(HttpClient client)
    {
        var other = await client.RegisterPartnerAsync("Provincial Eye Hospital");
        var webhook = await client.PostAsJsonAsync($"/partners/{other}/webhooks", new { url = "https://partner.example/hooks", events = TipOutcomes }, TestContext.Current.CancellationToken);
        Assert.Equal(System.Net.HttpStatusCode.Created, webhook.StatusCode);
        var webhookId = (await webhook.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("webhook").GetProperty("id").GetGuid();

        var bare = await client.RegisterPartnerAsync("Provincial Dermatology Hospital");
        var channel = await client.PostAsJsonAsync("/partners/channels", new { kind = "hotline", name = "Ward night hotline", number = "0237 3852 114" }, TestContext.Current.CancellationToken);
        Assert.Equal(System.Net.HttpStatusCode.Created, channel.StatusCode);
        var channelId = (await channel.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("id").GetGuid();
        return (
            [new BareRecord("/partners/{id}", bare, [TestAuth.Token(WardLinkRoles.Partner, partnerId: bare)]), new BareRecord("/partners/channels/{id}", channelId, [])],
            [other, webhookId]);
    }
}
