using System.Text.Json;
using System.Text.Json.Nodes;
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
        async Task JudgeAsync(string where, string what, string field, string value, BodySchema schema, Func<string, Task<Answer>> sendWith)
        {
            sent++;
            var (checkedIt, wrong) = await RefusedForNoMoreThanItsSampleAsync(where, what, field, value, schema.Sample()!.GetValue<string>(), sendWith);
            reached += checkedIt ? 1 : 0;
            failures.AddRange(wrong);
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

        await foreach (var step in StepsOnStoredRecordsAsync((_, schema) => schema.AtMaxLength().Select(text => (text.What, (JsonNode?)text.Value))))
        {
            await JudgeAsync(step.Where, $"{step.Path} {step.What}", step.Path, step.Value!.GetValue<string>(), step.Schema, text => SendAsync(step.Method, step.Address, Json(step.Body(text))));
        }

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
    /// Sends a request with <paramref name="value"/>, a text at its limit, as <paramref name="field"/> (<paramref name="sendWith"/>
    /// makes it): whether the checks answered it (a success, or a 400), and what is wrong: a 5xx, a refusal that is no problem
    /// or stored something, a 400 naming the field for more than the same request with its well-formed <paramref name="sample"/>
    /// there is refused for.
    /// </summary>
    private static async Task<(bool Reached, List<string> Failures)> RefusedForNoMoreThanItsSampleAsync(
        string where, string what, string field, string value, string sample, Func<string, Task<Answer>> sendWith)
    {
        var answer = await sendWith(value);
        if (answer.Status is >= 200 and < 300)
        {
            return (true, []);
        }

        var failures = RefusalFailures(where, what, answer, field: null, status: null);
        if (answer.Status != 400 || !IsProblem(answer, out var problem) || ErrorsOf(problem, field) is not { Count: > 0 } errors)
        {
            return (answer.Status == 400, failures);
        }

        var withSample = await sendWith(sample);
        var sampleErrors = withSample.Status == 400 && IsProblem(withSample, out var sampleProblem) ? ErrorsOf(sampleProblem, field) : [];
        if (errors.Except(sampleErrors, StringComparer.Ordinal).ToList() is { Count: > 0 } more)
        {
            failures.Add($"{where}, {what}: refused naming {field} ({string.Join(" ", more)}), which its sample \"{sample}\" is not refused for (got {withSample.Status} {Shortened(withSample.Body)})");
        }

        return (true, failures);
    }

    /// <summary>The messages a problem's <c>errors</c> gives <paramref name="field"/> (named in any letter case).</summary>
    private static List<string> ErrorsOf(JsonElement problem, string field) =>
        problem.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Object
            ? [.. errors.EnumerateObject()
                .Where(error => string.Equals(error.Name, field, StringComparison.OrdinalIgnoreCase) && error.Value.ValueKind == JsonValueKind.Array)
                .SelectMany(error => error.Value.EnumerateArray().Select(message => message.GetString() ?? string.Empty))]
            : [];
}
