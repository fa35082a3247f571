using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Net.Http.Headers;
using Microsoft.OpenApi;

namespace WardLink.ServiceDefaults;

/// <summary>
/// A header an operation answers with, as its OpenAPI document declares it on each response whose status <paramref name="On"/>
/// takes: <paramref name="Required"/> when every such answer carries it, what it means (<paramref name="Describe"/>, given the
/// service's services: a description may state configured values) and its schema (a text's length and characters).
/// </summary>
public sealed record AnsweredHeader(string Name, Func<int, bool> On, bool Required, Func<IServiceProvider, string> Describe, Func<OpenApiSchema> Schema)
{
    /// <summary>Whether <paramref name="status"/> is a success.</summary>
    public static bool Success(int status) => status is >= 200 and < 300;
}

/// <summary>
/// Declares the headers an operation answers with in its OpenAPI document: <c>Location</c> on every <c>201</c> (a creation
/// says where its record is read), and each header its endpoint's metadata names (<see cref="WithAnsweredHeader"/>: the
/// record's version as <c>ETag</c>, <c>Idempotent-Replayed</c>…), so a client generated from the document reads them and
/// their values are bounded.
/// </summary>
public static class AnsweredHeaders
{
    /// <summary>What every creation answers: the path its record is read at (<c>Results.Created</c>).</summary>
    public static readonly AnsweredHeader Location = new(
        HeaderNames.Location,
        status => status == 201,
        Required: true,
        _ => $"Where the created record is read: its path, under {ServiceComposition.GatewayPathBase} through the gateway (e.g. /api/tips/0195d000-0000-7000-8000-000000000001).",
        () => new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = 200, Pattern = "^(/[A-Za-z0-9-]+)+$" });

    /// <summary>Declares that the operation answers with <paramref name="header"/>.</summary>
    public static RouteHandlerBuilder WithAnsweredHeader(this RouteHandlerBuilder endpoint, AnsweredHeader header) => endpoint.WithMetadata(header);

    public static void Describe(OpenApiOptions options) =>
        options.AddOperationTransformer((operation, context, _) =>
        {
            var answered = context.Description.ActionDescriptor.EndpointMetadata.OfType<AnsweredHeader>().Prepend(Location).ToList();
            foreach (var (status, response) in operation.Responses ?? [])
            {
                if (!int.TryParse(status, out var code) || response is not OpenApiResponse declared)
                {
                    continue;
                }

                foreach (var header in answered.Where(header => header.On(code)))
                {
                    declared.Headers ??= new Dictionary<string, IOpenApiHeader>(StringComparer.OrdinalIgnoreCase);
                    declared.Headers[header.Name] = new OpenApiHeader
                    {
                        Required = header.Required,
                        Description = header.Describe(context.ApplicationServices),
                        Schema = header.Schema(),
                    };
                }
            }

            return Task.CompletedTask;
        });
}
