using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc.Infrastructure;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;
using WardLink.Domain;

namespace WardLink.ServiceDefaults;

/// <summary>
/// The service's OpenAPI document states what its input checks enforce: a required body is
/// required (<see cref="RequestChecks"/>), an enum is one of its names (<see cref="EnumNames"/>).
/// Lengths, counts and ranges come from <c>[MaxLength]</c> and <c>[Range]</c> on the request
/// records, the views and the handlers' query parameters, naming the constants the decisions check; the
/// length of each text in a list from <see cref="ItemsMaxLengthAttribute"/>; what a value's form
/// bounds by itself (GUIDs, times, numbers read from text) from <see cref="DocumentedBounds"/>.
/// </summary>
public static class ApiDescription
{
    /// <summary>The name of the one OpenAPI document a service serves (<c>/openapi/v1.json</c>).</summary>
    public const string DocumentName = "v1";

    public static IServiceCollection AddWardLinkOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(DocumentName, options =>
        {
            ProblemResponses.DescribeJson(options);
            options.AddOperationTransformer(DescribeViewsPerAudience);
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
                if (context.ParameterDescription?.ParameterDescriptor is IParameterInfoParameterDescriptor { ParameterInfo: var parameter }
                    && parameter.GetCustomAttributes(typeof(EnumOfAttribute), inherit: false) is [EnumOfAttribute named, ..])
                {
                    schema.Enum = NamesOf(named.EnumType);
                }
                else if (EnumOf(context.JsonTypeInfo.Type) is { } type)
                {
                    schema.Type = JsonSchemaType.String | (type == context.JsonTypeInfo.Type ? 0 : JsonSchemaType.Null);
                    schema.Enum = NamesOf(type);
                }
                else if (context.JsonTypeInfo is { Kind: JsonTypeInfoKind.Enumerable, ElementType: { } element } && EnumOf(element) is { } itemType)
                {
                    schema.Items = new OpenApiSchema { Type = JsonSchemaType.String, Enum = NamesOf(itemType) };
                }
                else if (context.JsonPropertyInfo?.AttributeProvider?.GetCustomAttributes(typeof(ItemsMaxLengthAttribute), inherit: false) is [ItemsMaxLengthAttribute items, ..])
                {
                    schema.Items = new OpenApiSchema { Type = JsonSchemaType.String, Format = (schema.Items as OpenApiSchema)?.Format, MaxLength = items.Length };
                }

                return Task.CompletedTask;
            });
            DocumentedBounds.Describe(options);
            DocumentedHeaders.Describe(options);
        });

    /// <summary>
    /// A read that answers each audience with its own view declares one type per audience for the
    /// same status (<c>.Produces&lt;TipPoliceView&gt;().Produces&lt;TipPartnerView&gt;()</c>); the
    /// exporter would keep only the last, so the document states them all as <c>oneOf</c>.
    /// </summary>
    private static async Task DescribeViewsPerAudience(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        var perStatus = context.Description.ActionDescriptor.EndpointMetadata
            .OfType<IProducesResponseTypeMetadata>()
            .Where(produced => produced.Type is not null && produced.Type != typeof(void))
            .GroupBy(produced => produced.StatusCode)
            .Where(views => views.Select(view => view.Type).Distinct().Count() > 1);
        foreach (var views in perStatus)
        {
            if (operation.Responses?.TryGetValue($"{views.Key}", out var response) != true || response!.Content?.TryGetValue("application/json", out var json) != true)
            {
                continue;
            }

            var schemas = new List<IOpenApiSchema>();
            foreach (var type in views.Select(view => view.Type!).Distinct())
            {
                schemas.Add(await context.GetOrCreateSchemaAsync(type, null, ct));
            }

            json!.Schema = new OpenApiSchema { OneOf = schemas };
        }
    }

    private static Type? EnumOf(Type type) => (Nullable.GetUnderlyingType(type) ?? type) is { IsEnum: true } enumType ? enumType : null;

    private static List<JsonNode> NamesOf(Type enumType) => [.. EnumNames.Of(enumType).Select(name => (JsonNode)JsonValue.Create(name))];
}

/// <summary>The most characters each text of a list of texts has (the list's own count is <c>[MaxLength]</c>).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class ItemsMaxLengthAttribute(int length) : Attribute
{
    public int Length { get; } = length;
}

/// <summary>A text parameter read as an enum by <see cref="FieldErrors.ParseEnum{T}"/>: the document lists the names it accepts.</summary>
[AttributeUsage(AttributeTargets.Parameter)]
public sealed class EnumOfAttribute(Type enumType) : Attribute
{
    public Type EnumType { get; } = enumType;
}
