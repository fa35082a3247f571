using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace WardLink.ServiceDefaults;

/// <summary>What every WardLink service has: telemetry, health, problem details, a request body limit, an OpenAPI document.</summary>
public static class ServiceComposition
{
    /// <summary>The gateway forwards <c>/api/{service}/…</c> unchanged; services answer with and without it.</summary>
    public const string GatewayPathBase = "/api";

    public static IHostApplicationBuilder AddWardLinkService(this IHostApplicationBuilder builder, string serviceName)
    {
        builder.AddWardLinkTelemetry(serviceName);
        builder.AddWardLinkHealth();
        builder.AddWardLinkProblemDetails();
        builder.AddWardLinkRequestLimits();
        builder.Services.AddOpenApi();
        builder.Services.AddSingleton(TimeProvider.System);
        return builder;
    }

    public static WebApplication UseWardLinkService(this WebApplication app)
    {
        app.UsePathBase(GatewayPathBase);
        app.UseWardLinkProblemDetails();
        app.UseWardLinkRequestLimits();
        app.MapWardLinkHealth();
        app.MapOpenApi();
        return app;
    }

    /// <summary>Who is acting: the authenticated client, or <c>anonymous</c>.</summary>
    public static string Actor(this HttpContext context) =>
        context.User.FindFirstValue(ClaimTypes.Name) ?? context.User.Identity?.Name ?? "anonymous";
}
