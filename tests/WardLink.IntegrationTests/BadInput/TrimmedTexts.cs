using System.Text.Json.Nodes;
using WardLink.Domain;
using static WardLink.IntegrationTests.BadInput.JsonBodies;

namespace WardLink.IntegrationTests.BadInput;

/// <summary>
/// A name or a free text is kept with the white space around it taken off (docs/api.md), so the same name sent with spaces
/// around it is the same name: every body's texts of no form of their own, sent with white space around each, are answered
/// without it wherever the step takes them (the answer holds no text that begins or ends with white space). A ward's name was
/// kept trimmed while the document said texts are kept as sent.
/// </summary>
public abstract partial class BadInputSuite<TEntryPoint>
{
    [Fact]
    public async Task A_name_or_free_text_sent_with_white_space_around_it_is_kept_without_it()
    {
        var failures = new List<string>();
        var taken = 0;
        foreach (var endpoint in (await EndpointsAsync()).Where(endpoint => endpoint.Body is not null))
        {
            var body = JsonNode.Parse(StepBody(endpoint.Method, endpoint.Template, endpoint.Body)!)!;
            var texts = endpoint.Body!.Values()
                .Where(value => value.Schema is { Kind: SchemaKind.Text, Format: null, Pattern: null or Patterns.NotBlank } && value.Schema.SampleFits && Holds(body, value.Path))
                .Select(value => value.Path)
                .ToList();
            if (texts.Count == 0)
            {
                continue;
            }

            var padded = texts.Aggregate(body.ToJsonString(), (_, path) => With(body, path, $" \t{TextAt(body, path)} \u00a0"));
            foreach (var address in await AddressesOfAsync(endpoint))
            {
                var answer = await SendAsync(endpoint.Method, address, Json(padded), countStored: false);
                if (answer.Status is < 200 or >= 300 || answer.Body.Length == 0)
                {
                    continue;
                }

                taken++;
                failures.AddRange(PaddedTexts(JsonNode.Parse(answer.Body), "$").Select(path => $"{endpoint} at {address}: {path} answered with white space around it ({Shortened(answer.Body)})"));
            }
        }

        Assert.True(taken > 0, "No body with a free text was taken: the walk judged nothing.");
        TestContext.Current.TestOutputHelper?.WriteLine($"{taken} bodies with padded texts taken.");
        AssertNone(failures);
    }

    /// <summary>Whether <paramref name="body"/> holds a text at <paramref name="path"/> (a step's own body may leave one out).</summary>
    private static bool Holds(JsonNode body, string path) =>
        PathSegment().Matches(path).Aggregate(
            (JsonNode?)body,
            (node, segment) => segment.Value.StartsWith('[')
                ? node is JsonArray items && int.Parse(segment.Value[1..^1], System.Globalization.CultureInfo.InvariantCulture) is var index && index < items.Count ? items[index] : null
                : (node as JsonObject)?[segment.Value]) is JsonValue value && value.TryGetValue<string>(out _);

    /// <summary>The paths of the texts of <paramref name="node"/> that begin or end with white space.</summary>
    private static IEnumerable<string> PaddedTexts(JsonNode? node, string path) => node switch
    {
        JsonObject record => record.SelectMany(property => PaddedTexts(property.Value, $"{path}.{property.Key}")),
        JsonArray items => items.SelectMany((item, index) => PaddedTexts(item, $"{path}[{index}]")),
        JsonValue value when value.TryGetValue<string>(out var text) && text.Length > 0 && (char.IsWhiteSpace(text[0]) || char.IsWhiteSpace(text[^1])) => [path],
        _ => [],
    };
}
