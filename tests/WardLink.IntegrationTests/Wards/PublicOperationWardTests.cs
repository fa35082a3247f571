using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using WardLink.Incidents;
using WardLink.IntegrationTests.Tips;
using WardLink.ServiceDefaults.Security;
using WardLink.Testing;
using WardLink.Tips;

namespace WardLink.IntegrationTests.Wards;

/// <summary>
/// The operations open to the public (every endpoint of the tips and incidents services that allows anonymous callers: the
/// public tip intake and follow-up, the health probes, the API document), in a province of wards. A token sent to one of
/// them lets nothing in and is not asked about: whoever sends it, whatever ward the request names, the answer and the ward
/// anything is stored in are the public's. And a path there names no record by its id. Every such operation needs a
/// sample here, so one added later is covered.
/// </summary>
public sealed partial class PublicOperationWardTests(WardedServices wards) : IClassFixture<WardedServices>
{
    private const string DongVe = WardedServices.DongVe;

    /// <summary>No ward, the home ward, two others, one the service does not know, one malformed.</summary>
    private static readonly string?[] WardsNamed = [null, WardedServices.Home, WardedServices.DongQuang, DongVe, "no-such-ward", "BAD!"];

    /// <summary>Clients of every kind: bound to a ward, to a partner (in the home ward), to the province, and of roles no public operation is for.</summary>
    private static readonly (string Who, string Token)[] Tokens =
    [
        ("the police of dong-quang", TestAuth.Token(WardLinkRoles.Police, wards: [WardedServices.DongQuang])),
        ("a partner", TestAuth.Token(WardLinkRoles.Partner, partnerId: Guid.CreateVersion7())),
        ("the province's police", TestAuth.Token(WardLinkRoles.Police, provinces: [WardedServices.Province])),
        ("an auditor of dong-ve", TestAuth.Token(WardLinkRoles.Auditor, wards: [DongVe])),
        ("ops", TestAuth.Token(WardLinkRoles.Ops)),
    ];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_operation_open_to_the_public_answers_a_caller_with_a_token_as_the_public_and_stores_in_the_same_ward()
    {
        var samples = await SamplesAsync();
        var failures = new List<string>();
        foreach (var (service, operation) in PublicOperations())
        {
            if (!samples.TryGetValue(operation, out var requests))
            {
                failures.Add($"{service} {operation}: no sample here");
                continue;
            }

            foreach (var (request, ward) in requests.SelectMany(request => WardsNamed.Select(ward => (request, ward))))
            {
                var theirs = await OutcomeAsync(service, null, await request(), ward);
                foreach (var (who, token) in Tokens)
                {
                    if (await OutcomeAsync(service, token, await request(), ward) is var mine && mine != theirs)
                    {
                        failures.Add($"{service} {operation}, ward={ward}, by {who}: {mine}; the public's: {theirs}");
                    }
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    /// <summary>
    /// The id of a tip (of the home ward or another) in the path of an operation open to the public answers word for word as
    /// an id nobody recorded, whatever ward the request names: the public cannot test which ids are tips.
    /// </summary>
    [Fact]
    public async Task A_records_id_in_the_path_of_an_operation_open_to_the_public_answers_as_an_unknown_id_does()
    {
        var samples = await SamplesAsync();
        Guid[] tips = [await wards.Tips(DongVe).ReceiveAsync(), await wards.Tips(WardedServices.Home).ReceiveAsync()];
        var failures = new List<string>();
        var sent = 0;
        foreach (var (service, operation) in PublicOperations().Where(operation => Parameter().IsMatch(operation.Operation)))
        {
            var sample = await samples[operation][0]();
            foreach (var ward in WardsNamed)
            {
                string Named(Guid id) => Parameter().Replace(operation[(operation.IndexOf(' ', StringComparison.Ordinal) + 1)..], id.ToString());
                var unknown = await OutcomeAsync(service, null, sample with { Path = Named(Guid.CreateVersion7()) }, ward);
                foreach (var tip in tips)
                {
                    sent++;
                    if (await OutcomeAsync(service, null, sample with { Path = Named(tip) }, ward) is var recorded && recorded != unknown)
                    {
                        failures.Add($"{service} {operation}, ward={ward}, a tip's id: {recorded}; an unknown id: {unknown}");
                    }
                }
            }
        }

        Assert.True(sent > 0, "No operation open to the public has a path parameter.");
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    /// <summary>
    /// Only the public intake takes <c>ward=</c> (where the tip goes). Every other operation open to the public answers alike
    /// whatever ward it names, an unknown or malformed one included, and its document offers no <c>ward</c>: a follow-up finds
    /// its tip in whichever ward it is (a link carrying a stray <c>ward=</c> still opens it), a probe and the document keep no
    /// record. One added later takes no ward unless it is named here.
    /// </summary>
    [Fact]
    public async Task Every_operation_open_to_the_public_but_the_intake_answers_alike_whatever_ward_it_names_and_offers_none()
    {
        var samples = await SamplesAsync();
        var failures = new List<string>();
        var tried = 0;
        foreach (var (service, operation) in PublicOperations().Where(operation => !TakingWard.Contains(operation.Operation) && samples.ContainsKey(operation.Operation)))
        {
            tried++;
            var document = await wards.ClientOf(service, null).GetFromJsonAsync<JsonObject>("/openapi/v1.json", Ct);
            var (method, path) = (operation[..operation.IndexOf(' ', StringComparison.Ordinal)].ToLowerInvariant(), operation[(operation.IndexOf(' ', StringComparison.Ordinal) + 1)..]);
            if ((document!["paths"]?[path]?[method]?["parameters"]?.AsArray() ?? []).Any(parameter => (string?)parameter!["name"] == "ward"))
            {
                failures.Add($"{service} {operation}: its document offers ward=");
            }

            foreach (var request in samples[operation])
            {
                var without = await OutcomeAsync(service, null, await request(), null);
                foreach (var ward in WardsNamed.Where(ward => ward is not null))
                {
                    if (await OutcomeAsync(service, null, await request(), ward) is var named && named != without)
                    {
                        failures.Add($"{service} {operation}, ward={ward}: {named}; without ward=: {without}");
                    }
                }
            }
        }

        Assert.True(tried > 0, "No operation open to the public but the intake.");
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    /// <summary>The operations open to the public that take <c>ward=</c>.</summary>
    private static readonly HashSet<string> TakingWard = new(StringComparer.Ordinal) { "POST /public/tips" };

    /// <summary>Each operation open to the public in the tips and incidents services, as <c>METHOD /template</c>.</summary>
    private IEnumerable<(string Service, string Operation)> PublicOperations() =>
        (from service in new[] { TipsService.Name, IncidentsService.Name }
         from endpoint in wards.ServicesOf(service).GetServices<EndpointDataSource>().SelectMany(source => source.Endpoints).OfType<RouteEndpoint>()
         where endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null
         from method in endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? []
         select (service, $"{method} /{endpoint.RoutePattern.RawText!.Trim('/')}")).Distinct();

    /// <summary>Requests to each operation open to the public, without a ward: each made afresh for every call (a follow-up of a tip of its own).</summary>
    private async Task<Dictionary<string, Func<Task<PublicRequest>>[]>> SamplesAsync()
    {
        var siteOfDongVe = await wards.SiteOfAsync(DongVe);
        Func<Task<PublicRequest>> Fixed(string method, string path, object? body = null) => () => Task.FromResult(new PublicRequest(new HttpMethod(method), path, body));
        Func<Task<PublicRequest>> FollowUp(string method, string after, object? body = null) => async () =>
        {
            var submitted = await WardResponses.CreatedAsync(await wards.Public().PostAsJsonAsync($"/public/tips?ward={DongVe}", Tip(new { description = "Behind the market" }), Ct));
            return new PublicRequest(new HttpMethod(method), $"/public/tips/{submitted.GetProperty("code").GetString()}{after}", body, submitted.GetProperty("secret").GetString());
        };
        return new(StringComparer.Ordinal)
        {
            ["POST /public/tips"] = [Fixed("POST", "/public/tips", Tip(new { description = "Behind the market" })), Fixed("POST", "/public/tips", Tip(new { siteId = siteOfDongVe }))],
            ["GET /public/tips/{code}"] = [FollowUp("GET", string.Empty)],
            ["GET /public/tips/{code}/messages"] = [FollowUp("GET", "/messages")],
            ["POST /public/tips/{code}/messages"] = [FollowUp("POST", "/messages", new { text = "He came back at 21:15." })],
            ["GET /health/live"] = [Fixed("GET", "/health/live")],
            ["HEAD /health/live"] = [Fixed("HEAD", "/health/live")],
            ["GET /health/ready"] = [Fixed("GET", "/health/ready")],
            ["HEAD /health/ready"] = [Fixed("HEAD", "/health/ready")],
            ["GET /openapi/{documentName}.json"] = [Fixed("GET", "/openapi/v1.json")],
        };
    }

    private static object Tip(object place) => new { category = "drugs", description = "Dealing at night.", place };

    /// <summary>What a request answers (status, title, field errors) and the wards (store tenants) it stored events in.</summary>
    private async Task<string> OutcomeAsync(string service, string? token, PublicRequest sample, string? ward)
    {
        var store = wards.StoreOf(service);
        var before = await store.CountEventsPerTenantAsync();
        using var request = new HttpRequestMessage(sample.Method, ward is null ? sample.Path : $"{sample.Path}?ward={Uri.EscapeDataString(ward)}");
        if (sample.Body is not null)
        {
            request.Content = JsonContent.Create(sample.Body);
        }

        if (sample.Secret is not null)
        {
            request.Headers.Add(FollowUp.SecretHeader, sample.Secret);
        }

        using var client = wards.ClientOf(service, token);
        using var response = await client.SendAsync(request, Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        var problem = response.Content.Headers.ContentType?.MediaType == "application/problem+json" ? JsonDocument.Parse(body).RootElement : default;
        var stored = (await store.CountEventsPerTenantAsync()).Where(tenant => tenant.Value != before.GetValueOrDefault(tenant.Key)).Select(tenant => tenant.Key).Order(StringComparer.Ordinal);
        return $"{(int)response.StatusCode} {(problem.ValueKind == JsonValueKind.Object ? problem.GetProperty("title").GetString() : null)} "
            + $"{(problem.ValueKind == JsonValueKind.Object && problem.TryGetProperty("errors", out var errors) ? errors.GetRawText() : null)}, stored in [{string.Join(", ", stored)}]";
    }

    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex Parameter();

    /// <summary>A request without its ward: method, path, JSON body, follow-up secret.</summary>
    private sealed record PublicRequest(HttpMethod Method, string Path, object? Body = null, string? Secret = null);
}
