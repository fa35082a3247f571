using System.ComponentModel.DataAnnotations;
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

/// <summary>How much work a process admits (<c>Admission:MaxInFlight</c>, <c>:MaxQueued</c>, <c>:MaxQueueWait</c>).</summary>
public sealed class AdmissionOptions
{
    public const string Section = "Admission";

    /// <summary>Requests handled at once; the next ones wait in the queue.</summary>
    [Range(1, int.MaxValue)]
    public int MaxInFlight { get; set; } = 32;

    /// <summary>Requests waiting for a turn, oldest first; past that, a request is refused at once.</summary>
    [Range(0, int.MaxValue)]
    public int MaxQueued { get; set; } = 64;

    /// <summary>How long a request waits for a turn before it is refused: what the queue may add to its latency.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:10:00")]
    public TimeSpan MaxQueueWait { get; set; } = TimeSpan.FromMilliseconds(250);
}

/// <summary>
/// Admission control: a process handles at most <see cref="AdmissionOptions.MaxInFlight"/> requests
/// at once and lets at most <see cref="AdmissionOptions.MaxQueued"/> wait, each at most
/// <see cref="AdmissionOptions.MaxQueueWait"/>; a request past the bound is answered with a 503
/// problem and <c>Retry-After</c> (at once when the queue is full), instead of queueing in memory
/// until it times out. Admitted requests keep their latency and the process its memory under any
/// load, however fast the machine: the wait bounds the queue in time, not only in count.
/// The health endpoints are never queued nor refused, so a busy process is not taken for a dead one.
/// </summary>
public static class Admission
{
    public static IHostApplicationBuilder AddWardLinkAdmission(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSettings<AdmissionOptions>(AdmissionOptions.Section);
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
        builder.Services.AddSingleton<TurnRefusals>();
        builder.Services.Configure<OpenApiOptions>(ApiDescription.DocumentName, options => options.AddOperationTransformer(DescribeRefusal));
        return builder;
    }

    /// <summary>Early in the pipeline: a refused request costs no token validation and no store (in a service, no body read either: the gateway reads a body whole before it).</summary>
    public static IApplicationBuilder UseWardLinkAdmission(this IApplicationBuilder app)
    {
        var limiter = app.ApplicationServices.GetRequiredService<ConcurrencyLimiter>();
        var maxQueueWait = app.ApplicationServices.GetRequiredService<IOptions<AdmissionOptions>>().Value.MaxQueueWait;
        var refusals = app.ApplicationServices.GetRequiredService<TurnRefusals>();
        return app.Use(async (http, next) =>
        {
            if (Health.IsHealthPath(http.Request.Path))
            {
                await next(http);
                return;
            }

            using var lease = limiter.AttemptAcquire() is { IsAcquired: true } free ? free : await WaitForTurnAsync(limiter, maxQueueWait, http.RequestAborted);
            if (lease is not { IsAcquired: true })
            {
                await refusals.RefuseAsync(http);
                return;
            }

            await next(http);
        });
    }

    /// <summary>A turn within <paramref name="maxWait"/>; null when the wait ran out (the caller going away still cancels).</summary>
    private static async Task<RateLimitLease?> WaitForTurnAsync(ConcurrencyLimiter limiter, TimeSpan maxWait, CancellationToken requestAborted)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(requestAborted);
        wait.CancelAfter(maxWait);
        try
        {
            return await limiter.AcquireAsync(1, wait.Token);
        }
        catch (OperationCanceledException) when (!requestAborted.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <summary>The 503 problem of a request refused for want of a turn (answered with <c>Retry-After</c>); <paramref name="whose"/> says whose turns are all taken, when not every one's.</summary>
    private static ProblemDetails Full(string? whose) => new()
    {
        Status = StatusCodes.Status503ServiceUnavailable,
        Title = "The service is at capacity.",
        Detail = $"{whose}Nothing was done. Retry in {ProblemResponses.RetryAfterSeconds} seconds.",
    };

    /// <summary>
    /// Refusals for want of a turn, admission's and the gateway's share of its turns for anonymous callers alike: one
    /// <c>503</c> problem with <c>Retry-After</c>, counted in <c>wardlink.admission.refused</c>.
    /// </summary>
    public sealed class TurnRefusals(IMeterFactory meters)
    {
        private readonly Counter<long> _refused = meters.Create(WardLinkActivity.SourceName)
            .CreateCounter<long>("wardlink.admission.refused", "{request}", "Requests refused with a 503 for want of a turn: the process had as many in flight and queued as it admits, or at the gateway anonymous callers as many as their share.");

        /// <summary>Answers <paramref name="http"/> with the <c>503</c>; <paramref name="whose"/> says whose turns are all taken, when not every one's.</summary>
        public async Task RefuseAsync(HttpContext http, string? whose = null)
        {
            _refused.Add(1);
            await http.RequestServices.GetRequiredService<IProblemDetailsService>().TryAnswerAsync(http, null, Full(whose));
        }
    }

    /// <summary>Every operation may be refused when the service is full: the document says so.</summary>
    private static Task DescribeRefusal(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        operation.Responses ??= [];
        operation.Responses.TryAdd($"{StatusCodes.Status503ServiceUnavailable}", new OpenApiResponse
        {
            Description = $"The service is at capacity: nothing was done; or the record a step acts on is busy (its turn did not come within {ProblemResponses.StepTurnSeconds} s): nothing was changed; or its database is unavailable: retry after Retry-After seconds as the problem's detail says (a commit whose answer was lost may have stored the request): {ProblemResponses.RetryRecognised}",
            Headers = new Dictionary<string, IOpenApiHeader>
            {
                ["Retry-After"] = new OpenApiHeader
                {
                    Description = "Seconds to wait before retrying.",
                    Schema = new OpenApiSchema
                    {
                        Type = JsonSchemaType.Integer,
                        Format = "int32",
                        Minimum = "1",
                        Maximum = ProblemResponses.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    },
                },
            },
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/problem+json"] = new() { Schema = new OpenApiSchemaReference(nameof(ProblemDetails), context.Document) },
            },
        });
        return Task.CompletedTask;
    }
}
