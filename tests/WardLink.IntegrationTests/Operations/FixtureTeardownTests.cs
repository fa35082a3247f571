using System.Diagnostics;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using WardLink.EventSourcing;
using WardLink.Testing;
using WardLink.Tips;

namespace WardLink.IntegrationTests.Operations;

/// <summary>
/// A class fixture that never finished disposing once held a CI run's last test (a class that runs alone waits for
/// every other class to end) until the hang detector ended the run, naming nothing. A group stops what it owns within
/// its limit, whether the disposal awaits forever or blocks its thread, names what did not stop, and still drops its
/// databases and virtual host.
/// </summary>
public sealed class FixtureTeardownTests
{
    [Fact]
    public async Task A_group_names_what_did_not_stop_within_its_limit_and_still_drops_its_database_and_virtual_host()
    {
        using var release = new ManualResetEventSlim();
        var group = new QuickToGiveUp();
        await group.InitializeAsync();
        var database = await group.DatabaseOfAsync("teardown");
        group.Start(new BlocksItsThread(release));
        group.Start(new NeverStops());
        var stops = new Stops();
        group.Start(stops);

        var failure = await Assert.ThrowsAsync<AggregateException>(async () => await group.DisposeAsync());
        release.Set();

        Assert.Equal(
            ["NeverStops of QuickToGiveUp did not stop within 1 s", "BlocksItsThread of QuickToGiveUp did not stop within 1 s"],
            failure.InnerExceptions.Select(hung => Assert.IsType<TimeoutException>(hung).Message[..hung.Message.IndexOf(" (", StringComparison.Ordinal)]));
        Assert.True(stops.Stopped, "what stopped in time was not stopped");
        Assert.False(await group.Infrastructure.DatabaseExistsAsync(database), "the group's database is left");
        Assert.False(await group.Infrastructure.VirtualHostExistsAsync(group.VirtualHost), "the group's virtual host is left");
    }

    /// <summary>
    /// The application's own run (Program.cs's <c>app.Run()</c>) stops its host once its lifetime is told to stop; a test
    /// host that also stopped it itself ran every hosted service's stop twice at once, and Marten's projection coordinator
    /// then threw (a disposed token source) or, once in CI, never finished, holding its class's fixture forever.
    /// </summary>
    [Fact]
    public async Task A_stopped_service_stops_each_of_its_hosted_services_once()
    {
        var group = new ServiceGroup();
        await group.InitializeAsync();
        try
        {
            var stops = new CountedStops();
            var tips = await group.StartAsync<TipsService>(TipsService.Name, services: services => services.AddSingleton<IHostedService>(stops));

            await group.StopAsync(tips);

            Assert.Equal((1, 1), (stops.Calls, stops.MostAtOnce));
        }
        finally
        {
            await group.DisposeAsync();
        }
    }

    /// <summary>
    /// A service whose message bus never stops (a bus observer's <c>PreStop</c> that never ends: MassTransit awaits it with
    /// no token, as it awaits a receive transport still waiting on the broker after an outage) stops anyway, within the bus's
    /// limit, and so does everything the host stops after the bus. Once in a full run a tips service never stopped after a
    /// broker outage, its ward listeners and projection daemon running on against a dropped database.
    /// </summary>
    [Fact]
    public async Task A_service_whose_bus_never_stops_stops_within_the_bus_s_limit()
    {
        var group = new GivesUpAfterAMinute();
        await group.InitializeAsync();
        try
        {
            var tips = await group.StartAsync<TipsService>(TipsService.Name, services: services => services.AddBusObserver(_ => new NeverStopsItsBus()));
            var stopping = Stopwatch.StartNew();

            await group.StopAsync(tips);

            Assert.InRange(stopping.Elapsed, Messaging.StopLimit - TimeSpan.FromSeconds(1), group.Limit);
        }
        finally
        {
            await group.DisposeAsync();
        }
    }

    /// <summary>A bus observer whose <c>PreStop</c> never ends.</summary>
    private sealed class NeverStopsItsBus : IBusObserver
    {
        public void PostCreate(IBus bus)
        {
        }

        public void CreateFaulted(Exception exception)
        {
        }

        public Task PreStart(IBus bus) => Task.CompletedTask;

        public Task PostStart(IBus bus, Task<BusReady> busReady) => Task.CompletedTask;

        public Task StartFaulted(IBus bus, Exception exception) => Task.CompletedTask;

        public Task PreStop(IBus bus) => Task.Delay(Timeout.InfiniteTimeSpan, TestContext.Current.CancellationToken);

        public Task PostStop(IBus bus) => Task.CompletedTask;

        public Task StopFaulted(IBus bus, Exception exception) => Task.CompletedTask;
    }

    private sealed class GivesUpAfterAMinute : ServiceGroup
    {
        public TimeSpan Limit => StopLimit;

        protected override TimeSpan StopLimit => TimeSpan.FromMinutes(1);
    }

    /// <summary>A hosted service that counts the calls of its stop, and how many ran at once.</summary>
    private sealed class CountedStops : IHostedService
    {
        private readonly Lock _lock = new();
        private int _running;

        public int Calls { get; private set; }

        public int MostAtOnce { get; private set; }

        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public async Task StopAsync(CancellationToken cancellationToken)
        {
            lock (_lock)
            {
                Calls++;
                MostAtOnce = Math.Max(MostAtOnce, ++_running);
            }

            // Long enough for a second stop begun with the first to overlap it.
            await Task.Delay(TimeSpan.FromMilliseconds(200), CancellationToken.None);
            lock (_lock)
            {
                _running--;
            }
        }
    }

    private sealed class QuickToGiveUp : ServiceGroup
    {
        protected override TimeSpan StopLimit => TimeSpan.FromSeconds(1);

        public void Start(IAsyncDisposable started) => Own(started);
    }

    private sealed class BlocksItsThread(ManualResetEventSlim release) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            release.Wait(TestContext.Current.CancellationToken);
            return ValueTask.CompletedTask;
        }
    }

    private sealed class NeverStops : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await Task.Delay(Timeout.InfiniteTimeSpan, TestContext.Current.CancellationToken);
    }

    private sealed class Stops : IAsyncDisposable
    {
        public bool Stopped { get; private set; }

        public ValueTask DisposeAsync()
        {
            Stopped = true;
            return ValueTask.CompletedTask;
        }
    }
}
