using Marten;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using WardLink.EventSourcing;
using WardLink.Testing;
using WardLink.Tips;

namespace WardLink.IntegrationTests.Pipeline;

/// <summary>
/// The daemon's wakeup (<see cref="CommitWakeup"/>) on a real PostgreSQL: a commit's notification wakes
/// it at once when quiet, and so do a few in a row; under a burst, the notifications of one interval share
/// one wake and none is lost; the service's commits that append events notify. Time is a fake clock: nothing here waits on
/// how fast the machine is, only on notifications arriving.
/// </summary>
public sealed class CommitWakeupTests(ServiceFixture<TipsService> service) : IClassFixture<ServiceFixture<TipsService>>, IAsyncLifetime
{
    private static readonly TimeSpan Every = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Never = TimeSpan.FromHours(1);
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    private string _database = string.Empty;

    public async ValueTask InitializeAsync() => _database = await (await TestInfrastructure.GetAsync()).CreateDatabaseAsync("wakeup");

    public async ValueTask DisposeAsync() => await (await TestInfrastructure.GetAsync()).DropDatabaseAsync(_database);

    [Fact]
    public async Task A_quiet_commit_and_a_few_in_a_row_wake_at_once_and_a_burst_shares_one_wake_per_interval_without_losing_any()
    {
        var ct = TestContext.Current.CancellationToken;
        var clock = new FakeTimeProvider();
        using var wakeup = Listening(clock);

        // Starting to listen wakes it once: what committed before it listened.
        await wakeup.WaitAsync(Never, ct).WaitAsync(Guard, ct);
        clock.Advance(Every);

        // Quiet: the first notification wakes it without waiting for the clock.
        var quiet = wakeup.WaitAsync(Never, ct);
        Assert.False(quiet.IsCompleted);
        await NotifyAsync(1, ct);
        await quiet.WaitAsync(Guard, ct);

        // A few in a row (with the quiet one, fewer than BusyAfter within the interval): each wakes it at once, right after the last wake too.
        for (var few = 2; few < CommitWakeup.BusyAfter; few++)
        {
            var again = wakeup.WaitAsync(Never, ct);
            await NotifyAsync(1, ct);
            await again.WaitAsync(Guard, ct);
        }

        // A burst right after a wake: eleven notifications arrive, the wake waits for the interval.
        var seen = wakeup.Notified;
        await NotifyAsync(11, ct);
        await ArrivedAsync(wakeup, seen + 11);
        var burst = wakeup.WaitAsync(Never, ct);
        Assert.False(burst.IsCompleted);
        clock.Advance(Every);
        await burst.WaitAsync(Guard, ct);

        // They were one wake: the next wait is for a new notification, not for those.
        var next = wakeup.WaitAsync(Never, ct);
        clock.Advance(Every);
        await Task.WhenAny(next, Task.Delay(TimeSpan.FromMilliseconds(300), ct));
        Assert.False(next.IsCompleted);

        // A notification that arrives while the agent is busy (not waiting) wakes its next wait.
        await NotifyAsync(1, ct);
        await next.WaitAsync(Guard, ct);
        seen = wakeup.Notified;
        await NotifyAsync(1, ct);
        await ArrivedAsync(wakeup, seen + 1);
        clock.Advance(Every);
        await wakeup.WaitAsync(Never, ct).WaitAsync(Guard, ct);
    }

    [Fact]
    public async Task A_listening_connection_killed_in_PostgreSQL_is_reopened_and_what_committed_meanwhile_wakes_the_agent()
    {
        var ct = TestContext.Current.CancellationToken;
        var clock = new FakeTimeProvider();
        using var wakeup = Listening(clock);
        await wakeup.WaitAsync(Never, ct).WaitAsync(Guard, ct);
        var seen = wakeup.Notified;

        // An insider (or a failover) ends the listening backend (waiting until it is gone); a commit's notification then reaches no one.
        await using (var connection = new NpgsqlConnection(_database))
        {
            await connection.OpenAsync(ct);
            await using var kill = new NpgsqlCommand(
                $"select count(*) filter (where pg_terminate_backend(pid, 10000)) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and query = 'LISTEN {CommitWakeup.Channel}'",
                connection);
            Assert.Equal(1L, await kill.ExecuteScalarAsync(ct));
        }

        await NotifyAsync(1, ct);
        var next = wakeup.WaitAsync(Never, ct);

        // Listening resumes after the reconnect delay (the fake clock's), and its first wake covers the lost notification.
        await WokenAsync(clock, next, "the wakeup to listen again");
        Assert.Equal(seen + 1, wakeup.Notified);

        // And it hears the next commit.
        await NotifyAsync(1, ct);
        await ArrivedAsync(wakeup, seen + 2);
    }

    [Fact]
    public async Task Databases_that_cannot_be_listed_at_start_are_listed_again_until_they_can_and_then_heard()
    {
        var ct = TestContext.Current.CancellationToken;
        var clock = new FakeTimeProvider();
        var lookups = 0;
        using var wakeup = Listening(clock, lookup => Interlocked.Increment(ref lookups) <= 2 ? throw new NpgsqlException("PostgreSQL is still starting") : lookup);

        // Until the lookup succeeds the agent polls: its wait ends only by its timeout.
        var first = wakeup.WaitAsync(Never, ct);
        await Eventually.Get(() => Task.FromResult(Volatile.Read(ref lookups) >= 1 ? "tried" : null), "the first lookup of the databases");
        Assert.False(first.IsCompleted);

        // A second after each failure it looks again; the third lookup succeeds and listening starts.
        await WokenAsync(clock, first, "the wakeup to list the databases again and listen");
        Assert.Equal(3, Volatile.Read(ref lookups));

        // And it hears a commit.
        var seen = wakeup.Notified;
        await NotifyAsync(1, ct);
        await ArrivedAsync(wakeup, seen + 1);
    }

    [Fact]
    public async Task A_commit_of_the_service_that_appends_events_notifies_the_daemon()
    {
        var ct = TestContext.Current.CancellationToken;
        var wakeup = service.Host.Services.GetRequiredService<CommitWakeup>();
        await ArrivedAsync(wakeup, 1);
        var before = wakeup.Notified;

        await using (var session = service.Host.Services.GetRequiredService<IDocumentStore>().LightweightSession())
        {
            session.Events.StartStream(Guid.CreateVersion7(), new NumberReserved("WAKE-QT-2024-0001", Guid.CreateVersion7()));
            await session.SaveChangesAsync(ct);
        }

        await ArrivedAsync(wakeup, before + 1);
    }

    /// <summary>A wakeup on this class's database; <paramref name="listing"/> may stand in the way of its listing of the databases.</summary>
    private CommitWakeup Listening(FakeTimeProvider clock, Func<Task<IReadOnlyList<Func<NpgsqlConnection>>>, Task<IReadOnlyList<Func<NpgsqlConnection>>>>? listing = null) =>
        new(
            _ =>
            {
                var databases = Task.FromResult<IReadOnlyList<Func<NpgsqlConnection>>>([() => new NpgsqlConnection(_database)]);
                return listing is null ? databases : listing(databases);
            },
            Every,
            clock,
            NullLogger<CommitWakeup>.Instance);

    private async Task NotifyAsync(int commits, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(_database);
        await connection.OpenAsync(ct);
        for (var i = 0; i < commits; i++)
        {
            await using var notify = new NpgsqlCommand($"NOTIFY {CommitWakeup.Channel}", connection);
            await notify.ExecuteNonQueryAsync(ct);
        }
    }

    /// <summary>Moves the clock a second at a time (the reconnect delay) until <paramref name="wait"/> ends.</summary>
    private static async Task WokenAsync(FakeTimeProvider clock, Task wait, string what)
    {
        await Eventually.Get(
            () =>
            {
                clock.Advance(TimeSpan.FromSeconds(1));
                return Task.FromResult(wait.IsCompleted ? "woken" : null);
            },
            what);
        await wait;
    }

    private static async Task ArrivedAsync(CommitWakeup wakeup, long count) =>
        await Eventually.Get(() => Task.FromResult(wakeup.Notified >= count ? "arrived" : null), $"{count} notifications on {CommitWakeup.Channel}");
}
