using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;
using WardLink.Audit;
using WardLink.ServiceDefaults;

namespace WardLink.UnitTests;

/// <summary>The feed's lines, serialised by generated code (<see cref="AuditLines"/>), are byte for byte what the services' JSON options write.</summary>
public sealed class AuditLinesTests
{
    private static readonly JsonSerializerOptions Services = ServicesOptions();

    /// <summary>Any text: markup, quotes, controls, letters of other scripts, surrogate pairs.</summary>
    private static readonly Gen<string> Text = Gen.OneOf(Gen.String, Gen.String[Gen.Char["<>&'\"\\\n\t\u0001\u00e9\u1ea1\u4e2d"], 0, 20], Gen.Const<string>("\ud83d\ude93 Đường Láng"));

    private static readonly Gen<DateTimeOffset> Time =
        Gen.Select(Gen.Long[DateTimeOffset.MinValue.UtcTicks + TimeSpan.TicksPerDay, DateTimeOffset.MaxValue.UtcTicks - TimeSpan.TicksPerDay], Gen.Int[-14 * 60, 14 * 60])
            .Select((ticks, minutes) => new DateTimeOffset(ticks, TimeSpan.Zero).ToOffset(TimeSpan.FromMinutes(minutes)));

    private static readonly Gen<JsonNode?> Data = Gen.OneOf(
        Gen.Const((JsonNode?)null),
        Gen.Select(Text, Text, Gen.Double, Gen.Bool).Select((name, value, number, flag) => (JsonNode?)new JsonObject { [name] = value, ["n"] = double.IsFinite(number) ? number : 0, ["flag"] = flag, ["nested"] = new JsonArray(value, null) }),
        Text.Select(text => (JsonNode?)JsonNode.Parse(JsonSerializer.Serialize(new { text, list = new[] { 1, 2 } }))));

    private static readonly Gen<AuditEvent> Event =
        Gen.Select(Gen.Guid, Gen.Long[1, long.MaxValue], Text, Time, Time.Nullable(), Text.Null(), Text.Null(), Text.Null())
            .SelectMany(recorded => Gen.Select(Text, Data, Text.Null(), (text, data, ward) => new AuditEvent(recorded.Item1, recorded.Item2, recorded.Item3, recorded.Item4, recorded.Item5, recorded.Item6, recorded.Item7, recorded.Item8, text, data, ward)));

    private static readonly Gen<AuditLink> Link =
        Gen.Select(Gen.Long[0, long.MaxValue], Gen.Guid, Gen.Long[1, long.MaxValue], Text, Text, Time, Text, Text)
            .SelectMany(link => Text.Null().Select(ward => new AuditLink(link.Item1, link.Item2, link.Item3, link.Item4, link.Item5, link.Item6, link.Item7, link.Item8, ward)));

    [Fact]
    public void A_line_is_written_as_the_services_options_write_it() =>
        Gen.Select(Gen.Long[0, long.MaxValue], Event.Null(), Link.Null())
            .Select((sequence, recorded, link) => new AuditEntry(sequence, recorded, link))
            .Sample(entry => Assert.Equal(
                Line(writer => JsonSerializer.Serialize(writer, entry, Services)),
                Line(writer => JsonSerializer.Serialize(writer, entry, AuditLines.Default.AuditEntry))));

    private static string Line(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = Services.Encoder }))
        {
            write(writer);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static JsonSerializerOptions ServicesOptions()
    {
        var options = new JsonSerializerOptions();
        ProblemResponses.ConfigureJson(options);
        return options;
    }
}
