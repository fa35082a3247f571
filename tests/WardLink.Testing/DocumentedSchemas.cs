using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace WardLink.Testing;

/// <summary>
/// Whether a JSON value is what a schema of an OpenAPI 3.1 document takes, by a JSON Schema (2020-12) validator: the schema
/// is evaluated with the document's components as its definitions, so its references resolve as a client generated from the
/// document resolves them.
/// </summary>
public static class DocumentedSchemas
{
    private const string ComponentRef = "#/components/schemas/";

    /// <summary>What in <paramref name="value"/> <paramref name="schema"/> (of <paramref name="document"/>) refuses: one line per error, none when it takes it.</summary>
    public static IReadOnlyList<string> Violations(JsonObject document, JsonObject schema, JsonElement value)
    {
        var definitions = document["components"]?["schemas"]?.ToJsonString() ?? "{}";
        var validator = JsonSchema.FromText(
            $$"""{ "$defs": {{definitions}}, "allOf": [{{schema.ToJsonString()}}] }""".Replace(ComponentRef, "#/$defs/", StringComparison.Ordinal),
            new BuildOptions { SchemaRegistry = new SchemaRegistry() },
            new Uri($"https://wardlink.example/schemas/{Guid.NewGuid():N}"));
        var verdict = validator.Evaluate(value, new EvaluationOptions { OutputFormat = OutputFormat.List });
        // A valid value's details hold the errors of the branches it was meant to fail (a not, the other branches of an anyOf).
        return verdict.IsValid ? [] : [.. (verdict.Details ?? []).SelectMany(detail => (detail.Errors ?? new Dictionary<string, string>()).Select(error => $"{detail.InstanceLocation}: {error.Value}"))];
    }

    /// <summary><paramref name="schema"/> itself, or the component of <paramref name="document"/> it refers to.</summary>
    public static JsonObject Resolved(JsonObject document, JsonNode schema) =>
        schema["$ref"] is { } reference ? document["components"]!["schemas"]![reference.GetValue<string>()[ComponentRef.Length..]]!.AsObject() : schema.AsObject();
}
