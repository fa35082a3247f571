using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
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
    }

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
                    new Dictionary<string, string[]> { [FieldOf(json.Path)] = [$"The value is not valid here. {Describe(json)}".TrimEnd()] })
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

        private static string FieldOf(string? path) =>
            string.IsNullOrEmpty(path) || path == "$" ? "body" : path.TrimStart('$', '.');

        private static string Describe(JsonException json) =>
            json.InnerException?.Message ?? string.Empty;
    }
}
