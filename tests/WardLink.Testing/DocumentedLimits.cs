using System.Text.Json;
using System.Text.Json.Nodes;

namespace WardLink.Testing;

/// <summary>
/// What an OpenAPI document leaves unbounded, by the rules of Spectral's OWASP ruleset
/// (<c>owasp:api4:2023-string-limit</c>, <c>integer-limit</c>, <c>integer-format</c> and <c>array-limit</c>) applied as
/// Spectral applies them, to every schema anywhere in the document (parameters, bodies, answers,
/// headers, components): a text (a type that includes <c>string</c>, a GUID, a time or a number
/// read from text too) without <c>maxLength</c>, <c>enum</c> or <c>const</c>; an integer without
/// exactly one of <c>minimum</c>/<c>exclusiveMinimum</c> and one of
/// <c>maximum</c>/<c>exclusiveMaximum</c>, or without the <c>format</c> <c>int32</c> or <c>int64</c>; a list without
/// <c>maxItems</c>. Beyond Spectral's rules, a decimal (<c>number</c>) without its least (<c>minimum</c> or
/// <c>exclusiveMinimum</c>: hours, a percentage; a reader relies on no negative hours), and the shapes a reader needs: a list without <c>items</c> (or <c>prefixItems</c>),
/// an object without <c>properties</c>, <c>additionalProperties</c> or <c>patternProperties</c> (a tally's values unsaid);
/// a free-form object says <c>additionalProperties: true</c>. Also an operation without a success (2xx) response, and a
/// whole number of a query or path without the <c>pattern</c> of its digits (a reader cannot know that <c>02024</c> or
/// <c>+2024</c> is a 400).
/// </summary>
public static class DocumentedLimits
{
    private static readonly string[] Operations = ["get", "put", "post", "delete", "patch"];

    /// <summary>One line per gap, naming where it is (<c>#/paths/~1tips/post/requestBody/…/description: a text without maxLength</c>).</summary>
    public static IReadOnlyList<string> MissingIn(JsonObject document)
    {
        var missing = new List<string>();
        foreach (var (template, item) in document["paths"] as JsonObject ?? [])
        {
            foreach (var (method, operation) in item!.AsObject().Where(operation => Operations.Contains(operation.Key)))
            {
                if (operation!["responses"] is not JsonObject responses || !responses.Any(response => response.Key.StartsWith('2')))
                {
                    missing.Add($"{method.ToUpperInvariant()} {template}: no success response");
                }

                foreach (var (parameter, index) in (operation["parameters"] as JsonArray ?? []).Select((parameter, index) => (parameter, index)))
                {
                    if ((string?)parameter?["in"] is "query" or "path" && parameter["schema"] is JsonObject schema && TypesOf(schema).Contains("integer") && schema["pattern"] is null)
                    {
                        missing.Add($"#/paths/{template.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal)}/{method}/parameters/{index}/schema: a whole number read from text without the pattern of its digits");
                    }
                }
            }
        }

        foreach (var (schema, where) in DocumentObjects.In(document))
        {
            Check(schema, where, missing);
        }

        return missing;
    }

    private static void Check(JsonObject schema, string where, List<string> missing)
    {
        var types = TypesOf(schema);
        if (types.Contains("string") && schema["maxLength"] is null && schema["enum"] is null && schema["const"] is null)
        {
            missing.Add($"{where}: a text without maxLength");
        }

        if (types.Contains("integer") && (!OneOf(schema, "minimum", "exclusiveMinimum") || !OneOf(schema, "maximum", "exclusiveMaximum")))
        {
            missing.Add($"{where}: an integer without minimum and maximum");
        }

        if (types.Contains("integer") && (string?)schema["format"] is not ("int32" or "int64"))
        {
            missing.Add($"{where}: an integer without the format int32 or int64");
        }

        if (types.Contains("number") && schema["minimum"] is null && schema["exclusiveMinimum"] is null)
        {
            missing.Add($"{where}: a number without minimum");
        }

        if (types.Contains("array") && schema["maxItems"] is null)
        {
            missing.Add($"{where}: a list without maxItems");
        }

        if (types.Contains("array") && schema["items"] is null && schema["prefixItems"] is null)
        {
            missing.Add($"{where}: a list that does not say what its items are");
        }

        if (types.Contains("object") && schema["properties"] is null && schema["additionalProperties"] is null && schema["patternProperties"] is null)
        {
            missing.Add($"{where}: an object that says neither its properties nor its members' values (additionalProperties: true where any are)");
        }
    }

    private static List<string> TypesOf(JsonObject schema) => schema["type"] switch
    {
        JsonArray list => list.OfType<JsonValue>().Where(type => type.GetValueKind() == JsonValueKind.String).Select(type => type.GetValue<string>()).ToList(),
        JsonValue type when type.GetValueKind() == JsonValueKind.String => [type.GetValue<string>()],
        _ => [],
    };

    private static bool OneOf(JsonObject schema, string inclusive, string exclusive) => (schema[inclusive] is null) != (schema[exclusive] is null);
}
