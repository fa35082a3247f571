using CsCheck;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using WardLink.Domain;
using WardLink.EventSourcing.Idempotency;
using WardLink.ServiceDefaults;
using WardLink.Testing;
using static WardLink.IntegrationTests.BadInput.JsonBodies;

namespace WardLink.IntegrationTests.BadInput;

/// <summary>
/// Bad input against every write endpoint a service describes in its OpenAPI document, so an
/// endpoint added later is covered without editing a test. Path parameters are fresh GUIDs or an
/// unknown code. The document states a limit for every text, integer and list, sent or answered (<see cref="DocumentedLimits"/>).
/// What bad input gets:
/// <list type="bullet">
/// <item>malformed JSON, a wrong type, text with a NUL character, an unknown enum value: a 4xx
/// problem (a 400 naming the field where the value is readable as JSON), never 2xx nor 5xx, and
/// nothing stored;</item>
/// <item>a value one past its documented limit (a text or list one longer than its maximum, a text
/// also as its well-formed sample padded with spaces or a line feed, as its length counts it as sent,
/// a number one over its maximum or under its minimum), in a body or a query: a 400 problem naming it
/// (a 4xx where the endpoint is not reached), nothing stored;</item>
/// <item>an empty text, or one of spaces alone, where its pattern or minimum length refuses it: a 400
/// problem naming it, nothing stored (it is no text left out: that is <c>null</c>);</item>
/// <item>a body over <c>Limits:MaxRequestBodyBytes</c>: a 413 problem, nothing stored;</item>
/// <item>script- or SQL-looking text: refused (4xx, nothing stored) where the schema constrains the
/// value (a format, a pattern); in free text it may be accepted, but only as data: never a 5xx,
/// answered JSON-escaped, returned verbatim where the answer shows it, and the tables intact.</item>
/// </list>
/// Each test runs one kind of case over all endpoints and reports every failure at once.
/// </summary>
public abstract partial class BadInputSuite<TEntryPoint>(ServiceFixture<TEntryPoint> service)
    where TEntryPoint : class
{
    public const string Script = "<script>alert(1)</script>";
    public const string Sql = "'; DROP TABLE mt_events; --";

    private readonly HttpClient _client = service.CreateClient();
    private readonly StoredRows _stored = new(service.Host.Services.GetRequiredService<IConfiguration>().GetConnectionString("Postgres")!);

    private int _requests;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_write_endpoint_is_described_and_each_that_reads_a_body_has_its_schema()
    {
        var described = await WriteEndpoint.DescribedByAsync(_client, Ct);
        var mapped = WriteEndpoint.MappedBy(service.Host.Services);

        Assert.NotEmpty(mapped);
        Assert.Equal(mapped.Keys.Order(StringComparer.Ordinal), described.Select(endpoint => endpoint.ToString()).Order(StringComparer.Ordinal));
        Assert.All(
            described.Where(endpoint => mapped[endpoint.ToString()]),
            endpoint => Assert.True(endpoint.Body is { Kind: SchemaKind.Record }, $"{endpoint} reads a body but describes no object schema to fuzz."));
    }

    [Fact]
    public async Task Malformed_json_is_a_4xx_problem_and_stores_nothing()
    {
        var failures = new List<string>();
        foreach (var endpoint in await EndpointsAsync())
        {
            if (endpoint.Body is null)
            {
                failures.AddRange(await RefusedAsync(endpoint, "a body where none is read", Json("this is not JSON")));
                continue;
            }

            var sample = endpoint.Body.Sample()!.ToJsonString();
            failures.AddRange(await RefusedAsync(endpoint, "truncated JSON", Json(sample[..(sample.Length / 2)])));
            failures.AddRange(await RefusedAsync(endpoint, "trailing garbage", Json(sample + " }garbage")));
            failures.AddRange(await RefusedAsync(endpoint, "not JSON", Json("this is not JSON")));
            failures.AddRange(await RefusedAsync(endpoint, "an empty body", Json(string.Empty)));
            failures.AddRange(await RefusedAsync(endpoint, "a JSON null body", Json("null")));
            failures.AddRange(await RefusedAsync(endpoint, "a JSON array body", Json("[]"), "body"));
            failures.AddRange(await RefusedAsync(endpoint, "a JSON string body", Json("\"text\""), "body"));
            failures.AddRange(await RefusedAsync(endpoint, "a text/plain body", new StringContent(sample, Encoding.UTF8, "text/plain")));
            failures.AddRange(await RefusedAsync(endpoint, "a JSON null body after a byte order mark", new ByteArrayContent([.. Encoding.UTF8.Preamble, .. "null"u8]) { Headers = { ContentType = new("application/json") } }, "body"));
            foreach (var coding in new[] { "gzip", "br", "deflate", "identity, gzip", "x-unknown" })
            {
                var encoded = Json(sample);
                encoded.Headers.TryAddWithoutValidation("Content-Encoding", coding);
                failures.AddRange(await RefusedAsync(endpoint, $"a body in content coding {coding}", encoded, status: 415));
            }
        }

        AssertNone(failures);
    }

    /// <summary>
    /// A body that is not JSON (a comment, a trailing comma, single quotes, <c>NaN</c>, a second value, cut short) is told so and
    /// where the reader stopped, in the API's words: it was told only "The value is not valid here.", which sent a partner
    /// looking for a wrong value in a body that did not read at all.
    /// </summary>
    [Fact]
    public async Task A_body_that_is_not_JSON_is_a_400_saying_so_and_where_the_reader_stopped()
    {
        var failures = new List<string>();
        foreach (var endpoint in (await EndpointsAsync()).Where(endpoint => endpoint.Body is not null))
        {
            var sample = endpoint.Body!.Sample()!.ToJsonString();
            foreach (var (what, body) in new[]
            {
                ("a comment", "/* note */" + sample), ("a trailing comma", sample[..^1] + ",}"), ("single quotes", sample.Replace('"', '\'')),
                ("NaN", "NaN"), ("a second value", sample + " {}"), ("cut short", sample[..(sample.Length / 2)]),
            })
            {
                var answer = await SendAsync(endpoint, Json(body));
                failures.AddRange(RefusalFailures($"{endpoint}", what, answer, null, 400));
                if (answer.Status == 400 && !(answer.Body.Contains("is not JSON", StringComparison.Ordinal) && answer.Body.Contains("line 1", StringComparison.Ordinal)))
                {
                    failures.Add($"{endpoint}, {what}: not told the body is not JSON and where ({Shortened(answer.Body)})");
                }
            }
        }

        AssertNone(failures);
    }

    [Fact]
    public async Task A_value_of_the_wrong_type_or_one_that_cannot_be_stored_is_a_400_problem_naming_it_and_stores_nothing()
    {
        var failures = new List<string>();
        foreach (var endpoint in await EndpointsAsync())
        {
            foreach (var (path, schema) in endpoint.Body?.Values() ?? [])
            {
                foreach (var wrong in WrongValuesFor(schema))
                {
                    failures.AddRange(await RefusedAsync(
                        endpoint, $"{path} = {wrong?.ToJsonString() ?? "null"}", Json(SampleWith(endpoint.Body!, path, wrong)), path));
                }
            }
        }

        AssertNone(failures);
    }

    /// <summary>
    /// A body's value of another kind than its property's is refused saying what the property takes, in the API's words
    /// (docs/api.md: "A text (a JSON string).", "A local date (yyyy-MM-dd) that exists.", an id's form…), for every text, date,
    /// id, number, whole number and boolean of every body: since .NET 10 System.Text.Json names the record holding the value,
    /// not its type, and every one of them said only "The value is not valid here.".
    /// </summary>
    [Fact]
    public async Task A_value_of_another_kind_is_told_what_its_property_takes()
    {
        var failures = new List<string>();
        var told = 0;
        foreach (var endpoint in await EndpointsAsync())
        {
            foreach (var (path, schema) in endpoint.Body?.Values() ?? [])
            {
                (JsonNode? Wrong, string Takes)? expected = schema switch
                {
                    { Kind: SchemaKind.Text, Format: null } => (42, "A text (a JSON string)."),
                    { Kind: SchemaKind.Text, Format: "date" } => ("2023-02-29", "A local date (yyyy-MM-dd) that exists."),
                    { Kind: SchemaKind.Text, Format: "uuid" } => (42, QueryForms.IdForm),
                    { Kind: SchemaKind.Number } => (true, "A number."),
                    { Kind: SchemaKind.WholeNumber } => (true, "A whole number"),
                    { Kind: SchemaKind.Boolean } => ("yes", "true or false."),
                    { Kind: SchemaKind.Enum } => (42, $"One of: {string.Join(", ", schema.EnumValues)}."),
                    _ => null,
                };
                if (expected is not var (wrong, takes))
                {
                    continue;
                }

                var answer = await SendAsync(endpoint, Json(SampleWith(endpoint.Body!, path, wrong)));
                told++;
                if (!IsProblem(answer, out var problem) || !problem.TryGetProperty("errors", out var errors)
                    || !errors.EnumerateObject().Any(error => string.Equals(error.Name, path, StringComparison.OrdinalIgnoreCase)
                        && error.Value.EnumerateArray().Any(message => message.GetString()?.Contains(takes, StringComparison.Ordinal) == true)))
                {
                    failures.Add($"{endpoint}, {path} = {wrong?.ToJsonString()}: not told \"{takes}\" ({answer.Status} {Shortened(answer.Body)})");
                }
            }
        }

        Assert.True(told > 0, "No value of another kind was sent.");
        AssertNone(failures);
    }

    /// <summary>
    /// A number is a JSON number, as the document types it: one sent as text (<c>"5"</c>) is a 400 naming it (text was read
    /// past the pattern and length the document stated: <c>"+5"</c>, <c>"007"</c>, fourteen digits); and a whole number is any
    /// JSON number of no fraction, as JSON Schema's <c>integer</c> takes it (<c>5.0</c>, <c>5E0</c> were refused), for every
    /// number of every body.
    /// </summary>
    [Fact]
    public async Task A_number_is_a_JSON_number_and_a_whole_number_any_number_of_no_fraction()
    {
        var failures = new List<string>();
        var sent = 0;
        foreach (var endpoint in await EndpointsAsync())
        {
            foreach (var (path, schema) in endpoint.Body?.Values() ?? [])
            {
                if (schema.Kind is not (SchemaKind.Number or SchemaKind.WholeNumber))
                {
                    continue;
                }

                var value = Math.Max(schema.Minimum ?? 0, 0);
                sent++;
                failures.AddRange(await RefusedAsync(endpoint, $"{path} = \"{value}\"", Json(SampleWith(endpoint.Body!, path, $"{value}")), path));
                if (schema.Kind == SchemaKind.WholeNumber)
                {
                    foreach (var written in new[] { $"{value}.0", $"{value}E0", $"{value * 10}e-1" })
                    {
                        var answer = await SendAsync(endpoint, Json(SampleWith(endpoint.Body!, path, JsonNode.Parse(written))));
                        if (answer.Status >= 500 || (answer.Status == 400 && IsProblem(answer, out var problem) && NamesField(problem, path)))
                        {
                            failures.Add($"{endpoint}, {path} = {written}: refused ({answer.Status} {Shortened(answer.Body)})");
                        }
                    }
                }
            }
        }

        Assert.True(sent > 0, "No number was sent.");
        AssertNone(failures);
    }

    /// <summary>
    /// A list is refused empty exactly where the document says so (<c>minItems</c>): a route's checkpoints, a schedule's days, a
    /// webhook's events… were refused empty though their schemas took an empty list. Every list of every body is sent empty (the
    /// tips' and incidents' bodies hold none), a step's on a stored record of each kind (<see cref="ListAddressesAsync"/>).
    /// </summary>
    [Fact]
    public async Task A_list_is_refused_empty_exactly_where_the_document_states_its_least_items()
    {
        var failures = new List<string>();
        foreach (var endpoint in await EndpointsAsync())
        {
            foreach (var (path, schema) in (endpoint.Body?.Values() ?? []).Where(value => value.Schema.Kind == SchemaKind.Array))
            {
                var judged = false;
                foreach (var address in await ListAddressesAsync(endpoint))
                {
                    var answer = await SendAsync(endpoint.Method, address, Json(SampleWith(endpoint.Body!, path, new JsonArray())));
                    judged |= answer.Status != 404;

                    // Where the document states least items, an empty list is not taken (another refusal, an unknown record's 404,
                    // may come first); where it states none, an empty list is not refused for itself.
                    var refusedEmpty = answer.Status == 400 && IsProblem(answer, out var problem) && NamesField(problem, path);
                    if (schema.MinItems is > 0 ? answer.Status is >= 200 and < 300 : refusedEmpty)
                    {
                        failures.Add($"{endpoint} at {address}, {path} = []: {(refusedEmpty ? "refused, the document states no minItems" : "taken, the document states minItems")} ({answer.Status} {Shortened(answer.Body)})");
                    }
                }

                failures.AddRange(judged ? [] : [$"{endpoint}, {path} = []: every answer a 404, so the list was judged on no record"]);
            }
        }

        AssertNone(failures);
    }

    /// <summary>
    /// Where <paramref name="endpoint"/> is sent a list: a new record's address, or, where its path names records, its
    /// addresses on a stored record of each kind (<see cref="AddressesOnAsync"/>): sent to ids nobody has, a step's list was
    /// never judged (its 404 came first), so an empty or repeated list it took or refused went unseen.
    /// </summary>
    private async Task<IReadOnlyList<string>> ListAddressesAsync(WriteEndpoint endpoint)
    {
        if (!endpoint.Parameters.Any(parameter => parameter.IsGuid))
        {
            return [endpoint.Address()];
        }

        var streams = (await RecordEveryKindAsync()).Where(stream => !stream.IsInternal).ToList();
        return await AddressesOnEachAsync(endpoint, streams, streams);
    }

    /// <summary>
    /// A list is refused with an item given twice exactly where the document says so (<c>uniqueItems</c>): a schedule's days
    /// were refused with a day twice though the schema took it. Every list of every body is sent with its sample item twice;
    /// where the document states no <c>uniqueItems</c>, a repeat is not refused for itself (the service keeps one of each). The
    /// tips' and incidents' bodies hold no list. A step's list is sent on a stored record of each kind (<see cref="ListAddressesAsync"/>).
    /// </summary>
    [Fact]
    public async Task A_list_is_refused_with_an_item_twice_exactly_where_the_document_states_unique_items()
    {
        var failures = new List<string>();
        foreach (var endpoint in await EndpointsAsync())
        {
            foreach (var (path, schema) in (endpoint.Body?.Values() ?? []).Where(value => value.Schema.Kind == SchemaKind.Array))
            {
                var item = schema.Items.Sample();
                var twice = new JsonArray(item?.DeepClone(), item?.DeepClone());
                var judged = false;
                foreach (var address in await ListAddressesAsync(endpoint))
                {
                    var answer = await SendAsync(endpoint.Method, address, Json(SampleWith(endpoint.Body!, path, twice.DeepClone())));
                    var once = await SendAsync(endpoint.Method, address, Json(SampleWith(endpoint.Body!, path, new JsonArray(item?.DeepClone()))));
                    judged |= answer.Status != 404;

                    // Refused for the repeat: the list named, and not as it is with its item once (an unknown id is named either way).
                    var refused = answer.Status == 400 && IsProblem(answer, out var problem) && NamesField(problem, path)
                        && !(IsProblem(once, out var alone) && ErrorsOf(alone, path).SequenceEqual(ErrorsOf(problem, path), StringComparer.Ordinal));
                    if (schema.UniqueItems ? answer.Status is >= 200 and < 300 : refused)
                    {
                        failures.Add($"{endpoint} at {address}, {path} = {twice.ToJsonString()}: {(refused ? "refused, the document states no uniqueItems" : "taken, the document states uniqueItems")} ({answer.Status} {Shortened(answer.Body)})");
                    }
                }

                failures.AddRange(judged ? [] : [$"{endpoint}, {path} = {twice.ToJsonString()}: every answer a 404, so the list was judged on no record"]);
            }
        }

        AssertNone(failures);
    }

    /// <summary>
    /// A property given twice (<c>{"category":"theft","category":"drugs"}</c>) is ambiguous: a reader that keeps the
    /// first and one that keeps the last (a proxy, a partner's logger, the service) would act on different requests.
    /// </summary>
    [Fact]
    public async Task A_property_given_twice_is_a_400_problem_naming_it_and_stores_nothing()
    {
        const string Marker = "given-twice-marker";
        var failures = new List<string>();
        var properties = 0;
        foreach (var endpoint in await EndpointsAsync())
        {
            foreach (var (path, schema) in endpoint.Body?.Values().Where(value => !value.Path.EndsWith(']')) ?? [])
            {
                properties++;
                var name = PathSegment().Matches(path)[^1].Value;
                var value = schema.Sample()?.ToJsonString() ?? "null";
                var twice = $"\"{name}\":{value},\"{name}\":{value}";
                var body = SampleWith(endpoint.Body!, path, Marker).Replace($"\"{name}\":\"{Marker}\"", twice, StringComparison.Ordinal);
                var answer = await SendAsync(endpoint, Json(body));
                failures.AddRange(RefusalFailures($"{endpoint}", $"{path} given twice ({twice})", answer, path, 400));
                if (!answer.Body.Contains("given more than once", StringComparison.Ordinal) || answer.Body.Contains("deserialization", StringComparison.Ordinal))
                {
                    failures.Add($"{endpoint}, {path} given twice: the problem does not say so in the API's words: {Shortened(answer.Body)}");
                }
            }
        }

        Assert.True(properties > 0, "No write endpoint has a property to give twice.");
        AssertNone(failures);
    }

    /// <summary>
    /// A property no schema of the body names is refused, not ignored: one in another letter case (<c>Name</c> for
    /// <c>name</c>), which a partner's validator reads as another property (and the required one as missing), a misspelt
    /// one, whose value would be lost unseen, and one added beside the others, at every object of the body, nested ones and
    /// those in lists too. The document says so (<c>additionalProperties: false</c> on every object a body holds). So is each
    /// property the service's own type of the body has and the document does not name (what the endpoint sets itself: a
    /// tip's <c>number</c>, its <c>ward</c>, a message's <c>author</c>), which a body naming it had read and dropped.
    /// </summary>
    [Fact]
    public async Task A_property_the_document_does_not_name_is_a_400_problem_naming_it_and_stores_nothing()
    {
        var failures = new List<string>();
        var objects = 0;
        var bodyTypes = WriteEndpoint.BodyTypesMappedBy(service.Host.Services);
        foreach (var endpoint in await EndpointsAsync())
        {
            var records = endpoint.Body is { Kind: SchemaKind.Record } body
                ? endpoint.Body.Values().Where(value => value.Schema.Kind == SchemaKind.Record).Prepend((Path: string.Empty, Schema: body))
                : [];
            foreach (var (path, schema) in records)
            {
                objects++;
                if (schema.AdditionalPropertiesAllowed)
                {
                    failures.Add($"{endpoint}, {(path.Length == 0 ? "the body" : path)}: the document allows properties it does not name");
                }

                var at = path.Length == 0 ? string.Empty : $"{path}.";
                var sample = schema.Sample()!.AsObject();
                var unnamed = new List<(string What, string Name, JsonObject Value)>
                {
                    ("a property added", "zzNotInTheDocument", new JsonObject(sample.Select(property => KeyValuePair.Create(property.Key, property.Value?.DeepClone())).Append(KeyValuePair.Create("zzNotInTheDocument", (JsonNode?)"x")))),
                };
                foreach (var name in sample.Select(property => property.Key))
                {
                    foreach (var (what, other) in Misnamings.Of(name))
                    {
                        unnamed.Add(($"{name} {what}", other, new JsonObject(sample.Select(property => KeyValuePair.Create(property.Key == name ? other : property.Key, property.Value?.DeepClone())))));
                    }
                }

                var named = schema.Properties.Select(property => property.Name).ToHashSet(StringComparer.Ordinal);
                foreach (var own in path.Length == 0 && bodyTypes.TryGetValue($"{endpoint}", out var type) ? JsonNamesOf(type).Where(name => !named.Contains(name)) : [])
                {
                    unnamed.Add(("a property of the service's own type", own, new JsonObject(sample.Select(property => KeyValuePair.Create(property.Key, property.Value?.DeepClone())).Append(KeyValuePair.Create(own, (JsonNode?)"x")))));
                }

                foreach (var (what, name, value) in unnamed)
                {
                    var sent = path.Length == 0 ? value.ToJsonString() : SampleWithJson(endpoint.Body!, path, value.ToJsonString());
                    var answer = await SendAsync(endpoint, Json(sent));
                    failures.AddRange(RefusalFailures($"{endpoint}", $"{at}{what} ({name})", answer, at + name, 400));
                    if (answer.Status == 400 && !answer.Body.Contains("does not name", StringComparison.Ordinal))
                    {
                        failures.Add($"{endpoint}, {at}{what}: the problem does not say so in the API's words: {Shortened(answer.Body)}");
                    }
                }
            }
        }

        Assert.True(objects > 0, "No write endpoint reads an object.");
        AssertNone(failures);
    }

    /// <summary>The JSON names of <paramref name="type"/>'s public properties, as the services' options name them, ignored ones too.</summary>
    private static IEnumerable<string> JsonNamesOf(Type type) =>
        type.GetProperties(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance)
            .Where(property => property.GetIndexParameters().Length == 0)
            .Select(property => property.GetCustomAttributes(typeof(System.Text.Json.Serialization.JsonPropertyNameAttribute), true) is [System.Text.Json.Serialization.JsonPropertyNameAttribute given]
                ? given.Name
                : JsonNamingPolicy.CamelCase.ConvertName(property.Name));

    [Fact]
    public async Task An_unknown_enum_value_is_a_400_problem_naming_it_and_stores_nothing()
    {
        var failures = new List<string>();
        var enums = 0;
        foreach (var endpoint in await EndpointsAsync())
        {
            foreach (var (path, schema) in endpoint.Body?.Values().Where(value => value.Schema.Kind == SchemaKind.Enum) ?? [])
            {
                enums++;
                var names = schema.EnumValues;

                // Enum.TryParse would read a comma list as one value ("theft, drugs" as drugs) and digits as a number.
                foreach (var unknown in new[] { "notAValue", string.Empty, "1", "0", Script, $"{names[0]}, {names[^1]}", $"{names[0]},{names[0]}", $" {names[0]}" })
                {
                    failures.AddRange(await RefusedAsync(endpoint, $"{path} = \"{unknown}\"", Json(SampleWith(endpoint.Body!, path, unknown)), path));
                }
            }
        }

        Assert.True(enums > 0, "No write endpoint has an enum value to fuzz.");
        AssertNone(failures);
    }

    [Fact]
    public async Task A_missing_or_null_body_is_a_400_problem_naming_the_body_wherever_one_is_required_and_stores_nothing()
    {
        var failures = new List<string>();
        foreach (var endpoint in await EndpointsAsync())
        {
            if (endpoint.Body is null)
            {
                continue;
            }

            if (!endpoint.BodyRequired)
            {
                // A body declared optional (ending a shift: "{ at }" or nothing) is read as no body: never a 5xx.
                foreach (var (what, content) in new (string, HttpContent?)[] { ("no body", null), ("a JSON null body", Json("null")) })
                {
                    var answer = await SendAsync(endpoint, content);
                    if (answer.Status >= 500)
                    {
                        failures.Add($"{endpoint}, {what} where the body is optional: {answer.Status} {Shortened(answer.Body)}");
                    }
                }

                continue;
            }

            failures.AddRange(await RefusedAsync(endpoint, "no body", null, RequestChecks.BodyField, 400));
            failures.AddRange(await RefusedAsync(endpoint, "an empty JSON body", Json(string.Empty), RequestChecks.BodyField, 400));
            failures.AddRange(await RefusedAsync(endpoint, "a JSON null body", Json("null"), RequestChecks.BodyField, 400));
            failures.AddRange(await RefusedAsync(endpoint, "a JSON null body among whitespace", Json(" \r\n null \t"), RequestChecks.BodyField, 400));
            failures.AddRange(await RefusedAsync(endpoint, "a chunked JSON null body", Chunked("null"), RequestChecks.BodyField, 400));
        }

        AssertNone(failures);
    }

    /// <summary>
    /// The empty GUID names nothing wherever an id is sent: in a body too, each id of a list among them, it is a 400 naming
    /// that value and saying so (a schedule's partner ids were told "Up to 20 partner ids.", a meeting's "Unknown partners").
    /// </summary>
    [Fact]
    public async Task The_empty_guid_as_an_id_in_a_body_is_a_400_problem_naming_it_saying_it_names_nothing_and_stores_nothing()
    {
        var failures = new List<string>();
        var ids = 0;
        foreach (var endpoint in await EndpointsAsync())
        {
            foreach (var (path, schema) in endpoint.Body?.Values().Where(value => value.Schema is { Kind: SchemaKind.Text, Format: "uuid" }) ?? [])
            {
                ids++;
                if (!schema.RefusesEmptyId)
                {
                    failures.Add($"{endpoint}, {path}: the document does not say the empty GUID is refused");
                }

                var answer = await SendAsync(endpoint, Json(SampleWith(endpoint.Body!, path, Guid.Empty.ToString())));
                failures.AddRange(RefusalFailures($"{endpoint}", $"{path} = the empty GUID", answer, path, 400));
                if (RefusedWithout(answer, path, RequestChecks.EmptyId))
                {
                    failures.Add($"{endpoint}, {path} = the empty GUID: not told it names nothing ({Shortened(answer.Body)})");
                }
            }
        }

        Assert.True(ids > 0, "No write endpoint takes an id in its body.");
        AssertNone(failures);
    }

    /// <summary>The empty GUID names nothing in a query either (<c>?siteId=</c>): a 400 naming it, saying so, not a list filtered by no site.</summary>
    [Fact]
    public async Task The_empty_guid_as_an_id_in_a_query_is_a_400_problem_naming_it_saying_it_names_nothing_and_stores_nothing()
    {
        var failures = new List<string>();
        foreach (var operation in await QueriedOperation.DescribedByAsync(_client, Ct))
        {
            foreach (var (name, schema) in operation.Query.Where(parameter => parameter.Schema.Format == "uuid"))
            {
                if (!schema.RefusesEmptyId)
                {
                    failures.Add($"{operation}, ?{name}: the document does not say the empty GUID is refused");
                }

                var answer = await SendAsync(operation.Method, operation.Address(name, Guid.Empty.ToString()), operation.Body is { } body ? Json(body.Sample()!.ToJsonString()) : null);
                failures.AddRange(RefusalFailures($"{operation}", $"?{name}= the empty GUID", answer, name, 400));
                if (answer.Status == 400 && IsProblem(answer, out var problem) && !ErrorsOf(problem, name).Contains(RequestChecks.EmptyId))
                {
                    failures.Add($"{operation}, ?{name}= the empty GUID: not told it names nothing ({Shortened(answer.Body)})");
                }
            }
        }

        AssertNone(failures);
    }

    [Fact]
    public async Task The_empty_guid_as_a_path_id_is_a_400_problem_naming_it_and_stores_nothing()
    {
        var failures = new List<string>();
        var ids = 0;
        foreach (var endpoint in await EndpointsAsync())
        {
            foreach (var parameter in endpoint.Parameters.Where(parameter => parameter.IsGuid))
            {
                ids++;
                failures.AddRange(await RefusedAsync(
                    endpoint, $"{parameter.Name} = the empty GUID", Json(endpoint.Body?.Sample()?.ToJsonString() ?? "{}"), parameter.Name, 400, emptyId: parameter.Name));
            }
        }

        Assert.True(ids > 0, "No write endpoint has a GUID path parameter.");
        AssertNone(failures);
    }

    /// <summary>
    /// Path values no client should send, in every parameter of every operation: over-long (also
    /// past Kestrel's 8 KB request line, which this in-process client does not enforce), with letters
    /// outside ASCII, with a slash or a space, a GUID one character too long or without its dashes:
    /// a 4xx problem, nothing stored. (A NUL character never reaches the application: Kestrel
    /// refuses it, and this client cannot send it.)
    /// </summary>
    [Fact]
    public async Task Over_long_or_malformed_path_values_are_a_4xx_problem_for_every_operation_and_store_nothing()
    {
        (string What, string Escaped)[] values =
        [
            ("1,000 characters", new string('x', 1_000)),
            ("10,000 characters", new string('x', 10_000)),
            ("letters outside ASCII", Uri.EscapeDataString("ñ中文ẞ\u0301")),
            ("an escaped slash and a space", Uri.EscapeDataString("../a b")),
            ("a GUID and one more digit", Guid.NewGuid() + "0"),
            ("a GUID without its dashes", Guid.NewGuid().ToString("N")),
        ];
        var failures = new List<string>();
        var sent = 0;
        foreach (var operation in await PathOperation.DescribedByAsync(_client, Ct))
        {
            foreach (var parameter in operation.Parameters)
            {
                foreach (var (what, escaped) in values)
                {
                    sent++;
                    var answer = await SendAsync(operation.Method, operation.Address(parameter.Name, escaped), operation.Body is null ? null : Json(operation.Body.Sample()!.ToJsonString()));
                    failures.AddRange(RefusalFailures($"{operation}", $"{parameter.Name} = {what}", answer, null, null));
                }
            }
        }

        Assert.True(sent > 0, "No operation has a path parameter.");
        AssertNone(failures);
    }

    /// <summary>
    /// An id in a path is the 36 characters the document states (8-4-4-4-12 hexadecimal digits with hyphens): written in braces,
    /// in parentheses or as 32 digits without its hyphens, with white space around it, or with a sign <c>+</c> in place of a
    /// group's leading zero (all of which .NET reads as the same id) it is past that or not that, a 400 naming it in every
    /// operation, before anything is looked up, as an id in a query is.
    /// </summary>
    [Fact]
    public async Task An_id_in_a_path_written_otherwise_than_the_document_says_is_a_400_naming_it_and_stores_nothing()
    {
        var id = Guid.NewGuid();
        string[] spellings = [$"{{{id}}}", $"({id})", id.ToString("N"), id.ToString("X"), $" {id}", $"{id} ", $"{id}\t", $"\n{id}", .. SignedSpellings()];
        var failures = new List<string>();
        var sent = 0;
        foreach (var operation in await PathOperation.DescribedByAsync(_client, Ct))
        {
            foreach (var parameter in operation.Parameters.Where(parameter => parameter.IsGuid))
            {
                foreach (var spelling in spellings)
                {
                    sent++;
                    var answer = await SendAsync(operation.Method, operation.Address(parameter.Name, Uri.EscapeDataString(spelling)), operation.Body is null ? null : Json(operation.Body.Sample()!.ToJsonString()));
                    failures.AddRange(RefusalFailures($"{operation}", $"{parameter.Name} = {spelling}", answer, parameter.Name, 400));
                }
            }
        }

        Assert.True(sent > 0, "No operation has an id in its path.");
        AssertNone(failures);
    }

    /// <summary>
    /// A step on a record (a write with a path id that answers 200 or 204) is appended against the version it read
    /// (<c>If-Match</c>): its description says it may answer 412 (stale) and 409 (refused, or a lost race), and 404.
    /// The anonymous follow-up (<c>/public/</c>) reads no <c>If-Match</c> (a version would tell the public how often
    /// the police acted on the tip), so only its 404 and 409 are asked for. An operation declares the <c>If-Match</c> header
    /// exactly when it describes a 412, so a client generated from the document sends the ETag it read.
    /// </summary>
    private static readonly string[] StepAnswers = ["404", "409", "412"];

    [Fact]
    public async Task Every_step_on_a_record_describes_its_404_409_and_412_and_the_If_Match_it_reads()
    {
        var document = (await _client.GetFromJsonAsync<JsonObject>("/openapi/v1.json", Ct))!;
        var steps = (from path in document["paths"]!.AsObject()
                     where path.Key.Contains('{', StringComparison.Ordinal)
                     from operation in path.Value!.AsObject()
                     where operation.Key is "post" or "put" or "delete" or "patch"
                     let responses = operation.Value!["responses"]!.AsObject()
                     where responses.ContainsKey("200") || responses.ContainsKey("204")
                     select (Name: $"{operation.Key.ToUpperInvariant()} {path.Key}", Responses: responses)).ToList();
        var ifMatch = (from path in document["paths"]!.AsObject()
                       from operation in path.Value!.AsObject()
                       let declares = (operation.Value!["parameters"]?.AsArray() ?? []).Any(parameter =>
                           (string?)parameter!["in"] == "header" && (string?)parameter["name"] == "If-Match" && parameter["required"]?.GetValue<bool>() != true)
                       where declares != operation.Value!["responses"]!.AsObject().ContainsKey("412")
                       select $"{operation.Key.ToUpperInvariant()} {path.Key}: {(declares ? "an If-Match header and no 412" : "a 412 and no optional If-Match header")}").ToList();

        var missing = steps
            .SelectMany(step => StepAnswers
                .Where(status => !step.Responses.ContainsKey(status) && !(status == "412" && step.Name.Contains(" /public/", StringComparison.Ordinal)))
                .Select(status => $"{step.Name}: no {status}"))
            .Concat(ifMatch)
            .ToList();

        Assert.NotEmpty(steps);
        Assert.True(missing.Count == 0, $"{missing.Count} answer(s) a step can give not described:\n{string.Join("\n", missing)}");
    }

    /// <summary>
    /// Every ward or province id the document describes (a text of the ward id's pattern: a parameter, a body's field, an
    /// answer's) states the lengths every request takes: a one-letter id matches the pattern but names no ward.
    /// </summary>
    [Fact]
    public async Task Every_ward_id_the_document_describes_states_the_lengths_the_service_takes()
    {
        var document = (await _client.GetFromJsonAsync<JsonObject>("/openapi/v1.json", Ct))!;
        var ids = new List<string>();
        var wrong = new List<string>();
        Walk(document, "#");

        Assert.NotEmpty(ids);
        Assert.True(wrong.Count == 0, $"{wrong.Count} ward id(s) stating other lengths than {WardNames.MinIdLength} to {WardNames.MaxIdLength}:\n{string.Join("\n", wrong)}");

        void Walk(JsonNode? node, string at)
        {
            if (node is JsonObject schema)
            {
                if (schema["pattern"]?.GetValue<string>() == WardNames.IdPattern)
                {
                    ids.Add(at);
                    if ((int?)schema["minLength"] != WardNames.MinIdLength || (int?)schema["maxLength"] != WardNames.MaxIdLength)
                    {
                        wrong.Add($"{at}: minLength {schema["minLength"]}, maxLength {schema["maxLength"]}");
                    }
                }

                foreach (var (name, value) in schema)
                {
                    Walk(value, $"{at}/{name}");
                }
            }
            else if (node is JsonArray items)
            {
                for (var i = 0; i < items.Count; i++)
                {
                    Walk(items[i], $"{at}/{i}");
                }
            }
        }
    }

    [Fact]
    public async Task The_document_states_a_limit_for_every_text_integer_and_list_sent_or_answered_and_every_operation_its_success_response()
    {
        var document = (await _client.GetFromJsonAsync<JsonObject>("/openapi/v1.json", Ct))!;

        var missing = DocumentedLimits.MissingIn(document);

        Assert.True(missing.Count == 0, $"{missing.Count} value(s) without a documented limit:\n{string.Join("\n", missing)}");
    }

    [Fact]
    public async Task Every_figure_a_statistic_answers_says_what_it_counts()
    {
        var document = (await _client.GetFromJsonAsync<JsonObject>("/openapi/v1.json", Ct))!;

        var undescribed = DocumentedFigures.UndescribedIn(document);

        Assert.True(undescribed.Count == 0, $"{undescribed.Count} figure(s) without a description:\n{string.Join("\n", undescribed)}");
    }

    [Fact]
    public async Task No_schema_of_the_document_refuses_a_null_its_type_allows()
    {
        var document = (await _client.GetFromJsonAsync<JsonObject>("/openapi/v1.json", Ct))!;

        var refused = DocumentedNulls.RefusedIn(document);

        Assert.True(refused.Count == 0, $"{refused.Count} schema(s) refusing a null their type allows:\n{string.Join("\n", refused)}");
    }

    /// <summary>
    /// A partner's validator reads the document's patterns as ECMAScript's regular expressions; the service checks its texts
    /// with .NET's engine (and .NET wrote the patterns of numbers sent as text): each pattern must take the same texts in both,
    /// tried on generated texts of the characters where the two engines' classes differ (<see cref="EcmaScriptPatterns"/>).
    /// </summary>
    [Fact]
    public async Task Every_pattern_the_document_states_takes_in_ECMAScript_what_it_takes_in_dotnet()
    {
        var document = (await _client.GetFromJsonAsync<JsonObject>("/openapi/v1.json", Ct))!;
        var patterns = DocumentObjects.In(document)
            .Select(found => found.Object["pattern"])
            .OfType<JsonValue>()
            .Select(pattern => pattern.GetValue<string>())
            .Distinct(StringComparer.Ordinal)
            .ToList();
        Assert.NotEmpty(patterns);

        var differing = new List<string>();
        foreach (var pattern in patterns)
        {
            using var ecmaScript = EcmaScriptPatterns.Read(pattern);
            EcmaScriptPatterns.Texts
                .Where(text => !text.EndsWith('\n'))
                .Sample(
                    text =>
                    {
                        if (ecmaScript.Finds(text) != EcmaScriptPatterns.DotNetFinds(pattern, text))
                        {
                            differing.Add($"{pattern}: ECMAScript {ecmaScript.Finds(text)} for '{EcmaScriptPatterns.Escaped(text)}'");
                        }
                    },
                    iter: 1000,
                    threads: 1);
        }

        Assert.True(differing.Count == 0, $"{differing.Count} text(s) read otherwise by the two engines:\n{string.Join("\n", differing.Distinct().Take(20))}");
    }

    [Fact]
    public async Task A_text_list_or_number_past_its_documented_limit_is_a_4xx_problem_naming_it_and_stores_nothing()
    {
        var failures = new List<string>();
        foreach (var endpoint in await EndpointsAsync())
        {
            foreach (var (path, schema) in endpoint.Body?.Values() ?? [])
            {
                foreach (var (what, value) in PastItsLimit(path, schema))
                {
                    failures.AddRange(await RefusedAsync(endpoint, what, Json(SampleWith(endpoint.Body!, path, value)), path));
                }
            }
        }

        AssertNone(failures);
    }

    /// <summary>
    /// A text past its limit is also sent well-formed but padded (<see cref="BodySchema.PastMaxLength"/>), which takes a
    /// well-formed sample within the limit. Free text is sampled as <c>sample</c>: a text documented shorter than that has a
    /// form of its own (a time of day, a code), which its schema states as a pattern for the suite to sample.
    /// </summary>
    [Fact]
    public async Task Every_text_sent_has_a_well_formed_sample_within_its_documented_length()
    {
        var texts = (await EndpointsAsync()).SelectMany(endpoint => (endpoint.Body?.Values() ?? []).Select(value => (Where: $"{endpoint}, {value.Path}", value.Schema)))
            .Concat((await QueriedOperation.DescribedByAsync(_client, Ct)).SelectMany(operation => operation.Query.Select(query => (Where: $"{operation}, {query.Name}", query.Schema))));

        var unfit = texts.Where(text => !text.Schema.SampleFits)
            .Select(text => $"{text.Where}: at most {text.Schema.MaxLength} characters, shorter than its sample {text.Schema.Sample()!.ToJsonString()}; state its form as a pattern")
            .ToList();

        Assert.True(unfit.Count == 0, $"{unfit.Count} text(s) without a well-formed sample:\n{string.Join("\n", unfit)}");
    }

    [Fact]
    public async Task A_query_parameter_past_its_documented_limit_is_a_400_problem_naming_it_and_stores_nothing()
    {
        var (limits, failures) = await RefusedQueryValuesAsync(PastTheLimit);

        Assert.True(limits > 0, "No query parameter has a documented limit to pass.");
        AssertNone(failures);
    }

    /// <summary>The values of <paramref name="schema"/> just past the limits the document states (a text's length, a list's items, a number's range), each with what it is.</summary>
    private static IEnumerable<(string What, JsonNode? Value)> PastItsLimit(string path, BodySchema schema)
    {
        foreach (var (what, tooLong) in schema.PastMaxLength())
        {
            yield return ($"{path} of {Characters.Count(tooLong)} characters, {what}", tooLong);
        }

        if (schema is { Kind: SchemaKind.Array, MaxItems: { } maxItems })
        {
            yield return ($"{path} of {maxItems + 1} items", new JsonArray([.. Enumerable.Range(0, maxItems + 1).Select(_ => schema.Items.Sample())]));
        }

        foreach (var outside in OutsideRange(schema))
        {
            yield return ($"{path} = {outside}", outside);
        }
    }

    private static IEnumerable<string> PastTheLimit(BodySchema schema) =>
        OutsideRange(schema).Select(value => value.ToString(CultureInfo.InvariantCulture))
            .Concat(schema.PastMaxLength().Select(tooLong => tooLong.Value));

    /// <summary>
    /// Sends each of <paramref name="valuesOf"/> a query parameter's schema as that parameter of every operation, with a
    /// well-typed body where the operation takes one (so the body is not what is refused): how many, and what was not a
    /// 400 problem naming it, or stored something.
    /// </summary>
    private async Task<(int Sent, List<string> Failures)> RefusedQueryValuesAsync(
        Func<BodySchema, IEnumerable<string>> valuesOf, Func<BodySchema, string, Answer, string?>? alsoWrong = null)
    {
        var failures = new List<string>();
        var sent = 0;
        foreach (var operation in await QueriedOperation.DescribedByAsync(_client, Ct))
        {
            foreach (var (name, schema) in operation.Query)
            {
                foreach (var value in valuesOf(schema))
                {
                    sent++;
                    var answer = await SendAsync(operation.Method, operation.Address(name, value), operation.Body is { } body ? Json(body.Sample()!.ToJsonString()) : null);
                    failures.AddRange(RefusalFailures($"{operation}", $"{name} = {Shortened(value)}", answer, name, 400));
                    if (alsoWrong?.Invoke(schema, name, answer) is { } wrong)
                    {
                        failures.Add($"{operation}, {name} = {Shortened(value)}: {wrong} (got {Shortened(answer.Body)})");
                    }
                }
            }
        }

        return (sent, failures);
    }

    /// <summary>What is wrong with a whole number's problem that does not state its documented range: null when it does.</summary>
    private static string? StatesItsRange(BodySchema schema, string name, Answer answer) =>
        schema is { Kind: SchemaKind.WholeNumber, Minimum: { } minimum, Maximum: { } maximum }
        && IsProblem(answer, out var problem) && NamesField(problem, name)
        && !problem.GetProperty("errors").EnumerateObject().First(error => string.Equals(error.Name, name, StringComparison.OrdinalIgnoreCase)).Value
            .EnumerateArray().Any(message => message.GetString()!.Contains($"from {minimum.ToString(CultureInfo.InvariantCulture)} to {maximum.ToString(CultureInfo.InvariantCulture)}", StringComparison.Ordinal))
            ? $"the problem does not say it takes a whole number from {minimum} to {maximum}"
            : null;

    /// <summary>
    /// A query value that cannot be of its parameter's type (none at all, <c>?year=</c>, a word for a number, one past the largest 32-bit or
    /// 64-bit integer, a date that is no day, a word for a time or a GUID, a time without its offset or not in ISO 8601, a date not written yyyy-MM-dd) is a 400 naming the parameter in
    /// <c>errors</c>, as every other 400 (docs/api.md), not a problem whose text alone names it.
    /// </summary>
    /// A whole number's problem says what the parameter takes as the document does, its minimum and maximum (it said "from
    /// -9223372036854775808" for an <c>after</c> documented from 0), and no problem names .NET's types (<c>Nullable&lt;long&gt;</c>).
    [Fact]
    public async Task A_query_value_that_cannot_be_of_its_type_is_a_400_problem_naming_it_and_stores_nothing()
    {
        var (sent, failures) = await RefusedQueryValuesAsync(NotOfItsType, StatesItsRange);

        Assert.True(sent > 0, "No query parameter to try.");
        AssertNone(failures);
    }

    /// <summary>
    /// A query parameter the operation does not declare is refused, not ignored, as a body's property the document does not
    /// name is: a misspelt <c>?form=</c> or <c>?limt=</c> read as no parameter at all would answer for another window or page,
    /// and <c>?Ward=</c>, read in any letter case by ASP.NET Core, is no parameter of the document to a partner's tools. Every
    /// operation of the document is sent one parameter it does not declare, and each it declares in capitals and misspelt.
    /// </summary>
    [Fact]
    public async Task A_query_parameter_the_operation_does_not_declare_is_a_400_problem_naming_it_and_stores_nothing()
    {
        var failures = new List<string>();
        var operations = 0;
        var document = await OwnDocumentAsync();
        foreach (var operation in await DescribedOperation.AllAsync(_client, Ct))
        {
            operations++;
            var declared = PathParameter.ParametersIn(operation.Description, "query").Select(parameter => (string)parameter["name"]!).ToList();
            var undeclared = declared.SelectMany(name => Misnamings.Of(name).Select(other => other.Name)).Prepend("zzNotDeclared");
            foreach (var name in undeclared)
            {
                var address = $"{PathParameter.Fill(operation.Template, PathParameter.Of(operation.Description))}?{name}=1";
                var answer = await SendAsync(operation.Method, address, operation.Body is { } body ? Json(body.Sample()!.ToJsonString()) : null);
                failures.AddRange(RefusalFailures($"{operation.Method} {operation.Template}", $"?{name}=1", answer, name, 400));
                failures.AddRange(UndocumentedIn(document, operation.Method, $"{operation.Method} {operation.Template}", address, answer));
                if (RefusedWithout(answer, name, "does not declare"))
                {
                    failures.Add($"{operation.Method} {operation.Template}, ?{name}=1: not told the operation does not declare it ({Shortened(answer.Body)})");
                }
            }
        }

        Assert.True(operations > 0, "The document describes no operation.");
        AssertNone(failures);
    }

    /// <summary>
    /// Every error the service's own document declares is problem details, its 400 the validation problem, each one of the two
    /// components referred to: filled in by a document transformer, a copy of the schema inline in every response made the
    /// merged document four times as long (Spectral's warnings from 723 to 4,324).
    /// </summary>
    [Fact]
    public async Task Every_error_the_document_declares_refers_to_its_problem_schema()
    {
        var document = (await _client.GetFromJsonAsync<JsonObject>("/openapi/v1.json", Ct))!;
        var failures = new List<string>();
        foreach (var (template, item) in document["paths"]!.AsObject())
        {
            foreach (var (method, operation) in item!.AsObject())
            {
                foreach (var (status, response) in (operation!["responses"] as JsonObject ?? []).Where(response => response.Key[0] is '4' or '5'))
                {
                    var expected = status == "400" ? "#/components/schemas/HttpValidationProblemDetails" : "#/components/schemas/ProblemDetails";
                    if ((string?)response!["content"]?["application/problem+json"]?["schema"]?["$ref"] != expected)
                    {
                        failures.Add($"{method.ToUpperInvariant()} {template} {status}: {response.ToJsonString()[..Math.Min(200, response.ToJsonString().Length)]}");
                    }
                }
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} error responses:\n{string.Join("\n", failures.Take(20))}");
    }

    /// <summary>
    /// An <c>Idempotency-Key</c> sent with a write whose operation declares none (a step, a webhook's replay) is a 400 naming it
    /// and saying what makes that write safe to retry: ignored, a keyed retry of a note posted it twice while its client took the
    /// key for a guard. Every write operation of the document that declares no key is sent one (a well-formed key, its body's
    /// sample); a read is not judged (it stores nothing to guard).
    /// </summary>
    [Fact]
    public async Task A_key_sent_with_a_write_that_keeps_none_is_a_400_naming_it_and_stores_nothing()
    {
        var (writes, failures) = await RefusedOnEveryOperationAsync(
            operation => operation.Method != "GET" && !PathParameter.ParametersIn(operation.Description, "header").Any(header => (string)header["name"]! == IdempotencyKeys.HeaderName),
            address => address,
            IdempotencyKeys.HeaderName,
            400,
            (IdempotencyKeys.HeaderName, $"walk-{Guid.NewGuid()}"));
        Assert.True(writes.Count > 0, "The document describes no write that keeps no key: every service takes steps.");
        failures.AddRange(writes
            .Where(sent => RefusedWithout(sent.Answer, IdempotencyKeys.HeaderName, "keeps no Idempotency-Key"))
            .Select(sent => $"{sent.Operation}: not told the operation keeps no key ({Shortened(sent.Answer.Body)})"));
        AssertNone(failures);
    }

    /// <summary>
    /// A well-formed ward nobody has, named by <c>ward=</c> on every operation that declares it, is a 404 problem, stores nothing,
    /// and is answered as the service's own document declares it: 33 operations declared that 404 with no content, so a client
    /// holding answers to the service's document refused the problem (the recent-changes probe).
    /// </summary>
    [Fact]
    public async Task A_ward_nobody_has_is_a_404_problem_as_the_service_s_own_document_declares_it()
    {
        var (named, failures) = await RefusedOnEveryOperationAsync(
            operation => PathParameter.ParametersIn(operation.Description, "query").Any(parameter => (string)parameter["name"]! == WardFree.WardParameter),
            address => $"{address}?{WardFree.WardParameter}=zz-nobody",
            null,
            404);
        Assert.True(named.Count > 0, "No operation of the document takes ward=.");
        AssertNone(failures);
    }

    /// <summary>
    /// Sends every operation of the service's document that <paramref name="selected"/> takes, at its path with fresh ids made
    /// into an address by <paramref name="addressed"/>, its body's sample (and <paramref name="header"/>): what each answered, and
    /// what was not a refusal of <paramref name="status"/> (naming <paramref name="field"/>) that stored nothing, as the service's
    /// own document declares it.
    /// </summary>
    private async Task<(List<(string Operation, Answer Answer)> Sent, List<string> Failures)> RefusedOnEveryOperationAsync(
        Func<DescribedOperation, bool> selected, Func<string, string> addressed, string? field, int status, (string Name, string Value)? header = null)
    {
        var (sent, failures) = (new List<(string, Answer)>(), new List<string>());
        var document = await OwnDocumentAsync();
        foreach (var operation in (await DescribedOperation.AllAsync(_client, Ct)).Where(selected))
        {
            var (named, address) = ($"{operation.Method} {operation.Template}", addressed(PathParameter.Fill(operation.Template, PathParameter.Of(operation.Description))));
            var answer = await SendAsync(operation.Method, address, operation.Body is { } body ? Json(body.Sample()!.ToJsonString()) : null, header: header);
            sent.Add((named, answer));
            failures.AddRange(RefusalFailures(named, field ?? $"at {address}", answer, field, status));
            failures.AddRange(UndocumentedIn(document, operation.Method, named, address, answer));
        }

        return (sent, failures);
    }

    /// <summary>
    /// A query's names are judged as sent, each pair apart: ASP.NET Core's query collection holds <c>?Types=a&amp;types=b</c> as
    /// one name (an undeclared spelling read when the declared one came after it), and a parameter given twice, which no
    /// document declares as a list, is a 400 naming it and saying so (the audit log's <c>types</c> read both, joined); a query of
    /// many undeclared names is answered naming at most <see cref="ProblemResponses.MaxFields"/>.
    /// </summary>
    [Fact]
    public async Task A_query_parameter_given_twice_in_any_spelling_is_a_400_naming_it_and_stores_nothing()
    {
        var failures = new List<string>();
        var sent = 0;
        foreach (var operation in await QueriedOperation.DescribedByAsync(_client, Ct))
        {
            var body = operation.Body is { } schema ? schema.Sample()!.ToJsonString() : null;
            foreach (var (name, _) in operation.Query)
            {
                var other = Misnamings.Capitalised(name);
                foreach (var (pair, named, said) in new[]
                {
                    ((name, other), other, DeclaredQueries.Undeclared), ((other, name), other, DeclaredQueries.Undeclared), ((name, name), name, DeclaredQueries.GivenTwice),
                })
                {
                    sent++;
                    var query = $"{pair.Item1}=1&{pair.Item2}=1";
                    var answer = await SendAsync(operation.Method, operation.Address([(pair.Item1, "1"), (pair.Item2, "1")]), body is null ? null : Json(body));
                    failures.AddRange(RefusalFailures($"{operation}", $"?{query}", answer, named, 400));
                    if (answer.Status == 400 && IsProblem(answer, out var problem) && !ErrorsOf(problem, named).Contains(said))
                    {
                        failures.Add($"{operation}, ?{query}: {named} not told \"{said}\" ({Shortened(answer.Body)})");
                    }
                }
            }

            var many = await SendAsync(operation.Method, operation.Address(Enumerable.Range(0, 30).Select(i => ($"zz{i}", "1"))), body is null ? null : Json(body));
            if (!IsProblem(many, out var manyNamed) || !manyNamed.TryGetProperty("errors", out var errors) || errors.EnumerateObject().Count() != ProblemResponses.MaxFields)
            {
                failures.Add($"{operation}, 30 undeclared names: expected a problem naming {ProblemResponses.MaxFields} of them ({many.Status} {Shortened(many.Body)})");
            }
        }

        Assert.True(sent > 0, "No operation reads a query.");
        AssertNone(failures);
    }

    /// <summary>A text holds whole characters: a lone surrogate escape (<c>"\ud800"</c>), which no text can be stored with, is a 400 naming it and saying so.</summary>
    [Fact]
    public async Task A_lone_surrogate_in_a_text_is_a_400_naming_it_saying_so_and_stores_nothing()
    {
        var failures = new List<string>();
        var texts = 0;
        foreach (var endpoint in await EndpointsAsync())
        {
            foreach (var (path, _) in endpoint.Body?.Values().Where(value => value.Schema is { Kind: SchemaKind.Text, IsConstrainedText: false }) ?? [])
            {
                texts++;
                var sent = SampleWithJson(endpoint.Body!, path, "\"a\\ud800b\"");
                var answer = await SendAsync(endpoint, Json(sent));
                failures.AddRange(RefusalFailures($"{endpoint}", $"{path} with a lone surrogate", answer, path, 400));
                if (RefusedWithout(answer, path, "lone surrogate"))
                {
                    failures.Add($"{endpoint}, {path} with a lone surrogate: not told so ({Shortened(answer.Body)})");
                }
            }
        }

        Assert.True(texts > 0, "No write endpoint takes a free text.");
        AssertNone(failures);
    }

    /// <summary>
    /// A time or a date given twice in a query (<c>?from=2024-03-14T21:30:00&amp;from=</c>) is read as the binder reads it, both
    /// values joined by a comma: a 400 naming it, never the first value read in the server's zone nor the second ignored.
    /// </summary>
    [Fact]
    public async Task A_time_or_a_date_given_twice_in_a_query_is_a_400_naming_it_and_stores_nothing()
    {
        var failures = new List<string>();
        var sent = 0;
        foreach (var operation in await QueriedOperation.DescribedByAsync(_client, Ct))
        {
            foreach (var (name, schema) in operation.Query.Where(parameter => parameter.Schema.Format is "date-time" or "date"))
            {
                var (good, unwritten) = schema.Format == "date" ? ("2024-03-14", "03/14/2024") : ("2024-03-14T21:30:00+07:00", "2024-03-14T21:30:00");
                foreach (var (first, second) in new[] { (unwritten, string.Empty), (good, string.Empty), (good, good), (good, unwritten) })
                {
                    sent++;
                    var answer = await SendAsync(operation.Method, operation.Address([(name, first), (name, second)]), operation.Body is { } body ? Json(body.Sample()!.ToJsonString()) : null);
                    failures.AddRange(RefusalFailures($"{operation}", $"{name} = {first} and {name} = {second}", answer, name, 400));
                }
            }
        }

        Assert.True(sent > 0, "No time or date in a query to try.");
        AssertNone(failures);
    }

    /// <summary>
    /// A whole number in a query is text, which the service reads only as digits (docs/api.md): the document states that form,
    /// so a validator that reads a query by its document refuses what the service refuses (<c>5.0</c>, <c>1e1</c>, <c>+5</c>,
    /// <c>05</c>); with the type alone it took them all once numbers in bodies became JSON numbers.
    /// </summary>
    [Fact]
    public async Task Every_whole_number_in_a_query_states_the_form_the_service_reads()
    {
        var failures = new List<string>();
        var checkedParameters = 0;
        foreach (var operation in await QueriedOperation.DescribedByAsync(_client, Ct))
        {
            foreach (var (name, schema) in operation.Query.Where(parameter => parameter.Schema.Kind == SchemaKind.WholeNumber))
            {
                checkedParameters++;
                if (schema.Pattern is not { } pattern || schema.MaxLength is null)
                {
                    failures.Add($"{operation}, {name}: no pattern or maxLength stated");
                    continue;
                }

                using var ecmaScript = EcmaScriptPatterns.Read(pattern);
                var valid = $"{Math.Max(schema.Minimum ?? 0, 0)}";
                if (!ecmaScript.Finds(valid))
                {
                    failures.Add($"{operation}, {name}: the pattern refuses {valid}");
                }

                foreach (var written in new[] { $"{valid}.0", $"{valid}e0", $"+{valid}", $"0{valid}", $" {valid}", "0x5", string.Empty })
                {
                    if (ecmaScript.Finds(written))
                    {
                        failures.Add($"{operation}, {name}: the pattern takes '{written}', which the service refuses");
                    }
                }
            }
        }

        Assert.True(checkedParameters > 0, "No whole number in a query to try.");
        AssertNone(failures);
    }

    /// <summary>
    /// Ids with a sign <c>+</c> in place of a group's leading zero, which .NET reads as the id with the zero: in the first group,
    /// in the fourth, and the empty GUID so written (past a check of its text).
    /// </summary>
    private static string[] SignedSpellings()
    {
        var id = Guid.NewGuid().ToString();
        return ["+" + id[1..], $"{id[..19]}+{id[20..]}", "+0000000-0000-0000-0000-000000000000"];
    }

    private static IEnumerable<string> NotOfItsType(BodySchema schema) => schema switch
    {
        { Kind: SchemaKind.WholeNumber, Format: "int64" } => ["abc", "1.5", "9223372036854775808", "01", "+1", "0001", ""],
        { Kind: SchemaKind.WholeNumber } => ["abc", "1.5", "2147483648", "01", "+1", "0001", ""],
        { Kind: SchemaKind.Number } => ["abc", ""],
        { Format: "date-time" } => ["", "yesterday", "2024-02-30T10:00:00+07:00", "2024-05-02T21:40:00", "02-OCT-2024 21:40", "Thu, 02 May 2024 14:40:00 GMT", "2024-05-02 21:40:00+07:00"],
        { Format: "date" } => ["", "2024-02-30", "yesterday", "06/01/2024", "2024/06/01", "June 1, 2024", "2024-6-1"],
        { Format: "uuid" } => ["", $" {Guid.NewGuid()}", $"{Guid.NewGuid()}\n", "x", "00000000-0000-0000-0000-00000000000g", $"{{{Guid.NewGuid()}}}", $"({Guid.NewGuid()})", Guid.NewGuid().ToString("N"), .. SignedSpellings()],

        // .NET's $ also matches before a final line feed; the document's pattern does not.
        { Pattern: not null } => [$"{schema.Sample()!.GetValue<string>()}\n"],
        _ => [],
    };

    [Fact]
    public async Task Query_parameters_at_the_edges_are_never_a_5xx_a_refusal_is_a_problem_and_nothing_is_stored()
    {
        var failures = new List<string>();
        var sent = 0;
        foreach (var operation in await QueriedOperation.DescribedByAsync(_client, Ct))
        {
            var queries = operation.Query.SelectMany(parameter => EdgesOf(parameter.Schema).Select(value => $"{parameter.Name}={Uri.EscapeDataString(value)}")).ToList();
            if (operation.Query.Any(parameter => parameter.Name == "from") && operation.Query.Any(parameter => parameter.Name == "to"))
            {
                queries.Add("from=2000-01-01&to=2099-12-31");
                queries.Add("from=2099-12-31&to=2000-01-01");
            }

            foreach (var query in queries)
            {
                sent++;
                var answer = await SendAsync(operation.Method, $"{PathParameter.Fill(operation.Template, operation.Parameters)}?{query}", null);
                if (answer.Status >= 500 || (answer.Status >= 400 && !IsProblem(answer, out _)) || answer.Changed.Count > 0)
                {
                    failures.Add($"{operation}?{Shortened(query)}: {answer.Status} {answer.MediaType}, stored {string.Join(", ", answer.Changed)} {Shortened(answer.Body)}");
                }
            }
        }

        Assert.True(sent > 0, "No query parameter to try.");
        AssertNone(failures);
    }

    [Fact]
    public async Task An_enum_in_a_query_is_read_in_any_letter_case()
    {
        var failures = new List<string>();
        var sent = 0;
        foreach (var operation in await QueriedOperation.DescribedByAsync(_client, Ct))
        {
            foreach (var (name, schema) in operation.Query.Where(parameter => parameter.Schema.Kind == SchemaKind.Enum))
            {
                foreach (var value in schema.EnumValues.SelectMany(value => new[] { value.ToUpperInvariant(), Misnamings.Capitalised(value) }))
                {
                    sent++;
                    var answer = await SendAsync(operation.Method, operation.Address(name, value), operation.Body is { } body ? Json(body.Sample()!.ToJsonString()) : null);
                    if (answer.Status >= 500 || (answer.Status == 400 && (!IsProblem(answer, out var problem) || NamesField(problem, name))))
                    {
                        failures.Add($"{operation}?{name}={value}: {answer.Status} {Shortened(answer.Body)}");
                    }
                }
            }
        }

        Assert.True(sent > 0, "No enum query parameter to try.");
        AssertNone(failures);
    }

    /// <summary>
    /// Every time range a query takes (<c>from</c> and <c>to</c>, or <c>{x}From</c> and <c>{x}To</c>) is <c>[from, to)</c> alike
    /// (docs/api.md): empty when they are equal, which is no error, and a 400 naming the end when it ends before it starts.
    /// </summary>
    [Fact]
    public async Task Every_time_range_of_a_query_may_be_empty_and_one_that_ends_before_it_starts_is_a_400_naming_its_end()
    {
        var failures = new List<string>();
        var ranges = 0;
        foreach (var operation in await QueriedOperation.DescribedByAsync(_client, Ct))
        {
            var times = operation.Query.Where(parameter => parameter.Schema.Format == "date-time").Select(parameter => parameter.Name).ToHashSet(StringComparer.Ordinal);
            foreach (var from in times.Where(name => name == "from" || name.EndsWith("From", StringComparison.Ordinal)))
            {
                var to = from == "from" ? "to" : from[..^"From".Length] + "To";
                if (!times.Contains(to))
                {
                    continue;
                }

                ranges++;
                var path = PathParameter.Fill(operation.Template, operation.Parameters);
                const string Start = "2024-05-01T00%3A00%3A00%2B07%3A00";
                const string Before = "2024-04-30T00%3A00%3A00%2B07%3A00";
                var empty = await SendAsync(operation.Method, $"{path}?{from}={Start}&{to}={Start}", null);
                if (empty.Status >= 500 || (empty.Status == 400 && (!IsProblem(empty, out var problem) || NamesField(problem, to) || NamesField(problem, from))))
                {
                    failures.Add($"{operation}: an empty range [{from}, {to}) was {empty.Status} {Shortened(empty.Body)}");
                }

                var backwards = await SendAsync(operation.Method, $"{path}?{from}={Start}&{to}={Before}", null);
                failures.AddRange(RefusalFailures($"{operation}", $"{to} before {from}", backwards, to, 400));
            }
        }

        Assert.True(ranges > 0, "No time range to try.");
        AssertNone(failures);
    }

    /// <summary>
    /// The values at the edges of what a query parameter can be: 0, -1, the largest 32-bit integer
    /// and one past it; the first and the last day a date can name, a time without an offset; the
    /// empty GUID; enum names joined by a comma, a number, another spelling.
    /// </summary>
    private static IEnumerable<string> EdgesOf(BodySchema schema) => schema switch
    {
        { Kind: SchemaKind.WholeNumber } => ["0", "-1", $"{int.MaxValue}", $"{(long)int.MaxValue + 1}"],
        { Kind: SchemaKind.Number } => ["-1e308", "1e308", "NaN"],
        { Kind: SchemaKind.Enum } => [string.Join(",", schema.EnumValues.Take(2)), string.Join(", ", schema.EnumValues.Take(2)), "7", schema.EnumValues[0].ToUpperInvariant() + "s"],
        { Format: "date-time" } => ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "2024-05-02T21:40:00"],
        { Format: "date" } => ["0001-01-01", "9999-12-31"],
        { Format: "uuid" } => [Guid.Empty.ToString()],
        _ => [string.Empty, "0001-01-01", "\u0000"],
    };

    [Fact]
    public async Task A_body_over_the_limit_is_a_413_problem_and_stores_nothing_one_under_it_is_read()
    {
        var limit = service.Host.Services.GetRequiredService<RequestBodyLimit>().MaxBytes;
        var failures = new List<string>();
        foreach (var endpoint in await EndpointsAsync())
        {
            var sample = endpoint.Body?.Sample()?.ToJsonString() ?? "{}";
            var over = Padded(sample, limit + 1);
            failures.AddRange(await RefusedAsync(endpoint, "a body one byte over the limit", Json(over), status: 413));
            failures.AddRange(await RefusedAsync(endpoint, "a chunked body over the limit", Chunked(over), status: 413));

            var under = await SendAsync(endpoint, Json(Padded(sample, limit)));
            if (under.Status is 401 or 403 or 413 or >= 500)
            {
                failures.Add($"{endpoint}, a body at the limit: {under.Status} {under.Body}");
            }
        }

        AssertNone(failures);
    }

    [Fact]
    public async Task Script_and_sql_text_is_refused_where_constrained_and_kept_verbatim_as_data_in_free_text()
    {
        var tablesBefore = (await _stored.CountAsync(Ct)).Keys.ToList();
        var failures = new List<string>();
        var output = TestContext.Current.TestOutputHelper;
        foreach (var endpoint in await EndpointsAsync())
        {
            foreach (var payload in new[] { Script, Sql })
            {
                if (endpoint.Parameters.Any(parameter => !parameter.IsGuid))
                {
                    failures.AddRange(await RefusedAsync(endpoint, $"path code = {payload}", Json(endpoint.Body?.Sample()?.ToJsonString() ?? "{}"), code: payload));
                }

                foreach (var (path, schema) in endpoint.Body?.Values().Where(value => value.Schema.Kind == SchemaKind.Text) ?? [])
                {
                    var body = Json(SampleWith(endpoint.Body!, path, payload));
                    var what = $"{path} = {payload}";
                    if (schema.IsConstrainedText)
                    {
                        failures.AddRange(await RefusedAsync(endpoint, what, body, path));
                        continue;
                    }

                    var answer = await SendAsync(endpoint, body);
                    failures.AddRange(answer.Status is >= 200 and < 300
                        ? KeptAsData(endpoint, what, answer, path, payload)
                        : RefusalFailures($"{endpoint}", what, answer, null, null));
                    output?.WriteLine($"{endpoint}, {what}: {answer.Status}");
                }
            }
        }

        var tablesAfter = await _stored.CountAsync(Ct);
        Assert.All(tablesBefore, table => Assert.Contains(table, tablesAfter.Keys));
        Assert.Contains(tablesAfter.Keys, table => table.EndsWith(".mt_events", StringComparison.Ordinal));
        AssertNone(failures);
    }

    private Task<IReadOnlyList<WriteEndpoint>> EndpointsAsync() => WriteEndpoint.DescribedByAsync(_client, Ct);

    /// <summary>
    /// Wrong JSON for a value of <paramref name="schema"/>: another type, an unreadable text, text
    /// with a NUL character (PostgreSQL stores none), a null where none is allowed.
    /// </summary>
    private static IEnumerable<JsonNode?> WrongValuesFor(BodySchema schema)
    {
        IEnumerable<JsonNode?> wrong = schema.Kind switch
        {
            SchemaKind.Record => [new JsonArray(), "text"],
            SchemaKind.Array => [new JsonObject(), "text"],
            SchemaKind.Enum => [42, new JsonArray()],
            SchemaKind.Number => ["not a number", true, new JsonObject()],
            SchemaKind.WholeNumber => ["not a number", 1.5, 2147483648L, new JsonArray()],
            SchemaKind.Boolean => ["yes", 1],
            _ when schema.Format is { } format => [$"not a {format}", 42, new JsonArray()],
            _ => [42, true, new JsonArray(), new JsonObject(), "text with a \u0000 NUL"],
        };
        return schema.Nullable ? wrong : wrong.Append(null);
    }

    /// <summary>
    /// An integer one under its documented minimum and one over its maximum; not past the bounds
    /// of a 32-bit integer, where the value is of the wrong type rather than over its limit.
    /// </summary>
    private static IEnumerable<decimal> OutsideRange(BodySchema schema)
    {
        if (schema.Kind != SchemaKind.WholeNumber)
        {
            yield break;
        }

        if (schema.Minimum is { } minimum && minimum > int.MinValue)
        {
            yield return minimum - 1;
        }

        if (schema.Maximum is { } maximum && maximum < int.MaxValue)
        {
            yield return maximum + 1;
        }
    }

    /// <summary>The sample body of <paramref name="body"/> with the value at <paramref name="path"/> replaced.</summary>
    private static string SampleWith(BodySchema body, string path, JsonNode? value) => SampleWith(body, [(path, value)]);

    /// <summary>The sample body of <paramref name="body"/> with the value at each path replaced.</summary>
    private static string SampleWith(BodySchema body, IEnumerable<(string Path, JsonNode? Value)> values)
    {
        var sample = body.Sample()!;
        foreach (var (path, value) in values)
        {
            var (parent, last) = ParentOf(sample, path);
            if (last.StartsWith('['))
            {
                parent[int.Parse(last[1..^1])] = value;
            }
            else
            {
                parent[last] = value;
            }
        }

        return sample.ToJsonString();
    }

    /// <summary>The sample body of <paramref name="body"/> with the value at <paramref name="path"/> written as <paramref name="json"/>, as sent (an escape no JSON writer writes).</summary>
    private static string SampleWithJson(BodySchema body, string path, string json)
    {
        const string Marker = "sample-with-json-marker";
        return SampleWith(body, path, Marker).Replace($"\"{Marker}\"", json, StringComparison.Ordinal);
    }

    /// <summary>The sample body of <paramref name="body"/> without the property at <paramref name="path"/>.</summary>
    private static string SampleWithout(BodySchema body, string path)
    {
        var sample = body.Sample()!;
        var (parent, name) = ParentOf(sample, path);
        parent.AsObject().Remove(name);
        return sample.ToJsonString();
    }

    /// <summary>The node holding the value at <paramref name="path"/> in <paramref name="sample"/>, and the value's last segment (a name, or <c>[index]</c>).</summary>
    private static (JsonNode Parent, string Last) ParentOf(JsonNode sample, string path)
    {
        var segments = PathSegment().Matches(path).Select(match => match.Value).ToList();
        return (segments[..^1].Aggregate(sample, (node, segment) => segment.StartsWith('[') ? node[int.Parse(segment[1..^1])]! : node[segment]!), segments[^1]);
    }

    /// <summary>A JSON body of <paramref name="bytes"/> UTF-8 bytes: <paramref name="sample"/> after white space padding it.</summary>
    private static string Padded(string sample, long bytes) => new string(' ', (int)(bytes - Encoding.UTF8.GetByteCount(sample))) + sample;

    private Task<Answer> SendAsync(WriteEndpoint endpoint, HttpContent? content, string code = "unknown-code", string? emptyId = null) =>
        SendAsync(endpoint.Method, endpoint.Address(code, emptyId), content);

    /// <summary>
    /// Sends a request (with <c>Accept: <paramref name="accept"/></c> when given) as the suite's police client, or as
    /// <paramref name="client"/>; what it stored is counted unless <paramref name="countStored"/> is false (then none is reported).
    /// </summary>
    private async Task<Answer> SendAsync(
        string method, string address, HttpContent? content, bool countStored = true, string? accept = null, (string Name, string Value)? header = null, HttpClient? client = null)
    {
        _requests++;
        var before = countStored ? await _stored.CountAsync(Ct) : null;
        using var request = new HttpRequestMessage(new HttpMethod(method), address) { Content = content };
        if (accept is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept", accept);
        }

        if (header is { } sent)
        {
            request.Headers.TryAddWithoutValidation(sent.Name, sent.Value);
        }

        using var response = await (client ?? _client).SendAsync(request, Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        var changed = before is null ? [] : StoredRows.Changed(before, await _stored.CountAsync(Ct));
        return new Answer((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, body, changed);
    }

    /// <summary>Sends a bad request and returns what is wrong with the answer: none when it is a refusal that stored nothing.</summary>
    private async Task<IReadOnlyList<string>> RefusedAsync(
        WriteEndpoint endpoint, string what, HttpContent? content, string? field = null, int? status = null, string code = "unknown-code", string? emptyId = null) =>
        RefusalFailures($"{endpoint}", what, await SendAsync(endpoint, content, code, emptyId), field, status);

    private static List<string> RefusalFailures(string endpoint, string what, Answer answer, string? field, int? status)
    {
        var failures = new List<string>();
        void Fail(string why) => failures.Add($"{endpoint}, {what}: {why} (got {answer.Status} {answer.MediaType} {Shortened(answer.Body)})");

        if (answer.Status is 401 or 403)
        {
            Fail("the endpoint was not reached: the suite's client must be let in");
        }
        else if (answer.Status is < 400 or >= 500 || (status is not null && answer.Status != status))
        {
            Fail(status is null ? "expected a 4xx" : $"expected {status}");
        }

        if (answer.Changed.Count > 0)
        {
            Fail($"stored {string.Join(", ", answer.Changed)}");
        }

        if (DotNetWords().Match(answer.Body) is { Success: true } named)
        {
            Fail($"the problem names .NET's types, not the API's ('{named.Value}')");
        }

        if (IsProblem(answer, out var titled) && titled.GetProperty("title").GetString() == new Microsoft.AspNetCore.Http.HttpValidationProblemDetails().Title)
        {
            Fail("the problem's title is ASP.NET Core's, not the API's");
        }

        if (answer.MediaType != "application/problem+json" || !IsProblem(answer, out var problem))
        {
            Fail("expected problem details with status, title and type");
        }
        else if (field is not null && answer.Status == 400 && !NamesField(problem, field))
        {
            Fail($"expected a field error for {field}");
        }
        else if (answer.Status == 400 && problem.GetProperty("title").GetString() is not (Rejection.InvalidTitle or ProblemResponses.UnreadableBodyTitle))
        {
            Fail($"a 400 of a request's values is titled \"{Rejection.InvalidTitle}\" (one of a body that does not read as JSON \"{ProblemResponses.UnreadableBodyTitle}\": docs/api.md)");
        }

        return failures;
    }

    /// <summary>The service's own OpenAPI document (<c>/openapi/v1.json</c>), which its answers are held to as the merged one's are.</summary>
    private async Task<DocumentedResponses> OwnDocumentAsync() => new((await _client.GetFromJsonAsync<JsonObject>("/openapi/v1.json", Ct))!);

    /// <summary>
    /// What <paramref name="document"/>, the service's own, says is wrong with <paramref name="answer"/> (its status and body; its
    /// headers are the gateway's walks'): each problem the services answered had a <c>traceId</c> their own documents refused.
    /// </summary>
    private static IEnumerable<string> UndocumentedIn(DocumentedResponses document, string method, string endpoint, string address, Answer answer) =>
        document.Check(method, address.Split('?')[0], answer.Status, answer.MediaType, answer.Body, new Dictionary<string, string>())
            .Select(problem => $"{endpoint} at {address}: the answer {answer.Status} is not as the service's own document says: {problem}");

    /// <summary>An accepted free text: only data, answered JSON-escaped, verbatim wherever the answer shows that field.</summary>
    private static IEnumerable<string> KeptAsData(WriteEndpoint endpoint, string what, Answer answer, string path, string payload)
    {
        if (answer.Body.Contains("<script", StringComparison.OrdinalIgnoreCase))
        {
            yield return $"{endpoint}, {what}: the answer holds the markup unescaped: {Shortened(answer.Body)}";
        }

        var name = path.Split('.')[^1];
        var shown = answer.Body.Length == 0 ? [] : StringsNamed(JsonNode.Parse(answer.Body), name).ToList();
        if (shown.Count > 0 && !shown.Contains(payload))
        {
            yield return $"{endpoint}, {what}: accepted but shown as {string.Join(", ", shown)}";
        }
    }

    private static IEnumerable<string> StringsNamed(JsonNode? node, string name) => node switch
    {
        JsonObject properties => properties.SelectMany(property =>
            property.Key == name && property.Value is JsonValue value && value.TryGetValue<string>(out var text)
                ? [text]
                : StringsNamed(property.Value, name)),
        JsonArray items => items.SelectMany(item => StringsNamed(item, name)),
        _ => [],
    };

    private static bool IsProblem(Answer answer, out JsonElement problem)
    {
        problem = default;
        try
        {
            problem = JsonDocument.Parse(answer.Body).RootElement;
        }
        catch (JsonException)
        {
            return false;
        }

        return problem.ValueKind == JsonValueKind.Object
            && problem.TryGetProperty("status", out var status) && status.ValueKind == JsonValueKind.Number && status.GetInt32() == answer.Status
            && problem.TryGetProperty("title", out var title) && !string.IsNullOrWhiteSpace(title.GetString())
            && problem.TryGetProperty("type", out var type) && Uri.IsWellFormedUriString(type.GetString(), UriKind.Absolute);
    }

    private static bool NamesField(JsonElement problem, string field) =>
        problem.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Object
        && errors.EnumerateObject().Any(error => string.Equals(error.Name, field, StringComparison.OrdinalIgnoreCase));

    /// <summary>Whether <paramref name="answer"/> is a 400 problem whose messages for <paramref name="field"/> do not say <paramref name="words"/>.</summary>
    private static bool RefusedWithout(Answer answer, string field, string words) =>
        answer.Status == 400 && IsProblem(answer, out var problem) && !ErrorsOf(problem, field).Any(message => message.Contains(words, StringComparison.Ordinal));

    private static string Shortened(string text) => text.Length <= 300 ? text : text[..300] + "…";

    private void AssertNone(List<string> failures)
    {
        TestContext.Current.TestOutputHelper?.WriteLine($"{_requests} requests, {failures.Count} failure(s).");
        Assert.True(failures.Count == 0, $"{failures.Count} bad request(s) not refused as they should be:\n{string.Join("\n", failures)}");
    }

    /// <summary>
    /// Words of .NET's and its readers' own messages (<c>Nullable&lt;int&gt;</c>, <c>not in a supported DateOnly format</c>, <c>out of
    /// bounds for an Int32</c>, <c>a token type 'Number'</c>), which a problem names in the API's words instead (docs/api.md).
    /// </summary>
    [GeneratedRegex(@"\b(?:Nullable|U?Int(?:16|32|64)|Single|Double|Decimal|Boolean|String|DateOnly|TimeOnly|DateTime|DateTimeOffset|Guid|JsonElement)\b|\bSystem\.|token type|Failed to bind")]
    private static partial Regex DotNetWords();

    [GeneratedRegex(@"[^.\[\]]+|\[\d+\]")]
    private static partial Regex PathSegment();

    private sealed record Answer(int Status, string? MediaType, string Body, IReadOnlyList<string> Changed);
}
