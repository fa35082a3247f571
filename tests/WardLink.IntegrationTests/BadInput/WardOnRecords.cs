using WardLink.EventSourcing.Wards;
using static WardLink.IntegrationTests.BadInput.JsonBodies;

namespace WardLink.IntegrationTests.BadInput;

/// <summary>
/// <c>ward=</c> is judged on every operation that offers it (docs/wards.md), a read or a step on a record the caller sees
/// included: a malformed one is a 400 naming it, an unknown one a 404, whether or not the path names a stored record, and
/// nothing is stored. (It was read only when the path named no record the caller sees: a stray <c>?ward=Bad_Ward</c> on a
/// stored record was read as no ward at all.)
/// </summary>
public abstract partial class BadInputSuite<TEntryPoint>
{
    [Fact]
    public async Task A_malformed_or_unknown_ward_on_an_operation_naming_a_stored_record_is_a_400_or_404_and_stores_nothing()
    {
        var failures = new List<string>();
        var sent = 0;
        foreach (var operation in await DescribedOperation.AllAsync(_client, Ct))
        {
            var parameters = PathParameter.Of(operation.Description);
            var offersWard = PathParameter.ParametersIn(operation.Description, "query").Any(parameter => (string?)parameter["name"] == RequestWards.Parameter);
            if (!offersWard || !parameters.Any(parameter => parameter.IsGuid))
            {
                continue;
            }

            foreach (var target in (await FreshStreamsAsync()).Where(stream => !stream.IsInternal))
            {
                var address = PathParameter.Fill(
                    parameters.Where(parameter => parameter.IsGuid).Aggregate(operation.Template, (template, parameter) => template.Replace($"{{{parameter.Name}}}", target.Id.ToString(), StringComparison.Ordinal)),
                    parameters.Where(parameter => !parameter.IsGuid));
                foreach (var (ward, status) in new[] { ("Bad_Ward", 400), ("no-such-ward", 404) })
                {
                    sent++;
                    var answer = await SendAsync(operation.Method, $"{address}?{RequestWards.Parameter}={ward}", operation.Body is { } body ? Json(body.Sample()!.ToJsonString()) : null);
                    failures.AddRange(RefusalFailures($"{operation.Method} {operation.Template} on {target}", $"ward={ward}", answer, RequestWards.Parameter, status));
                }
            }
        }

        Assert.True(sent > 0, "No operation names a record and offers ward=.");
        AssertNone(failures);
    }
}
