using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Context.Propagation;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace WardLink.ServiceDefaults;

public static class Telemetry
{
    /// <summary>Activity sources every WardLink process listens to (absent ones cost nothing).</summary>
    public static readonly string[] ActivitySources = ["MassTransit", "Marten", "Yarp.ReverseProxy", WardLinkActivity.SourceName];

    /// <summary>
    /// Traces, metrics and logs for one process, exported over OTLP when
    /// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (the Aspire dashboard sets it for its children).
    /// </summary>
    public static IHostApplicationBuilder AddWardLinkTelemetry(this IHostApplicationBuilder builder, string serviceName)
    {
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });
        builder.Services.AddAnonymousLogs();

        // W3C trace context alone, read by ASP.NET Core's hosting (its propagator, which the gateway replaces so a caller's is
        // not continued: CallerTraces), never again by OpenTelemetry's instrumentation, which reads a request's headers itself
        // (and its baggage) whenever the process's propagator is any other. WardLink carries no baggage.
        Sdk.SetDefaultTextMapPropagator(new TraceContextPropagator());

        var otel = builder.Services.AddOpenTelemetry()
            // The instance id comes from OTEL_RESOURCE_ATTRIBUTES (the AppHost sets it), so the
            // dashboard matches a process's telemetry to its resource.
            .ConfigureResource(resource => resource.AddService(serviceName, serviceNamespace: "wardlink", autoGenerateServiceInstanceId: false))
            .WithTracing(tracing => tracing
                .SetSampler(new ParentBasedSampler(new BackgroundWorkSampler()))
                .AddProcessor(services => new AnonymousSpans(() => AnonymousSpans.WordsOf(services.GetRequiredService<EndpointDataSource>())))
                .AddAspNetCoreInstrumentation(options => options.Filter = context => !Health.IsProbePath(context.Request.Path))
                .AddHttpClientInstrumentation()
                .AddSource(ActivitySources))
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter("MassTransit", "Marten", WardLinkActivity.SourceName));

        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            otel.UseOtlpExporter();
        }

        return builder;
    }

    /// <summary>
    /// Drops traces that background work starts by itself (the async daemon's polling, lock
    /// keep-alives, connection opening), which would otherwise bury the requests' traces; work
    /// inside a request or a consumed message is kept, as its parent is sampled.
    /// </summary>
    private sealed class BackgroundWorkSampler : Sampler
    {
        public override SamplingResult ShouldSample(in SamplingParameters samplingParameters) =>
            samplingParameters.Name.StartsWith("marten.", StringComparison.Ordinal)
            || samplingParameters.Name.StartsWith("postgresql", StringComparison.Ordinal)
            || samplingParameters.Name.StartsWith("CONNECT", StringComparison.Ordinal)
            || samplingParameters.Name.StartsWith("pg_", StringComparison.Ordinal)
                ? new SamplingResult(SamplingDecision.Drop)
                : new SamplingResult(SamplingDecision.RecordAndSample);
    }
}
