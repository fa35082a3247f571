using WardLink.ServiceDefaults.Security;

namespace WardLink.Gateway;

/// <summary>
/// Token validation and authorization at the gateway. Each service has its own bearer scheme that
/// accepts only tokens naming that service's audience, so a token for another service is a 401
/// here as it is in the service. A route names its policy as <c>{service}:{policy}</c>
/// (e.g. <c>tips:statistics</c>); the gateway's own endpoints use the plain policy names, which
/// accept a token for any WardLink service. Anything else needs the police (fallback).
/// </summary>
public static class GatewayAuthorization
{
    /// <summary>The scheme accepting a token for any WardLink service.</summary>
    public const string AnyServiceScheme = "wardlink";

    public static string RoutePolicy(string service, string policy) => $"{service}:{policy}";

    public static WebApplicationBuilder AddWardLinkGatewayAuthorization(this WebApplicationBuilder builder)
    {
        var settings = AuthSettings.From(builder.Configuration);
        var authentication = builder.Services.AddAuthentication(AnyServiceScheme);
        authentication.AddWardLinkBearer(AnyServiceScheme, settings, TokenIssuer.Scopes.Select(WardLinkAuth.AudienceOf));
        foreach (var service in TokenIssuer.Scopes)
        {
            authentication.AddWardLinkBearer(service, settings, [WardLinkAuth.AudienceOf(service)]);
        }

        builder.Services.AddAuthorization(options =>
        {
            options.AddWardLinkPolicies(AnyServiceScheme);
            foreach (var service in TokenIssuer.Scopes)
            {
                foreach (var (policy, roles) in WardLinkPolicies.Roles)
                {
                    options.AddPolicy(RoutePolicy(service, policy), rule => rule.AddAuthenticationSchemes(service).RequireAuthenticatedUser().RequireRole(roles));
                }
            }
        });
        return builder;
    }
}
