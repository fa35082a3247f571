using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using WardLink.Domain;

namespace WardLink.ServiceDefaults;

/// <summary>
/// Route constraints for a path's names of a form of their own, as routing's <c>guid</c> is for ids: a ward's id
/// (<c>{wardId:wardid}</c>, <see cref="WardNames.IsId"/>) and a service's name (<c>{service:servicename}</c>,
/// <see cref="ServiceIdentity.NamePattern"/>). A segment of another form is a path no operation takes, the 404 whoever asks
/// (docs/security.md), before any token is read: it was a 401 or 403 to a caller the route did not admit, and a service's
/// checkpoints answered it a 400.
/// </summary>
public static class NameConstraints
{
    public const string WardId = "wardid";

    public const string ServiceName = "servicename";

    public static IServiceCollection AddWardLinkNameConstraints(this IServiceCollection services) =>
        services.Configure<RouteOptions>(options =>
        {
            options.ConstraintMap[WardId] = typeof(WardIdConstraint);
            options.ConstraintMap[ServiceName] = typeof(ServiceNameConstraint);
        });

    /// <summary>Whether <paramref name="name"/> is a service's name: lower-case letters, digits and dashes, a letter first, at most <see cref="ServiceIdentity.MaxNameLength"/> characters.</summary>
    public static bool IsServiceName(string name) => Characters.AtMost(name, ServiceIdentity.MaxNameLength) && ServiceIdentity.NameForm().IsWholly(name);

    private sealed class WardIdConstraint : IRouteConstraint
    {
        public bool Match(HttpContext? httpContext, IRouter? route, string routeKey, RouteValueDictionary values, RouteDirection routeDirection) =>
            values.TryGetValue(routeKey, out var value) && WardNames.IsId(value as string);
    }

    private sealed class ServiceNameConstraint : IRouteConstraint
    {
        public bool Match(HttpContext? httpContext, IRouter? route, string routeKey, RouteValueDictionary values, RouteDirection routeDirection) =>
            values.TryGetValue(routeKey, out var value) && value is string name && IsServiceName(name);
    }
}
