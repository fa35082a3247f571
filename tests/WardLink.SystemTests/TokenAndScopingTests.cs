using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CsCheck;
using WardLink.Gateway;
using WardLink.Testing;

namespace WardLink.SystemTests;

/// <summary>The gateway's token endpoint, and what a partner client sees through the gateway.</summary>
public sealed class TokenAndScopingTests(WardLinkSystem system) : IClassFixture<WardLinkSystem>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>
    /// The token endpoint reads a form, as the API document says: a JSON or XML body is a 415 problem and issues nothing, another
    /// method than POST a 405 problem with <c>Allow: POST</c>, with or without a trailing slash (routing and OpenIddict take both;
    /// the gateway's checks took the exact path only, so another spelling got OpenIddict's 400); the discovery documents OpenIddict would serve by default (which nothing reads) are not there: asked
    /// anonymously, they are what any path the gateway does not describe is, a 401 problem.
    /// </summary>
    [Theory]
    [InlineData("/connect/token")]
    [InlineData("/connect/token/")]
    public async Task A_token_request_that_is_no_form_is_a_415_problem_and_no_discovery_document_is_served(string path)
    {
        using var gateway = system.CreateAnonymousGatewayClient();
        foreach (var (body, type) in new[] { ("{\"grant_type\":\"client_credentials\",\"client_id\":\"test-partner-a\",\"client_secret\":\"test-partner-a-secret\"}", "application/json"), ("<token/>", "application/xml") })
        {
            using var refused = await gateway.PostAsync(path, new StringContent(body, Encoding.UTF8, type), Ct);
            Assert.Equal(HttpStatusCode.UnsupportedMediaType, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        }

        foreach (var method in new[] { HttpMethod.Get, HttpMethod.Put, HttpMethod.Delete })
        {
            using var refused = await gateway.SendAsync(new HttpRequestMessage(method, path), Ct);
            Assert.True(refused.StatusCode == HttpStatusCode.MethodNotAllowed, $"{method} {path}: {(int)refused.StatusCode} {await refused.Content.ReadAsStringAsync(Ct)}");
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            Assert.Equal(["POST"], refused.Content.Headers.Allow.Concat(refused.Headers.TryGetValues("Allow", out var allowed) ? allowed : []));
        }

        foreach (var discovery in new[] { "/.well-known/openid-configuration", "/.well-known/oauth-authorization-server", "/.well-known/jwks" })
        {
            using var absent = await gateway.GetAsync(discovery, Ct);
            Assert.True(absent.StatusCode == HttpStatusCode.NotFound, $"{discovery}: {(int)absent.StatusCode}");
            Assert.Equal("application/problem+json", absent.Content.Headers.ContentType?.MediaType);
        }

        using var granted = await gateway.PostAsync(path, WardLinkSystem.TokenRequest("test-partner-a", "test-partner-a-secret"), Ct);
        Assert.Equal(HttpStatusCode.OK, granted.StatusCode);
    }

    /// <summary>
    /// A token request without content sends no form, whatever type it names: its fields are missing, an OAuth2
    /// <c>invalid_request</c> as from an empty form, never a 415 for a body not sent (it was answered by the type it named).
    /// </summary>
    [Theory]
    [InlineData(null)]
    [InlineData("application/json")]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("application/x-www-form-urlencoded; charset=bogus")]
    public async Task A_token_request_without_content_is_an_invalid_request_whatever_type_it_names(string? type)
    {
        using var gateway = system.CreateAnonymousGatewayClient();
        var content = new ByteArrayContent([]);
        if (type is not null)
        {
            content.Headers.TryAddWithoutValidation("Content-Type", type);
        }

        using var refused = await gateway.PostAsync("/connect/token", content, Ct);
        var body = await refused.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.True(refused.StatusCode == HttpStatusCode.BadRequest, $"{(int)refused.StatusCode} {body}");
        Assert.Equal("invalid_request", body.GetProperty("error").GetString());
        Assert.False(body.TryGetProperty("access_token", out _));
    }

    /// <summary>The token endpoint's path in another letter case is a path no operation takes: a 404 problem, whatever is sent, and no token.</summary>
    [Theory]
    [InlineData("/Connect/TOKEN")]
    [InlineData("/CONNECT/token/")]
    public async Task The_token_endpoint_s_path_in_another_letter_case_is_a_404_and_issues_nothing(string path)
    {
        using var gateway = system.CreateAnonymousGatewayClient();
        foreach (var request in new[]
        {
            new HttpRequestMessage(HttpMethod.Post, path) { Content = WardLinkSystem.TokenRequest("test-partner-a", "test-partner-a-secret") },
            new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent("{}", Encoding.UTF8, "application/json") },
            new HttpRequestMessage(HttpMethod.Get, path),
        })
        {
            using var answer = await gateway.SendAsync(request, Ct);
            Assert.True(answer.StatusCode == HttpStatusCode.NotFound, $"{request.Method} {path}: {(int)answer.StatusCode} {await answer.Content.ReadAsStringAsync(Ct)}");
            Assert.Equal("application/problem+json", answer.Content.Headers.ContentType?.MediaType);
            request.Dispose();
        }
    }

    [Fact]
    public async Task A_partner_client_gets_a_token_with_its_role_partner_and_every_service_as_audience()
    {
        using var gateway = system.CreateAnonymousGatewayClient();
        using var response = await gateway.PostAsync("/connect/token", WardLinkSystem.TokenRequest("test-partner-a", "test-partner-a-secret"), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal("Bearer", body.GetProperty("token_type").GetString());
        Assert.True(body.GetProperty("expires_in").GetInt32() > 0);
        var claims = Payload(body.GetProperty("access_token").GetString()!);
        Assert.Equal("test-partner-a", claims.GetProperty("sub").GetString());
        Assert.Equal("partner", claims.GetProperty("role").GetString());
        Assert.Equal(WardLinkSystem.PartnerA.ToString(), claims.GetProperty("partner_id").GetString());
        Assert.Equal("https://wardlink.local/", claims.GetProperty("iss").GetString());
        Assert.Equal(
            ["wardlink-incidents", "wardlink-partners", "wardlink-patrols", "wardlink-tips"],
            claims.GetProperty("aud").EnumerateArray().Select(aud => aud.GetString()!).Order());
    }

    [Fact]
    public async Task A_token_asked_for_one_scope_names_only_that_service_and_is_refused_by_the_others()
    {
        using var gateway = system.CreateAnonymousGatewayClient();
        var token = await WardLinkSystem.RequestTokenAsync(gateway, "test-police", "test-police-secret", "tips");

        Assert.Equal("wardlink-tips", Payload(token).GetProperty("aud").GetString());
        gateway.As(token);
        Assert.Equal(HttpStatusCode.OK, (await gateway.GetAsync("/api/tips?limit=1", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await gateway.GetAsync("/api/incidents?limit=1", Ct)).StatusCode);
    }

    [Theory]
    [InlineData("test-police", "wrong-secret", "client_credentials", null, "invalid_client")]
    [InlineData("nobody", "test-police-secret", "client_credentials", null, "invalid_client")]
    [InlineData("test-police", "test-police-secret", "password", null, "unsupported_grant_type")]
    [InlineData("test-police", "test-police-secret", "client_credentials", "tips everything", "invalid_scope")]
    public Task A_refused_token_request_says_why_in_OAuth2_terms_and_issues_nothing(
        string clientId, string secret, string grantType, string? scope, string error) =>
        AssertRefusedAsync(clientId, secret, grantType, scope, error);

    [Fact]
    public async Task A_client_id_secret_or_scope_past_its_documented_length_is_an_invalid_request_and_issues_nothing()
    {
        await AssertRefusedAsync(new string('c', TokenIssuer.MaxClientIdLength + 1), "test-police-secret", "client_credentials", null, "invalid_request");
        await AssertRefusedAsync("test-police", new string('s', TokenIssuer.MaxClientSecretLength + 1), "client_credentials", null, "invalid_request");
        await AssertRefusedAsync("test-police", "test-police-secret", "client_credentials", string.Join(' ', Enumerable.Repeat("tips", TokenIssuer.MaxScopeLength / 4)), "invalid_request");

        // Judged before the scopes' names: scopes past the bound that no client may ask for are past the bound first.
        await AssertRefusedAsync("test-police", "test-police-secret", "client_credentials", new string('x', TokenIssuer.MaxScopeLength + 1), "invalid_request");
        await AssertRefusedAsync("test-police", "test-police-secret", "client_credentials", string.Join(' ', Enumerable.Repeat("nothing", TokenIssuer.MaxScopeLength / 7)), "invalid_request");
    }

    /// <summary>
    /// A client may authenticate with an <c>Authorization: Basic</c> header in place of the form's id and secret (RFC 6749,
    /// section 2.3.1, which the server must take): a token as from the form; an id or secret past its documented length there
    /// is the same invalid_request, before any hashing (it was an invalid_client, hashed); the header and the form's id or
    /// secret together, two ways at once, an invalid_request. A form field named as either in another letter case is none of
    /// them, ignored beside the header (it was refused as the second way).
    /// </summary>
    [Fact]
    public async Task A_client_authenticated_by_a_Basic_header_gets_a_token_held_to_the_form_s_bounds_and_one_way_only()
    {
        using var gateway = system.CreateAnonymousGatewayClient();
        async Task<(HttpStatusCode Status, JsonElement Body)> AskAsync(string id, string secret, params KeyValuePair<string, string>[] more)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/connect/token")
            {
                Content = new FormUrlEncodedContent([new("grant_type", "client_credentials"), .. more]),
            };
            request.Headers.Authorization = new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Uri.EscapeDataString(id)}:{Uri.EscapeDataString(secret)}")));
            using var response = await gateway.SendAsync(request, Ct);
            return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>(Ct));
        }

        foreach (var spelled in OtherLetterCases("client_id").Concat(OtherLetterCases("client_secret")).Prepend<string?>(null))
        {
            var (granted, token) = await AskAsync("test-police", "test-police-secret", spelled is null ? [] : [new(spelled, "x")]);
            Assert.True(granted == HttpStatusCode.OK && token.TryGetProperty("access_token", out _), $"{spelled}: {granted} {token}");
        }

        foreach (var (id, secret, more) in new (string, string, KeyValuePair<string, string>[])[]
        {
            (new string('c', TokenIssuer.MaxClientIdLength + 1), "test-police-secret", []),
            ("test-police", new string('s', TokenIssuer.MaxClientSecretLength + 1), []),
            ("test-police", "test-police-secret", [new("client_id", "test-police")]),
            ("test-police", "test-police-secret", [new("client_secret", "test-police-secret")]),
        })
        {
            var (status, body) = await AskAsync(id, secret, more);
            Assert.True(status == HttpStatusCode.BadRequest && body.GetProperty("error").GetString() == "invalid_request" && !body.TryGetProperty("access_token", out _), $"{id.Length}, {secret.Length}, {more.Length}: {status} {body}");
        }
    }

    /// <summary>
    /// A form ASP.NET Core's reader refuses (a field name over 2,048 characters, more than 1,024 fields)
    /// is an OAuth2 invalid_request like any other malformed token request: a 400 that issues nothing, never a 500.
    /// </summary>
    [Fact]
    public async Task A_form_past_what_the_form_reader_takes_is_an_invalid_request_and_issues_nothing()
    {
        const string credentials = "grant_type=client_credentials&client_id=test-police&client_secret=test-police-secret&";
        using var gateway = system.CreateAnonymousGatewayClient();
        foreach (var (what, form) in new[]
        {
            ("a field name of 2,049 characters", credentials + new string('n', 2049) + "=v"),
            ("1,025 fields", credentials + string.Join('&', Enumerable.Range(0, 1025).Select(i => $"f{i}=v"))),
        })
        {
            using var response = await gateway.PostAsync("/connect/token", new StringContent(form, Encoding.ASCII, "application/x-www-form-urlencoded"), Ct);
            var text = await response.Content.ReadAsStringAsync(Ct);
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{what}: {(int)response.StatusCode} {text}");
            Assert.Equal("invalid_request", JsonDocument.Parse(text).RootElement.GetProperty("error").GetString());
            Assert.DoesNotContain("access_token", text, StringComparison.Ordinal);
        }
    }

    /// <summary>
    /// docs/security.md: a token request's secret is written in no log. A secret sent under another name than
    /// <c>client_secret</c> (camelCase, upper case, a trailing space, a dash: RFC 6749 has the server ignore a parameter it
    /// does not know), pasted into <c>client_id</c> or <c>scope</c>, or sent as it should be, granted or refused: no line the
    /// gateway logs at its configured levels holds it (OpenIddict logged every token request's form at Information, hiding
    /// only the names it knows, so each of the misnamed secrets was written out in full to the console and OTLP logs).
    /// </summary>
    [Fact]
    public async Task A_token_request_s_secret_under_any_name_or_in_any_field_is_written_in_no_log_line()
    {
        using var gateway = system.CreateAnonymousGatewayClient();
        var marks = new List<string>();
        string Mark(string where)
        {
            var mark = $"Zq9Unlogged{where}{Guid.NewGuid():N}";
            marks.Add(mark);
            return mark;
        }

        var requests = new List<IEnumerable<KeyValuePair<string, string>>>();
        foreach (var name in new[] { "clientSecret", "CLIENT_SECRET", "client_secret ", "client-secret", "secret", "password" })
        {
            requests.Add([new("grant_type", "client_credentials"), new("client_id", "test-police"), new(name, Mark("Misnamed"))]);
            requests.Add([new("grant_type", "client_credentials"), new("client_id", "test-police"), new("client_secret", "test-police-secret"), new(name, Mark("Beside"))]);
        }

        requests.Add([new("grant_type", "client_credentials"), new("client_id", Mark("InTheId")), new("client_secret", "x")]);
        requests.Add([new("grant_type", "client_credentials"), new("client_id", "test-police"), new("client_secret", "test-police-secret"), new("scope", Mark("InTheScope"))]);
        requests.Add([new("grant_type", "client_credentials"), new("client_id", "test-police"), new("client_secret", Mark("Wrong"))]);
        requests.Add([new("grant_type", "password"), new("client_id", "test-police"), new("client_secret", "test-police-secret"), new("password", Mark("Grant"))]);
        foreach (var form in requests)
        {
            using var response = await gateway.PostAsync("/connect/token", new FormUrlEncodedContent(form), Ct);
            Assert.True((int)response.StatusCode is 200 or 400 or 401, $"{string.Join("&", form.Select(field => field.Key))}: {(int)response.StatusCode}");
        }

        Assert.Contains(system.GatewayLogs.Lines, line => line.Contains("Application started", StringComparison.Ordinal));
        var written = system.GatewayLogs.Lines.Where(line => marks.Any(mark => line.Contains(mark, StringComparison.Ordinal))).ToList();
        Assert.True(written.Count == 0, string.Join("\n", written));
    }

    /// <summary>
    /// RFC 6749 3.1: a parameter is sent once, and its name is case-sensitive. Each of the token request's parameters sent twice
    /// (the same value or another, a scope the client may not have beside one it may) is an invalid_request that issues nothing:
    /// never read as the parameter left out (a repeated scope was, and the token named every service of the client). Its name in
    /// another letter case (upper, title, mixed), with either value, is a parameter the endpoint does not know, ignored
    /// (docs/security.md): the token the parameters spelled right ask for is issued, for their scope alone. It was taken for
    /// the parameter given twice, an invalid_request, though OpenIddict reads names as written (the t-roles probe).
    /// </summary>
    [Fact]
    public async Task A_token_request_parameter_given_twice_is_an_invalid_request_and_one_in_another_letter_case_is_ignored()
    {
        var once = new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials", ["client_id"] = "test-partner-a", ["client_secret"] = "test-partner-a-secret", ["scope"] = "tips",
        };
        using var gateway = system.CreateAnonymousGatewayClient();
        foreach (var (name, value) in once)
        {
            foreach (var again in new[] { value, name == "scope" ? "admin" : "other" })
            {
                var form = once.Select(field => KeyValuePair.Create(field.Key, field.Value)).Append(KeyValuePair.Create(name, again));
                using var response = await gateway.PostAsync("/connect/token", new FormUrlEncodedContent(form), Ct);
                var text = await response.Content.ReadAsStringAsync(Ct);

                Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{name} twice ({value}, {again}): {(int)response.StatusCode} {text}");
                Assert.Equal("invalid_request", JsonDocument.Parse(text).RootElement.GetProperty("error").GetString());
                Assert.DoesNotContain("access_token", text, StringComparison.Ordinal);

                foreach (var spelled in OtherLetterCases(name))
                {
                    var beside = once.Select(field => KeyValuePair.Create(field.Key, field.Value)).Append(KeyValuePair.Create(spelled, again));
                    using var granted = await gateway.PostAsync("/connect/token", new FormUrlEncodedContent(beside), Ct);
                    var body = await granted.Content.ReadAsStringAsync(Ct);
                    Assert.True(
                        granted.StatusCode == HttpStatusCode.OK && Payload(JsonDocument.Parse(body).RootElement.GetProperty("access_token").GetString()!).GetProperty("aud").GetString() == "wardlink-tips",
                        $"{name} and {spelled} ({again}): {(int)granted.StatusCode} {body}");
                }
            }
        }
    }

    /// <summary><paramref name="name"/> in upper case, in title case (each word's first letter), and in two mixed cases (every other letter).</summary>
    private static string[] OtherLetterCases(string name) =>
    [
        name.ToUpperInvariant(),
        string.Join('_', name.Split('_').Select(word => char.ToUpperInvariant(word[0]) + word[1..])),
        string.Concat(name.Select((letter, at) => at % 2 == 0 ? char.ToUpperInvariant(letter) : letter)),
        string.Concat(name.Select((letter, at) => at % 2 == 1 ? char.ToUpperInvariant(letter) : letter)),
    ];

    /// <summary>
    /// A token request's form names any charset (docs/security.md): one .NET reads is read, a form of the client's credentials
    /// in it (UTF-16 too) granted; one it does not know or will not read (UTF-7 by each of its names, a 500), or a charset given
    /// twice (read as the first), is a 415 problem that issues nothing. Never a 5xx.
    /// </summary>
    [Fact]
    public async Task Every_charset_a_token_request_names_is_read_or_a_415_problem_never_a_5xx()
    {
        const string Credentials = "grant_type=client_credentials&client_id=test-partner-a&client_secret=test-partner-a-secret";
        using var gateway = system.CreateAnonymousGatewayClient();
        var failures = new List<string>();
        async Task SendInAsync(string charset)
        {
            var strict = Charsets.Strict(charset);
            var (status, text) = await SendFormAsync(gateway, (strict ?? Encoding.UTF8).GetBytes(Credentials), $"charset={charset}");
            if (strict is null ? status != HttpStatusCode.UnsupportedMediaType || text.Contains("access_token", StringComparison.Ordinal) : status != HttpStatusCode.OK)
            {
                failures.Add($"charset {charset} ({(strict is null ? "not read" : "read")}): {(int)status} {text}");
            }
        }

        foreach (var charset in Charsets.Named)
        {
            await SendInAsync(charset);
        }

        await Charsets.Made.SampleAsync(SendInAsync, iter: 8, threads: 1);
        foreach (var twice in new[] { "charset=utf-8; charset=utf-16", "charset=utf-16; charset=utf-8" })
        {
            var (status, text) = await SendFormAsync(gateway, Encoding.UTF8.GetBytes(Credentials), twice);
            if (status != HttpStatusCode.UnsupportedMediaType || JsonDocument.Parse(text).RootElement.GetProperty("detail").GetString()?.Contains("'charset' is given more than once", StringComparison.Ordinal) is not true)
            {
                failures.Add($"{twice}: {(int)status} {text}");
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} charset(s) not read or refused as they should be:\n{string.Join("\n", failures)}");
    }

    /// <summary>
    /// A property: bytes in a token request's form (as sent or percent-escaped) that its charset (UTF-8 when it names none) cannot
    /// decode are an invalid_request that issues nothing, never read with a character replaced (in US-ASCII they were <c>?</c>,
    /// in UTF-8 U+FFFD, and the token was granted).
    /// </summary>
    [Fact]
    public async Task Bytes_a_token_request_charset_cannot_decode_are_an_invalid_request_never_replaced()
    {
        const string Credentials = "grant_type=client_credentials&client_id=test-partner-a&client_secret=test-partner-a-secret&note=";
        using var gateway = system.CreateAnonymousGatewayClient();
        var failures = new List<string>();
        var undecodable = 0;
        await Gen.Select(Gen.OneOf(Charsets.Read), Gen.Byte.Array[1, 6], Gen.Bool).SampleAsync(
            async (charset, bytes, escaped) =>
            {
                var strict = Charsets.Strict(charset)!;
                byte[] form = [.. strict.GetBytes(Credentials), .. escaped ? strict.GetBytes(string.Concat(bytes.Select(b => $"%{b:X2}"))) : bytes];
                var (status, text) = await SendFormAsync(gateway, form, strict.CodePage == Encoding.UTF8.CodePage && escaped ? null : $"charset={charset}");
                var what = $"note of bytes {Convert.ToHexString(bytes)} {(escaped ? "escaped" : "as sent")} in {charset}";
                if (!Charsets.Decodes(strict, escaped ? bytes : form))
                {
                    undecodable++;
                    if (status != HttpStatusCode.BadRequest || !text.Contains("\"invalid_request\"", StringComparison.Ordinal) || text.Contains("access_token", StringComparison.Ordinal))
                    {
                        failures.Add($"{what}: {(int)status} {text}");
                    }
                }
                else if ((int)status >= 500)
                {
                    failures.Add($"{what}: {(int)status} {text}");
                }
            },
            iter: 40,
            threads: 1);

        Assert.True(undecodable > 0, "No form of bytes its charset cannot decode was sent.");
        Assert.True(failures.Count == 0, $"{failures.Count} form(s) not refused as they should be:\n{string.Join("\n", failures)}");
    }

    /// <summary>Posts <paramref name="form"/> to the token endpoint with the media type's <paramref name="parameters"/>: the answer's status and text.</summary>
    private static async Task<(HttpStatusCode Status, string Text)> SendFormAsync(HttpClient gateway, byte[] form, string? parameters)
    {
        using var content = new ByteArrayContent(form);
        content.Headers.TryAddWithoutValidation("Content-Type", parameters is null ? "application/x-www-form-urlencoded" : $"application/x-www-form-urlencoded; {parameters}");
        using var response = await gateway.PostAsync("/connect/token", content, Ct);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(Ct));
    }

    /// <summary>A token request is a form of <c>application/x-www-form-urlencoded</c> only, as the API document lists: a multipart form is a 415 problem too.</summary>
    [Fact]
    public async Task A_multipart_token_request_is_a_415_problem()
    {
        using var gateway = system.CreateAnonymousGatewayClient();
        using var form = new MultipartFormDataContent
        {
            { new StringContent("client_credentials"), "grant_type" },
            { new StringContent("test-police"), "client_id" },
            { new StringContent("test-police-secret"), "client_secret" },
        };
        using var response = await gateway.PostAsync("/connect/token", form, Ct);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    private async Task AssertRefusedAsync(string clientId, string secret, string grantType, string? scope, string error)
    {
        using var gateway = system.CreateAnonymousGatewayClient();
        using var response = await gateway.PostAsync("/connect/token", WardLinkSystem.TokenRequest(clientId, secret, scope, grantType), Ct);

        Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized, $"Got {(int)response.StatusCode}.");
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal(error, body.GetProperty("error").GetString());
        Assert.False(body.TryGetProperty("access_token", out _));
    }

    [Fact]
    public async Task A_partner_reads_what_it_submitted_and_what_concerns_its_sites_and_nothing_else()
    {
        await system.WaitUntilReadyAsync();
        using var police = await system.CreateGatewayClientAsync("test-police");
        using var partnerA = await system.CreateGatewayClientAsync("test-partner-a");
        using var partnerB = await system.CreateGatewayClientAsync("test-partner-b");

        // Partner B (registered with the system) has a site, known to tips and incidents.
        var site = await Created(police, $"/api/partners/{WardLinkSystem.PartnerB}/sites", new { name = "B car park", kind = "hospitalArea", latitude = 19.8, longitude = 105.77 });
        var siteId = site.GetProperty("id").GetGuid();
        foreach (var service in new[] { "tips", "incidents" })
        {
            await Eventually.Get(
                async () => (await police.GetAsync($"/api/{service}/sites/{siteId}", Ct)).IsSuccessStatusCode ? "known" : null,
                $"{service} to know partner B's site");
        }

        var byA = await Created(partnerA, "/api/tips", Tip("Seen by partner A's desk", null));
        var atBsSite = await Created(police, "/api/tips", Tip("Seen at partner B's car park", siteId));
        var byPolice = await Created(police, "/api/tips", Tip("Seen by a patrol", null));
        var incidentByA = await Created(partnerA, "/api/incidents", new
        {
            classification = "criminal", category = "theft", description = "A bicycle stolen at A's gate",
            place = new { description = "A's gate" }, occurredAt = "2024-05-01T21:30:00+07:00", source = "partner",
        });
        var tipByA = Id(byA);
        var tipAtB = Id(atBsSite);
        var tipByPolice = Id(byPolice);

        Assert.Equal([tipByA], await ListedIds(partnerA, "/api/tips?limit=200"));
        Assert.Equal([tipAtB], await ListedIds(partnerB, "/api/tips?limit=200"));
        Assert.Superset(new HashSet<Guid> { tipByA, tipAtB, tipByPolice }, (await ListedIds(police, "/api/tips?limit=200")).ToHashSet());
        Assert.Equal([Id(incidentByA)], await ListedIds(partnerA, "/api/incidents?limit=200"));
        Assert.Empty(await ListedIds(partnerB, "/api/incidents?limit=200"));

        // Guessing ids gets a partner nothing: another's record is as good as missing.
        Assert.Equal(HttpStatusCode.NotFound, (await partnerA.GetAsync($"/api/tips/{tipAtB}", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await partnerA.GetAsync($"/api/tips/{tipByPolice}", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await partnerB.GetAsync($"/api/tips/{tipByA}", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await partnerB.GetAsync($"/api/incidents/{Id(incidentByA)}", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await partnerA.GetAsync($"/api/tips/{tipByA}", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await partnerB.GetAsync($"/api/tips/{tipAtB}", Ct)).StatusCode);

        // Nor may it read a tipster's contact, even on its own tip; the police may, and the read is recorded.
        Assert.Equal(HttpStatusCode.Forbidden, (await partnerA.GetAsync($"/api/tips/{tipByA}/contact", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await police.GetAsync($"/api/tips/{tipByA}/contact", Ct)).StatusCode);
        var history = (await police.GetFromJsonAsync<JsonElement>($"/api/tips/{tipByA}", Ct)).GetProperty("history").EnumerateArray().ToList();
        Assert.Contains(history, entry => entry.GetProperty("type").GetString() == "tipContactRead" && entry.GetProperty("by").GetString() == "test-police");
        Assert.Equal("test-partner-a", history[0].GetProperty("by").GetString());
    }

    private static object Tip(string description, Guid? siteId) => new
    {
        channel = "partner",
        category = "theft",
        description,
        place = siteId is null ? (object)new { description = "Somewhere in the ward" } : new { siteId },
        receivedAt = "2024-05-02T09:00:00+07:00",
        contact = new { name = "Nguyễn Văn Chứng", phone = "0912 000 111" },
    };

    private static Guid Id(JsonElement created) => created.GetProperty("id").GetGuid();

    private static async Task<JsonElement> Created(HttpClient client, string path, object body)
    {
        using var response = await client.PostAsJsonAsync(path, body, Ct);
        var content = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"POST {path}: {(int)response.StatusCode} {content}");
        return JsonDocument.Parse(content).RootElement.Clone();
    }

    private static async Task<List<Guid>> ListedIds(HttpClient client, string path) =>
        [.. (await client.GetFromJsonAsync<JsonElement>(path, Ct)).GetProperty("items").EnumerateArray().Select(item => item.GetProperty("id").GetGuid())];

    private static JsonElement Payload(string jwt)
    {
        var part = jwt.Split('.')[1].Replace('-', '+').Replace('_', '/');
        var padded = part.PadRight(part.Length + ((4 - (part.Length % 4)) % 4), '=');
        return JsonDocument.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(padded))).RootElement.Clone();
    }
}
