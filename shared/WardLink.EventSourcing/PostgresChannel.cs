using Npgsql;

namespace WardLink.EventSourcing;

/// <summary>
/// Listening on a PostgreSQL notification channel (<c>LISTEN</c>), as the daemon's wakeup
/// (<see cref="CommitWakeup"/>) and the ward cache (<see cref="Wards.WardDirectoryCache"/>) do: a
/// notification reaches only connections listening when it commits, so a listener treats whatever
/// committed before its connection listened, or while it reconnected, as missed.
/// </summary>
internal static class PostgresChannel
{
    /// <summary>How long a listener waits after a failure before it connects again.</summary>
    public static readonly TimeSpan Reconnect = TimeSpan.FromSeconds(1);

    /// <summary>
    /// One listening connection, until it fails or <paramref name="ct"/> stops it: <paramref name="prepare"/>
    /// runs on the open connection first, <paramref name="listening"/> once it listens, <paramref name="notified"/>
    /// on each notification.
    /// </summary>
    public static async Task ListenAsync(
        Func<NpgsqlConnection> connect, string channel, Func<NpgsqlConnection, CancellationToken, Task>? prepare, Action listening, Action notified, CancellationToken ct)
    {
        await using var connection = connect();
        connection.Notification += (_, _) => notified();
        await connection.OpenAsync(ct);
        if (prepare is not null)
        {
            await prepare(connection, ct);
        }

        await using (var listen = new NpgsqlCommand($"LISTEN {channel}", connection))
        {
            await listen.ExecuteNonQueryAsync(ct);
        }

        listening();
        while (true)
        {
            await connection.WaitAsync(ct);
        }
    }

    /// <summary>
    /// Runs <paramref name="attempt"/> again <see cref="Reconnect"/> after each failure to reach PostgreSQL
    /// (told to <paramref name="failed"/>), until it ends or <paramref name="ct"/> stops it.
    /// </summary>
    public static async Task RetryAsync(Func<Task> attempt, Action<Exception> failed, TimeProvider clock, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await attempt();
                return;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception failure) when (failure is NpgsqlException or IOException or TimeoutException or InvalidOperationException)
            {
                failed(failure);
            }

            await Task.Delay(Reconnect, clock, ct).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }
}
