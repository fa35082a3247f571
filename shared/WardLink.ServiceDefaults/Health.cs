using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using WardLink.Domain;

namespace WardLink.ServiceDefaults;

/// <summary>What an open health endpoint tells its caller.</summary>
public enum HealthAnswer
{
    /// <summary>The status and every check with its description, error message, duration and data.</summary>
    Report,

    /// <summary>Only the status (Healthy, Degraded, Unhealthy): nothing about what is inside.</summary>
    StatusOnly,
}

public static class Health
{
    /// <summary>Checks tagged with this answer <c>/health/ready</c>; <c>/health/live</c> runs none.</summary>
    public const string ReadyTag = "ready";

    /// <summary>Where every process's own probes answer, to anyone (<c>/health/live</c>, <c>/health/ready</c>).</summary>
    public const string ProbesPath = "/health";

    /// <summary>How long a readiness check that asks a server may wait for it: one that hangs is unhealthy after this, and readiness answers.</summary>
    public static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(3);

    /// <summary>The most characters of a check's description (or its failure's message) a report shows, as the gateway's document states.</summary>
    public const int MaxDescriptionLength = 500;

    public static IHostApplicationBuilder AddWardLinkHealth(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHealthChecks();

        // A check registered with a timeout answers by then (unhealthy) whether what it asks answers or not: a server
        // that hangs holds a connection attempt or a statement past any cancellation, and readiness must still answer.
        // A readiness check runs once at a time, whoever asks: probes that ask while it runs share its answer.
        builder.Services.PostConfigure<HealthCheckServiceOptions>(options =>
        {
            foreach (var registration in options.Registrations.Where(registration => registration.Timeout > TimeSpan.Zero))
            {
                var (check, timeout) = (registration.Factory, registration.Timeout);
                registration.Factory = services => new BoundedCheck(check(services), timeout);
            }

            foreach (var registration in options.Registrations.Where(IsReadinessCheck))
            {
                var run = new SharedRun(registration.Factory);
                registration.Factory = services => new SharedCheck(run, services.GetRequiredService<IServiceScopeFactory>());
            }
        });
        return builder;
    }

    /// <summary>
    /// <c>/health/live</c>: the process answers. <c>/health/ready</c>: its dependencies answer too.
    /// Both are open, for orchestrators' probes. A service answers its whole report (through the
    /// gateway only the <c>ops</c> role reads it); the gateway, open to the internet, answers
    /// <see cref="HealthAnswer.StatusOnly"/> and keeps its report for <see cref="MapWardLinkReadinessReport"/>.
    /// </summary>
    public static IEndpointRouteBuilder MapWardLinkHealth(this IEndpointRouteBuilder endpoints, HealthAnswer answer = HealthAnswer.Report)
    {
        Func<HttpContext, HealthReport, Task> writer = answer == HealthAnswer.StatusOnly ? WriteStatus : WriteReport;
        endpoints.MapReads("/health/live", new HealthCheckOptions
        {
            Predicate = _ => false,
            ResponseWriter = writer,
        }, ProbeMethods).AllowAnonymous();
        endpoints.MapReads("/health/ready", new HealthCheckOptions
        {
            Predicate = IsReadinessCheck,
            ResponseWriter = writer,
        }, ProbeMethods).AllowAnonymous();
        return endpoints;
    }

    /// <summary>
    /// The whole readiness report at <paramref name="path"/>; the caller names who may read it. A read like any other, <c>GET</c>
    /// alone, as its document writes it (a <c>HEAD</c> was answered to a token and refused without one).
    /// </summary>
    public static IEndpointConventionBuilder MapWardLinkReadinessReport(this IEndpointRouteBuilder endpoints, string path) =>
        endpoints.MapReads(path, new HealthCheckOptions { Predicate = IsReadinessCheck, ResponseWriter = WriteReport }, [HttpMethods.Get]);

    /// <summary>
    /// Health checks answer <paramref name="methods"/> (the probes <c>GET</c> and <c>HEAD</c>), as documented; another method is
    /// routing's 405 with <c>Allow</c>. They act in no ward (<see cref="WardFree"/>): <c>ward=</c> is not theirs.
    /// </summary>
    private static IEndpointConventionBuilder MapReads(this IEndpointRouteBuilder endpoints, string path, HealthCheckOptions options, string[] methods) =>
        endpoints.MapHealthChecks(path, options).WithMetadata(new HttpMethodMetadata(methods)).InNoWard();

    /// <summary>The methods the probes (<c>/health/live</c>, <c>/health/ready</c>) answer.</summary>
    private static readonly string[] ProbeMethods = [HttpMethods.Get, HttpMethods.Head];

    /// <summary>
    /// The health endpoints (<c>/health/…</c>; at the gateway also the readiness reports under
    /// <c>/api/ops</c>): admission control never queues nor refuses them.
    /// </summary>
    public static bool IsHealthPath(PathString path) =>
        IsProbePath(path) || path.StartsWithSegments("/api/ops", StringComparison.OrdinalIgnoreCase);

    /// <summary>The probes' paths (<c>/health/…</c>), in any letter case: never traced, open to anyone.</summary>
    public static bool IsProbePath(PathString path) => path.StartsWithSegments(ProbesPath, StringComparison.OrdinalIgnoreCase);

    private static bool IsReadinessCheck(HealthCheckRegistration check) => check.Tags.Contains(ReadyTag);

    private static Task WriteStatus(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(JsonSerializer.Serialize(new { status = report.Status.ToString() }, JsonSerializerOptions.Web), context.RequestAborted);
    }

    private static Task WriteReport(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        var body = new
        {
            status = report.Status.ToString(),
            durationMs = report.TotalDuration.TotalMilliseconds,
            checks = report.Entries.ToDictionary(
                entry => entry.Key,
                entry => new
                {
                    status = entry.Value.Status.ToString(),
                    description = Characters.Cut(entry.Value.Description ?? entry.Value.Exception?.Message, MaxDescriptionLength),
                    durationMs = entry.Value.Duration.TotalMilliseconds,
                    data = entry.Value.Data,
                }),
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body, JsonSerializerOptions.Web), context.RequestAborted);
    }
}

/// <summary>A health check that answers within <paramref name="timeout"/>: as its registration's failure status when the check it bounds has not answered by then.</summary>
internal sealed class BoundedCheck(IHealthCheck check, TimeSpan timeout) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var answer = check.CheckHealthAsync(context, cancellationToken);
        if (await Task.WhenAny(answer, Task.Delay(timeout, cancellationToken)) == answer)
        {
            return await answer;
        }

        // Its late failure is of no one's interest any more.
        _ = answer.ContinueWith(static late => late.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        return new HealthCheckResult(context.Registration.FailureStatus, $"No answer within {timeout.TotalSeconds:0.#} s.");
    }
}

/// <summary>
/// One run at a time of a readiness check (<paramref name="factory"/>): a probe that asks while it runs waits for that run's
/// answer instead of starting another. <c>/health/ready</c> is open to anyone, and the gateway's asks every service, each of
/// which asks PostgreSQL, RabbitMQ and its relay: a hundred probes at once from one address ran a hundred rounds, and the
/// police's reads waited seconds behind them. The run has a scope of its own and no caller's cancellation: one caller that
/// goes away cancels neither the others' answer nor the services it uses.
/// </summary>
public sealed class SharedRun(Func<IServiceProvider, IHealthCheck> factory)
{
    private readonly Lock _gate = new();
    private Task<HealthCheckResult>? _running;

    public Task<HealthCheckResult> AnswerAsync(HealthCheckContext context, IServiceScopeFactory scopes, CancellationToken ct)
    {
        lock (_gate)
        {
            if (_running is null || _running.IsCompleted)
            {
                _running = RunAsync(context, scopes);
            }

            return _running.WaitAsync(ct);
        }
    }

    private async Task<HealthCheckResult> RunAsync(HealthCheckContext context, IServiceScopeFactory scopes)
    {
        // Out of the lock: the check's own work runs after the caller has its task.
        await Task.Yield();
        await using var scope = scopes.CreateAsyncScope();
        return await factory(scope.ServiceProvider).CheckHealthAsync(context, CancellationToken.None);
    }
}

/// <summary>A readiness check answered by its <see cref="SharedRun"/>.</summary>
public sealed class SharedCheck(SharedRun run, IServiceScopeFactory scopes) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        run.AnswerAsync(context, scopes, cancellationToken);
}
