using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using WardLink.Contracts.Partners;
using WardLink.EventSourcing.Sites;
using Microsoft.OpenApi;
using WardLink.Gateway;
using WardLink.ServiceDefaults;
using WardLink.ServiceDefaults.Security;
using WardLink.Testing;

namespace WardLink.SystemTests;

public sealed class GatewayTests(WardLinkSystem system) : IClassFixture<WardLinkSystem>
{
    private readonly HttpClient _gateway = system.CreateGatewayClient();

    [Fact]
    public async Task A_tip_posted_through_the_gateway_comes_back_with_GET()
    {
        var created = await _gateway.PostAsync("/api/tips", Tips.Json(), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.StartsWith("/api/tips/", created.Headers.Location?.OriginalString, StringComparison.Ordinal);
        var read = await _gateway.GetAsync(created.Headers.Location, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal("\"1\"", read.Headers.ETag?.Tag);
        var tip = (await read.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("tip");
        Assert.Equal(Tips.Description, tip.GetProperty("description").GetString());
        Assert.Equal("chat", tip.GetProperty("channel").GetString());
    }

    [Fact]
    public async Task An_incident_reported_through_the_gateway_is_assigned_under_If_Match_and_counted()
    {
        var created = await Incidents.ReportTheftAsync(_gateway, "Dermatology hospital waiting room", "2019-07-08T21:15:00+07:00");
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.StartsWith("/api/incidents/", created.Headers.Location?.OriginalString, StringComparison.Ordinal);

        using var assign = new HttpRequestMessage(HttpMethod.Post, $"{created.Headers.Location}/assign") { Content = JsonContent.Create(new { unit = "Ward police" }) };
        assign.Headers.TryAddWithoutValidation("If-Match", created.Headers.ETag!.Tag);
        var assigned = await _gateway.SendAsync(assign, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, assigned.StatusCode);
        Assert.Equal("\"2\"", assigned.Headers.ETag?.Tag);

        var stats = await _gateway.GetFromJsonAsync<JsonElement>("/api/incidents/stats?year=2019", TestContext.Current.CancellationToken);
        Assert.Equal(1, stats.GetProperty("total").GetInt32());
        Assert.Equal(1, stats.GetProperty("byHourOfDay")[21].GetInt32());
    }

    [Fact]
    public async Task A_patrol_route_and_shift_through_the_gateway_take_a_check_in_under_If_Match()
    {
        var site = new KnownSite(Guid.CreateVersion7(), Guid.CreateVersion7(), "Psychiatric hospital gate", SiteKind.Gate, 19.8, 105.77, DateTimeOffset.UtcNow);
        await using (var session = system.StoreOf("patrols").LightweightSession())
        {
            session.Store(site);
            await session.SaveChangesAsync(TestContext.Current.CancellationToken);
        }

        var route = await _gateway.PostAsJsonAsync(
            "/api/patrols/routes", new { name = "Psychiatric hospital", checkpoints = new[] { new { code = "PSY-GATE", siteId = site.Id } } }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, route.StatusCode);
        Assert.StartsWith("/api/patrols/routes/", route.Headers.Location?.OriginalString, StringComparison.Ordinal);
        var routeId = (await route.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("id").GetGuid();
        var shift = await _gateway.PostAsJsonAsync(
            "/api/patrols/shifts", new { routeId, kind = "patrol", team = "police", members = new[] { new { name = "Lead", role = "ward police" } } }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, shift.StatusCode);

        using var checkIn = new HttpRequestMessage(HttpMethod.Post, $"{shift.Headers.Location}/check-ins") { Content = JsonContent.Create(new { code = "PSY-GATE" }) };
        checkIn.Headers.TryAddWithoutValidation("If-Match", shift.Headers.ETag!.Tag);
        var checkedIn = await _gateway.SendAsync(checkIn, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, checkedIn.StatusCode);
        Assert.Equal("\"2\"", checkedIn.Headers.ETag?.Tag);
        var read = await _gateway.GetFromJsonAsync<JsonElement>(shift.Headers.Location, TestContext.Current.CancellationToken);
        Assert.Equal(["PSY-GATE"], read.GetProperty("visited").EnumerateArray().Select(code => code.GetString()));
    }

    [Fact]
    public async Task An_anonymous_tip_through_the_gateway_s_public_route_is_followed_up_with_its_code_and_secret()
    {
        var created = await _gateway.PostAsync(
            "/api/public/tips",
            new StringContent("""{ "category": "theft", "description": "Phones taken from the Eye hospital lockers.", "place": { "description": "Eye hospital lockers" } }""", Encoding.UTF8, "application/json"),
            TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var credentials = await created.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.StartsWith("/api/public/tips/", created.Headers.Location?.OriginalString, StringComparison.Ordinal);
        using var status = new HttpRequestMessage(HttpMethod.Get, created.Headers.Location);
        status.Headers.Add("X-Follow-Up-Secret", credentials.GetProperty("secret").GetString());
        var read = await _gateway.SendAsync(status, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal("pending", (await read.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await _gateway.GetAsync(created.Headers.Location, TestContext.Current.CancellationToken)).StatusCode);
    }

    [Fact]
    public async Task Bad_input_through_the_gateway_is_the_service_s_400_problem()
    {
        var response = await _gateway.PostAsync("/api/tips", new StringContent("{}", Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    /// <summary>
    /// A query parameter the gateway's own operations (the annual report, the token endpoint, the health probes) do not declare
    /// is a 400 problem naming it, as a service's operation's is: <c>?Year=2024</c> was read as <c>year</c>, <c>?boundary=current</c>
    /// passed over unseen. Every operation of the gateway's own document is sent one it does not declare, and each it declares in
    /// capitals and misspelt.
    /// </summary>
    [Fact]
    public async Task A_query_parameter_the_gateway_s_own_operations_do_not_declare_is_a_400_problem_naming_it()
    {
        var ct = TestContext.Current.CancellationToken;
        using var anonymous = system.CreateAnonymousGatewayClient();
        var failures = new List<string>();
        var sent = 0;
        foreach (var (template, path) in (await ApiDocument.OwnOperationsAsync(ct)).Paths)
        {
            foreach (var (method, operation) in path.Operations ?? [])
            {
                var declared = (operation.Parameters ?? []).Where(parameter => parameter.In == ParameterLocation.Query).Select(parameter => parameter.Name!);
                foreach (var name in declared.SelectMany(name => Misnamings.Of(name).Select(other => other.Name)).Prepend("zzNotDeclared"))
                {
                    sent++;
                    var token = method == HttpMethod.Post;
                    using var request = new HttpRequestMessage(method, $"{template.Replace("{service}", "tips", StringComparison.Ordinal)}?{name}=1")
                    {
                        Content = token ? new FormUrlEncodedContent([new("grant_type", "client_credentials")]) : null,
                    };
                    using var answer = await (token ? anonymous : _gateway).SendAsync(request, ct);
                    var body = await answer.Content.ReadAsStringAsync(ct);

                    // The token endpoint answers as OAuth 2 does (RFC 6749, section 5.2): invalid_request, saying what is wrong. A HEAD
                    // answer (the probes') is the same answer without its body.
                    var refused = method == HttpMethod.Head
                        ? answer.StatusCode == HttpStatusCode.BadRequest && body.Length == 0
                        : token
                        ? answer.StatusCode == HttpStatusCode.BadRequest && JsonDocument.Parse(body).RootElement is var error
                            && error.GetProperty("error").GetString() == "invalid_request" && error.GetProperty("error_description").GetString()!.Contains("none in the query", StringComparison.Ordinal)
                        : answer.StatusCode == HttpStatusCode.BadRequest && answer.Content.Headers.ContentType?.MediaType == "application/problem+json"
                            && JsonDocument.Parse(body).RootElement.TryGetProperty("errors", out var errors) && errors.TryGetProperty(name, out var said)
                            && said.EnumerateArray().Any(message => message.GetString() == DeclaredQueries.Undeclared);
                    if (!refused)
                    {
                        failures.Add($"{method} {template}?{name}=1: {(int)answer.StatusCode} {body}");
                    }
                }
            }
        }

        Assert.True(sent > 0, "The gateway's document describes no operation.");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public async Task The_gateway_is_ready_once_every_service_is_and_only_ops_reads_which_are()
    {
        var status = await system.WaitUntilReadyAsync();
        using var ops = await system.CreateGatewayClientAsync("test-ops");
        using var auditor = await system.CreateGatewayClientAsync("test-auditor");
        using var anonymous = system.CreateAnonymousGatewayClient();

        var probe = Assert.Single(JsonDocument.Parse(status).RootElement.EnumerateObject());
        Assert.Equal(("status", "Healthy"), (probe.Name, probe.Value.GetString()));
        var report = await ops.GetFromJsonAsync<JsonElement>(Proxy.ReadinessReportPath, TestContext.Current.CancellationToken);
        Assert.Equal(
            OperatorGuide.ReadinessChecks(where => where == "gateway"),
            [.. report.GetProperty("checks").EnumerateObject().Select(check => check.Name).Order(StringComparer.Ordinal)]);
        var services = report.GetProperty("checks").GetProperty("services").GetProperty("data");
        foreach (var name in new[] { "incidents", "patrols", "tips", "partners" })
        {
            Assert.Equal("ready", services.GetProperty(name).GetString());
        }

        Assert.Equal(HttpStatusCode.Forbidden, (await auditor.GetAsync(Proxy.ReadinessReportPath, TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(Proxy.ReadinessReportPath, TestContext.Current.CancellationToken)).StatusCode);
    }

    /// <summary>
    /// A request enters WardLink at the gateway, which starts its trace: a caller's <c>traceparent</c> (its 32 hex digits are the
    /// caller's to choose) would become the correlation and causation ids every event of the request records, shown to auditors,
    /// and would tie a tipster's tip to whatever else came with the same trace. An authenticated client's trace is kept as a link
    /// of the gateway's span, for operators; the service's span is in the gateway's trace.
    /// </summary>
    [Fact]
    public async Task A_client_s_trace_is_linked_from_the_gateway_s_own_trace_not_continued()
    {
        var (traceId, callerSpan) = (ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom());
        using var spans = new ServerSpans();

        // An outside caller: its own traceparent, not one this test process's tracing would inject.
        using var caller = new HttpClient(new SocketsHttpHandler { ActivityHeadersPropagator = null }) { BaseAddress = system.GatewayAddress }.As(TestAuth.Token(WardLinkRoles.Police));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/tips") { Content = Tips.Json() };
        request.Headers.Add("traceparent", $"00-{traceId}-{callerSpan}-01");
        var response = await caller.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var gatewaySpan = await spans.EventuallyAsync(span => span.Links.Any(link => link.Context.TraceId == traceId), "the gateway's span linking the caller's trace");
        Assert.Equal(callerSpan, Assert.Single(gatewaySpan.Links).Context.SpanId);
        Assert.NotEqual(traceId, gatewaySpan.TraceId);
        Assert.Equal(default, gatewaySpan.ParentSpanId);
        var tipsSpan = await spans.EventuallyAsync(span => span.TraceId == gatewaySpan.TraceId && span != gatewaySpan, "the tips service's span in the gateway's trace");
        Assert.NotEqual(callerSpan, tipsSpan.ParentSpanId);
        Assert.DoesNotContain(spans.All, span => span.TraceId == traceId);
    }

    /// <summary>
    /// A trace context sent with a token where no token is read (the API document and its page: the call is the public's, and
    /// counts against its address's window) is not linked either: the gateway linked it as the client's.
    /// </summary>
    [Theory]
    [InlineData(ApiDocument.Path)]
    [InlineData(ApiDocument.UiPath)]
    public async Task A_trace_context_sent_with_a_token_where_none_is_read_is_not_linked(string path)
    {
        var (traceId, callerSpan, mark) = (ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), Guid.NewGuid().ToString("N"));
        using var spans = new ServerSpans();
        using var caller = new HttpClient(new SocketsHttpHandler { ActivityHeadersPropagator = null, AllowAutoRedirect = false }) { BaseAddress = system.GatewayAddress }
            .As(TestAuth.Token(WardLinkRoles.Police));
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{path}?m{mark}=1");
        request.Headers.Add("traceparent", $"00-{traceId}-{callerSpan}-01");
        using var response = await caller.SendAsync(request, TestContext.Current.CancellationToken);

        var span = await spans.EventuallyAsync(span => span.GetTagItem("url.query") is string query && query.Contains(mark, StringComparison.Ordinal), $"the gateway's span of {path}");
        Assert.DoesNotContain(span.Links, link => link.Context.TraceId == traceId);
        Assert.DoesNotContain(spans.All, other => other.TraceId == traceId || other.Links.Any(link => link.Context.TraceId == traceId));
    }

    /// <summary>
    /// The public's request is not even linked: nothing a tipster's client sends as trace context (<c>traceparent</c>,
    /// <c>tracestate</c>, <c>baggage</c>) reaches a span, the services or the events auditors read.
    /// </summary>
    [Fact]
    public async Task A_tipster_s_trace_context_reaches_no_span_no_service_and_no_event()
    {
        var (traceId, callerSpan) = (ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom());
        using var spans = new ServerSpans();
        using var tipster = new HttpClient(new SocketsHttpHandler { ActivityHeadersPropagator = null }) { BaseAddress = system.GatewayAddress };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/public/tips")
        {
            Content = JsonContent.Create(new { category = "theft", description = "A bag taken at the market gate.", place = new { description = "Market gate" } }),
        };
        request.Headers.Add("traceparent", $"00-{traceId}-{callerSpan}-01");
        request.Headers.Add("tracestate", $"tipster={traceId}");
        request.Headers.Add("baggage", $"tipster={traceId}");
        var response = await tipster.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);

        // The tips service's span of this tip: of the public tips this test process's systems take meanwhile, the one whose
        // trace this system's audit log names (the log as a whole: other tests' records come before this one's).
        using var auditor = await system.CreateGatewayClientAsync("test-auditor");
        var (tipsSpan, log) = await Eventually.Get(
            async () =>
            {
                var log = await auditor.GetStringAsync("/api/audit/tips/log", TestContext.Current.CancellationToken);
                return spans.All.FirstOrDefault(span => span.DisplayName == "POST /public/tips/" && log.Contains(span.TraceId.ToHexString(), StringComparison.Ordinal)) is { } span
                    ? Tuple.Create(span, log)
                    : null;
            },
            "the public tip's event in this system's audit log, with the trace of the tips service's span");
        var trace = spans.All.Where(span => span.TraceId == tipsSpan.TraceId).ToList();
        Assert.True(trace.Count >= 2, "the gateway's and the service's spans in one trace");
        Assert.All(spans.All, span =>
        {
            Assert.NotEqual(traceId, span.TraceId);
            Assert.DoesNotContain(span.Links, link => link.Context.TraceId == traceId);
            Assert.DoesNotContain(span.Baggage, item => item.Value?.Contains(traceId.ToHexString(), StringComparison.Ordinal) == true);
            Assert.DoesNotContain(traceId.ToHexString(), span.TraceStateString ?? string.Empty, StringComparison.Ordinal);
        });

        Assert.DoesNotContain(traceId.ToHexString(), log, StringComparison.Ordinal);
    }

    /// <summary>The server spans (ASP.NET Core's) this test process's hosts finish while it listens.</summary>
    private sealed class ServerSpans : IDisposable
    {
        private readonly ConcurrentQueue<Activity> _finished = new();
        private readonly ActivityListener _listener;

        public ServerSpans()
        {
            _listener = new ActivityListener
            {
                ShouldListenTo = source => source.Name == "Microsoft.AspNetCore",
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = _finished.Enqueue,
            };
            ActivitySource.AddActivityListener(_listener);
        }

        public IReadOnlyList<Activity> All => [.. _finished];

        public async Task<Activity> EventuallyAsync(Func<Activity, bool> found, string what)
        {
            try
            {
                return await Eventually.Get(() => Task.FromResult(_finished.FirstOrDefault(found)), what);
            }
            catch (TimeoutException timeout)
            {
                var seen = _finished.Select(span => $"{span.DisplayName} {span.GetTagItem("url.path")} trace {span.TraceId} parent {span.ParentSpanId} links {span.Links.Count()}");
                throw new TimeoutException($"{timeout.Message} Spans finished: {string.Join("; ", seen)}", timeout);
            }
        }

        public void Dispose() => _listener.Dispose();
    }
}

/// <summary>
/// A service stopped behind the gateway, in a system of its own: the class that shares one with other tests would leave
/// them a system without tips (they passed only while they happened to run first).
/// </summary>
public sealed class GatewayStoppedServiceTests(WardLinkSystem system) : IClassFixture<WardLinkSystem>
{
    [Fact]
    public async Task A_stopped_service_gives_a_problem_details_5xx_quickly_while_the_others_still_answer()
    {
        using var gateway = system.CreateGatewayClient();
        await system.WaitUntilReadyAsync();
        Assert.Equal(HttpStatusCode.Created, (await gateway.PostAsync("/api/tips", Tips.Json(), TestContext.Current.CancellationToken)).StatusCode);

        await system.StopAsync("tips");
        var response = await gateway.PostAsync("/api/tips", Tips.Json(), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal("The tips service is not available.", problem.GetProperty("title").GetString());
        Assert.Contains("retry with the same Idempotency-Key", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("traceId").GetString()));

        // The open probe says only that the gateway is degraded; the ops report says which service is down.
        using var anonymous = system.CreateAnonymousGatewayClient();
        var readiness = await anonymous.GetFromJsonAsync<JsonElement>("/health/ready", TestContext.Current.CancellationToken);
        var probe = Assert.Single(readiness.EnumerateObject());
        Assert.Equal(("status", "Degraded"), (probe.Name, probe.Value.GetString()));
        using var ops = await system.CreateGatewayClientAsync("test-ops");
        var report = await ops.GetFromJsonAsync<JsonElement>(Proxy.ReadinessReportPath, TestContext.Current.CancellationToken);
        Assert.Equal("Degraded", report.GetProperty("status").GetString());
        var services = report.GetProperty("checks").GetProperty("services").GetProperty("data");
        Assert.Equal("unreachable", services.GetProperty("tips").GetString());
        Assert.Equal("ready", services.GetProperty("partners").GetString());
    }
}

internal static class Tips
{
    public const string Description = "Motorbike-taxi driver reports a man selling pills at the Psychiatric hospital gate.";

    public static StringContent Json() => new(
        $$"""
        {
          "channel": "chat",
          "category": "drugs",
          "description": "{{Description}}",
          "place": { "description": "Psychiatric hospital gate", "latitude": 19.8075, "longitude": 105.7852 },
          "receivedAt": "2024-08-19T22:05:00+07:00"
        }
        """,
        Encoding.UTF8,
        "application/json");
}

internal static class Incidents
{
    /// <summary>Reports a theft through <paramref name="gateway"/> at a described place, as a partner would.</summary>
    public static Task<HttpResponseMessage> ReportTheftAsync(HttpClient gateway, string place, string occurredAt) => gateway.PostAsJsonAsync(
        "/api/incidents",
        new
        {
            classification = "criminal",
            category = "theft",
            description = $"A wallet taken from the {place}.",
            place = new { description = place },
            occurredAt,
            source = "partner",
        },
        TestContext.Current.CancellationToken);
}
