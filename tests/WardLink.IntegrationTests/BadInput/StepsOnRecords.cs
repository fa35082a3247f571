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
        foreach (var endpoint in (await EndpointsAsync()).Where(endpoint => endpoint.Body is not null && endpoint.Parameters.Any(parameter => parameter.IsGuid)))
        {
            var values = endpoint.Body!.Values().SelectMany(value => valuesOf(value.Path, value.Schema).Select(bad => (value.Path, bad.What, bad.Value))).ToList();
            if (values.Count == 0)
            {
                continue;
            }

            var targets = (await FreshStreamsAsync()).Where(stream => !stream.IsInternal).ToList();
            foreach (var (path, what, value) in values)
            {
                foreach (var target in targets)
                {
                    sent++;
                    var answer = await SendAsync(endpoint.Method, AddressOn(endpoint, target), Json(SampleWith(endpoint.Body!, path, value?.DeepClone())));
                    failures.AddRange(RefusalFailures($"{endpoint} on {target}", what, answer, path, status: null));
                }
            }
        }

        return (sent, failures);
    }
}
