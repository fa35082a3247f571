using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc.Infrastructure;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;
using WardLink.Contracts;
using WardLink.Domain;

namespace WardLink.ServiceDefaults;

/// <summary>
/// The service's OpenAPI document states what its input checks enforce: a required body is
/// required (<see cref="RequestChecks"/>), an enum is one of its names (<see cref="EnumNames"/>).
/// Lengths, counts and ranges come from <c>[MaxLength]</c> and <c>[Range]</c> on the request
/// records, the views and the handlers' query parameters, naming the constants the decisions check; the
/// length of each text in a list from <see cref="ItemsMaxLengthAttribute"/>; what a value's form
/// bounds by itself (GUIDs, times, numbers read from text) from <see cref="DocumentedBounds"/>. A request body's properties are
/// required or not as the service reads them (<see cref="DescribeRequestProperties"/>).
/// </summary>
public static class ApiDescription
{
    /// <summary>The name of the one OpenAPI document a service serves (<c>/openapi/v1.json</c>).</summary>
    public const string DocumentName = "v1";

    /// <summary>How the exporter marks the schema of a nullable property whose null it states beside the schema's reference.</summary>
    private const string NullablePropertyMark = "x-is-nullable-property";

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
                    // An enum's schema is its names alone, whether the property holding it is nullable or not: the exporter
                    // makes it a component and states a nullable property's null beside the reference (oneOf null or the enum),
                    // as for every component (DescribeViewsPerAudience too, where it inlines one). A null in its type would say
                    // the enum takes one, which its names refuse: JSON Schema reads the two keywords apart. A nullable property a
                    // body may leave out (= null) it keeps inline, unmarked and untyped: its null is stated here as a reference's is.
                    var inlineNull = Nullable.GetUnderlyingType(context.JsonTypeInfo.Type) is not null && schema.Metadata?.ContainsKey(NullablePropertyMark) != true;
                    schema.Type = JsonSchemaType.String;
                    schema.Enum = NamesOf(type);
                    if (inlineNull)
                    {
                        schema.OneOf = [new OpenApiSchema { Type = JsonSchemaType.Null }, new OpenApiSchema { Type = schema.Type, Enum = schema.Enum }];
                        schema.Type = null;
                        schema.Enum = null;
                    }
                }
                else if (context.JsonTypeInfo is { Kind: JsonTypeInfoKind.Enumerable, ElementType: { } element } && EnumOf(element) is { } itemType)
                {
                    schema.Items = new OpenApiSchema { Type = JsonSchemaType.String, Enum = NamesOf(itemType) };
                }
                else if (context.JsonPropertyInfo?.AttributeProvider?.GetCustomAttributes(typeof(ItemsMaxLengthAttribute), inherit: false) is [ItemsMaxLengthAttribute items, ..])
                {
                    schema.Items = new OpenApiSchema
                    {
                        Type = JsonSchemaType.String,
                        Format = (schema.Items as OpenApiSchema)?.Format,
                        MaxLength = items.Length,
                        Pattern = AddressPattern(context),
                    };
                }
                else if (context.JsonTypeInfo.Type == typeof(string) && AddressPattern(context) is { } address)
                {
                    schema.Pattern = address;
                }

                return Task.CompletedTask;
            });
            options.AddSchemaTransformer(DescribeRequestProperties);
            options.AddSchemaTransformer((schema, context, _) =>
            {
                // A JsonNode (an event's data, a state) is any JSON value but null, which C# writes for none: the exporter states
                // it as any value at all, so a nullable one's "oneOf null or it" matched a null twice, and refused it.
                if (context.JsonTypeInfo.Type == typeof(System.Text.Json.Nodes.JsonNode))
                {
                    schema.Not = new OpenApiSchema { Type = JsonSchemaType.Null };
                }

                return Task.CompletedTask;
            });
            options.AddSchemaTransformer((schema, _, _) =>
            {
                // The exporter's patterns (a duration's) say \d, which .NET's engine reads as any script's digit and a partner's
                // validator (ECMAScript's) as 0-9 alone, as the JSON reader takes them.
                if (schema is OpenApiSchema { Pattern: { } pattern })
                {
                    schema.Pattern = Patterns.WithAsciiDigits(pattern);
                }

                return Task.CompletedTask;
            });
            DocumentedBounds.Describe(options);
            DocumentedHeaders.Describe(options);
            AnsweredHeaders.Describe(options);
        });

    /// <summary>
    /// A request body's property is required exactly where the service refuses it left out, which it reads as null (or as its
    /// value type's default): the exporter requires each property its record's constructor gives no default, so a property a
    /// client may leave out has a default there (<c>= null</c>; <c>= 0</c> or <c>= false</c>, which the schema states as its
    /// <c>default</c>), and a required one takes no null either, which the service refuses as it refuses it left out (its
    /// type is nullable only so that the check, not the JSON reader, names what is missing). A property required only while
    /// another has a value or is given or not (<see cref="ConditionallyRequiredAttribute"/>: a hotline's number) is stated as <c>if</c>/<c>then</c>; a
    /// record that needs one of several (<see cref="AnyOfGivenAttribute"/>: a place's site, description or coordinates) as <c>anyOf</c>; a required
    /// text of no form of its own, which its decision refuses blank, with <c>minLength</c> 1 and <see cref="Patterns.NotBlank"/>. Views
    /// keep their nullable properties: an answer writes each one, null or not.
    /// </summary>
    private static Task DescribeRequestProperties(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken ct)
    {
        if (context.JsonPropertyInfo?.AttributeProvider?.IsDefined(typeof(NotBlankAttribute), inherit: false) == true)
        {
            StateNotBlank(schema);
        }

        if (context.JsonPropertyInfo?.AttributeProvider?.IsDefined(typeof(UniqueItemsAttribute), inherit: false) == true)
        {
            schema.UniqueItems = true;
        }

        if (context.ParameterDescription?.Source != BindingSource.Body)
        {
            return Task.CompletedTask;
        }

        if (context.JsonPropertyInfo?.AssociatedParameter is { HasDefaultValue: false })
        {
            schema.Type &= ~JsonSchemaType.Null;
            schema.Metadata?.Remove(NullablePropertyMark);

            // A required text of no form of its own is refused empty or blank, as its decision checks it.
            if (schema is { Type: JsonSchemaType.String, Format: null, Pattern: null, Enum: null or { Count: 0 } })
            {
                StateNotBlank(schema);
            }
        }
        else if (context.JsonPropertyInfo?.AssociatedParameter is { HasDefaultValue: true, DefaultValue: { } value })
        {
            schema.Default = JsonSerializer.SerializeToNode(value, value.GetType());
        }

        if (context.JsonTypeInfo.Kind == JsonTypeInfoKind.Object)
        {
            // The services refuse a property the schema does not name (ProblemResponses.AddWardLinkProblemDetails).
            schema.AdditionalPropertiesAllowed = false;
            if (context.JsonTypeInfo.Type.GetCustomAttribute<AnyOfGivenAttribute>() is { } anyOf)
            {
                schema.AnyOf = [.. anyOf.Properties.Select(name => context.JsonTypeInfo.Properties.Single(candidate => candidate.AttributeProvider is MemberInfo { Name: var member } && member == name))
                    .Select(property => (IOpenApiSchema)Given(property.Name, text: property.PropertyType == typeof(string), atLeast: anyOf.AtLeast == int.MinValue ? null : anyOf.AtLeast))];
            }

            foreach (var property in context.JsonTypeInfo.Properties)
            {
                foreach (var condition in property.AttributeProvider?.GetCustomAttributes(typeof(ConditionallyRequiredAttribute), inherit: false).Cast<ConditionallyRequiredAttribute>() ?? [])
                {
                    var other = context.JsonTypeInfo.Properties.Single(candidate => candidate.AttributeProvider is MemberInfo { Name: var name } && name == condition.Property);
                    schema.AllOf ??= [];
                    schema.AllOf.Add(new OpenApiSchema
                    {
                        If = ConditionOf(condition, other.Name),
                        Then = Given(property.Name, text: property.PropertyType == typeof(string)),
                    });
                }
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>The schema an object fits while a property <paramref name="condition"/> marks is required, given the other property's JSON name.</summary>
    private static OpenApiSchema ConditionOf(ConditionallyRequiredAttribute condition, string name) => condition switch
    {
        RequiredWhenAttribute valued => new()
        {
            Required = new HashSet<string> { name },
            Properties = new Dictionary<string, IOpenApiSchema> { [name] = new OpenApiSchema { Const = JsonNamingPolicy.CamelCase.ConvertName($"{valued.Value}") } },
        },
        RequiredWithAttribute => Given(name),
        RequiredWithoutAttribute => new()
        {
            Properties = new Dictionary<string, IOpenApiSchema> { [name] = new OpenApiSchema { Type = JsonSchemaType.Null } },
        },
        _ => throw new NotSupportedException($"No schema states {condition.GetType().Name}."),
    };

    /// <summary>A text refused empty or blank: at least one character, one of them not white space.</summary>
    private static void StateNotBlank(OpenApiSchema schema)
    {
        schema.MinLength = 1;
        schema.Pattern = Patterns.NotBlank;
    }

    /// <summary>The schema an object fits while it has property <paramref name="name"/>, not null (a <paramref name="text"/> not blank).</summary>
    private static OpenApiSchema Given(string name, bool text = false, int? atLeast = null) => new()
    {
        Required = new HashSet<string> { name },
        Properties = new Dictionary<string, IOpenApiSchema>
        {
            [name] = new OpenApiSchema
            {
                Not = new OpenApiSchema { Type = JsonSchemaType.Null },
                Pattern = text ? Patterns.NotBlank : null,
                Minimum = atLeast?.ToString(System.Globalization.CultureInfo.InvariantCulture),
            },
        },
    };

    /// <summary>
    /// A read that answers each audience with its own view declares one type per audience for the
    /// same status (<c>.Produces&lt;TipPoliceView&gt;().Produces&lt;TipPartnerView&gt;()</c>); the
    /// exporter would keep only the last, so the document states them all as <c>anyOf</c>: an answer is one audience's
    /// view, and may be another's as well (an empty page is every audience's), which <c>oneOf</c> would refuse. Each view
    /// is inlined as the exporter makes it before resolving its references, so its nullable properties are given their
    /// null here as the exporter gives it to their references.
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
                var view = await context.GetOrCreateSchemaAsync(type, null, ct);
                StateNullableProperties(view);
                schemas.Add(view);
            }

            json!.Schema = new OpenApiSchema { AnyOf = schemas };
        }
    }

    /// <summary>
    /// The exporter leaves the null out of a nullable property's schema when it makes that schema a component (an enum, an
    /// object), marks the property, and states the null beside the reference when it resolves it: <c>oneOf</c> null or the
    /// schema. A schema it made but did not resolve keeps its properties' schemas inline, so each marked one is given the
    /// same <c>oneOf</c> here.
    /// </summary>
    private static void StateNullableProperties(IOpenApiSchema node)
    {
        if (node is not OpenApiSchema schema)
        {
            return;
        }

        foreach (var (name, property) in schema.Properties?.ToList() ?? [])
        {
            StateNullableProperties(property);
            if (property is OpenApiSchema { Metadata: { } marks } && marks.TryGetValue(NullablePropertyMark, out var nullable) && nullable is true)
            {
                schema.Properties![name] = new OpenApiSchema { OneOf = [new OpenApiSchema { Type = JsonSchemaType.Null }, property] };
            }
        }

        foreach (var child in new[] { schema.Items, schema.AdditionalProperties }.Concat(schema.AllOf ?? []).Concat(schema.AnyOf ?? []).Concat(schema.OneOf ?? []))
        {
            if (child is not null)
            {
                StateNullableProperties(child);
            }
        }
    }

    /// <summary>
    /// The pattern of an <see cref="HttpAddressAttribute"/>'s text: a link's, or an endpoint's as the service's <see cref="EndpointAddressForm"/>
    /// states it for its deployment (https alone where it takes no http://).
    /// </summary>
    private static string? AddressPattern(OpenApiSchemaTransformerContext context) =>
        context.JsonPropertyInfo?.AttributeProvider?.GetCustomAttributes(typeof(HttpAddressAttribute), inherit: false).OfType<HttpAddressAttribute>().FirstOrDefault() switch
        {
            null => null,
            { Endpoint: true } => context.ApplicationServices.GetService<EndpointAddressForm>()?.Pattern ?? Patterns.HttpsEndpoint,
            _ => Patterns.HttpAddress,
        };

    private static Type? EnumOf(Type type) => (Nullable.GetUnderlyingType(type) ?? type) is { IsEnum: true } enumType ? enumType : null;

    private static List<JsonNode> NamesOf(Type enumType) => [.. EnumNames.Of(enumType).Select(name => (JsonNode)JsonValue.Create(name))];
}

/// <summary>The most characters each text of a list of texts has (the list's own count is <c>[MaxLength]</c>).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class ItemsMaxLengthAttribute(int length) : Attribute
{
    public int Length { get; } = length;
}

/// <summary>
/// A text, or each text of a list, its decision takes only as an absolute http(s) address: the document states
/// <see cref="Patterns.HttpAddress"/> (a link to a page), or for an <paramref name="endpoint"/> (an address a service calls) the
/// pattern of its <see cref="EndpointAddressForm"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class HttpAddressAttribute(bool endpoint = false) : Attribute
{
    public bool Endpoint { get; } = endpoint;
}

/// <summary>
/// The form of an address a service calls as its deployment takes it, which its document states: <see cref="Patterns.HttpEndpoint"/>
/// where <paramref name="http"/> is taken (in Development), else <see cref="Patterns.HttpsEndpoint"/> (also where none is registered).
/// </summary>
public sealed class EndpointAddressForm(bool http)
{
    public string Pattern { get; } = http ? Patterns.HttpEndpoint : Patterns.HttpsEndpoint;
}

/// <summary>A list its decision refuses with an item given twice: the document states <c>uniqueItems</c>.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class UniqueItemsAttribute : Attribute;

/// <summary>A text parameter read as an enum by <see cref="FieldErrors.ParseEnum{T}"/>: the document lists the names it accepts.</summary>
[AttributeUsage(AttributeTargets.Parameter)]
public sealed class EnumOfAttribute(Type enumType) : Attribute
{
    public Type EnumType { get; } = enumType;
}
