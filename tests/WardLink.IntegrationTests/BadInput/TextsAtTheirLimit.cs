using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using WardLink.ServiceDefaults;
using static WardLink.IntegrationTests.BadInput.JsonBodies;

namespace WardLink.IntegrationTests.BadInput;

/// <summary>
/// A text's documented <c>maxLength</c> counts characters (code points), as JSON Schema does, not .NET's UTF-16 units: an
/// emoji is one character, written as two units. A text of its <c>maxLength</c> in such characters is within its limit,
/// which a check counting units refuses although the document admits it; one character more is past it
/// (<see cref="BodySchema.PastMaxLength"/>: a 400 naming it, in the suite's tests of values past their limits).
/// </summary>
public abstract partial class BadInputSuite<TEntryPoint>
{
    /// <summary>
    /// Every documented text with a <c>maxLength</c> (of no format, and no pattern refusing such characters), in a body or a
    /// query, on a new record and in a step on a stored one, is sent as its <c>maxLength</c> in characters beyond the Basic
    /// Multilingual Plane: never a 5xx, nor refused naming it for anything its well-formed sample is not refused for in the
    /// same request (a URL of emoji is still no URL, as <c>sample</c> is none); nothing stored where it is refused.
    /// </summary>
    [Fact]
    public async Task A_text_of_its_documented_maxLength_in_characters_beyond_the_Basic_Multilingual_Plane_is_refused_for_no_more_than_its_sample()
    {
        var failures = new List<string>();
        var (sent, reached) = (0, 0);
        async Task<int> JudgeAsync(string where, string what, string field, string value, BodySchema schema, Func<string, Task<Answer>> sendWith)
        {
            sent++;
            var (status, wrong) = await RefusedForNoMoreThanItsSampleAsync(where, what, field, value, schema.Sample()!.GetValue<string>(), sendWith);
            reached += status is (>= 200 and < 300) or 400 ? 1 : 0;
            failures.AddRange(wrong);
            return status;
        }

        foreach (var endpoint in (await EndpointsAsync()).Where(endpoint => !endpoint.Parameters.Any(parameter => parameter.IsGuid)))
        {
            foreach (var (path, schema) in endpoint.Body?.Values() ?? [])
            {
                foreach (var (what, value) in schema.AtMaxLength())
                {
                    await JudgeAsync($"{endpoint}", $"{path} {what}", path, value, schema, text => SendAsync(endpoint, Json(SampleWith(endpoint.Body!, path, text))));
                }
            }
        }

        var steps = new StepsReached();
        await foreach (var step in StepsOnStoredRecordsAsync((_, schema) => schema.AtMaxLength().Select(text => (text.What, (JsonNode?)text.Value))))
        {
            var status = await JudgeAsync(step.Where, $"{step.Path} {step.What}", step.Path, step.Value!.GetValue<string>(), step.Schema, text => SendAsync(step.Method, step.Address, Json(step.Body(text))));
            steps.Count(step, status != 404);
        }

        failures.AddRange(steps.Never());

        foreach (var operation in await QueriedOperation.DescribedByAsync(_client, Ct))
        {
            foreach (var (name, schema) in operation.Query)
            {
                foreach (var (what, value) in schema.AtMaxLength())
                {
                    await JudgeAsync(
                        $"{operation}",
                        $"{name} {what}",
                        name,
                        value,
                        schema,
                        text => SendAsync(operation.Method, operation.Address(name, text), operation.Body is { } body ? Json(body.Sample()!.ToJsonString()) : null));
                }
            }
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"{sent} texts at their limit sent, {reached} of them answered by the checks (a success or a 400).");
        Assert.True(reached > 0, "No text at its limit reached the checks.");
        AssertNone(failures);
    }

    /// <summary>
    /// Every body with each of its texts at its documented <c>maxLength</c> in characters beyond the Basic Multilingual Plane at
    /// once (the largest body the document takes of them, past 16 KiB for a tip: four bytes a character), shifted by a few ASCII
    /// characters so that the pieces the body is decoded in cut characters at every place: the body is read, never refused as
    /// bytes not valid UTF-8 (naming <c>body</c>) nor a 5xx. A tip of 4000 emoji with a place of 80 was refused so: a character
    /// across the 16 KiB piece's end was lost.
    /// </summary>
    [Fact]
    public async Task A_body_of_every_text_at_its_limit_at_once_is_decoded_whole()
    {
        var failures = new List<string>();
        var (judged, large) = (0, 0);
        foreach (var endpoint in (await EndpointsAsync()).Where(endpoint => endpoint.Body is not null && !endpoint.Parameters.Any(parameter => parameter.IsGuid)))
        {
            var body = endpoint.Body!.Sample()!;
            var atLimit = endpoint.Body.Values().SelectMany(value => value.Schema.AtMaxLength().Take(1).Select(text => (value.Path, text.Value))).ToList();
            if (atLimit.Count == 0)
            {
                continue;
            }

            // As sent in UTF-8: System.Text.Json writes every character beyond the Basic Multilingual Plane as its escape pair.
            var whole = atLimit.Aggregate(body.ToJsonString(), (_, text) => With(body, text.Path, text.Value))
                .Replace(EscapedAstral, BodySchema.Astral, StringComparison.OrdinalIgnoreCase);
            judged++;
            large += Encoding.UTF8.GetByteCount(whole) > BodyCharsets.DecodedPiece ? 1 : 0;
            for (var shift = 0; shift < 4; shift++)
            {
                var answer = await SendAsync(endpoint, Json(new string(' ', shift) + whole));
                if (answer.Status >= 500 || (answer.Status == 400 && answer.Body.Contains($"\"{RequestChecks.BodyField}\"", StringComparison.Ordinal)))
                {
                    failures.Add($"{endpoint}, every text at its limit, {shift} spaces before: {answer.Status} {Shortened(answer.Body)}");
                }
            }
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"{judged} bodies with every text at its limit, {large} of them past one piece ({BodyCharsets.DecodedPiece} bytes).");
        Assert.True(judged > 0, "No body has a text with a documented maxLength.");
        AssertNone(failures);
    }

    /// <summary>The escape pair System.Text.Json writes for <see cref="BodySchema.Astral"/>.</summary>
    private const string EscapedAstral = "\\uD83D\\uDE00";

    /// <summary>
    /// Sends a request with <paramref name="value"/>, a text at its limit, as <paramref name="field"/> (<paramref name="sendWith"/>
    /// makes it): its status (the checks answered it with a success or a 400; a 409 is its record's state, once the body was judged), and what is wrong: a 5xx, a refusal that is no problem
    /// or stored something, a 400 naming the field for more than the same request with its well-formed <paramref name="sample"/>
    /// there is refused for.
    /// </summary>
    private static async Task<(int Status, List<string> Failures)> RefusedForNoMoreThanItsSampleAsync(
        string where, string what, string field, string value, string sample, Func<string, Task<Answer>> sendWith)
    {
        var answer = await sendWith(value);
        if (answer.Status is >= 200 and < 300)
        {
            return (answer.Status, []);
        }

        var failures = RefusalFailures(where, what, answer, field: null, status: null);
        if (answer.Status != 400 || !IsProblem(answer, out var problem) || ErrorsOf(problem, field) is not { Count: > 0 } errors)
        {
            return (answer.Status, failures);
        }

        var withSample = await sendWith(sample);
        var sampleErrors = withSample.Status == 400 && IsProblem(withSample, out var sampleProblem) ? ErrorsOf(sampleProblem, field) : [];
        if (errors.Except(sampleErrors, StringComparer.Ordinal).ToList() is { Count: > 0 } more)
        {
            failures.Add($"{where}, {what}: refused naming {field} ({string.Join(" ", more)}), which its sample \"{sample}\" is not refused for (got {withSample.Status} {Shortened(withSample.Body)})");
        }

        return (answer.Status, failures);
    }

    /// <summary>The messages a problem's <c>errors</c> gives <paramref name="field"/> (named in any letter case).</summary>
    private static List<string> ErrorsOf(JsonElement problem, string field) =>
        problem.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Object
            ? [.. errors.EnumerateObject()
                .Where(error => string.Equals(error.Name, field, StringComparison.OrdinalIgnoreCase) && error.Value.ValueKind == JsonValueKind.Array)
                .SelectMany(error => error.Value.EnumerateArray().Select(message => message.GetString() ?? string.Empty))]
            : [];
}
