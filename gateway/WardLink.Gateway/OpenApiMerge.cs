using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Net.Http.Headers;
using WardLink.ServiceDefaults;

namespace WardLink.Gateway;

/// <summary>A service's own OpenAPI document, or why the gateway could not get it.</summary>
public sealed record ServiceDocument(string Service, JsonObject? Document, string? MissingReason);

/// <summary>
/// Merges the gateway's own document with each service's into one document of the public API: the
/// services' paths under <c>/api</c>, their tags per service, schemas of the same name kept once
/// when identical and prefixed with the service when not, and every operation's responses
/// completed with the statuses the gateway and the conventions add (401, 403, 429, 400, 404, 413,
/// 502, 504), each error as <c>application/problem+json</c>; and the services' <c>webhooks</c> (what the partners service sends
/// to a partner's endpoint) as each service describes them.
/// </summary>
public static class OpenApiMerge
{
    public const string MissingExtension = "x-wardlink-missing";

    /// <summary>Every service writes problem details through ServiceDefaults: the gateway's definition describes them all.</summary>
    private static readonly HashSet<string> SharedSchemas = ["ProblemDetails", "HttpValidationProblemDetails"];

    /// <summary>The operations a path item of an OpenAPI document may hold, by method.</summary>
    internal static readonly string[] Methods = ["get", "put", "post", "delete", "patch", "head", "options", "trace"];

    private const string SchemaRef = "#/components/schemas/";

    private const string HeaderRef = "#/components/headers/";

    /// <summary>What every answer says of the caller's rate window (<see cref="RateLimits"/>), a 5xx too.</summary>
    private static readonly string[] WindowHeaders = [RateLimits.LimitHeader, RateLimits.RemainingHeader, RateLimits.ResetHeader];

    /// <summary>The headers the gateway may add to any answer, each defined once and referred to from every response.</summary>
    private static JsonObject GatewayHeaders()
    {
        const string Absent = " Absent from an answer given before the caller is counted (a header value outside visible ASCII, a body in a content coding, a body refused for its size or its time, admission control's 503).";
        static JsonObject Count(string description, int minimum) => new()
        {
            ["description"] = description,
            ["schema"] = new JsonObject { ["type"] = "integer", ["format"] = "int32", ["minimum"] = minimum, ["maximum"] = int.MaxValue },
        };

        return new JsonObject
        {
            [RateLimits.LimitHeader] = Count("The requests the caller's rate window allows: of the windows this request counted against (its client's or its address's, the public tips' stricter one per address, the token endpoint's per address), the one that refused it, else the one with fewest requests left." + Absent, 1),
            [RateLimits.RemainingHeader] = Count("The requests left in that window after this one (0 on the 429 of a spent window)." + Absent, 0),
            [RateLimits.ResetHeader] = Count("Whole seconds until that window starts again (at least 1; the Retry-After of a spent window's 429 is the same)." + Absent, 1),
            [HeaderNames.AccessControlAllowOrigin] = new JsonObject
            {
                ["description"] = "The browser origin allowed to read this answer: the request's Origin, when the gateway's Cors:Origins names it (none by default: partners call from their systems, not from browsers), on every answer but the token endpoint's (a page cannot keep a client's secret). Absent otherwise.",
                ["schema"] = new JsonObject { ["type"] = "string", ["maxLength"] = Cors.MaxOriginLength, ["pattern"] = Cors.OriginPattern },
            },
        };
    }

    /// <summary>What the statuses the gateway adds say: those every operation of a service may answer, and the gateway's own.</summary>
    private static readonly Dictionary<string, string> AddedResponses = new(ProblemResponses.Described)
    {
        ["404"] = "Unknown record.",
        ["408"] = "The request body did not arrive within the time the gateway allows: nothing was done.",
        ["429"] = "Too many requests from this client; retry after the Retry-After header's seconds.",
        ["502"] = "The service behind the gateway is not available.",
        ["503"] = $"The gateway or the service is at capacity (admission control): nothing was done; or the service's database is unavailable: retry after the Retry-After header's seconds as the problem's detail says: {ProblemResponses.RetryRecognised}",
        ["504"] = "The service behind the gateway did not answer in time.",
    };

    public static JsonObject Merge(JsonObject gateway, IReadOnlyList<ServiceDocument> services)
    {
        var merged = (JsonObject)gateway.DeepClone();
        var parts = services.Where(service => service.Document is not null).ToList();
        var renamed = CollidingSchemas(gateway, parts);

        var schemas = Child(Child(merged, "components"), "schemas");
        foreach (var part in parts)
        {
            var document = (JsonObject)RewriteRefs(part.Document!, part.Service, renamed)!;
            foreach (var (name, schema) in SchemasOf(document))
            {
                var mergedName = renamed.Contains(name) ? Prefixed(part.Service, name) : name;
                schemas[mergedName] ??= schema!.DeepClone();
            }

            AddPaths(merged, part.Service, document);
            foreach (var (name, item) in document["webhooks"] as JsonObject ?? [])
            {
                // What a service sends to a partner's endpoint: described as the service describes it (no gateway stands between).
                Child(merged, "webhooks")[name] = item!.DeepClone();
            }
        }

        Child(merged, "components")["headers"] = GatewayHeaders();
        var operationIds = OperationIdCounts(merged);
        foreach (var (path, _, operation) in Operations(merged))
        {
            Complete(path, operation, operationIds);
        }

        var tags = merged["tags"] as JsonArray ?? [];
        merged["tags"] = tags;
        foreach (var tag in Operations(merged).SelectMany(operation => operation.Operation["tags"] as JsonArray ?? []).Select(tag => tag!.GetValue<string>()).Distinct())
        {
            if (!tags.Any(known => known!["name"]!.GetValue<string>() == tag))
            {
                tags.Add(new JsonObject { ["name"] = tag });
            }
        }

        var missing = services.Where(service => service.Document is null).ToList();
        if (missing.Count > 0)
        {
            merged[MissingExtension] = new JsonArray(missing
                .Select(service => (JsonNode)new JsonObject { ["service"] = service.Service, ["reason"] = service.MissingReason })
                .ToArray());
        }

        return merged;
    }

    /// <summary>
    /// The schema names whose definitions differ between documents, compared after renaming the
    /// ones found so far (two equal texts pointing at schemas that differ are different too).
    /// </summary>
    private static HashSet<string> CollidingSchemas(JsonObject gateway, IReadOnlyList<ServiceDocument> parts)
    {
        var renamed = new HashSet<string>(StringComparer.Ordinal);
        while (true)
        {
            var variants = parts
                .SelectMany(part => SchemasOf(part.Document!)
                    .Where(schema => !SharedSchemas.Contains(schema.Key))
                    .Select(schema => (schema.Key, Schema: RewriteRefs(schema.Value, part.Service, renamed))))
                .Concat(SchemasOf(gateway).Select(schema => (schema.Key, Schema: (JsonNode?)schema.Value)))
                .GroupBy(variant => variant.Key);
            var found = variants
                .Where(group => !renamed.Contains(group.Key) && group.Skip(1).Any(variant => !JsonNode.DeepEquals(variant.Schema, group.First().Schema)))
                .Select(group => group.Key)
                .ToList();
            if (found.Count == 0)
            {
                return renamed;
            }

            renamed.UnionWith(found);
        }
    }

    private static IEnumerable<KeyValuePair<string, JsonNode?>> SchemasOf(JsonObject document) =>
        document["components"]?["schemas"] as JsonObject ?? [];

    private static string Prefixed(string service, string name) =>
        CultureInfo.InvariantCulture.TextInfo.ToTitleCase(service) + name;

    /// <summary>A copy of <paramref name="node"/> whose schema references follow the renames of <paramref name="service"/>'s schemas.</summary>
    private static JsonNode? RewriteRefs(JsonNode? node, string service, HashSet<string> renamed)
    {
        var copy = node?.DeepClone();
        foreach (var reference in References(copy))
        {
            var target = reference["$ref"]!.GetValue<string>();
            if (target.StartsWith(SchemaRef, StringComparison.Ordinal) && renamed.Contains(target[SchemaRef.Length..]))
            {
                reference["$ref"] = SchemaRef + Prefixed(service, target[SchemaRef.Length..]);
            }
        }

        return copy;
    }

    private static IEnumerable<JsonObject> References(JsonNode? node) => node switch
    {
        JsonObject json when json["$ref"] is JsonValue => [json],
        JsonObject json => json.SelectMany(property => References(property.Value)),
        JsonArray array => array.SelectMany(References),
        _ => [],
    };

    /// <summary>The service's paths under <c>/api</c>, each operation tagged with the service.</summary>
    private static void AddPaths(JsonObject merged, string service, JsonObject document)
    {
        var paths = Child(merged, "paths");
        foreach (var (path, item) in document["paths"] as JsonObject ?? [])
        {
            var publicPath = "/api" + path;
            var copy = (JsonObject)item!.DeepClone();
            foreach (var method in Methods.Where(method => copy[method] is JsonObject))
            {
                var operation = (JsonObject)copy[method]!;
                var tags = (operation["tags"] as JsonArray ?? []).Select(tag => ServiceTag(service, tag!.GetValue<string>())).Distinct().ToList();
                operation["tags"] = new JsonArray(tags.Select(tag => (JsonNode)tag).DefaultIfEmpty(service).ToArray());
                operation["x-wardlink-service"] = service;
                if (publicPath.StartsWith("/api/public/", StringComparison.Ordinal))
                {
                    operation["security"] = Anonymous();
                }
            }

            paths[publicPath] = copy;
        }
    }

    /// <summary>A service's tag named by its service: <c>tips</c> for "Tips", <c>tips: Public tips</c>.</summary>
    private static string ServiceTag(string service, string tag) =>
        string.Equals(service, tag, StringComparison.OrdinalIgnoreCase) ? service : $"{service}: {tag}";

    private static List<(string Path, string Method, JsonObject Operation)> Operations(JsonObject document) =>
        (document["paths"] as JsonObject ?? [])
            .SelectMany(path => Methods
                .Where(method => path.Value?[method] is JsonObject)
                .Select(method => (path.Key, method, (JsonObject)path.Value![method]!)))
            .ToList();

    private static Dictionary<string, int> OperationIdCounts(JsonObject document) =>
        Operations(document)
            .Select(operation => operation.Operation["operationId"]?.GetValue<string>())
            .OfType<string>()
            .GroupBy(id => id, StringComparer.Ordinal)
            .ToDictionary(group => group.Key, group => group.Count(), StringComparer.Ordinal);

    /// <summary>
    /// Adds what the gateway and the conventions make an operation answer: 429 and 500 always; 401 and
    /// 403 unless anonymous; 400 always (headers are input); 404 with a path parameter; 408, 413 and 415 always (any request may carry a body,
    /// and it is read as sent, within a time and a size, before routing); 502 and
    /// 504 when proxied; 503 but on health (admission control refuses everything else past its bound).
    /// Every error response without content gets problem details, a 400 those naming each wrong field;
    /// a 429 or 503 says when to retry. Every answer says where the caller stands in its rate window, and may name the browser
    /// origin allowed to read it (CORS).
    /// </summary>
    private static void Complete(string path, JsonObject operation, Dictionary<string, int> operationIds)
    {
        var service = operation["x-wardlink-service"]?.GetValue<string>();
        if (service is not null && operation["operationId"]?.GetValue<string>() is { } id && operationIds[id] > 1)
        {
            operation["operationId"] = Prefixed(service, id);
        }

        var anonymous = IsAnonymous(operation);
        // A header value outside visible ASCII is a 400 whatever the operation reads (RequestHeaders).
        var added = ProblemResponses.AnsweredByEveryOperation(anonymous).Concat(["408", "429"]).ToList();

        if (path.Contains('{', StringComparison.Ordinal))
        {
            added.Add("404");
        }

        if (service is not null)
        {
            added.AddRange(["502", "504"]);
        }

        var refusable = !Health.IsHealthPath(path);
        if (refusable)
        {
            added.Add("503");
        }

        var responses = Child(operation, "responses");
        foreach (var status in added)
        {
            responses[status] ??= new JsonObject { ["description"] = AddedResponses[status] };
        }

        foreach (var (status, response) in responses.Where(response => response.Key[0] is '4' or '5').ToList())
        {
            // Bad input names each wrong field (errors), whatever the service declared for its 400.
            var content = response!["content"] as JsonObject;
            var declared = (string?)content?["application/problem+json"]?["schema"]?["$ref"];
            if (ProblemResponses.ProblemSchemaToDeclare(status, content is { Count: > 0 }, declared?.StartsWith(SchemaRef, StringComparison.Ordinal) == true ? declared[SchemaRef.Length..] : null) is { } problem)
            {
                response["content"] = new JsonObject
                {
                    ["application/problem+json"] = new JsonObject { ["schema"] = new JsonObject { ["$ref"] = SchemaRef + problem } },
                };
            }

            if (status == "415")
            {
                // RequestHeaders: the 415 of a body in a content coding says which one the API reads.
                Child(response.AsObject(), "headers")["Accept-Encoding"] ??= new JsonObject
                {
                    ["description"] = "identity, where the body was refused for its content coding (Content-Encoding): send it as it is.",
                    ["schema"] = new JsonObject { ["type"] = "string", ["enum"] = new JsonArray("identity") },
                };
            }

            if (status == "429" || (status == "503" && refusable))
            {
                response["headers"] ??= new JsonObject
                {
                    ["Retry-After"] = new JsonObject
                    {
                        ["description"] = status == "429" ? "Seconds until the window that refused the request starts again (as RateLimit-Reset says); 1 when the caller had too many requests in flight at once." : "Seconds to wait before retrying.",
                        ["schema"] = new JsonObject { ["type"] = "integer", ["format"] = "int32", ["minimum"] = 1, ["maximum"] = int.MaxValue },
                    },
                };
            }
        }

        foreach (var (status, response) in responses)
        {
            var headers = Child(response!.AsObject(), "headers");
            foreach (var header in WindowHeaders.Append(HeaderNames.AccessControlAllowOrigin))
            {
                headers[header] = new JsonObject { ["$ref"] = HeaderRef + header };
            }
        }

        operation["responses"] = new JsonObject(responses
            .OrderBy(response => response.Key, StringComparer.Ordinal)
            .Select(response => KeyValuePair.Create(response.Key, response.Value?.DeepClone())));
    }

    /// <summary>
    /// An operation anyone may call, with a token or without (OpenAPI's empty security requirement, <c>[{}]</c>; <c>[]</c> says
    /// the same to OpenAPI but reads to a linter as a write nobody secured).
    /// </summary>
    public static JsonArray Anonymous() => [new JsonObject()];

    /// <summary>Whether <paramref name="operation"/> is one anyone may call (<see cref="Anonymous"/>).</summary>
    public static bool IsAnonymous(JsonObject operation) => operation["security"] is JsonArray and [JsonObject { Count: 0 }];

    private static JsonObject Child(JsonObject parent, string name)
    {
        if (parent[name] is not JsonObject child)
        {
            parent[name] = child = [];
        }

        return child;
    }
}
