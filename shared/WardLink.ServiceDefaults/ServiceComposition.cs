using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using WardLink.ServiceDefaults.Security;

namespace WardLink.ServiceDefaults;

/// <summary>
/// What every WardLink service has: telemetry, health, problem details, token validation with the
/// WardLink policies (police-only unless an endpoint names another), a request body limit,
/// admission control (a bound on the requests in flight and queued), an OpenAPI document.
/// </summary>
public static class ServiceComposition
{
    /// <summary>The gateway forwards <c>/api/{service}/…</c> unchanged; services answer with and without it.</summary>
    public const string GatewayPathBase = "/api";

    public static IHostApplicationBuilder AddWardLinkService(this IHostApplicationBuilder builder, string serviceName)
    {
        builder.AddWardLinkTelemetry(serviceName);
        builder.AddWardLinkHealth();
        builder.AddWardLinkProblemDetails();
        builder.AddWardLinkAuthentication(serviceName);
        builder.AddWardLinkRequestLimits(behindGateway: true);
        builder.AddWardLinkAdmission();
        builder.Services.AddWardLinkOpenApi();
        builder.Services.AddWardLinkNameConstraints();
        builder.Services.AddSingleton(TimeProvider.System);
        return builder;
    }

    public static WebApplication UseWardLinkService(this WebApplication app)
    {
        // Routing after both: a request without content is routed as one naming no type, with or without the path base.
        app.UseWardLinkNoTypeWithoutContent();
        app.UsePathBase(GatewayPathBase);
        app.UseRouting();
        app.UseWardLinkProblemDetails();
        app.UseWardLinkHeaderValues();
        app.UseWardLinkContentCodings();

        // Before anything costs: a request past the bound is refused before its token is checked.
        app.UseWardLinkAdmission();
        app.UseWardLinkExactPaths();

        // The request's shape before its token (docs/api.md), for every caller: routing's 405 and 415, then a body's type
        // (a charset the service cannot read, a body where the operation reads none), judged from its headers alone.
        app.UseRoutingRejections();
        app.UseWardLinkBodyTypes();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseWardLinkPublicOperations();
        app.UseWardLinkDeclaredQueries();
        app.UseWardLinkQueryForms();

        // After authorization: a caller without the right token is refused before its body is read;
        // keys are the client's, and their bodies are read only once they fit the limit.
        app.UseWardLinkRequestLimits();
        app.UseWardLinkRequestChecks();
        app.MapWardLinkHealth();
        app.MapOpenApi().AllowAnonymous().InNoWard();
        return app;
    }

    /// <summary>Who is acting: the authenticated client (its token's subject), or <c>anonymous</c>.</summary>
    public static string Actor(this HttpContext context) => context.User.Identity?.Name ?? "anonymous";
}
