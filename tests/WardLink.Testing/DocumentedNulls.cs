using System.Text.Json;
using System.Text.Json.Nodes;

namespace WardLink.Testing;

/// <summary>
/// Where an OpenAPI document contradicts itself about null: a schema whose <c>type</c> allows null but whose <c>enum</c> does
/// not list it (or whose <c>const</c> is another value) refuses null all the same, as JSON Schema 2020-12 checks each keyword
/// apart. A client generated from its type sends or expects a null that its validator refuses: the documents' nullable enums
/// once refused a pending tip's verdict. And a <c>oneOf</c> of which more than one alternative takes null refuses it: an
/// audit entry's data was "null, or any JSON value", which a null matched twice.
/// </summary>
public static class DocumentedNulls
{
    /// <summary>One line per such schema, anywhere in the document, naming where it is (<c>#/components/schemas/TipVerdict</c>).</summary>
    public static IReadOnlyList<string> RefusedIn(JsonObject document)
    {
        var refused = new List<string>();
        foreach (var (schema, where) in DocumentObjects.In(document))
        {
            if (schema["type"] is JsonArray types && types.Any(type => type?.GetValueKind() == JsonValueKind.String && (string)type! == "null"))
            {
                if (schema["enum"] is JsonArray allowed && !allowed.Contains(null))
                {
                    refused.Add($"{where}: its type allows null, its enum {allowed.ToJsonString()} does not");
                }

                if (schema.TryGetPropertyValue("const", out var constant) && constant is not null)
                {
                    refused.Add($"{where}: its type allows null, its const {constant.ToJsonString()} does not");
                }
            }

            if (schema["oneOf"] is JsonArray alternatives && alternatives.OfType<JsonObject>().Count(alternative => TakesNull(alternative, document)) > 1)
            {
                refused.Add($"{where}: more than one of its oneOf takes null, so null matches none of them alone");
            }
        }

        return refused;
    }

    /// <summary>Whether <paramref name="schema"/> (a component it refers to, read there) lets a null through: by its type, enum or const, or by saying none.</summary>
    private static bool TakesNull(JsonObject schema, JsonObject document)
    {
        if ((string?)schema["$ref"] is { } reference && reference.StartsWith("#/components/schemas/", StringComparison.Ordinal))
        {
            return document["components"]?["schemas"]?[reference["#/components/schemas/".Length..]] is JsonObject component && TakesNull(component, document);
        }

        if (schema["not"] is JsonObject not && not["type"]?.ToString() == "null")
        {
            return false;
        }

        return schema["type"] is { } type ? type.ToJsonString().Contains("\"null\"", StringComparison.Ordinal)
            : schema["enum"] is JsonArray allowed ? allowed.Contains(null)
            : schema.TryGetPropertyValue("const", out var constant) ? constant is null
            : (schema["oneOf"] ?? schema["anyOf"]) is JsonArray alternatives ? alternatives.OfType<JsonObject>().Any(inner => TakesNull(inner, document))
            : true;
    }
}
