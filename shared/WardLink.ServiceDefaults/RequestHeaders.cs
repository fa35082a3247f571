using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;
using WardLink.Domain;

namespace WardLink.ServiceDefaults;

/// <summary>
/// What a request's headers must be before anything else is done, at the gateway and at every service:
/// <list type="bullet">
/// <item>Header values are visible ASCII, spaces and tabs (RFC 9110 5.5): Kestrel reads a UTF-8 value such as <c>é</c> and lets
/// it through, which no header of the API takes and which the gateway's proxy cannot send on (it answered a false 502, "the
/// service is not available"). Each such header is a 400 problem naming it.</item>
/// <item>A body is read as sent: one in a content coding (<c>Content-Encoding: gzip</c>) is a 415 problem with
/// <c>Accept-Encoding: identity</c> (RFC 9110 15.5.16), not compressed bytes read as JSON or a form.</item>
/// </list>
/// </summary>
public static class RequestHeaders
{
    /// <summary>Header values outside visible ASCII: a 400 problem naming each header.</summary>
    public static IApplicationBuilder UseWardLinkHeaderValues(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            var errors = new FieldErrors();
            foreach (var (name, values) in context.Request.Headers)
            {
                errors.Check(values.All(value => value is null || IsAscii(value)), name, "A header value is visible ASCII, spaces and tabs only.");
            }

            if (errors.Any)
            {
                await errors.ToRejection().ToProblem().ExecuteAsync(context);
                return;
            }

            await next(context);
        });

    /// <summary>A body in a content coding: a 415 problem with <c>Accept-Encoding: identity</c>.</summary>
    public static IApplicationBuilder UseWardLinkContentCodings(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            if (EncodedBody(context) is { } coding)
            {
                context.Response.Headers.AcceptEncoding = "identity";
                await Results.Problem(
                        title: "The body's content coding is not one the API reads.",
                        detail: $"A body is read as sent (Content-Encoding: identity), not as '{(coding.Length <= 40 ? coding : $"{coding[..40]}…")}'. Nothing was done.",
                        statusCode: StatusCodes.Status415UnsupportedMediaType)
                    .ExecuteAsync(context);
                return;
            }

            await next(context);
        });

    private static bool IsAscii(string value) => value.All(c => c is '\t' or (>= ' ' and <= '~'));

    /// <summary>The content coding a request's body names other than <c>identity</c>, or null (none, or no body).</summary>
    private static string? EncodedBody(HttpContext context) =>
        context.Features.Get<IHttpRequestBodyDetectionFeature>() is not { CanHaveBody: false }
        && context.Request.Headers[HeaderNames.ContentEncoding]
            .SelectMany(value => (value ?? string.Empty).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            .FirstOrDefault(coding => !coding.Equals("identity", StringComparison.OrdinalIgnoreCase)) is { } coding
            ? coding
            : null;
}
