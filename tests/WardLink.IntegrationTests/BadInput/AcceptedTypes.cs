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
}
