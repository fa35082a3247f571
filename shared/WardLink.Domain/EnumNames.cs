using System.Collections.Frozen;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace WardLink.Domain;

/// <summary>
/// The one way the API reads and writes an enum, in JSON bodies and in query strings alike: by its
/// camelCase name (any letter case). <see cref="Enum.TryParse{TEnum}(string, bool, out TEnum)"/>
/// would also take numbers and comma lists (<c>"theft, drugs"</c> is drugs), which name no value.
/// </summary>
public static class EnumNames
{
    /// <summary>The names of <paramref name="enumType"/> as the API writes them.</summary>
    public static IReadOnlyList<string> Of(Type enumType) => [.. Enum.GetNames(enumType).Select(JsonNamingPolicy.CamelCase.ConvertName)];

    public static bool TryParse<T>(string? text, out T value)
        where T : struct, Enum => Cache<T>.ByName.TryGetValue(text ?? string.Empty, out value);

    /// <summary>The value's name as the API writes it; null for a value outside the enum, which <see cref="TryParse{T}"/> never reads.</summary>
    public static string? NameOf<T>(T value)
        where T : struct, Enum => Cache<T>.Names.GetValueOrDefault(value);

    /// <summary>The field error message listing the names.</summary>
    public static string OneOf(Type enumType) => $"One of: {string.Join(", ", Of(enumType))}.";

    private static class Cache<T>
        where T : struct, Enum
    {
        public static readonly FrozenDictionary<T, string> Names = Enum.GetValues<T>()
            .ToFrozenDictionary(value => value, value => JsonNamingPolicy.CamelCase.ConvertName(value.ToString()));

        public static readonly FrozenDictionary<string, T> ByName = Names.ToFrozenDictionary(pair => pair.Value, pair => pair.Key, StringComparer.OrdinalIgnoreCase);
    }
}

/// <summary>
/// A converter of every enum type: <paramref name="converter"/>, an open generic <c>JsonConverter&lt;T&gt;</c> of one type
/// parameter (the enum), made for each enum it meets. The API's (<see cref="StrictEnumConverter"/>) and the bus's share it.
/// </summary>
public abstract class EnumConverterFactory(Type converter) : JsonConverterFactory
{
    public sealed override bool CanConvert(Type typeToConvert) => typeToConvert.IsEnum;

    public sealed override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
        (JsonConverter)Activator.CreateInstance(converter.MakeGenericType(typeToConvert))!;
}

/// <summary>Enums in JSON as <see cref="EnumNames"/> reads and writes them, as values and as dictionary keys.</summary>
public sealed class StrictEnumConverter() : EnumConverterFactory(typeof(EnumConverter<>))
{
    private sealed class EnumConverter<T> : JsonConverter<T>
        where T : struct, Enum
    {
        public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.String ? Parse(reader.GetString()) : throw new JsonException(EnumNames.OneOf(typeof(T)));

        /// <summary>A value outside the enum (stored before input was checked this way) is written as its number, so it never breaks a read.</summary>
        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options)
        {
            if (EnumNames.NameOf(value) is { } name)
            {
                writer.WriteStringValue(name);
            }
            else
            {
                writer.WriteNumberValue(Convert.ToInt64(value, CultureInfo.InvariantCulture));
            }
        }

        public override T ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => Parse(reader.GetString());

        public override void WriteAsPropertyName(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => writer.WritePropertyName(EnumNames.NameOf(value) ?? Convert.ToInt64(value, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture));

        private static T Parse(string? text) => EnumNames.TryParse<T>(text, out var value) ? value : throw new JsonException(EnumNames.OneOf(typeof(T)));
    }
}
