using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using WardLink.Contracts.Partners;
using WardLink.Contracts.Wards;
using WardLink.EventSourcing;
using WardLink.EventSourcing.Sites;
using WardLink.EventSourcing.Wards;
using WardLink.Incidents;
using WardLink.IntegrationTests.Incidents;
using WardLink.IntegrationTests.Operations;
using WardLink.Patrols;
using WardLink.ServiceDefaults.Security;
using WardLink.Testing;
using WardLink.Tips;

namespace WardLink.IntegrationTests.Pipeline;

/// <summary>Partners and the three services that keep its site directory, on one virtual host.</summary>
public sealed class LinkedServices : ServiceGroup
{
    public ConsumeCounter TipsConsumed { get; } = new();

    /// <summary>Every line the tips service logs.</summary>
    public CapturedLogs TipsLogs { get; } = new();

    public HttpClient Partners { get; private set; } = null!;

    public HttpClient Tips { get; private set; } = null!;

    public ServiceHost<TipsService> TipsHost { get; private set; } = null!;

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        Partners = (await StartAsync<WardLink.Partners.PartnersService>(WardLink.Partners.PartnersService.Name)).CreateClient();
        TipsHost = await StartAsync<TipsService>(TipsService.Name, services: services => services.AddConsumeObserver(_ => TipsConsumed).AddSingleton<ILoggerProvider>(TipsLogs));
        Tips = TipsHost.CreateClient();
        await StartAsync<IncidentsService>(IncidentsService.Name);
        Patrols = (await StartAsync<PatrolsService>(PatrolsService.Name)).CreateClient();
    }

    public HttpClient Patrols { get; private set; } = null!;
}

[Collection(ActivityListeners.Name)]
public sealed class SiteDirectoryTests(LinkedServices services) : IClassFixture<LinkedServices>
{
    [Fact]
    public async Task A_site_registered_in_partners_appears_in_the_directories_of_tips_incidents_and_patrols()
    {
        var partnerId = await services.Partners.RegisterPartnerAsync();
        var siteId = await services.Partners.RegisterSiteAsync(partnerId, "Obstetrics hospital, emergency entrance");

        foreach (var service in Partnership.Directories)
        {
            var site = await Eventually.Get(
                async () => (await services.SitesKnownToAsync(service)).SingleOrDefault(known => known.Id == siteId),
                $"site {siteId} in the {service} directory");
            Assert.Equal(partnerId, site.PartnerId);
            Assert.Equal("Obstetrics hospital, emergency entrance", site.Name);
            Assert.Equal(SiteKind.HospitalArea, site.Kind);
            Assert.Equal(19.8069, site.Latitude);
        }

        var overHttp = await services.Tips.GetFromJsonAsync<JsonElement>($"/tips/sites/{siteId}", TestContext.Current.CancellationToken);
        Assert.Equal("hospitalArea", overHttp.GetProperty("kind").GetString());
        var list = await services.Tips.GetFromJsonAsync<JsonElement>($"/tips/sites?partnerId={partnerId}", TestContext.Current.CancellationToken);
        Assert.Equal(siteId, Assert.Single(list.GetProperty("items").EnumerateArray()).GetProperty("id").GetGuid());
    }

    /// <summary>
    /// A partner that leaves the linkage in the partners service is, once patrols has heard of it, on no new schedule and no
    /// shift outside any schedule that began after it left (409 naming it); a shift recorded after the fact
    /// that began before it left still names it, and another partner is taken as before.
    /// </summary>
    [Fact]
    public async Task A_partner_that_left_is_on_no_new_schedule_nor_a_shift_begun_after_it_left_once_patrols_heard_of_it()
    {
        var ct = TestContext.Current.CancellationToken;
        var gone = await services.Partners.RegisterPartnerAsync("Veterans' team of the old market");
        var staying = await services.Partners.RegisterPartnerAsync("Veterans' team of the new market");
        var siteId = await services.Partners.RegisterSiteAsync(staying, "New market gate");
        await Eventually.Get(async () => (await services.SitesKnownToAsync(PatrolsService.Name)).Any(site => site.Id == siteId) ? "known" : null, "patrols to know the site");
        using var route = await services.Patrols.PostAsJsonAsync("/patrols/routes", new { name = "Markets", checkpoints = new[] { new { code = "NEW-GATE", siteId } } }, ct);
        var routeId = (await route.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("id").GetGuid();
        var before = DateTimeOffset.UtcNow.AddMinutes(-30);
        await services.Partners.StepOkAsync($"/partners/{gone}/leave", "\"1\"", new { reason = "Disbanded." });
        await Eventually.Get(
            async () =>
            {
                await using var session = services.StoreOf(PatrolsService.Name).QuerySession();
                return await session.LoadAsync<KnownPartnerStanding>(gone, ct) is { Left: true, LeftAt: not null } known ? known : null;
            },
            "patrols to hear the partner left");

        object Schedule(Guid partner) => new { routeId, kind = "patrol", days = (string[])["monday"], windowStart = "21:00", windowEnd = "23:00", team = "veterans", partnerIds = new[] { partner } };
        object Shift(Guid partner, DateTimeOffset? at = null) => new { routeId, kind = "patrol", team = "veterans", partnerIds = new[] { partner }, members = new[] { new { name = "Lead", role = "veteran" } }, at };
        using var schedule = await services.Patrols.PostAsJsonAsync("/patrols/schedules", Schedule(gone), ct);
        using var shift = await services.Patrols.PostAsJsonAsync("/patrols/shifts", Shift(gone), ct);

        foreach (var refused in new[] { schedule, shift })
        {
            Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
            Assert.Contains(gone.ToString(), (await refused.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("title").GetString(), StringComparison.Ordinal);
        }

        using var earlier = await services.Patrols.PostAsJsonAsync("/patrols/shifts", Shift(gone, before), ct);
        using var other = await services.Patrols.PostAsJsonAsync("/patrols/schedules", Schedule(staying), ct);
        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.Created), (earlier.StatusCode, other.StatusCode));
    }

    [Fact]
    public async Task A_site_updated_then_retired_in_partners_changes_the_directories_of_tips_incidents_and_patrols()
    {
        var partnerId = await services.Partners.RegisterPartnerAsync("Thanh Hóa Psychiatric Hospital");
        var siteId = await services.Partners.RegisterSiteAsync(partnerId, "Psychiatric hospital, east fence");
        await WaitInEveryDirectoryAsync(siteId, site => site.Version == 1, "registered");

        var update = await services.Partners.PutAsJsonAsync(
            $"/partners/{partnerId}/sites/{siteId}",
            new { name = "Psychiatric hospital, east gate", kind = "gate", latitude = 19.8081, longitude = 105.7812 },
            TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, update.StatusCode);
        foreach (var site in await WaitInEveryDirectoryAsync(siteId, site => site.Version == 2, "updated"))
        {
            Assert.Equal(("Psychiatric hospital, east gate", SiteKind.Gate, 19.8081, 105.7812), (site.Name, site.Kind, site.Latitude, site.Longitude));
            Assert.Null(site.RetiredAt);
        }

        var retire = await services.Partners.PostAsJsonAsync(
            $"/partners/{partnerId}/sites/{siteId}/retire", new { reason = "Gate walled up." }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, retire.StatusCode);
        foreach (var site in await WaitInEveryDirectoryAsync(siteId, site => site.RetiredAt is not null, "retired"))
        {
            Assert.Equal(("Psychiatric hospital, east gate", 2L), (site.Name, site.Version));
        }

        var overHttp = await services.Tips.GetFromJsonAsync<JsonElement>($"/tips/sites/{siteId}", TestContext.Current.CancellationToken);
        Assert.Equal(JsonValueKind.String, overHttp.GetProperty("retiredAt").ValueKind);
    }

    /// <summary>
    /// Each message type has its own queue: a retirement can overtake the update before it. The retirement names no
    /// details, so the update it overtook still applies (the site's name and point as partners last had them) and the site
    /// stays retired; a registration redelivered after both changes nothing of either.
    /// </summary>
    [Fact]
    public async Task An_update_overtaken_by_the_retirement_still_applies_and_an_older_change_changes_nothing()
    {
        await using var bus = await TestBus.StartAsync(services.VirtualHost);
        var siteId = Guid.CreateVersion7();
        var partnerId = Guid.CreateVersion7();
        var registered = new SiteRegistered(siteId, partnerId, "School gate", SiteKind.Gate, 19.81, 105.78, DateTimeOffset.UtcNow);
        await bus.PublishAsync(registered, NewId.NextGuid());
        await Eventually.Get(
            async () => (await services.SitesKnownToAsync(TipsService.Name)).SingleOrDefault(known => known.Id == siteId),
            "the registration in the tips directory");

        await bus.PublishAsync(new SiteRetired(siteId, partnerId, DateTimeOffset.UtcNow, 3), NewId.NextGuid());
        await Eventually.Get(
            async () => (await services.SitesKnownToAsync(TipsService.Name)).SingleOrDefault(known => known.Id == siteId && known.RetiredAt is not null),
            "the retirement in the tips directory");
        await ConsumedAsync(bus, new SiteUpdated(siteId, partnerId, "School gate, east side", SiteKind.Gate, 19.82, 105.79, DateTimeOffset.UtcNow, 2));
        await ConsumedAsync(bus, registered);

        var site = Assert.Single(await services.SitesKnownToAsync(TipsService.Name), known => known.Id == siteId);
        Assert.Equal(("School gate, east side", 19.82, 2L), (site.Name, site.Latitude, site.Version));
        Assert.NotNull(site.RetiredAt);
    }

    /// <summary>
    /// A retirement that overtakes its site's registration by more retries than a failing message is given (it is parked after
    /// <see cref="Messaging.RetryLimit"/>) waits for it, as an outage is waited out, and is applied once the registration
    /// comes; it was parked in the error queue.
    /// </summary>
    [Fact]
    public async Task A_retirement_long_ahead_of_its_site_s_registration_waits_for_it_and_is_not_parked()
    {
        await using var bus = await TestBus.StartAsync(services.VirtualHost);
        using var metrics = new HostMetrics(services.TipsHost.Services.GetRequiredService<IMeterFactory>());
        var siteId = Guid.CreateVersion7();
        var partnerId = Guid.CreateVersion7();
        var retirement = NewId.NextGuid();

        await bus.PublishAsync(new SiteRetired(siteId, partnerId, DateTimeOffset.UtcNow, 2), retirement);
        await metrics.WaitedAsync<SiteRetired>(Messaging.RetryLimit + 1, TimeSpan.FromSeconds(60));
        await bus.PublishAsync(new SiteRegistered(siteId, partnerId, "School gate", SiteKind.Gate, 19.81, 105.78, DateTimeOffset.UtcNow), NewId.NextGuid());

        await Eventually.Get(
            async () => (await services.SitesKnownToAsync(TipsService.Name)).SingleOrDefault(known => known.Id == siteId && known.RetiredAt is not null),
            "the retirement applied once the registration came");
        Assert.Empty(await services.Infrastructure.TakeMessagesAsync(services.VirtualHost, "tips-site-retired_error", 10));
    }

    /// <summary>
    /// A message waiting for what has not come yet waits on the broker, not in the service (<see cref="WaitQueues"/>): twice as
    /// many retirements of sites not registered yet as the queue has prefetched slots (MassTransit's default, at least 16) hold
    /// up nothing behind them; a retirement of a known site is applied within the usual wait. Each waiting one, its waits
    /// counted, is applied once its site is registered, and none is parked nor logged as a fault. Retried in the service, they
    /// once held every slot for about four minutes.
    /// </summary>
    [Fact]
    public async Task Retirements_waiting_for_their_sites_hold_up_none_behind_them_and_each_is_applied_once_its_site_comes()
    {
        await using var bus = await TestBus.StartAsync(services.VirtualHost);
        using var metrics = new HostMetrics(services.TipsHost.Services.GetRequiredService<IMeterFactory>());
        var partnerId = Guid.CreateVersion7();
        var waiting = Enumerable.Range(0, 2 * Math.Max(Environment.ProcessorCount * 2, 16)).Select(_ => Guid.CreateVersion7()).ToList();
        foreach (var siteId in waiting)
        {
            await bus.PublishAsync(new SiteRetired(siteId, partnerId, DateTimeOffset.UtcNow, 2), NewId.NextGuid());
        }

        await metrics.WaitedAsync<SiteRetired>(waiting.Count);
        var known = Guid.CreateVersion7();
        await bus.PublishAsync(new SiteRegistered(known, partnerId, "Market gate", SiteKind.Gate, 19.81, 105.78, DateTimeOffset.UtcNow), NewId.NextGuid());
        await Eventually.Get(async () => (await services.SitesKnownToAsync(TipsService.Name)).SingleOrDefault(site => site.Id == known), "the known site");
        await bus.PublishAsync(new SiteRetired(known, partnerId, DateTimeOffset.UtcNow, 2), NewId.NextGuid());
        await Eventually.Get(
            async () => (await services.SitesKnownToAsync(TipsService.Name)).SingleOrDefault(site => site.Id == known && site.RetiredAt is not null),
            "the retirement of the known site, behind the waiting ones");

        foreach (var siteId in waiting)
        {
            await bus.PublishAsync(new SiteRegistered(siteId, partnerId, "School gate", SiteKind.Gate, 19.81, 105.78, DateTimeOffset.UtcNow), NewId.NextGuid());
        }

        await Eventually.Get(
            async () => (await services.SitesKnownToAsync(TipsService.Name)).Count(site => waiting.Contains(site.Id) && site.RetiredAt is not null) == waiting.Count ? "all" : null,
            "every waiting retirement applied once its site came",
            TimeSpan.FromSeconds(90));
        Assert.Empty(await services.Infrastructure.TakeMessagesAsync(services.VirtualHost, "tips-site-retired_error", 10));
        Assert.Empty(await services.Infrastructure.TakeMessagesAsync(services.VirtualHost, "tips-site-retired_skipped", 10));
        Assert.DoesNotContain(services.TipsLogs.Lines, line => line.Contains("R-FAULT", StringComparison.Ordinal) && waiting.Any(siteId => line.Contains(siteId.ToString(), StringComparison.Ordinal)));
        await Eventually.Get(
            async () => await WaitingInAsync(TipsService.Name) == 0 ? "drained" : null,
            "the tips wait queues to drain",
            TimeSpan.FromSeconds(60));
    }

    /// <summary>
    /// A message parked after its waits and moved back from the error queue (it carries MassTransit's fault headers and its
    /// count) waits its whole schedule again, its count reset: what it names may come meanwhile, and it is then applied.
    /// </summary>
    [Fact]
    public async Task A_message_moved_back_from_the_error_queue_waits_anew_and_is_applied_once_what_it_names_comes()
    {
        await using var bus = await TestBus.StartAsync(services.VirtualHost);
        using var metrics = new HostMetrics(services.TipsHost.Services.GetRequiredService<IMeterFactory>());
        var (siteId, partnerId) = (Guid.CreateVersion7(), Guid.CreateVersion7());

        await bus.PublishAsync(
            new SiteRetired(siteId, partnerId, DateTimeOffset.UtcNow, 2),
            NewId.NextGuid(),
            new Dictionary<string, string>
            {
                [WaitQueues.Header] = WaitQueues.Schedule.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["MT-Fault-ExceptionType"] = typeof(NotKnownYetException).FullName!,
                ["MT-Reason"] = "fault",
            });
        await metrics.WaitedAsync<SiteRetired>(2);
        await services.RegisteredThenRetiredInTipsAsync(bus, siteId, partnerId);

        Assert.Empty(await services.Infrastructure.TakeMessagesAsync(services.VirtualHost, "tips-site-retired_error", 10));
    }

    private async Task<long> WaitingInAsync(string service)
    {
        var waiting = 0L;
        foreach (var delay in WaitQueues.Schedule.Distinct())
        {
            waiting += await services.Infrastructure.MessagesInAsync(services.VirtualHost, WaitQueues.QueueOf(service, delay));
        }

        return waiting;
    }

    /// <summary>
    /// A message that has waited as often as <see cref="WaitQueues.Schedule"/> allows but once (here: one arriving with that count)
    /// waits its last wait, comes back counted, and still naming what is not known is parked in its queue's error queue, its count
    /// and the exception in its headers and the log, and changes nothing.
    /// </summary>
    [Fact]
    public async Task A_message_that_has_waited_its_last_is_parked_in_the_error_queue_naming_why()
    {
        await using var bus = await TestBus.StartAsync(services.VirtualHost);
        var siteId = Guid.CreateVersion7();

        await bus.PublishAsync(
            new SiteRetired(siteId, Guid.CreateVersion7(), DateTimeOffset.UtcNow, 2),
            NewId.NextGuid(),
            new Dictionary<string, string> { [WaitQueues.Header] = (WaitQueues.Schedule.Count - 1).ToString(System.Globalization.CultureInfo.InvariantCulture) });

        var parked = await Eventually.Get(
            async () => (await services.Infrastructure.TakeMessagesAsync(services.VirtualHost, "tips-site-retired_error", 10)) is { Count: > 0 } taken ? taken : null,
            "the retirement parked after its last wait",
            WaitQueues.Schedule[^1] + TimeSpan.FromSeconds(30));
        var headers = Assert.Single(parked, message => message.GetProperty("payload").GetString()!.Contains(siteId.ToString(), StringComparison.Ordinal))
            .GetProperty("properties").GetProperty("headers");
        Assert.Equal(WaitQueues.Schedule.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), headers.GetProperty(WaitQueues.Header).GetString());
        Assert.Equal(typeof(NotKnownYetException).FullName, headers.GetProperty("MT-Fault-ExceptionType").GetString());
        Assert.Contains(siteId.ToString(), headers.GetProperty("MT-Fault-Message").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(await services.SitesKnownToAsync(TipsService.Name), site => site.Id == siteId);
        Assert.Contains(services.TipsLogs.Lines, line => line.Contains("R-FAULT", StringComparison.Ordinal) && line.Contains(siteId.ToString(), StringComparison.Ordinal));
    }

    /// <summary>
    /// A ward's merger is its last step: the rename it overtook (another queue) still applies, and the ward stays merged;
    /// an older change (its establishment again) changes nothing.
    /// </summary>
    [Fact]
    public async Task A_rename_overtaken_by_the_ward_s_merger_still_applies_and_the_ward_stays_merged()
    {
        await using var bus = await TestBus.StartAsync(services.VirtualHost);
        const string Ward = "dong-linh";
        var established = new WardEstablished(Ward, "DL", "Đông Lĩnh", "thanh-hoa", null, DateTimeOffset.UtcNow, 1);
        await ConsumedAsync(bus, established, Ward);
        await ConsumedAsync(bus, new WardMerged(Ward, "quang-thang", new DateOnly(2025, 7, 1), DateTimeOffset.UtcNow, 3), Ward);
        await ConsumedAsync(bus, new WardRenamed(Ward, "Đông Lĩnh (renamed)", new DateOnly(2025, 6, 1), DateTimeOffset.UtcNow, 2), Ward);
        await ConsumedAsync(bus, established, Ward);

        await using var session = services.StoreOf(TipsService.Name).QuerySession();
        var known = await session.WardAsync(Ward, TestContext.Current.CancellationToken);
        Assert.Equal(("Đông Lĩnh (renamed)", "quang-thang", new DateOnly(2025, 7, 1), 2L), (known!.Name, known.MergedInto, known.EndedOn, known.Version));
    }

    private async Task ConsumedAsync<T>(TestBus bus, T message, string? ward = null)
        where T : class
    {
        var id = NewId.NextGuid();
        await (ward is null ? bus.PublishAsync(message, id) : bus.PublishAsync(message, id, ward));
        await Eventually.Get(
            async () => (await services.ProcessedByAsync(TipsService.Name)).SingleOrDefault(processed => processed.MessageId == id),
            $"the tips service to consume {typeof(T).Name} {id}");
    }

    [Fact]
    public async Task Updates_arriving_out_of_order_concurrently_and_before_the_registration_leave_every_directory_at_the_newest_version()
    {
        const int Sites = 12;
        const long Newest = 5;
        await using var bus = await TestBus.StartAsync(services.VirtualHost);
        var partnerId = Guid.CreateVersion7();
        var siteIds = Enumerable.Range(0, Sites).Select(_ => Guid.CreateVersion7()).ToList();
        var messageIds = new List<Guid>();

        // Every version of every site at once, newest first and oldest last, the registration after them all.
        await Task.WhenAll(siteIds.SelectMany(siteId => Enumerable.Range(2, (int)Newest - 1).Reverse().Select(version =>
        {
            var messageId = NewId.NextGuid();
            messageIds.Add(messageId);
            return bus.PublishAsync(new SiteUpdated(siteId, partnerId, $"Gate, version {version}", SiteKind.Gate, 19.81, 105.78, DateTimeOffset.UtcNow, version), messageId);
        })).ToList());
        foreach (var siteId in siteIds)
        {
            var messageId = NewId.NextGuid();
            messageIds.Add(messageId);
            await bus.PublishAsync(new SiteRegistered(siteId, partnerId, "Gate, as registered", SiteKind.Gate, 19.81, 105.78, DateTimeOffset.UtcNow), messageId);
        }

        foreach (var service in new[] { TipsService.Name, IncidentsService.Name, PatrolsService.Name })
        {
            await Eventually.Get(
                async () => (await services.ProcessedByAsync(service)).Count(processed => messageIds.Contains(processed.MessageId)) == messageIds.Count ? "all" : null,
                $"the {service} service to apply every message once",
                TimeSpan.FromSeconds(90));
            var known = (await services.SitesKnownToAsync(service)).Where(site => siteIds.Contains(site.Id)).ToList();
            Assert.Equal(Sites, known.Count);
            Assert.All(known, site => Assert.Equal((Newest, $"Gate, version {Newest}"), (site.Version, site.Name)));
        }
    }

    /// <summary>
    /// A partner's standing as tips keeps it from the partners service's messages, whatever order they arrive in: an older
    /// step changes nothing, a newer one applies, and a leaving is for good. A partner token is refused at the service itself
    /// while the partner is out of standing (a suspended partner's token wrote at the services' own ports: a probe found so).
    /// </summary>
    [Fact]
    public async Task A_partner_s_standing_keeps_its_newest_step_whatever_the_order_and_its_leaving_for_good()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var bus = await TestBus.StartAsync(services.VirtualHost);
        var partnerId = Guid.CreateVersion7();
        using var partner = services.TipsHost.CreateClient().As(TestAuth.Token(WardLinkRoles.Partner, partnerId, audiences: [TipsService.Name]));
        Assert.Equal(HttpStatusCode.OK, (await partner.GetAsync("/tips?limit=1", ct)).StatusCode);

        async Task<KnownPartnerStanding?> KnownAsync()
        {
            await using var session = services.StoreOf(TipsService.Name).QuerySession();
            return await session.LoadAsync<KnownPartnerStanding>(partnerId, ct);
        }

        await ConsumedAsync(bus, new PartnerStandingChanged(partnerId, false, DateTimeOffset.UtcNow, 2));
        Assert.Equal(new KnownPartnerStanding(partnerId, false, 2), await KnownAsync());
        using (var refused = await partner.GetAsync("/tips?limit=1", ct))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Contains(PartnerOutOfStandingException.Reason, refused.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        }

        await ConsumedAsync(bus, new PartnerStandingChanged(partnerId, true, DateTimeOffset.UtcNow, 1));
        Assert.Equal(new KnownPartnerStanding(partnerId, false, 2), await KnownAsync());

        await ConsumedAsync(bus, new PartnerStandingChanged(partnerId, true, DateTimeOffset.UtcNow, 3));
        Assert.Equal(new KnownPartnerStanding(partnerId, true, 3), await KnownAsync());
        Assert.Equal(HttpStatusCode.OK, (await partner.GetAsync("/tips?limit=1", ct)).StatusCode);

        var leftAt = DateTimeOffset.UtcNow;
        await ConsumedAsync(bus, new PartnerLeft(partnerId, leftAt));
        await ConsumedAsync(bus, new PartnerStandingChanged(partnerId, true, DateTimeOffset.UtcNow, 5));
        Assert.Equal(new KnownPartnerStanding(partnerId, false, 3, Left: true, leftAt), await KnownAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, (await partner.GetAsync("/tips?limit=1", ct)).StatusCode);
    }

    [Fact]
    public async Task A_redelivered_message_changes_nothing()
    {
        await using var bus = await TestBus.StartAsync(services.VirtualHost);
        var messageId = NewId.NextGuid();
        var siteId = Guid.CreateVersion7();
        var first = new SiteRegistered(siteId, Guid.CreateVersion7(), "Eye hospital gate", SiteKind.Gate, 19.81, 105.78, DateTimeOffset.UtcNow);

        // A redelivery comes after the first delivery was applied; published together, the two
        // deliveries race and either may be the one applied (still once), which this test cannot tell apart.
        await bus.PublishAsync(first, messageId);
        await Eventually.Get(
            () => Task.FromResult(services.TipsConsumed.CountOf(messageId) >= 1 ? "first" : null),
            "the tips service to consume the first delivery");
        await bus.PublishAsync(first with { Name = "A different name the second time" }, messageId);
        await Eventually.Get(
            () => Task.FromResult(services.TipsConsumed.CountOf(messageId) >= 2 ? "both" : null),
            "the tips service to consume both deliveries");

        var site = Assert.Single(await services.SitesKnownToAsync(TipsService.Name), known => known.Id == siteId);
        Assert.Equal("Eye hospital gate", site.Name);
        Assert.Single(await services.ProcessedByAsync(TipsService.Name), processed => processed.MessageId == messageId);
    }

    [Fact]
    public async Task One_trace_runs_from_the_HTTP_request_through_the_relay_to_the_consumer_s_database_write()
    {
        var partnerId = await services.Partners.RegisterPartnerAsync("Thanh Hóa Eye Hospital");
        var traceId = ActivityTraceId.CreateRandom();
        var spans = new ConcurrentBag<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is "Microsoft.AspNetCore" or "WardLink" or "MassTransit" or "Npgsql",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.TraceId == traceId)
                {
                    spans.Add(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);

        using var request = new HttpRequestMessage();
        request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01");
        var siteId = await services.Partners.RegisterSiteAsync(partnerId, "Eye hospital car park", request);

        // The consumer's write: a database command under a MassTransit consume span of this trace.
        // The relay's publish span ends when its whole page is confirmed, which can be after the
        // consumer has already written: wait for both.
        bool IsRelayPublish(Activity span) =>
            span.Source.Name == "WardLink" && span.Kind == ActivityKind.Producer && span.GetTagItem("wardlink.event.stream_id") as string == siteId.ToString();
        var write = await Eventually.Get(
            () => Task.FromResult(spans.Any(IsRelayPublish) ? spans.FirstOrDefault(span => span.Source.Name == "Npgsql" && HasAncestor(span, spans, IsConsume)) : null),
            "a database command of a consumer in the request's trace, and the relay's publish span");
        Assert.Contains(spans, span => span.Source.Name == "Microsoft.AspNetCore" && span.Kind == ActivityKind.Server);
        Assert.Contains(spans, IsRelayPublish);
        Assert.Equal(traceId, write.TraceId);
    }

    [Fact]
    public async Task Readiness_shows_the_relay_s_lag_and_what_it_published()
    {
        await services.Partners.RegisterPartnerAsync("Thanh Hóa Dermatology Hospital");

        var relay = await Eventually.Get(
            async () =>
            {
                var response = await services.Partners.GetAsync("/health/ready", TestContext.Current.CancellationToken);
                var report = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
                var check = report.GetProperty("checks").GetProperty("relay");
                return response.StatusCode == HttpStatusCode.OK && check.GetProperty("data").GetProperty("lag").GetInt64() == 0
                    && check.GetProperty("data").GetProperty("published").GetInt64() > 0 ? check.ToString() : null;
            },
            "the partners relay to have published everything");

        var data = JsonDocument.Parse(relay).RootElement.GetProperty("data");
        Assert.Equal(data.GetProperty("highWaterMark").GetInt64(), data.GetProperty("relayedSequence").GetInt64());
        Assert.Equal(0, data.GetProperty("deadLettered").GetInt64());
    }

    private async Task<List<WardLink.EventSourcing.Sites.KnownSite>> WaitInEveryDirectoryAsync(
        Guid siteId, Func<WardLink.EventSourcing.Sites.KnownSite, bool> arrived, string what)
    {
        var sites = new List<WardLink.EventSourcing.Sites.KnownSite>();
        foreach (var service in Partnership.Directories)
        {
            sites.Add(await Eventually.Get(
                async () => (await services.SitesKnownToAsync(service)).SingleOrDefault(known => known.Id == siteId && arrived(known)),
                $"site {siteId} {what} in the {service} directory"));
        }

        return sites;
    }

    private static bool IsConsume(Activity span) => span.Source.Name == "MassTransit" && span.Kind == ActivityKind.Consumer;

    private static bool HasAncestor(Activity span, IEnumerable<Activity> all, Func<Activity, bool> predicate)
    {
        var byId = all.ToDictionary(activity => activity.SpanId);
        for (var current = span; byId.TryGetValue(current.ParentSpanId, out var parent); current = parent)
        {
            if (predicate(parent))
            {
                return true;
            }
        }

        return false;
    }
}
