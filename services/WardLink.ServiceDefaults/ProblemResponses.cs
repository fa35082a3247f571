using System.Collections;
using System.Diagnostics;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using System.Text.Unicode;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace WardLink.ServiceDefaults;

/// <summary>RFC 9457 problem details for every error, and the JSON conventions of the API.</summary>
public static class ProblemResponses
{
    public static void ConfigureJson(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false));

        // Text from a client is only data: answers escape markup characters (<, >, &, quotes), so a
        // page or a mis-sniffing browser never reads them as HTML; letters of every script stay readable.
        options.Encoder = JavaScriptEncoder.Create(UnicodeRanges.All);
        options.TypeInfoResolver = (options.TypeInfoResolver ?? new DefaultJsonTypeInfoResolver()).WithAddedModifier(RefuseNullItems);
    }

    /// <summary>
    /// A <c>null</c> inside a list of records or strings (<c>"checkpoints": [null]</c>) is unreadable
    /// input, as <c>null</c> for a number is; the binder would otherwise hand it to a decision that
    /// the types promise never sees one.
    /// </summary>
    private static void RefuseNullItems(JsonTypeInfo type)
    {
        if (type.Kind != JsonTypeInfoKind.Object)
        {
            return;
        }

        var lists = type.Properties.Where(property => property.Get is not null && ItemTypeOf(property.PropertyType) is { IsValueType: false }).ToList();
        if (lists.Count == 0)
        {
            return;
        }

        var previous = type.OnDeserialized;
        type.OnDeserialized = value =>
        {
            previous?.Invoke(value);
            foreach (var list in lists)
            {
                var index = list.Get!(value) is IEnumerable items ? items.Cast<object?>().ToList().IndexOf(null) : -1;
                if (index >= 0)
                {
                    throw new NullItemException($"{list.Name}[{index}]");
                }
            }
        };
    }

    /// <summary>A null list item, at <paramref name="Item"/> within the object being read (STJ gives the object's path).</summary>
    private sealed class NullItemException(string item) : JsonException("A list item cannot be null.")
    {
        public string Item { get; } = item;
    }

    private static Type? ItemTypeOf(Type type) =>
        type == typeof(string)
            ? null
            : Array.Find(type.IsInterface ? [type, .. type.GetInterfaces()] : type.GetInterfaces(), candidate => candidate.IsGenericType && candidate.GetGenericTypeDefinition() == typeof(IEnumerable<>))
                ?.GetGenericArguments()[0];

    public static IHostApplicationBuilder AddWardLinkProblemDetails(this IHostApplicationBuilder builder)
    {
        builder.Services.ConfigureHttpJsonOptions(options => ConfigureJson(options.SerializerOptions));
        builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            context.ProblemDetails.Extensions["traceId"] = Activity.Current?.TraceId.ToString() ?? context.HttpContext.TraceIdentifier;
        });
        // Unreadable bodies surface as exceptions, so ClientErrorHandler can name the field.
        builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        builder.Services.AddExceptionHandler<ClientErrorHandler>();
        return builder;
    }

    /// <summary>Unhandled exceptions and empty error responses become problem details.</summary>
    public static IApplicationBuilder UseWardLinkProblemDetails(this IApplicationBuilder app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        return app;
    }

    /// <summary>
    /// Turns the client's mistakes that surface as exceptions (unreadable JSON, a lost optimistic
    /// concurrency race) into 4xx problem details; anything else stays a 500.
    /// </summary>
    private sealed class ClientErrorHandler(IProblemDetailsService problems) : IExceptionHandler
    {
        public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
        {
            ProblemDetails? problem = exception switch
            {
                BadHttpRequestException { InnerException: JsonException json } => new HttpValidationProblemDetails(
                    new Dictionary<string, string[]> { [FieldOf(json)] = [$"The value is not valid here. {Describe(json)}".TrimEnd()] })
                {
                    Status = StatusCodes.Status400BadRequest,
                    Title = "The request body is not valid.",
                },
                BadHttpRequestException bad => new ProblemDetails { Status = bad.StatusCode, Title = "The request is not valid.", Detail = bad.Message },
                JasperFx.ConcurrencyException => new ProblemDetails
                {
                    Status = StatusCodes.Status409Conflict,
                    Title = "The record was changed by someone else at the same time.",
                    Detail = "Read it again and retry.",
                },
                Marten.Exceptions.ExistingStreamIdCollisionException collision => new ProblemDetails
                {
                    Status = StatusCodes.Status409Conflict,
                    Title = "It already exists.",
                    Detail = $"A record with id {collision.Id} already exists.",
                },
                _ => null,
            };
            if (problem is null)
            {
                return false;
            }

            httpContext.Response.StatusCode = problem.Status!.Value;
            return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem, Exception = exception });
        }

        private static string FieldOf(JsonException json)
        {
            var field = string.IsNullOrEmpty(json.Path) || json.Path == "$" ? null : json.Path.TrimStart('$', '.');
            return json is NullItemException nullItem
                ? field is null ? nullItem.Item : $"{field}.{nullItem.Item}"
                : field ?? "body";
        }

        private static string Describe(JsonException json) =>
            json is NullItemException ? json.Message : json.InnerException?.Message ?? string.Empty;
    }
}
