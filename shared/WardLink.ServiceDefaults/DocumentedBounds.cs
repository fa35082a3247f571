using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using WardLink.Domain;

namespace WardLink.ServiceDefaults;

/// <summary>
/// The bounds an OpenAPI document states for every text, number and list, in requests and in
/// answers alike. The checks' limits come from <c>[MaxLength]</c> and <c>[Range]</c> naming their
/// constants; what a value's form bounds by itself is stated here, once: a GUID, a date or a time
/// has a fixed longest text, and a whole number in a query or a path (text, QueryForms) is no longer
/// than the text of its bounds (in a body a number is a JSON number, never text). A text, number or
/// list without either is left unbounded, and the documents' tests name it.
/// </summary>
public static class DocumentedBounds
{
    /// <summary>A GUID as the API writes and reads it: 32 hexadecimal digits in 8-4-4-4-12 groups.</summary>
    public const int UuidLength = 36;

    /// <summary>A local date: <c>yyyy-MM-dd</c>.</summary>
    public const int DateLength = 10;

    /// <summary>
    /// The count of a list or a number no check caps, such as a record's timeline, a follow-up
    /// thread, a year's tally or the checkpoints a service keeps: it grows with what is recorded,
    /// up to what a 32-bit count holds.
    /// </summary>
    public const int AnyCount = int.MaxValue;

    /// <summary>Documents the most items a list answer (a JSON array) holds.</summary>
    public static RouteHandlerBuilder WithMaxItems(this RouteHandlerBuilder endpoint, int maxItems) => endpoint.WithMetadata(new MaxItemsMetadata(maxItems));

    public static void Describe(OpenApiOptions options)
    {
        options.AddOperationTransformer((operation, context, _) =>
        {
            if (context.Description.ActionDescriptor.EndpointMetadata.OfType<MaxItemsMetadata>().LastOrDefault() is { } bound)
            {
                foreach (var content in (operation.Responses ?? []).SelectMany(response => response.Value.Content ?? new Dictionary<string, OpenApiMediaType>()).Select(media => media.Value))
                {
                    if (content.Schema is OpenApiSchema list && (list.Type ?? 0).HasFlag(JsonSchemaType.Array))
                    {
                        list.MaxItems = bound.MaxItems;
                    }
                }
            }

            return Task.CompletedTask;
        });
        options.AddSchemaTransformer(BoundAsync);
    }

    private static Task BoundAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken ct)
    {
        var element = (schema.Items ?? schema.AdditionalProperties) as OpenApiSchema;
        if (element is not null
            && context.JsonPropertyInfo?.AttributeProvider?.GetCustomAttributes(typeof(ItemsRangeAttribute), inherit: false) is [ItemsRangeAttribute range, ..])
        {
            element.Minimum = range.Minimum.ToString(CultureInfo.InvariantCulture);
            element.Maximum = range.Maximum.ToString(CultureInfo.InvariantCulture);
        }

        if (context.JsonPropertyInfo?.AttributeProvider?.GetCustomAttributes(typeof(AtLeastAttribute), inherit: false) is [AtLeastAttribute least, ..])
        {
            (element ?? schema).Minimum = least.Minimum.ToString(CultureInfo.InvariantCulture);
        }

        if (schema.AdditionalProperties is not null && KeysOf(context) is { } keys)
        {
            StateKeys(schema, keys);
        }

        Bound(schema);
        if (element is not null)
        {
            Bound(element);
        }

        return Task.CompletedTask;
    }

    /// <summary>What a dictionary's names are: its <see cref="KeysOfAttribute"/>'s, else its key type when that is an enum.</summary>
    private static Type? KeysOf(OpenApiSchemaTransformerContext context) =>
        context.JsonPropertyInfo?.AttributeProvider?.GetCustomAttributes(typeof(KeysOfAttribute), inherit: false) is [KeysOfAttribute named, ..] ? named.Type
        : context.JsonTypeInfo is { Kind: JsonTypeInfoKind.Dictionary, KeyType: { IsEnum: true } key } ? key
        : null;

    /// <summary>
    /// A tally by an enum names each of its values, 0 where there was none (so two years line up): every name is required and
    /// no other is; one by ids names ids.
    /// </summary>
    private static void StateKeys(OpenApiSchema schema, Type keys)
    {
        if (keys.IsEnum)
        {
            var names = EnumNames.Of(keys).ToList();
            schema.PropertyNames = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [.. names.Select(name => (JsonNode)JsonValue.Create(name))] };
            schema.Required = new HashSet<string>(names, StringComparer.Ordinal);
        }
        else if (keys == typeof(Guid))
        {
            schema.PropertyNames = new OpenApiSchema { Type = JsonSchemaType.String, Format = "uuid", MaxLength = UuidLength };
        }
    }

    private static void Bound(OpenApiSchema schema)
    {
        var type = schema.Type ?? 0;
        if (type.HasFlag(JsonSchemaType.Integer) && schema.Format == "int64")
        {
            // [Range(0, long.MaxValue)] passes through a double: 9223372036854775807 would read 9223372036854776000.
            schema.Maximum = Clamped(schema.Maximum);
            schema.Minimum = Clamped(schema.Minimum);
        }

        if (!type.HasFlag(JsonSchemaType.String) || schema.MaxLength is not null || schema.Enum is { Count: > 0 } || schema.Const is not null)
        {
            return;
        }

        schema.MaxLength = schema.Format switch
        {
            "uuid" => UuidLength,
            "date-time" => WardTime.MaxTextLength,
            "date" => DateLength,
            _ when type.HasFlag(JsonSchemaType.Integer) && schema.Minimum is { } minimum && schema.Maximum is { } maximum => Math.Max(minimum.Length, maximum.Length),
            _ => null,
        };
    }

    private static string? Clamped(string? bound) =>
        bound is null || !decimal.TryParse(bound, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? bound
        : value >= long.MaxValue ? long.MaxValue.ToString(CultureInfo.InvariantCulture)
        : value <= long.MinValue ? long.MinValue.ToString(CultureInfo.InvariantCulture)
        : bound;

    private sealed record MaxItemsMetadata(int MaxItems);
}

/// <summary>What a dictionary's names are (<c>propertyNames</c>): an enum's names, every one of them (a tally by category), or ids (<see cref="Guid"/>).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class KeysOfAttribute(Type type) : Attribute
{
    public Type Type { get; } = type;
}

/// <summary>The range of each number of a list or of a dictionary's values (a tally per category, per hour).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class ItemsRangeAttribute(long minimum, long maximum) : Attribute
{
    public long Minimum { get; } = minimum;

    public long Maximum { get; } = maximum;
}

/// <summary>
/// The least a decimal figure can be (hours, a percentage), or each number of its list: what a reader may rely on. No such figure
/// states its greatest, which grows with what is counted.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class AtLeastAttribute(double minimum) : Attribute
{
    public double Minimum { get; } = minimum;
}
