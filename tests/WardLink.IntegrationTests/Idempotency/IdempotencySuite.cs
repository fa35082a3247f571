using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using WardLink.EventSourcing.Idempotency;
using WardLink.IntegrationTests.BadInput;
using WardLink.ServiceDefaults.Security;
using WardLink.Testing;

namespace WardLink.IntegrationTests.Idempotency;

/// <summary>The database of a service under test.</summary>
public static class ServiceDatabase
{
    extension<TEntryPoint>(ServiceFixture<TEntryPoint> service)
        where TEntryPoint : class
    {
        public string ConnectionString => service.Host.Services.GetRequiredService<IConfiguration>().GetConnectionString("Postgres")!;
    }
}

/// <summary>A valid creating request: where it goes and its JSON body.</summary>
public sealed record CreatingRequest(string Path, object Body);

/// <summary>What a service answered: the parts a retry must get back unchanged.</summary>
public sealed record Answer(HttpStatusCode Status, string? Location, string? ETag, string? ContentType, string Body, bool Replayed)
{
    public static async Task<Answer> Of(HttpResponseMessage response, CancellationToken ct) => new(
        response.StatusCode,
        response.Headers.Location?.OriginalString,
        response.Headers.ETag?.Tag,
        response.Content.Headers.ContentType?.ToString(),
        await response.Content.ReadAsStringAsync(ct),
        response.Headers.TryGetValues(IdempotencyKeys.ReplayedHeaderName, out var replayed) && replayed.Single() == "true");

    /// <summary>The same answer, told apart only by being a replay.</summary>
    public Answer AsReplay() => this with { Replayed = true };
}

/// <summary>
/// <c>Idempotency-Key</c> on every creating endpoint of a service: every <c>POST</c> whose OpenAPI
/// description has a 201 answer. The service's suite gives a valid request for each (a creating
/// endpoint added later fails the first test until it has one); each test runs over all of them and
/// reports every failure at once. What is stored is read from the service's <c>mt_*</c> tables.
/// </summary>
public abstract class IdempotencySuite<TEntryPoint>(ServiceFixture<TEntryPoint> service) : IClassFixture<ServiceFixture<TEntryPoint>>
    where TEntryPoint : class
{
    protected HttpClient Client { get; } = service.CreateClient();

    private readonly StoredRows _stored = new(service.ConnectionString);

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected ServiceFixture<TEntryPoint> Service => service;

    /// <summary>A valid request for each creating endpoint (<c>POST /template</c>); variants differ in their bodies.</summary>
    protected abstract IReadOnlyDictionary<string, Func<int, Task<CreatingRequest>>> Samples { get; }

    /// <summary>
    /// The creating endpoints whose body names the record it creates (a ward's id): the same body
    /// from another client names the same record, which then exists (a 409), rather than another one.
    /// </summary>
    protected virtual IReadOnlySet<string> NamedByTheirBody { get; } = new HashSet<string>();

    /// <summary>Waits until what the requests so far cause after their answer (the service's own consumers of what it published) is stored.</summary>
    protected virtual Task SettledAsync() => Task.CompletedTask;

    /// <summary>
    /// Forgetting a record's keyed requests (a tipster's erasure, a webhook's deletion) and the sweep of expired answers run inside
    /// the service's own transactions: each finds its rows by an index, or every erasure would read every answer the ward kept for
    /// 24 hours. The planner, with sequential scans priced out, still plans one where no index serves.
    /// </summary>
    [Theory]
    [InlineData("UPDATE {0} SET fingerprint = 'forgotten' WHERE record_id = '019a0000-0000-7000-8000-000000000001'")]
    [InlineData("DELETE FROM {0} WHERE record_id = '019a0000-0000-7000-8000-000000000001'")]
    [InlineData("DELETE FROM {0} WHERE expires_at <= now()")]
    public async Task Forgetting_a_record_s_keys_and_sweeping_expired_ones_use_an_index(string statement)
    {
        var schema = service.Host.Services.GetRequiredService<Marten.IDocumentStore>().Options.Events.DatabaseSchemaName;
        await using var connection = new Npgsql.NpgsqlConnection(service.ConnectionString);
        await connection.OpenAsync(Ct);
        await using var transaction = await connection.BeginTransactionAsync(Ct);
        await using (var priced = new Npgsql.NpgsqlCommand("SET LOCAL enable_seqscan = off", connection, transaction))
        {
            await priced.ExecuteNonQueryAsync(Ct);
        }

        await using var explain = new Npgsql.NpgsqlCommand("EXPLAIN " + string.Format(System.Globalization.CultureInfo.InvariantCulture, statement, $"{schema}.{IdempotencyStore.TableName}"), connection, transaction);
        var plan = new List<string>();
        await using (var reader = await explain.ExecuteReaderAsync(Ct))
        {
            while (await reader.ReadAsync(Ct))
            {
                plan.Add(reader.GetString(0));
            }
        }

        Assert.True(plan.Any(line => line.Contains(" on " + IdempotencyStore.TableName, StringComparison.Ordinal)), string.Join("\n", plan));
        Assert.DoesNotContain(plan, line => line.Contains("Seq Scan", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Every_creating_endpoint_describes_the_key_its_422_and_409_and_has_a_sample_here()
    {
        var document = (await Client.GetFromJsonAsync<JsonObject>("/openapi/v1.json", Ct))!;
        var creating = (from path in document["paths"]!.AsObject()
                        from operation in path.Value!.AsObject()
                        where operation.Key == "post" && operation.Value!["responses"]?["201"] is not null
                        select (Endpoint: $"POST {path.Key.TrimEnd('/')}", Description: operation.Value!.AsObject())).ToList();

        Assert.NotEmpty(creating);
        Assert.Equal(Samples.Keys.Order(StringComparer.Ordinal), creating.Select(operation => operation.Endpoint).Order(StringComparer.Ordinal));
        Assert.All(creating, operation =>
        {
            var key = Assert.Single(
                operation.Description["parameters"]?.AsArray() ?? [],
                parameter => (string?)parameter!["name"] == IdempotencyKeys.HeaderName && (string?)parameter["in"] == "header");
            Assert.False((bool?)key!["required"] ?? false, $"{operation.Endpoint}: the key is optional");
            Assert.Equal(200, (int?)key["schema"]?["maxLength"]);
            Assert.Equal(1, (int?)key["schema"]?["minLength"]);
            Assert.NotNull(operation.Description["responses"]?["422"]);
            Assert.NotNull(operation.Description["responses"]?["409"]);
        });
    }

    [Fact]
    public async Task A_retry_with_the_same_key_and_body_gets_the_first_answer_and_stores_nothing()
    {
        var failures = new List<string>();
        foreach (var (endpoint, sample) in Samples)
        {
            var request = await sample(0);
            var key = Guid.NewGuid().ToString();
            var first = await SendAsync(Client, request, key);
            if (first.Status != HttpStatusCode.Created || first.Replayed || first.Location is null)
            {
                failures.Add($"{endpoint}: the first request answered {first.Status} (replayed: {first.Replayed}, location {first.Location}) {first.Body}");
                continue;
            }

            var before = await StoredAsync();
            var retry = await SendAsync(Client, request, key);
            var through = await SendAsync(Client, request with { Path = "/api" + request.Path }, key);
            var slashed = await SendAsync(Client, request with { Path = WithTrailingSlash(request.Path) }, key);
            var upper = await SendAsync(Client, request with { Path = IdsInUpperCase(request.Path) }, key);
            var changed = StoredRows.Changed(before, await StoredAsync());

            failures.AddRange(
                from answer in new[]
                {
                    ("retry", retry), ("retry under the gateway's /api", through), ("retry with a trailing slash, which routing takes alike", slashed),
                    ("retry with the ids of its path in upper case, which routing takes alike", upper),
                }
                where answer.Item2 != first.AsReplay()
                select $"{endpoint}: the {answer.Item1} answered {answer.Item2}, the first {first}");
            if (changed.Count > 0)
            {
                failures.Add($"{endpoint}: the retries stored {string.Join(", ", changed)}");
            }
        }

        AssertNone(failures);
    }

    /// <summary>
    /// An answer kept for a key and changed in the database (the p-insider probe: a sealed answer's tag changed was a 500 on
    /// every retry for the key's 24 hours), each of the row's byte columns in turn set to null and to a byte that is none of
    /// what was kept, in every creating endpoint's row, sealed or in clear: a retry is the documented 409 naming the key, never a
    /// 500 nor an answer replayed from what was changed; once the row is put back, the retry replays the first answer.
    /// </summary>
    [Fact]
    public async Task A_kept_answer_changed_in_the_database_is_a_409_to_a_retry_never_a_500()
    {
        var failures = new List<string>();
        var table = $"{service.Host.Services.GetRequiredService<Marten.IDocumentStore>().Options.Events.DatabaseSchemaName}.{IdempotencyStore.TableName}";
        await using var connection = new Npgsql.NpgsqlConnection(service.ConnectionString);
        await connection.OpenAsync(Ct);
        var columns = await ScalarsAsync<string>(
            connection, $"SELECT column_name FROM information_schema.columns WHERE table_schema || '.' || table_name = '{table}' AND data_type = 'bytea' ORDER BY column_name");
        Assert.NotEmpty(columns);
        var tested = 0;
        foreach (var (endpoint, sample) in Samples)
        {
            var request = await sample(12);
            var key = Guid.NewGuid().ToString();
            var since = DateTimeOffset.UtcNow.AddSeconds(-1);
            var first = await SendAsync(Client, request, key);
            // A key is kept in its record's ward's database: one kept in another's than the service's default is not changed here.
            if ((int)first.Status is < 200 or >= 300
                || await ScalarsAsync<string>(connection, $"SELECT id FROM {table} WHERE kept_at >= '{since:O}' AND answer IS NOT NULL ORDER BY kept_at DESC LIMIT 1") is not [var row])
            {
                continue;
            }

            tested++;
            foreach (var (column, value) in columns.SelectMany(column => new[] { (column, "NULL"), (column, "'\\x00'::bytea") }))
            {
                var kept = await ScalarsAsync<byte[]?>(connection, $"SELECT {column} FROM {table} WHERE id = '{row}'");
                if (kept[0] is null && value == "NULL")
                {
                    continue;
                }

                await ExecuteAsync(connection, $"UPDATE {table} SET {column} = {value} WHERE id = '{row}'");
                var retry = await SendAsync(Client, request, key);
                if (!IsProblem(retry, 409) || !retry.Body.Contains(IdempotencyKeys.HeaderName, StringComparison.Ordinal))
                {
                    failures.Add($"{endpoint}: {column} = {value}: the retry answered {retry}");
                }

                await using (var restore = new Npgsql.NpgsqlCommand($"UPDATE {table} SET {column} = @kept WHERE id = '{row}'", connection))
                {
                    restore.Parameters.Add(new Npgsql.NpgsqlParameter("kept", NpgsqlTypes.NpgsqlDbType.Bytea) { Value = (object?)kept[0] ?? DBNull.Value });
                    await restore.ExecuteNonQueryAsync(Ct);
                }
            }

            if (await SendAsync(Client, request, key) is var replayed && replayed != first.AsReplay())
            {
                failures.Add($"{endpoint}: put back, the retry answered {replayed}, the first {first}");
            }
        }

        Assert.True(tested > 0, "no creating endpoint kept its key in the service's default database");
        AssertNone(failures);
    }

    private static async Task<List<T>> ScalarsAsync<T>(Npgsql.NpgsqlConnection connection, string sql)
    {
        await using var command = new Npgsql.NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync(Ct);
        var values = new List<T>();
        while (await reader.ReadAsync(Ct))
        {
            values.Add(reader.IsDBNull(0) ? default! : reader.GetFieldValue<T>(0));
        }

        return values;
    }

    private static async Task ExecuteAsync(Npgsql.NpgsqlConnection connection, string sql)
    {
        await using var command = new Npgsql.NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(Ct);
    }

    /// <summary><paramref name="path"/> with every id in it in upper case, as a GUID may be written.</summary>
    private static string IdsInUpperCase(string path) =>
        System.Text.RegularExpressions.Regex.Replace(path, "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", id => id.Value.ToUpperInvariant());

    private static string WithTrailingSlash(string path) => path.Contains('?', StringComparison.Ordinal) ? path.Replace("?", "/?", StringComparison.Ordinal) : path + "/";

    /// <summary>
    /// A creation's answer and its replay are as the service's document says: the headers it declares for the 201 (the
    /// record's <c>Location</c>, its <c>ETag</c> where one comes, <c>Idempotent-Replayed</c>) and a body of its schema.
    /// </summary>
    [Fact]
    public async Task A_creation_s_answer_and_its_replay_carry_the_headers_and_body_the_document_declares()
    {
        var documented = new DocumentedResponses((await Client.GetFromJsonAsync<JsonObject>("/openapi/v1.json", Ct))!);
        var failures = new List<string>();
        foreach (var (endpoint, sample) in Samples)
        {
            var request = await sample(0);
            var key = Guid.NewGuid().ToString();
            foreach (var sent in new[] { "first", "retry" })
            {
                using var response = await PostAsync(Client, request, key);
                var body = await response.Content.ReadAsStringAsync(Ct);
                failures.AddRange(documented.Check("POST", request.Path, response, body).Select(problem => $"{endpoint}: the {sent} answered {(int)response.StatusCode}, not as the document says: {problem}"));
            }
        }

        AssertNone(failures);
    }

    [Fact]
    public async Task The_same_key_with_another_body_is_a_422_problem_and_stores_nothing()
    {
        var failures = new List<string>();
        foreach (var (endpoint, sample) in Samples)
        {
            var key = Guid.NewGuid().ToString();
            var first = await SendAsync(Client, await sample(0), key);
            var other = await sample(1);
            var before = await StoredAsync();
            var reused = await SendAsync(Client, other, key);
            var changed = StoredRows.Changed(before, await StoredAsync());

            if (first.Status != HttpStatusCode.Created)
            {
                failures.Add($"{endpoint}: the first request answered {first.Status} {first.Body}");
            }

            if (reused.Status != HttpStatusCode.UnprocessableEntity || !IsProblem(reused, 422))
            {
                failures.Add($"{endpoint}: another body under the same key answered {reused.Status} {reused.Body}");
            }

            if (changed.Count > 0)
            {
                failures.Add($"{endpoint}: another body under the same key stored {string.Join(", ", changed)}");
            }

            var fresh = await SendAsync(Client, other, Guid.NewGuid().ToString());
            if (fresh.Status != HttpStatusCode.Created)
            {
                failures.Add($"{endpoint}: the other body under a new key answered {fresh.Status} {fresh.Body}");
            }
        }

        AssertNone(failures);
    }

    [Fact]
    public async Task Concurrent_requests_with_one_key_make_one_record_and_all_get_its_answer()
    {
        var failures = new List<string>();
        foreach (var (endpoint, sample) in Samples)
        {
            // Prerequisites and a year's first number are made by the first creation: warm up, then
            // compare what four concurrent requests under one key store with what one creation stores.
            await SendAsync(Client, await sample(0), Guid.NewGuid().ToString());
            var request = await sample(0);
            var key = Guid.NewGuid().ToString();
            var before = await StoredAsync();
            var answers = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => SendAsync(Client, request, key)));
            var concurrent = await StoredAsync();

            // A fresh sample: where the body names its record, the same body would name the same one.
            await SendAsync(Client, await sample(0), Guid.NewGuid().ToString());
            var single = await StoredAsync();

            var created = answers.Where(answer => !answer.Replayed).ToList();
            if (created.Count != 1 || answers.Any(answer => answer with { Replayed = true } != created[0].AsReplay()))
            {
                failures.Add($"{endpoint}: four concurrent requests under one key answered {string.Join(" | ", answers.Select(answer => answer.ToString()))}");
            }

            var fourTimes = StoredRows.Changed(before, concurrent);
            var once = StoredRows.Changed(concurrent, single);
            if (!once.Select(Growth).SequenceEqual(fourTimes.Select(Growth)))
            {
                failures.Add($"{endpoint}: one creation stored {string.Join(", ", once)}; four concurrent under one key {string.Join(", ", fourTimes)}");
            }
        }

        AssertNone(failures);
    }

    /// <summary>
    /// The same creation sent several times at once without a key is answered as the same sent one after another (its twin, a
    /// sample's other variant, on the same prerequisites): the same statuses and problems, each record made its own (a
    /// <c>Location</c> of its own that reads), never a 5xx nor a 409 for a race, where the body names its record (a ward) one
    /// made and the others told it exists. Four at a time, so both batches stay within a partner's ten webhooks.
    /// </summary>
    [Fact]
    public async Task The_same_creation_sent_several_times_at_once_is_answered_as_if_sent_one_after_another()
    {
        const int AtOnce = 4;
        var failures = new List<string>();
        var created = 0;
        foreach (var (endpoint, sample) in Samples)
        {
            // Prerequisites (a partner, a site, a route) and a year's first number are made by the first creation.
            await SendAsync(Client, await sample(0), key: null);
            var twin = await sample(1);
            var sequence = new List<Answer>();
            for (var sent = 0; sent < AtOnce; sent++)
            {
                sequence.Add(await SendAsync(Client, twin, key: null));
            }

            var request = await sample(2);
            var together = await Task.WhenAll(Enumerable.Range(0, AtOnce).Select(_ => SendAsync(Client, request, key: null)));

            var (oneAfterAnother, atOnce) = (sequence.Select(Outcome).Order(StringComparer.Ordinal).ToList(), together.Select(Outcome).Order(StringComparer.Ordinal).ToList());
            if (!oneAfterAnother.SequenceEqual(atOnce))
            {
                failures.Add($"{endpoint} sent {AtOnce} times: one after another {string.Join(" | ", oneAfterAnother)}; at once {string.Join(" | ", atOnce)}");
            }

            var made = together.Where(answer => answer.Status == HttpStatusCode.Created).ToList();
            created += made.Count;
            if (made.Select(answer => answer.Location).Distinct().Count() != made.Count)
            {
                failures.Add($"{endpoint}: {made.Count} creations at once answered the same record: {string.Join(", ", made.Select(answer => answer.Location))}");
            }

            foreach (var location in made.Select(answer => answer.Location!).Where(location => !location.Contains("/public/", StringComparison.Ordinal)))
            {
                using var read = await Client.GetAsync(location.StartsWith("/api/", StringComparison.Ordinal) ? location[4..] : location, Ct);
                if (read.StatusCode != HttpStatusCode.OK)
                {
                    failures.Add($"{endpoint}: the record created at once at {location} reads {(int)read.StatusCode}");
                }
            }
        }

        await SettledAsync();
        AssertNone(failures);
        Assert.True(created > 0, "No creation was made at once: the samples prove nothing.");
    }

    /// <summary>An answer's status and problem title, its ids and numbers (each record's own) written <c>#</c>.</summary>
    private static string Outcome(Answer answer) =>
        $"{(int)answer.Status} {(answer.ContentType?.StartsWith("application/problem+json", StringComparison.Ordinal) == true ? ProblemTitles.Generalised(JsonNode.Parse(answer.Body)?["title"]?.GetValue<string>()) : string.Empty)}";

    /// <summary>
    /// Another client is another token's subject; on an endpoint open to the public (anonymous callers allowed) another
    /// address, whatever token comes with it: there another token from the same address is the same client, and replays.
    /// </summary>
    [Fact]
    public async Task A_key_is_the_client_s_own_the_same_key_from_another_client_creates_another_record()
    {
        var other = Service.Host.CreateClient().As(TestAuth.Token(WardLinkRoles.Police, subject: "another-police-desk"));
        var openToThePublic = OpenToThePublic();
        var failures = new List<string>();
        foreach (var (endpoint, sample) in Samples)
        {
            var request = await sample(0);
            var key = Guid.NewGuid().ToString();
            var open = openToThePublic.Contains(endpoint);
            var mine = await SendAsync(Client, request, key);
            var theirs = await SendAsync(other, request, key, open ? message => message.Headers.Add("X-Forwarded-For", "198.51.100.20") : null);
            var another = NamedByTheirBody.Contains(endpoint)
                ? IsProblem(theirs, 409)
                : theirs.Status == HttpStatusCode.Created && mine.Location != theirs.Location;
            if (mine.Status != HttpStatusCode.Created || theirs.Replayed || !another)
            {
                failures.Add($"{endpoint}: one key from two clients answered {mine} and {theirs}");
            }

            if (open && await SendAsync(other, request, key) is var sameAddress && sameAddress != mine.AsReplay())
            {
                failures.Add($"{endpoint}: one key from one address with another token answered {sameAddress}, not a replay of {mine}");
            }
        }

        AssertNone(failures);
    }

    /// <summary>The service's endpoints that allow anonymous callers, as <c>POST /template</c>.</summary>
    private HashSet<string> OpenToThePublic() =>
    [
        .. from endpoint in Service.Host.Services.GetServices<EndpointDataSource>().SelectMany(source => source.Endpoints).OfType<RouteEndpoint>()
           where endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null
           from method in endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? []
           select $"{method} /{endpoint.RoutePattern.RawText!.Trim('/')}",
    ];

    [Fact]
    public async Task A_key_that_is_not_1_to_200_visible_ascii_characters_is_a_400_problem_naming_it_and_stores_nothing()
    {
        var failures = new List<string>();
        foreach (var (endpoint, sample) in Samples)
        {
            var request = await sample(0);
            foreach (var key in new[] { " ", "two words", "tab\there", new string('k', 201) })
            {
                var before = await StoredAsync();
                var answer = await SendAsync(Client, request, key);
                var changed = StoredRows.Changed(before, await StoredAsync());
                if (answer.Status != HttpStatusCode.BadRequest || !IsProblem(answer, 400)
                    || !JsonDocument.Parse(answer.Body).RootElement.GetProperty("errors").TryGetProperty(IdempotencyKeys.HeaderName, out _) || changed.Count > 0)
                {
                    failures.Add($"{endpoint}: key \"{key}\" answered {answer.Status} {answer.Body}; stored {string.Join(", ", changed)}");
                }
            }

            var longest = await SendAsync(Client, request, (Guid.NewGuid().ToString("N") + new string('~', 200))[..200]);
            if (longest.Status != HttpStatusCode.Created)
            {
                failures.Add($"{endpoint}: a key of 200 characters answered {longest.Status} {longest.Body}");
            }
        }

        AssertNone(failures);
    }

    /// <summary>What the service has stored, once what the requests so far cause has settled.</summary>
    private async Task<IReadOnlyDictionary<string, long>> StoredAsync()
    {
        await SettledAsync();
        return await _stored.CountAsync(Ct);
    }

    protected static async Task<Answer> SendAsync(HttpClient client, CreatingRequest request, string? key, Action<HttpRequestMessage>? configure = null)
    {
        using var response = await PostAsync(client, request, key, configure);
        return await Answer.Of(response, Ct);
    }

    private static async Task<HttpResponseMessage> PostAsync(HttpClient client, CreatingRequest request, string? key, Action<HttpRequestMessage>? configure = null)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, request.Path) { Content = JsonContent.Create(request.Body) };
        if (key is not null)
        {
            message.Headers.TryAddWithoutValidation(IdempotencyKeys.HeaderName, key);
        }

        configure?.Invoke(message);
        return await client.SendAsync(message, Ct);
    }

    protected static bool IsProblem(Answer answer, int status) =>
        answer.ContentType?.StartsWith("application/problem+json", StringComparison.Ordinal) == true
        && JsonDocument.Parse(answer.Body).RootElement.GetProperty("status").GetInt32() == status;

    protected static void AssertNone(List<string> failures) =>
        Assert.True(failures.Count == 0, $"{failures.Count} failures:\n{string.Join("\n", failures)}");

    /// <summary>A table and how many rows it gained, from <see cref="StoredRows.Changed"/>'s "table a → b".</summary>
    private static string Growth(string change)
    {
        var parts = change.Split(' ');
        return $"{parts[0]} +{long.Parse(parts[3], System.Globalization.CultureInfo.InvariantCulture) - long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture)}";
    }
}
