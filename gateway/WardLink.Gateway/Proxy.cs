using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using WardLink.ServiceDefaults;
using WardLink.ServiceDefaults.Security;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;
using Yarp.ReverseProxy.Transforms;

namespace WardLink.Gateway;

public static class Proxy
{
    /// <summary>The gateway's own readiness report, beside the services' <c>/api/ops/{service}/health</c>.</summary>
    public const string ReadinessReportPath = "/api/ops/gateway/health";

    /// <summary>YARP's name of the policy that lets anyone through a route.</summary>
    public const string AnonymousPolicy = "Anonymous";

    /// <summary>The request headers that carry a caller's credentials, not passed on by a route open to anyone.</summary>
    public static readonly IReadOnlyList<string> Credentials = ["Authorization", "Cookie", "Proxy-Authorization"];

    /// <summary>
    /// A route's metadata (<c>"Metadata": { "WardFree": "true" }</c>) marking it as acting in no ward (<see cref="WardFree"/>):
    /// a service's readiness report, whose stray <c>ward=</c> the gateway passes over as the service does.
    /// </summary>
    public const string WardFreeMetadata = "WardFree";

    /// <summary>Whether <paramref name="http"/> was routed to a proxied route (its answer a service's), not to the gateway's own endpoints.</summary>
    public static bool IsProxied(this HttpContext http) => http.GetEndpoint()?.Metadata.GetMetadata<RouteModel>() is not null;

    /// <summary>
    /// YARP with routes and clusters from the <c>ReverseProxy</c> configuration section. A service
    /// that refuses the connection or answers too slowly becomes a 502/504 problem details response
    /// (a client's failure, such as a body over the limit, keeps its own 4xx). A route open to anyone
    /// passes on none of the caller's credentials (<see cref="Credentials"/>): the service behind it
    /// reads none, and a tipster's token or cookie reaches no service's log.
    /// </summary>
    public static WebApplicationBuilder AddWardLinkProxy(this WebApplicationBuilder builder)
    {
        builder.Services.AddReverseProxy()
            .LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"))
            .AddTransforms(context =>
            {
                if (string.Equals(context.Route.AuthorizationPolicy, AnonymousPolicy, StringComparison.OrdinalIgnoreCase))
                {
                    foreach (var header in Credentials)
                    {
                        context.AddRequestHeaderRemove(header);
                    }
                }
            });
        builder.Services.AddHealthChecks().AddCheck<DownstreamServices>("services", tags: [Health.ReadyTag]);
        builder.Services.AddHttpClient(nameof(DownstreamServices), client => client.Timeout = TimeSpan.FromSeconds(2));
        builder.Services.Configure<ProblemDetailsOptions>(options =>
        {
            var previous = options.CustomizeProblemDetails;
            options.CustomizeProblemDetails = context =>
            {
                previous?.Invoke(context);
                if (context.HttpContext.Features.Get<IForwarderErrorFeature>() is { } failure && context.ProblemDetails.Status >= StatusCodes.Status500InternalServerError)
                {
                    var cluster = context.HttpContext.GetReverseProxyFeature().Cluster.Config.ClusterId;
                    context.ProblemDetails.Title = $"The {cluster} service is not available.";
                    context.ProblemDetails.Detail = (failure.Error is ForwarderError.RequestTimedOut
                        ? $"The {cluster} service did not answer in time"
                        : $"The {cluster} service could not be reached ({failure.Error})")
                        + $": a write may or may not have been stored; {ProblemResponses.RetryRecognised}";
                }
            };
        });
        return builder;
    }

    /// <summary>
    /// The configured routes, those marked <see cref="WardFreeMetadata"/> acting in no ward. A route's methods are its share of its
    /// path's (the wards' reads go to one policy, their steps to another): a method in another letter case is judged against the
    /// merged document's methods for the path (<see cref="RequestShape.UseWardLinkProxiedMethods"/>), never the route's (a
    /// <c>get</c> on a ward's POST-only step was told <c>Allow: GET</c>, the reads' route's).
    /// </summary>
    public static IEndpointRouteBuilder MapWardLinkProxy(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapReverseProxy().ConfigureEndpoints((endpoint, route) =>
        {
            endpoint.WithMetadata(MethodsOfItsPathElsewhere.Marker);
            if (bool.TryParse(route.Metadata?.GetValueOrDefault(WardFreeMetadata), out var wardFree) && wardFree)
            {
                endpoint.InNoWard();
            }
        });
        return endpoints;
    }

    /// <summary>
    /// The gateway's probes are open to the internet: they answer only a status. Which service is
    /// down, and why, is in the report at <see cref="ReadinessReportPath"/>, for the ops role.
    /// </summary>
    public static IEndpointRouteBuilder MapWardLinkGatewayHealth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapWardLinkHealth(HealthAnswer.StatusOnly);
        endpoints.MapWardLinkReadinessReport(ReadinessReportPath).RequireAuthorization(WardLinkPolicies.Ops);
        return endpoints;
    }

    /// <summary>
    /// Reports each service's readiness as data; a service that is down makes the gateway degraded,
    /// not unready, since the gateway still serves the others.
    /// </summary>
    private sealed class DownstreamServices(IProxyConfigProvider proxy, IHttpClientFactory clients) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            var client = clients.CreateClient(nameof(DownstreamServices));
            var checks = proxy.ServiceAddresses()
                .Select(async target => (target.Name, Status: await Probe(client, target.Address, cancellationToken)));
            var results = await Task.WhenAll(checks);
            var data = results.ToDictionary(result => result.Name, result => (object)result.Status);
            var down = results.Where(result => result.Status != "ready").Select(result => result.Name).ToArray();
            return down.Length == 0
                ? HealthCheckResult.Healthy("All services are ready.", data)
                : HealthCheckResult.Degraded($"Not ready: {string.Join(", ", down)}.", data: data);
        }

        private static async Task<string> Probe(HttpClient client, Uri address, CancellationToken cancellationToken)
        {
            try
            {
                using var response = await client.GetAsync(new Uri(address, "health/ready"), cancellationToken);
                return response.IsSuccessStatusCode ? "ready" : $"unready ({(int)response.StatusCode})";
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
            {
                return "unreachable";
            }
        }
    }
}
