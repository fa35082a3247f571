using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;

namespace WardLink.ServiceDefaults;

/// <summary>
/// The service's OpenAPI document states what its input checks enforce: a required body is
/// required (<see cref="RequestChecks"/>), an enum is one of its names (<see cref="EnumNames"/>).
/// </summary>
public static class ApiDescription
{
    public static IServiceCollection AddWardLinkOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(options =>
        {
            options.AddOperationTransformer<Idempotency.IdempotencyKeyDocumentation>();
            ProblemResponses.DescribeJson(options);
            options.AddOperationTransformer((operation, context, _) =>
            {
                if (operation.RequestBody is OpenApiRequestBody body
                    && RequestChecks.RequiresBody(context.Description.ActionDescriptor.EndpointMetadata.OfType<IAcceptsMetadata>().LastOrDefault()))
                {
                    body.Required = true;
                }

                return Task.CompletedTask;
            });
            options.AddSchemaTransformer((schema, context, _) =>
            {
                // The exporter knows only the built-in enum converter: it leaves our enums, and lists of them, untyped.
                if (EnumOf(context.JsonTypeInfo.Type) is { } type)
                {
                    schema.Type = JsonSchemaType.String | (type == context.JsonTypeInfo.Type ? 0 : JsonSchemaType.Null);
                    schema.Enum = NamesOf(type);
                }
                else if (context.JsonTypeInfo is { Kind: JsonTypeInfoKind.Enumerable, ElementType: { } element } && EnumOf(element) is { } itemType)
                {
                    schema.Items = new OpenApiSchema { Type = JsonSchemaType.String, Enum = NamesOf(itemType) };
                }

                return Task.CompletedTask;
            });
        });

    private static Type? EnumOf(Type type) => (Nullable.GetUnderlyingType(type) ?? type) is { IsEnum: true } enumType ? enumType : null;

    private static List<JsonNode> NamesOf(Type enumType) => [.. EnumNames.Of(enumType).Select(name => (JsonNode)JsonValue.Create(name))];
}
