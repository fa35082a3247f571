using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace WardLink.ServiceDefaults;

/// <summary>The largest request body a service reads (<c>Limits:MaxRequestBodyBytes</c>).</summary>
public sealed record RequestBodyLimit(long MaxBytes)
{
    public const string ConfigurationKey = "Limits:MaxRequestBodyBytes";

    public const long DefaultMaxBytes = 256 * 1024;

    /// <summary>The 413 problem of a body over the limit.</summary>
    public ProblemDetails TooLarge() => new()
    {
        Status = StatusCodes.Status413PayloadTooLarge,
        Title = "The request body is too large.",
        Detail = $"At most {MaxBytes} bytes.",
    };
}

/// <summary>
/// One request body size limit for every service, enforced by Kestrel and by the request's
/// <see cref="IHttpMaxRequestBodySizeFeature"/>, and answered with a 413 problem, never an empty
/// response nor a 500.
/// </summary>
public static class RequestLimits
{
    public static IHostApplicationBuilder AddWardLinkRequestLimits(this IHostApplicationBuilder builder)
    {
        var maxBytes = builder.Configuration.GetValue(RequestBodyLimit.ConfigurationKey, RequestBodyLimit.DefaultMaxBytes);
        if (maxBytes <= 0)
        {
            throw new InvalidOperationException($"{RequestBodyLimit.ConfigurationKey} must be a positive number of bytes, not {maxBytes}.");
        }

        var limit = new RequestBodyLimit(maxBytes);
        builder.Services.AddSingleton(limit);
        builder.Services.Configure<KestrelServerOptions>(kestrel => kestrel.Limits.MaxRequestBodySize = limit.MaxBytes);
        return builder;
    }

    /// <summary>
    /// Refuses a body over the limit before any endpoint reads it: by its <c>Content-Length</c>,
    /// or, for a chunked body, by reading (and buffering) it up to the limit. Reading it here
    /// matters: an endpoint that hits the server's own limit while binding its body sees only an
    /// I/O error and leaves the server to answer an empty 413.
    /// </summary>
    public static IApplicationBuilder UseWardLinkRequestLimits(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            var limit = context.RequestServices.GetRequiredService<RequestBodyLimit>();
            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
            {
                feature.MaxRequestBodySize = limit.MaxBytes;
            }

            if (!await FitsAsync(context.Request, limit.MaxBytes, context.RequestAborted))
            {
                context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
                await context.RequestServices.GetRequiredService<IProblemDetailsService>()
                    .WriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = limit.TooLarge() });
                return;
            }

            await next(context);
        });

    private static async Task<bool> FitsAsync(HttpRequest request, long maxBytes, CancellationToken ct)
    {
        if (request.ContentLength is { } length)
        {
            return length <= maxBytes;
        }

        if (request.HttpContext.Features.Get<IHttpRequestBodyDetectionFeature>() is { CanHaveBody: false })
        {
            return true;
        }

        request.EnableBuffering();
        var buffer = new byte[16 * 1024];
        long total = 0;
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(buffer, ct)) > 0)
            {
                total += read;
                if (total > maxBytes)
                {
                    return false;
                }
            }
        }
        catch (Microsoft.AspNetCore.Http.BadHttpRequestException tooLarge) when (tooLarge.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return false;
        }

        request.Body.Position = 0;
        return true;
    }
}
