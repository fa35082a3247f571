using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using WardLink.Gateway;
using WardLink.ServiceDefaults;
using WardLink.ServiceDefaults.Security;
using WardLink.Testing;

namespace WardLink.SystemTests;

/// <summary>
/// The system with rate windows no walk of every route and caller fills: its callers without a token all come from one
/// address, whose window (600 a minute, 20 public tips) the walks would empty for each other.
/// </summary>
public sealed class UnthrottledSystem : WardLinkSystem
{
    protected override IReadOnlyDictionary<string, string?> MoreGatewaySettings { get; } = new Dictionary<string, string?>
    {
        ["RateLimits:PerClient:PermitLimit"] = "1000000",
        ["RateLimits:PublicTips:PermitLimit"] = "1000000",
    };
}

/// <summary>
/// Every route of every service × every caller (no token, an expired token, a token for another
/// service, and each role) → 2xx/4xx-but-let-in, 401 or 403, asserted directly against each
/// service and again through the gateway with tokens the gateway issued. The routes are read
/// from the running services, so a route added later is covered; what each route allows is
/// written down here, apart from the code: anything not listed is for the police only.
/// </summary>
public sealed partial class AuthorizationMatrixTests(UnthrottledSystem system) : IClassFixture<UnthrottledSystem>
{
    private const string Anonymous = "anonymous";

    /// <summary>A partner nobody registered: the gateway refuses its token (<c>401</c>) wherever a token is read, as it does a suspended one's.</summary>
    private static readonly Guid UnknownPartner = Guid.Parse("0195d000-dddd-7000-8000-00000000000d");

    /// <summary>The routes open to more than the police ("METHOD pattern" → policy).</summary>
    private static readonly Dictionary<string, string> Exceptions = new()
    {
        ["GET /health/live"] = Anonymous,
        ["GET /health/ready"] = Anonymous,
        ["HEAD /health/live"] = Anonymous,
        ["HEAD /health/ready"] = Anonymous,
        ["GET /openapi/{documentName}.json"] = Anonymous,
        ["POST /public/tips"] = Anonymous,
        ["GET /public/tips/{code}"] = Anonymous,
        ["GET /public/tips/{code}/messages"] = Anonymous,
        ["POST /public/tips/{code}/messages"] = Anonymous,
        ["POST /tips"] = WardLinkPolicies.PoliceOrPartner,
        ["GET /tips"] = WardLinkPolicies.PoliceOrPartner,
        ["GET /tips/{id:guid}"] = WardLinkPolicies.PoliceOrPartner,
        ["POST /incidents"] = WardLinkPolicies.PoliceOrPartner,
        ["GET /incidents"] = WardLinkPolicies.PoliceOrPartner,
        ["GET /incidents/{id:guid}"] = WardLinkPolicies.PoliceOrPartner,
        ["GET /tips/sites"] = WardLinkPolicies.PoliceOrPartner,
        ["GET /tips/sites/{id:guid}"] = WardLinkPolicies.PoliceOrPartner,
        ["GET /incidents/sites"] = WardLinkPolicies.PoliceOrPartner,
        ["GET /incidents/sites/{id:guid}"] = WardLinkPolicies.PoliceOrPartner,
        ["GET /patrols/sites"] = WardLinkPolicies.PoliceOrPartner,
        ["GET /patrols/sites/{id:guid}"] = WardLinkPolicies.PoliceOrPartner,
        ["GET /tips/stats"] = WardLinkPolicies.Statistics,
        ["GET /incidents/stats"] = WardLinkPolicies.Statistics,
        ["GET /incidents/stats/compare"] = WardLinkPolicies.Statistics,
        ["GET /patrols/stats"] = WardLinkPolicies.Statistics,
        ["GET /partners/stats"] = WardLinkPolicies.Statistics,
        ["GET /partners/{id:guid}/standing"] = WardLinkPolicies.PartnerStanding,
        ["GET /partners/wards"] = WardLinkPolicies.Wards,
        [$"GET /partners/wards/{{wardId:{NameConstraints.WardId}}}"] = WardLinkPolicies.Wards,
        ["POST /partners/{id:guid}/webhooks"] = WardLinkPolicies.PoliceOrPartner,
        ["GET /partners/{id:guid}/webhooks"] = WardLinkPolicies.PoliceOrPartner,
        ["GET /partners/{id:guid}/webhooks/{webhookId:guid}"] = WardLinkPolicies.PoliceOrPartner,
        ["PUT /partners/{id:guid}/webhooks/{webhookId:guid}"] = WardLinkPolicies.PoliceOrPartner,
        ["DELETE /partners/{id:guid}/webhooks/{webhookId:guid}"] = WardLinkPolicies.PoliceOrPartner,
        ["POST /partners/{id:guid}/webhooks/{webhookId:guid}/rotate-secret"] = WardLinkPolicies.PoliceOrPartner,
        ["POST /partners/{id:guid}/webhooks/{webhookId:guid}/pause"] = WardLinkPolicies.PoliceOrPartner,
        ["POST /partners/{id:guid}/webhooks/{webhookId:guid}/resume"] = WardLinkPolicies.PoliceOrPartner,
        ["GET /partners/{id:guid}/webhooks/{webhookId:guid}/deliveries"] = WardLinkPolicies.PoliceOrPartner,
        ["POST /partners/{id:guid}/webhooks/{webhookId:guid}/deliveries/{deliveryId:guid}/replay"] = WardLinkPolicies.PoliceOrPartner,
        ["POST /partners/{id:guid}/webhooks/{webhookId:guid}/replay"] = WardLinkPolicies.PoliceOrPartner,
    };

    /// <summary>
    /// The roles each policy admits, as docs/security.md's table of roles says, written here apart from the code: the
    /// services and the gateway build their policies from <see cref="WardLinkPolicies.Roles"/>, so a matrix that read it would
    /// widen with it (a partner reading statistics, ops the audit trail) and pass.
    /// </summary>
    private static readonly Dictionary<string, string[]> Admits = new()
    {
        [WardLinkPolicies.Police] = ["police"],
        [WardLinkPolicies.PoliceOrPartner] = ["police", "partner"],
        [WardLinkPolicies.Statistics] = ["police", "auditor"],
        [WardLinkPolicies.Audit] = ["police", "auditor"],
        [WardLinkPolicies.Ops] = ["police", "ops"],
        [WardLinkPolicies.PartnerStanding] = ["police", "gateway"],
        [WardLinkPolicies.Wards] = ["police", "partner", "auditor"],
    };

    [Fact]
    public void Every_policy_of_the_code_admits_the_roles_written_down_here_and_no_policy_goes_unwritten()
    {
        Assert.Equal(Admits.Keys.Order(StringComparer.Ordinal), WardLinkPolicies.Roles.Keys.Order(StringComparer.Ordinal));
        Assert.All(Admits, policy => Assert.Equal(policy.Value.Order(StringComparer.Ordinal), WardLinkPolicies.Roles[policy.Key].Order(StringComparer.Ordinal)));
    }

    /// <summary>
    /// docs/security.md's reason for each kind of refused token, word for word (<see cref="RefusedTokens"/>), at every service's own
    /// port and through the gateway, which checks a token itself with the same handler: a token of another algorithm than RS256
    /// was told a fault of its key or signature at each (the t-roles probe).
    /// </summary>
    [Fact]
    public async Task A_refused_token_is_told_its_documented_reason_at_each_service_and_through_the_gateway()
    {
        var ct = TestContext.Current.CancellationToken;
        using var gateway = system.CreateAnonymousGatewayClient();
        var failures = new List<string>();
        foreach (var service in TestAuth.Services)
        {
            using var own = system.CreateServiceClient(service);
            failures.AddRange(await RefusedTokens.MisToldAsync(own, $"/{service}/stats?year=2024", service, ct));
            failures.AddRange(await RefusedTokens.MisToldAsync(gateway, $"/api/{service}/stats?year=2024", service, ct));
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    /// <summary>The callers, each as a token for one service's audience (null: no token).</summary>
    private sealed record Caller(string Name, string? Role, Func<string, Task<string?>> TokenFor);

    [Fact]
    public async Task Every_route_of_every_service_admits_exactly_the_roles_it_is_for()
    {
        await system.WaitUntilReadyAsync();
        var callers = new List<Caller>
        {
            new("no token", null, _ => Task.FromResult<string?>(null)),
            new("expired police token", null, service => Task.FromResult<string?>(TestAuth.Token(WardLinkRoles.Police, lifetime: TimeSpan.FromMinutes(-10), audiences: [service]))),
            new("police token for another service", null, service => Task.FromResult<string?>(TestAuth.Token(WardLinkRoles.Police, audiences: [Other(service)]))),
        };
        callers.AddRange(BrokenTokens(service => TestAuth.Token(WardLinkRoles.Police, audiences: [service])));
        callers.AddRange(WardLinkRoles.All.Select(role => new Caller(role, role, service =>
            Task.FromResult<string?>(TestAuth.Token(role, role == WardLinkRoles.Partner ? WardLinkSystem.PartnerA : null, [service])))));

        var failures = new List<string>();
        var checkedRoutes = 0;
        foreach (var service in TestAuth.Services)
        {
            using var client = system.CreateServiceClient(service);
            foreach (var route in RoutesOf(service))
            {
                checkedRoutes++;
                foreach (var caller in callers)
                {
                    await Check(client, route, route.Path, caller, await caller.TokenFor(service), failures);
                }
            }
        }

        Assert.True(checkedRoutes > 80, $"Only {checkedRoutes} routes were found in the four services.");
        Assert.True(failures.Count == 0, $"{failures.Count} wrong answers:\n{string.Join('\n', failures)}");
    }

    [Fact]
    public async Task Through_the_gateway_every_route_admits_exactly_the_roles_it_is_for_with_tokens_the_gateway_issued()
    {
        await GatewaySurface.CompleteDocumentAsync(system);
        using var gateway = system.CreateAnonymousGatewayClient();
        var callers = await GatewayCallersAsync(gateway);

        var failures = new List<string>();
        var checkedRoutes = 0;
        foreach (var service in TestAuth.Services)
        {
            foreach (var route in RoutesOf(service).Where(route =>
                route.Path.StartsWith($"/{service}/", StringComparison.Ordinal)
                || route.Path.StartsWith($"/audit/{service}/", StringComparison.Ordinal)
                || route.Path.StartsWith("/public/", StringComparison.Ordinal)))
            {
                checkedRoutes++;
                foreach (var caller in callers)
                {
                    await Check(gateway, route, "/api" + route.Path, caller, await caller.TokenFor(service), failures, throughGateway: true);
                }
            }

            // Health through the gateway is for ops (and the police), unlike the services' own probes.
            var health = new Route("GET", $"/api/ops/{service}/health", $"/api/ops/{service}/health", WardLinkPolicies.Ops);
            foreach (var caller in callers)
            {
                await Check(gateway, health, health.Path, caller, await caller.TokenFor(service), failures, throughGateway: true);
            }
        }

        Assert.True(checkedRoutes > 70, $"Only {checkedRoutes} routes were checked through the gateway.");
        Assert.True(failures.Count == 0, $"{failures.Count} wrong answers:\n{string.Join('\n', failures)}");
    }

    /// <summary>
    /// A path no operation takes (a GUID one digit too long, a route's word in another letter case, a ward's id or a service's
    /// name of another form than its pattern's) is a 404 problem whoever
    /// asks, with a token of any role or none, at each service and through the gateway (docs/security.md): the gateway told a
    /// caller the route did not admit 401 or 403 for it, and the services found <c>/TIPS/{id}</c> as <c>/tips/{id}</c>.
    /// </summary>
    [Fact]
    public async Task A_path_no_operation_takes_is_a_404_for_every_caller_at_each_service_and_through_the_gateway()
    {
        await GatewaySurface.CompleteDocumentAsync(system);
        using var gateway = system.CreateAnonymousGatewayClient();
        var callers = await GatewayCallersAsync(gateway);
        var failures = new List<string>();
        var sent = 0;
        foreach (var service in TestAuth.Services)
        {
            using var direct = system.CreateServiceClient(service);
            foreach (var route in RoutesOf(service))
            {
                foreach (var path in NoOperationTakes(route.Pattern))
                {
                    foreach (var caller in callers)
                    {
                        var token = await caller.TokenFor(service);
                        foreach (var (client, address) in new[] { (direct, path), (gateway, "/api" + path) })
                        {
                            sent++;
                            using var request = new HttpRequestMessage(new HttpMethod(route.Method), address);
                            request.Headers.Authorization = token is null ? null : new("Bearer", token);
                            using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
                            if ((int)response.StatusCode != 404 || response.Content.Headers.ContentType?.MediaType != "application/problem+json")
                            {
                                failures.Add($"{route.Method} {address} ({route.Pattern}) as {caller.Name}: {(int)response.StatusCode} {response.Content.Headers.ContentType?.MediaType}");
                            }
                        }
                    }
                }
            }
        }

        Assert.True(sent > 1_000, $"Only {sent} requests were sent.");
        Assert.True(failures.Count == 0, $"{failures.Count} wrong answers:\n{string.Join('\n', failures.Take(50))}");
    }

    /// <summary>
    /// A path written with a dot segment (<c>.</c> or <c>..</c>, a dot escaped as <c>%2E</c> in either letter case), which the
    /// server removes before routing, is a 404 problem whoever asks, at the gateway and at each service (docs/security.md):
    /// <c>/api/partners/wards/%2E%2E</c> was answered as <c>/api/partners</c>, another operation's 200, and a step's
    /// <c>…/wards/%2E%2E/rename</c> a 405. Every path of the merged document (its ids fresh) with its last segment two escaped
    /// dots, an escaped dot after it, a name and <c>..</c> after it; as the police and anonymously; written on a socket, as
    /// clients that keep a path as written send it.
    /// </summary>
    [Fact]
    public async Task A_path_with_a_dot_segment_is_a_404_problem_whoever_asks_at_the_gateway_and_at_each_service()
    {
        var paths = JsonNode.Parse(await GatewaySurface.CompleteDocumentAsync(system))!["paths"]!.AsObject();
        var failures = new List<string>();
        var sent = 0;
        foreach (var (template, item) in paths)
        {
            var address = GatewaySurface.AddressOf(template, item!);
            var method = item!.AsObject().First().Key.ToUpperInvariant();
            var words = address.Split('/');
            var service = words.Length > 3 && words[2] is "audit" or "public" ? words[3] : words.Length > 2 ? words[2] : string.Empty;
            foreach (var dotted in new[] { $"{string.Join('/', words[..^1])}/%2E%2E", $"{address}/%2e", $"{address}/x/.." })
            {
                var at = new List<(string Target, Uri? Server)> { (dotted, null) };
                if (dotted.StartsWith("/api/", StringComparison.Ordinal) && TestAuth.Services.Contains(service))
                {
                    at.Add((dotted["/api".Length..], system.ServiceAddress(service)));
                }

                foreach (var (target, server) in at)
                {
                    foreach (var token in new[] { null, TestAuth.Token(WardLinkRoles.Police) })
                    {
                        sent++;
                        var answer = await GatewaySurface.RawAnswerAsync(server ?? system.GatewayAddress, method, target, token);
                        if (!answer.StartsWith("HTTP/1.1 404 ", StringComparison.Ordinal) || !answer.Contains("application/problem+json", StringComparison.Ordinal))
                        {
                            failures.Add($"{method} {target} at {server?.ToString() ?? "the gateway"} {(token is null ? "anonymously" : "as the police")}: {answer.Split("\r\n")[0]}");
                        }
                    }
                }
            }
        }

        Assert.True(sent > 500, $"Only {sent} requests were sent.");
        Assert.True(failures.Count == 0, $"{failures.Count} of {sent}:\n{string.Join('\n', failures.Take(30))}");
    }

    /// <summary>
    /// Paths of <paramref name="pattern"/> no operation takes: its first word in capitals (also with a malformed <c>ward=</c>,
    /// which no operation judges there), and its first id a digit too long.
    /// </summary>
    private static IEnumerable<string> NoOperationTakes(string pattern)
    {
        var words = pattern.Split('/');
        var first = Array.FindIndex(words, word => word.Length > 0 && !word.StartsWith('{'));
        var capitals = Concrete(string.Join('/', words.Select((word, i) => i == first ? word.ToUpperInvariant() : word)));
        yield return capitals;
        yield return capitals + "?ward=BAD!";
        if (pattern.Contains(":guid}", StringComparison.Ordinal))
        {
            yield return Concrete(GuidParameter().Replace(pattern, $"{Guid.CreateVersion7()}0", 1));
        }

        // A name of a form its parameter's pattern refuses (a ward's id, a service's name): the gateway judged only ids by the
        // document, and answered a caller the route did not admit 401 or 403 for it; a service's checkpoints a 400.
        // A name of the form but for a line feed after it, which a pattern's $ alone matches before.
        foreach (var named in Parameter().Matches(pattern).Where(named => !named.Value.Contains(":guid", StringComparison.Ordinal) && named.Groups["name"].Value is not ("documentName" or "code")))
        {
            yield return Concrete(pattern.Replace(named.Value, "Not_A-Name", StringComparison.Ordinal));
            yield return Concrete(pattern.Replace(named.Value, $"{GatewaySurface.NameOfEveryForm}%0A", StringComparison.Ordinal));
        }
    }

    /// <summary>Every client the gateway issues tokens to but partner B, and the callers it refuses: no token, an expired one, one for another service.</summary>
    private static async Task<List<Caller>> GatewayCallersAsync(HttpClient gateway)
    {
        var issued = new Dictionary<string, string>();
        foreach (var (clientId, _) in WardLinkSystem.Clients)
        {
            issued[clientId] = await WardLinkSystem.RequestTokenAsync(gateway, clientId, $"{clientId}-secret");
        }

        var forOneService = new Dictionary<string, string>();
        foreach (var service in TestAuth.Services)
        {
            forOneService[service] = await WardLinkSystem.RequestTokenAsync(gateway, "test-police", "test-police-secret", service);
        }

        var callers = new List<Caller>
        {
            new("no token", null, _ => Task.FromResult<string?>(null)),
            new("expired police token", null, _ => Task.FromResult<string?>(TestAuth.Token(WardLinkRoles.Police, lifetime: TimeSpan.FromMinutes(-10)))),
            new("police token for another service", null, service => Task.FromResult<string?>(forOneService[Other(service)])),
            new("token of a partner not in good standing", null, _ => Task.FromResult<string?>(TestAuth.Token(WardLinkRoles.Partner, UnknownPartner))),
        };
        callers.AddRange(BrokenTokens(_ => issued["test-police"]));
        callers.AddRange(WardLinkSystem.Clients
            .Where(client => client.Key != "test-partner-b")
            .Select(client => new Caller(client.Key, client.Value.Role, _ => Task.FromResult<string?>(issued[client.Key]))));
        return callers;
    }

    /// <summary>
    /// Tokens no scheme takes, each of which is an <c>invalid_token</c> with a description saying why (RFC 6750; one that is no
    /// JWT at all was told no why): not a JWT, a police token cut to two parts, one with another token's signature, one made unsigned.
    /// </summary>
    private static IEnumerable<Caller> BrokenTokens(Func<string, string> police) =>
    [
        new("a token that is not a JWT", null, _ => Task.FromResult<string?>("garbage")),
        new("a police token cut to two parts", null, service => Task.FromResult<string?>(string.Join('.', police(service).Split('.')[..2]))),
        new("a police token with another signature", null, service => Task.FromResult<string?>(WithParts(police(service), signature: TestAuth.Token(WardLinkRoles.Auditor).Split('.')[2]))),
        new("a police token made unsigned (alg none)", null, service => Task.FromResult<string?>(WithParts(police(service), header: Base64Url.EncodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}"u8), signature: string.Empty))),
    ];

    private static string WithParts(string token, string? header = null, string? signature = null)
    {
        var parts = token.Split('.');
        return $"{header ?? parts[0]}.{parts[1]}.{signature ?? parts[2]}";
    }

    private sealed record Route(string Method, string Pattern, string Path, string Policy);

    /// <summary>The service's routes, with a concrete path (fresh ids) and the policy this test expects.</summary>
    private IEnumerable<Route> RoutesOf(string service)
    {
        var endpoints = system.ServicesOf(service).GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>();
        foreach (var endpoint in endpoints)
        {
            var pattern = "/" + endpoint.RoutePattern.RawText!.Trim('/');
            foreach (var method in endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? [])
            {
                var key = $"{method} {pattern}";
                var policy = Exceptions.TryGetValue(key, out var listed) ? listed
                    : pattern.StartsWith("/audit/", StringComparison.Ordinal) ? WardLinkPolicies.Audit
                    : WardLinkPolicies.Police;
                yield return new Route(method, pattern, Concrete(pattern), policy);
            }
        }
    }

    /// <summary>
    /// Sends <paramref name="route"/> as <paramref name="caller"/> and notes a wrong answer; through the gateway, also one that
    /// does not say where its caller stands in its rate window (1,000,000 a window here), or that names a browser origin the
    /// gateway does not allow (none is, by default) to read it.
    /// </summary>
    private static async Task Check(HttpClient client, Route route, string path, Caller caller, string? token, List<string> failures, bool throughGateway = false)
    {
        using var request = new HttpRequestMessage(new HttpMethod(route.Method), path);
        if (throughGateway)
        {
            request.Headers.Add("Origin", "https://dashboard.ward.example");
        }

        if (route.Method is "POST" or "PUT" or "PATCH")
        {
            request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        }

        if (token is not null)
        {
            request.Headers.Authorization = new("Bearer", token);
        }

        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        var status = (int)response.StatusCode;
        var open = route.Policy == Anonymous;
        var expected = open ? "let in"
            : caller.Role is null ? "401"
            : Admits[route.Policy].Contains(caller.Role) ? "let in"
            : "403";
        var unrouted = status is 404 or 405 && response.Content.Headers.ContentType?.MediaType != "application/problem+json";
        var actual = status switch
        {
            401 => "401",
            403 => "403",
            _ when unrouted => $"not routed ({status})",
            _ => "let in",
        };
        if (actual != expected)
        {
            failures.Add($"{route.Method} {path} ({route.Policy}) as {caller.Name}: expected {expected}, got {status}");
        }

        // RFC 6750, section 3.1: a request without a token is told no error; one whose token is refused, invalid_token and why, in
        // words (the audience of a token for another service was told '(null)').
        var challenge = response.Headers.WwwAuthenticate.ToString();
        if (status == 401 && (token is null
                ? !challenge.StartsWith("Bearer", StringComparison.Ordinal) || challenge.Contains("error", StringComparison.Ordinal)
                : !challenge.Contains("error=\"invalid_token\"", StringComparison.Ordinal) || !challenge.Contains("error_description=", StringComparison.Ordinal) || challenge.Contains("(null)", StringComparison.Ordinal)))
        {
            failures.Add($"{route.Method} {path} as {caller.Name}: 401 with WWW-Authenticate: {challenge}");
        }

        // An expired token is told when, in ISO 8601 with its zone (it was the server culture's '12/06/2026 23:51:48', month first).
        if (status == 401 && caller.Name == "expired police token" && !ExpiredAt().IsMatch(challenge))
        {
            failures.Add($"{route.Method} {path} as {caller.Name}: 401 not telling when in ISO 8601: {challenge}");
        }

        if (throughGateway && (Single(response, RateLimits.LimitHeader) != 1_000_000 || Single(response, RateLimits.RemainingHeader) is not (>= 0 and < 1_000_000)
            || Single(response, RateLimits.ResetHeader) is not (>= 1 and <= 60) || response.Headers.Contains("Access-Control-Allow-Origin")))
        {
            failures.Add($"{route.Method} {path} as {caller.Name}: {status} with {string.Join("; ", response.Headers.Where(header => header.Key.StartsWith("RateLimit", StringComparison.Ordinal) || header.Key.StartsWith("Access-Control", StringComparison.Ordinal)).Select(header => $"{header.Key}: {string.Join(", ", header.Value)}"))}");
        }
    }

    private static long? Single(HttpResponseMessage response, string header) =>
        response.Headers.TryGetValues(header, out var values) && values.SingleOrDefault() is { } value && long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) ? number : null;

    private static string Other(string service) => TestAuth.Services[(TestAuth.Services.ToList().IndexOf(service) + 1) % TestAuth.Services.Count];

    /// <summary><paramref name="pattern"/> with each parameter given a value of its form: an id a fresh one, a ward's id or a service's name a word of theirs.</summary>
    private static string Concrete(string pattern) => Parameter().Replace(pattern, match => match.Groups["name"].Value switch
    {
        "documentName" => "v1",
        "code" => "TIP-NO-SUCH-CODE",
        _ when match.Value.Contains($":{NameConstraints.WardId}", StringComparison.Ordinal) || match.Value.Contains($":{NameConstraints.ServiceName}", StringComparison.Ordinal) => GatewaySurface.NameOfEveryForm,
        _ => Guid.CreateVersion7().ToString(),
    });

    [GeneratedRegex(@"\{(?<name>[A-Za-z]+)(:[^}]*)?\}")]
    private static partial Regex Parameter();

    [GeneratedRegex(@"\{[A-Za-z]+:guid\}")]
    private static partial Regex GuidParameter();

    [GeneratedRegex(@"The token expired at \d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")]
    private static partial Regex ExpiredAt();
}
