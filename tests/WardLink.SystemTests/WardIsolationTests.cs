using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Marten;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using WardLink.Contracts.Wards;
using WardLink.EventSourcing.Wards;
using WardLink.ServiceDefaults.Security;
using WardLink.Testing;

namespace WardLink.SystemTests;

/// <summary>
/// Wards are kept apart for every route of every service, through the gateway: a record of every kind another ward keeps (a
/// partner with its site, contact, camera, warning signs, outreach session, ID-card drive, webhook and a delivery of it; a
/// channel, a meeting with an action item; a tip, an incident it is linked to; a patrol route, schedule and shift) is named in
/// every route that takes ids, and the home ward's police, auditor and partner get from each exactly what an id nobody recorded
/// gets (a 4xx problem, the same status and title) and change nothing, while the other ward's own police reads them; every
/// list, directory, statistic and audit feed of the home ward shows nothing of them. The routes are read from the running
/// services, so a route added later is covered, and one naming an id of a kind not seeded here fails until it is.
/// </summary>
public sealed partial class WardIsolationTests(WardLinkSystem system) : IClassFixture<WardLinkSystem>
{
    private const string OtherWard = "isolation-b";
    private const string OtherCode = "ISB";
    private const int Year = 2019;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>
    /// Ward B's records: by the segment an <c>{id}</c> follows (<c>/tips/{id}</c>, <c>/cameras/{id}</c>), else by the parameter's
    /// own name (<c>{siteId}</c>, <c>{itemId}</c>); the paths ward B's police reads each at, for its version.
    /// </summary>
    private sealed record Seeds(IReadOnlyDictionary<string, Guid> ByName, IReadOnlyList<string> Reads)
    {
        public IEnumerable<Guid> All => ByName.Values.Distinct();

        /// <summary>The record a route's id names, or for the audit of a stream, the service's own record (its main kind's).</summary>
        public Guid? Of(string service, string segment, string parameter) =>
            parameter == "id" && segment == "streams" ? ByName[service switch { "tips" => "tips", "incidents" => "incidents", "partners" => "partners", _ => "routes" }]
            : ByName.TryGetValue(parameter == "id" ? segment : parameter, out var id) ? id
            : null;
    }

    private sealed record Route(string Service, string Method, string Pattern);

    [Fact]
    public async Task Another_wards_records_are_answered_as_records_nobody_recorded_on_every_route_that_names_them_and_change_nothing()
    {
        var (seeds, other) = await SeedOtherWardAsync();
        var callers = new (string Name, HttpClient Client)[]
        {
            ("home police", Gateway(TestAuth.Token(WardLinkRoles.Police))),
            ("home auditor", Gateway(TestAuth.Token(WardLinkRoles.Auditor))),
            ("partner A", Gateway(TestAuth.Token(WardLinkRoles.Partner, WardLinkSystem.PartnerA))),
        };
        var routes = Routes().Where(route => GuidParameter().IsMatch(route.Pattern)).Select(route => (Route: route, Concrete: Concrete(route, seeds))).ToList();
        var failures = routes.Where(route => !route.Concrete.AllSeeded)
            .Select(route => $"{route.Route.Method} {route.Route.Pattern}: names an id of a kind ward B has none of; seed one in {nameof(SeedOtherWardAsync)}")
            .ToList();
        var compared = callers.ToDictionary(caller => caller.Name, _ => 0);

        // The control: the records' own ward reads every route that names them (some reads are recorded, e.g. a contact's).
        var readByOwner = 0;
        foreach (var (_, (path, _)) in routes.Where(route => route.Route.Method == "GET" && route.Concrete.AllSeeded))
        {
            readByOwner++;
            using var own = await other.GetAsync(path, Ct);
            if (own.StatusCode != HttpStatusCode.OK)
            {
                failures.Add($"GET {path} as ward B's police (the control): {(int)own.StatusCode}");
            }
        }

        var before = await VersionsAsync(other, seeds);
        foreach (var (route, (path, _)) in routes)
        {
            foreach (var (name, client) in callers)
            {
                using var response = await SendAsync(client, route.Method, path);
                var status = (int)response.StatusCode;

                // A caller outside the route's roles is refused before anything is looked up: that tells nothing either.
                if (status is 401 or 403)
                {
                    continue;
                }

                compared[name]++;

                // Exactly what an id nobody recorded gets (the same status and title, ids aside): nothing tells the
                // caller that the record exists elsewhere.
                var body = await response.Content.ReadAsStringAsync(Ct);
                using var unknown = await SendAsync(client, route.Method, seeds.All.Aggregate(path, (unrecorded, id) => unrecorded.Replace(id.ToString(), Guid.CreateVersion7().ToString(), StringComparison.Ordinal)));
                var unknownBody = await unknown.Content.ReadAsStringAsync(Ct);
                if (status is < 400 or >= 500 || response.Content.Headers.ContentType?.MediaType != "application/problem+json"
                    || status != (int)unknown.StatusCode || TitleOf(body) != TitleOf(unknownBody))
                {
                    failures.Add($"{route.Method} {path} as {name}: {status} {Shortened(body)}; an unrecorded id: {(int)unknown.StatusCode} {Shortened(unknownBody)}");
                }
            }
        }

        var named = routes.Count;
        Assert.True(named > 60, $"Only {named} routes name a record by id.");
        Assert.True(readByOwner > 10, $"Only {readByOwner} routes were read back by the records' own ward.");

        // The police may take every route: each was compared, none refused before it was looked up (a refused token compares nothing).
        Assert.Equal(named, compared["home police"]);
        Assert.True(compared["home auditor"] > 0 && compared["partner A"] > 0, $"Compared: {string.Join(", ", compared)}");
        Assert.True(failures.Count == 0, $"{failures.Count} wrong answers:\n{string.Join('\n', failures)}");
        Assert.Equal(before, await VersionsAsync(other, seeds));
    }

    [Fact]
    public async Task Lists_directories_statistics_and_audit_feeds_of_the_home_ward_show_nothing_of_another()
    {
        using var home = Gateway(TestAuth.Token(WardLinkRoles.Police));
        var reads = Routes()
            .Where(route => route.Method == "GET" && !route.Pattern.Contains('{', StringComparison.Ordinal) && !route.Pattern.StartsWith("/public", StringComparison.Ordinal))
            .Select(route => !route.Pattern.Contains("/stats", StringComparison.Ordinal) ? $"/api{route.Pattern}{RequiredQuery(route.Pattern)}"
                : route.Pattern.EndsWith("/compare", StringComparison.Ordinal) ? $"/api{route.Pattern}?year={Year}&compareWith={Year - 1}"
                : $"/api{route.Pattern}?year={Year}")
            .ToList();
        var statistics = reads.Where(path => path.Contains("/stats", StringComparison.Ordinal)).ToList();
        var statisticsBefore = await ReadAllAsync(home, statistics);

        var (seeds, other) = await SeedOtherWardAsync();

        var failures = new List<string>();
        var otherWardsMarks = seeds.All.Select(id => id.ToString()).Append($"-{OtherCode}-").Append(OtherWard).ToList();
        foreach (var (path, body) in await ReadAllAsync(home, reads))
        {
            foreach (var mark in otherWardsMarks.Where(mark => body.Contains(mark, StringComparison.OrdinalIgnoreCase)))
            {
                failures.Add($"GET {path} as the home police shows '{mark}' of ward B");
            }
        }

        Assert.Equal(statisticsBefore, await ReadAllAsync(home, statistics));
        Assert.True(reads.Count > 15, $"Only {reads.Count} lists were read.");
        Assert.All(await ReadAllAsync(home, reads), read => Assert.True(read.Body.StartsWith("200 ", StringComparison.Ordinal), $"GET {read.Path}: {Shortened(read.Body)}"));
        Assert.True(failures.Count == 0, $"{failures.Count} leaks:\n{string.Join('\n', failures)}");

        // The control: ward B's police lists its own records.
        Assert.Contains(seeds.ByName["tips"].ToString(), await other.GetStringAsync("/api/tips?limit=200", Ct), StringComparison.Ordinal);
        Assert.Contains(seeds.ByName["incidents"].ToString(), await other.GetStringAsync("/api/incidents?limit=200", Ct), StringComparison.Ordinal);
    }

    private HttpClient Gateway(string token) => system.CreateAnonymousGatewayClient().As(token);

    /// <summary>
    /// The query a list requires (<c>from</c>/<c>to</c> of the plans and the coverage: the week around today, when ward B's shift
    /// started and its schedule plans), so that it answers what it holds, not a 400 that shows nothing of either ward.
    /// </summary>
    private static string RequiredQuery(string pattern) =>
        pattern is "/patrols/planned" or "/patrols/coverage" ? $"?from={DateTime.UtcNow.AddDays(-7):yyyy-MM-dd}&to={DateTime.UtcNow.AddDays(7):yyyy-MM-dd}" : string.Empty;

    /// <summary>
    /// Ward B known to every service (its establishment, as partners publishes it), and one record of
    /// each kind recorded in it by its own police through the gateway (a part of a record too: a contact, an action item, a
    /// channel's member, a tip linked to an incident, a webhook's delivery of the incident at the partner's site).
    /// </summary>
    private async Task<(Seeds Seeds, HttpClient Other)> SeedOtherWardAsync()
    {
        await system.WaitUntilReadyAsync();
        await using (var bus = await TestBus.StartAsync(system.VirtualHost))
        {
            await bus.PublishAsync(new WardEstablished(OtherWard, OtherCode, "Isolation B", "thanh-hoa", null, DateTimeOffset.UtcNow, 1), Guid.NewGuid());
        }

        foreach (var service in TestAuth.Services)
        {
            await Eventually.Get(
                async () =>
                {
                    await using var session = system.StoreOf(service).QuerySession();
                    return await session.LoadAsync<KnownWard>(OtherWard, Ct);
                },
                $"{service} to know ward {OtherWard}");
        }

        var other = Gateway(TestAuth.Token(WardLinkRoles.Police, wards: [OtherWard], subject: "ward-b-police"));
        var partner = await CreatedAsync(other, "/api/partners", new { name = "Ward B clinic", kind = "hospital" });
        var site = await CreatedAsync(other, $"/api/partners/{partner}/sites", new { name = "Ward B clinic gate", kind = "gate", latitude = 19.81, longitude = 105.78 });
        await Eventually.Get(
            async () => (await other.GetAsync($"/api/patrols/sites/{site}", Ct)).IsSuccessStatusCode ? "known" : null,
            "patrols to know ward B's site");
        var at = $"{Year}-05-02T09:00:00+07:00";
        var contact = (await StepAsync(other, $"/api/partners/{partner}/contacts", new { role = "Head of security", name = "Đỗ Văn Cường", phone = "0912 000 333" })).GetProperty("contacts")[0].GetProperty("id").GetGuid();
        var camera = await CreatedAsync(other, $"/api/partners/{partner}/sites/{site}/cameras", new { description = "Over the clinic gate", at });
        var signs = await CreatedAsync(other, $"/api/partners/{partner}/sites/{site}/warning-signs", new { count = 2, text = "Lock your bicycle.", at });
        var outreach = await CreatedAsync(other, $"/api/partners/{partner}/outreach-sessions", new { topics = (string[])["drugs"], attendees = 30, at });
        var drive = await CreatedAsync(other, $"/api/partners/{partner}/id-card-drives", new { cardsIssued = 40, at });
        var channel = await CreatedAsync(other, "/api/partners/channels", new { kind = "chatGroup", name = "Ward B linkage group", platform = "Zalo", memberPartnerIds = new[] { partner } });
        var meeting = await CreatedAsync(other, "/api/partners/meetings", new { heldAt = at, attendingPartnerIds = new[] { partner }, minutes = "Ward B's first meeting." });
        var item = (await StepAsync(other, $"/api/partners/meetings/{meeting}/action-items", new { text = "Survey the back gate", ownerPartnerId = partner, dueAt = DateTimeOffset.UtcNow.AddDays(30) }))
            .GetProperty("actionItems")[0].GetProperty("id").GetGuid();
        using var subscribed = await other.PostAsJsonAsync($"/api/partners/{partner}/webhooks", new { url = "https://clinic.ward-b.example/hooks", events = (string[])["incidentReported"] }, Ct);
        Assert.True(subscribed.StatusCode == HttpStatusCode.Created, $"a webhook in ward B: {(int)subscribed.StatusCode} {await subscribed.Content.ReadAsStringAsync(Ct)}");
        var webhook = (await subscribed.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("webhook").GetProperty("id").GetGuid();
        var tip = await CreatedAsync(other, "/api/tips", new
        {
            channel = "hotline", category = "theft", description = "A bicycle taken at the clinic gate",
            place = new { description = "Clinic gate" }, receivedAt = at,
            contact = new { name = "Lê Thị Bình", phone = "0912 000 222" },
        });
        await Eventually.Get(
            async () => (await other.GetAsync($"/api/incidents/sites/{site}", Ct)).IsSuccessStatusCode ? "known" : null,
            "incidents to know ward B's site");
        var incident = await CreatedAsync(other, "/api/incidents", new
        {
            classification = "criminal", category = "theft", description = "A bicycle stolen at the clinic gate",
            place = new { siteId = site }, occurredAt = $"{Year}-05-01T21:30:00+07:00", source = "police",
        });
        await StepAsync(other, $"/api/incidents/{incident}/tips", new { tipId = tip });
        var delivery = await Eventually.Get(
            async () => (await other.GetFromJsonAsync<JsonElement>($"/api/partners/{partner}/webhooks/{webhook}/deliveries", Ct)).GetProperty("items") is { } items && items.GetArrayLength() > 0
                ? items[0].GetProperty("id").GetGuid().ToString()
                : null,
            "the webhook's delivery of the incident at the partner's site");
        var route = await CreatedAsync(other, "/api/patrols/routes", new { name = "Ward B clinic", checkpoints = new[] { new { code = "B-GATE", siteId = site } } });
        var schedule = await CreatedAsync(other, "/api/patrols/schedules", new { routeId = route, kind = "patrol", days = (string[])["monday"], windowStart = "21:00", windowEnd = "23:00", team = "police" });
        var shift = await CreatedAsync(other, "/api/patrols/shifts", new { routeId = route, kind = "patrol", team = "police", members = new[] { new { name = "Lead", role = "ward police" } } });
        var byName = new Dictionary<string, Guid>
        {
            ["partners"] = partner, ["sites"] = site, ["siteId"] = site, ["contactId"] = contact, ["cameras"] = camera, ["warning-signs"] = signs,
            ["outreach-sessions"] = outreach, ["id-card-drives"] = drive, ["channels"] = channel, ["partnerId"] = partner, ["meetings"] = meeting,
            ["itemId"] = item, ["webhookId"] = webhook, ["deliveryId"] = Guid.Parse(delivery), ["tips"] = tip, ["tipId"] = tip, ["incidents"] = incident,
            ["routes"] = route, ["schedules"] = schedule, ["shifts"] = shift,
        };
        string[] reads =
        [
            $"/api/partners/{partner}", $"/api/partners/{partner}/sites/{site}", $"/api/partners/cameras/{camera}", $"/api/partners/warning-signs/{signs}",
            $"/api/partners/outreach-sessions/{outreach}", $"/api/partners/id-card-drives/{drive}", $"/api/partners/channels/{channel}",
            $"/api/partners/meetings/{meeting}", $"/api/partners/{partner}/webhooks/{webhook}", $"/api/tips/{tip}", $"/api/incidents/{incident}",
            $"/api/patrols/routes/{route}", $"/api/patrols/schedules/{schedule}", $"/api/patrols/shifts/{shift}",
        ];
        return (new Seeds(byName, reads), other);
    }

    /// <summary>A step on a record of ward B, answered 200: the record as it stands.</summary>
    private static async Task<JsonElement> StepAsync(HttpClient client, string path, object body)
    {
        using var response = await client.PostAsJsonAsync(path, body, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"POST {path} in ward B: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static async Task<Guid> CreatedAsync(HttpClient client, string path, object body)
    {
        using var response = await client.PostAsJsonAsync(path, body, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"POST {path} in ward B: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.GetProperty("id").GetGuid();
    }

    /// <summary>Every seeded stream's version as its own ward reads it (its ETag).</summary>
    private static async Task<List<string>> VersionsAsync(HttpClient other, Seeds seeds)
    {
        var versions = new List<string>();
        foreach (var path in seeds.Reads)
        {
            using var response = await other.GetAsync(path, Ct);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path} as ward B's police: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(Ct)}");
            versions.Add($"{path} {response.Headers.ETag?.Tag}");
        }

        return versions;
    }

    private static async Task<List<(string Path, string Body)>> ReadAllAsync(HttpClient client, IEnumerable<string> paths)
    {
        var bodies = new List<(string, string)>();
        foreach (var path in paths)
        {
            using var response = await client.GetAsync(path, Ct);
            bodies.Add((path, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(Ct)}"));
        }

        return bodies;
    }

    /// <summary>The routes the gateway exposes of every service (under <c>/api</c>), by method.</summary>
    private IEnumerable<Route> Routes() =>
        from service in TestAuth.Services
        from endpoint in system.ServicesOf(service).GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
        let pattern = "/" + endpoint.RoutePattern.RawText!.Trim('/')
        where pattern.StartsWith($"/{service}", StringComparison.Ordinal) || pattern.StartsWith("/audit/", StringComparison.Ordinal)
        from method in endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? []
        select new Route(service, method, pattern);

    /// <summary>The route's path through the gateway with ward B's records for its ids; whether every id is a record of the kind the route names.</summary>
    private static (string Path, bool AllSeeded) Concrete(Route route, Seeds seeds)
    {
        var allSeeded = true;
        var path = GuidParameter().Replace(route.Pattern, match =>
        {
            var segment = match.Groups["segment"].Value;
            var seeded = seeds.Of(route.Service, segment, match.Groups["name"].Value);
            allSeeded &= seeded is not null;
            return $"{segment}/{seeded ?? Guid.CreateVersion7()}";
        });
        return ($"/api{path}", allSeeded);
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, string method, string path)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method is "POST" or "PUT" or "PATCH")
        {
            request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        }

        return client.SendAsync(request, Ct);
    }

    private static string Shortened(string body) => body.Length > 300 ? body[..300] + "…" : body;

    /// <summary>A problem's title with its ids as <c>{id}</c>, or the whole body when it is no problem.</summary>
    private static string TitleOf(string body)
    {
        try
        {
            return AnyGuid().Replace(JsonDocument.Parse(body).RootElement.GetProperty("title").GetString() ?? string.Empty, "{id}");
        }
        catch (Exception notAProblem) when (notAProblem is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return body;
        }
    }

    [GeneratedRegex("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")]
    private static partial Regex AnyGuid();

    [GeneratedRegex(@"(?<segment>[A-Za-z-]+)/\{(?<name>[A-Za-z]+):guid\}")]
    private static partial Regex GuidParameter();
}
