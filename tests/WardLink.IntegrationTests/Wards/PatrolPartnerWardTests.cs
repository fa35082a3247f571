using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using JasperFx.Events;
using Marten;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using WardLink.Contracts.Incidents;
using WardLink.Contracts.Partners;
using WardLink.Contracts.Tips;
using WardLink.EventSourcing;
using WardLink.EventSourcing.Sites;
using WardLink.EventSourcing.Wards;
using WardLink.IntegrationTests.Incidents;
using WardLink.IntegrationTests.Partners;
using WardLink.IntegrationTests.Patrols;
using WardLink.IntegrationTests.Pipeline;
using WardLink.Partners;
using WardLink.Patrols;
using WardLink.ServiceDefaults.Security;
using WardLink.Testing;
using ActionItemOverdue = WardLink.Partners.ActionItemOverdue;

namespace WardLink.IntegrationTests.Wards;

/// <summary>
/// The patrols and partners services on one virtual host (partners' sites reach patrols' directory through
/// the relay), patrols on a clock the test sets and sweeping for missed shifts every 100 ms, partners'
/// webhook sender quick and allowed a loopback receiver, and a bus of the test's own that plays the other
/// services' relays. Each test uses wards of its own (all of province <see cref="Province"/>), known to both
/// directories, so what one test records in a ward no other test counts.
/// </summary>
public class WardedPatrolsAndPartners : ServiceGroup
{
    public const string Province = "thanh-hoa";

    public ManualClock Clock { get; } = new(PatrolsOnTheBus.Evening);

    public ServiceHost<PatrolsService> Patrols { get; private set; } = null!;

    public ServiceHost<PartnersService> Partners { get; private set; } = null!;

    public WebhookReceiver Receiver { get; private set; } = null!;

    public TestBus Bus { get; private set; } = null!;

    /// <summary>What the partners service's consumers finished, by message id.</summary>
    public ConsumeCounter PartnersConsumed { get; } = new();

    public IDocumentStore PatrolsStore => Patrols.Services.GetRequiredService<IDocumentStore>();

    public IDocumentStore PartnersStore => Partners.Services.GetRequiredService<IDocumentStore>();

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        Receiver = Own(await WebhookReceiver.StartAsync());
        Patrols = await StartAsync<PatrolsService>(
            PatrolsService.Name,
            services: services =>
            {
                services.AddSingleton<TimeProvider>(Clock);
                services.AddSingleton(new MissedShiftSweepSchedule(TimeSpan.FromMilliseconds(100), 7));
            },
            settings: await SettingsOfAsync(PatrolsService.Name));
        var partners = await SettingsOfAsync(PartnersService.Name);
        foreach (var (key, value) in WebhookSystem.QuickSender)
        {
            partners[key] = value;
        }

        Partners = await StartAsync<PartnersService>(PartnersService.Name, services: services => services.AddConsumeObserver(_ => PartnersConsumed), settings: partners);
        Bus = Own(await TestBus.StartAsync(VirtualHost));
    }

    /// <summary>
    /// Both directories know <paramref name="ward"/> (code <paramref name="code"/>), its records kept under its own tenant;
    /// with <paramref name="endedOn"/>, as ended from that local date (merged into <paramref name="mergedInto"/>, or dissolved).
    /// Known again, it is a later version of the ward (as a rename or merger makes it).
    /// </summary>
    public async Task KnowWardAsync(string ward, string code, DateOnly? endedOn = null, string? mergedInto = null)
    {
        foreach (var service in new[] { PatrolsService.Name, PartnersService.Name })
        {
            await KeepInEveryDatabaseAsync(service, async session =>
            {
                var known = await session.LoadAsync<KnownWard>(ward, TestContext.Current.CancellationToken);
                session.Store(new KnownWard(ward, code, $"Ward {code}", Province, new DateOnly(2020, 1, 1), (known?.Version ?? 0) + 1, ward, mergedInto, endedOn));
            });
        }
    }

    /// <summary>A site of <paramref name="ward"/> in patrols' directory (as its partner's messages would have put it there).</summary>
    public async Task<Guid> KnowSiteInAsync(string ward)
    {
        var site = new KnownSite(Guid.CreateVersion7(), Guid.CreateVersion7(), $"Gate of {ward}", SiteKind.Gate, 19.8, 105.77, DateTimeOffset.UtcNow, Ward: ward);
        await KeepInEveryDatabaseAsync(PatrolsService.Name, session =>
        {
            session.Store(site);
            return Task.CompletedTask;
        });
        return site.Id;
    }

    /// <summary>The wards whose records the services keep in a second database (none here).</summary>
    protected virtual IReadOnlyList<string> SecondDatabaseWards => [];

    private async Task<Dictionary<string, string?>> SettingsOfAsync(string service) =>
        SecondDatabaseWards.Count == 0 ? [] : await SecondDatabaseOfAsync(service, "north", SecondDatabaseWards);

    /// <summary>A client of <paramref name="host"/> with a <paramref name="role"/> token bound to <paramref name="wards"/> (or to every ward of the province).</summary>
    public static HttpClient ClientOf<T>(ServiceHost<T> host, string role, string[]? wards = null, string[]? provinces = null)
        where T : class =>
        host.CreateClient().As(TestAuth.Token(role, wards: wards, provinces: provinces));

    /// <summary>The events of stream <paramref name="id"/> as the store keeps them under <paramref name="ward"/>'s tenant (empty when the stream is not that ward's).</summary>
    public static async Task<IReadOnlyList<IEvent>> EventsInWardAsync(IDocumentStore store, string ward, Guid id)
    {
        await using var session = store.QuerySession(ward);
        return await session.Events.FetchStreamAsync(id, token: TestContext.Current.CancellationToken);
    }

}

/// <summary>
/// The same services with some of the tests' wards kept in a second database (one of each pair a test compares, the
/// ward merged into another, the ward that ends), so every list, statistic, sweep and webhook spans two databases.
/// </summary>
public sealed class WardedPatrolsAndPartnersOnTwoDatabases : WardedPatrolsAndPartners
{
    protected override IReadOnlyList<string> SecondDatabaseWards => ["hac-thanh", "tao-xuyen", "quang-tam", "ba-dinh", "hai-ba-trung", "dong-huong", "quang-thinh", "quang-yen", PatrolPartnerWardSuite<WardedPatrolsAndPartners>.EstablishedUnderAKey];
}

/// <summary>Patrols and partners' records as ward tenants, every ward in each service's own database.</summary>
public sealed class PatrolPartnerWardTests(WardedPatrolsAndPartners wards) : PatrolPartnerWardSuite<WardedPatrolsAndPartners>(wards);

/// <summary>Patrols and partners' records as ward tenants, some wards kept in a second database.</summary>
public sealed class PatrolPartnerWardsOnTwoDatabasesTests(WardedPatrolsAndPartnersOnTwoDatabases wards)
    : PatrolPartnerWardSuite<WardedPatrolsAndPartnersOnTwoDatabases>(wards);

/// <summary>Patrols and partners' records as ward tenants (issue 21): isolation by id, in lists, statistics and the site directory; sweeps and webhooks per ward.</summary>
public abstract class PatrolPartnerWardSuite<TServices>(TServices wards) : IClassFixture<TServices>
    where TServices : WardedPatrolsAndPartners
{
    private static readonly string[] IncidentsReported = ["incidentReported"];

    private static readonly string[] Drugs = ["drugs"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Two wards the services know, and a police client of the partners service bound to each.</summary>
    private async Task<(HttpClient A, HttpClient B)> PartnersOfTwoWardsAsync((string Id, string Code) a, (string Id, string Code) b)
    {
        await wards.KnowWardAsync(a.Id, a.Code);
        await wards.KnowWardAsync(b.Id, b.Code);
        return (WardedPatrolsAndPartners.ClientOf(wards.Partners, WardLinkRoles.Police, [a.Id]), WardedPatrolsAndPartners.ClientOf(wards.Partners, WardLinkRoles.Police, [b.Id]));
    }

    [Fact]
    public async Task A_client_bound_to_one_ward_finds_nothing_of_another_ward_by_id_in_lists_statistics_or_the_site_directory()
    {
        const string A = "dong-son", B = "hac-thanh";
        var (partnersA, partnersB) = await PartnersOfTwoWardsAsync((A, "DS"), (B, "HT"));
        using var ownedA = partnersA;
        using var ownedB = partnersB;
        using var patrolsA = WardedPatrolsAndPartners.ClientOf(wards.Patrols, WardLinkRoles.Police, [A]);
        using var patrolsB = WardedPatrolsAndPartners.ClientOf(wards.Patrols, WardLinkRoles.Police, [B]);

        // Each ward registers a partner (of a kind of its own) with a site; patrols learns the sites, each in its ward.
        var partnerA = await partnersA.RegisterPartnerAsync("Đông Sơn health centre", "healthCentre");
        var siteA = await partnersA.RegisterSiteAsync(partnerA, "Health centre gate");
        var partnerB = await partnersB.RegisterPartnerAsync("Hạc Thành transport group", "transportGroup");
        var siteB = await partnersB.RegisterSiteAsync(partnerB, "Taxi rank by the market");
        var known = await Eventually.Get(
            async () => await wards.SitesKnownToAsync(PatrolsService.Name) is var sites && sites.Any(site => site.Id == siteA) && sites.Any(site => site.Id == siteB) ? sites : null,
            "both sites in the patrols directory");
        Assert.Equal((A, B), (known.Single(site => site.Id == siteA).Ward, known.Single(site => site.Id == siteB).Ward));
        Assert.Equal(A, (await partnersA.GetFromJsonAsync<JsonElement>($"/partners/{partnerA}", Ct)).GetProperty("ward").GetString());
        Assert.Equal(B, (await partnersB.GetFromJsonAsync<JsonElement>($"/partners/{partnerB}/sites/{siteB}", Ct)).GetProperty("ward").GetString());

        // A route's checkpoints are at sites of its own ward; to a client of A, B's site is one the directory does not
        // know (as its GET says), and its answer names no ward of B's; a client of both is told the site's ward.
        var before = await wards.PatrolsStore.CountEventsAsync();
        using var patrolsOfBoth = WardedPatrolsAndPartners.ClientOf(wards.Patrols, WardLinkRoles.Police, [A, B]);
        foreach (var (client, naming) in new[] { (patrolsA, "No such site"), (patrolsOfBoth, B) })
        {
            var crossing = await client.PostAsJsonAsync($"/patrols/routes?ward={A}", new { name = "Across the border", checkpoints = new[] { new { code = "X", siteId = siteB } } }, Ct);
            var body = await crossing.Content.ReadAsStringAsync(Ct);
            Assert.True(crossing.StatusCode == HttpStatusCode.BadRequest, body);
            Assert.Contains(naming, JsonDocument.Parse(body).RootElement.GetProperty("errors").GetProperty("checkpoints[0].siteId")[0].GetString(), StringComparison.Ordinal);
            Assert.True(client == patrolsOfBoth || !body.Contains(B, StringComparison.Ordinal), body);
        }

        Assert.Equal(before, await wards.PatrolsStore.CountEventsAsync());

        var routeA = (await patrolsA.CreatedAsync("/patrols/routes", new { name = "Health centre", checkpoints = new[] { new { code = "A", siteId = siteA } } })).GetProperty("id").GetGuid();
        var routeB = (await patrolsB.CreatedAsync("/patrols/routes", new { name = "Market", checkpoints = new[] { new { code = "B", siteId = siteB } } })).GetProperty("id").GetGuid();
        var (shiftA, _) = await patrolsA.StartShiftAsync(new { routeId = routeA, kind = "patrol", team = "police", members = PatrolRequests.Team });
        var (shiftB, _) = await patrolsB.StartShiftAsync(new { routeId = routeB, kind = "patrol", team = "police", members = PatrolRequests.Team });
        Assert.Single(await WardedPatrolsAndPartners.EventsInWardAsync(wards.PatrolsStore, B, shiftB));
        Assert.Empty(await WardedPatrolsAndPartners.EventsInWardAsync(wards.PatrolsStore, A, shiftB));

        // By id, another ward's records do not exist: reads and steps alike, and nothing is appended.
        before = await wards.PatrolsStore.CountEventsAsync();
        var partnersBefore = await wards.PartnersStore.CountEventsAsync();
        (string Request, object Body)[] hidden =
        [
            ($"GET /partners/{partnerB}", new { }), ($"GET /partners/{partnerB}/sites/{siteB}", new { }),
            ($"POST /partners/{partnerB}/rename", new { name = "Taken over" }), ($"POST /partners/{partnerB}/sites/{siteB}/retire", new { reason = "Taken over" }),
        ];
        foreach (var (request, body) in hidden)
        {
            Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(partnersA, request, body)).StatusCode);
        }

        foreach (var request in new[] { $"GET /patrols/routes/{routeB}", $"GET /patrols/shifts/{shiftB}", $"POST /patrols/shifts/{shiftB}/end", $"GET /patrols/sites/{siteB}" })
        {
            Assert.True((await SendAsync(patrolsA, request, new { })).StatusCode == HttpStatusCode.NotFound, request);
        }

        Assert.Equal((before, partnersBefore), (await wards.PatrolsStore.CountEventsAsync(), await wards.PartnersStore.CountEventsAsync()));
        Assert.Equal(HttpStatusCode.NotFound, (await partnersA.GetAsync($"/partners?ward={B}", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await patrolsA.GetAsync($"/patrols/stats?year=2024&ward={B}", Ct)).StatusCode);

        // Lists, statistics and the site directory show only the caller's ward.
        var listed = (await partnersA.GetFromJsonAsync<JsonElement>("/partners?limit=500", Ct)).GetProperty("items").EnumerateArray().ToList();
        Assert.Equal([(partnerA, A)], listed.Select(partner => (partner.GetProperty("id").GetGuid(), partner.GetProperty("ward").GetString()!)));
        var year = DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(7)).Year;
        var byKind = (await partnersA.GetFromJsonAsync<JsonElement>($"/partners/stats?year={year}", Ct)).GetProperty("partnersByKind");
        Assert.Equal((1, 0), (byKind.GetProperty("healthCentre").GetInt32(), byKind.GetProperty("transportGroup").GetInt32()));
        Assert.Equal([shiftA], (await patrolsA.GetJsonAsync("/patrols/shifts?limit=500")).GetProperty("items").EnumerateArray().Select(shift => shift.GetProperty("id").GetGuid()));
        Assert.Equal(1, (await patrolsA.GetJsonAsync("/patrols/stats?year=2024")).GetProperty("shiftsPerformed").GetInt32());
        Assert.Equal(1, (await patrolsA.GetJsonAsync("/patrols/coverage?from=2024-05-31&to=2024-06-03")).GetProperty("shiftsPerformed").GetInt32());
        Assert.Equal([(siteA, A)], (await patrolsA.GetJsonAsync("/patrols/sites?limit=500")).GetProperty("items").EnumerateArray().Select(site => (site.GetProperty("id").GetGuid(), site.GetProperty("ward").GetString()!)));

        // A client of the whole province sees both wards, each record naming its own; ward= narrows it to one.
        using var province = WardedPatrolsAndPartners.ClientOf(wards.Partners, WardLinkRoles.Police, provinces: [WardedPatrolsAndPartners.Province]);
        var everywhere = (await province.GetFromJsonAsync<JsonElement>("/partners?limit=500", Ct)).GetProperty("items").EnumerateArray()
            .ToDictionary(partner => partner.GetProperty("id").GetGuid(), partner => partner.GetProperty("ward").GetString()!);
        Assert.Equal((A, B), (everywhere[partnerA], everywhere[partnerB]));
        Assert.Equal(
            [partnerB],
            (await province.GetFromJsonAsync<JsonElement>($"/partners?ward={B}&limit=500", Ct)).GetProperty("items").EnumerateArray().Select(partner => partner.GetProperty("id").GetGuid()));
        using var provincePatrols = WardedPatrolsAndPartners.ClientOf(wards.Patrols, WardLinkRoles.Police, provinces: [WardedPatrolsAndPartners.Province]);
        Assert.Equal(1, (await provincePatrols.GetJsonAsync($"/patrols/stats?year=2024&ward={B}")).GetProperty("shiftsPerformed").GetInt32());
        var bothShifts = (await provincePatrols.GetJsonAsync("/patrols/shifts?limit=500")).GetProperty("items").EnumerateArray().Select(shift => shift.GetProperty("id").GetGuid()).ToList();
        Assert.Contains(shiftA, bothShifts);
        Assert.Contains(shiftB, bothShifts);

        // A client bound to no ward acts in the home ward, where neither is; the gateway asks any ward's partner's standing.
        Assert.Equal(HttpStatusCode.NotFound, (await wards.Partners.CreateClient().GetAsync($"/partners/{partnerA}", Ct)).StatusCode);
        using var gateway = WardedPatrolsAndPartners.ClientOf(wards.Partners, WardLinkRoles.Gateway);
        Assert.True((await gateway.GetFromJsonAsync<JsonElement>($"/partners/{partnerB}/standing", Ct)).GetProperty("inGoodStanding").GetBoolean());

        // A partner id is one partner's in every ward.
        var reused = await partnersB.PostAsJsonAsync("/partners", new { name = "Same id elsewhere", kind = "school", partnerId = partnerA }, Ct);
        Assert.Equal(HttpStatusCode.Conflict, reused.StatusCode);
        Assert.Empty(await WardedPatrolsAndPartners.EventsInWardAsync(wards.PartnersStore, B, partnerA));

        // So is any record's id: a site of A's (a stream of another kind) is no new partner of B's, which would make the
        // id name records in two wards and a path naming it act in neither.
        var taken = await partnersB.PostAsJsonAsync("/partners", new { name = "A site's id elsewhere", kind = "school", partnerId = siteA }, Ct);
        Assert.True(taken.StatusCode == HttpStatusCode.Conflict, await taken.Content.ReadAsStringAsync(Ct));
        Assert.Empty(await WardedPatrolsAndPartners.EventsInWardAsync(wards.PartnersStore, B, siteA));

        // Told in the same words whichever kind of record has the id (the id aside): "Partner … already exists." told a partner's
        // id from a site's. A body the document refuses is its 400 first, whoever has the id.
        string Said(JsonElement problem, Guid id) => $"{problem.GetProperty("title").GetString()} {problem.GetProperty("detail").GetString()?.Replace(id.ToString(), "{id}", StringComparison.Ordinal)}";
        Assert.Equal(Said(await reused.Content.ReadFromJsonAsync<JsonElement>(Ct), partnerA), Said(await taken.Content.ReadFromJsonAsync<JsonElement>(Ct), siteA));
        foreach (var id in new[] { partnerA, siteA })
        {
            Assert.Equal(HttpStatusCode.BadRequest, (await partnersB.PostAsJsonAsync("/partners", new { name = " ", kind = "school", partnerId = id }, Ct)).StatusCode);
        }
        Assert.Equal(A, (await partnersA.GetFromJsonAsync<JsonElement>($"/partners/{partnerA}/sites/{siteA}", Ct)).GetProperty("ward").GetString());
    }

    [Fact]
    public async Task One_partner_id_registered_in_two_wards_at_once_is_taken_by_one_of_them()
    {
        // Each registration looks for the id in every ward before it writes in its own: without a turn, both looked, found nothing and wrote.
        const string A = "dong-hai", B = "dong-huong";
        var (partnersA, partnersB) = await PartnersOfTwoWardsAsync((A, "DH"), (B, "DHU"));
        using var ownedA = partnersA;
        using var ownedB = partnersB;

        for (var pair = 0; pair < 6; pair++)
        {
            var partnerId = Guid.CreateVersion7();
            var answers = await Task.WhenAll(
                partnersA.PostAsJsonAsync("/partners", new { name = $"School {pair} of {A}", kind = "school", partnerId }, Ct),
                partnersB.PostAsJsonAsync("/partners", new { name = $"School {pair} of {B}", kind = "school", partnerId }, Ct));
            Assert.Equal([HttpStatusCode.Created, HttpStatusCode.Conflict], answers.Select(answer => answer.StatusCode).Order());
            var stored = new[]
            {
                (await WardedPatrolsAndPartners.EventsInWardAsync(wards.PartnersStore, A, partnerId)).Count,
                (await WardedPatrolsAndPartners.EventsInWardAsync(wards.PartnersStore, B, partnerId)).Count,
            };
            Assert.Equal([0, 1], stored.Order());
            Assert.Equal(answers[0].StatusCode == HttpStatusCode.Created ? 1 : 0, stored[0]);
        }
    }

    [Fact]
    public async Task The_sweeps_find_due_work_in_every_ward_and_record_each_item_in_its_own_ward()
    {
        const string C = "hoang-long", D = "tao-xuyen", Dissolved = "hoang-hoa";
        await wards.KnowWardAsync(C, "HL");
        await wards.KnowWardAsync(D, "TX");
        await wards.KnowWardAsync(Dissolved, "HHO");

        // Missed shifts: a schedule in each ward from June 1 (one of the wards is dissolved from that day once its schedule is made);
        // after its window closed, each missed shift is recorded in its schedule's ward, but none in a ward that had ceased to exist by then.
        var planned = new Dictionary<string, Guid>();
        foreach (var ward in new[] { C, D, Dissolved })
        {
            var site = await wards.KnowSiteInAsync(ward);
            using var patrols = WardedPatrolsAndPartners.ClientOf(wards.Patrols, WardLinkRoles.Police, [ward]);
            var routeId = (await patrols.CreatedAsync("/patrols/routes", new { name = $"Night round of {ward}", checkpoints = new[] { new { code = "G", siteId = site } } })).GetProperty("id").GetGuid();
            planned[ward] = PatrolSchedule.PlannedShiftId(await patrols.ScheduleAsync(routeId, "2024-06-01"), new DateOnly(2024, 6, 1));
        }

        await wards.KnowWardAsync(Dissolved, "HHO", endedOn: new DateOnly(2024, 6, 1));

        wards.Clock.Set(new DateTimeOffset(2024, 6, 2, 0, 30, 0, TimeSpan.FromHours(7)));
        var missedShifts = wards.Patrols.Services.GetServices<IHostedService>().OfType<MissedShiftSweep>().Single();
        await missedShifts.SweepAsync(wards.Clock.GetUtcNow(), Ct);
        foreach (var (ward, other) in new[] { (C, D), (D, C) })
        {
            var events = await Eventually.Get(
                async () => await WardedPatrolsAndPartners.EventsInWardAsync(wards.PatrolsStore, ward, planned[ward]) is { Count: > 0 } found ? found : null,
                $"the missed shift of {ward} in its ward");
            Assert.IsType<ShiftMissed>(events[0].Data);
            Assert.All(events, recorded => Assert.Equal(ward, recorded.TenantId));
            Assert.Empty(await WardedPatrolsAndPartners.EventsInWardAsync(wards.PatrolsStore, other, planned[ward]));
        }

        Assert.Empty(await WardedPatrolsAndPartners.EventsInWardAsync(wards.PatrolsStore, Dissolved, planned[Dissolved]));

        // Overdue action items: a meeting in each ward with an item past due; each is noticed in its meeting's ward.
        var meetings = new Dictionary<string, Guid>();
        foreach (var ward in new[] { C, D })
        {
            using var partners = WardedPatrolsAndPartners.ClientOf(wards.Partners, WardLinkRoles.Police, [ward]);
            var owner = await partners.RegisterPartnerAsync($"Police of {ward}", "police");
            var meeting = await partners.PostAsJsonAsync(
                "/partners/meetings", new { heldAt = DateTimeOffset.UtcNow.AddDays(-3), attendingPartnerIds = new[] { owner }, minutes = "Reviewed the month." }, Ct);
            Assert.Equal(HttpStatusCode.Created, meeting.StatusCode);
            meetings[ward] = (await meeting.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetGuid();
            var item = await partners.PostAsJsonAsync(
                $"/partners/meetings/{meetings[ward]}/action-items", new { text = "Fix the gate light", ownerPartnerId = owner, dueAt = DateTimeOffset.UtcNow.AddDays(-1) }, Ct);
            Assert.Equal(HttpStatusCode.OK, item.StatusCode);
        }

        var overdueItems = wards.Partners.Services.GetServices<IHostedService>().OfType<OverdueActionItemSweep>().Single();
        await overdueItems.SweepAsync(DateTimeOffset.UtcNow, Ct);
        foreach (var (ward, other) in new[] { (C, D), (D, C) })
        {
            var noticed = await Eventually.Get(
                async () => (await WardedPatrolsAndPartners.EventsInWardAsync(wards.PartnersStore, ward, meetings[ward])).SingleOrDefault(recorded => recorded.Data is ActionItemOverdue),
                $"the overdue item of {ward} noticed in its ward");
            Assert.Equal(ward, noticed.TenantId);
            Assert.Empty(await WardedPatrolsAndPartners.EventsInWardAsync(wards.PartnersStore, other, meetings[ward]));
        }

        // Each ward's overdue list names its own item only.
        using var partnersOfC = WardedPatrolsAndPartners.ClientOf(wards.Partners, WardLinkRoles.Police, [C]);
        var overdue = Assert.Single((await partnersOfC.GetFromJsonAsync<JsonElement>("/partners/action-items/overdue", Ct)).EnumerateArray());
        Assert.Equal((meetings[C], C), (overdue.GetProperty("meetingId").GetGuid(), overdue.GetProperty("ward").GetString()));
    }

    [Fact]
    public async Task A_partner_s_webhook_is_told_of_its_own_ward_s_records_only_and_sent_from_its_ward()
    {
        const string E = "quang-phu", F = "quang-tam";
        await wards.KnowWardAsync(E, "QP");
        await wards.KnowWardAsync(F, "QTA");
        using var partnersE = WardedPatrolsAndPartners.ClientOf(wards.Partners, WardLinkRoles.Police, [E]);
        var partnerE = await partnersE.RegisterPartnerAsync("Quảng Phú school", "school");
        var siteE = await partnersE.RegisterSiteAsync(partnerE, "School gate");
        var subscribed = await partnersE.PostAsJsonAsync($"/partners/{partnerE}/webhooks", new { url = wards.Receiver.Endpoint("ward-e"), events = IncidentsReported }, Ct);
        Assert.Equal(HttpStatusCode.Created, subscribed.StatusCode);

        // An incident of ward F naming E's site (as a relay of F would publish it): E's partner is not told.
        var elsewhere = IncidentAt(siteE, "INC-QTA-2024-0001");
        var elsewhereMessage = Guid.NewGuid();
        await wards.Bus.PublishAsync(elsewhere, elsewhereMessage, F);
        await Eventually.Get(
            async () => (await wards.ProcessedByAsync(PartnersService.Name)).FirstOrDefault(processed => processed.MessageId == elsewhereMessage),
            "the incident of ward F consumed by partners");

        // An incident of ward E at its site: told, by a delivery kept and sent in ward E.
        var own = IncidentAt(siteE, "INC-QP-2024-0001");
        await wards.Bus.PublishAsync(own, Guid.NewGuid(), E);
        var received = await Eventually.Get(() => Task.FromResult(wards.Receiver.At("ward-e") is { Count: > 0 } arrived ? arrived : null), "the webhook of ward E's incident");
        Assert.Contains(own.IncidentId.ToString(), Assert.Single(received).Body, StringComparison.Ordinal);

        // The sender records the delivery once the receiver answered: in ward E, the only one of E's partner.
        var delivery = await Eventually.Get(
            async () =>
            {
                await using var session = wards.PartnersStore.QuerySession();
                var deliveries = await session.Query<WebhookDelivery>().Where(delivery => delivery.AnyTenant() && delivery.PartnerId == partnerE).ToListAsync(Ct);
                return deliveries is [{ Status: DeliveryStatus.Delivered }] ? deliveries[0] : null;
            },
            "the delivery of ward E's incident recorded as delivered");
        Assert.Equal(E, delivery.TenantId);
        Assert.DoesNotContain(elsewhere.IncidentId.ToString(), delivery.Payload, StringComparison.Ordinal);
    }

    /// <summary>
    /// After a merger, what happens at a merged ward's site is recorded in its successor (the ground went with the merger), and its
    /// messages come with the successor's ward: the partner of the merged ward is still told. What another ward records at its
    /// sites, or names it in, and what its successor recorded at them before the merger (they were not its ground then), is not.
    /// </summary>
    [Fact]
    public async Task A_merged_ward_s_partner_is_told_of_what_its_successor_records_at_its_sites_after_the_merger_only()
    {
        const string Merged = "quang-cat", Successor = "quang-thinh", Unrelated = "quang-dong";
        var mergedOn = DateOnly.FromDateTime(DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(7)).Date).AddDays(-1);
        var merger = new DateTimeOffset(mergedOn.ToDateTime(TimeOnly.MinValue), TimeSpan.FromHours(7));
        await wards.KnowWardAsync(Successor, "QTH");
        await wards.KnowWardAsync(Unrelated, "QDO");
        await wards.KnowWardAsync(Merged, "QC");
        using var partners = WardedPatrolsAndPartners.ClientOf(wards.Partners, WardLinkRoles.Police, [Merged]);
        var partner = await partners.RegisterPartnerAsync("Quảng Cát clinic", "hospital");
        var site = await partners.RegisterSiteAsync(partner, "Clinic gate");
        string[] events = ["incidentReported", "incidentResolved", "tipReferred", "shiftMissed"];
        var subscribed = await partners.PostAsJsonAsync($"/partners/{partner}/webhooks", new { url = wards.Receiver.Endpoint("merged"), events }, Ct);
        Assert.Equal(HttpStatusCode.Created, subscribed.StatusCode);
        await wards.KnowWardAsync(Merged, "QC", endedOn: mergedOn, mergedInto: Successor);

        // Each kind of notice the merged ward's partner could be told, as a ward's relay would publish it: happening at its
        // site, or naming it as the tip's partner, today (after the merger) or before the merger.
        object[] Happenings(DateTimeOffset at) =>
        [
            IncidentAt(site, "INC-QTH-2025-0001") with { OccurredAt = at },
            new IncidentResolved(Guid.NewGuid(), "INC-QTH-2025-0002", IncidentClassification.Criminal, IncidentOutcome.CriminalCaseSolved, [], at, site),
            new TipReferred(
                Guid.NewGuid(), "TIP-QTH-2025-0001", Guid.NewGuid(), true, SecurityCategory.Theft, "A bag taken at the gate.", new Contracts.Place(site, null, null, null),
                at, at.AddMinutes(30), "police-desk", partner),
            new WardLink.Contracts.Patrols.ShiftMissed(Guid.NewGuid(), Guid.NewGuid(), DateOnly.FromDateTime(at.ToOffset(TimeSpan.FromHours(7)).Date), at, at.AddHours(3), [site]),
        ];
        Task PublishAsync(object happening, Guid messageId, string ward) => happening switch
        {
            IncidentReported reported => wards.Bus.PublishAsync(reported, messageId, ward),
            IncidentResolved resolved => wards.Bus.PublishAsync(resolved, messageId, ward),
            TipReferred referred => wards.Bus.PublishAsync(referred, messageId, ward),
            WardLink.Contracts.Patrols.ShiftMissed missed => wards.Bus.PublishAsync(missed, messageId, ward),
            _ => throw new ArgumentOutOfRangeException(nameof(happening)),
        };
        var today = DateTimeOffset.UtcNow.AddHours(-1);

        // Not told: another ward's records at its site or naming it, and what the successor recorded there before the merger.
        var untold = Happenings(today).Select(happening => (Happening: happening, Ward: Unrelated))
            .Concat(Happenings(merger.AddDays(-1)).Select(happening => (Happening: happening, Ward: Successor)))
            .ToList();
        foreach (var (happening, ward) in untold)
        {
            var messageId = Guid.NewGuid();
            await PublishAsync(happening, messageId, ward);
            await Eventually.Get(
                async () => (await wards.ProcessedByAsync(PartnersService.Name)).FirstOrDefault(processed => processed.MessageId == messageId),
                $"{happening.GetType().Name} of {ward} consumed by partners");
        }

        // Told: what the successor records at its site, or of the tip it submitted, from the merger on; each kept and sent in the
        // merged ward, once however often it comes.
        var told = Happenings(today).Select(happening => (Happening: happening, MessageId: Guid.NewGuid())).ToList();
        foreach (var (happening, messageId) in told)
        {
            await PublishAsync(happening, messageId, Successor);
            await PublishAsync(happening, messageId, Successor);
        }

        var received = await Eventually.Get(() => Task.FromResult(wards.Receiver.At("merged") is { Count: >= 4 } arrived ? arrived : null), "the webhooks of the successor's records");
        Assert.Equal(
            ["incident.reported", "incident.resolved", "shift.missed", "tip.referred"],
            received.Select(webhook => JsonDocument.Parse(webhook.Body).RootElement.GetProperty("type").GetString()).Order());
        var deliveries = await Eventually.Get(
            async () =>
            {
                await using var session = wards.PartnersStore.QuerySession();
                var kept = await session.Query<WebhookDelivery>().Where(delivery => delivery.AnyTenant() && delivery.PartnerId == partner).ToListAsync(Ct);
                return kept.Count >= told.Count && kept.All(delivery => delivery.Status == DeliveryStatus.Delivered) ? kept : null;
            },
            "the deliveries of the successor's records recorded as delivered");

        // The untold were consumed before the told were sent: none of them was queued meanwhile.
        await Eventually.Get(() => Task.FromResult(told.All(message => wards.PartnersConsumed.CountOf(message.MessageId) >= 2) ? "consumed" : null), "each told message consumed twice");
        Assert.Equal(told.Count, deliveries.Count);
        Assert.All(deliveries, delivery => Assert.Equal(Merged, delivery.TenantId));

        // As an insider would find it after the successor's transaction failed once the merged ward's had committed: the
        // message's ledger entry in the successor gone. It comes again, and the merged ward's own entry keeps it from
        // being queued twice.
        var (again, againId) = told[0];
        await using (var successor = wards.PartnersStore.LightweightSession(Successor))
        {
            successor.DeleteWhere<ProcessedMessage>(processed => processed.MessageId == againId && !processed.Id.EndsWith($"/{Merged}"));
            await successor.SaveChangesAsync(Ct);
        }

        await PublishAsync(again, againId, Successor);
        await Eventually.Get(() => Task.FromResult(wards.PartnersConsumed.CountOf(againId) >= 3 ? "consumed" : null), "the message consumed a third time");
        await using var kept = wards.PartnersStore.QuerySession();
        Assert.Equal(told.Count, await kept.Query<WebhookDelivery>().CountAsync(delivery => delivery.AnyTenant() && delivery.PartnerId == partner, Ct));
        Assert.Contains(await wards.ProcessedByAsync(PartnersService.Name), processed => processed.MessageId == againId);
    }

    /// <summary>
    /// A step stays in its record's ward: an incident the successor recorded at a merged ward's site is resolved in that successor
    /// even once the successor has itself been merged on, and its message comes with the successor's ward. The merged ward's
    /// partner is still told (its ward's ground went to every ward of its mergers in turn), but not by a ward merged into the last
    /// of them from elsewhere, nor by its successor of a time before its merger.
    /// </summary>
    [Fact]
    public async Task A_merged_ward_s_partner_is_told_of_the_steps_its_successor_takes_after_that_successor_was_merged_on()
    {
        const string Merged = "quang-yen", Successor = "quang-loi", Last = "quang-nham", Unrelated = "quang-chinh";
        var today = DateOnly.FromDateTime(DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(7)).Date);
        var (firstMergedOn, secondMergedOn) = (today.AddDays(-2), today.AddDays(-1));
        var firstMerger = new DateTimeOffset(firstMergedOn.ToDateTime(TimeOnly.MinValue), TimeSpan.FromHours(7));
        await wards.KnowWardAsync(Last, "QNH");
        await wards.KnowWardAsync(Successor, "QLO");
        await wards.KnowWardAsync(Unrelated, "QCH");
        await wards.KnowWardAsync(Merged, "QY");
        using var partners = WardedPatrolsAndPartners.ClientOf(wards.Partners, WardLinkRoles.Police, [Merged]);
        var partner = await partners.RegisterPartnerAsync("Quảng Yên clinic", "hospital");
        var site = await partners.RegisterSiteAsync(partner, "Clinic gate");
        string[] events = ["incidentResolved", "tipOutcomeRecorded"];
        var subscribed = await partners.PostAsJsonAsync($"/partners/{partner}/webhooks", new { url = wards.Receiver.Endpoint("merged-twice"), events }, Ct);
        Assert.Equal(HttpStatusCode.Created, subscribed.StatusCode);
        await wards.KnowWardAsync(Merged, "QY", endedOn: firstMergedOn, mergedInto: Successor);
        await wards.KnowWardAsync(Successor, "QLO", endedOn: secondMergedOn, mergedInto: Last);
        await wards.KnowWardAsync(Unrelated, "QCH", endedOn: secondMergedOn, mergedInto: Last);

        // The steps the merged ward's partner could be told of: a resolution at its site, the outcome of the tip it submitted.
        (object Step, string Type)[] Steps(DateTimeOffset at) =>
        [
            (new IncidentResolved(Guid.NewGuid(), "INC-QLO-2025-0001", IncidentClassification.Criminal, IncidentOutcome.CriminalCaseSolved, [], at, site), "incident.resolved"),
            (new TipOutcomeRecorded(Guid.NewGuid(), "TIP-QLO-2025-0001", Guid.NewGuid(), "INC-QLO-2025-0001", IncidentClassification.Criminal, IncidentOutcome.CriminalCaseSolved, at, partner),
                "tip.outcomeRecorded"),
        ];
        Task PublishAsync(object step, Guid messageId, string ward) => step switch
        {
            IncidentResolved resolved => wards.Bus.PublishAsync(resolved, messageId, ward),
            TipOutcomeRecorded outcome => wards.Bus.PublishAsync(outcome, messageId, ward),
            _ => throw new ArgumentOutOfRangeException(nameof(step)),
        };
        var now = DateTimeOffset.UtcNow.AddHours(-1);

        // Not told: a ward merged into the last one from elsewhere, and the successor of a time before the merged ward joined it.
        var untold = Steps(now).Select(step => (step.Step, Ward: Unrelated))
            .Concat(Steps(firstMerger.AddDays(-1)).Select(step => (step.Step, Ward: Successor)))
            .ToList();
        foreach (var (step, ward) in untold)
        {
            var messageId = Guid.NewGuid();
            await PublishAsync(step, messageId, ward);
            await Eventually.Get(
                async () => (await wards.ProcessedByAsync(PartnersService.Name)).FirstOrDefault(processed => processed.MessageId == messageId),
                $"{step.GetType().Name} of {ward} consumed by partners");
        }

        // Told: the successor's steps after it was merged on, and the last ward's.
        var told = Steps(now).Select(step => (step.Step, step.Type, Ward: Successor))
            .Concat(Steps(now).Take(1).Select(step => (step.Step, step.Type, Ward: Last)))
            .ToList();
        foreach (var (step, _, ward) in told)
        {
            await PublishAsync(step, Guid.NewGuid(), ward);
        }

        var received = await Eventually.Get(
            () => Task.FromResult(wards.Receiver.At("merged-twice") is var arrived && arrived.Count >= told.Count ? arrived : null), "the webhooks of the successors' steps");
        Assert.Equal(
            told.Select(step => step.Type).Order(),
            received.Select(webhook => JsonDocument.Parse(webhook.Body).RootElement.GetProperty("type").GetString()).Order());
        var deliveries = await Eventually.Get(
            async () =>
            {
                // In the merged ward's database (a second one, in the suite on two databases), any of its tenants.
                await using var session = wards.PartnersStore.QuerySession(Merged);
                var kept = await session.Query<WebhookDelivery>().Where(delivery => delivery.AnyTenant() && delivery.PartnerId == partner).ToListAsync(Ct);
                return kept.Count >= told.Count && kept.All(delivery => delivery.Status == DeliveryStatus.Delivered) ? kept : null;
            },
            "the deliveries of the successors' steps recorded as delivered");

        // The untold were consumed before the told were sent: none of them was queued meanwhile.
        Assert.Equal(told.Count, deliveries.Count);
        Assert.All(deliveries, delivery => Assert.Equal(Merged, delivery.TenantId));
    }

    [Fact]
    public async Task Statistics_read_a_ward_as_recorded_or_with_the_ward_merged_into_it_up_to_the_merger()
    {
        const string Successor = "nam-ngan", Predecessor = "ba-dinh";
        var mergedOn = DateOnly.FromDateTime(DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(7)).Date).AddDays(1);
        await wards.KnowWardAsync(Successor, "NN");
        await wards.KnowWardAsync(Predecessor, "BD", endedOn: mergedOn, mergedInto: Successor);

        // Before the merger, each ward records a partner (of a kind of its own) and a shift.
        foreach (var (ward, kind) in new[] { (Successor, "school"), (Predecessor, "hospital") })
        {
            using var partners = WardedPatrolsAndPartners.ClientOf(wards.Partners, WardLinkRoles.Police, [ward]);
            await partners.RegisterPartnerAsync($"A {kind} of {ward}", kind);
            using var patrols = WardedPatrolsAndPartners.ClientOf(wards.Patrols, WardLinkRoles.Police, [ward]);
            var routeId = (await patrols.CreatedAsync("/patrols/routes", new { name = $"Round of {ward}", checkpoints = new[] { new { code = "G", siteId = await wards.KnowSiteInAsync(ward) } } })).GetProperty("id").GetGuid();
            await patrols.StartShiftAsync(new { routeId, kind = "patrol", team = "police", members = PatrolRequests.Team });
        }

        using var partnersOfProvince = WardedPatrolsAndPartners.ClientOf(wards.Partners, WardLinkRoles.Police, provinces: [WardedPatrolsAndPartners.Province]);
        using var patrolsOfProvince = WardedPatrolsAndPartners.ClientOf(wards.Patrols, WardLinkRoles.Police, provinces: [WardedPatrolsAndPartners.Province]);
        var year = DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(7)).Year;
        var asRecorded = await partnersOfProvince.GetFromJsonAsync<JsonElement>($"/partners/stats?year={year}&ward={Successor}", Ct);
        var current = await partnersOfProvince.GetFromJsonAsync<JsonElement>($"/partners/stats?year={year}&ward={Successor}&boundaries=current", Ct);
        Assert.Equal((1, 0), KindsOf(asRecorded));
        Assert.Equal((1, 1), KindsOf(current));
        Assert.Equal(("asRecorded", "current"), (asRecorded.GetProperty("boundaries").GetString(), current.GetProperty("boundaries").GetString()));
        Assert.Equal(
            [(Predecessor, (string?)$"{mergedOn:yyyy-MM-dd}T00:00:00+07:00"), (Successor, null)],
            current.GetProperty("wards").EnumerateArray().Select(counted => (counted.GetProperty("ward").GetString()!, counted.GetProperty("until").GetString())).Order());
        Assert.Equal(1, (await patrolsOfProvince.GetJsonAsync($"/patrols/stats?year=2024&ward={Successor}")).GetProperty("shiftsPerformed").GetInt32());
        Assert.Equal(2, (await patrolsOfProvince.GetJsonAsync($"/patrols/stats?year=2024&ward={Successor}&boundaries=current")).GetProperty("shiftsPerformed").GetInt32());

        var wrong = await patrolsOfProvince.GetAsync($"/patrols/stats?year=2024&ward={Successor}&boundaries=sideways", Ct);
        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        Assert.True((await wrong.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors").TryGetProperty("boundaries", out _));

        static (int School, int Hospital) KindsOf(JsonElement statistics) =>
            (statistics.GetProperty("partnersByKind").GetProperty("school").GetInt32(), statistics.GetProperty("partnersByKind").GetProperty("hospital").GetInt32());
    }

    /// <summary>
    /// The patrols service's creations (a route, a schedule, a shift begun a minute before its clock's now), each refused
    /// for a blank text in a ward merged the day before: the 400 names the ward too (<see cref="EndedWardCreations"/>).
    /// </summary>
    [Fact]
    public async Task A_new_patrol_record_of_an_ended_ward_refused_for_another_value_too_is_one_400_naming_both()
    {
        const string Merged = "ngoc-lac", Successor = "ngoc-phung";
        var now = wards.Clock.GetUtcNow();
        await wards.KnowWardAsync(Successor, "NPH");
        await wards.KnowWardAsync(Merged, "NLC", endedOn: DateOnly.FromDateTime(now.ToOffset(TimeSpan.FromHours(7)).Date).AddDays(-1), mergedInto: Successor);
        using var patrols = WardedPatrolsAndPartners.ClientOf(wards.Patrols, WardLinkRoles.Police, provinces: [WardedPatrolsAndPartners.Province]);
        await EndedWardCreations.AssertEachNamesTheWardAsync(patrols, Merged, Successor, now, minimum: 3, Ct);
    }

    /// <summary>
    /// A route's checkpoints are at sites of its own ward; once a ward was merged, its sites are its successor's ground: a
    /// route the successor defines then takes them, as a tip or an incident at them is the successor's.
    /// </summary>
    [Fact]
    public async Task A_successor_s_route_takes_checkpoints_at_the_sites_of_a_ward_merged_into_it()
    {
        const string Merged = "thieu-do", Successor = "thieu-hoa";
        await wards.KnowWardAsync(Successor, "THH");
        await wards.KnowWardAsync(Merged, "TDO");
        var site = await wards.KnowSiteInAsync(Merged);
        using var patrols = WardedPatrolsAndPartners.ClientOf(wards.Patrols, WardLinkRoles.Police, [Successor]);
        object Route() => new { name = "Round of the old ward's gate", checkpoints = new[] { new { code = "G", siteId = site } } };

        var before = await patrols.PostAsJsonAsync("/patrols/routes", Route(), Ct);
        var refusal = await before.Content.ReadAsStringAsync(Ct);
        Assert.True(before.StatusCode == HttpStatusCode.BadRequest, refusal);
        Assert.Contains("No such site", JsonDocument.Parse(refusal).RootElement.GetProperty("errors").GetProperty("checkpoints[0].siteId")[0].GetString(), StringComparison.Ordinal);

        // Merged from a day the patrols' clock has passed.
        await wards.KnowWardAsync(Merged, "TDO", endedOn: new DateOnly(2024, 6, 1), mergedInto: Successor);
        var route = await patrols.CreatedAsync("/patrols/routes", Route());
        Assert.Equal(site, route.GetProperty("checkpoints")[0].GetProperty("siteId").GetGuid());
        var routeId = route.GetProperty("id").GetGuid();
        Assert.Single(await WardedPatrolsAndPartners.EventsInWardAsync(wards.PatrolsStore, Successor, routeId));
        var (shiftId, etag) = await patrols.StartShiftAsync(new { routeId, kind = "patrol", team = "police", members = PatrolRequests.Team });
        etag = await patrols.StepOkAsync($"/patrols/shifts/{shiftId}/check-ins", etag, new { code = "G" });
        await patrols.StepOkAsync($"/patrols/shifts/{shiftId}/observations", etag, new { description = "A fight at the gate.", severity = "high", needsIncident = true, siteId = site });

        // An observation that needs an incident is judged as incidents judges the incident it opens: at a site of the ward whose
        // ground it was at the observation's time. On a shift recorded after the fact from before the merger, the merged ward's
        // site was not the successor's yet: a 400 naming siteId and that ward, nothing recorded (it was taken, and its incident
        // was refused by incidents and never opened). An observation that needs none is the shift's alone, and taken.
        var (early, earlyTag) = await patrols.StartShiftAsync(new { routeId, kind = "patrol", team = "police", members = PatrolRequests.Team, at = "2024-05-31T21:00:00+07:00" });
        var beforeTheMerger = await patrols.StepAsync(
            $"/patrols/shifts/{early}/observations", earlyTag, new { description = "A fight at the gate.", severity = "high", needsIncident = true, siteId = site, at = "2024-05-31T22:00:00+07:00" });
        var problem = await beforeTheMerger.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.True(beforeTheMerger.StatusCode == HttpStatusCode.BadRequest, $"{beforeTheMerger.StatusCode} {problem}");
        Assert.Contains(Merged, problem.GetProperty("errors").GetProperty("siteId")[0].GetString(), StringComparison.Ordinal);
        Assert.Single(await WardedPatrolsAndPartners.EventsInWardAsync(wards.PatrolsStore, Successor, early));
        await patrols.StepOkAsync($"/patrols/shifts/{early}/observations", earlyTag, new { description = "A lamp out by the gate.", severity = "low", siteId = site, at = "2024-05-31T22:00:00+07:00" });
    }

    [Fact]
    public async Task A_ward_that_has_ended_takes_no_new_record_that_begins_from_its_end_but_what_began_before_and_what_is_added_to_its_records()
    {
        const string Ended = "hai-ba-trung", Successor = "hoan-kiem";
        var endedOn = new DateOnly(2024, 6, 1);
        await wards.KnowWardAsync(Successor, "HK");
        await wards.KnowWardAsync(Ended, "HB");
        using var partners = WardedPatrolsAndPartners.ClientOf(wards.Partners, WardLinkRoles.Police, [Ended]);
        using var patrols = WardedPatrolsAndPartners.ClientOf(wards.Patrols, WardLinkRoles.Police, [Ended]);
        var partnerId = await partners.RegisterPartnerAsync("A school of the ward", "school");
        var siteId = await wards.KnowSiteInAsync(Ended);
        var routeId = (await patrols.CreatedAsync("/patrols/routes", new { name = "Round", checkpoints = new[] { new { code = "G", siteId } } })).GetProperty("id").GetGuid();

        // Merged into its successor from local 2024-06-01; patrols' clock is that evening, partners' is today.
        await wards.KnowWardAsync(Ended, "HB", endedOn: endedOn, mergedInto: Successor);
        var refused = new (HttpClient Client, string Path, object Body)[]
        {
            (partners, "/partners", new { name = "A clinic", kind = "hospital" }),
            (partners, "/partners/meetings", new { heldAt = DateTimeOffset.UtcNow.AddDays(-1), attendingPartnerIds = new[] { partnerId }, minutes = "After the merger." }),
            (partners, "/partners/channels", new { kind = "hotline", name = "Ward hotline", number = "0237 3850 111", memberPartnerIds = new[] { partnerId } }),
            (patrols, "/patrols/routes", new { name = "Another round", checkpoints = new[] { new { code = "G", siteId } } }),
            (patrols, "/patrols/schedules", new { routeId, kind = "patrol", days = PatrolRequests.EveryDay, windowStart = "21:00", windowEnd = "24:00", team = "police", startsOn = "2024-06-02" }),
            (patrols, "/patrols/shifts", new { routeId, kind = "patrol", team = "police", members = PatrolRequests.Team }),
        };
        foreach (var (client, path, body) in refused)
        {
            var response = await client.PostAsJsonAsync(path, body, Ct);
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{path}: {response.StatusCode} {problem}");
            Assert.Contains(Successor, problem.GetProperty("errors").GetProperty("ward")[0].GetString(), StringComparison.Ordinal);
        }

        await using (var stored = wards.PartnersStore.QuerySession(Ended))
        {
            Assert.Empty(await stored.Query<MeetingState>().ToListAsync(Ct));
        }

        // What happened before the end is still the ward's; so is what is added to a record it has.
        await partners.CreatedAsync("/partners/meetings", new { heldAt = "2024-05-31T08:00:00+07:00", attendingPartnerIds = new[] { partnerId }, minutes = "Before the merger." });
        var (shiftId, etag) = await patrols.StartShiftAsync(new { routeId, kind = "patrol", team = "police", members = PatrolRequests.Team, at = "2024-05-31T21:00:00+07:00" });
        await partners.CreatedAsync($"/partners/{partnerId}/outreach-sessions", new { topics = Drugs, attendees = 40, at = DateTimeOffset.UtcNow.AddHours(-1) });

        // An observation on the shift is added to its record; but one that needs an incident from the ward's end on would
        // open an incident in a ward that has ended, which incidents refuses: patrols refuses it first, naming the successor.
        var incidentAfterTheEnd = await patrols.StepAsync($"/patrols/shifts/{shiftId}/observations", etag, new { description = "A fight at the gate.", severity = "high", needsIncident = true });
        var refusal = await incidentAfterTheEnd.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.True(incidentAfterTheEnd.StatusCode == HttpStatusCode.BadRequest, $"{incidentAfterTheEnd.StatusCode} {refusal}");
        Assert.Contains(Successor, refusal.GetProperty("errors").GetProperty("at")[0].GetString(), StringComparison.Ordinal);
        Assert.Single(await WardedPatrolsAndPartners.EventsInWardAsync(wards.PatrolsStore, Ended, shiftId));
        etag = await patrols.StepOkAsync($"/patrols/shifts/{shiftId}/observations", etag, new { description = "A lamp out by the gate.", severity = "low" });
        await patrols.StepOkAsync($"/patrols/shifts/{shiftId}/observations", etag, new { description = "A fight at the gate.", severity = "high", needsIncident = true, at = "2024-05-31T23:00:00+07:00" });
        var observations = (await WardedPatrolsAndPartners.EventsInWardAsync(wards.PatrolsStore, Ended, shiftId)).Select(recorded => recorded.Data).OfType<ObservationReported>().ToList();
        Assert.Equal([false, true], observations.Select(observation => observation.NeedsIncident));
    }

    /// <summary>The ward a test establishes under an <c>Idempotency-Key</c>: in the second database, where there is one.</summary>
    public const string EstablishedUnderAKey = "dong-tien";

    [Fact]
    public async Task A_ward_established_under_an_idempotency_key_is_kept_in_its_own_database_with_its_key()
    {
        // The police bound to no ward act in the home ward (in the service's own database); the ward they establish is kept
        // where its records are: until now, its stream went into the request's database, so it was listed but never found.
        using var police = WardedPatrolsAndPartners.ClientOf(wards.Partners, WardLinkRoles.Police);
        var body = new { wardId = EstablishedUnderAKey, code = "DT", name = "Đông Tiến", province = WardedPatrolsAndPartners.Province, establishedOn = "2025-07-01" };
        var key = Guid.NewGuid().ToString();

        async Task<HttpResponseMessage> EstablishAsync()
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/partners/wards") { Content = JsonContent.Create(body) };
            request.Headers.Add(EventSourcing.Idempotency.IdempotencyKeys.HeaderName, key);
            return await police.SendAsync(request, Ct);
        }

        var established = await EstablishAsync();
        Assert.True(established.StatusCode == HttpStatusCode.Created, await established.Content.ReadAsStringAsync(Ct));
        var retried = await EstablishAsync();
        Assert.Equal(HttpStatusCode.Created, retried.StatusCode);
        Assert.True(retried.Headers.Contains(EventSourcing.Idempotency.IdempotencyKeys.ReplayedHeaderName));

        var read = await police.GetAsync($"/partners/wards/{EstablishedUnderAKey}", Ct);
        Assert.True(read.StatusCode == HttpStatusCode.OK, await read.Content.ReadAsStringAsync(Ct));
        Assert.Single(await WardedPatrolsAndPartners.EventsInWardAsync(wards.PartnersStore, EstablishedUnderAKey, Ward.StreamIdOf(EstablishedUnderAKey)));

        // A restart's check finds no ward's records outside the database configured to keep them.
        await wards.Partners.Services.GetRequiredService<WardDatabases>().CheckMovedWardsAsync(Ct);
    }

    private static IncidentReported IncidentAt(Guid siteId, string caseNumber) => new(
        Guid.NewGuid(), caseNumber, IncidentClassification.Criminal, SecurityCategory.Theft, IncidentSource.Patrol, null, siteId, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow);

    /// <summary>Sends "<c>METHOD /path</c>" (a POST with <paramref name="body"/>).</summary>
    private static Task<HttpResponseMessage> SendAsync(HttpClient client, string request, object body)
    {
        var (method, path) = (request.Split(' ')[0], request.Split(' ')[1]);
        return method == "GET" ? client.GetAsync(path, Ct) : client.PostAsJsonAsync(path, body, Ct);
    }
}
