using System.Text.Json.Nodes;

namespace WardLink.Testing;

/// <summary>
/// What an OpenAPI document leaves unbounded in what a client sends: a text without
/// <c>maxLength</c> (unless an enum, a constant, or a uuid, date-time, date or time), an integer
/// without <c>minimum</c> and <c>maximum</c>, a list without <c>maxItems</c>, in any parameter or
/// request body; and an operation without a success (2xx) response.
/// </summary>
public static class DocumentedLimits
{
    private static readonly string[] Operations = ["get", "put", "post", "delete", "patch"];
    private static readonly string[] BoundedFormats = ["uuid", "date-time", "date", "time"];
    private static readonly string[] Choices = ["oneOf", "anyOf", "allOf"];

    /// <summary>One line per gap, naming the operation and the value (<c>POST /tips body.description: a text without maxLength</c>).</summary>
    public static IReadOnlyList<string> MissingIn(JsonObject document)
    {
        var components = document["components"]?["schemas"] as JsonObject ?? [];
        var missing = new List<string>();
        foreach (var (template, item) in document["paths"]!.AsObject())
        {
            foreach (var (method, node) in item!.AsObject().Where(operation => Operations.Contains(operation.Key)))
            {
                var operation = node!.AsObject();
                var name = $"{method.ToUpperInvariant()} {template}";
                if (operation["responses"] is not JsonObject responses || !responses.Any(response => response.Key.StartsWith('2')))
                {
                    missing.Add($"{name}: no success response");
                }

                foreach (var parameter in operation["parameters"] as JsonArray ?? [])
                {
                    Check(parameter!["schema"] as JsonObject, $"{name} {parameter["in"]} {parameter["name"]}", components, [], missing);
                }

                foreach (var (_, content) in operation["requestBody"]?["content"] as JsonObject ?? [])
                {
                    Check(content!["schema"] as JsonObject, $"{name} body", components, [], missing);
                }
            }
        }

        return missing;
    }

    private static void Check(JsonObject? schema, string where, JsonObject components, HashSet<string> seen, List<string> missing)
    {
        if (schema is null)
        {
            return;
        }

        if ((string?)schema["$ref"] is { } reference)
        {
            var name = reference.Split('/')[^1];
            if (seen.Add(name))
            {
                Check(components[name] as JsonObject, where, components, seen, missing);
            }

            return;
        }

        foreach (var choice in Choices.SelectMany(keyword => schema[keyword] as JsonArray ?? []))
        {
            Check(choice as JsonObject, where, components, seen, missing);
        }

        var types = schema["type"] switch
        {
            JsonArray list => list.Select(type => (string)type!).ToList(),
            JsonValue type => [(string)type!],
            _ => [],
        };
        var numeric = types.Contains("integer") || types.Contains("number");
        if (types.Contains("string") && !numeric && schema["enum"] is null && schema["const"] is null
            && !BoundedFormats.Contains((string?)schema["format"]) && schema["maxLength"] is null)
        {
            missing.Add($"{where}: a text without maxLength");
        }

        if (types.Contains("integer") && (schema["minimum"] is null || schema["maximum"] is null))
        {
            missing.Add($"{where}: an integer without minimum and maximum");
        }

        if (types.Contains("array"))
        {
            if (schema["maxItems"] is null)
            {
                missing.Add($"{where}: a list without maxItems");
            }

            Check(schema["items"] as JsonObject, $"{where}[]", components, seen, missing);
        }

        foreach (var (property, value) in schema["properties"] as JsonObject ?? [])
        {
            Check(value as JsonObject, $"{where}.{property}", components, [.. seen], missing);
        }

        Check(schema["additionalProperties"] as JsonObject, $"{where}.*", components, seen, missing);
    }
}
