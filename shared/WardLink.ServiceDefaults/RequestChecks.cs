using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;
using WardLink.Domain;

namespace WardLink.ServiceDefaults;

/// <summary>
/// Checks every endpoint's input shape once, before any endpoint reads it: a body the endpoint
/// requires is there (not missing, not <c>null</c>), no id in the path is the empty GUID, and no
/// query value holds a NUL character (which PostgreSQL cannot take as text). Each is a 400 problem
/// naming the input, so no endpoint ever looks up or dereferences nothing.
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

        // Read as far as it could still be "null" between whitespace: a real body stops at its first character.
        request.EnableBuffering();
        var buffer = new byte[4096];
        var matched = 0;
        var isNull = true;
        int read;
        while (isNull && (read = await request.Body.ReadAsync(buffer, ct)) > 0)
        {
            foreach (var next in buffer.AsSpan(0, read))
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
