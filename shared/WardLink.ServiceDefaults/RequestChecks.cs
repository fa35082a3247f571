using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Net.Http.Headers;
using WardLink.Domain;

namespace WardLink.ServiceDefaults;

/// <summary>
/// Checks every endpoint's input shape once, before any endpoint reads it: a body the endpoint
/// requires is there (not missing, not <c>null</c>), no id in the path is the empty GUID, and no
/// query value holds a NUL character (which PostgreSQL cannot take as text), and every header the operation declares
/// (<see cref="DocumentedHeader"/>: If-Match, Idempotency-Key; not the follow-up secret, a wrong one of any form a 404) is within the length and of the pattern
/// its document states. Each is a 400 problem naming the input, so no endpoint ever looks up or dereferences nothing. A JSON
/// body in a charset the service cannot read is a 415 problem (it was a 500).
/// </summary>
public static class RequestChecks
{
    /// <summary>The field a missing or null body is reported under.</summary>
    public const string BodyField = "body";

    public static IApplicationBuilder UseWardLinkRequestChecks(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            var errors = new FieldErrors();
            foreach (var (name, value) in context.Request.RouteValues)
            {
                errors.Check(!(value is string text && Guid.TryParse(text, out var id) && id == Guid.Empty), name, "Not an id: the empty GUID names nothing.");
            }

            foreach (var (name, values) in context.Request.Query)
            {
                errors.Check(!values.Any(value => value?.Contains('\0', StringComparison.Ordinal) == true), name, "Text cannot hold the NUL character (\\u0000).");
            }

            foreach (var header in context.GetEndpoint()?.Metadata.OfType<DocumentedHeader>().Where(header => !header.WrongFormIsUnknown) ?? [])
            {
                // Empty, a header names nothing, which each reader decides on (an empty If-Match is a 412, an empty key a 400).
                var sent = string.Join(", ", context.Request.Headers[header.Name].Where(value => !string.IsNullOrEmpty(value)));
                errors.Check(
                    sent.Length == 0 || (sent.Length <= header.MaxLength && Regex.IsMatch(sent, header.Pattern, RegexOptions.CultureInvariant, PatternTimeout)),
                    header.Name,
                    $"At most {header.MaxLength} characters, written as the API document's pattern for {header.Name} states.");
            }

            if (context.Request.HasJsonContentType() && UnreadableCharset(context.Request) is { } charset)
            {
                await Results.Problem(
                        title: "The body's charset is not one the service reads.",
                        detail: $"JSON is read as UTF-8 (or another encoding .NET knows by name), not as '{Shown(charset)}'. Nothing was done.",
                        statusCode: StatusCodes.Status415UnsupportedMediaType)
                    .ExecuteAsync(context);
                return;
            }

            if (RequiresBody(context.GetEndpoint()?.Metadata.GetMetadata<IAcceptsMetadata>()) && await HasNoBodyAsync(context.Request, context.RequestAborted))
            {
                errors.Check(false, BodyField, "A JSON object is required here (the body is missing or null).");
            }

            if (errors.Any)
            {
                await errors.ToRejection().ToProblem().ExecuteAsync(context);
                return;
            }

            await next(context);
        });

    private static readonly TimeSpan PatternTimeout = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The charset a JSON body names that ASP.NET Core cannot read it in (it threw, a 500): unknown (<c>utf8</c>, <c>bogus</c>),
    /// empty; or null when it names none or one it reads. A quoted name (<c>charset="utf-8"</c>, as RFC 9110 allows) is
    /// unquoted in the request's <c>Content-Type</c>, which ASP.NET Core does not do itself.
    /// </summary>
    private static string? UnreadableCharset(HttpRequest request)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var type) || type.Charset is not { HasValue: true } given)
        {
            return null;
        }

        var charset = HeaderUtilities.RemoveQuotes(given).ToString();
        try
        {
            _ = Encoding.GetEncoding(charset);
        }
        catch (ArgumentException)
        {
            return charset;
        }

        if (charset != given.ToString())
        {
            type.Charset = charset;
            request.ContentType = type.ToString();
        }

        return null;
    }

    private static string Shown(string charset) => charset.Length <= 40 ? charset : $"{charset[..40]}…";

    /// <summary>Whether an endpoint that <paramref name="accepts"/> this (its last such metadata) reads a JSON body it does not declare optional.</summary>
    public static bool RequiresBody(IAcceptsMetadata? accepts) =>
        accepts is { RequestType: not null, IsOptional: false }
        && accepts.ContentTypes.Any(type => type.Contains("json", StringComparison.OrdinalIgnoreCase));

    /// <summary>No body, an empty one, or the JSON <c>null</c> (a body of another content type is left to the endpoint's 415).</summary>
    private static async Task<bool> HasNoBodyAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentLength == 0 || request.HttpContext.Features.Get<IHttpRequestBodyDetectionFeature>() is { CanHaveBody: false })
        {
            return true;
        }

        if (!request.HasJsonContentType())
        {
            return false;
        }

        // Read as far as it could still be "null" between whitespace: a real body stops at its first character. A UTF-8
        // byte order mark in front is no character of the body (the JSON reader skips it too).
        request.EnableBuffering();
        var buffer = new byte[4096];
        var matched = 0;
        var isNull = true;
        var first = true;
        int read;
        while (isNull && (read = await request.Body.ReadAsync(buffer, ct)) > 0)
        {
            var bytes = buffer.AsSpan(0, read);
            if (first && bytes.StartsWith(Encoding.UTF8.Preamble))
            {
                bytes = bytes[Encoding.UTF8.Preamble.Length..];
            }

            first = false;
            foreach (var next in bytes)
            {
                isNull = next is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n' ? matched is 0 or 4 : matched < 4 && next == "null"u8[matched++];
                if (!isNull)
                {
                    break;
                }
            }
        }

        request.Body.Position = 0;
        return isNull && matched is 0 or 4;
    }
}
