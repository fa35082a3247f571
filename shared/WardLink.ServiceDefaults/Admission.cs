using System.Diagnostics.Metrics;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace WardLink.ServiceDefaults;

/// <summary>How much work a process admits at once (<c>Admission:MaxInFlight</c>, <c>Admission:MaxQueued</c>).</summary>
public sealed class AdmissionOptions
{
    public const string Section = "Admission";

    /// <summary>Requests handled at once; the next ones wait in the queue.</summary>
    public int MaxInFlight { get; set; } = 64;

    /// <summary>Requests waiting for a turn, oldest first; past that, a request is refused at once.</summary>
    public int MaxQueued { get; set; } = 64;
}

/// <summary>
/// Admission control: a process handles at most <see cref="AdmissionOptions.MaxInFlight"/> requests
/// at once and lets at most <see cref="AdmissionOptions.MaxQueued"/> wait; a request past both is
/// answered at once with a 503 problem and <c>Retry-After</c>, instead of queueing in memory until
/// it times out. Admitted requests keep their latency and the process its memory under any load.
/// The health endpoints are never queued nor refused, so a busy process is not taken for a dead one.
/// </summary>
public static class Admission
{
    public static IHostApplicationBuilder AddWardLinkAdmission(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<AdmissionOptions>()
            .BindConfiguration(AdmissionOptions.Section)
            .Validate(options => options.MaxInFlight >= 1 && options.MaxQueued >= 0, $"{AdmissionOptions.Section}:MaxInFlight must be at least 1 and MaxQueued at least 0.")
            .ValidateOnStart();
        builder.Services.AddSingleton(services =>
        {
            var options = services.GetRequiredService<IOptions<AdmissionOptions>>().Value;
            return new ConcurrencyLimiter(new ConcurrencyLimiterOptions
            {
                PermitLimit = options.MaxInFlight,
                QueueLimit = options.MaxQueued,
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            });
        });
        builder.Services.Configure<OpenApiOptions>(ApiDescription.DocumentName, options => options.AddOperationTransformer(DescribeRefusal));
        return builder;
    }

    /// <summary>Early in the pipeline: a refused request costs no token validation, no body read, no store.</summary>
    public static IApplicationBuilder UseWardLinkAdmission(this IApplicationBuilder app)
    {
        var limiter = app.ApplicationServices.GetRequiredService<ConcurrencyLimiter>();
        var refused = app.ApplicationServices.GetRequiredService<IMeterFactory>().Create(WardLinkActivity.SourceName)
            .CreateCounter<long>("wardlink.admission.refused", "{request}", "Requests refused with a 503 because the process had as many in flight and queued as it admits.");
        return app.Use(async (http, next) =>
        {
            if (Health.IsHealthPath(http.Request.Path))
            {
                await next(http);
                return;
            }

            using var lease = await limiter.AcquireAsync(1, http.RequestAborted);
            if (!lease.IsAcquired)
            {
                refused.Add(1);
                await http.RequestServices.GetRequiredService<IProblemDetailsService>().TryAnswerAsync(http, null, Full());
                return;
            }

            await next(http);
        });
    }

    private static ProblemDetails Full() => new()
    {
        Status = StatusCodes.Status503ServiceUnavailable,
        Title = "The service is at capacity.",
        Detail = $"Nothing was done. Retry in {ProblemResponses.RetryAfterSeconds} seconds.",
    };

    /// <summary>Every operation may be refused when the service is full: the document says so.</summary>
    private static async Task DescribeRefusal(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        operation.Responses ??= [];
        operation.Responses.TryAdd($"{StatusCodes.Status503ServiceUnavailable}", new OpenApiResponse
        {
            Description = "The service is at capacity (or its database is unavailable): nothing was done; retry after Retry-After seconds.",
            Headers = new Dictionary<string, IOpenApiHeader>
            {
                ["Retry-After"] = new OpenApiHeader
                {
                    Description = "Seconds to wait before retrying.",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.Integer, Minimum = "1" },
                },
            },
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/problem+json"] = new() { Schema = await context.GetOrCreateSchemaAsync(typeof(ProblemDetails), null, ct) },
            },
        });
    }
}
