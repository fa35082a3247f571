using System.Globalization;
using System.Text.Json.Nodes;
using CsCheck;
using static WardLink.IntegrationTests.BadInput.JsonBodies;

namespace WardLink.IntegrationTests.BadInput;

/// <summary>
/// A property-based pass over every write endpoint: bodies generated from its schema, each value at
/// random well-formed, at or one past a documented limit, of the wrong type, null or left out,
/// texts of any characters. Whatever comes, the answer is never a 5xx, and a refusal is a problem
/// that stored nothing. A failing seed is printed by CsCheck, so a failure can be replayed.
/// </summary>
public abstract partial class BadInputSuite<TEntryPoint>
{
    private const int GeneratedPerEndpoint = 12;

    [Fact]
    public async Task Requests_generated_from_the_schemas_are_never_a_5xx_and_a_refusal_is_a_problem_that_stores_nothing()
    {
        var failures = new List<string>();
        foreach (var endpoint in (await EndpointsAsync()).Where(endpoint => endpoint.Body is not null))
        {
            await Gen.Int.SampleAsync(
                async seed =>
                {
                    var body = Generated(endpoint.Body!, new Random(seed), depth: 0)?.ToJsonString() ?? "null";
                    var answer = await SendAsync(endpoint, Json(body));
                    var what = $"generated body {Shortened(body)}";
                    if (answer.Status >= 500)
                    {
                        failures.Add($"{endpoint}, {what}: a {answer.Status} {Shortened(answer.Body)}");
                    }
                    else if (answer.Status >= 400)
                    {
                        failures.AddRange(RefusalFailures($"{endpoint}", what, answer, field: null, status: null));
                    }
                },
                iter: GeneratedPerEndpoint,
                threads: 1);
        }

        AssertNone(failures);
    }

    /// <summary>A value for <paramref name="schema"/>: mostly well-formed, often at or past a limit, sometimes of the wrong type or null.</summary>
    private static JsonNode? Generated(BodySchema schema, Random random, int depth) => random.Next(12) switch
    {
        0 => null,
        1 => WrongType(schema, random),
        2 or 3 => AtTheEdge(schema, random, depth),
        _ => WellFormed(schema, random, depth),
    };

    private static JsonNode? WellFormed(BodySchema schema, Random random, int depth) => schema.Kind switch
    {
        SchemaKind.Record when depth < 4 => new JsonObject(schema.Properties
            .Where(_ => random.Next(10) > 0)
            .Select(property => KeyValuePair.Create(property.Name, Generated(property.Schema, random, depth + 1)))),
        SchemaKind.Array when depth < 4 => new JsonArray([.. Enumerable.Range(0, random.Next(Math.Min(schema.MaxItems ?? 3, 3) + 1)).Select(_ => Generated(schema.Items, random, depth + 1))]),
        SchemaKind.Enum => schema.EnumValues[random.Next(schema.EnumValues.Count)],
        SchemaKind.WholeNumber => (long)random.NextInt64((long)(schema.Minimum ?? -1000), (long)(schema.Maximum ?? 1000) + 1),
        SchemaKind.Number => random.NextDouble() * 360 - 180,
        SchemaKind.Boolean => random.Next(2) == 0,
        SchemaKind.Text when schema.Format is "date-time" => random.Next(4) switch
        {
            0 => DateTimeOffset.UnixEpoch.AddSeconds(random.NextInt64(0, 4_000_000_000)).ToOffset(TimeSpan.FromHours(7)).ToString("O"),
            1 => "0001-01-01T00:00:00+00:00",
            2 => "9999-12-31T23:59:59+00:00",
            _ => "2024-05-02T21:40:00",
        },
        SchemaKind.Text when schema.Format is "date" => random.Next(3) switch
        {
            0 => DateOnly.FromDateTime(DateTime.UnixEpoch.AddDays(random.Next(0, 47_000))).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            1 => "0001-01-01",
            _ => "9999-12-31",
        },
        SchemaKind.Text when schema.Format is "uuid" => random.Next(3) == 0 ? Guid.Empty.ToString() : Guid.NewGuid().ToString(),
        SchemaKind.Text => Text(random, random.Next(Math.Min(schema.MaxLength ?? 40, 40) + 1)),
        _ => schema.Sample(),
    };

    private static JsonNode? AtTheEdge(BodySchema schema, Random random, int depth) => schema.Kind switch
    {
        SchemaKind.Text when schema.MaxLength is { } maxLength => Text(random, maxLength + random.Next(2)),
        SchemaKind.Array when schema.MaxItems is { } maxItems && depth < 4 =>
            new JsonArray([.. Enumerable.Range(0, maxItems + random.Next(2)).Select(_ => WellFormed(schema.Items, random, depth + 1))]),
        SchemaKind.WholeNumber => new[] { schema.Minimum - 1, schema.Minimum, schema.Maximum, schema.Maximum + 1, int.MaxValue, int.MinValue, 0 }[random.Next(7)] ?? 0,
        SchemaKind.Number => new[] { double.MaxValue, double.MinValue, -90.000001, 180.000001, 0 }[random.Next(5)],
        SchemaKind.Enum => new[] { string.Join(", ", schema.EnumValues.Take(2)), "7", schema.EnumValues[0].ToUpperInvariant() + "!", string.Empty }[random.Next(4)],
        _ => WellFormed(schema, random, depth),
    };

    private static JsonNode? WrongType(BodySchema schema, Random random) => random.Next(5) switch
    {
        0 => schema.Kind == SchemaKind.Text ? 42 : "text",
        1 => schema.Kind == SchemaKind.Boolean ? 1 : true,
        2 => schema.Kind == SchemaKind.Array ? new JsonObject() : new JsonArray(),
        3 => schema.Kind == SchemaKind.Record ? new JsonArray() : new JsonObject(),
        _ => 1e30,
    };

    /// <summary>Text of any characters: markup, quotes, control characters, other scripts, surrogate pairs.</summary>
    private static string Text(Random random, int length)
    {
        const string Alphabet = "aZ9 <>&\"'\\/%\t\n\u0000\u0001\u00e9\u1ea1\u4e2d\u202e\ud83d\ude00;--*";
        var text = new System.Text.StringBuilder(length);
        while (text.Length < length)
        {
            var next = Alphabet[random.Next(Alphabet.Length)];
            if (char.IsSurrogate(next))
            {
                text.Append('\ud83d').Append('\ude00');
            }
            else
            {
                text.Append(next);
            }
        }

        return text.ToString(0, length);
    }
}
