using System.Text.Json;
using System.Text.Json.Nodes;

namespace WardLink.Testing;

/// <summary>
/// Where an OpenAPI document contradicts itself about null: a schema whose <c>type</c> allows null but whose <c>enum</c> does
/// not list it (or whose <c>const</c> is another value) refuses null all the same, as JSON Schema 2020-12 checks each keyword
/// apart. A client generated from its type sends or expects a null that its validator refuses: the documents' nullable enums
/// once refused a pending tip's verdict.
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
        }

        return refused;
    }
}
