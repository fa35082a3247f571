using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace WardLink.IntegrationTests.BadInput;

/// <summary>A path parameter: a GUID or a code, as the OpenAPI document types it.</summary>
public sealed record PathParameter(string Name, bool IsGuid)
{
    /// <summary>
    /// <paramref name="template"/> with fresh GUIDs and <paramref name="code"/> for its parameters;
    /// the parameter named <paramref name="emptyId"/> gets the empty GUID.
    /// </summary>
    public static string Fill(string template, IEnumerable<PathParameter> parameters, string code = "unknown-code", string? emptyId = null) =>
        parameters.Aggregate(template, (path, parameter) => path.Replace(
            $"{{{parameter.Name}}}",
            parameter.Name == emptyId ? Guid.Empty.ToString() : parameter.IsGuid ? Guid.NewGuid().ToString() : Uri.EscapeDataString(code),
            StringComparison.Ordinal));

    /// <summary>The path parameters of an operation in an OpenAPI document.</summary>
    public static List<PathParameter> Of(JsonObject operation) =>
        [.. ParametersIn(operation, "path").Select(parameter => new PathParameter((string)parameter["name"]!, (string?)parameter["schema"]?["format"] == "uuid"))];

    /// <summary>The parameters of <paramref name="operation"/> that go in <paramref name="where"/> (<c>path</c>, <c>query</c>).</summary>
    public static IEnumerable<JsonObject> ParametersIn(JsonObject operation, string where) =>
        (operation["parameters"] as JsonArray ?? []).Select(parameter => parameter!.AsObject()).Where(parameter => (string?)parameter["in"] == where);
}

/// <summary>
/// An operation of a service with path parameters, from its OpenAPI document (any method), with its
/// body schema when it reads one.
/// </summary>
public sealed record PathOperation(string Method, string Template, IReadOnlyList<PathParameter> Parameters, BodySchema? Body)
{
    public override string ToString() => $"{Method} {Template}";

    /// <summary>The operation's address with <paramref name="escaped"/> as <paramref name="name"/> and fresh GUIDs or an unknown code for the others.</summary>
    public string Address(string name, string escaped) =>
        PathParameter.Fill(Template.Replace($"{{{name}}}", escaped, StringComparison.Ordinal), Parameters.Where(parameter => parameter.Name != name));

    /// <summary>Every operation of <c>GET /openapi/v1.json</c> with a path parameter.</summary>
    public static async Task<IReadOnlyList<PathOperation>> DescribedByAsync(HttpClient client, CancellationToken ct) =>
    [
        .. from operation in await DescribedOperation.AllAsync(client, ct)
           let parameters = PathParameter.Of(operation.Description)
           where parameters.Count > 0
           select new PathOperation(operation.Method, operation.Template, parameters, operation.Body),
    ];
}

/// <summary>An operation of a service's <c>GET /openapi/v1.json</c>: its method, template, description, JSON body schema (if any) and the document's components.</summary>
public sealed record DescribedOperation(string Method, string Template, JsonObject Description, BodySchema? Body, JsonObject Components)
{
    public static async Task<IReadOnlyList<DescribedOperation>> AllAsync(HttpClient client, CancellationToken ct)
    {
        var document = (await client.GetFromJsonAsync<JsonObject>("/openapi/v1.json", ct))!;
        var components = document["components"]!.AsObject();
        return
        [
            .. from path in document["paths"]!.AsObject()
               from operation in path.Value!.AsObject()
               let description = operation.Value!.AsObject()
               select new DescribedOperation(
                   operation.Key.ToUpperInvariant(),
                   path.Key,
                   description,
                   description["requestBody"]?["content"]?["application/json"]?["schema"] is JsonObject schema ? BodySchema.Resolve(schema, components) : null,
                   components),
        ];
    }
}

/// <summary>
/// An operation of a service with query parameters, from its OpenAPI document: each with its
/// schema, and the path parameters to fill in.
/// </summary>
public sealed record QueriedOperation(
    string Method, string Template, IReadOnlyList<PathParameter> Parameters, IReadOnlyList<(string Name, BodySchema Schema)> Query, IReadOnlySet<string> Required,
    BodySchema? Body = null)
{
    public override string ToString() => $"{Method} {Template}";

    /// <summary>The operation's address with fresh GUIDs in its path and <paramref name="name"/>=<paramref name="value"/> as its query.</summary>
    public string Address(string name, string value) => Address([(name, value)]);

    /// <summary>The operation's address with fresh GUIDs in its path and <paramref name="query"/> as its query.</summary>
    public string Address(IEnumerable<(string Name, string Value)> query) =>
        $"{PathParameter.Fill(Template, Parameters)}?{string.Join('&', query.Select(pair => $"{pair.Name}={Uri.EscapeDataString(pair.Value)}"))}";

    /// <summary>Every operation of <c>GET /openapi/v1.json</c> that reads a query parameter.</summary>
    public static async Task<IReadOnlyList<QueriedOperation>> DescribedByAsync(HttpClient client, CancellationToken ct) =>
    [
        .. from operation in await DescribedOperation.AllAsync(client, ct)
           let query = PathParameter.ParametersIn(operation.Description, "query")
               .Select(parameter => ((string)parameter["name"]!, BodySchema.Resolve(parameter["schema"]!.AsObject(), operation.Components)))
               .ToList()
           where query.Count > 0
           select new QueriedOperation(
               operation.Method,
               operation.Template,
               PathParameter.Of(operation.Description),
               query,
               PathParameter.ParametersIn(operation.Description, "query").Where(parameter => (bool?)parameter["required"] == true).Select(parameter => (string)parameter["name"]!).ToHashSet(StringComparer.Ordinal),
               operation.Body),
    ];
}

/// <summary>
/// One write endpoint (POST, PUT, PATCH, DELETE) of a service, from its OpenAPI document:
/// its path parameters and its JSON body schema (none when it takes no body).
/// </summary>
public sealed partial record WriteEndpoint(string Method, string Template, IReadOnlyList<PathParameter> Parameters, BodySchema? Body, bool BodyRequired)
{
    private static readonly string[] WriteMethods = ["POST", "PUT", "PATCH", "DELETE"];

    public override string ToString() => $"{Method} {Template}";

    /// <summary>
    /// The endpoint's address with fresh GUIDs and an unknown code for its parameters, or
    /// <paramref name="code"/>; the parameter named <paramref name="emptyId"/> gets the empty GUID.
    /// </summary>
    public string Address(string code = "unknown-code", string? emptyId = null) => PathParameter.Fill(Template, Parameters, code, emptyId);

    /// <summary>The write endpoints a service describes in <c>GET /openapi/v1.json</c>.</summary>
    public static async Task<IReadOnlyList<WriteEndpoint>> DescribedByAsync(HttpClient client, CancellationToken ct) =>
    [
        .. from operation in await DescribedOperation.AllAsync(client, ct)
           where WriteMethods.Contains(operation.Method)
           select new WriteEndpoint(
               operation.Method,
               operation.Template,
               PathParameter.Of(operation.Description),
               operation.Body,
               (bool?)operation.Description["requestBody"]?["required"] ?? false),
    ];

    /// <summary>
    /// The write endpoints the service really maps, as <c>METHOD /template</c> without route
    /// constraints (what the OpenAPI document must describe for the suite to cover it), each with
    /// whether it reads a body.
    /// </summary>
    public static IReadOnlyDictionary<string, bool> MappedBy(IServiceProvider services) =>
        Mapped(services)
            .GroupBy(mapped => mapped.Key, StringComparer.Ordinal)
            .ToDictionary(group => group.Key, group => group.Any(mapped => mapped.Accepts is not null), StringComparer.Ordinal);

    /// <summary>The type of the body each write endpoint the service maps reads (<c>METHOD /template</c>), where it reads one.</summary>
    public static IReadOnlyDictionary<string, Type> BodyTypesMappedBy(IServiceProvider services) =>
        Mapped(services)
            .Where(mapped => mapped.Accepts?.RequestType is not null)
            .GroupBy(mapped => mapped.Key, StringComparer.Ordinal)
            .ToDictionary(group => group.Key, group => group.First().Accepts!.RequestType!, StringComparer.Ordinal);

    private static IEnumerable<(string Key, IAcceptsMetadata? Accepts)> Mapped(IServiceProvider services) =>
        services.GetServices<EndpointDataSource>()
            .SelectMany(source => source.Endpoints)
            .OfType<RouteEndpoint>()
            .SelectMany(endpoint => (endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? [])
                .Where(method => WriteMethods.Contains(method))
                .Select(method => (Key: $"{method} {WithoutConstraints(endpoint.RoutePattern.RawText!)}", Accepts: endpoint.Metadata.GetMetadata<IAcceptsMetadata>())));

    private static string WithoutConstraints(string template) =>
        "/" + Constraint().Replace(template, "{$1}").Trim('/');

    [GeneratedRegex(@"\{([^:}]+)(:[^}]*)?\}")]
    private static partial Regex Constraint();
}
