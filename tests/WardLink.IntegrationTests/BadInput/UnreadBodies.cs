using System.Net.Http.Headers;
using System.Text;
using WardLink.ServiceDefaults;
using static WardLink.IntegrationTests.BadInput.JsonBodies;

namespace WardLink.IntegrationTests.BadInput;

/// <summary>
/// A body sent to a step its document gives no request body (a close, a resume, a removal) is refused, never passed over
/// unread (docs/api.md): XML or a form, a 415; JSON naming a property (a reason, a time a client thinks is recorded), a 400
/// naming it; JSON that is no object, or no JSON, a 400 naming the body; each before the record is looked up, storing
/// nothing. An empty body (a form's content type with nothing in it too, as <c>curl -d ''</c> sends), <c>{}</c> or <c>null</c>
/// asks nothing and is not refused for its body. Each was a 200 that applied the step and dropped the body. (Every write of
/// patrols reads a body: there the walk finds no such step.)
/// </summary>
public abstract partial class BadInputSuite<TEntryPoint>
{
    [Fact]
    public async Task A_body_sent_to_a_step_that_reads_none_is_refused_never_passed_over()
    {
        var failures = new List<string>();
        foreach (var endpoint in (await EndpointsAsync()).Where(endpoint => endpoint.Body is null))
        {
            failures.AddRange(await RefusedAsync(endpoint, "an XML body", new StringContent("<resume reason=\"x\"/>", Encoding.UTF8, "application/xml"), status: 415));
            failures.AddRange(await RefusedAsync(endpoint, "a form", new StringContent("reason=x", Encoding.UTF8, "application/x-www-form-urlencoded"), status: 415));
            failures.AddRange(await RefusedAsync(endpoint, "JSON naming a property", Json("{\"reason\":\"x\",\"at\":\"2024-03-14T21:30:00+07:00\"}"), "reason", 400));
            failures.AddRange(await RefusedAsync(endpoint, "no JSON", Json("this is not JSON"), RequestChecks.BodyField, 400));
            failures.AddRange(await RefusedAsync(endpoint, "a JSON list", Json("[]"), RequestChecks.BodyField, 400));
            failures.AddRange(await RefusedAsync(endpoint, "JSON naming a property twice", Json("{\"reason\":\"x\",\"reason\":\"y\"}"), "reason", 400));
            failures.AddRange(await RefusedAsync(endpoint, "a chunked JSON object naming a property", Chunked("{\"reason\":\"x\"}"), "reason", 400));
            foreach (var (what, content) in new (string, HttpContent?)[]
            {
                ("no body", null), ("{}", Json("{}")), ("null", Json("null")), ("an empty form", new ByteArrayContent([]) { Headers = { ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded") } }),
            })
            {
                var answer = await SendAsync(endpoint, content);
                if (answer.Status is 400 or 415 or >= 500)
                {
                    failures.Add($"{endpoint}, {what}, which asks nothing: {answer.Status} {Shortened(answer.Body)}");
                }
            }
        }

        AssertNone(failures);
    }
}
