using System.Text;
using System.Text.Json;
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
/// body in a charset the service cannot read, or whose media type gives a parameter twice, is a 415 problem (it was a 500, or
/// read in the first charset named), judged with the request's shape before its token (<see cref="UseWardLinkBodyTypes"/>);
/// one in a charset the service reads is decoded strictly (<see cref="BodyCharsets"/>): bytes that charset cannot decode are a
/// 400 naming the body (they were replaced by <c>?</c> and stored).
/// </summary>
public static class RequestChecks
{
    /// <summary>Why the empty GUID is refused wherever an id is sent: a path, a query or a body.</summary>
    public const string EmptyId = "Not an id: the empty GUID names nothing.";

    /// <summary>The field a missing or null body is reported under.</summary>
    public const string BodyField = "body";

    /// <summary>Whether <paramref name="request"/> has no content: a <c>Content-Length</c> of 0, or neither a length nor a transfer coding.</summary>
    public static bool HasNoContent(HttpRequest request) =>
        request.ContentLength == 0 || request.HttpContext.Features.Get<IHttpRequestBodyDetectionFeature>() is { CanHaveBody: false };

    /// <summary>
    /// Makes <paramref name="request"/>, whose body was read whole and found empty (a chunked body of its last chunk alone), one
    /// without content from here on, as a <c>Content-Length: 0</c> is (<see cref="HasNoContent"/>): what judges it next, and the
    /// gateway's proxy forwarding it, take it as having no body, however it was framed.
    /// </summary>
    public static void HasNoContentFromNowOn(HttpRequest request)
    {
        request.Headers.Remove(HeaderNames.TransferEncoding);
        request.ContentLength = 0;
        request.HttpContext.Features.Set<IHttpRequestBodyDetectionFeature>(NoBody.Instance);
    }

    private sealed class NoBody : IHttpRequestBodyDetectionFeature
    {
        public static readonly NoBody Instance = new();

        public bool CanHaveBody => false;
    }

    /// <summary>
    /// A request without content sends no body, whatever <c>Content-Type</c> it names (RFC 9110, section 8.3: the type is its
    /// content's, and there is none; a client's default, as Python's urllib names a form for an empty POST): the type is dropped
    /// before routing judges it, so the request is answered as the same one naming none (a required body's 400 naming
    /// <c>body</c>, an optional one taken as <c>{}</c>), never a 415 for a body not sent. Before routing.
    /// </summary>
    public static IApplicationBuilder UseWardLinkNoTypeWithoutContent(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            if (HasNoContent(context.Request))
            {
                context.Request.Headers.Remove(HeaderNames.ContentType);
            }

            return next(context);
        });

    /// <summary>
    /// Judges a request's body by its type before its token (docs/api.md: the shape of a request is judged before its token, as
    /// routing's own <c>415</c> is, <see cref="RoutingRejections"/>): whoever sends it (anonymous, of a role the route does not
    /// admit, of another service's audience, a partner out of good standing, or a caller the route admits) gets the
    /// <c>415</c> problem of <see cref="RefusalOfType"/>. Such a caller was told <c>401</c> or <c>403</c>, a <c>415</c> once
    /// admitted. The body is not read here: what it holds is judged after authorization (<see cref="UseWardLinkRequestChecks"/>).
    /// </summary>
    public static IApplicationBuilder UseWardLinkBodyTypes(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            if (RefusalOfType(context.Request, ReadsNoBody(context)) is { } refusal)
            {
                await refusal.ExecuteAsync(context);
                return;
            }

            await next(context);
        });

    /// <summary>
    /// The <c>415</c> problem a request's body deserves for its type alone, for every caller, at the services and at the gateway
    /// alike: JSON in a charset the service cannot read, or whose media type gives a parameter twice or without a value
    /// (<see cref="BodyCharsets.Read"/>); a body of another type than JSON sent to an operation that reads none
    /// (<paramref name="readsNoBody"/>: a close, a resume, a removal). Null for a request without content
    /// (<see cref="HasNoContent"/>), and for one whose type is not what is wrong.
    /// </summary>
    public static IResult? RefusalOfType(HttpRequest request, bool readsNoBody) =>
        HasNoContent(request) ? null
        : request.HasJsonContentType() ? BodyCharsets.Read(request.ContentType).Refusal
        : readsNoBody ? Results.Problem(title: NoBodyRead, statusCode: StatusCodes.Status415UnsupportedMediaType)
        : null;

    public static IApplicationBuilder UseWardLinkRequestChecks(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            var errors = new FieldErrors();
            var endpoint = context.GetEndpoint();
            foreach (var (name, value) in context.Request.RouteValues)
            {
                errors.Check(!(value is string text && Guid.TryParse(text, out var id) && id == Guid.Empty), name, EmptyId);
            }

            foreach (var (name, values) in context.Request.Query.Where(parameter => !WardFree.PassesOver(endpoint, parameter.Key)))
            {
                errors.Check(!values.Any(value => value?.Contains('\0', StringComparison.Ordinal) == true), name, "Text cannot hold the NUL character (\\u0000).");
            }

            foreach (var header in endpoint?.Metadata.OfType<DocumentedHeader>().Where(header => !header.WrongFormIsUnknown) ?? [])
            {
                // Empty, a header names nothing, which each reader decides on (an empty If-Match is a 412, an empty key a 400).
                var sent = string.Join(", ", context.Request.Headers[header.Name].Where(value => !string.IsNullOrEmpty(value)));
                if (sent.Length > 0)
                {
                    var withinLength = Characters.Between(sent, header.MinLength, header.MaxLength);
                    errors.Check(
                        withinLength,
                        header.Name,
                        header.MinLength > 1 ? $"At least {header.MinLength} and at most {header.MaxLength} characters." : $"At most {header.MaxLength} characters.");
                    errors.Check(
                        !withinLength || Regex.IsMatch(sent, header.Pattern, RegexOptions.CultureInvariant, PatternTimeout),
                        header.Name,
                        $"Written as the API document's pattern for {header.Name} states: {header.Pattern}");
                }
            }

            var undecodable = false;
            if (context.Request.HasJsonContentType())
            {
                // A charset the service cannot read was refused with the request's shape (UseWardLinkBodyTypes).
                if (await UndecodableAsync(context.Request, BodyCharsets.Read(context.Request.ContentType).Strict ?? BodyCharsets.StrictUtf8, context.RequestAborted) is { } why)
                {
                    undecodable = true;
                    errors.Check(false, BodyField, why);
                }
            }

            if (!undecodable && RequiresBody(endpoint?.Metadata.GetMetadata<IAcceptsMetadata>()) && await HasNoBodyAsync(context.Request, context.RequestAborted))
            {
                errors.Check(false, BodyField, "A JSON object is required here (the body is missing or null).");
            }
            else if (!undecodable && ReadsNoBody(context) && await UnreadBodyAsync(context.Request, errors, context.RequestAborted) is { } unread)
            {
                await unread.ExecuteAsync(context);
                return;
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
    /// Why a JSON body in the charset <paramref name="strict"/> stands for (UTF-8 when it names none) cannot be read: bytes that
    /// charset cannot decode; or null, and then the body is UTF-8 (as sent, or decoded and written again) and its Content-Type says
    /// so. ASP.NET Core reads another charset through a transcoding stream that replaces what it cannot decode, and throws on a
    /// quoted name (<c>charset="utf-8"</c>).
    /// </summary>
    private static async Task<string?> UndecodableAsync(HttpRequest request, Encoding strict, CancellationToken ct)
    {
        request.EnableBuffering();
        try
        {
            if (strict.CodePage == Encoding.UTF8.CodePage)
            {
                // The common case: the buffered body is checked where it is, a piece at a time, and read on as sent.
                await BodyCharsets.DecodeWholeAsync(request.Body, strict, ct);
                request.Body.Position = 0;
            }
            else
            {
                using var sent = new MemoryStream();
                await request.Body.CopyToAsync(sent, ct);
                // Written again after UTF-8's mark, which the JSON reader skips once: a second mark the body sent after its own is
                // then no JSON, as in a UTF-8 body, not skipped as the first of the text.
                byte[] utf8 = [.. Encoding.UTF8.Preamble, .. Encoding.UTF8.GetBytes(BodyCharsets.Decode(strict, request.ContentType, sent.GetBuffer().AsSpan(0, (int)sent.Length)).Text)];
                request.Body = new MemoryStream(utf8, writable: false);
                request.ContentLength = utf8.Length;
            }
        }
        catch (DecoderFallbackException)
        {
            return BodyCharsets.Undecodable(strict);
        }

        if (MediaTypeHeaderValue.TryParse(request.ContentType, out var type) && type.Charset.HasValue)
        {
            type.Charset = "utf-8";
            request.ContentType = type.ToString();
        }

        return null;
    }

    /// <summary>Why a body sent to an operation that reads none is refused, naming it (a property of it, or the body).</summary>
    public const string NoBodyRead = "The operation reads no body: send none (or {}), nothing it would leave unread.";

    /// <summary>Whether the request is a write (POST, PUT, PATCH, DELETE) to an endpoint that reads no body (no <see cref="IAcceptsMetadata"/>).</summary>
    private static bool ReadsNoBody(HttpContext context) =>
        (HttpMethods.IsPost(context.Request.Method) || HttpMethods.IsPut(context.Request.Method) || HttpMethods.IsPatch(context.Request.Method) || HttpMethods.IsDelete(context.Request.Method))
        && context.GetEndpoint() is { } endpoint && endpoint.Metadata.GetMetadata<IAcceptsMetadata>() is null;

    /// <summary>
    /// A body sent to an operation that reads none (a step its document gives no request body: a close, a resume, a removal)
    /// is refused, never passed over unread (a reason or a time sent with it was dropped unseen, as a form or XML was): of
    /// another type than JSON, a 415 as any body of a type the operation does not read, with the request's shape
    /// (<see cref="RefusalOfType"/>); JSON that says anything, a 400 naming each property, or the body. An empty body,
    /// <c>{}</c> or <c>null</c> asks nothing, and is taken. Null when it is taken.
    /// </summary>
    private static async Task<IResult?> UnreadBodyAsync(HttpRequest request, FieldErrors errors, CancellationToken ct)
    {
        if (HasNoContent(request))
        {
            return null;
        }

        // The body limit read it whole: an empty one is a request without content by now (HasNoContentFromNowOn).
        request.EnableBuffering();
        using var sent = new MemoryStream();
        await request.Body.CopyToAsync(sent, ct);
        request.Body.Position = 0;

        // Read as a document, which keeps a property given twice (a JsonObject throws on it: a 500). A byte order mark in front
        // is no character of the body (the JSON reader of a body skips it too).
        var bytes = sent.GetBuffer().AsMemory(0, (int)sent.Length);
        JsonDocument body;
        try
        {
            body = JsonDocument.Parse(bytes.Span.StartsWith(Encoding.UTF8.Preamble) ? bytes[Encoding.UTF8.Preamble.Length..] : bytes);
        }
        catch (JsonException)
        {
            errors.Check(false, BodyField, NoBodyRead);
            return errors.ToRejection().ToProblem();
        }

        using (body)
        {
            var root = body.RootElement;
            if (root.ValueKind == JsonValueKind.Null || (root.ValueKind == JsonValueKind.Object && !root.EnumerateObject().Any()))
            {
                return null;
            }

            foreach (var name in root.ValueKind == JsonValueKind.Object ? root.EnumerateObject().Select(property => property.Name).Distinct(StringComparer.Ordinal) : [BodyField])
            {
                errors.Check(false, name, NoBodyRead);
            }

            return errors.ToRejection().ToProblem();
        }
    }

    /// <summary>Whether an endpoint that <paramref name="accepts"/> this (its last such metadata) reads a JSON body it does not declare optional.</summary>
    public static bool RequiresBody(IAcceptsMetadata? accepts) =>
        accepts is { RequestType: not null, IsOptional: false }
        && accepts.ContentTypes.Any(type => type.Contains("json", StringComparison.OrdinalIgnoreCase));

    /// <summary>No body, an empty one, or the JSON <c>null</c> (a body of another content type is left to the endpoint's 415).</summary>
    private static async Task<bool> HasNoBodyAsync(HttpRequest request, CancellationToken ct)
    {
        if (HasNoContent(request))
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
