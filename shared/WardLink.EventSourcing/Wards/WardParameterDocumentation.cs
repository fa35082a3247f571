using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using WardLink.ServiceDefaults;

namespace WardLink.EventSourcing.Wards;

/// <summary>
/// Describes what <see cref="RequestWards"/> does on every operation: the optional <c>ward</c> query
/// parameter, and the 404 for a record or ward the caller may not see; an operation in no ward (<see cref="WardFree"/>)
/// offers neither.
/// </summary>
internal sealed class WardParameterDocumentation : IOpenApiOperationTransformer
{
    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (context.Description.ActionDescriptor.EndpointMetadata.OfType<WardFree>().Any())
        {
            return Task.CompletedTask;
        }

        operation.Parameters ??= [];
        if (!operation.Parameters.Any(parameter => parameter.Name == RequestWards.Parameter && parameter.In == ParameterLocation.Query))
        {
            operation.Parameters.Add(WardParameters.Parameter(
                "The ward the request acts in: where a new record is recorded, what a list or a statistic counts; a record named in the " +
                "path is found only in it (one of another ward is a 404). Without it: a record named in the path acts in its own ward; " +
                "otherwise the caller's first ward, and lists and statistics span every ward the caller sees. Malformed, it is a 400; " +
                "a ward the caller may not see is a 404, whether or not the path names a record. A ward that has ended (merged or dissolved) takes no new record " +
                "that happened from its end on: 400, naming the successor."));
        }

        operation.Responses ??= [];
        operation.Responses.TryAdd($"{StatusCodes.Status404NotFound}", new OpenApiResponse
        {
            Description = "Not found: the record, or the ward named, does not exist or is not one the caller may see.",
        });
        return Task.CompletedTask;
    }
}
