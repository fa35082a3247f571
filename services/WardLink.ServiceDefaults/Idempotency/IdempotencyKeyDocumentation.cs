using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace WardLink.ServiceDefaults.Idempotency;

/// <summary>Describes the optional <c>Idempotency-Key</c> header on every operation marked <see cref="IdempotentCreation"/>.</summary>
internal sealed class IdempotencyKeyDocumentation : IOpenApiOperationTransformer
{
    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (context.Description.ActionDescriptor.EndpointMetadata.OfType<IdempotentCreation>().Any())
        {
            operation.Parameters ??= [];
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = IdempotencyKeys.HeaderName,
                In = ParameterLocation.Header,
                Required = false,
                Description =
                    "A key the client chooses for this request (1–200 visible ASCII characters, e.g. a UUID). A retry with the same key and body " +
                    "within 24 hours gets the first answer again (with Idempotent-Replayed: true) and stores nothing; the same key with another " +
                    "body is a 422; a retry while the first is running waits for it, or is a 409 after 10 s. Keys are the client's own.",
                Schema = new OpenApiSchema
                {
                    Type = JsonSchemaType.String,
                    MinLength = 1,
                    MaxLength = IdempotencyKeys.MaxLength,
                    Pattern = IdempotencyKeys.Pattern,
                },
            });
        }

        return Task.CompletedTask;
    }
}
