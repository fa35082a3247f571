using System.Text.Json.Nodes;

namespace WardLink.Testing;

/// <summary>
/// What a statistic's answer leaves unsaid in an OpenAPI document: every property of the schema a statistics operation (a path
/// ending in <c>/stats</c>, <c>/stats/compare</c>, <c>/coverage</c> or <c>/reports/annual</c>) answers with <c>200</c>, and of every schema it refers
/// to, says in its <c>description</c> what it counts (a figure's name alone does not tell a partner or an auditor what was
/// counted), and every tally (an object of counts by name) says its names (<c>propertyNames</c>).
/// </summary>
public static class DocumentedFigures
{
    private static readonly string[] StatisticPaths = ["/stats", "/stats/compare", "/coverage", "/reports/annual"];

    /// <summary>One line per property without a description, named by its pointer (<c>#/components/schemas/TipStatistics/properties/referred</c>).</summary>
    public static IReadOnlyList<string> UndescribedIn(JsonObject document)
    {
        var schemas = document["components"]?["schemas"] as JsonObject;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var undescribed = new List<string>();
        foreach (var (template, item) in document["paths"] as JsonObject ?? [])
        {
            if (StatisticPaths.Any(ending => template.EndsWith(ending, StringComparison.Ordinal))
                && item?["get"]?["responses"]?["200"]?["content"]?["application/json"]?["schema"] is JsonObject answered)
            {
                Walk(answered, $"GET {template}", schemas, seen, undescribed);
            }
        }

        return undescribed;
    }

    private static void Walk(JsonObject schema, string where, JsonObject? schemas, HashSet<string> seen, List<string> undescribed)
    {
        foreach (var referred in Referred(schema))
        {
            var name = referred[(referred.LastIndexOf('/') + 1)..];
            if (seen.Add(name) && schemas?[name] is JsonObject component)
            {
                Walk(component, referred, schemas, seen, undescribed);
            }
        }

        foreach (var (name, property) in schema["properties"] as JsonObject ?? [])
        {
            if (property is not JsonObject described)
            {
                continue;
            }

            if (described["description"] is null)
            {
                undescribed.Add($"{where}/properties/{name}");
            }

            if (described["additionalProperties"] is JsonObject && described["propertyNames"] is null)
            {
                undescribed.Add($"{where}/properties/{name}: a tally whose names are unsaid (propertyNames)");
            }

            Walk(described, $"{where}/properties/{name}", schemas, seen, undescribed);
        }
    }

    /// <summary>The components <paramref name="schema"/> refers to, itself, in its items, values or alternatives.</summary>
    private static IEnumerable<string> Referred(JsonObject schema) =>
        DocumentObjects.In(schema)
            .Where(found => found.Where == "#" || !found.Where.Contains("/properties/", StringComparison.Ordinal))
            .Select(found => (string?)found.Object["$ref"])
            .OfType<string>();
}
