using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.OpenApi;
using WardLink.Domain;
using WardLink.Gateway;
using WardLink.ServiceDefaults;
using WardLink.ServiceDefaults.Security;
using WardLink.Testing;

namespace WardLink.SystemTests;

/// <summary>The gateway's own surface with every service up: the merged API document, its UI, the annual report, body limit and headers.</summary>
[Collection(GatewaySurface.Collection)]
public sealed partial class GatewaySurfaceTests(WardLinkSystem system) : IClassFixture<WardLinkSystem>
{
    private static readonly string[] ServiceNames = ["incidents", "patrols", "tips", "partners"];


    private readonly HttpClient _gateway = system.CreateGatewayClient();

    [Fact]
    public async Task The_merged_document_has_every_service_s_paths_under_api_with_auth_rate_limits_and_problem_details()
    {
        var json = await GatewaySurface.CompleteDocumentAsync(system);
        var read = OpenApiDocument.Parse(json, "json");
        Assert.Empty(read.Diagnostic!.Errors);
        Assert.Empty(read.Document!.Validate(ValidationRuleSet.GetDefaultRuleSet())!);
        var document = JsonNode.Parse(json)!.AsObject();
        Assert.Null(document[OpenApiMerge.MissingExtension]);
        var paths = document["paths"]!.AsObject();
        foreach (var service in ServiceNames)
        {
            using var direct = system.CreateServiceClient(service);
            var own = await direct.GetFromJsonAsync<JsonObject>("/openapi/v1.json", TestContext.Current.CancellationToken);
            var ownPaths = own!["paths"]!.AsObject().Select(path => path.Key).ToList();
            Assert.NotEmpty(ownPaths);
            Assert.All(ownPaths, path => Assert.True(paths.ContainsKey("/api" + path), $"{service}: /api{path} is not in the merged document"));
        }

        Assert.Contains("/api/reports/annual", paths.Select(path => path.Key));
        Assert.Contains("/connect/token", paths.Select(path => path.Key));
        var flow = document["components"]!["securitySchemes"]!["oauth2"]!["flows"]!["clientCredentials"]!;
        Assert.Equal("/connect/token", flow["tokenUrl"]!.GetValue<string>());
        Assert.Equal(TokenIssuer.Scopes.Order(StringComparer.Ordinal), flow["scopes"]!.AsObject().Select(scope => scope.Key).Order(StringComparer.Ordinal));
        Assert.Equal("oauth2", Assert.Single(Assert.Single(document["security"]!.AsArray())!.AsObject()).Key);
        Assert.NotNull(document["components"]!["schemas"]!["ProblemDetails"]);

        var operations = paths.SelectMany(path => path.Value!.AsObject().Select(operation => (Path: path.Key, Operation: operation.Value!.AsObject()))).ToList();
        foreach (var (path, operation) in operations)
        {
            var anonymous = path.StartsWith("/api/public/tips", StringComparison.Ordinal) || path.StartsWith("/health/", StringComparison.Ordinal) || path == "/connect/token";
            var responses = operation["responses"]!.AsObject();
            Assert.Equal(anonymous, OpenApiMerge.IsAnonymous(operation));
            var refusable = !path.StartsWith("/health/", StringComparison.Ordinal) && !path.StartsWith("/api/ops/", StringComparison.Ordinal);
            // Headers are input on every operation: a value outside visible ASCII is a 400 anywhere (health too).
            List<string> expected = anonymous ? ["400", "413", "429", "500"] : ["400", "401", "403", "413", "429", "500"];
            if (refusable)
            {
                expected.Add("503");
            }

            Assert.All(expected, status => Assert.True(responses.ContainsKey(status), $"{path}: no {status}"));
            // A readiness report is a health report at any status, not problem details.
            if (path.StartsWith("/api/", StringComparison.Ordinal) && !path.EndsWith("/health", StringComparison.Ordinal))
            {
                Assert.All(responses.Where(status => status.Key[0] is '4' or '5'), status =>
                    Assert.True(status.Value!["content"]!["application/problem+json"] is not null, $"{path} {status.Key} is not problem details"));
            }
        }

        Assert.Contains(operations, operation => operation.Path == "/api/public/tips");
    }

    /// <summary>What Spectral's OWASP string, integer and array limit rules check, over the document clients read.</summary>
    [Fact]
    public async Task The_merged_document_states_a_limit_for_every_text_integer_and_list_sent_or_answered()
    {
        var document = JsonNode.Parse(await GatewaySurface.CompleteDocumentAsync(system))!.AsObject();

        var missing = DocumentedLimits.MissingIn(document);

        Assert.True(missing.Count == 0, $"{missing.Count} value(s) without a documented limit:\n{string.Join("\n", missing)}");
    }

    /// <summary>Every figure of every statistic the merged document describes, its components renamed or not, says what it counts.</summary>
    [Fact]
    public async Task The_merged_document_says_what_every_figure_of_a_statistic_counts()
    {
        var document = JsonNode.Parse(await GatewaySurface.CompleteDocumentAsync(system))!.AsObject();

        var undescribed = DocumentedFigures.UndescribedIn(document);

        Assert.True(undescribed.Count == 0, $"{undescribed.Count} figure(s) without a description:\n{string.Join("\n", undescribed)}");
    }

    /// <summary>
    /// What Spectral's OWASP rate-limit and CORS rules check (<c>owasp:api4:2023-rate-limit</c>: every 2xx and 4xx answer of
    /// every path declares <c>RateLimit-Limit</c> and <c>RateLimit-Reset</c>; <c>owasp:api8:2023-define-cors-origin</c>: every
    /// <c>headers</c> object names <c>Access-Control-Allow-Origin</c>), on every answer (a 5xx carries the window too), and that
    /// each such header resolves to its definition.
    /// </summary>
    [Fact]
    public async Task The_merged_document_declares_the_rate_window_and_the_allowed_origin_on_every_answer()
    {
        var document = JsonNode.Parse(await GatewaySurface.CompleteDocumentAsync(system))!.AsObject();
        var definitions = document["components"]!["headers"]!.AsObject();
        var failures = new List<string>();
        var answers = 0;
        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            foreach (var (method, operation) in item!.AsObject())
            {
                foreach (var (status, response) in operation!["responses"]!.AsObject())
                {
                    answers++;
                    var headers = response!["headers"] as JsonObject ?? [];
                    failures.AddRange(AnswerHeaders
                        .Where(header => headers[header]?["$ref"]?.GetValue<string>() is not { } target || definitions[target["#/components/headers/".Length..]] is null)
                        .Select(header => $"{method.ToUpperInvariant()} {path} {status}: no {header}"));
                }
            }
        }

        failures.AddRange(HeadersObjects(document).Where(headers => headers["Access-Control-Allow-Origin"] is null).Select(headers => $"{headers.GetPath()}: no Access-Control-Allow-Origin"));
        Assert.True(answers > 1000, $"Only {answers} answers were found.");
        Assert.True(failures.Count == 0, $"{failures.Count} answer(s) missing a header:\n{string.Join("\n", failures.Take(50))}");
    }

    /// <summary>What every answer of the merged document declares: the caller's rate window, and the browser origin allowed to read it.</summary>
    private static readonly string[] AnswerHeaders = [RateLimits.LimitHeader, RateLimits.RemainingHeader, RateLimits.ResetHeader, "Access-Control-Allow-Origin"];

    private static IEnumerable<JsonObject> HeadersObjects(JsonNode? node) => node switch
    {
        JsonObject json => json.SelectMany(property => property.Key == "headers" && property.Value is JsonObject headers
            ? HeadersObjects(headers).Prepend(headers)
            : HeadersObjects(property.Value)),
        JsonArray array => array.SelectMany(HeadersObjects),
        _ => [],
    };

    [Fact]
    public async Task No_schema_of_the_merged_document_refuses_a_null_its_type_allows()
    {
        var document = JsonNode.Parse(await GatewaySurface.CompleteDocumentAsync(system))!.AsObject();

        var refused = DocumentedNulls.RefusedIn(document);

        Assert.True(refused.Count == 0, $"{refused.Count} schema(s) refusing a null their type allows:\n{string.Join("\n", refused)}");
    }

    [Fact]
    public async Task The_docs_UI_and_the_document_are_served_from_the_gateway_without_a_token_with_the_script_under_a_nonce_policy()
    {
        using var anonymous = system.CreateAnonymousGatewayClient();
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync(ApiDocument.Path, TestContext.Current.CancellationToken)).StatusCode);
        var page = await anonymous.GetAsync(ApiDocument.UiPath, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Contains("openapi/wardlink.json", html, StringComparison.Ordinal);
        var nonce = NonceOnScript().Match(html).Groups["nonce"].Value;
        Assert.NotEmpty(nonce);
        var policy = string.Join(";", page.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains($"script-src 'self' 'nonce-{nonce}'", policy, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("https://", html, StringComparison.Ordinal);

        var script = await anonymous.GetAsync($"{ApiDocument.UiPath}/scalar.js", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.Equal("text/javascript", script.Content.Headers.ContentType?.MediaType);
        Assert.True((await script.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken)).Length > 100_000);

        // A path under the page's that names no file of it is a path no operation takes: a 404 problem, not the page again.
        foreach (var path in new[] { "/nonexistent.js", "/scalar.js.map", "/wardlink", "/a/b" })
        {
            using var unknown = await anonymous.GetAsync(ApiDocument.UiPath + path, TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
            Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
        }
    }

    [Fact]
    public async Task The_annual_report_has_each_service_s_own_statistics_unchanged()
    {
        Assert.Equal(HttpStatusCode.Created, (await _gateway.PostAsync("/api/tips", Tips.Json(), TestContext.Current.CancellationToken)).StatusCode);
        var incident = await Incidents.ReportTheftAsync(_gateway, "Obstetrics hospital waiting room", "2024-05-02T20:10:00+07:00");
        Assert.Equal(HttpStatusCode.Created, incident.StatusCode);

        var report = await _gateway.GetFromJsonAsync<JsonObject>($"{AnnualReport.Path}?year=2024", TestContext.Current.CancellationToken);

        Assert.Equal(2024, report!["year"]!.GetValue<int>());
        Assert.True(report["complete"]!.GetValue<bool>(), report.ToJsonString());
        var services = report["services"]!.AsObject();
        Assert.Equal(ServiceNames.Order(StringComparer.Ordinal), services.Select(service => service.Key).Order(StringComparer.Ordinal));
        foreach (var service in ServiceNames)
        {
            using var direct = system.CreateServiceClient(service).As(TestAuth.Token(WardLinkRoles.Police));
            var own = await direct.GetFromJsonAsync<JsonNode>($"/api/{service}/stats?year=2024", TestContext.Current.CancellationToken);
            Assert.Equal("ok", services[service]!["status"]!.GetValue<string>());
            Assert.True(JsonNode.DeepEquals(own, services[service]!["statistics"]), $"{service}: {services[service]!["statistics"]} is not {own}");
        }

        Assert.Equal(1, services["tips"]!["statistics"]!["received"]!.GetValue<int>());
        Assert.Equal(1, services["incidents"]!["statistics"]!["total"]!.GetValue<int>());
    }

    [Fact]
    public async Task An_auditor_s_report_is_complete_because_the_gateway_passes_its_token_on_to_every_service()
    {
        using var auditor = await system.CreateGatewayClientAsync("test-auditor");

        var report = await auditor.GetFromJsonAsync<JsonObject>($"{AnnualReport.Path}?year=2023", TestContext.Current.CancellationToken);

        Assert.True(report!["complete"]!.GetValue<bool>(), report.ToJsonString());
        Assert.All(ServiceNames, service => Assert.Equal(2023, report["services"]![service]!["statistics"]!["year"]!.GetValue<int>()));
    }

    [Fact]
    public async Task A_report_needs_a_token_of_the_police_or_an_auditor()
    {
        using var anonymous = system.CreateAnonymousGatewayClient();
        using var partner = await system.CreateGatewayClientAsync("test-partner-a");

        var withoutToken = await anonymous.GetAsync($"{AnnualReport.Path}?year=2024", TestContext.Current.CancellationToken);
        var asPartner = await partner.GetAsync($"{AnnualReport.Path}?year=2024", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, withoutToken.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, asPartner.StatusCode);
    }

    [Theory]
    [InlineData("?year=1969")]
    [InlineData("?year=2101")]
    [InlineData("")]
    [InlineData("?year=02024")]
    [InlineData("?year=%2B2024")]
    [InlineData("?year=%202024")]
    [InlineData("?year=")]
    [InlineData("?year=2024.0")]
    public async Task A_report_for_a_year_out_of_range_is_a_400_problem_naming_the_year_and_the_documented_range(string query)
    {
        var response = await _gateway.GetAsync($"{AnnualReport.Path}{query}", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonObject>(TestContext.Current.CancellationToken);
        Assert.Contains($"from {WardTime.FirstYear} to {WardTime.LastYear}", problem!["errors"]!["year"]![0]!.GetValue<string>(), StringComparison.Ordinal);
    }

    /// <summary>
    /// The refusals Kestrel makes before the gateway can answer (docs/api.md), without a body: a request line over
    /// 8 KB is a 414, headers over 32 KB in all a 431; nothing reaches a service.
    /// </summary>
    [Fact]
    public async Task A_request_line_or_headers_past_Kestrel_s_limits_are_a_414_or_a_431()
    {
        using var anonymous = system.CreateAnonymousGatewayClient();
        using var longLine = await anonymous.GetAsync($"/api/public/tips/{new string('x', 10_000)}", TestContext.Current.CancellationToken);
        using var bigHeaders = new HttpRequestMessage(HttpMethod.Get, "/health/live");
        bigHeaders.Headers.TryAddWithoutValidation("X-Padding", new string('a', 33 * 1024));
        using var refused = await anonymous.SendAsync(bigHeaders, TestContext.Current.CancellationToken);

        Assert.Equal((HttpStatusCode.RequestUriTooLong, HttpStatusCode.RequestHeaderFieldsTooLarge), (longLine.StatusCode, refused.StatusCode));
    }

    /// <summary>
    /// A header value with letters outside ASCII (sent as UTF-8, which Kestrel reads) is a 400 problem naming the header, on
    /// every kind of route: proxied (it was a false 502, "the service is not available": the proxy could not send it on),
    /// public, the gateway's own; an Idempotency-Key of such letters too. Nothing is stored.
    /// </summary>
    [Theory]
    [InlineData("GET", "/api/tips/stats?year=2024", "X-Note")]
    [InlineData("GET", "/api/reports/annual?year=2024", "X-Note")]
    [InlineData("POST", "/api/public/tips", "Content-Type")]
    [InlineData("POST", "/api/tips", "Idempotency-Key")]
    [InlineData("POST", "/api/incidents", "If-Match")]
    public async Task A_header_value_outside_ASCII_is_a_400_problem_naming_it_and_stores_nothing(string method, string path, string header)
    {
        var ct = TestContext.Current.CancellationToken;
        using var utf8 = new HttpClient(new SocketsHttpHandler { RequestHeaderEncodingSelector = (_, _) => Encoding.UTF8 })
        {
            BaseAddress = system.GatewayAddress,
        }.As(TestAuth.Token(WardLinkRoles.Police));
        var before = await RecordCountAsync(ct);
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method == "POST")
        {
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes("""{ "category": "theft", "description": "x", "place": { "description": "y" } }"""));
        }

        var value = header == "Content-Type" ? "application/json; charset=é" : "bảo vệ";
        Assert.True(header == "Content-Type" ? request.Content!.Headers.TryAddWithoutValidation(header, value) : request.Headers.TryAddWithoutValidation(header, value));
        using var response = await utf8.SendAsync(request, ct);
        var problem = await response.Content.ReadAsStringAsync(ct);

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode} {problem}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True(JsonDocument.Parse(problem).RootElement.GetProperty("errors").TryGetProperty(header, out _), problem);
        Assert.Equal(before, await RecordCountAsync(ct));
    }

    /// <summary>
    /// A body in a content coding (gzip, brotli: compressed bytes) is a 415 problem with <c>Accept-Encoding: identity</c> on every
    /// kind of route, not bytes read as JSON or a form (a 400 naming nothing, or the token endpoint's invalid_request); nothing is
    /// stored. A body that says it is sent as it is (<c>identity</c>) is read.
    /// </summary>
    [Theory]
    [InlineData("/api/tips", "gzip")]
    [InlineData("/api/public/tips", "br")]
    [InlineData("/api/public/tips", "identity, gzip")]
    [InlineData("/connect/token", "deflate")]
    public async Task A_body_in_a_content_coding_is_a_415_problem_naming_identity_and_stores_nothing(string path, string coding)
    {
        var ct = TestContext.Current.CancellationToken;
        var before = await RecordCountAsync(ct);
        var (plain, type) = path == "/connect/token"
            ? ("grant_type=client_credentials&client_id=police-desk&client_secret=x", "application/x-www-form-urlencoded")
            : ("""{ "channel": "chat", "category": "theft", "description": "x", "place": { "description": "y" } }""", "application/json");
        using var compressed = new MemoryStream();
        await using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            await gzip.WriteAsync(Encoding.UTF8.GetBytes(plain), ct);
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(compressed.ToArray()) };
        request.Content.Headers.ContentType = new(type);
        request.Content.Headers.TryAddWithoutValidation("Content-Encoding", coding);
        using var response = await _gateway.SendAsync(request, ct);
        var problem = await response.Content.ReadAsStringAsync(ct);

        Assert.True(response.StatusCode == HttpStatusCode.UnsupportedMediaType, $"{(int)response.StatusCode} {problem}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("identity", string.Join(",", response.Headers.GetValues("Accept-Encoding")));
        Assert.Equal(before, await RecordCountAsync(ct));

        using var identity = new HttpRequestMessage(HttpMethod.Post, "/api/tips") { Content = new StringContent($$"""{ "channel": "chat", "category": "theft", "description": "x", "place": { "description": "y" }, "receivedAt": "{{DateTimeOffset.UtcNow:O}}" }""", Encoding.UTF8, "application/json") };
        identity.Content.Headers.ContentEncoding.Add("identity");
        using var read = await _gateway.SendAsync(identity, ct);
        Assert.True(read.StatusCode == HttpStatusCode.Created, $"{(int)read.StatusCode} {await read.Content.ReadAsStringAsync(ct)}");
    }

    /// <summary>
    /// A body framed otherwise than the API reads it, on a socket as a buggy client writes it, is a 400 problem naming what is
    /// wrong, never a 5xx, and stores nothing: a chunked body's trailer holding a NUL character (a 500 from the server's
    /// read) or a letter outside ASCII (it was taken, where a header's is refused); a transfer coding before <c>chunked</c> (its
    /// chunks were read as if they held the body as sent); chunked in HTTP/1.0, which has no transfer codings.
    /// </summary>
    [Theory]
    [InlineData("HTTP/1.1", "chunked", "X-Note: a\u0000b", "body")]
    [InlineData("HTTP/1.1", "chunked", "X-Note: caf\u00e9", "X-Note")]
    [InlineData("HTTP/1.1", "gzip, chunked", "", "Transfer-Encoding")]
    [InlineData("HTTP/1.0", "chunked", "", "Transfer-Encoding")]
    public async Task A_body_framed_otherwise_than_the_API_reads_it_is_a_400_problem_naming_why_and_stores_nothing(string version, string coding, string trailer, string field)
    {
        var ct = TestContext.Current.CancellationToken;
        var before = await RecordCountAsync(ct);
        const string Body = """{ "category": "theft", "description": "Framed.", "place": { "description": "Gate" } }""";
        using var socket = new TcpClient();
        await socket.ConnectAsync(system.GatewayAddress.Host, system.GatewayAddress.Port, ct);
        var stream = socket.GetStream();
        var head = $"POST /api/public/tips {version}\r\nHost: {system.GatewayAddress.Authority}\r\nContent-Type: application/json\r\nTransfer-Encoding: {coding}\r\nConnection: close\r\n\r\n";
        var chunks = $"{Encoding.UTF8.GetByteCount(Body):x}\r\n{Body}\r\n0\r\n{(trailer.Length == 0 ? "" : trailer + "\r\n")}\r\n";
        await stream.WriteAsync(Encoding.UTF8.GetBytes(head + chunks), ct);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var answer = await reader.ReadToEndAsync(ct);

        Assert.StartsWith("HTTP/1.1 400 ", answer, StringComparison.Ordinal);
        Assert.Contains("application/problem+json", answer, StringComparison.Ordinal);
        Assert.Contains($"\"{field}\"", answer, StringComparison.Ordinal);
        Assert.Equal(before, await RecordCountAsync(ct));
    }

    /// <summary>
    /// A request whose target is not a path (RFC 9112, section 3.2): Kestrel itself answers a 405 with <c>Allow</c> and no body
    /// where the method is not the one such a target is for; <c>OPTIONS *</c> and <c>CONNECT</c> to the gateway's own host and
    /// port reach the gateway with no path, which no operation has: a 404 problem (docs/api.md).
    /// </summary>
    [Theory]
    [InlineData("GET *", "405", "Allow: OPTIONS")]
    [InlineData("GET {authority}", "405", "Allow: CONNECT")]
    [InlineData("OPTIONS *", "404", "\"status\":404")]
    [InlineData("CONNECT {authority}", "404", "\"status\":404")]
    public async Task A_target_that_is_not_a_path_is_Kestrel_s_405_or_a_404_problem(string line, string status, string shown)
    {
        var (method, target) = (line.Split(' ')[0], line.Split(' ')[1].Replace("{authority}", system.GatewayAddress.Authority, StringComparison.Ordinal));
        var answer = await RawAnswerAsync(method, target, token: null);

        Assert.StartsWith($"HTTP/1.1 {status} ", answer, StringComparison.Ordinal);
        Assert.Contains(shown, answer, StringComparison.OrdinalIgnoreCase);
        var body = answer[(answer.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..];
        Assert.Equal(status == "405", body.Length == 0);
    }

    /// <summary>
    /// A body of no bytes is no content however it is framed: sent chunked (its last chunk alone), with no type, JSON's or a
    /// form's, to every write operation of the merged document, it is answered as the same request with <c>Content-Length: 0</c>
    /// and no type (the gateway reads the body whole, finds it empty and forwards none): a required body's 400 naming
    /// <c>body</c>, a record not there its 404; never a 415 for a body not sent, nor ASP.NET Core's "Expected a supported JSON
    /// media type", nor an optional body's "not JSON" (an empty chunked body was each).
    /// </summary>
    [Fact]
    public async Task An_empty_chunked_body_is_answered_as_no_content_on_every_write_operation()
    {
        var ct = TestContext.Current.CancellationToken;
        var paths = JsonNode.Parse(await GatewaySurface.CompleteDocumentAsync(system))!["paths"]!.AsObject();
        var failures = new List<string>();
        var sent = 0;

        // An address of its own: the walk's ~250 requests would empty the class's window (the tests' tokens name no client_id,
        // so they count by address, 600 a minute).
        using var police = system.CreateClientFrom(IPAddress.Parse("127.0.0.39")).As(TestAuth.Token(WardLinkRoles.Police));

        // And a caller whose token is refused: the gateway judges the request's shape first, as the service would.
        using var anonymous = system.CreateClientFrom(IPAddress.Parse("127.0.0.40"));
        foreach (var (template, item) in paths.Where(path => path.Key.StartsWith("/api/", StringComparison.Ordinal)))
        {
            foreach (var (method, _) in item!.AsObject().Where(operation => operation.Key is "post" or "put" or "patch" or "delete"))
            {
                var address = GatewaySurface.AddressOf(template, item);
                using var untyped = await police.SendAsync(new HttpRequestMessage(new HttpMethod(method.ToUpperInvariant()), address) { Content = new ByteArrayContent([]) }, ct);
                var untypedAnswer = await untyped.Content.ReadAsStringAsync(ct);
                foreach (var type in new string?[] { null, "application/json", "application/x-www-form-urlencoded" })
                {
                    sent++;
                    using var chunked = await police.SendAsync(new HttpRequestMessage(new HttpMethod(method.ToUpperInvariant()), address) { Content = new EmptyOfUnknownLength(type) }, ct);
                    var answer = await chunked.Content.ReadAsStringAsync(ct);

                    // The same status, and a 400 naming the same fields (the body's missing, not "not JSON").
                    if (chunked.StatusCode != untyped.StatusCode || chunked.StatusCode == HttpStatusCode.UnsupportedMediaType || FieldsNamed(answer) != FieldsNamed(untypedAnswer))
                    {
                        failures.Add($"{method.ToUpperInvariant()} {template}, chunked and empty, type {type ?? "none"}: {(int)chunked.StatusCode} {answer} (no content: {(int)untyped.StatusCode} {untypedAnswer})");
                    }
                }

                using var refused = await anonymous.SendAsync(new HttpRequestMessage(new HttpMethod(method.ToUpperInvariant()), address) { Content = new EmptyOfUnknownLength("application/x-www-form-urlencoded") }, ct);
                if (template.StartsWith("/api/public/", StringComparison.Ordinal) ? refused.StatusCode == HttpStatusCode.UnsupportedMediaType : refused.StatusCode != HttpStatusCode.Unauthorized)
                {
                    failures.Add($"{method.ToUpperInvariant()} {template}, chunked and empty with a form's type, no token: {(int)refused.StatusCode} {await refused.Content.ReadAsStringAsync(ct)}");
                }
            }
        }

        Assert.True(sent > 0, "The document has no write operation.");
        Assert.True(failures.Count == 0, $"{failures.Count} of {sent}:\n{string.Join("\n", failures.Take(20))}");
    }

    /// <summary>The fields a 400 problem names, and what it says of each (none for another answer).</summary>
    private static string FieldsNamed(string answer) =>
        answer.StartsWith('{') && JsonNode.Parse(answer)?["errors"] is JsonObject errors ? errors.ToJsonString() : string.Empty;

    /// <summary>The tips and the incidents recorded: what a write refused through the gateway (a tip's, an incident's) must leave as it was.</summary>
    private async Task<(long Tips, long Incidents)> RecordCountAsync(CancellationToken ct) =>
        ((await _gateway.GetFromJsonAsync<JsonElement>("/api/tips?limit=1", ct)).GetProperty("total").GetInt64(),
         (await _gateway.GetFromJsonAsync<JsonElement>("/api/incidents?limit=1", ct)).GetProperty("total").GetInt64());

    /// <summary>
    /// Also to a client that accepts no JSON: an error's only form is a problem (it was an empty 500). The gateway's limit is
    /// the services' own, so it refuses such a body itself: with a larger one it forwarded a body just over the services'
    /// limit, and the service, refusing it while it still arrived, cut the gateway off, which answered a 502 "not available"
    /// to a fifth of them. Sent five times each way.
    /// </summary>
    [Theory]
    [InlineData(false, null)]
    [InlineData(true, null)]
    [InlineData(false, "text/plain")]
    [InlineData(true, "application/xml")]
    public async Task A_body_over_the_limit_is_a_413_problem_and_nothing_is_stored(bool chunked, string? accept)
    {
        var before = await TipsReceivedAsync();
        for (var time = 0; time < 5; time++)
        {
            await AssertTooLargeAsync(chunked, accept);
        }

        Assert.Equal(before, await TipsReceivedAsync());
    }

    private async Task AssertTooLargeAsync(bool chunked, string? accept)
    {
        // Just over the limit: a chunked body's last bytes are written before the gateway has read up to the limit,
        // so the client is reading, not writing, when the gateway answers and closes (with twice the limit it was still
        // writing and, on a busy machine, lost the answer to a broken pipe).
        var huge = $$"""{ "channel": "chat", "category": "theft", "description": "{{new string('x', (int)RequestBodyLimit.DefaultMaxBytes)}}" }""";
        using var content = new StringContent(huge, Encoding.UTF8, "application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/tips") { Content = content };
        request.Headers.TransferEncodingChunked = chunked;
        if (accept is not null)
        {
            request.Headers.Accept.ParseAdd(accept);
        }

        // A body of a declared length is refused from its header and the connection closed unread:
        // a client asks first (as curl does with large bodies), or it may lose the answer to a
        // broken pipe while it still writes.
        request.Headers.ExpectContinue = !chunked;

        using var response = await _gateway.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonObject>(TestContext.Current.CancellationToken);
        Assert.Equal("The request body is too large.", problem!["title"]!.GetValue<string>());
        Assert.Equal($"At most {RequestBodyLimit.DefaultMaxBytes} bytes.", problem["detail"]!.GetValue<string>());
    }

    /// <summary>
    /// Every path of the merged document that needs a token, asked anonymously (docs/api.md: the shape of a
    /// request is judged before its token): a method it does not take is a 405 problem with <c>Allow</c>;
    /// a form where an operation reads JSON a 415 problem; the right shape without a token a 401 problem. So too for a
    /// client that accepts no JSON (it was answered plain text), and for one whose token is no token (garbage, or signed
    /// by nobody the gateway trusts): it is as anonymous as one without. Each case calls from an address of its own, whose
    /// anonymous rate limit the others do not share.
    /// </summary>
    [Theory]
    [InlineData(null, null, "127.0.0.31")]
    [InlineData("text/plain", null, "127.0.0.32")]
    [InlineData(null, "not-a-token", "127.0.0.33")]
    [InlineData(null, "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJwb2xpY2UtZGVzayJ9.c2lnbmF0dXJl", "127.0.0.34")]
    public async Task An_anonymous_request_of_the_wrong_shape_is_a_405_or_415_problem_through_the_gateway_and_of_the_right_shape_a_401(string? accept, string? bearer, string from)
    {
        using var anonymous = system.CreateClientFrom(IPAddress.Parse(from));
        if (accept is not null)
        {
            anonymous.DefaultRequestHeaders.Accept.ParseAdd(accept);
        }

        if (bearer is not null)
        {
            anonymous.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", bearer);
        }

        await AssertShapesJudgedAsync(anonymous, rightShapeUnauthorized: true);
    }

    /// <summary>
    /// A method no path takes as sent (docs/api.md: a method's name is case-sensitive): <c>CONNECT</c> (the proxy cannot forward
    /// it: it was a 502 saying the service was down, and a warning logged), a declared method in lower case (<c>head</c> was
    /// answered as a <c>GET</c>, its body sent or said to be empty), an unknown word, and <c>HEAD</c> where the document takes
    /// no <c>HEAD</c>: on every path of the merged document, anonymously and with the police's token (one of them a path and a
    /// caller, in turn, so each is sent to a quarter of the paths), each is a 405 problem
    /// whose <c>Allow</c> holds the path's documented methods and not the one sent, titled as every refusal of a method is,
    /// and the gateway logs nothing of it. Sent on a socket as written (a client library would put <c>CONNECT</c> in another
    /// form, and might write a method's name in capitals).
    /// </summary>
    [Fact]
    public async Task A_method_no_path_takes_as_sent_is_a_405_problem_on_every_path_with_a_token_or_without()
    {
        var paths = JsonNode.Parse(await GatewaySurface.CompleteDocumentAsync(system))!["paths"]!.AsObject().ToList();
        var before = system.GatewayFailures.Count;
        var failures = new List<string>();
        var tokens = new[] { null, TestAuth.Token(WardLinkRoles.Police) };
        for (var index = 0; index < paths.Count; index++)
        {
            var (template, item) = (paths[index].Key, paths[index].Value!);
            var address = GatewaySurface.AddressOf(template, item);
            var (methods, _) = GatewaySurface.MethodsOf(item);
            string[] sent = ["CONNECT", methods.Order(StringComparer.Ordinal).First().ToLowerInvariant(), "WARDLINK", methods.Contains("HEAD") || template.StartsWith("/health/", StringComparison.Ordinal) ? "CONNECT" : "HEAD"];
            for (var caller = 0; caller < tokens.Length; caller++)
            {
                var method = sent[(index + caller) % sent.Length];
                var answer = await RawAnswerAsync(method, address, tokens[caller]);
                var allow = Regex.Match(answer, @"\r\nAllow: ([^\r]*)\r\n", RegexOptions.IgnoreCase).Groups[1].Value;
                var allowed = allow.Split(", ").ToHashSet(StringComparer.Ordinal);
                // An answer to HEAD has no body (RFC 9110, section 9.3.2): its problem is not sent.
                var problem = method == "HEAD" ? answer.EndsWith("\r\n\r\n", StringComparison.Ordinal)
                    : answer.Contains("\r\nContent-Type: application/problem+json", StringComparison.OrdinalIgnoreCase)
                        && answer.Contains($"\"title\":\"{MethodRefusals.Title(allow, method)}\"", StringComparison.Ordinal);
                if (!answer.StartsWith("HTTP/1.1 405 ", StringComparison.Ordinal) || !problem || !methods.IsSubsetOf(allowed) || allowed.Contains(method))
                {
                    failures.Add($"{method} {address} ({(caller == 0 ? "anonymous" : "police")}): {answer[..Math.Min(answer.Length, 600)]}");
                }
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {paths.Count * tokens.Length}:\n{string.Join("\n", failures.Take(12))}");
        Assert.Empty(system.GatewayFailures.Skip(before));
    }

    /// <summary>
    /// A header an operation declares, sent empty (<c>Idempotency-Key: </c>; an in-process client drops an empty header, so the
    /// services' suites never sent one), on a socket through the gateway: a 4xx problem, a 400 titled as every 400 of a request's
    /// values (an empty key's had a title of its own); on a creation (no record in its path to find first) an empty key is the
    /// 400 naming it, before the body is read (the empty body sent would be a 400 naming its fields).
    /// </summary>
    [Fact]
    public async Task A_declared_header_sent_empty_is_a_4xx_problem_titled_as_every_400_on_every_operation_that_declares_it()
    {
        var paths = JsonNode.Parse(await GatewaySurface.CompleteDocumentAsync(system))!["paths"]!.AsObject();
        var failures = new List<string>();
        var sent = 0;
        foreach (var (template, item) in paths)
        {
            foreach (var (method, operation) in item!.AsObject())
            {
                foreach (var header in (operation!["parameters"] as JsonArray ?? []).Where(parameter => (string?)parameter!["in"] == "header" && (int?)parameter["schema"]?["minLength"] >= 1))
                {
                    sent++;
                    var name = (string)header!["name"]!;
                    var answer = await RawAnswerAsync(
                        method.ToUpperInvariant(), GatewaySurface.AddressOf(template, item), TestAuth.Token(WardLinkRoles.Police), $"{name}: \r\n", operation["requestBody"] is null ? null : "{}");
                    var status = int.Parse(answer.AsSpan(9, 3), CultureInfo.InvariantCulture);
                    // Read from the raw answer, which may come in chunks: a problem's title holds no quote, its errors name fields as keys.
                    var title = Regex.Match(answer, "\"title\":\"([^\"]*)\"").Groups[1].Value;
                    var creation = !template.Contains('{', StringComparison.Ordinal);
                    if (status is < 400 or >= 500 || !answer.Contains("\r\nContent-Type: application/problem+json", StringComparison.OrdinalIgnoreCase)
                        || (status == 400 && title is not (Rejection.InvalidTitle or ProblemResponses.UnreadableBodyTitle))
                        || (creation && name == "Idempotency-Key" && (status != 400 || !answer.Contains($"\"errors\":{{\"{name}\":", StringComparison.Ordinal))))
                    {
                        failures.Add($"{method.ToUpperInvariant()} {template} with {name} empty: {answer[..Math.Min(answer.Length, 500)]}");
                    }
                }
            }
        }

        Assert.True(sent > 10, $"only {sent} declared headers were sent empty");
        Assert.True(failures.Count == 0, $"{failures.Count} of {sent}:\n{string.Join("\n", failures.Take(12))}");
    }

    /// <summary>
    /// The whole answer to <paramref name="method"/> <paramref name="address"/> as written on a socket (with <paramref name="headers"/>, each
    /// line ending in CRLF, and a JSON <paramref name="body"/>), the connection closed after it.
    /// </summary>
    private Task<string> RawAnswerAsync(string method, string address, string? token, string headers = "", string? body = null) =>
        GatewaySurface.RawAnswerAsync(system.GatewayAddress, method, address, token, headers, body);

    /// <summary>
    /// A token the route refuses hides nothing of what is wrong with a request's shape (docs/api.md): a token for another
    /// service's audience (else a 401) or of a role the route does not admit (else a 403) gets the 405 or 415 its shape
    /// deserves, as an anonymous request does; where the token is admitted the service judges the shape alike. A partner's
    /// token, which the gateway lets through to incidents and tips (a partner reads some of their paths) and the service
    /// refuses on a police-only write, got the service's 403 for JSON in a charset it cannot read and for a body sent to a
    /// step that reads none, where an anonymous caller got 415.
    /// </summary>
    [Theory]
    [InlineData("test-ops", null, "127.0.0.35")]
    [InlineData("test-auditor", "tips", "127.0.0.36")]
    [InlineData("test-partner-a", null, "127.0.0.41")]
    public async Task A_request_whose_token_the_route_refuses_is_judged_for_its_shape_first(string clientId, string? scope, string from)
    {
        using var client = system.CreateClientFrom(IPAddress.Parse(from));
        client.As(await WardLinkSystem.RequestTokenAsync(client, clientId, $"{clientId}-secret", scope));

        await AssertShapesJudgedAsync(client, rightShapeUnauthorized: false);
    }

    /// <summary>A JSON body's media type parameters no service reads: a charset it does not know, one given twice, one without a value.</summary>
    private static readonly string[] UnreadableJsonParameters = ["charset=bogus", "charset=utf-8; charset=utf-16", "charset"];

    /// <summary>
    /// Walks every path of the merged document that needs a token with <paramref name="client"/>: a method it does not take
    /// is a 405 problem with <c>Allow</c>, a form where an operation reads JSON a 415 problem, and (for a client without a
    /// token that authenticates it, <paramref name="rightShapeUnauthorized"/>) the right shape a 401 problem.
    /// </summary>
    private async Task AssertShapesJudgedAsync(HttpClient anonymous, bool rightShapeUnauthorized)
    {
        var ct = TestContext.Current.CancellationToken;
        var paths = JsonNode.Parse(await GatewaySurface.CompleteDocumentAsync(system))!["paths"]!.AsObject();
        var failures = new List<string>();
        var (wrongMethods, forms) = (0, 0);
        foreach (var (template, item) in paths.Where(path => path.Key.StartsWith("/api/", StringComparison.Ordinal) && !path.Key.StartsWith("/api/public/", StringComparison.Ordinal)))
        {
            var address = GatewaySurface.AddressOf(template, item!);
            var (methods, wrong) = GatewaySurface.MethodsOf(item!);
            wrongMethods++;
            using (var refused = await anonymous.SendAsync(new HttpRequestMessage(new HttpMethod(wrong), address), ct))
            {
                var allowed = AllowedBy(refused);
                if (refused.StatusCode != HttpStatusCode.MethodNotAllowed || refused.Content.Headers.ContentType?.MediaType != "application/problem+json" || !allowed.SetEquals(methods))
                {
                    failures.Add($"{wrong} {address}: {(int)refused.StatusCode} {refused.Content.Headers.ContentType?.MediaType}, Allow: {string.Join(", ", allowed)} (the path takes {string.Join(", ", methods)})");
                }
            }

            // A write that reads a body, or one that reads none (a close, a resume, a removal: a body sent to it is refused, not
            // passed over), as the service judges it for every caller.
            foreach (var (method, operation) in item!.AsObject().Where(operation =>
                operation.Value?["requestBody"]?["content"]?["application/json"] is not null || (operation.Key is "post" or "put" or "patch" or "delete" && operation.Value?["requestBody"] is null)))
            {
                forms++;
                using var form = new HttpRequestMessage(new HttpMethod(method.ToUpperInvariant()), address) { Content = new FormUrlEncodedContent([new("name", "x")]) };
                using var refused = await anonymous.SendAsync(form, ct);
                if (refused.StatusCode != HttpStatusCode.UnsupportedMediaType || refused.Content.Headers.ContentType?.MediaType != "application/problem+json")
                {
                    failures.Add($"{method.ToUpperInvariant()} {address} with a form: {(int)refused.StatusCode} {refused.Content.Headers.ContentType?.MediaType}");
                }

                // JSON in a charset no service reads, or whose media type gives a parameter twice or without a value, is the service's
                // 415 for every caller, as a form is (it was the token's 401 or 403, at the gateway and, for a token the gateway lets
                // through and the service refuses, a partner's on a police-only write, at the service).
                foreach (var parameters in UnreadableJsonParameters)
                {
                    using var unreadable = new HttpRequestMessage(new HttpMethod(method.ToUpperInvariant()), address) { Content = new StringContent("{}") };
                    unreadable.Content.Headers.Remove("Content-Type");
                    unreadable.Content.Headers.TryAddWithoutValidation("Content-Type", $"application/json; {parameters}");
                    using var charset = await anonymous.SendAsync(unreadable, ct);
                    if (charset.StatusCode != HttpStatusCode.UnsupportedMediaType || charset.Content.Headers.ContentType?.MediaType != "application/problem+json")
                    {
                        failures.Add($"{method.ToUpperInvariant()} {address} with JSON of {parameters}: {(int)charset.StatusCode} {charset.Content.Headers.ContentType?.MediaType}");
                    }
                }
            }

            if (!rightShapeUnauthorized)
            {
                continue;
            }

            var right = methods.Contains("GET") ? "GET" : methods.First();
            // JSON is any media type with the +json suffix too, as the services' routing reads it.
            foreach (var type in right == "GET" ? new string?[] { null } : ["application/json", "application/merge-patch+json"])
            {
                using var unauthorised = await anonymous.SendAsync(
                    new HttpRequestMessage(new HttpMethod(right), address) { Content = type is null ? null : JsonContent.Create(new { }, new System.Net.Http.Headers.MediaTypeHeaderValue(type)) }, ct);
                if (unauthorised.StatusCode != HttpStatusCode.Unauthorized || unauthorised.Content.Headers.ContentType?.MediaType != "application/problem+json")
                {
                    failures.Add($"{right} {address} {type} without a token: {(int)unauthorised.StatusCode} {unauthorised.Content.Headers.ContentType?.MediaType}");
                }
            }
        }

        Assert.True(wrongMethods > 20 && forms > 20, $"Only {wrongMethods} paths and {forms} operations with a JSON body were tried.");
        Assert.True(failures.Count == 0, $"{failures.Count} requests not answered as their shape deserves:\n{string.Join("\n", failures)}");
    }

    /// <summary>
    /// Every path of the merged document answers a method it does not take with a 405 whose <c>Allow</c> names exactly the methods
    /// the document declares for it: no method answered that the document does not describe, none described that is not answered.
    /// The health probes answered <c>HEAD</c> (as docs/api.md says) where the document declared only <c>GET</c>; a <c>get</c> in lower
    /// case on a ward's POST-only step was told <c>Allow: GET</c> (the wards' reads' route's methods).
    /// </summary>
    [Fact]
    public async Task Every_path_allows_exactly_the_methods_its_document_declares()
    {
        var ct = TestContext.Current.CancellationToken;
        using var anonymous = system.CreateClientFrom(IPAddress.Parse("127.0.0.38"));
        var paths = JsonNode.Parse(await GatewaySurface.CompleteDocumentAsync(system))!["paths"]!.AsObject();
        var failures = new List<string>();
        foreach (var (template, item) in paths)
        {
            var address = GatewaySurface.AddressOf(template, item!);
            var (methods, wrong) = GatewaySurface.MethodsOf(item!);

            using (var refused = await anonymous.SendAsync(new HttpRequestMessage(new HttpMethod(wrong), address), ct))
            {
                var allowed = AllowedBy(refused);
                if (refused.StatusCode != HttpStatusCode.MethodNotAllowed || !allowed.SetEquals(methods))
                {
                    failures.Add($"{wrong} {address}: {(int)refused.StatusCode}, Allow: {string.Join(", ", allowed)} (the document declares {string.Join(", ", methods)})");
                }
            }

            // A method's name is case-sensitive: each declared one in lower case is a method the path does not take either (on a
            // socket: HttpClient writes a known method in upper case whatever it is given).
            foreach (var method in methods.Select(method => method.ToLowerInvariant()))
            {
                var answer = await RawAnswerAsync(method, address, token: null);
                var allowed = AllowOf().Match(answer) is { Success: true } allow ? allow.Groups[1].Value.Trim().Split(", ").ToHashSet(StringComparer.Ordinal) : [];
                if (!answer.StartsWith("HTTP/1.1 405 ", StringComparison.Ordinal) || !allowed.SetEquals(methods))
                {
                    failures.Add($"{method} {address}: {answer[..Math.Min(answer.Length, 12)]}, Allow: {string.Join(", ", allowed)} (the document declares {string.Join(", ", methods)})");
                }
            }
        }

        Assert.True(paths.Count > 50, $"Only {paths.Count} paths in the merged document.");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    /// <summary>
    /// What acts in no ward takes no <c>ward=</c> (docs/wards.md: "ignored, never a 400 or 404"): every operation of the merged
    /// document that declares no <c>ward</c> (the probes, a service's readiness report, a tipster's follow-up; at every name its
    /// path takes), the document and its page answer a malformed, empty, repeated or unknown one as they answer none. The API
    /// document and its page answered it with a 400 naming it, as an operation acting in a ward does, and so did a service's
    /// readiness report through the gateway (<c>/api/ops/tips/health?ward=</c>), whose service passes it over. The token
    /// endpoint takes no query at all (its <c>invalid_request</c>).
    /// </summary>
    [Fact]
    public async Task What_acts_in_no_ward_answers_a_stray_ward_as_it_answers_none()
    {
        var ct = TestContext.Current.CancellationToken;
        using var ops = await system.CreateGatewayClientAsync("test-ops");
        using var anonymous = system.CreateClientFrom(IPAddress.Parse("127.0.0.37"));
        var clients = new List<HttpClient>();
        HttpClient Own(HttpClient client)
        {
            clients.Add(client);
            return client;
        }

        var paths = JsonNode.Parse(await GatewaySurface.CompleteDocumentAsync(system))!["paths"]!.AsObject();
        var requests = new List<(HttpClient Client, string Method, string Address)>
        {
            (anonymous, "GET", ApiDocument.Path),
            (anonymous, "GET", ApiDocument.UiPath),
        };
        foreach (var (template, item) in paths.Where(path => path.Key != TokenIssuer.TokenPath))
        {
            foreach (var (method, operation) in item!.AsObject().Select(operation => (operation.Key.ToUpperInvariant(), operation.Value!.AsObject())))
            {
                var parameters = operation["parameters"] as JsonArray ?? [];
                if (parameters.Any(parameter => (string?)parameter!["in"] == "query" && (string?)parameter["name"] == WardFree.WardParameter))
                {
                    continue;
                }

                // Each anonymous operation from an address of its own: the public tips' window (20 a minute) holds one's requests.
                var client = OpenApiMerge.IsAnonymous(operation) ? Own(system.CreateClientFrom(IPAddress.Parse($"127.0.0.{40 + clients.Count}"))) : ops;
                var named = parameters.FirstOrDefault(parameter => (string?)parameter!["in"] == "path" && parameter["schema"]?["enum"] is JsonArray);
                var addresses = named is null
                    ? [GatewaySurface.AddressOf(template, item)]
                    : named["schema"]!["enum"]!.AsArray().Select(name => template.Replace($"{{{(string?)named["name"]}}}", name!.GetValue<string>(), StringComparison.Ordinal));
                requests.AddRange(addresses.Select(address => (client, method, address)));
            }
        }

        string[] strays = ["ward=Dong%20Quang", "ward=", "ward=quang-thang&ward=dong-quang", "ward=no-such-ward", "ward=%00", "ward=a%00b"];
        var failures = new List<string>();
        foreach (var (client, method, address) in requests)
        {
            var plain = await StatusAsync(client, method, address);
            foreach (var stray in strays)
            {
                var answered = await StatusAsync(client, method, $"{address}?{stray}");
                if (answered != plain)
                {
                    failures.Add($"{method} {address}?{stray}: {answered}, {plain} without it");
                }
            }
        }

        clients.ForEach(client => client.Dispose());
        Assert.Contains(requests, request => request.Address.StartsWith("/api/ops/", StringComparison.Ordinal));
        Assert.True(failures.Count == 0, string.Join("\n", failures));

        async Task<int> StatusAsync(HttpClient client, string method, string address)
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), address) { Content = method is "GET" or "HEAD" ? null : JsonContent.Create(new { }) };
            using var response = await client.SendAsync(request, ct);
            return (int)response.StatusCode;
        }
    }

    [Theory]
    [InlineData("ward=Dong%20Quang", "ward")]
    [InlineData("ward=q", "ward")]
    [InlineData("ward=quang-thang&ward=dong-quang", "ward")]
    [InlineData("boundaries=sideways", "boundaries")]
    public async Task A_malformed_ward_or_boundaries_of_the_annual_report_is_a_400_naming_it(string query, string field)
    {
        var response = await _gateway.GetAsync($"{AnnualReport.Path}?year=2024&{query}", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonObject>(TestContext.Current.CancellationToken);
        Assert.True(problem!["errors"]!.AsObject().ContainsKey(field), $"The problem names {field}: {problem}");
    }

    [Theory]
    [InlineData("current")]
    [InlineData("CURRENT")]
    [InlineData("Current")]
    public async Task The_annual_report_of_a_ward_says_which_and_how_and_a_ward_the_caller_may_not_see_is_a_404(string boundaries)
    {
        // Boundaries in any letter case, as every enum (docs/api.md); the report names them as the API writes them.
        var report = await _gateway.GetFromJsonAsync<JsonObject>($"{AnnualReport.Path}?year=2024&ward=quang-thang&boundaries={boundaries}", TestContext.Current.CancellationToken);
        Assert.Equal("quang-thang", report!["ward"]!.GetValue<string>());
        Assert.Equal("current", report["boundaries"]!.GetValue<string>());
        Assert.True(report["complete"]!.GetValue<bool>(), report.ToJsonString());

        var unknown = await _gateway.GetAsync($"{AnnualReport.Path}?year=2024&ward=no-such-ward", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
    }

    /// <summary>
    /// docs/wards.md: every request of a client none of whose wards the services know is a 404 (a province's before its first
    /// ward, a ward-bound client whose ward is not established); the annual report, which asks each service, is that 404 too,
    /// (it answered 200 with every service "missing: answered 404", as an outage reads), and a service's 404 of a client with no
    /// ward at all says so (it named the ward ''). A report naming no ward of a client whose wards are known stays a 200.
    /// </summary>
    [Theory]
    [InlineData(null, "nghe-an")]
    [InlineData("no-such-ward", null)]
    public async Task The_annual_report_of_a_client_whose_wards_no_service_knows_is_a_404(string? ward, string? province)
    {
        var ct = TestContext.Current.CancellationToken;
        using var stranger = system.CreateAnonymousGatewayClient().As(TestAuth.Token(WardLinkRoles.Police, wards: ward is null ? null : [ward], provinces: province is null ? null : [province]));

        using var report = await stranger.GetAsync($"{AnnualReport.Path}?year=2024", ct);
        using var tips = await stranger.GetAsync("/api/tips/stats?year=2024", ct);

        Assert.Equal((HttpStatusCode.NotFound, HttpStatusCode.NotFound), (report.StatusCode, tips.StatusCode));
        var problem = await report.Content.ReadFromJsonAsync<JsonObject>(ct);
        Assert.Equal(WardNames.NotFoundTitle(null), (string?)problem!["title"]);
        Assert.Equal(WardNames.NotFoundTitle(ward), (string?)(await tips.Content.ReadFromJsonAsync<JsonObject>(ct))!["title"]);

        Assert.Equal(HttpStatusCode.OK, (await _gateway.GetAsync($"{AnnualReport.Path}?year=2024", ct)).StatusCode);
    }

    [Theory]
    [InlineData("/api/tips/stats?year=2024", HttpStatusCode.OK)]
    [InlineData("/api/tips/00000000-0000-0000-0000-000000000001", HttpStatusCode.NotFound)]
    [InlineData("/api/reports/annual?year=2024", HttpStatusCode.OK)]
    [InlineData("/nowhere", HttpStatusCode.NotFound)]
    [InlineData(ApiDocument.Path, HttpStatusCode.OK)]
    public async Task Every_answer_carries_the_security_headers_and_no_server_header(string path, HttpStatusCode status)
    {
        var response = await _gateway.GetAsync(path, TestContext.Current.CancellationToken);

        Assert.Equal(status, response.StatusCode);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("DENY", Assert.Single(response.Headers.GetValues("X-Frame-Options")));
        Assert.Equal("no-referrer", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
        Assert.Contains("frame-ancestors 'none'", Assert.Single(response.Headers.GetValues("Content-Security-Policy")), StringComparison.Ordinal);
        Assert.True(response.Headers.CacheControl?.NoStore);
        Assert.False(response.Headers.Contains("Server"));
    }

    private async Task<int> TipsReceivedAsync()
    {
        using var tips = system.CreateServiceClient("tips").As(TestAuth.Token(WardLinkRoles.Police));
        var page = await tips.GetFromJsonAsync<JsonObject>("/api/tips", TestContext.Current.CancellationToken);
        return page!["total"]!.GetValue<int>();
    }

    /// <summary>The methods a refusal's <c>Allow</c> names (a content header, or a response header where it has no body).</summary>
    private static HashSet<string> AllowedBy(HttpResponseMessage refused) =>
        refused.Content.Headers.Allow.Concat(refused.Headers.TryGetValues("Allow", out var values) ? values : []).SelectMany(value => value.Split(", ")).ToHashSet(StringComparer.Ordinal);

    [GeneratedRegex(@"\r\nAllow: ([^\r]*)\r\n", RegexOptions.IgnoreCase)]
    private static partial Regex AllowOf();

    [GeneratedRegex("""<script src="scalar.js" nonce="(?<nonce>[^"]+)">""")]
    private static partial Regex NonceOnScript();
}

/// <summary>One service down: the report and the document are built from the others and say what is missing.</summary>
[Collection(GatewaySurface.Collection)]
public sealed class MissingServiceTests(WardLinkSystem system) : IClassFixture<WardLinkSystem>
{
    [Fact]
    public async Task A_stopped_service_is_reported_missing_in_the_report_and_the_document_while_the_others_are_present()
    {
        using var gateway = system.CreateGatewayClient();
        await system.WaitUntilReadyAsync();
        await system.StopAsync("partners");

        var report = await gateway.GetFromJsonAsync<JsonObject>($"{AnnualReport.Path}?year=2024", TestContext.Current.CancellationToken);

        Assert.False(report!["complete"]!.GetValue<bool>());
        var partners = report["services"]!["partners"]!.AsObject();
        Assert.Equal("missing", partners["status"]!.GetValue<string>());
        Assert.Equal("unreachable", partners["reason"]!.GetValue<string>());
        Assert.True(partners.ContainsKey("statistics") && partners["statistics"] is null, "a missing service's statistics are null, not left out");
        foreach (var service in new[] { "tips", "incidents", "patrols" })
        {
            Assert.Equal("ok", report["services"]![service]!["status"]!.GetValue<string>());
            Assert.True(report["services"]![service]!.AsObject().ContainsKey("reason") && report["services"]![service]!["reason"] is null, $"{service}: its reason null");
            Assert.Equal(2024, report["services"]![service]!["statistics"]!["year"]!.GetValue<int>());
        }

        var response = await gateway.GetAsync(ApiDocument.Path, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("partners", Assert.Single(response.Headers.GetValues(ApiDocument.MissingHeader)));
        var document = JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;
        var missing = Assert.Single(document[OpenApiMerge.MissingExtension]!.AsArray())!;
        Assert.Equal("partners", missing["service"]!.GetValue<string>());
        var paths = document["paths"]!.AsObject().Select(path => path.Key).ToList();
        Assert.DoesNotContain(paths, path => path.StartsWith("/api/partners", StringComparison.Ordinal));
        Assert.Contains("/api/tips/stats", paths);
        Assert.Contains("/api/incidents/stats", paths);
        Assert.Contains("/api/patrols/stats", paths);
    }
}

/// <summary>The system whose gateway keeps a complete API document for <see cref="CacheFor"/>, then asks the services again.</summary>
public sealed class ShortDocumentCacheSystem : WardLinkSystem
{
    public static readonly TimeSpan CacheFor = TimeSpan.FromMilliseconds(300);

    protected override IReadOnlyDictionary<string, string?> MoreGatewaySettings { get; } = new Dictionary<string, string?>
    {
        ["ApiDocument:CacheFor"] = CacheFor.ToString(),
    };
}

/// <summary>
/// A service whose document goes missing (stopped, or slower than the gateway waits) keeps its paths as the last complete
/// document gave them: under a loaded machine's full run a partners document read late made the gateway answer a path no
/// operation takes 401 and 403, not the 404 anyone gets, until it read the document again.
/// </summary>
[Collection(GatewaySurface.Collection)]
public sealed class MissingDocumentPathTests(ShortDocumentCacheSystem system) : IClassFixture<ShortDocumentCacheSystem>
{
    [Fact]
    public async Task A_path_no_operation_takes_stays_a_404_for_a_caller_the_gateway_refuses_while_the_service_document_is_missing()
    {
        await GatewaySurface.CompleteDocumentAsync(system);
        using var gateway = system.CreateAnonymousGatewayClient();
        var partner = await WardLinkSystem.RequestTokenAsync(gateway, "test-partner-a", "test-partner-a-secret");
        string[] paths = ["/api/partners/wards/Not_A-Name/dissolve", $"/api/partners/{Guid.CreateVersion7()}0", "/api/PARTNERS"];
        await ExpectNotFoundAsync(gateway, paths, partner);
        await system.StopAsync("partners");
        await Eventually.Get(
            async () => (await gateway.GetAsync(ApiDocument.Path, TestContext.Current.CancellationToken)).Headers.Contains(ApiDocument.MissingHeader) ? "missing" : null,
            "the document to be read again without the partners service");

        // Every answer a 404 while the gateway reads the document again and again without the service.
        var until = DateTimeOffset.UtcNow + (4 * ShortDocumentCacheSystem.CacheFor);
        var rounds = 0;
        while (DateTimeOffset.UtcNow < until || rounds < 3)
        {
            await ExpectNotFoundAsync(gateway, paths, partner);
            rounds++;
        }
    }

    private static async Task ExpectNotFoundAsync(HttpClient gateway, string[] paths, string partner)
    {
        foreach (var path in paths)
        {
            foreach (var token in new[] { null, partner })
            {
                using var request = new HttpRequestMessage(path.EndsWith("/dissolve", StringComparison.Ordinal) ? HttpMethod.Post : HttpMethod.Get, path);
                request.Headers.Authorization = token is null ? null : new("Bearer", token);
                using var response = await gateway.SendAsync(request, TestContext.Current.CancellationToken);
                Assert.True(
                    response.StatusCode == HttpStatusCode.NotFound && response.Content.Headers.ContentType?.MediaType == "application/problem+json",
                    $"{request.Method} {path} {(token is null ? "without a token" : "as partner A")}: {(int)response.StatusCode} {response.Content.Headers.ContentType?.MediaType}");
            }
        }
    }
}

/// <summary>A service that accepts the connection and never answers is given up on after the timeout.</summary>
public sealed class ServiceRequestTests
{
    [Fact]
    public async Task A_service_that_does_not_answer_in_time_is_missing_with_the_time_it_was_given()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var accepted = silent.AcceptTcpClientAsync(TestContext.Current.CancellationToken);
        using var client = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}/api/tips/stats?year=2024");

        var (json, reason, status) = await client.GetJsonAsync(request, TimeSpan.FromMilliseconds(300), TestContext.Current.CancellationToken);

        Assert.Null(json);
        Assert.Equal("timed out after 0.3 s", reason);
        Assert.Null(status);
        (await accepted).Dispose();
    }
}

/// <summary>
/// The system with small rate limits: 40 requests per client in a 10 s window (41 requests in it take a loaded machine
/// far less: in a 2 s window, a round trip over 49 ms never reached the limit) and 2 public tips per address in a 2 s one;
/// and one browser origin allowed (<see cref="BrowserOrigin"/>).
/// </summary>
public sealed class RateLimitedSystem : WardLinkSystem
{
    public const int ClientWindowSeconds = 10;

    public const string BrowserOrigin = "https://dashboard.ward.example:8443";

    protected override IReadOnlyDictionary<string, string?> MoreGatewaySettings { get; } = new Dictionary<string, string?>
    {
        ["RateLimits:PerClient:PermitLimit"] = "40",
        ["RateLimits:PerClient:Window"] = $"00:00:{ClientWindowSeconds:00}",
        ["RateLimits:PublicTips:PermitLimit"] = "2",
        ["RateLimits:PublicTips:Window"] = "00:00:02",
        ["Cors:Origins:0"] = BrowserOrigin,
    };
}

/// <summary>
/// The system with a per-client limit of 100 requests in an hour's window: what one client used up stays used up while
/// others are served, whatever the machine's speed (a window starts at an offset of its own, so one may still end within a
/// test: about one run in a thousand for a test of a second).
/// </summary>
public sealed class SteadyRateLimitedSystem : WardLinkSystem
{
    protected override IReadOnlyDictionary<string, string?> MoreGatewaySettings { get; } = new Dictionary<string, string?>
    {
        ["RateLimits:PerClient:PermitLimit"] = "100",
        ["RateLimits:PerClient:Window"] = "01:00:00",
    };
}

[Collection(GatewaySurface.Collection)]
public sealed class ClientRateLimitTests(SteadyRateLimitedSystem system) : IClassFixture<SteadyRateLimitedSystem>
{
    private readonly HttpClient _gateway = system.CreateGatewayClient();

    [Fact]
    public async Task Each_client_has_its_own_limit()
    {
        using var police = await system.CreateGatewayClientAsync("test-police");
        using var auditor = await system.CreateGatewayClientAsync("test-auditor");

        var rejected = await RateLimitTests.FirstRejectionAsync(() => police.GetAsync("/api/tips/stats?year=2024", TestContext.Current.CancellationToken), 200);

        await RateLimitTests.AssertTooManyRequestsAsync(rejected, windowSeconds: 3600);
        Assert.Equal(HttpStatusCode.OK, (await auditor.GetAsync("/api/tips/stats?year=2024", TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _gateway.GetAsync("/api/tips/stats?year=2024", TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await police.GetAsync("/api/tips/stats?year=2024", TestContext.Current.CancellationToken)).StatusCode);
    }
}

/// <summary>The token endpoint under the steady limit: a caller guessing secrets is refused like any other, by address.</summary>
[Collection(GatewaySurface.Collection)]
public sealed class TokenRateLimitTests(SteadyRateLimitedSystem system) : IClassFixture<SteadyRateLimitedSystem>
{
    /// <summary>
    /// Each refused token request (a wrong secret, a PBKDF2 check) counts against the caller's address: OpenIddict
    /// answers it within authentication, where the rate limiter after it never saw one. Another address is served.
    /// </summary>
    [Fact]
    public async Task Refused_token_requests_count_against_the_caller_s_address_and_another_address_gets_its_token()
    {
        await system.WaitUntilReadyAsync();
        using var guesser = system.CreateClientFrom(System.Net.IPAddress.Parse("127.0.0.4"));
        HttpResponseMessage? rejected = null;
        var refused = new List<HttpStatusCode>();
        for (var attempt = 0; attempt < 200 && rejected is null; attempt++)
        {
            var response = await guesser.PostAsync(
                TokenIssuer.TokenPath,
                new FormUrlEncodedContent([new("grant_type", "client_credentials"), new("client_id", "test-police"), new("client_secret", $"guess-{attempt}")]),
                TestContext.Current.CancellationToken);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                rejected = response;
            }
            else
            {
                refused.Add(response.StatusCode);
            }
        }

        Assert.NotNull(rejected);
        Assert.All(refused, status => Assert.Contains(status, new[] { HttpStatusCode.BadRequest, HttpStatusCode.Unauthorized }));
        // At most the window's 100, or 199 when the address's window started again among them (windows start at an offset of
        // their own, so even an hour's may end within the test).
        Assert.InRange(refused.Count, 1, 199);
        await RateLimitTests.AssertTooManyRequestsAsync(rejected, windowSeconds: 3600);
        using var police = await system.CreateGatewayClientAsync("test-police");
        Assert.Equal(HttpStatusCode.OK, (await police.GetAsync("/api/tips/stats?year=2024", TestContext.Current.CancellationToken)).StatusCode);
    }

    /// <summary>
    /// A token sent to the public's operations is not read (docs/api.md): the call counts against its address, as the
    /// public's, and spends nothing of the token's client's window. More than that window of follow-up reads, from a few
    /// addresses (each within the public tips' own limit), leave the client its window whole.
    /// </summary>
    [Fact]
    public async Task A_token_sent_to_the_public_s_operations_spends_nothing_of_its_client_s_window()
    {
        await system.WaitUntilReadyAsync();
        using var auditor = await system.CreateGatewayClientAsync("test-auditor");
        var token = auditor.DefaultRequestHeaders.Authorization!.Parameter!;
        var answers = new List<HttpStatusCode>();
        for (var address = 1; answers.Count <= 100; address++)
        {
            using var caller = system.CreateClientFrom(System.Net.IPAddress.Parse($"127.0.3.{address}")).As(token);
            for (var sent = 0; sent < 15; sent++)
            {
                using var response = await caller.GetAsync($"/api/public/tips/TIP-NONE-{address}-{sent}", TestContext.Current.CancellationToken);
                answers.Add(response.StatusCode);
            }
        }

        Assert.DoesNotContain(HttpStatusCode.TooManyRequests, answers);
        Assert.All(answers, status => Assert.True((int)status is >= 400 and < 500, $"{status}"));
        Assert.Equal(HttpStatusCode.OK, (await auditor.GetAsync("/api/tips/stats?year=2024", TestContext.Current.CancellationToken)).StatusCode);
    }

    /// <summary>
    /// A token sent to an operation anyone may call (the health probes, the API document and its page) is not read (docs/api.md,
    /// docs/security.md): the call counts against its address's window, and spends nothing of its client's (a partner's
    /// monitoring sending its token everywhere). They counted against the client's. Under the
    /// hour's window: in a 10 s one, a window could start again between two of the calls (it did in CI).
    /// </summary>
    [Fact]
    public async Task A_token_sent_where_none_is_read_counts_against_the_address_not_the_client()
    {
        using var auditor = await system.CreateGatewayClientAsync("test-auditor");
        using var caller = system.CreateClientFrom(IPAddress.Parse("127.0.5.4")).As(auditor.DefaultRequestHeaders.Authorization!.Parameter!);
        using var counted = await caller.GetAsync("/api/tips/stats?year=2024", TestContext.Current.CancellationToken);
        var remaining = new List<int>();
        foreach (var path in new[] { "/health/live", ApiDocument.UiPath, ApiDocument.Path })
        {
            using var response = await caller.GetAsync(path, TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            remaining.Add(RateLimitTests.WindowOf(response).Remaining);
        }

        // The address's fresh window: 99 left after the first (the client's, counted once already, would have at most 98);
        // the page may redirect (two requests), so fewer each time after.
        Assert.Equal(99, remaining[0]);
        Assert.True(remaining[1] < remaining[0] && remaining[2] < remaining[1], string.Join(", ", remaining));
    }

    /// <summary>
    /// Every request counts against the caller's limit (docs/api.md), the answers the gateway gives itself before any
    /// route's work too: a method a path of the document does not take (the token endpoint's, the annual report's, a
    /// health path's included) is a 405 until the caller's window is spent, then a 429. They were answered before the
    /// rate limiters, and counted by none: unbounded from one address, past admission control on the health paths.
    /// </summary>
    [Fact]
    public async Task A_method_a_path_does_not_take_counts_against_the_caller_s_limit_on_every_path()
    {
        var paths = JsonNode.Parse(await GatewaySurface.CompleteDocumentAsync(system))!["paths"]!.AsObject();
        var failures = new List<string>();
        var caller = 0;
        foreach (var (template, item) in paths)
        {
            using var client = system.CreateClientFrom(System.Net.IPAddress.Parse($"127.0.2.{++caller}"));
            var address = GatewaySurface.AddressOf(template, item!);
            var (_, wrong) = GatewaySurface.MethodsOf(item!);
            var answers = new List<HttpStatusCode>();
            // Up to two windows' worth: an address's window may start again among its requests (windows start at an offset of
            // their own, so even an hour's may end within the test); a 405 that counts meets the 429 within them either way.
            for (var sent = 0; sent <= 200 && !answers.Contains(HttpStatusCode.TooManyRequests); sent++)
            {
                using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(wrong), address), TestContext.Current.CancellationToken);
                answers.Add(response.StatusCode);
            }

            if (answers[^1] != HttpStatusCode.TooManyRequests || answers.SkipLast(1).Any(status => status != HttpStatusCode.MethodNotAllowed))
            {
                failures.Add($"{wrong} {address}: {string.Join(", ", answers.GroupBy(status => status).Select(group => $"{group.Count()} × {(int)group.Key}"))}");
            }
        }

        Assert.True(caller > 20, $"Only {caller} paths were tried.");
        Assert.True(failures.Count == 0, $"{failures.Count} paths answered a wrong method outside the caller's limit:\n{string.Join("\n", failures)}");
    }
}

[Collection(GatewaySurface.Collection)]
public sealed class RateLimitTests(RateLimitedSystem system) : IClassFixture<RateLimitedSystem>
{
    private readonly HttpClient _gateway = system.CreateGatewayClient();

    [Fact]
    public async Task A_client_over_its_limit_on_a_proxied_route_gets_429_with_Retry_After_and_is_served_again_after_the_window()
    {
        var rejected = await FirstRejectionAsync(() => _gateway.GetAsync("/api/incidents/stats?year=2024", TestContext.Current.CancellationToken), 200);

        await AssertTooManyRequestsAsync(rejected, RateLimitedSystem.ClientWindowSeconds);
        var recovered = await Eventually.Get(
            async () =>
            {
                var response = await _gateway.GetAsync("/api/incidents/stats?year=2024", TestContext.Current.CancellationToken);
                return response.StatusCode == HttpStatusCode.TooManyRequests ? null : response;
            },
            "the client's next window");
        Assert.Equal(HttpStatusCode.OK, recovered.StatusCode);
    }

    [Fact]
    public async Task The_public_tip_intake_has_a_stricter_limit_than_the_rest()
    {
        var rejected = await FirstRejectionAsync(() => _gateway.PostAsync("/api/public/tips", PublicTip(), TestContext.Current.CancellationToken), 20);

        await AssertTooManyRequestsAsync(rejected);
        Assert.Equal(HttpStatusCode.OK, (await _gateway.GetAsync("/api/tips/stats?year=2024", TestContext.Current.CancellationToken)).StatusCode);
        var recovered = await Eventually.Get(
            async () =>
            {
                var response = await _gateway.PostAsync("/api/public/tips", PublicTip(), TestContext.Current.CancellationToken);
                return response.StatusCode == HttpStatusCode.TooManyRequests ? null : response;
            },
            "the address's next public tip window");
        Assert.Equal(HttpStatusCode.Created, recovered.StatusCode);
    }

    /// <summary>
    /// Every answer to a counted request says where its caller stands (docs/api.md): the window's limit, the requests left
    /// (one fewer each time within a window, a new window's whole limit less one), whole seconds until it starts again (at most
    /// its length), whatever the answer (a 200, a 403); a 429 once none are left, its Retry-After the window's reset.
    /// </summary>
    [Fact]
    public async Task Every_answer_says_where_the_client_stands_in_its_window_and_the_429_when_it_starts_again()
    {
        using var auditor = await system.CreateGatewayClientAsync("test-auditor");
        (int Remaining, int Reset)? before = null;
        HttpResponseMessage? refused = null;
        var seen = new List<string>();
        for (var sent = 0; sent < 100 && refused is null; sent++)
        {
            var response = await auditor.GetAsync(
                (sent % 3) switch { 0 => "/api/tips/stats?year=2024", 1 => $"/api/tips/{Guid.NewGuid()}", _ => "/api/tips/no/such/path" },
                TestContext.Current.CancellationToken);
            var (limit, remaining, reset) = WindowOf(response);
            seen.Add($"{(int)response.StatusCode} {remaining}/{limit} {reset}s");
            Assert.Equal(40, limit);
            Assert.InRange(reset, 1, RateLimitedSystem.ClientWindowSeconds);

            // One fewer left within a window; a new window (its reset further off than the last answer's) its whole limit less this one.
            var next = before is null || (remaining == limit - 1 && reset > before.Value.Reset) || remaining == before.Value.Remaining - 1;
            Assert.True(next || (remaining == 0 && response.StatusCode == HttpStatusCode.TooManyRequests), string.Join(", ", seen));
            Assert.Contains(response.StatusCode, new[] { HttpStatusCode.OK, HttpStatusCode.Forbidden, HttpStatusCode.NotFound, HttpStatusCode.TooManyRequests });
            refused = response.StatusCode == HttpStatusCode.TooManyRequests ? response : null;
            before = (remaining, reset);
        }

        Assert.NotNull(refused);
        Assert.Equal(0, WindowOf(refused).Remaining);
        Assert.Equal(WindowOf(refused).Reset, (int)refused.Headers.RetryAfter!.Delta!.Value.TotalSeconds);
        Assert.Contains(seen, answer => answer.StartsWith("403", StringComparison.Ordinal));
        Assert.Contains(seen, answer => answer.StartsWith("404", StringComparison.Ordinal));
    }

    /// <summary>
    /// A request refused before the windows (a header value outside visible ASCII: a 400) counts against none and carries no
    /// <c>RateLimit-*</c> header; nor does a browser's preflight, answered before them: the next request finds one fewer left.
    /// </summary>
    [Fact]
    public async Task What_is_refused_or_answered_before_the_windows_counts_against_none()
    {
        using var caller = system.CreateClientFrom(IPAddress.Parse("127.0.5.3"));
        var first = await caller.GetAsync("/api/tips/stats?year=2024", TestContext.Current.CancellationToken);
        using var badHeader = new HttpRequestMessage(HttpMethod.Get, "/api/tips/stats?year=2024");
        badHeader.Headers.TryAddWithoutValidation("X-Note", "bad\u007fvalue");
        using var refused = await caller.SendAsync(badHeader, TestContext.Current.CancellationToken);
        using var preflight = new HttpRequestMessage(HttpMethod.Options, "/api/no/such/path");
        preflight.Headers.Add("Origin", RateLimitedSystem.BrowserOrigin);
        preflight.Headers.Add("Access-Control-Request-Method", "GET");
        using var preflightAnswer = await caller.SendAsync(preflight, TestContext.Current.CancellationToken);
        var second = await caller.GetAsync("/api/tips/stats?year=2024", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, first.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.DoesNotContain(refused.Headers, header => header.Key.StartsWith("RateLimit", StringComparison.OrdinalIgnoreCase));
        Assert.Equal(HttpStatusCode.NoContent, preflightAnswer.StatusCode);
        Assert.DoesNotContain(preflightAnswer.Headers, header => header.Key.StartsWith("RateLimit", StringComparison.OrdinalIgnoreCase));
        var (before, after) = (WindowOf(first), WindowOf(second));
        Assert.True(after.Remaining == before.Remaining - 1 || after.Remaining == after.Limit - 1, $"{before} then {after}");
    }

    /// <summary>
    /// The public's tips count against the address's window and their own stricter one: the answer reports the stricter (2 a
    /// window here, against the address's 40), and a token request its own window by address.
    /// </summary>
    [Fact]
    public async Task A_public_tip_reports_its_stricter_window_and_a_token_request_its_own()
    {
        using var tipster = system.CreateClientFrom(IPAddress.Parse("127.0.5.1"));
        var first = await tipster.PostAsync("/api/public/tips", PublicTip(), TestContext.Current.CancellationToken);
        var answers = new List<HttpResponseMessage> { first };
        while (answers[^1].StatusCode != HttpStatusCode.TooManyRequests && answers.Count < 20)
        {
            answers.Add(await tipster.PostAsync("/api/public/tips", PublicTip(), TestContext.Current.CancellationToken));
        }

        Assert.All(answers, answer => Assert.Equal(2, WindowOf(answer).Limit));
        Assert.Equal(HttpStatusCode.TooManyRequests, answers[^1].StatusCode);
        Assert.Equal(0, WindowOf(answers[^1]).Remaining);
        Assert.InRange(WindowOf(answers[^1]).Reset, 1, 2);
        using var tokenCaller = system.CreateClientFrom(IPAddress.Parse("127.0.5.2"));
        using var token = await tokenCaller.PostAsync(
            TokenIssuer.TokenPath,
            new FormUrlEncodedContent([new("grant_type", "client_credentials"), new("client_id", "test-police"), new("client_secret", "not-its-secret")]),
            TestContext.Current.CancellationToken);
        Assert.Equal((40, 39), (WindowOf(token).Limit, WindowOf(token).Remaining));
    }

    /// <summary>
    /// A page of the origin <c>Cors:Origins</c> names may call the API (docs/api.md): its preflight is answered before any
    /// token is asked for, and every answer names its origin and lets it read the headers; another origin gets no CORS header at all.
    /// </summary>
    [Fact]
    public async Task A_browser_page_of_an_allowed_origin_may_call_the_api_and_another_origin_s_may_not()
    {
        using var browser = system.CreateAnonymousGatewayClient();
        foreach (var origin in new[] { RateLimitedSystem.BrowserOrigin, "https://evil.example", "https://dashboard.ward.example" })
        {
            var allowed = origin == RateLimitedSystem.BrowserOrigin;
            using var preflight = new HttpRequestMessage(HttpMethod.Options, "/api/tips");
            preflight.Headers.Add("Origin", origin);
            preflight.Headers.Add("Access-Control-Request-Method", "POST");
            preflight.Headers.Add("Access-Control-Request-Headers", "authorization, content-type, idempotency-key");
            using var preflightAnswer = await browser.SendAsync(preflight, TestContext.Current.CancellationToken);
            using var read = new HttpRequestMessage(HttpMethod.Get, "/api/tips/stats?year=2024");
            read.Headers.Add("Origin", origin);
            read.Headers.Authorization = new("Bearer", TestAuth.Token(WardLinkRoles.Auditor));
            using var readAnswer = await browser.SendAsync(read, TestContext.Current.CancellationToken);

            Assert.Equal(HttpStatusCode.OK, readAnswer.StatusCode);
            Assert.Contains("Origin", readAnswer.Headers.Vary);
            if (allowed)
            {
                Assert.Equal(HttpStatusCode.NoContent, preflightAnswer.StatusCode);
                Assert.Equal(origin, preflightAnswer.Headers.GetValues("Access-Control-Allow-Origin").Single());
                Assert.Contains("POST", preflightAnswer.Headers.GetValues("Access-Control-Allow-Methods").Single(), StringComparison.Ordinal);
                Assert.Contains("idempotency-key", preflightAnswer.Headers.GetValues("Access-Control-Allow-Headers").Single(), StringComparison.OrdinalIgnoreCase);
                Assert.Equal("600", preflightAnswer.Headers.GetValues("Access-Control-Max-Age").Single());
                Assert.Equal(origin, readAnswer.Headers.GetValues("Access-Control-Allow-Origin").Single());
                Assert.Equal("*", readAnswer.Headers.GetValues("Access-Control-Expose-Headers").Single());
            }
            else
            {
                Assert.DoesNotContain(preflightAnswer.Headers, header => header.Key.StartsWith("Access-Control-", StringComparison.OrdinalIgnoreCase));
                Assert.DoesNotContain(readAnswer.Headers, header => header.Key.StartsWith("Access-Control-", StringComparison.OrdinalIgnoreCase));
            }

            Assert.False(preflightAnswer.Headers.Contains("Access-Control-Allow-Credentials"), origin);
        }

        // The token endpoint's only grant needs the client's secret, which no page can keep: not open to browsers.
        using var tokenPreflight = new HttpRequestMessage(HttpMethod.Options, TokenIssuer.TokenPath);
        tokenPreflight.Headers.Add("Origin", RateLimitedSystem.BrowserOrigin);
        tokenPreflight.Headers.Add("Access-Control-Request-Method", "POST");
        using var tokenAnswer = await browser.SendAsync(tokenPreflight, TestContext.Current.CancellationToken);
        Assert.NotEqual(HttpStatusCode.NoContent, tokenAnswer.StatusCode);
        Assert.DoesNotContain(tokenAnswer.Headers, header => header.Key.StartsWith("Access-Control-", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>
    /// Every answer to a page of an allowed origin names the origin, the earliest refusals too (a body in a content coding, a
    /// body over the limit, a window's 429): without it the page's browser hides the answer, and the page sees a network
    /// error, not the problem nor its <c>Retry-After</c>. (They were written before the origin was looked at.) A header value
    /// outside visible ASCII too (a browser sends a DEL or an <c>é</c> a page puts in a header); a preflight's is refused before
    /// the origin is looked at: the header CORS echoes had a control character answered with an empty 500.
    /// </summary>
    [Fact]
    public async Task Every_answer_to_an_allowed_origin_s_page_names_the_origin_the_earliest_refusals_too()
    {
        using var browser = system.CreateClientFrom(IPAddress.Parse("127.0.5.6"));
        HttpRequestMessage FromThePage(HttpMethod method, string path, HttpContent? content = null) =>
            new(method, path) { Content = content, Headers = { { "Origin", RateLimitedSystem.BrowserOrigin } } };
        var sent = new Dictionary<HttpStatusCode, HttpRequestMessage>
        {
            [HttpStatusCode.UnsupportedMediaType] = FromThePage(HttpMethod.Post, "/api/tips", new ByteArrayContent([0x1f, 0x8b]) { Headers = { ContentEncoding = { "gzip" } } }),
            [HttpStatusCode.RequestEntityTooLarge] = FromThePage(HttpMethod.Post, "/api/tips", new ByteArrayContent(new byte[RequestBodyLimit.DefaultMaxBytes + 1])),
            [HttpStatusCode.NotFound] = FromThePage(HttpMethod.Get, "/api/no/such/path"),
            [HttpStatusCode.Unauthorized] = FromThePage(HttpMethod.Get, "/api/tips/stats?year=2024"),
            [HttpStatusCode.BadRequest] = FromThePage(HttpMethod.Get, "/api/tips/stats?year=2024"),
        };
        sent[HttpStatusCode.BadRequest].Headers.TryAddWithoutValidation("X-Note", "bad\u007fvalue");
        var answers = new List<HttpResponseMessage>();
        try
        {
            foreach (var (expected, request) in sent)
            {
                using (request)
                {
                    answers.Add(await browser.SendAsync(request, TestContext.Current.CancellationToken));
                    Assert.Equal(expected, answers[^1].StatusCode);
                }
            }

            answers.Add(await FirstRejectionAsync(() => browser.SendAsync(FromThePage(HttpMethod.Post, "/api/public/tips", PublicTip()), TestContext.Current.CancellationToken), attempts: 10));
            Assert.All(answers, answer =>
            {
                Assert.Equal(RateLimitedSystem.BrowserOrigin, Assert.Single(answer.Headers.GetValues("Access-Control-Allow-Origin")));
                Assert.Equal("*", Assert.Single(answer.Headers.GetValues("Access-Control-Expose-Headers")));
            });
        }
        finally
        {
            answers.ForEach(answer => answer.Dispose());
        }

        using var preflight = FromThePage(HttpMethod.Options, "/api/tips");
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        preflight.Headers.TryAddWithoutValidation("Access-Control-Request-Headers", "x-note\u0001");
        using var refused = await browser.SendAsync(preflight, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
    }

    /// <summary>An answer's <c>RateLimit-Limit</c>, <c>RateLimit-Remaining</c> and <c>RateLimit-Reset</c>, each one whole number.</summary>
    internal static (int Limit, int Remaining, int Reset) WindowOf(HttpResponseMessage response)
    {
        int One(string header) => int.Parse(Assert.Single(response.Headers.GetValues(header)), NumberStyles.None, CultureInfo.InvariantCulture);
        return (One(RateLimits.LimitHeader), One(RateLimits.RemainingHeader), One(RateLimits.ResetHeader));
    }

    internal static async Task<HttpResponseMessage> FirstRejectionAsync(Func<Task<HttpResponseMessage>> send, int attempts)
    {
        for (var attempt = 0; attempt < attempts; attempt++)
        {
            var response = await send();
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                return response;
            }

            Assert.True(response.IsSuccessStatusCode, $"attempt {attempt}: {response.StatusCode}");
        }

        throw new InvalidOperationException($"No 429 in {attempts} requests.");
    }

    /// <summary>A 429 problem whose <c>Retry-After</c> lies within the limit's window (<paramref name="windowSeconds"/>; the public tips' 2 s in this fixture).</summary>
    internal static async Task AssertTooManyRequestsAsync(HttpResponseMessage response, int windowSeconds = 2)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var retryAfter = response.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value.TotalSeconds, 1, windowSeconds);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal(429, problem.GetProperty("status").GetInt32());
        Assert.Equal("https://tools.ietf.org/html/rfc6585#section-4", problem.GetProperty("type").GetString());
    }

    internal static StringContent PublicTip() => new(
        """{ "category": "theft", "description": "Bags taken from the Endocrinology hospital benches.", "place": { "description": "Endocrinology hospital benches" } }""",
        Encoding.UTF8,
        "application/json");
}

/// <summary>
/// The gateway surface's test classes each start the whole system; they run one after another
/// rather than beside the other system tests' systems, to bound the load on the machine.
/// </summary>
public static class GatewaySurface
{
    public const string Collection = "gateway surface";

    private static readonly string[] WriteAndReadMethods = ["GET", "POST", "PUT", "DELETE", "PATCH"];

    /// <summary>An address of the document's path <paramref name="template"/>: each path value an enum's first name (the ops health of a service), an id a fresh one, a name of its form.</summary>
    public static string AddressOf(string template, JsonNode item) =>
        Regex.Replace(template, "{([^}]+)}", name =>
            item.AsObject().SelectMany(operation => operation.Value?["parameters"] as JsonArray ?? [])
                .FirstOrDefault(parameter => (string?)parameter?["name"] == name.Groups[1].Value)?["schema"] is not { } schema || (string?)schema["format"] == "uuid"
                ? Guid.NewGuid().ToString()
                : schema["enum"]?[0]?.GetValue<string>() ?? NameOfEveryForm);

    /// <summary>A path's name (a ward's id, a service's name, a follow-up code) of the form each such parameter's pattern and length take.</summary>
    public const string NameOfEveryForm = "sample-name";

    /// <summary>The methods the document's path <paramref name="item"/> takes, and one it does not.</summary>
    public static (HashSet<string> Methods, string Wrong) MethodsOf(JsonNode item)
    {
        var methods = item.AsObject().Select(operation => operation.Key.ToUpperInvariant()).ToHashSet(StringComparer.Ordinal);
        return (methods, WriteAndReadMethods.First(method => !methods.Contains(method)));
    }

    /// <summary>
    /// The whole answer of <paramref name="server"/> to <paramref name="method"/> <paramref name="address"/> as written on a socket (with
    /// <paramref name="headers"/>, each line ending in CRLF, and a JSON <paramref name="body"/>), the connection closed after it.
    /// </summary>
    public static async Task<string> RawAnswerAsync(Uri server, string method, string address, string? token, string headers = "", string? body = null)
    {
        using var socket = new TcpClient();
        await socket.ConnectAsync(server.Host, server.Port, TestContext.Current.CancellationToken);
        var stream = socket.GetStream();
        var authorization = token is null ? "" : $"Authorization: Bearer {token}\r\n";
        var content = body is null ? "" : $"Content-Type: application/json\r\nContent-Length: {Encoding.UTF8.GetByteCount(body)}\r\n";
        await stream.WriteAsync(
            Encoding.ASCII.GetBytes($"{method} {address} HTTP/1.1\r\nHost: {server.Authority}\r\n{authorization}{headers}{content}Connection: close\r\n\r\n{body}"),
            TestContext.Current.CancellationToken);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return await reader.ReadToEndAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>The merged document once every service is in it.</summary>
    public static async Task<string> CompleteDocumentAsync(WardLinkSystem system)
    {
        await system.WaitUntilReadyAsync();
        using var gateway = system.CreateAnonymousGatewayClient();

        // A service generates its own document on the first request: under load that may take
        // longer than the gateway waits, and the gateway then serves a partial document.
        var response = await Eventually.Get(
            async () =>
            {
                var answer = await gateway.GetAsync(ApiDocument.Path, TestContext.Current.CancellationToken);
                Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
                return answer.Headers.Contains(ApiDocument.MissingHeader) ? null : answer;
            },
            "a document with every service in it");
        return await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
    }
}

[Collection(GatewaySurface.Collection)]
public sealed class CachedDocumentTests(WardLinkSystem system) : IClassFixture<WardLinkSystem>
{
    [Fact]
    public async Task A_complete_document_is_served_from_the_cache_while_a_service_stops_within_the_cache_time()
    {
        var complete = await GatewaySurface.CompleteDocumentAsync(system);
        await system.StopAsync("partners");
        using var gateway = system.CreateAnonymousGatewayClient();

        var response = await gateway.GetAsync(ApiDocument.Path, TestContext.Current.CancellationToken);

        Assert.False(response.Headers.Contains(ApiDocument.MissingHeader));
        Assert.Equal(complete, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }
}

/// <summary>The system whose gateway admits one request at a time, queues none, and gives a body 2 s to arrive.</summary>
public sealed class OneAtATimeSystem : WardLinkSystem
{
    protected override IReadOnlyDictionary<string, string?> MoreGatewaySettings { get; } = new Dictionary<string, string?>
    {
        ["Admission:MaxInFlight"] = "1",
        ["Admission:MaxQueued"] = "0",
        // Longer than the 5 s after which Kestrel's own minimum data rate would cut a trickle: this limit is the one that does.
        ["Limits:MaxBodyReadTime"] = "00:00:07",
    };
}

/// <summary>
/// An anonymous caller trickling a body in (a byte now and then, as slowly as the server still allows) holds no turn of
/// the gateway's admission control: the police are served meanwhile, and the trickle is a 408 problem once its time is up,
/// saying the connection closes (RFC 9110 15.5.9), and it closes. A client gone in the middle of its body is no Error in the
/// gateway's log (a probe found a stack trace for every reset).
/// </summary>
[Collection(GatewaySurface.Collection)]
public sealed class SlowBodyTests(OneAtATimeSystem system) : IClassFixture<OneAtATimeSystem>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("Transfer-Encoding: chunked", "1\r\n{\r\n")]
    [InlineData("Content-Length: 2000", "{ \"category\": ")]
    public async Task An_anonymous_body_trickling_in_holds_no_turn_and_is_a_408_problem_once_its_time_is_up(string framing, string part)
    {
        await GatewaySurface.CompleteDocumentAsync(system);
        var before = system.GatewayFailures.Count;
        using var police = system.CreateGatewayClient();
        using var trickler = new TcpClient();
        await trickler.ConnectAsync(system.GatewayAddress.Host, system.GatewayAddress.Port, Ct);
        var stream = trickler.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            $"POST /api/public/tips HTTP/1.1\r\nHost: {system.GatewayAddress.Authority}\r\nContent-Type: application/json\r\n{framing}\r\n\r\n{part}"), Ct);
        var answer = AnswerAsync(stream);

        var served = new List<HttpStatusCode>();
        while (!answer.IsCompleted)
        {
            using var response = await police.GetAsync("/api/tips/stats?year=2024", Ct);
            served.Add(response.StatusCode);
            await Task.WhenAny(answer, Task.Delay(TimeSpan.FromMilliseconds(100), Ct));
        }

        Assert.StartsWith("HTTP/1.1 408", await answer, StringComparison.Ordinal);
        Assert.Contains("application/problem+json", await answer, StringComparison.Ordinal);
        Assert.Contains("The request body took too long to arrive.", await answer, StringComparison.Ordinal);
        Assert.Contains("within 7 seconds", await answer, StringComparison.Ordinal);
        Assert.Contains("\r\nConnection: close\r\n", await answer, StringComparison.OrdinalIgnoreCase);
        Assert.NotEmpty(served);
        Assert.All(served, status => Assert.Equal(HttpStatusCode.OK, status));
        // Nothing more: the gateway closes the connection (with a reset too: the body's rest is unread), and logs nothing as an
        // error (Kestrel logged one when it tried to read on past the read the deadline had cancelled).
        Assert.Equal(0L, (await SlowReaderTests.UntilClosedAsync(trickler.Client)).Bytes);
        Assert.Empty(system.GatewayFailures.Skip(before));
    }

    [Theory]
    [InlineData("Transfer-Encoding: chunked", "1\r\n{\r\n")]
    [InlineData("Content-Length: 2000", "{ \"category\": ")]
    public async Task A_client_gone_in_the_middle_of_its_body_is_no_error(string framing, string part)
    {
        await GatewaySurface.CompleteDocumentAsync(system);
        var before = system.GatewayFailures.Count;
        using (var leaver = new TcpClient { LingerState = new LingerOption(enable: true, seconds: 0) })
        {
            await leaver.ConnectAsync(system.GatewayAddress.Host, system.GatewayAddress.Port, Ct);
            await leaver.GetStream().WriteAsync(Encoding.ASCII.GetBytes(
                $"POST /api/public/tips HTTP/1.1\r\nHost: {system.GatewayAddress.Authority}\r\nContent-Type: application/json\r\n{framing}\r\n\r\n{part}"), Ct);
            // Time for the part to arrive before the reset (else the gateway sees no request at all): not a condition of the outcome.
            await Task.Delay(TimeSpan.FromMilliseconds(200), Ct);
        }

        // The gateway's one turn is free again once it has noticed, and it logged nothing as an error.
        using var police = system.CreateGatewayClient();
        await Eventually.Get(
            async () => (await police.GetAsync("/api/tips/stats?year=2024", Ct)).StatusCode == HttpStatusCode.OK ? (object)true : null,
            "the police served after the client left");
        Assert.Empty(system.GatewayFailures.Skip(before));
    }

    /// <summary>The status line, headers and problem of the answer on <paramref name="stream"/> (all that came, if it closed first).</summary>
    private static async Task<string> AnswerAsync(NetworkStream stream)
    {
        var answer = new StringBuilder();
        var buffer = new byte[1024];
        int read;
        while (!Whole(answer.ToString()) && (read = await stream.ReadAsync(buffer, Ct)) > 0)
        {
            answer.Append(Encoding.UTF8.GetString(buffer, 0, read));
        }

        return answer.ToString();
    }

    /// <summary>
    /// Whether <paramref name="text"/> holds a whole answer: its head, and its body to the end its framing marks (a chunked body's
    /// last chunk, which may arrive apart from the chunk before it; else the problem's closing brace).
    /// </summary>
    private static bool Whole(string text) =>
        text.IndexOf("\r\n\r\n", StringComparison.Ordinal) is >= 0 and var head
        && (text[..head].Contains("\r\nTransfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase)
            ? text.EndsWith("\r\n0\r\n\r\n", StringComparison.Ordinal)
            : text.IndexOf('}', head) >= 0);
}
