using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace WardLink.EventSourcing.Idempotency;

/// <summary>Describes the optional <c>Idempotency-Key</c> header on every operation marked <see cref="IdempotentCreation"/>.</summary>
internal sealed class IdempotencyKeyDocumentation : IOpenApiOperationTransformer
{
    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (context.Description.ActionDescriptor.EndpointMetadata.OfType<IdempotentCreation>().Any())
        {
            var options = context.ApplicationServices.GetRequiredService<IOptions<IdempotencyOptions>>().Value;
            operation.Parameters ??= [];
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = IdempotencyKeys.HeaderName,
                In = ParameterLocation.Header,
                Required = false,
                Description =
                    $"A key the client chooses for this request (1–{IdempotencyKeys.MaxLength} visible ASCII characters, e.g. a UUID). A retry with the same key " +
                    $"and body within {options.KeepFor.TotalHours:0.##} hours gets the first successful answer again (with {IdempotencyKeys.ReplayedHeaderName}: true) " +
                    $"and stores nothing; the same key with another body is a 422; a retry while the first is running waits for it, or is a 409 after " +
                    $"{options.WaitFor.TotalSeconds:0.##} s. Keys are the client's own.",
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
