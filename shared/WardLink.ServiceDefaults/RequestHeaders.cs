using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using WardLink.Domain;

namespace WardLink.ServiceDefaults;

/// <summary>
/// Header values are visible ASCII, spaces and tabs (RFC 9110 5.5): Kestrel reads a UTF-8 value such as <c>é</c> and lets it
/// through, which no header of the API takes and which the gateway's proxy cannot send on (it answered a false 502, "the
/// service is not available"). Each such header is a 400 problem naming it, before anything else is done.
/// </summary>
public static class RequestHeaders
{
    public static IApplicationBuilder UseWardLinkAsciiHeaders(this IApplicationBuilder app) =>
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

    private static bool IsAscii(string value) => value.All(c => c is '\t' or (>= ' ' and <= '~'));
}
