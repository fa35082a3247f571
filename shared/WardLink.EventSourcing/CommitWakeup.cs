using JasperFx.Events.Daemon.HighWater;
using Marten;
using Marten.Services;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace WardLink.EventSourcing;

/// <summary>
/// Wakes the async daemon (the high-water agent that hands new events to the relay and the audit
/// chain) when a commit has appended events, at most once per <c>every</c> under load: each such commit
/// sends a <c>NOTIFY</c> on <see cref="Channel"/> (<see cref="CommitNotice"/>), and this listens on every
/// database of the store. A notification wakes the agent at once unless <see cref="BusyAfter"/> of them
/// arrived within the last <c>every</c>: under that load, the commits of one <c>every</c> share one wake
/// (with a wake per commit, the daemon's own statements, about ten a wake, were a third of what PostgreSQL
/// ran during intake), while a few commits in a row, such as a tip assessed and then referred, each wake it
/// at once. A notification that arrives while the agent
/// is busy wakes it as soon as it waits again. Polling (the wait's timeout) stays the safety net, e.g.
/// while a listening connection reconnects. The agents of several databases (ward databases) share one
/// wakeup: any database's notification wakes them all, their wakes together stay one per <c>every</c>,
/// and one agent's wake may take a notification another was busy for, which then finds its events at
/// its next poll.
/// </summary>
public sealed class CommitWakeup(Func<CancellationToken, Task<IReadOnlyList<Func<NpgsqlConnection>>>> databases, TimeSpan every, TimeProvider clock, ILogger<CommitWakeup> logger)
    : IDaemonWakeup
{
    /// <summary>The channel commits that append events notify.</summary>
    public const string Channel = "wardlink_events_appended";

    /// <summary>How many notifications within one <c>every</c> mean commits keep coming, so a wake waits for the interval.</summary>
    public const int BusyAfter = 5;

    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Queue<long> _recent = new(BusyAfter);
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _notified;
    private long _seen;
    private long _wokeAt = long.MinValue;
    private Task? _listening;

    /// <summary>Notifications received so far (each listening connection's first counts as one: what committed before it listened).</summary>
    public long Notified
    {
        get
        {
            lock (_lock)
            {
                return _notified;
            }
        }
    }

    public async Task WaitAsync(TimeSpan timeout, CancellationToken token)
    {
        Task notified;
        lock (_lock)
        {
            if (_stopping.IsCancellationRequested)
            {
                notified = Task.Delay(timeout, clock, token);
            }
            else
            {
                _listening ??= ListenAsync(_stopping.Token);
                notified = _notified == _seen ? _next.Task.WaitAsync(timeout, clock, token) : Task.CompletedTask;
            }
        }

        try
        {
            await notified;
        }
        catch (TimeoutException)
        {
            // Nothing notified: a poll.
        }

        long wokeAt;
        bool busy;
        lock (_lock)
        {
            wokeAt = _wokeAt;
            busy = _recent.Count == BusyAfter && clock.GetElapsedTime(_recent.Peek()) < every;
        }

        if (busy && wokeAt != long.MinValue && every - clock.GetElapsedTime(wokeAt) is var left && left > TimeSpan.Zero)
        {
            await Task.Delay(left, clock, token);
        }

        lock (_lock)
        {
            _seen = _notified;
            _wokeAt = clock.GetTimestamp();
        }
    }

    public void Dispose()
    {
        _stopping.Cancel();
        _stopping.Dispose();
    }

    /// <summary>
    /// Listens on every database of the store; the lookup of the databases, like each connection, is retried
    /// until it stops (the daemon polls meanwhile). What committed while nothing listened (at start, or while
    /// reconnecting) is found by the wake each connection's listening counts as.
    /// </summary>
    private Task ListenAsync(CancellationToken ct) =>
        RetryAsync(
            async () => await Task.WhenAll((await databases(ct)).Select(connect => RetryAsync(() => PostgresChannel.ListenAsync(connect, Channel, null, Notify, Notify, ct), ct))),
            ct);

    private Task RetryAsync(Func<Task> attempt, CancellationToken ct) =>
        PostgresChannel.RetryAsync(attempt, failure => logger.ListenFailed(Channel, failure.Message), clock, ct);

    private void Notify()
    {
        TaskCompletionSource woken;
        lock (_lock)
        {
            _notified++;
            if (_recent.Count == BusyAfter)
            {
                _recent.Dequeue();
            }

            _recent.Enqueue(clock.GetTimestamp());
            (woken, _next) = (_next, new(TaskCreationOptions.RunContinuationsAsynchronously));
        }

        woken.TrySetResult();
    }
}

/// <summary>Makes every commit that appends events notify <see cref="CommitWakeup.Channel"/> (delivered once it commits, never if it rolls back).</summary>
public sealed class CommitNotice : DocumentSessionListenerBase
{
    private const string Sql = $"NOTIFY {CommitWakeup.Channel}";

    public override Task BeforeSaveChangesAsync(IDocumentSession session, CancellationToken token)
    {
        if (session.PendingChanges.Streams().Any())
        {
            session.QueueSqlCommand(Sql);
        }

        return Task.CompletedTask;
    }
}

internal static partial class CommitWakeupLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Listening on {Channel} failed ({Reason}); the daemon polls meanwhile, and listening resumes in a second.")]
    public static partial void ListenFailed(this ILogger log, string channel, string reason);
}
