using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
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
    public async Task Probes_asking_at_once_share_one_run_of_each_readiness_check_and_one_that_goes_away_cancels_none()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var answer = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var runs = 0;
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.AddWardLinkHealth();
        builder.Services.AddHealthChecks().AddAsyncCheck(
            "slow",
            async ct =>
            {
                Interlocked.Increment(ref runs);
                started.TrySetResult();
                await answer.Task.WaitAsync(ct);
                return HealthCheckResult.Healthy();
            },
            tags: [Health.ReadyTag]);
        using var host = builder.Build();
        var health = host.Services.GetRequiredService<HealthCheckService>();
        var ct = TestContext.Current.CancellationToken;

        using var goesAway = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var leaving = health.CheckHealthAsync(IsReadiness, goesAway.Token);
        await started.Task.WaitAsync(ct);
        var asking = Enumerable.Range(0, AtOnce).Select(_ => health.CheckHealthAsync(IsReadiness, ct)).ToList();
        await goesAway.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => leaving);
        answer.SetResult();

        Assert.All(await Task.WhenAll(asking), report => Assert.Equal(HealthStatus.Healthy, report.Status));
        Assert.Equal(1, runs);

        // Once answered, the next probe runs the check again: nothing is kept beyond the run.
        Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync(IsReadiness, ct)).Status);
        Assert.Equal(2, runs);
    }

    private static bool IsReadiness(HealthCheckRegistration registration) => registration.Tags.Contains(Health.ReadyTag);
}
