using System.Text;
using Microsoft.Extensions.DependencyInjection;
using WardLink.ServiceDefaults;
using static WardLink.IntegrationTests.BadInput.JsonBodies;

namespace WardLink.IntegrationTests.BadInput;

/// <summary>A client's <c>Accept</c> header decides nothing about errors: every refusal is a problem (RFC 9457 JSON).</summary>
public abstract partial class BadInputSuite<TEntryPoint>
{
    private static readonly string[] AcceptsNoJson = ["text/plain", "application/xml", "text/html, image/png;q=0.5"];

    /// <summary>
    /// Each way a request is refused (its body unreadable, over the size limit or of another type, its record unknown, its
    /// method not the path's), sent by a client that accepts no JSON: still a 4xx problem with status and title, nothing
    /// stored (a 413 was an empty 500, a 405 plain text).
    /// </summary>
    [Fact]
    public async Task Every_refusal_is_a_problem_whatever_the_client_accepts_and_stores_nothing()
    {
        var limit = service.Host.Services.GetRequiredService<RequestBodyLimit>().MaxBytes;
        var failures = new List<string>();
        foreach (var endpoint in await EndpointsAsync())
        {
            var sample = endpoint.Body?.Sample()?.ToJsonString() ?? "{}";
            var refusals = new List<(string What, string Method, Func<HttpContent> Content)>
            {
                ("a body over the limit", endpoint.Method, () => Json(Padded(sample, limit + 1))),
                ("a text/plain body", endpoint.Method, () => new StringContent(sample, Encoding.UTF8, "text/plain")),
                ("a method the path does not take", "PATCH", () => Json(sample)),
            };
            if (endpoint.Body is not null)
            {
                refusals.Add(("malformed JSON", endpoint.Method, () => Json("{\"not\": JSON")));
            }

            if (endpoint.Parameters.Any(parameter => parameter.IsGuid))
            {
                refusals.Add(("a record that does not exist", endpoint.Method, () => Json(sample)));
            }

            foreach (var accept in AcceptsNoJson)
            {
                foreach (var (what, method, content) in refusals)
                {
                    var answer = await SendAsync(method, endpoint.Address(), content(), accept: accept);
                    failures.AddRange(RefusalFailures($"{method} {endpoint.Template}", $"{what}, Accept: {accept}", answer, field: null, status: null));
                }
            }
        }

        AssertNone(failures);
    }

    /// <summary>
    /// A request without content (<c>Content-Length: 0</c>) sends no body, whatever <c>Content-Type</c> it names (a client's
    /// default, as Python's urllib sends a form type with an empty POST): it is answered as the same request naming none, on
    /// every write operation (a required body's 400 naming <c>body</c>, an optional one's step on a record not there its 404),
    /// never a 415 for a body that was not sent. The optional bodies of a referral and a shift's end were a 415 where a close
    /// was taken.
    /// </summary>
    [Fact]
    public async Task A_request_without_content_is_answered_as_one_naming_no_type_whatever_content_type_it_names()
    {
        var failures = new List<string>();
        var sent = 0;
        foreach (var endpoint in (await EndpointsAsync()).Where(endpoint => endpoint.BodyRequired || endpoint.Parameters.Any(parameter => parameter.IsGuid)))
        {
            var untyped = await SendAsync(endpoint.Method, endpoint.Address(), new ByteArrayContent([]));
            failures.AddRange(RefusalFailures($"{endpoint}", "no content, no type", untyped, field: null, status: null));
            foreach (var type in NoContentTypes)
            {
                sent++;
                var content = new ByteArrayContent([]);
                content.Headers.TryAddWithoutValidation("Content-Type", type);
                var typed = await SendAsync(endpoint.Method, endpoint.Address(), content);
                failures.AddRange(RefusalFailures($"{endpoint}", $"no content, Content-Type: {type}", typed, field: endpoint.BodyRequired ? RequestChecks.BodyField : null, status: untyped.Status));
            }
        }

        Assert.True(sent > 0, "No write operation takes a body or names a record.");
        AssertNone(failures);
    }

    private static readonly string[] NoContentTypes = ["application/x-www-form-urlencoded", "text/plain", "application/xml", "multipart/form-data; boundary=x", "application/json"];
}
