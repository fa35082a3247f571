using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Net.Http.Headers;
using WardLink.EventSourcing.Idempotency;
using WardLink.ServiceDefaults;

namespace WardLink.Testing;

/// <summary>
/// What an OpenAPI document says an operation answers, and whether an answer is that: its status is one the operation
/// lists; its headers are as the response declares them (each required one there, each one there of its schema, and none
/// of the headers the API answers with, <see cref="AnswerHeaders"/>, that the response does not declare); its JSON body is
/// valid against the schema listed for it as JSON Schema 2020-12 reads it (what a client's validator says: an <c>enum</c>
/// without null refuses null whatever <c>type</c> says, a <c>oneOf</c> takes exactly one of its schemas, a <c>$ref</c>
/// applies beside its siblings), and, one rule more, names no property that no schema applied to its object names where
/// one names some (a field is hidden until a view names it), and, <paramref name="complete"/>, that a success's JSON answer writes
/// every property its schemas list there (<c>null</c> where it has none, as docs/api.md says). A schema keyword the check does not read is itself a
/// problem: no answer passes on what went unread. A request's JSON body is checked against its operation's schema alike
/// (<see cref="CheckRequest"/>).
/// </summary>
public sealed class DocumentedResponses(JsonObject document, bool complete = true)
{
    /// <summary>The document the answers are held to.</summary>
    public JsonObject Document => document;

    /// <summary>The headers the API answers with that a response must declare to carry them.</summary>
    public static readonly IReadOnlyList<string> AnswerHeaders =
    [
        HeaderNames.ETag, HeaderNames.Location, IdempotencyKeys.ReplayedHeaderName, HeaderNames.RetryAfter,
        "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset", HeaderNames.AccessControlAllowOrigin,
    ];

    /// <summary>The keywords of a schema the check applies.</summary>
    private static readonly HashSet<string> Assertions =
    [
        "$ref", "type", "enum", "const", "allOf", "anyOf", "oneOf", "properties", "required", "additionalProperties", "propertyNames", "items", "maxItems", "minItems", "uniqueItems", "maxProperties",
        "maxLength", "minLength", "pattern", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "not", "if", "then", "else",
    ];

    /// <summary>The keywords that assert nothing (2020-12 reads <c>format</c> as an annotation unless told otherwise), and any <c>x-</c> extension.</summary>
    private static readonly HashSet<string> Annotations = ["description", "format", "title", "default", "example", "examples", "deprecated", "readOnly", "writeOnly", "externalDocs", "$comment"];

    private readonly IReadOnlyList<(string Template, string[] Segments, JsonObject Item)> _paths =
        [.. (document["paths"] as JsonObject ?? []).Select(path => (path.Key, ApiPaths.Segments(path.Key), path.Value!.AsObject()))];

    /// <summary>Every operation of the document: its method (upper case) and path template.</summary>
    public IEnumerable<string> Operations => _paths.SelectMany(path => path.Item.Select(operation => $"{operation.Key.ToUpperInvariant()} {path.Template}"));

    /// <summary>
    /// The operation <paramref name="method"/> <paramref name="path"/> is routed to, as routing does: the path with the most
    /// literal segments (/tips/stats, not /tips/{id}); a method it does not take is no operation. Its name is as in <see cref="Operations"/>.
    /// </summary>
    public (string Name, JsonObject Operation)? OperationOf(string method, string path)
    {
        var segments = ApiPaths.Segments(path);
        return _paths
            .Select(candidate => (candidate.Template, candidate.Item, Literals: ApiPaths.LiteralsMatching(candidate.Segments, segments)))
            .Where(candidate => candidate.Literals >= 0)
            .OrderByDescending(candidate => candidate.Literals)
            .Select(candidate => candidate.Item[method.ToLowerInvariant()] is JsonObject operation ? ($"{method.ToUpperInvariant()} {candidate.Template}", operation) : ((string, JsonObject)?)null)
            .FirstOrDefault();
    }

    /// <summary>
    /// What is wrong with the answer <paramref name="status"/> <paramref name="body"/> (of <paramref name="mediaType"/>, with
    /// <paramref name="headers"/>) to <paramref name="method"/> <paramref name="path"/>; none when it is as documented.
    /// </summary>
    public IReadOnlyList<string> Check(string method, string path, int status, string? mediaType, string body, IReadOnlyDictionary<string, string> headers)
    {
        if (OperationOf(method, path) is not (_, var operation))
        {
            return [$"{method} {path} is not in the document"];
        }

        var responses = operation["responses"] as JsonObject ?? [];
        if ((responses[status.ToString(CultureInfo.InvariantCulture)] ?? responses["default"]) is not JsonObject response)
        {
            return [$"status {status} is not documented (it lists {string.Join(", ", responses.Select(listed => listed.Key))})"];
        }

        var problems = HeaderProblems(response, headers);
        if (mediaType is not ("application/json" or "application/problem+json") || body.Length == 0)
        {
            return problems;
        }

        if (response["content"]?[mediaType]?["schema"] is not JsonObject schema)
        {
            // A body where the response declares none is no more documented than one of another type: a service's 404s were
            // declared bare while it answered problem details.
            return response["content"] is JsonObject { Count: > 0 } content
                ? [.. problems, $"{status} {mediaType} is not documented (it lists {string.Join(", ", content.Select(type => type.Key))})"]
                : [.. problems, $"{status} declares no content, but the answer is {mediaType}"];
        }

        var answer = JsonNode.Parse(body);
        Fits(answer, schema, "$", problems, Reading.Open);
        Fits(answer, schema, "$", problems, complete && status is >= 200 and < 300 && mediaType == "application/json" ? Reading.Complete : Reading.Closed);
        return [.. problems.Distinct(StringComparer.Ordinal)];
    }

    /// <summary>
    /// What is wrong with <paramref name="body"/> as the JSON body of a request <paramref name="method"/> <paramref name="path"/>:
    /// each problem with where it is (<c>$.place.siteId: required, missing</c>), a property no schema names among them; none
    /// when the document describes it.
    /// </summary>
    public IReadOnlyList<string> CheckRequest(string method, string path, JsonNode? body)
    {
        if (OperationOf(method, path) is not (var name, var operation))
        {
            return [$"{method} {path} is not in the document"];
        }

        if (operation["requestBody"]?["content"]?["application/json"]?["schema"] is not JsonObject schema)
        {
            return [$"{name} reads no JSON body"];
        }

        var problems = new List<string>();
        Fits(body, schema, "$", problems, Reading.Open);
        Fits(body, schema, "$", problems, Reading.Closed);
        return [.. problems.Distinct(StringComparer.Ordinal).Select(problem => problem.Replace(": answered, not in the document", ": not in the document", StringComparison.Ordinal))];
    }

    /// <summary>
    /// What is wrong with a delivery of webhook <paramref name="type"/> (the document's <c>webhooks</c>): its body, as the
    /// entry's request body schema takes it (a property none of its schemas names among them), and its
    /// <paramref name="headers"/>, each required one there and each one there of its schema, and no <c>webhook-</c> header it
    /// does not describe.
    /// </summary>
    public IReadOnlyList<string> CheckWebhook(string type, JsonNode? body, IReadOnlyDictionary<string, string> headers)
    {
        if (document["webhooks"]?[type]?["post"] is not JsonObject operation)
        {
            return [$"webhook {type} is not in the document"];
        }

        var problems = new List<string>();
        if (operation["requestBody"]?["content"]?["application/json"]?["schema"] is JsonObject schema)
        {
            Fits(body, schema, "$", problems, Reading.Open);
            Fits(body, schema, "$", problems, Reading.Closed);
        }
        else
        {
            problems.Add($"webhook {type} describes no JSON body");
        }

        var described = (operation["parameters"] as JsonArray ?? []).OfType<JsonObject>().Where(parameter => (string?)parameter["in"] == "header").ToList();
        problems.AddRange(headers.Keys
            .Where(name => name.StartsWith("webhook-", StringComparison.OrdinalIgnoreCase) && !described.Any(header => string.Equals((string?)header["name"], name, StringComparison.OrdinalIgnoreCase)))
            .Select(name => $"header {name}: sent, not in the document"));
        foreach (var header in described)
        {
            var name = (string)header["name"]!;
            if (headers.FirstOrDefault(sent => string.Equals(sent.Key, name, StringComparison.OrdinalIgnoreCase)).Value is not { } text)
            {
                problems.AddRange((bool?)header["required"] == true ? [$"header {name}: required, missing"] : []);
            }
            else if (header["schema"] is JsonObject headerSchema)
            {
                Fits(HeaderValue(text, headerSchema), headerSchema, $"header {name}", problems, Reading.Open);
            }
        }

        return [.. problems.Distinct(StringComparer.Ordinal).Select(problem => problem.Replace(": answered, not in the document", ": sent, not in the document", StringComparison.Ordinal))];
    }

    /// <summary>What is wrong with <paramref name="response"/> (its body read as <paramref name="body"/>) to <paramref name="method"/> <paramref name="path"/>.</summary>
    public IReadOnlyList<string> Check(string method, string path, HttpResponseMessage response, string body) =>
        Check(method, path, (int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, body, HeadersOf(response));

    /// <summary>The headers of <paramref name="response"/> and of its content, each name once (its values joined as HTTP joins them), in any letter case.</summary>
    public static IReadOnlyDictionary<string, string> HeadersOf(HttpResponseMessage response) =>
        response.Headers.Concat(response.Content.Headers)
            .GroupBy(header => header.Key, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(group => group.Key, group => string.Join(", ", group.SelectMany(header => header.Value)), StringComparer.OrdinalIgnoreCase);

    /// <summary>Each header the response declares required and missing, or there and not of its schema; each of <see cref="AnswerHeaders"/> there that it does not declare.</summary>
    private List<string> HeaderProblems(JsonObject response, IReadOnlyDictionary<string, string> headers)
    {
        string? ValueOf(string name) => headers.FirstOrDefault(header => string.Equals(header.Key, name, StringComparison.OrdinalIgnoreCase)).Value;

        var problems = new List<string>();
        var declared = response["headers"] as JsonObject ?? [];
        foreach (var (name, declaration) in declared)
        {
            // A header the document defines once (components.headers) and refers to from each response.
            var header = declaration?["$ref"] is JsonValue reference ? Target((string)reference!) : declaration;
            if (ValueOf(name) is not { } text)
            {
                if ((bool?)header?["required"] == true)
                {
                    problems.Add($"header {name}: required, missing");
                }
            }
            else if (header?["schema"] is JsonObject schema)
            {
                Fits(HeaderValue(text, schema), schema, $"header {name}", problems, Reading.Open);
            }
        }

        problems.AddRange(AnswerHeaders
            .Where(name => ValueOf(name) is not null && !declared.Any(header => string.Equals(header.Key, name, StringComparison.OrdinalIgnoreCase)))
            .Select(name => $"header {name}: answered, not in the document"));
        return problems;
    }

    /// <summary>A header's text as the value its schema describes: a number where it says integer or number and the text is one, else the text.</summary>
    private JsonValue HeaderValue(string text, JsonObject schema)
    {
        if (TypesOf(schema["$ref"] is JsonValue reference ? Target((string)reference!) : schema).Intersect(["integer", "number"]).Any())
        {
            try
            {
                if (JsonNode.Parse(text) is JsonValue number && number.GetValueKind() == JsonValueKind.Number)
                {
                    return number;
                }
            }
            catch (JsonException)
            {
                // Not a number: checked as the text it is.
            }
        }

        return JsonValue.Create(text);
    }

    /// <summary>
    /// The problems of <paramref name="value"/> at <paramref name="at"/> against <paramref name="schema"/>; read
    /// <see cref="Reading.Closed"/>, also each property of an object there or within that no schema applied to it names, where
    /// one names some; read <see cref="Reading.Complete"/> (a success's JSON answer), also each property a schema applied to it
    /// lists that the object leaves out: an answer writes every property it lists, <c>null</c> where it has none (docs/api.md).
    /// </summary>
    private void Fits(JsonNode? value, JsonObject schema, string at, List<string> problems, Reading reading)
    {
        var named = new NamedProperties();
        Applies(value, schema, at, problems, reading, named);
        if (reading != Reading.Open && value is JsonObject answered && named.Any)
        {
            problems.AddRange(answered.Where(member => !named.Names.Contains(member.Key)).Select(member => $"{at}.{member.Key}: answered, not in the document"));
        }

        if (reading == Reading.Complete && value is JsonObject whole)
        {
            problems.AddRange(named.Listed.Where(name => !whole.ContainsKey(name)).Select(name => $"{at}.{name}: listed by the document, left out of the answer (null where it has none)"));
        }
    }

    /// <summary>
    /// The schema's keywords applied to <paramref name="value"/> where it is, as 2020-12 applies them: all of them, those of
    /// <c>$ref</c>'s target and of <c>allOf</c>'s parts too, and of the <c>anyOf</c> (at least one) or <c>oneOf</c> (exactly
    /// one) schemas it fits; <paramref name="named"/> gathers the properties they name (of those it fits).
    /// </summary>
    private void Applies(JsonNode? value, JsonObject schema, string at, List<string> problems, Reading reading, NamedProperties named)
    {
        problems.AddRange(schema
            .Where(keyword => !Assertions.Contains(keyword.Key) && !Annotations.Contains(keyword.Key) && !keyword.Key.StartsWith("x-", StringComparison.Ordinal))
            .Select(keyword => $"{at}: the document's schema uses {keyword.Key}, which this check does not read"));
        if ((string?)schema["$ref"] is { } reference)
        {
            Applies(value, Target(reference), at, problems, reading, named);
        }

        foreach (var part in schema["allOf"] as JsonArray ?? [])
        {
            Applies(value, part!.AsObject(), at, problems, reading, named);
        }

        if (schema["not"] is JsonObject refused && Finds(value, refused, at, reading).Count == 0)
        {
            problems.Add($"{at}: {JsonText(value)} fits the schema its document says it is not");
        }

        // 2020-12: "then" applies where the value fits "if", "else" where it does not.
        if (schema["if"] is JsonObject condition && schema[Finds(value, condition, at, reading).Count == 0 ? "then" : "else"] is JsonObject branch)
        {
            Applies(value, branch, at, problems, reading, named);
        }

        foreach (var combination in new[] { "anyOf", "oneOf" })
        {
            if (schema[combination] is JsonArray choices)
            {
                Chooses(value, combination, choices, at, problems, reading, named);
            }
        }

        var types = TypesOf(schema);
        var kind = KindOf(value);
        if (types.Count > 0 && !types.Contains(kind) && !(kind == "integer" && types.Contains("number")))
        {
            problems.Add($"{at}: {kind} where the document says {string.Join(" or ", types)}");
            return;
        }

        if (schema["enum"] is JsonArray allowed && !allowed.Any(choice => JsonNode.DeepEquals(choice, value)))
        {
            problems.Add($"{at}: {JsonText(value)} is not one of {allowed.ToJsonString()}");
        }

        if (schema.TryGetPropertyValue("const", out var constant) && !JsonNode.DeepEquals(constant, value))
        {
            problems.Add($"{at}: {JsonText(value)} is not {JsonText(constant)}");
        }

        problems.AddRange(PastLimits(value, kind, schema).Select(problem => $"{at}: {problem}"));

        switch (value)
        {
            case JsonObject answered:
                ChecksProperties(answered, schema, at, problems, reading, named);
                break;
            case JsonArray array when schema["items"] is JsonObject items:
                for (var i = 0; i < array.Count; i++)
                {
                    Fits(array[i], items, $"{at}[{i}]", problems, reading);
                }

                break;
        }
    }

    /// <summary>The problems of <paramref name="value"/> against <paramref name="schema"/> alone, what it names left out.</summary>
    private List<string> Finds(JsonNode? value, JsonObject schema, string at, Reading reading)
    {
        var found = new List<string>();
        Applies(value, schema, at, found, reading, new NamedProperties());
        return found;
    }

    /// <summary>An <c>anyOf</c> fits when one of its schemas at least does, a <c>oneOf</c> when exactly one does; the properties those name are named.</summary>
    private void Chooses(JsonNode? value, string combination, JsonArray choices, string at, List<string> problems, Reading reading, NamedProperties named)
    {
        var tried = choices.Select(choice =>
        {
            var found = new List<string>();
            var branch = new NamedProperties();
            Applies(value, choice!.AsObject(), at, found, reading, branch);
            return (Found: found, Named: branch);
        }).ToList();
        var fitting = Enumerable.Range(0, tried.Count).Where(index => tried[index].Found.Count == 0).ToList();
        if (fitting.Count == 0)
        {
            problems.Add($"{at}: fits none of its {combination}: {string.Join(" | ", tried.Select(found => found.Found[0]))}");
        }
        else if (combination == "oneOf" && fitting.Count > 1)
        {
            problems.Add($"{at}: fits {fitting.Count} of its oneOf (schemas {string.Join(" and ", fitting)}), which takes exactly one");
        }
        else
        {
            fitting.ForEach(index => named.Add(tried[index].Named));
        }
    }

    /// <summary>
    /// <c>required</c>, <c>maxProperties</c>, <c>propertyNames</c> (each name checked as a text), <c>properties</c> and
    /// <c>additionalProperties</c> of an object; each member checked as a value of its own.
    /// </summary>
    private void ChecksProperties(JsonObject answered, JsonObject schema, string at, List<string> problems, Reading reading, NamedProperties named)
    {
        if (schema["propertyNames"] is JsonObject names)
        {
            foreach (var (name, _) in answered)
            {
                Fits(JsonValue.Create(name), names, $"{at} (the name {name})", problems, reading);
            }
        }

        problems.AddRange((schema["required"] as JsonArray ?? []).Select(name => (string)name!).Where(name => !answered.ContainsKey(name)).Select(name => $"{at}.{name}: required, missing"));
        if ((int?)schema["maxProperties"] is { } most && answered.Count > most)
        {
            problems.Add($"{at}: {answered.Count} properties where the document says at most {most}");
        }

        var properties = schema["properties"] as JsonObject;
        named.Any |= properties is not null || schema.ContainsKey("additionalProperties");
        named.Listed.UnionWith(properties?.Select(property => property.Key) ?? []);
        foreach (var (name, member) in answered)
        {
            if (properties?[name] is JsonObject declared)
            {
                Fits(member, declared, $"{at}.{name}", problems, reading);
                named.Names.Add(name);
            }
            else if (schema["additionalProperties"] is JsonObject values)
            {
                Fits(member, values, $"{at}.{name}", problems, reading);
                named.Names.Add(name);
            }
            else if (schema["additionalProperties"] is JsonValue more)
            {
                if (!more.GetValue<bool>())
                {
                    problems.Add($"{at}.{name}: answered, where the document allows no other property");
                }

                named.Names.Add(name);
            }
        }
    }

    /// <summary>The first item of <paramref name="list"/> equal (as a JSON value) to one before it, with that one's index.</summary>
    private static (int First, int Repeat)? RepeatIn(JsonArray list) =>
        Enumerable.Range(0, list.Count)
            .SelectMany(repeat => Enumerable.Range(0, repeat).Select(first => (First: first, Repeat: repeat)))
            .Where(pair => JsonNode.DeepEquals(list[pair.First], list[pair.Repeat]))
            .Select(pair => ((int First, int Repeat)?)pair)
            .FirstOrDefault();

    /// <summary>
    /// What of <paramref name="value"/> lies past the limits its schema states: a text's <c>maxLength</c> and <c>minLength</c>
    /// (in characters, as 2020-12 counts them: a surrogate pair is one) and <c>pattern</c> (ECMA-262, found anywhere in the
    /// text unless anchored); a list's <c>maxItems</c>, <c>minItems</c> and <c>uniqueItems</c> (equal as JSON values); a number's <c>minimum</c>, <c>maximum</c> and their exclusive forms.
    /// </summary>
    private static IEnumerable<string> PastLimits(JsonNode? value, string kind, JsonObject schema)
    {
        if (kind == "string" && value!.GetValue<string>() is { } text)
        {
            var length = text.EnumerateRunes().Count();
            if ((int?)schema["maxLength"] is { } longest && length > longest)
            {
                yield return $"{length} characters ({Shortened(text)}) where the document says at most {longest}";
            }

            if ((int?)schema["minLength"] is { } shortest && length < shortest)
            {
                yield return $"{length} characters ({Shortened(text)}) where the document says at least {shortest}";
            }

            if ((string?)schema["pattern"] is { } pattern && !Regex.IsMatch(text, AsEcmaScript(pattern), RegexOptions.ECMAScript, TimeSpan.FromSeconds(1)))
            {
                yield return $"{Shortened(text)} does not match the document's pattern {pattern}";
            }
        }

        if (value is JsonArray list)
        {
            if ((int?)schema["maxItems"] is { } most && list.Count > most)
            {
                yield return $"{list.Count} items where the document says at most {most}";
            }

            if ((int?)schema["minItems"] is { } fewest && list.Count < fewest)
            {
                yield return $"{list.Count} items where the document says at least {fewest}";
            }

            if ((bool?)schema["uniqueItems"] == true && RepeatIn(list) is var (first, repeat))
            {
                yield return $"items {first} and {repeat} are equal where the document says each is unique";
            }
        }

        if (kind is "integer" or "number" && value!.GetValue<JsonElement>().GetDouble() is var number)
        {
            if ((double?)schema["minimum"] is { } least && number < least)
            {
                yield return $"{number} where the document says at least {least}";
            }

            if ((double?)schema["exclusiveMinimum"] is { } above && number <= above)
            {
                yield return $"{number} where the document says more than {above}";
            }

            if ((double?)schema["maximum"] is { } greatest && number > greatest)
            {
                yield return $"{number} where the document says at most {greatest}";
            }

            if ((double?)schema["exclusiveMaximum"] is { } below && number >= below)
            {
                yield return $"{number} where the document says less than {below}";
            }
        }
    }

    /// <summary>
    /// <paramref name="pattern"/> as .NET reads what ECMA-262 means by it: a <c>$</c> (unescaped, outside a class) matches at
    /// the end of the text only, where .NET's also matches before a final line feed.
    /// </summary>
    private static string AsEcmaScript(string pattern)
    {
        var written = new StringBuilder(pattern.Length);
        var inClass = false;
        for (var i = 0; i < pattern.Length; i++)
        {
            if (pattern[i] == '\\' && i + 1 < pattern.Length)
            {
                written.Append(pattern, i++, 2);
                continue;
            }

            inClass = pattern[i] switch { '[' => true, ']' => false, _ => inClass };
            written.Append(pattern[i] == '$' && !inClass ? "(?!\\n)$" : pattern[i].ToString());
        }

        return written.ToString();
    }

    private static string Shortened(string text) => text.Length <= 80 ? text : $"{text[..80]}…";

    private static string JsonText(JsonNode? value) => value?.ToJsonString() ?? "null";

    private static List<string> TypesOf(JsonObject schema) => schema["type"] switch
    {
        JsonArray many => [.. many.Select(type => (string)type!)],
        JsonValue one => [(string)one!],
        _ => [],
    };

    /// <summary>The schema a <c>$ref</c> names: a JSON pointer into the document (<c>#/components/schemas/Tip</c>).</summary>
    private JsonObject Target(string reference)
    {
        JsonNode? node = document;
        foreach (var segment in reference.TrimStart('#').Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            node = node?[segment.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)];
        }

        return node as JsonObject ?? throw new InvalidOperationException($"{reference} names nothing in the document.");
    }

    /// <summary>A value's JSON Schema type; a number with no fraction is an integer, as 2020-12 counts it (<c>1.0</c> too).</summary>
    private static string KindOf(JsonNode? value) => value?.GetValueKind() switch
    {
        null or JsonValueKind.Null => "null",
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Number when value.GetValue<JsonElement>() is var number && (number.TryGetInt64(out _) || (number.TryGetDecimal(out var exact) && exact == decimal.Truncate(exact))) => "integer",
        JsonValueKind.Number => "number",
        _ => "unknown",
    };

    /// <summary>How far an answer is read: its schemas alone; also closed (no property no schema names); also complete (every property a schema lists there).</summary>
    private enum Reading
    {
        Open,
        Closed,
        Complete,
    }

    /// <summary>
    /// The properties the schemas applied to one object name among those it has (what 2020-12's <c>unevaluatedProperties</c>
    /// reads), whether any names some, and every property they list.
    /// </summary>
    private sealed class NamedProperties
    {
        public HashSet<string> Names { get; } = new(StringComparer.Ordinal);

        public HashSet<string> Listed { get; } = new(StringComparer.Ordinal);

        public bool Any { get; set; }

        public void Add(NamedProperties other)
        {
            Names.UnionWith(other.Names);
            Listed.UnionWith(other.Listed);
            Any |= other.Any;
        }
    }
}
