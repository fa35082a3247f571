using Microsoft.AspNetCore.Server.Kestrel.Core;
using Scalar.AspNetCore;

namespace WardLink.Gateway;

/// <summary>
/// Security headers on every response, the proxied ones included (set as the response starts, so
/// they replace whatever a service sent): no sniffing, no framing, no referrer, no caching of API
/// answers, no <c>Server</c> header, and a content security policy that lets only the docs UI run
/// scripts (its own, with the nonce Scalar puts on them).
/// </summary>
public static class SecurityHeaders
{
    private const string ApiPolicy = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    /// <summary>Kestrel itself adds no <c>Server</c> header (one it writes late could not be removed here).</summary>
    public static WebApplicationBuilder AddWardLinkSecurityHeaders(this WebApplicationBuilder builder)
    {
        builder.Services.Configure<KestrelServerOptions>(kestrel => kestrel.AddServerHeader = false);
        return builder;
    }

    public static WebApplication UseWardLinkSecurityHeaders(this WebApplication app)
    {
        app.Use((context, next) =>
        {
            context.Response.OnStarting(() =>
            {
                var headers = context.Response.Headers;
                headers.XContentTypeOptions = "nosniff";
                headers.XFrameOptions = "DENY";
                headers["Referrer-Policy"] = "no-referrer";
                headers.Remove("Server");
                if (ApiDocument.IsUiPath(context.Request.Path))
                {
                    headers.ContentSecurityPolicy = DocsPolicy(context.Items[ScalarOptions.NonceHttpContextItemKey] as string);
                }
                else
                {
                    headers.ContentSecurityPolicy = ApiPolicy;
                    headers.CacheControl = "no-store";
                }

                return Task.CompletedTask;
            });
            return next();
        });
        return app;
    }

    /// <summary>Scalar's page: its script and module by nonce, its inline styles, requests to this origin only.</summary>
    private static string DocsPolicy(string? nonce) =>
        $"default-src 'self'; script-src 'self'{(nonce is null ? string.Empty : $" 'nonce-{nonce}'")}; style-src 'self' 'unsafe-inline'; " +
        "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
}
