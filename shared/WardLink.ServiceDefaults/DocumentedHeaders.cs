using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace WardLink.ServiceDefaults;

/// <summary>
/// A request header an operation reads (<see cref="DocumentedHeaders.WithHeader"/>), as its OpenAPI document declares it:
/// whether it is required, its length and the characters it takes, and what it means (<paramref name="Describe"/>, given the
/// service's services: a description may state configured values). A value outside that length or pattern is a 400 naming
/// the header (<see cref="RequestChecks"/>), unless <paramref name="WrongFormIsUnknown"/>: the operation answers it as any
/// wrong value (the follow-up secret: the same 404 as an unknown code, so the answer never tells which was wrong).
/// </summary>
public sealed record DocumentedHeader(
    string Name, bool Required, int MinLength, int MaxLength, string Pattern, Func<IServiceProvider, string> Describe, bool WrongFormIsUnknown = false);

/// <summary>
/// Declares the headers an operation reads in its OpenAPI document. A header read from the request rather than bound to a
/// handler's parameter is unknown to the exporter, so without this a client generated from the document would not send it,
/// and the document would leave a text the client sends unbounded.
/// </summary>
public static class DocumentedHeaders
{
    /// <summary>Declares that the operation reads <paramref name="header"/>.</summary>
    public static RouteHandlerBuilder WithHeader(this RouteHandlerBuilder endpoint, DocumentedHeader header) => endpoint.WithMetadata(header);

    public static void Describe(OpenApiOptions options) =>
        options.AddOperationTransformer((operation, context, _) =>
        {
            foreach (var header in context.Description.ActionDescriptor.EndpointMetadata.OfType<DocumentedHeader>())
            {
                operation.Parameters ??= [];
                operation.Parameters.Add(new OpenApiParameter
                {
                    Name = header.Name,
                    In = ParameterLocation.Header,
                    Required = header.Required,
                    Description = header.Describe(context.ApplicationServices),
                    Schema = new OpenApiSchema
                    {
                        Type = JsonSchemaType.String,
                        MinLength = header.MinLength > 0 ? header.MinLength : null,
                        MaxLength = header.MaxLength,
                        Pattern = header.Pattern,
                    },
                });
            }

            return Task.CompletedTask;
        });
}
