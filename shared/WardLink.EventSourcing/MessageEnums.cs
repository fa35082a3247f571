using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using MassTransit.Serialization;
using WardLink.Domain;

namespace WardLink.EventSourcing;

/// <summary>
/// The bus reads an enum only as a value the enum defines. MassTransit's System.Text.Json took any integer into an enum: a
/// message with a category of 999 (or -1) was applied, stored, served as a bare number where the API promises a name,
/// left out of every statistic's categories and sent on to other services and to partners' webhooks, while a message
/// malformed in any other way is refused. Here an undefined value, anywhere in any message (a nested record, a list, a
/// nullable enum), fails the message's reading: the bus parks it at once in the queue's <c>_error</c> queue, as a body that
/// is not JSON, and nothing is applied. The wire form is unchanged: an enum travels as its number, so messages from
/// and to services not yet upgraded read as before.
/// </summary>
public static class MessageEnums
{
    private static readonly Lock Gate = new();

    /// <summary>
    /// Gives MassTransit's serializer options (one for the process, shared by every bus in it) the converter, once: later
    /// calls (every service of a test process composes its own bus) find it there. The options are copied, since options
    /// that have been used (a bus that already sent) take no more converters.
    /// </summary>
    public static void RefuseUndefined()
    {
        lock (Gate)
        {
            if (SystemTextJsonMessageSerializer.Options.Converters.Any(converter => converter is DefinedEnumConverter))
            {
                return;
            }

            var options = new JsonSerializerOptions(SystemTextJsonMessageSerializer.Options);
            options.Converters.Add(new DefinedEnumConverter());
            SystemTextJsonMessageSerializer.Options = options;
        }
    }
}

/// <summary>
/// Enums as the bus carries them: their number, read only when the enum defines it (for a <see cref="FlagsAttribute"/> enum,
/// when every bit set is one of its values' bits). A name, a fraction or a number out of the enum's range is refused too.
/// </summary>
public sealed class DefinedEnumConverter() : EnumConverterFactory(typeof(EnumConverter<>))
{
    private sealed class EnumConverter<T> : JsonConverter<T>
        where T : struct, Enum
    {
        private static readonly bool Flags = typeof(T).IsDefined(typeof(FlagsAttribute), inherit: false);

        private static readonly ulong DefinedBits = Enum.GetValues<T>().Aggregate(0UL, (bits, value) => bits | Bits(value));

        public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            var text = Encoding.UTF8.GetString(reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan);

            // A JSON number's text is digits, perhaps a sign, a fraction or an exponent: Enum.TryParse takes the whole numbers
            // within the enum's underlying type (no name, no list of names can reach it from a number).
            return reader.TokenType == JsonTokenType.Number && Enum.TryParse<T>(text, out var value) && IsDefined(value)
                ? value
                : throw new JsonException($"{typeof(T).Name} has no value {(reader.TokenType == JsonTokenType.String ? $"\"{text}\"" : text.Length > 0 ? text : reader.TokenType.ToString())}.");
        }

        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) =>
            writer.WriteRawValue(value.ToString("D"));

        private static bool IsDefined(T value) => Flags ? (Bits(value) & ~DefinedBits) == 0 : Enum.IsDefined(value);

        /// <summary>The value's bits, zero-extended from its underlying type.</summary>
        private static ulong Bits(T value) => Unsafe.SizeOf<T>() switch
        {
            1 => Unsafe.As<T, byte>(ref value),
            2 => Unsafe.As<T, ushort>(ref value),
            4 => Unsafe.As<T, uint>(ref value),
            _ => Unsafe.As<T, ulong>(ref value),
        };
    }
}
