using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using WardLink.EventSourcing.Wards;
using WardLink.IntegrationTests.BadInput;
using WardLink.IntegrationTests.Partners;
using WardLink.Testing;

namespace WardLink.IntegrationTests.Wards;

/// <summary>
/// docs/api.md: a refusal names each wrong field, the ward's end among them (docs/wards.md: a new record of an ended ward
/// is a 400 on <c>ward</c>). Every creation of a service's own document that records in the request's ward (a POST naming
/// no record, offering <c>ward=</c>) is sent to a merged ward with its sample body, its times a minute before the service's
/// now, and each free text blank (each list that names at least one item empty) in turn: the 400 naming that field names the ward too (it named the field alone: the
/// decision's refusal was answered before the ward's end was judged). Establishing a ward records in no ward of the request's.
/// </summary>
public static class EndedWardCreations
{
    public static async Task AssertEachNamesTheWardAsync(HttpClient client, string merged, string mergedInto, DateTimeOffset now, int minimum, CancellationToken ct)
    {
        var failures = new List<string>();
        var creations = (await DescribedOperation.AllAsync(client, ct))
            .Where(operation => operation is { Method: "POST", Body: not null } && PathParameter.Of(operation.Description).Count == 0 && operation.Template != "/partners/wards")
            .Where(operation => PathParameter.ParametersIn(operation.Description, "query").Any(parameter => (string?)parameter["name"] == RequestWards.Parameter))
            .ToList();
        foreach (var creation in creations)
        {
            var sample = creation.Body!.Sample()!.AsObject();
            var properties = creation.Body.Properties.ToList();
            foreach (var (time, _) in properties.Where(property => property.Schema is { Kind: SchemaKind.Text, Format: "date-time" }))
            {
                sample[time] = now.AddMinutes(-1);
            }

            var named = 0;
            foreach (var (field, blank) in properties.Select(property => (property.Name, Blank: Blank(property.Schema))).Where(property => property.Blank is not null))
            {
                var body = sample.DeepClone().AsObject();
                body[field] = blank!.DeepClone();
                using var answer = await client.PostAsync($"{creation.Template}?ward={merged}", JsonBodies.Json(body.ToJsonString()), ct);
                var errors = answer.StatusCode == HttpStatusCode.BadRequest && (await answer.BodyAsync()).TryGetProperty("errors", out var all)
                    ? all.EnumerateObject().ToDictionary(field => field.Name, field => field.Value.EnumerateArray().Select(message => message.GetString()!).ToList())
                    : [];
                if (!errors.ContainsKey(field))
                {
                    continue;
                }

                named++;
                if (!errors.TryGetValue("ward", out var ward) || !ward.Any(message => message.Contains($"was merged into {mergedInto}", StringComparison.Ordinal)))
                {
                    failures.Add($"POST {creation.Template} with {field} blank: {string.Join("; ", errors.Select(field => $"{field.Key}: {string.Join(" ", field.Value)}"))}");
                }
            }

            if (named == 0)
            {
                failures.Add($"POST {creation.Template}: no blank text or empty list was refused by name");
            }
        }

        Assert.True(creations.Count >= minimum, $"Only {creations.Count} creations offer ward=: {string.Join(", ", creations.Select(creation => creation.Template))}");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    /// <summary>A blank value of a free text (<c>" "</c>) or of a list that names at least one item (<c>[]</c>); none of another kind.</summary>
    private static JsonNode? Blank(BodySchema schema) => schema switch
    {
        { Kind: SchemaKind.Text, Format: null, Pattern: null or WardLink.Domain.Patterns.NotBlank } => JsonValue.Create(" "),
        { Kind: SchemaKind.Array, MinItems: > 0 } => new JsonArray(),
        _ => null,
    };
}
