using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using WardLink.Audit;
using WardLink.IntegrationTests.Audit;
using WardLink.Domain;
using WardLink.EventSourcing.Wards;
using WardLink.Incidents;
using WardLink.IntegrationTests.BadInput;
using WardLink.IntegrationTests.Incidents;
using WardLink.IntegrationTests.Partners;
using WardLink.IntegrationTests.Patrols;
using WardLink.IntegrationTests.Pipeline;
using WardLink.IntegrationTests.StoredValues;
using WardLink.IntegrationTests.Tips;
using WardLink.Partners;
using WardLink.Patrols;
using WardLink.ServiceDefaults.Security;
using WardLink.Testing;
using WardLink.Tips;

namespace WardLink.IntegrationTests.Wards;

/// <summary>
/// The four services on one broker, in a province of two wards: the home ward and <see cref="Other"/>, established through the
/// partners API (so every directory hears of it), each with a tip, an incident, a partner with a site and a patrol schedule at it.
/// </summary>
public sealed class EveryServiceInTwoWards : ServiceGroup
{
    public const string Home = "quang-thang";
    public const string Other = "dong-quang";

    public static readonly string[] Services = [TipsService.Name, IncidentsService.Name, PatrolsService.Name, PartnersService.Name];

    private readonly Dictionary<string, Func<string?, HttpClient>> _clients = [];

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        var tips = await StartAsync<TipsService>(TipsService.Name);
        var incidents = await StartAsync<IncidentsService>(IncidentsService.Name);
        var patrols = await StartAsync<PatrolsService>(PatrolsService.Name);
        var partners = await StartAsync<PartnersService>(PartnersService.Name);
        _clients[TipsService.Name] = token => tips.CreateClient().As(token);
        _clients[IncidentsService.Name] = token => incidents.CreateClient().As(token);
        _clients[PatrolsService.Name] = token => patrols.CreateClient().As(token);
        _clients[PartnersService.Name] = token => partners.CreateClient().As(token);

        using var province = ClientOf(PartnersService.Name, TestAuth.Token(WardLinkRoles.Police, provinces: [WardRequests.Province]));
        await province.EstablishedAsync(Other, "DQ", "Đông Quang", on: "2020-01-01");
        foreach (var service in Services)
        {
            await StoreOf(service).KnownAsync(Other, 1);
        }

        foreach (var ward in new[] { Home, Other })
        {
            var police = TestAuth.Token(WardLinkRoles.Police, wards: [ward]);
            using var tipsOfWard = ClientOf(TipsService.Name, police);
            await tipsOfWard.ReceiveAsync();
            using var incidentsOfWard = ClientOf(IncidentsService.Name, police);
            await incidentsOfWard.ReportAsync();
            using var partnersOfWard = ClientOf(PartnersService.Name, police);
            await partnersOfWard.RegisterSiteAsync(await partnersOfWard.RegisterPartnerAsync(), $"Hospital gate in {ward}");
        }

        var sites = await this.WaitForSitesAsync(2);
        foreach (var ward in new[] { Home, Other })
        {
            using var patrolsOfWard = ClientOf(PatrolsService.Name, TestAuth.Token(WardLinkRoles.Police, wards: [ward]));
            var route = await patrolsOfWard.CreatedAsync("/patrols/routes", new
            {
                name = "Hospital at night",
                checkpoints = new[] { new { code = "A", siteId = sites[PatrolsService.Name].Single(site => site.Ward == ward).Id, name = "Gate" } },
            });
            await patrolsOfWard.ScheduleAsync(route.GetProperty("id").GetGuid(), PatrolRequests.Tomorrow);
        }

        // An insider deletes each database's newest event of the other ward, once chained: its link, left behind, names that ward,
        // and is shown to the readers of that ward's log, not to those of the home ward's alone.
        foreach (var service in Services)
        {
            using var auditor = ClientOf(service, TestAuth.Token(WardLinkRoles.Auditor, provinces: [WardRequests.Province]));
            await auditor.ChainedAsync(service);
            await StoreOf(service).ExecuteAsync("delete from mt_events where seq_id = (select max(seq_id) from mt_events where tenant_id = @ward)", ("ward", Other));
        }
    }

    /// <summary>A client of <paramref name="service"/> sending <paramref name="token"/>.</summary>
    public HttpClient ClientOf(string service, string? token) => _clients[service](token);
}

/// <summary>
/// <c>ward=</c> on a list or statistic takes every ward the list or statistic shows without it, and then shows that ward only
/// (docs/wards.md): every operation of every service's API document that reads no record named in its path and offers
/// <c>ward</c>, for clients of every kind. (The ward list showed an auditor, a partner or a client bound to no ward every ward of
/// the home ward's province, but refused <c>ward=</c> naming any of them other than the home ward, and ignored it for the wards it
/// took: a province's police listing one ward got them all.)
/// </summary>
public sealed class ListedWardTests(EveryServiceInTwoWards services) : IClassFixture<EveryServiceInTwoWards>
{
    /// <summary>Clients of every kind: bound to no ward (an auditor), a partner, the province's police and auditor, the police of one ward.</summary>
    private static readonly (string Who, string Token)[] Clients =
    [
        ("an auditor bound to no ward", TestAuth.Token(WardLinkRoles.Auditor)),
        ("a partner", TestAuth.Token(WardLinkRoles.Partner, partnerId: Guid.CreateVersion7())),
        ("the province's police", TestAuth.Token(WardLinkRoles.Police, provinces: [WardRequests.Province])),
        ("the province's auditor", TestAuth.Token(WardLinkRoles.Auditor, provinces: [WardRequests.Province])),
        ($"the police of {EveryServiceInTwoWards.Other}", TestAuth.Token(WardLinkRoles.Police, wards: [EveryServiceInTwoWards.Other])),
    ];

    /// <summary>The property that names the ward of an item, by operation, where it is not <c>ward</c>: a ward's own id in the ward list.</summary>
    private static readonly Dictionary<string, string> WardProperty = new(StringComparer.Ordinal) { ["/partners/wards"] = "id" };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_ward_a_list_or_statistic_shows_without_ward_is_one_it_takes_and_then_shows_alone()
    {
        var failures = new List<string>();
        var checkedWards = 0;
        var spanningBoth = new HashSet<string>(StringComparer.Ordinal);
        foreach (var service in EveryServiceInTwoWards.Services)
        {
            using var reader = services.ClientOf(service, null);
            foreach (var operation in await ListsAndStatisticsAsync(reader))
            {
                foreach (var (who, token) in Clients)
                {
                    using var client = services.ClientOf(service, token);
                    var query = operation.Query.Where(parameter => operation.Required.Contains(parameter.Name)).Select(parameter => (parameter.Name, Value: Sample(parameter.Name, parameter.Schema))).ToList();
                    var (status, shown, body) = await ShownAsync(client, operation, query);
                    if (status != HttpStatusCode.OK)
                    {
                        continue;
                    }

                    if (shown.Count > 1)
                    {
                        spanningBoth.Add($"{service} {operation}");
                    }

                    foreach (var ward in shown)
                    {
                        checkedWards++;
                        var (named, shownNamed, namedBody) = await ShownAsync(client, operation, [.. query, (RequestWards.Parameter, ward)]);
                        if (named != HttpStatusCode.OK || shownNamed.Any(other => other != ward))
                        {
                            failures.Add($"{service} {operation} by {who}: without ward= it shows {string.Join(", ", shown)}; with ward={ward}: {(int)named} "
                                + $"showing [{string.Join(", ", shownNamed)}] {Shortened(namedBody)} (without: {Shortened(body)})");
                        }
                    }
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
        Assert.True(checkedWards > 0, "No list or statistic showed a ward.");

        // Not vacuous: every service has a list or statistic that showed both wards to someone, the ward list among them, and its
        // audit log, whose lines name each event's ward.
        Assert.All(EveryServiceInTwoWards.Services, service => Assert.Contains(spanningBoth, operation => operation.StartsWith($"{service} ", StringComparison.Ordinal)));
        Assert.All(EveryServiceInTwoWards.Services, service => Assert.Contains($"{service} GET /audit/{service}/log", spanningBoth));
        Assert.Contains($"{PartnersService.Name} GET /partners/wards", spanningBoth);
    }

    /// <summary>
    /// The ward list names one ward exactly as <c>GET /partners/wards/{wardId}</c> finds it: a ward the caller covers alone, one it
    /// does not cover or that does not exist a 404 (the same answer as for a ward another list does not take), a malformed one a 400.
    /// </summary>
    [Fact]
    public async Task The_ward_list_a_ward_s_read_and_its_steps_take_ward_as_the_read_without_it_finds_it()
    {
        using var partners = services.ClientOf(PartnersService.Name, TestAuth.Token(WardLinkRoles.Police, provinces: ["ha-tinh"]));
        await partners.EstablishedAsync("thach-ha", "TH", "Thạch Hà", province: "ha-tinh");
        foreach (var (who, token) in Clients)
        {
            using var client = services.ClientOf(PartnersService.Name, token);
            foreach (var ward in new[] { EveryServiceInTwoWards.Home, EveryServiceInTwoWards.Other, "thach-ha", "no-such-ward" })
            {
                var found = await client.GetAsync($"/partners/wards/{ward}", Ct);
                var listed = await client.GetAsync($"/partners/wards?ward={ward}", Ct);
                var elsewhere = ward == EveryServiceInTwoWards.Home ? EveryServiceInTwoWards.Other : EveryServiceInTwoWards.Home;
                var named = await client.GetAsync($"/partners/wards/{ward}?ward={ward}", Ct);
                var namedElsewhere = await client.GetAsync($"/partners/wards/{ward}?ward={elsewhere}", Ct);
                Assert.True(named.StatusCode == found.StatusCode, $"{who}, /partners/wards/{ward}?ward={ward}: {named.StatusCode}, without ward= {found.StatusCode}");
                Assert.True(namedElsewhere.StatusCode == HttpStatusCode.NotFound, $"{who}, /partners/wards/{ward} with another ward=: {namedElsewhere.StatusCode}");

                // A step on the ward of the path that names another ward is, as the read, on no ward the caller finds: nothing changes.
                var stepped = await client.PostAsJsonAsync($"/partners/wards/{ward}/rename?ward={elsewhere}", new { name = "Renamed under another ward", effectiveOn = "2026-01-01" }, Ct);
                Assert.True(stepped.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Forbidden, $"{who}, a rename of {ward} naming ward={elsewhere}: {stepped.StatusCode}");
                Assert.Equal(found.Headers.ETag?.Tag, (await client.GetAsync($"/partners/wards/{ward}", Ct)).Headers.ETag?.Tag);
                if (found.StatusCode == HttpStatusCode.OK)
                {
                    Assert.True(listed.StatusCode == HttpStatusCode.OK, $"{who}, ward={ward}: {listed.StatusCode}");
                    var items = (await listed.BodyAsync()).GetProperty("items").EnumerateArray().Select(item => item.GetProperty("id").GetString()).ToList();
                    Assert.True(items.SequenceEqual([ward]), $"{who}, ward={ward}: [{string.Join(", ", items)}]");
                }
                else
                {
                    var problem = await listed.BodyAsync();
                    Assert.True(listed.StatusCode == HttpStatusCode.NotFound, $"{who}, ward={ward}: {listed.StatusCode} {problem}");
                    Assert.Equal($"Ward '{ward}' was not found.", problem.GetProperty("title").GetString());
                }
            }

            var malformed = await client.GetAsync("/partners/wards?ward=Bad_Ward", Ct);
            await malformed.AssertFieldErrorAsync(RequestWards.Parameter);
        }
    }

    /// <summary>The reads of the service's API document that offer <c>ward</c> and name no record in their path: its lists and statistics.</summary>
    private static async Task<IEnumerable<QueriedOperation>> ListsAndStatisticsAsync(HttpClient client) =>
        (await QueriedOperation.DescribedByAsync(client, Ct))
            .Where(operation => operation.Method == "GET" && operation.Parameters.Count == 0 && operation.Query.Any(parameter => parameter.Name == RequestWards.Parameter));

    /// <summary>A value of a required query parameter that finds the fixture's records: this year, or today and the week after.</summary>
    private static string Sample(string name, BodySchema schema)
    {
        var today = DateOnly.FromDateTime(DateTimeOffset.UtcNow.ToOffset(WardTime.Offset).Date);
        return (name, schema.Format, schema.Kind) switch
        {
            ("year", _, _) => today.Year.ToString(CultureInfo.InvariantCulture),
            (_, "date", _) => (name == "to" ? today.AddDays(7) : today).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            (_, _, SchemaKind.Enum) => schema.EnumValues[0],
            _ => schema.Sample()?.ToString() ?? "sample",
        };
    }

    /// <summary>The status of <paramref name="operation"/> with <paramref name="query"/>, the wards its JSON answer names, and its body.</summary>
    private static async Task<(HttpStatusCode Status, IReadOnlyList<string> Wards, string Body)> ShownAsync(
        HttpClient client, QueriedOperation operation, IEnumerable<(string Name, string Value)> query)
    {
        using var response = await client.GetAsync(operation.Address(query), Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            return (response.StatusCode, [], body);
        }

        // A JSON answer, or the audit log's lines (NDJSON), each naming its event's ward.
        var property = WardProperty.GetValueOrDefault(operation.Template, "ward");
        var wards = new SortedSet<string>(StringComparer.Ordinal);
        var documents = response.Content.Headers.ContentType?.MediaType == AuditLines.ContentType
            ? body.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            : [body];
        foreach (var document in documents)
        {
            Collect(JsonDocument.Parse(document).RootElement, property, wards);
        }

        return (response.StatusCode, [.. wards], body);
    }

    /// <summary>Every text of a property named <paramref name="property"/> in <paramref name="element"/>, at any depth.</summary>
    private static void Collect(JsonElement element, string property, ISet<string> found)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var member in element.EnumerateObject())
                {
                    if (member.Name == property && member.Value.ValueKind == JsonValueKind.String)
                    {
                        found.Add(member.Value.GetString()!);
                    }

                    Collect(member.Value, property, found);
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    Collect(item, property, found);
                }

                break;
        }
    }

    private static string Shortened(string body) => body.Length <= 300 ? body : $"{body[..300]}…";
}
