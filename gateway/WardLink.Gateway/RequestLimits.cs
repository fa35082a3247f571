using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace WardLink.Gateway;

/// <summary>
/// The largest request body the gateway takes (<c>RequestLimits:MaxBodyBytes</c>, 1 MB unless
/// set), for its own endpoints and the proxied routes alike. A body declared larger is refused
/// before anything is forwarded, with a 413 problem; one that grows past the limit while read is
/// cut off by Kestrel, and the proxy answers 413 too. Kestrel sends no <c>Server</c> header.
/// </summary>
public static class RequestLimits
{
    public const long DefaultMaxBodyBytes = 1024 * 1024;

    private const string TooLarge = "The request body is too large.";

    public static WebApplicationBuilder AddWardLinkRequestLimits(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<KestrelServerOptions>().Configure<IConfiguration>((kestrel, configuration) =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = configuration.GetValue("RequestLimits:MaxBodyBytes", DefaultMaxBodyBytes);
        });
        builder.Services.Configure<ProblemDetailsOptions>(options =>
        {
            var previous = options.CustomizeProblemDetails;
            options.CustomizeProblemDetails = context =>
            {
                previous?.Invoke(context);
                if (context.ProblemDetails.Status == StatusCodes.Status413PayloadTooLarge)
                {
                    context.ProblemDetails.Title = TooLarge;
                    context.ProblemDetails.Detail = DetailOf(context.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize);
                }
            };
        });
        return builder;
    }

    public static WebApplication UseWardLinkRequestLimits(this WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            var limit = context.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize;
            if (limit is { } max && context.Request.ContentLength > max)
            {
                await context.WriteProblemAsync(StatusCodes.Status413PayloadTooLarge, TooLarge, DetailOf(max));
                return;
            }

            await next();
        });
        return app;
    }

    private static string DetailOf(long? max) => $"The gateway takes bodies of at most {max} bytes.";
}
