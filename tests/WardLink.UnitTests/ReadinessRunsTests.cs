using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using WardLink.ServiceDefaults;

namespace WardLink.UnitTests;

/// <summary>
/// <c>/health/ready</c> is open to anyone, and the gateway's asks every service, each of which asks PostgreSQL, RabbitMQ and its
/// relay: a hundred probes at once from one address ran a hundred rounds, and the police's reads waited seconds behind them.
/// Probes that ask while a readiness check runs share that run's answer; one that goes away cancels nobody else's.
/// </summary>
public sealed class ReadinessRunsTests
{
    private const int AtOnce = 20;

    [Fact]
    public async Task Probes_asking_while_a_readiness_check_runs_share_its_run_and_one_that_goes_away_cancels_none()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var answer = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var runs = 0;
        var run = new SharedRun(_ => new SlowCheck(() =>
        {
            Interlocked.Increment(ref runs);
            started.TrySetResult();
            return answer.Task;
        }));
        using var services = new ServiceCollection().BuildServiceProvider();
        var scopes = services.GetRequiredService<IServiceScopeFactory>();
        var context = new HealthCheckContext { Registration = new HealthCheckRegistration("slow", _ => throw new InvalidOperationException(), null, null) };
        var ct = TestContext.Current.CancellationToken;

        using var goesAway = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var leaving = run.AnswerAsync(context, scopes, goesAway.Token);
        await started.Task.WaitAsync(ct);
        var asking = Enumerable.Range(0, AtOnce).Select(_ => run.AnswerAsync(context, scopes, ct)).ToList();
        await goesAway.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => leaving);
        answer.SetResult();

        Assert.All(await Task.WhenAll(asking), result => Assert.Equal(HealthStatus.Healthy, result.Status));
        Assert.Equal(1, runs);

        // Once answered, the next probe runs the check again: nothing is kept beyond the run.
        Assert.Equal(HealthStatus.Healthy, (await run.AnswerAsync(context, scopes, ct)).Status);
        Assert.Equal(2, runs);
    }

    /// <summary>Every readiness check a service registers is answered by a run of its own shared so; a liveness check is not.</summary>
    [Fact]
    public void Every_readiness_check_is_answered_by_its_shared_run()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.AddWardLinkHealth();
        builder.Services.AddHealthChecks()
            .AddCheck("ready", () => HealthCheckResult.Healthy(), tags: [Health.ReadyTag])
            .AddCheck("other", () => HealthCheckResult.Healthy());
        using var host = builder.Build();
        using var scope = host.Services.CreateScope();
        var registrations = host.Services.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations.ToDictionary(registration => registration.Name);

        Assert.IsType<SharedCheck>(registrations["ready"].Factory(scope.ServiceProvider));
        Assert.IsNotType<SharedCheck>(registrations["other"].Factory(scope.ServiceProvider));
    }

    private sealed class SlowCheck(Func<Task> answer) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            await answer();
            return HealthCheckResult.Healthy();
        }
    }
}
