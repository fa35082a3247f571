using System.Text.Json.Nodes;
using static WardLink.IntegrationTests.BadInput.JsonBodies;

namespace WardLink.IntegrationTests.BadInput;

/// <summary>
/// A step on a record (its id in the path) reads its body once the record is found: sent to an id nobody has, a body past
/// its limits is a 404, which says nothing of how the body is checked. Every step is sent each value past a documented
/// limit on a fresh record of each kind the service keeps, one of them the kind it acts on.
/// </summary>
public abstract partial class BadInputSuite<TEntryPoint>
{
    [Fact]
    public async Task A_step_on_a_stored_record_with_a_value_past_its_documented_limit_is_refused_naming_it_and_stores_nothing()
    {
        var (sent, failures) = await RefusedOnStoredRecordsAsync(PastItsLimit);

        Assert.True(sent > 0, "No step takes a value with a documented limit.");
        AssertNone(failures);
    }

    /// <summary>
    /// Sends each of <paramref name="valuesOf"/> a body value (its path and schema) in the sample body of every step, on a
    /// fresh record of each kind the service keeps: how many, and what was not refused naming the value, or stored something.
    /// </summary>
    private async Task<(int Sent, List<string> Failures)> RefusedOnStoredRecordsAsync(Func<string, BodySchema, IEnumerable<(string What, JsonNode? Value)>> valuesOf)
    {
        var failures = new List<string>();
        var sent = 0;
        await foreach (var step in StepsOnStoredRecordsAsync(valuesOf))
        {
            sent++;
            failures.AddRange(RefusalFailures(step.Where, step.What, await SendAsync(step.Method, step.Address, Json(step.Body(step.Value?.DeepClone()))), step.Path, status: null));
        }

        return (sent, failures);
    }

    /// <summary>
    /// Each of <paramref name="valuesOf"/> a body value (its path and schema) of every step, addressed to a fresh record of
    /// each kind the service keeps, one of them the kind the step acts on.
    /// </summary>
    private async IAsyncEnumerable<StepOnRecord> StepsOnStoredRecordsAsync(Func<string, BodySchema, IEnumerable<(string What, JsonNode? Value)>> valuesOf)
    {
        foreach (var endpoint in (await EndpointsAsync()).Where(endpoint => endpoint.Body is not null && endpoint.Parameters.Any(parameter => parameter.IsGuid)))
        {
            var values = endpoint.Body!.Values().SelectMany(value => valuesOf(value.Path, value.Schema).Select(bad => (value.Path, value.Schema, bad.What, bad.Value))).ToList();
            if (values.Count == 0)
            {
                continue;
            }

            var targets = (await FreshStreamsAsync()).Where(stream => !stream.IsInternal).ToList();
            foreach (var (path, schema, what, value) in values)
            {
                foreach (var target in targets)
                {
                    yield return new StepOnRecord($"{endpoint} on {target}", endpoint.Method, AddressOn(endpoint, target), path, schema, what, value, given => SampleWith(endpoint.Body!, path, given));
                }
            }
        }
    }

    /// <summary>A value sent in a step's body (<see cref="Body"/>: the sample body with a value at <see cref="Path"/>, of <see cref="Schema"/>) on a stored record.</summary>
    private sealed record StepOnRecord(string Where, string Method, string Address, string Path, BodySchema Schema, string What, JsonNode? Value, Func<JsonNode?, string> Body);
}
