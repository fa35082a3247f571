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
                errors.Check(values.All(value => value is null || IsAscii(value)), name, OutsideAscii);
            }

            if (errors.Any)
            {
                await errors.ToRejection().ToProblem().ExecuteAsync(context);
                return;
            }

            await next(context);
        });

    /// <summary>
    /// A body in a content coding: a 415 problem with <c>Accept-Encoding: identity</c>. A body framed in a transfer coding other
    /// than <c>chunked</c> alone (<c>gzip, chunked</c>: the server would read its chunks as if they held the body as sent), or
    /// chunked in HTTP/1.0 (which has no transfer codings, RFC 9112 6.1): a 400 problem naming <c>Transfer-Encoding</c>.
    /// </summary>
    public static IApplicationBuilder UseWardLinkContentCodings(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            if (UnreadTransferCoding(context.Request) is { } why)
            {
                await Results.ValidationProblem(new Dictionary<string, string[]> { [HeaderNames.TransferEncoding] = [why] }, title: Rejection.InvalidTitle)
                    .ExecuteAsync(context);
                return;
            }

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

    /// <summary>Why a header (or trailer) value outside visible ASCII is refused.</summary>
    internal const string OutsideAscii = "A header value is visible ASCII, spaces and tabs only.";

    internal static bool IsAscii(string value) => value.All(c => c is '\t' or (>= ' ' and <= '~'));

    /// <summary>Why a request's transfer codings are not read, or null (none, or <c>chunked</c> alone in HTTP/1.1).</summary>
    private static string? UnreadTransferCoding(HttpRequest request)
    {
        var codings = request.Headers.TransferEncoding
            .SelectMany(value => (value ?? string.Empty).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            .ToList();
        return codings.Count == 0 ? null
            : HttpProtocol.IsHttp10(request.Protocol) ? "Transfer codings are HTTP/1.1's: an HTTP/1.0 request gives its body's length in Content-Length."
            : codings is [var only] && only.Equals("chunked", StringComparison.OrdinalIgnoreCase) ? null
            : "A body is framed in chunked alone: no other transfer coding (gzip, deflate) is read.";
    }

    /// <summary>The content coding a request's body names other than <c>identity</c>, or null (none, or no body).</summary>
    private static string? EncodedBody(HttpContext context) =>
        context.Features.Get<IHttpRequestBodyDetectionFeature>() is not { CanHaveBody: false }
        && context.Request.Headers[HeaderNames.ContentEncoding]
            .SelectMany(value => (value ?? string.Empty).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            .FirstOrDefault(coding => !coding.Equals("identity", StringComparison.OrdinalIgnoreCase)) is { } coding
            ? coding
            : null;
}
