using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace WardLink.ServiceDefaults;

/// <summary>
/// Routing's own refusals: <c>415</c> for a body of a type the endpoint does not read (a form or
/// XML where JSON is expected), <c>405</c> for a method the path does not take, <c>406</c>. They are
/// answers about the request's shape, not endpoints anyone authorises, so they are given before
/// authorization: an anonymous caller posting a form to the public tip intake learns 415, not 401.
/// The status-code pages turn them into problem details.
/// </summary>
public static class RoutingRejections
{
    /// <summary>The name of routing's refusal of a method the path does not take.</summary>
    public const string MethodNotSupported = "405 HTTP Method Not Supported";

    private static readonly HashSet<string> Refusals = new(StringComparer.Ordinal)
    {
        "415 HTTP Unsupported Media Type",
        MethodNotSupported,
        "406 HTTP Unsupported Encoding",
    };

    public static IApplicationBuilder UseRoutingRejections(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (context.GetEndpoint() is { Metadata.Count: 0, RequestDelegate: { } refuse, DisplayName: { } name } && Refusals.Contains(name))
        {
            await refuse(context);

            // Routing's 405 names the path's methods in Allow; its problem says so as every refusal of a method does.
            if (context.Response is { StatusCode: StatusCodes.Status405MethodNotAllowed, HasStarted: false } response)
            {
                await MethodRefusals.Refused(context, response.Headers.Allow.ToString().Split(", ")).ExecuteAsync(context);
            }

            return;
        }

        await next(context);
    });
}
