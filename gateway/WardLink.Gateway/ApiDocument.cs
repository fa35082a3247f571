using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using Scalar.AspNetCore;
using WardLink.ServiceDefaults;
using Yarp.ReverseProxy.Configuration;

namespace WardLink.Gateway;

/// <summary>
/// The whole API in one OpenAPI document at <see cref="Path"/>, merged from the gateway's own
/// (<c>GatewayApi.json</c>) and each service's <c>/openapi/v1.json</c>, and the interactive
/// reference at <see cref="UiPath"/> (Scalar, its assets served from the package).
/// </summary>
public static class ApiDocument
{
    public const string Path = "/openapi/wardlink.json";
    public const string UiPath = "/docs";

    /// <summary>Names the services whose documents are missing from a partial document.</summary>
    public const string MissingHeader = "X-WardLink-Missing";

    /// <summary>The gateway's document of its own operations (<c>GatewayApi.json</c>), the scopes it grants filled in.</summary>
    private static readonly JsonObject Gateway = LoadGatewayDocument();

    /// <summary>The gateway's own operations as an OpenAPI document: what their queries may name (<see cref="DeclaredQueries"/>).</summary>
    public static Task<OpenApiDocument> OwnOperationsAsync(CancellationToken ct) =>
        Task.FromResult(OpenApiDocument.Parse(Gateway.ToJsonString(), OpenApiConstants.Json).Document
            ?? throw new InvalidOperationException("GatewayApi.json does not read as an OpenAPI document."));

    private static JsonObject LoadGatewayDocument()
    {
        using var stream = typeof(ApiDocument).Assembly.GetManifestResourceStream("WardLink.Gateway.GatewayApi.json")
            ?? throw new InvalidOperationException("GatewayApi.json is not embedded in the gateway.");
        var document = JsonNode.Parse(stream)!.AsObject();

        // The scopes are what the token endpoint grants: one per service.
        document["components"]!["securitySchemes"]!["oauth2"]!["flows"]!["clientCredentials"]!["scopes"] = new JsonObject(
            TokenIssuer.Scopes.Select(scope => KeyValuePair.Create(scope, (JsonNode?)$"Calls to the {scope} service.")));
        return document;
    }

    /// <summary>Whether <paramref name="path"/> is the API reference page's or one of its files', in any letter case.</summary>
    public static bool IsUiPath(PathString path) => path.StartsWithSegments(UiPath, StringComparison.OrdinalIgnoreCase);

    public static WebApplicationBuilder AddWardLinkApiDocument(this WebApplicationBuilder builder)
    {
        builder.Services.AddSettings<ApiDocumentOptions>(ApiDocumentOptions.Section);
        builder.Services.AddMemoryCache();
        builder.Services.AddHttpClient(nameof(ApiDocument));
        builder.Services.AddSingleton<MergedApiDocument>();
        builder.Services.AddSingleton<DescribedPaths>();
        return builder;
    }

    public static WebApplication MapWardLinkApiDocument(this WebApplication app)
    {
        app.MapGet(Path, async (MergedApiDocument document, HttpContext http, CancellationToken ct) =>
            {
                var (json, missing) = await document.GetAsync(ct);
                if (missing.Count > 0)
                {
                    http.Response.Headers[MissingHeader] = string.Join(", ", missing);
                }

                return Results.Text(json, "application/json");
            })
            .AllowAnonymous()
            .InNoWard()
            .ExcludeFromDescription();
        // One document, at the page's own path: Scalar's "/docs/{documentName}" would answer the page for any word after it,
        // where a path no operation takes is a 404.
        app.MapScalarApiReference(UiPath, options => options
                .WithTitle("WardLink API")
                .WithOpenApiRoutePattern(Path)
                .AddPreferredSecuritySchemes("oauth2")
                .DisableDefaultFonts()
                .DisableTelemetry()
                .DisableAgent()
                .DisableMcp()
                .WithNonce())
            .AllowAnonymous()
            .InNoWard()
            .AddEndpointFilter((context, next) => context.HttpContext.GetRouteValue("documentName") is string { Length: > 0 }
                ? ValueTask.FromResult<object?>(TypedResults.NotFound())
                : next(context));
        return app;
    }

    /// <summary>
    /// The merged document, kept for <see cref="ApiDocumentOptions.CacheFor"/> once every service gave its own. Callers that
    /// find none kept share one reading of the services: a crowd of requests (anonymous ones whose shape is judged against
    /// the document, say) when the cache runs out or while a service is missing asks each service once, not once each.
    /// </summary>
    public sealed class MergedApiDocument(
        IProxyConfigProvider proxy, IHttpClientFactory clients, IMemoryCache cache, IOptions<ApiDocumentOptions> options, ILogger<MergedApiDocument> log)
    {
        private readonly Lock _gate = new();
        private Task<(string Json, IReadOnlyList<string> Missing)>? _reading;

        /// <summary>Whether a complete document is kept (no service asked).</summary>
        public bool IsComplete => cache.TryGetValue(nameof(MergedApiDocument), out _);

        public Task<(string Json, IReadOnlyList<string> Missing)> GetAsync(CancellationToken ct)
        {
            if (cache.TryGetValue(nameof(MergedApiDocument), out (string, IReadOnlyList<string>) cached))
            {
                return Task.FromResult(cached);
            }

            // The reading is shared, so no one caller's going away cancels it; each caller stops waiting on its own.
            lock (_gate)
            {
                _reading ??= Task.Run(ReadAsync, CancellationToken.None);
                return _reading.WaitAsync(ct);
            }
        }

        private async Task<(string Json, IReadOnlyList<string> Missing)> ReadAsync()
        {
            try
            {
                return await ReadOnceAsync(CancellationToken.None);
            }
            finally
            {
                lock (_gate)
                {
                    _reading = null;
                }
            }
        }

        private async Task<(string Json, IReadOnlyList<string> Missing)> ReadOnceAsync(CancellationToken ct)
        {
            var services = await Task.WhenAll(proxy.ServiceAddresses().Select(service => FetchAsync(service.Name, service.Address, ct)));
            var json = OpenApiMerge.Merge(Gateway, services).ToJsonString(new JsonSerializerOptions { WriteIndented = true });
            var missing = services.Where(service => service.Document is null).Select(service => service.Service).ToList();
            if (missing.Count == 0)
            {
                cache.Set(nameof(MergedApiDocument), (json, (IReadOnlyList<string>)missing), options.Value.CacheFor);
            }
            else
            {
                log.LogWarning("The API document lacks the {Services} service(s): {Reasons}", missing, services.Select(service => service.MissingReason).OfType<string>());
            }

            return (json, missing);
        }

        private async Task<ServiceDocument> FetchAsync(string service, Uri address, CancellationToken ct)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(address, "openapi/v1.json"));
            var (json, reason, _) = await clients.CreateClient(nameof(ApiDocument)).GetJsonAsync(request, options.Value.ServiceTimeout, ct);
            return json is JsonObject document
                ? new ServiceDocument(service, document, null)
                : new ServiceDocument(service, null, reason ?? "answered a document that is not a JSON object");
        }
    }
}

public sealed class ApiDocumentOptions
{
    public const string Section = "ApiDocument";

    /// <summary>How long a complete merged document is served before the services are asked again.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00")]
    public TimeSpan CacheFor { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long the gateway waits for one service's document.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:10:00")]
    public TimeSpan ServiceTimeout { get; set; } = TimeSpan.FromSeconds(5);
}
