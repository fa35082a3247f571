using System.Collections.Frozen;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using WardLink.Domain;
using WardLink.ServiceDefaults;
using Yarp.ReverseProxy.Model;

namespace WardLink.Gateway;

/// <summary>
/// The shape of a request the gateway would refuse for its token, judged before the token as the services judge it
/// (docs/api.md): a method the path does not take is a <c>405</c> problem with <c>Allow</c>, a body in another format
/// than the operation reads (a form, XML where JSON is expected) a <c>415</c> problem. Whatever refuses the token (none,
/// one that does not authenticate, one for another service's audience, a role the route does not admit, a partner out of
/// good standing), the shape is judged first; a request the gateway lets through is judged by the service behind the
/// route, so the gateway reads no document on the way of an admitted request. The gateway learns the paths, their methods
/// and their bodies from the merged API document (<see cref="ApiDocument"/>); a path it does not describe, or a service
/// whose document it has never had, is left to the token's refusal.
/// </summary>
public static class RequestShape
{
    public static WebApplicationBuilder AddWardLinkRequestShape(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<IAuthorizationMiddlewareResultHandler, ShapeBeforeRefusal>();
        return builder;
    }

    /// <summary>
    /// A proxied request whose method no operation of any document is written with (<c>CONNECT</c>, which the proxy cannot
    /// forward: it was a 502 saying the service was down; a method in another letter case; any other word) is judged by its
    /// shape here, whoever sends it, anonymous or not: the path's 405. The methods the documents write are forwarded, the
    /// service behind the route judging them, and cost one lookup.
    /// </summary>
    public static IApplicationBuilder UseWardLinkProxiedMethods(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        if (!DocumentedMethods.Contains(http.Request.Method) && http.IsProxied()
            && await http.RequestServices.GetRequiredService<DescribedPaths>().RefusalOfAsync(http.Request, http.RequestAborted) is { } refusal)
        {
            await refusal.ExecuteAsync(http);
            return;
        }

        await next(http);
    });

    private static readonly FrozenSet<string> DocumentedMethods = OpenApiMerge.Methods.Select(method => method.ToUpperInvariant()).ToFrozenSet(StringComparer.Ordinal);

    /// <summary>Answers the refusal a proxied route's request deserves for its shape (405, 415); false when its shape is not what is wrong.</summary>
    public static async Task<bool> RefusedForShapeAsync(this HttpContext http) =>
        http.IsProxied()
        && http.GetEndpoint()!.Metadata.GetMetadata<IAllowAnonymous>() is null
        && await http.RequestServices.GetRequiredService<DescribedPaths>().RefusalOfAsync(http.Request, http.RequestAborted) is { } refusal
        && await Executed(refusal, http);

    private static async Task<bool> Executed(IResult refusal, HttpContext http)
    {
        await refusal.ExecuteAsync(http);
        return true;
    }

    /// <summary>Authorization's refusals (401, 403) give way to a refusal of the request's shape.</summary>
    private sealed class ShapeBeforeRefusal : IAuthorizationMiddlewareResultHandler
    {
        private readonly AuthorizationMiddlewareResultHandler _refusals = new();

        public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
        {
            if ((authorizeResult.Challenged || authorizeResult.Forbidden) && await context.RefusedForShapeAsync())
            {
                return;
            }

            await _refusals.HandleAsync(next, context, policy, authorizeResult);
        }
    }
}

/// <summary>
/// The paths of the merged API document, each with its operations' methods and the media types of their bodies,
/// read again at most every <see cref="ApiDocumentOptions.CacheFor"/> (a partial document too: anonymous
/// requests never make the gateway ask the services more often than that). Once it had a complete document, a partial
/// one (a service down, or slower to give its document than <see cref="ApiDocumentOptions.ServiceTimeout"/>) leaves the
/// paths as the complete one gave them: a service's paths are judged as before while its document is missing, not left to
/// the token's refusal (a path no operation takes was then a 401 or 403 for a while, not the 404 anyone gets); a partial
/// document's paths give way as soon as a complete one is kept.
/// </summary>
internal sealed class DescribedPaths(ApiDocument.MergedApiDocument document, IOptions<ApiDocumentOptions> options, TimeProvider clock)
{
    private Parsed? _parsed;

    /// <summary>The refusal the request's shape deserves (405 or 415), or null when the document finds nothing wrong with it.</summary>
    public async Task<IResult?> RefusalOfAsync(HttpRequest request, CancellationToken ct)
    {
        var paths = await PathsAsync(ct);
        var segments = ApiPaths.Segments(request.Path.Value ?? string.Empty);
        var matches = paths
            .Select(path => (Path: path, Literals: path.ParametersFit(segments) ? ApiPaths.LiteralsMatching(path.Segments, segments) : -1))
            .Where(match => match.Literals >= 0)
            .ToList();
        if (matches.Count == 0)
        {
            // A path of a service the document describes that no operation of it takes (an id one digit too long, a word
            // misspelled or in another letter case) is the 404 anyone gets, as at the service, whatever token came.
            return paths.Any(path => path.OfService(segments))
                ? Results.Problem(statusCode: StatusCodes.Status404NotFound)
                : null;
        }

        // As routing does: literal segments win over parameters (/tips/stats is not /tips/{id}).
        var best = matches.Max(match => match.Literals);
        var operations = matches.Where(match => match.Literals == best).SelectMany(match => match.Path.Operations).ToList();
        if (operations.Find(operation => string.Equals(operation.Method, request.Method, StringComparison.Ordinal)) is not { } taken)
        {
            return MethodRefusals.Refused(request.HttpContext, operations.Select(operation => operation.Method));
        }

        // A body of a type the operation does not read is routing's 415 at the service; JSON in a charset no service reads (or whose
        // media type gives a parameter twice or without a value), and a body of another type than JSON sent to a step that reads none,
        // the service's (RequestChecks.RefusalOfType): each for every caller, judged before the token, as the service judges it. A
        // request without content sends no body whatever type it names, as the services take it (RequestChecks.HasNoContent).
        return taken.BodyTypes.Count > 0 && !RequestChecks.HasNoContent(request) && !taken.BodyTypes.Any(type => Reads(type, request.ContentType))
            ? Results.Problem(title: $"The body is read as {string.Join(" or ", taken.BodyTypes)}.", statusCode: StatusCodes.Status415UnsupportedMediaType)
            : RequestChecks.RefusalOfType(request, readsNoBody: taken.BodyTypes.Count == 0);
    }

    /// <summary>As the services' routing judges a body: of the described type or a subtype of it (<c>application/merge-patch+json</c> is JSON).</summary>
    private static bool Reads(string described, string? sent) =>
        MediaTypeHeaderValue.TryParse(sent, out var type) && type.IsSubsetOf(MediaTypeHeaderValue.Parse(described));

    private async Task<IReadOnlyList<DescribedPath>> PathsAsync(CancellationToken ct)
    {
        if (_parsed is { } parsed && clock.GetUtcNow() - parsed.At < options.Value.CacheFor && (parsed.Complete || !document.IsComplete))
        {
            return parsed.Paths;
        }

        var (json, missing) = await document.GetAsync(ct);
        if (missing.Count > 0 && _parsed is { Complete: true } complete)
        {
            _parsed = complete with { At = clock.GetUtcNow() };
            return complete.Paths;
        }

        var paths = (JsonNode.Parse(json)?["paths"] as JsonObject ?? [])
            .Select(path => new DescribedPath(
                ApiPaths.Segments(path.Key),
                [
                    .. OpenApiMerge.Methods.Where(method => path.Value?[method] is JsonObject).Select(method => new DescribedOperation(
                        method.ToUpperInvariant(),
                        [.. (path.Value![method]!["requestBody"]?["content"] as JsonObject ?? []).Select(content => content.Key)])),
                ],
                [
                    .. OpenApiMerge.Methods
                        .SelectMany(method => path.Value?[method]?["parameters"] as JsonArray ?? [])
                        .Where(parameter => parameter?["in"]?.GetValue<string>() == "path" && parameter["schema"] is JsonObject)
                        .DistinctBy(parameter => parameter!["name"]!.GetValue<string>(), StringComparer.Ordinal)
                        .Select(parameter => new PathParameter($"{{{parameter!["name"]!.GetValue<string>()}}}", parameter["schema"]!.AsObject())),
                ]))
            .ToList();
        _parsed = new Parsed(paths, clock.GetUtcNow(), missing.Count == 0);
        return paths;
    }

    private sealed record Parsed(IReadOnlyList<DescribedPath> Paths, DateTimeOffset At, bool Complete);

    private sealed record DescribedOperation(string Method, IReadOnlyList<string> BodyTypes);

    /// <summary>
    /// A path parameter (<c>{id}</c>, <c>{wardId}</c>) and what its schema takes: an id a GUID (as routing takes it), a text its
    /// pattern and lengths, a name one of its enum's. A segment it does not take makes a path no operation takes.
    /// </summary>
    private sealed class PathParameter(string segment, JsonObject schema)
    {
        private readonly Regex? _pattern = schema["pattern"]?.GetValue<string>() is { } pattern ? new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)) : null;
        private readonly int _minLength = schema["minLength"]?.GetValue<int>() ?? 0;
        private readonly int _maxLength = schema["maxLength"]?.GetValue<int>() ?? int.MaxValue;
        private readonly string[]? _names = schema["enum"] is JsonArray names ? [.. names.Select(name => name!.GetValue<string>())] : null;
        private readonly bool _id = schema["format"]?.GetValue<string>() == "uuid";

        public string Segment { get; } = segment;

        public bool Takes(string value) =>
            _id ? Guid.TryParse(value, out _)
            : Uri.UnescapeDataString(value) is var text && Characters.Between(text, _minLength, _maxLength)
                && (_pattern is null || _pattern.IsWholly(text)) && (_names is null || _names.Contains(text, StringComparer.Ordinal));
    }

    /// <summary>A path of the document, its operations, and its parameters (<see cref="PathParameter"/>).</summary>
    private sealed record DescribedPath(string[] Segments, IReadOnlyList<DescribedOperation> Operations, IReadOnlyList<PathParameter> Parameters)
    {
        /// <summary>Whether <paramref name="segments"/> begin as this path does, <c>/api/{service}</c>, in any letter case.</summary>
        public bool OfService(string[] segments) =>
            Segments.Length > 1 && segments.Length > 1
            && string.Equals(Segments[0], segments[0], StringComparison.OrdinalIgnoreCase) && string.Equals(Segments[1], segments[1], StringComparison.OrdinalIgnoreCase);

        /// <summary>Whether each parameter of this path takes the segment <paramref name="segments"/> hold in its place (another path's shape: true).</summary>
        public bool ParametersFit(string[] segments) =>
            segments.Length != Segments.Length || Parameters.All(parameter => Array.IndexOf(Segments, parameter.Segment) is var at && (at < 0 || parameter.Takes(segments[at])));
    }
}
