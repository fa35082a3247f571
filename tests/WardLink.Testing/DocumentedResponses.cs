using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using WardLink.ServiceDefaults;

namespace WardLink.Testing;

/// <summary>
/// What an OpenAPI document says an operation answers, and whether an answer is that: its status is one the
/// operation lists, and its JSON body fits the schema listed for it (types, enums, required properties, the limits it
/// states of texts, lists and numbers, and no property the schema does not name: a field is hidden until a view names it).
/// </summary>
public sealed class DocumentedResponses(JsonObject document)
{
    private readonly JsonObject _components = document["components"] as JsonObject ?? [];

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

    /// <summary>What is wrong with the answer <paramref name="status"/> <paramref name="body"/> (of <paramref name="mediaType"/>) to <paramref name="method"/> <paramref name="path"/>; none when it is as documented.</summary>
    public IReadOnlyList<string> Check(string method, string path, int status, string? mediaType, string body)
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

        if (mediaType is not ("application/json" or "application/problem+json") || body.Length == 0)
        {
            return [];
        }

        if (response["content"]?[mediaType]?["schema"] is not JsonObject schema)
        {
            return response["content"] is JsonObject { Count: > 0 } content
                ? [$"{status} {mediaType} is not documented (it lists {string.Join(", ", content.Select(type => type.Key))})"]
                : [];
        }

        var problems = new List<string>();
        Fits(JsonNode.Parse(body), schema, "$", problems);
        return problems;
    }

    private void Fits(JsonNode? value, JsonObject schema, string at, List<string> problems)
    {
        schema = Resolved(schema);

        foreach (var combination in new[] { "oneOf", "anyOf" })
        {
            if (schema[combination] is JsonArray choices)
            {
                var tried = choices.Select(choice =>
                {
                    var found = new List<string>();
                    Fits(value, choice!.AsObject(), at, found);
                    return found;
                }).ToList();
                if (tried.TrueForAll(found => found.Count > 0))
                {
                    problems.Add($"{at}: fits none of its {combination}: {string.Join(" | ", tried.Select(found => found[0]))}");
                }

                return;
            }
        }

        if (schema["allOf"] is JsonArray parts)
        {
            Fits(value, Merged(parts), at, problems);
            return;
        }

        var types = schema["type"] switch
        {
            JsonArray many => many.Select(type => (string)type!).ToList(),
            JsonValue one => [(string)one!],
            _ => [],
        };
        var kind = KindOf(value);
        if (types.Count > 0 && !types.Contains(kind) && !(kind == "integer" && types.Contains("number")))
        {
            problems.Add($"{at}: {kind} where the document says {string.Join(" or ", types)}");
            return;
        }

        if (schema["enum"] is JsonArray allowed && value is not null && !allowed.Any(choice => JsonNode.DeepEquals(choice, value)))
        {
            problems.Add($"{at}: {value.ToJsonString()} is not one of {allowed.ToJsonString()}");
        }

        problems.AddRange(PastLimits(value, kind, schema).Select(problem => $"{at}: {problem}"));

        switch (value)
        {
            case JsonObject obj:
                var properties = schema["properties"] as JsonObject;
                foreach (var required in (schema["required"] as JsonArray ?? []).Select(name => (string)name!).Where(name => !obj.ContainsKey(name)))
                {
                    problems.Add($"{at}.{required}: required, missing");
                }

                foreach (var (name, member) in obj)
                {
                    if (properties?[name] is JsonObject declared)
                    {
                        Fits(member, declared, $"{at}.{name}", problems);
                    }
                    else if (schema["additionalProperties"] is JsonObject values)
                    {
                        Fits(member, values, $"{at}.{name}", problems);
                    }
                    else if (properties is not null || schema["additionalProperties"] is JsonValue)
                    {
                        problems.Add($"{at}.{name}: answered, not in the document");
                    }
                }

                break;
            case JsonArray array when schema["items"] is JsonObject items:
                for (var i = 0; i < array.Count; i++)
                {
                    Fits(array[i], items, $"{at}[{i}]", problems);
                }

                break;
        }
    }

    /// <summary>What of <paramref name="value"/> lies past the limits its schema states: a text's <c>maxLength</c>, a list's <c>maxItems</c>, a number's <c>minimum</c> and <c>maximum</c>.</summary>
    private static IEnumerable<string> PastLimits(JsonNode? value, string kind, JsonObject schema)
    {
        if (kind == "string" && (int?)schema["maxLength"] is { } longest && value!.GetValue<string>() is { } text && text.Length > longest)
        {
            yield return $"{text.Length} characters ({Shortened(text)}) where the document says at most {longest}";
        }

        if (value is JsonArray list && (int?)schema["maxItems"] is { } most && list.Count > most)
        {
            yield return $"{list.Count} items where the document says at most {most}";
        }

        if (kind is "integer" or "number" && value!.GetValue<JsonElement>().GetDouble() is var number)
        {
            if ((double?)schema["minimum"] is { } least && number < least)
            {
                yield return $"{number} where the document says at least {least}";
            }

            if ((double?)schema["maximum"] is { } greatest && number > greatest)
            {
                yield return $"{number} where the document says at most {greatest}";
            }
        }
    }

    private static string Shortened(string text) => text.Length <= 80 ? text : $"{text[..80]}…";

    /// <summary>The parts of an <c>allOf</c> as one schema: their properties and required names together, the type they share.</summary>
    private JsonObject Merged(JsonArray parts)
    {
        var merged = new JsonObject { ["properties"] = new JsonObject(), ["required"] = new JsonArray() };
        foreach (var part in parts.Select(part => Resolved(part!.AsObject())))
        {
            var whole = part["allOf"] is JsonArray nested ? Merged(nested) : part;
            foreach (var (name, property) in whole["properties"] as JsonObject ?? [])
            {
                merged["properties"]![name] = property?.DeepClone();
            }

            foreach (var name in whole["required"] as JsonArray ?? [])
            {
                merged["required"]!.AsArray().Add(name?.DeepClone());
            }

            if (whole["type"] is { } type)
            {
                merged["type"] = type.DeepClone();
            }
        }

        return merged;
    }

    private JsonObject Resolved(JsonObject schema) =>
        (string?)schema["$ref"] is { } reference ? Resolved(_components["schemas"]![reference.Split('/')[^1]]!.AsObject()) : schema;

    private static string KindOf(JsonNode? value) => value?.GetValueKind() switch
    {
        null or JsonValueKind.Null => "null",
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Number => value.GetValue<JsonElement>().TryGetInt64(out _) ? "integer" : "number",
        _ => "unknown",
    };
}
