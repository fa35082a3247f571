using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using static WardLink.IntegrationTests.BadInput.JsonBodies;

namespace WardLink.IntegrationTests.BadInput;

/// <summary>
/// A text is checked as sent: empty or of spaces alone, it is not one left out (that is <c>null</c>, where the schema
/// allows it), so a text whose pattern or minimum length refuses the empty text refuses it too, and a run of spaces.
/// </summary>
public abstract partial class BadInputSuite<TEntryPoint>
{
    /// <summary>
    /// Every body text whose documented pattern does not match the empty text is sent empty, as a run of spaces as long
    /// as its sample and as one past its <c>maxLength</c>; every one with a <c>minLength</c> of 1 or more, empty: a 400
    /// naming it (a 4xx where the endpoint is not reached), nothing stored; on a new record and on a step on a stored one.
    /// </summary>
    [Fact]
    public async Task An_empty_or_blank_text_its_pattern_or_minimum_length_refuses_is_a_400_problem_naming_it_and_stores_nothing()
    {
        var failures = new List<string>();
        var sent = 0;
        foreach (var endpoint in await EndpointsAsync())
        {
            foreach (var (path, schema) in endpoint.Body?.Values() ?? [])
            {
                foreach (var (what, value) in EmptyOrBlank(path, schema))
                {
                    sent++;
                    failures.AddRange(await RefusedAsync(endpoint, what, Json(SampleWith(endpoint.Body!, path, value)), path));
                }
            }
        }

        var (_, onStoredRecords) = await RefusedOnStoredRecordsAsync(EmptyOrBlank);
        failures.AddRange(onStoredRecords);

        Assert.True(sent > 0, "No body text refuses the empty text.");
        AssertNone(failures);
    }

    /// <summary>
    /// The empty text, where the schema of the text at <paramref name="path"/> refuses it; for a text of a pattern, also a run
    /// of spaces as long as its sample (where the pattern refuses it) and one past its <c>maxLength</c>.
    /// </summary>
    private static IEnumerable<(string What, JsonNode? Value)> EmptyOrBlank(string path, BodySchema schema)
    {
        if (schema is not { Kind: SchemaKind.Text, Format: null })
        {
            yield break;
        }

        var pattern = schema.Pattern is null ? null : new Regex(schema.Pattern, RegexOptions.CultureInvariant);
        if (schema.MinLength is not >= 1 && pattern?.IsMatch(string.Empty) != false)
        {
            yield break;
        }

        yield return ($"{path} = \"\"", string.Empty);
        if (pattern is null)
        {
            yield break;
        }

        var blank = new string(' ', schema.Sample()!.GetValue<string>().Length);
        if (!pattern.IsMatch(blank))
        {
            yield return ($"{path} = {blank.Length} spaces", blank);
        }

        if (schema.MaxLength is { } max)
        {
            yield return ($"{path} = {max + 1} spaces", new string(' ', max + 1));
        }
    }
}
