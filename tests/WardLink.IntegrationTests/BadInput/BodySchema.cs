using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using WardLink.Domain;
using WardLink.Patrols;

namespace WardLink.IntegrationTests.BadInput;

/// <summary>What a JSON schema describes: an object (record), an array, an enum, a string (text), a number, an integer, a boolean.</summary>
public enum SchemaKind
{
    Record,
    Array,
    Enum,
    Text,
    Number,
    WholeNumber,
    Boolean,
}

/// <summary>
/// A request body schema from a service's OpenAPI document, with <c>$ref</c>s resolved and
/// <c>oneOf [null, X]</c> read as a nullable X: enough to build a well-typed sample body and to
/// name each value in it that a bad request can get wrong.
/// </summary>
public sealed class BodySchema
{
    private readonly JsonObject _node;
    private readonly JsonObject _components;

    private BodySchema(JsonObject node, JsonObject components, bool nullable)
    {
        _node = node;
        _components = components;
        Nullable = nullable || TypesOf(node).Contains("null");
        Kind = KindOf(node);
    }

    public SchemaKind Kind { get; }

    /// <summary>Whether the schema allows <c>null</c>.</summary>
    public bool Nullable { get; }

    public string? Format => (string?)_node["format"];

    public string? Pattern => (string?)_node["pattern"];

    /// <summary>The documented maximum length of a text, or the maximum count of a list.</summary>
    public int? MaxLength => (int?)_node["maxLength"];

    /// <summary>The documented minimum length of a text.</summary>
    public int? MinLength => (int?)_node["minLength"];

    public int? MaxItems => (int?)_node["maxItems"];

    public int? MinItems => (int?)_node["minItems"];

    /// <summary>Whether the document refuses the empty GUID here (<c>not: { const: "00000000-…" }</c>).</summary>
    public bool RefusesEmptyId => (string?)_node["not"]?["const"] == Guid.Empty.ToString();

    /// <summary>Whether the document refuses a list with an item given twice.</summary>
    public bool UniqueItems => (bool?)_node["uniqueItems"] == true;

    /// <summary>The documented range of a number.</summary>
    /// <summary>The value the operation takes when none is sent (<c>default</c>), as the document writes it; null where it states none.</summary>
    public string? Default => _node["default"]?.ToJsonString();

    public decimal? Minimum => (decimal?)_node["minimum"];

    public decimal? Maximum => (decimal?)_node["maximum"];

    /// <summary>Whether an object may hold properties its schema does not name (JSON Schema's default: unless <c>additionalProperties</c> is false).</summary>
    public bool AdditionalPropertiesAllowed => _node["additionalProperties"] is not JsonValue allowed || allowed.GetValue<bool>();

    /// <summary>The properties a record's schema requires (<c>required</c>; those an <c>if</c>/<c>then</c> requires are not among them).</summary>
    public IReadOnlySet<string> Required => _node["required"] is JsonArray names ? names.Select(name => (string)name!).ToHashSet() : [];

    public IReadOnlyList<string> EnumValues => _node["enum"] is JsonArray values ? [.. values.Select(value => (string)value!)] : [];

    /// <summary>Constrained text: an id, a date, a time, a code with a pattern; anything but free text.</summary>
    public bool IsConstrainedText => Kind == SchemaKind.Text && (Format is not null || Pattern is not (null or Patterns.NotBlank));

    public IEnumerable<(string Name, BodySchema Schema)> Properties =>
        _node["properties"] is JsonObject properties
            ? properties.Select(property => (property.Key, Resolve(property.Value!.AsObject(), _components)))
            : [];

    public BodySchema Items => Resolve(_node["items"]!.AsObject(), _components);

    public static BodySchema Resolve(JsonObject node, JsonObject components, bool nullable = false)
    {
        if ((string?)node["$ref"] is { } reference)
        {
            return Resolve(components["schemas"]![reference.Split('/')[^1]]!.AsObject(), components, nullable);
        }

        if (node["oneOf"] is JsonArray choices)
        {
            var nonNull = choices.Select(choice => choice!.AsObject()).Where(choice => (string?)choice["type"] != "null").ToList();
            if (nonNull.Count == 1)
            {
                return Resolve(nonNull[0], components, nullable || nonNull.Count < choices.Count);
            }
        }

        return new BodySchema(node, components, nullable);
    }

    /// <summary>
    /// A character beyond the Basic Multilingual Plane (an emoji): one character as JSON Schema's <c>maxLength</c> counts a
    /// text's length, two UTF-16 units as .NET's <see cref="string.Length"/> counts it.
    /// </summary>
    public const string Astral = "\ud83d\ude00";

    /// <summary>
    /// A text of exactly its documented <c>maxLength</c> in characters beyond the Basic Multilingual Plane, with what it is:
    /// within its limit as the document counts it. None for a text of a format, or one whose pattern refuses such a text.
    /// </summary>
    public IEnumerable<(string What, string Value)> AtMaxLength()
    {
        if (this is { Kind: SchemaKind.Text, MaxLength: { } max, Format: null } && Admits(Astrals(max)))
        {
            yield return ($"of {max} characters beyond the Basic Multilingual Plane", Astrals(max));
        }
    }

    /// <summary>
    /// Texts one character past the documented <c>maxLength</c>, each with what it is: free text of x's, and of characters
    /// beyond the Basic Multilingual Plane (also where a pattern admits them); and, free or with a
    /// pattern, the well-formed sample padded with spaces before it, after it, and after it before a final line feed (it is
    /// well-formed once trimmed, so only its length as sent is wrong: a check of the trimmed length lets it through). A time
    /// (<c>date-time</c>), its sample with more decimals of a second than its length holds. None for a text of another format
    /// (a date, an id), which has no length of its own to pass, nor padded samples where the sample itself is past the limit
    /// (<see cref="SampleFits"/>).
    /// </summary>
    public IEnumerable<(string What, string Value)> PastMaxLength()
    {
        if (this is { Kind: SchemaKind.Text, MaxLength: { } longest, Format: "date-time" })
        {
            // Well-formed but for its length: more decimals of a second than a time has, which a reader would cut unseen.
            var time = Sample()!.GetValue<string>();
            var offsetAt = time.Length - "+07:00".Length;
            yield return ("its sample with more decimals of a second", $"{time[..offsetAt]}.{new string('1', longest - time.Length)}{time[offsetAt..]}");
            yield break;
        }

        if (this is not { Kind: SchemaKind.Text, MaxLength: { } max, Format: null })
        {
            yield break;
        }

        if (Pattern is null or Patterns.NotBlank)
        {
            yield return ("of x's", new string('x', max + 1));
        }

        if (Admits(Astrals(max + 1)))
        {
            yield return ("of characters beyond the Basic Multilingual Plane", Astrals(max + 1));
        }

        if (!SampleFits)
        {
            yield break;
        }

        var sample = Sample()!.GetValue<string>();
        yield return ("its sample after spaces", sample.PadLeft(max + 1));
        yield return ("its sample before spaces", sample.PadRight(max + 1));
        yield return ("its sample before spaces and a line feed", sample.PadRight(max) + "\n");
    }

    /// <summary>
    /// Whether the <see cref="Sample"/> of a text is within its documented <c>maxLength</c>: free text is sampled as
    /// <c>sample</c>, so a shorter limit means the text has a form of its own, which its schema should state as a pattern.
    /// </summary>
    public bool SampleFits => this is not { Kind: SchemaKind.Text, MaxLength: { } max, Format: null } || Sample()!.GetValue<string>().Length <= max;

    /// <summary>A well-typed body: every property given, enums their first value, nullable ids left null.</summary>
    public JsonNode? Sample() => Kind switch
    {
        SchemaKind.Record => new JsonObject(Properties.Select(property => KeyValuePair.Create(property.Name, property.Schema.Sample()))),
        SchemaKind.Array => new JsonArray(Items.Sample()),
        SchemaKind.Enum => EnumValues[0],
        SchemaKind.Number => 0.5,
        SchemaKind.WholeNumber => 1,
        SchemaKind.Boolean => false,
        _ => Format switch
        {
            // An id the service does not know would only make the sample refused for that reason.
            "uuid" when Nullable => null,
            "uuid" => Guid.NewGuid().ToString(),
            "date-time" => "2024-03-14T21:30:00+07:00",
            "date" => "2024-03-14",
            _ => Pattern switch
            {
                null or Patterns.NotBlank => "sample",
                ContactFormats.PhonePattern => "+84 (237) 385-2000",
                ContactFormats.EmailPattern => "someone@example.org",
                Patterns.HttpAddress or Patterns.HttpEndpoint or Patterns.HttpsEndpoint => "https://partner.example/hooks",
                WardNames.IdPattern => "sample-ward",
                WardNames.CodePattern => "SW",
                EventSourcing.YearlyNumbers.Pattern => "TIP-SW-2024-0042",
                LocalWindow.StartPattern => "21:00",
                LocalWindow.EndPattern => "24:00",
                _ => throw new InvalidOperationException($"No sample for the pattern {Pattern}: add one that matches it."),
            },
        },
    };

    /// <summary>Every value in <see cref="Sample"/> with its path as problem details name it (<c>place.latitude</c>, <c>duties[0]</c>).</summary>
    public IEnumerable<(string Path, BodySchema Schema)> Values(string path = "")
    {
        var nested = Kind switch
        {
            SchemaKind.Record => Properties.SelectMany(property => property.Schema.Values(path.Length == 0 ? property.Name : $"{path}.{property.Name}")),
            SchemaKind.Array => Items.Values($"{path}[0]"),
            _ => [],
        };
        return path.Length == 0 ? nested : nested.Prepend((path, this));
    }

    private static string Astrals(int count) => string.Concat(Enumerable.Repeat(Astral, count));

    /// <summary>Whether the schema's pattern, if any, admits <paramref name="text"/>.</summary>
    private bool Admits(string text) => Pattern is null || Regex.IsMatch(text, Pattern, RegexOptions.CultureInvariant);

    private static string[] TypesOf(JsonObject node) => node["type"] switch
    {
        JsonArray types => [.. types.Select(type => (string)type!)],
        JsonValue type => [(string)type!],
        _ => [],
    };

    private static SchemaKind KindOf(JsonObject node)
    {
        if (node["enum"] is not null)
        {
            return SchemaKind.Enum;
        }

        // A number's schema also allows a string of digits (the API reads numbers from strings).
        var types = TypesOf(node).Where(type => type != "null").ToList();
        return types.Contains("object") || node["properties"] is not null ? SchemaKind.Record
            : types.Contains("array") ? SchemaKind.Array
            : types.Contains("integer") ? SchemaKind.WholeNumber
            : types.Contains("number") ? SchemaKind.Number
            : types.Contains("boolean") ? SchemaKind.Boolean
            : types.Contains("string") ? SchemaKind.Text
            : throw new InvalidOperationException($"No type to fuzz in the schema {node.ToJsonString()}.");
    }
}
