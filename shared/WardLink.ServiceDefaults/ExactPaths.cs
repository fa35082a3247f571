using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;

namespace WardLink.ServiceDefaults;

/// <summary>
/// A path is taken as the API documents write it: routing matches its words in any letter case (<c>/API/TIPS/{id}</c> found
/// the tip, and the <c>Location</c> of a record created at <c>/API/tips</c> echoed <c>/API</c>), so a request whose words differ
/// in case from its route's (or, behind the gateway's <c>/api</c>, from that) is one no operation takes: it goes on without an
/// endpoint, to the 404 anyone gets (docs/security.md). Its method too: one the endpoint takes only in another letter case is
/// a <c>405</c> (<see cref="MethodRefusals"/>). After routing, before authentication.
/// </summary>
public static class ExactPaths
{
    public static IApplicationBuilder UseWardLinkExactPaths(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        if (context.GetEndpoint() is RouteEndpoint endpoint
            && (!IsExact(context.Request.PathBase, ServiceComposition.GatewayPathBase) || !WordsAsRouted(endpoint.RoutePattern, context.Request.Path)))
        {
            context.SetEndpoint(null);
            context.Request.RouteValues.Clear();
        }

        MethodRefusals.RouteLetterCaseToRefusal(context);
        return next(context);
    });

    private static bool IsExact(PathString pathBase, string documented) =>
        !pathBase.HasValue || string.Equals(pathBase.Value, documented, StringComparison.Ordinal);

    /// <summary>Whether each segment of <paramref name="path"/> that its route writes as a word alone is that word, in its letter case.</summary>
    private static bool WordsAsRouted(RoutePattern pattern, PathString path)
    {
        var segments = ApiPaths.Segments(path.Value ?? string.Empty);
        for (var i = 0; i < pattern.PathSegments.Count && i < segments.Length; i++)
        {
            if (pattern.PathSegments[i].Parts is [RoutePatternLiteralPart literal] && !string.Equals(literal.Content, segments[i], StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }
}
