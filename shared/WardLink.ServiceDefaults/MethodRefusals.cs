using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace WardLink.ServiceDefaults;

/// <summary>
/// A method the path does not take: a <c>405</c> problem with <c>Allow</c>, titled alike wherever it is given (routing's own
/// refusal at a service, the gateway's judgement of a proxied path, its token endpoint). A method's name is case-sensitive
/// (RFC 9110, section 9.1), where routing matches it in any letter case: <c>get</c> or <c>head</c> is no method the API
/// takes, refused as any other (a <c>head</c> answered as <c>HEAD</c> was, or not, given its body).
/// </summary>
public static class MethodRefusals
{
    /// <summary>The refusal of the request's method on a path that takes <paramref name="allowed"/>.</summary>
    public static IResult Refused(HttpContext http, IEnumerable<string> allowed)
    {
        var allow = string.Join(", ", allowed.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));
        http.Response.Headers.Allow = allow;
        return Results.Problem(title: Title(allow, http.Request.Method), statusCode: StatusCodes.Status405MethodNotAllowed);
    }

    /// <summary>What a refusal of <paramref name="method"/> says, on a path that takes <paramref name="allow"/>.</summary>
    public static string Title(string allow, string method) => $"The path takes {allow}, not {method}.";

    /// <summary>
    /// After routing: a request routed to an endpoint whose methods hold its method only in another letter case is routed to
    /// routing's own refusal instead (<see cref="RoutingRejections"/>, which answers it where a method no path takes is answered,
    /// counted as every request is), naming every method the endpoint's path takes (each endpoint of the same route pattern).
    /// </summary>
    public static void RouteLetterCaseToRefusal(HttpContext http)
    {
        if (http.GetEndpoint() is not RouteEndpoint endpoint
            || endpoint.Metadata.GetMetadata<MethodsOfItsPathElsewhere>() is not null
            || endpoint.Metadata.GetMetadata<IHttpMethodMetadata>() is not { HttpMethods: { Count: > 0 } methods }
            || methods.Contains(http.Request.Method, StringComparer.Ordinal))
        {
            return;
        }

        var allow = string.Join(", ", http.RequestServices.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Where(other => other.RoutePattern.RawText == endpoint.RoutePattern.RawText)
            .SelectMany(other => other.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? [])
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal));
        http.SetEndpoint(new Endpoint(
            refused =>
            {
                refused.Response.Headers.Allow = allow;
                refused.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
                return Task.CompletedTask;
            },
            EndpointMetadataCollection.Empty,
            RoutingRejections.MethodNotSupported));
        http.Request.RouteValues.Clear();
    }
}

/// <summary>
/// Marks an endpoint whose route takes a share of its path's methods only (a gateway route that forwards a path's reads to one
/// policy, its writes to another): the methods the path takes are not its route's, and a method in another letter case is
/// judged where the path's methods are known (the gateway's API document), not by <see cref="MethodRefusals.RouteLetterCaseToRefusal"/>.
/// </summary>
public sealed class MethodsOfItsPathElsewhere
{
    private MethodsOfItsPathElsewhere()
    {
    }

    public static MethodsOfItsPathElsewhere Marker { get; } = new();
}
