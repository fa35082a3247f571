using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.OpenApi;
using WardLink.Domain;

namespace WardLink.EventSourcing.Wards;

/// <summary>
/// The <c>ward=</c> query parameter in the API documents. <see cref="RequestWards"/> reads it before any
/// endpoint runs, so no handler declares it: the endpoints where it chooses something (what a list or a
/// statistic covers, where a new record is kept) say so with <see cref="WithWardParameter"/>.
/// </summary>
public static class WardParameters
{
    /// <summary>What a list or a statistic covers, as its summary says.</summary>
    public const string Spans = "It covers the ward named by ward=, else every ward the caller may see.";

    /// <summary>Where a new record is kept, as the summary of an endpoint that creates one says.</summary>
    public const string Records = "The record belongs to the ward named by ward=, else to the caller's first ward.";

    /// <summary>Documents the optional <c>ward</c> query parameter, with its form and what an unknown or forbidden ward answers.</summary>
    public static RouteHandlerBuilder WithWardParameter(this RouteHandlerBuilder endpoint) =>
        endpoint.ProducesProblem(StatusCodes.Status404NotFound).AddOpenApiOperationTransformer((operation, _, _) =>
        {
            operation.Parameters ??= [];
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = RequestWards.Parameter,
                In = ParameterLocation.Query,
                Description = "A ward's id (lower-case words joined by hyphens): the one ward this request acts in. "
                    + "Malformed: 400; a ward not known here, or not one of the caller's: 404.",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String, MinLength = 2, MaxLength = WardNames.MaxIdLength, Pattern = WardNames.IdPattern },
            });
            return Task.CompletedTask;
        });
}
