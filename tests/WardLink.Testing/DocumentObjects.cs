using System.Text.Json.Nodes;

namespace WardLink.Testing;

/// <summary>Every object of a JSON document (an OpenAPI document's schemas wherever they stand), each with its JSON pointer.</summary>
public static class DocumentObjects
{
    /// <summary>The objects in <paramref name="node"/>, itself first, each named by its pointer from <paramref name="where"/> (<c>#/paths/~1tips/post</c>).</summary>
    public static IEnumerable<(JsonObject Object, string Where)> In(JsonNode? node, string where = "#") => node switch
    {
        JsonObject found => found.SelectMany(property => In(property.Value, $"{where}/{Escaped(property.Key)}")).Prepend((found, where)),
        JsonArray items => items.SelectMany((item, i) => In(item, $"{where}/{i}")),
        _ => [],
    };

    private static string Escaped(string name) => name.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);
}
