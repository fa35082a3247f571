using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;

namespace WardLink.ServiceDefaults;

/// <summary>
/// A path is taken as the API documents write it: routing matches its words in any letter case (<c>/API/TIPS/{id}</c> found
/// the tip, and the <c>Location</c> of a record created at <c>/API/tips</c> echoed <c>/API</c>), so a request whose words differ
/// in case from its route's (or, behind the gateway's <c>/api</c>, from that) is one no operation takes: it goes on without an
/// endpoint, to the 404 anyone gets (docs/security.md). Its method too: one the endpoint takes only in another letter case is
/// a <c>405</c> (<see cref="MethodRefusals"/>). So is a target written with a dot segment (<c>.</c> or <c>..</c>, escaped or not),
/// which the server removes before routing: <c>/partners/wards/%2E%2E</c> was read as <c>/partners</c>, another operation's
/// 200 for a ward's id no operation takes. After routing, before authentication.
/// </summary>
public static class ExactPaths
{
    public static IApplicationBuilder UseWardLinkExactPaths(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        // A dot segment, whatever endpoint routing found for the path made of it (routing's 405 of another path's methods too).
        if (context.WrittenWithDotSegment() || (context.GetEndpoint() is RouteEndpoint endpoint
            && (!IsExact(context.Request.PathBase, ServiceComposition.GatewayPathBase) || !WordsAsRouted(endpoint.RoutePattern, context.Request.Path))))
        {
            context.SetEndpoint(null);
            context.Request.RouteValues.Clear();
        }

        MethodRefusals.RouteLetterCaseToRefusal(context);
        return next(context);
    });

    /// <summary>Whether the request's target as written has a dot segment (<see cref="HasDotSegment"/>), which the path it is read by no longer shows.</summary>
    public static bool WrittenWithDotSegment(this HttpContext context) => HasDotSegment(context.Features.Get<IHttpRequestFeature>()?.RawTarget);

    /// <summary>Whether the path of <paramref name="target"/>, as the request wrote it, has a segment <c>.</c> or <c>..</c>, a dot escaped (<c>%2E</c>) or not.</summary>
    public static bool HasDotSegment(string? target)
    {
        var path = (target ?? string.Empty).AsSpan();
        path = path[..(path.IndexOfAny('?', '#') is var end and >= 0 ? end : path.Length)];
        foreach (var range in path.Split('/'))
        {
            var segment = path[range];
            if (segment.Length is > 0 and <= 6 && segment.ContainsAny('.', '%') && Uri.UnescapeDataString(segment.ToString()) is "." or "..")
            {
                return true;
            }
        }

        return false;
    }

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
