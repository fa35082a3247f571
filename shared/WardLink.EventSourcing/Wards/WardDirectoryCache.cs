using Marten;
using Marten.Services;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace WardLink.EventSourcing.Wards;

/// <summary>
/// The wards of the jurisdiction directory as requests look them up (<see cref="RequestWards"/>: one
/// read a request, a seventh of what PostgreSQL ran a tip during intake), and the wards of a province-level
/// caller's provinces (a read a request of such a caller, of every ward of its provinces), kept in memory only
/// while they can be kept true. Entries are kept while this process listens on <see cref="Channel"/>, which
/// a trigger on the directory's table notifies after every statement that changes it, whoever runs it
/// (another replica's consumer, a migration, someone at <c>psql</c>); none is used or kept while a commit of
/// this process changes the directory (<see cref="WardsChanged"/>: from before it is sent until it has
/// committed, so what a request reads right after it is never older); a lookup that began before a change
/// keeps nothing; and no entry is kept longer than <see cref="MaxAge"/>, should a listening connection
/// die without failing. While nothing listens (at start, while reconnecting) every lookup reads the
/// directory. Wards the directory does not know, and provinces it knows no ward of, are never kept: a ward
/// established a moment ago is found at once (a province's list that is kept gains it once the notification is heard).
/// </summary>
public sealed class WardDirectoryCache(TimeProvider clock)
{
    /// <summary>The channel the directory's trigger notifies.</summary>
    public const string Channel = "wardlink_wards_changed";

    /// <summary>The longest an entry is kept, whatever the notifications say.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(10);

    private readonly Lock _lock = new();
    private readonly Dictionary<string, (KnownWard? Value, DateTimeOffset At)> _wards = [];
    private readonly Dictionary<string, (IReadOnlyList<string> Value, DateTimeOffset At)> _provinces = [];
    private long _generation;
    private bool _listening;
    private int _changing;
    private DateTimeOffset _changingSince;

    internal TimeProvider Clock => clock;

    /// <summary>Whether entries are kept now (this process listens on <see cref="Channel"/>).</summary>
    public bool Listening
    {
        get
        {
            lock (_lock)
            {
                return _listening;
            }
        }
    }

    /// <summary>The ward, or null when the directory does not know it: kept, or as <paramref name="read"/> reads it from the directory.</summary>
    public Task<KnownWard?> WardAsync(string ward, Func<Task<KnownWard?>> read) => KeptAsync(_wards, ward, read, known => known is not null);

    /// <summary>
    /// Every ward of <paramref name="provinces"/>, by id: kept, or as <paramref name="read"/> reads them from the directory.
    /// Kept under the set of provinces, each name with its length, so no other set of names shares its key.
    /// </summary>
    public Task<IReadOnlyList<string>> WardsOfAsync(IReadOnlyCollection<string> provinces, Func<Task<IReadOnlyList<string>>> read) =>
        KeptAsync(_provinces, string.Concat(provinces.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).Select(province => $"{province.Length}:{province}")), read, wards => wards.Count > 0);

    /// <summary>What <paramref name="kept"/> holds at <paramref name="key"/>, else what <paramref name="read"/> reads, kept when <paramref name="keep"/> says so and nothing changed meanwhile.</summary>
    private async Task<T> KeptAsync<T>(Dictionary<string, (T Value, DateTimeOffset At)> kept, string key, Func<Task<T>> read, Func<T, bool> keep)
    {
        long generation;
        lock (_lock)
        {
            if (Usable && kept.TryGetValue(key, out var entry) && clock.GetUtcNow() - entry.At < MaxAge)
            {
                return entry.Value;
            }

            generation = _generation;
        }

        var value = await read();
        if (keep(value))
        {
            lock (_lock)
            {
                if (Usable && _generation == generation)
                {
                    kept[key] = (value, clock.GetUtcNow());
                }
            }
        }

        return value;
    }

    /// <summary>
    /// Whether entries may be used and kept now: while listening, and not while a commit of this process changes
    /// the directory (one that failed stops counting after <see cref="MaxAge"/>).
    /// </summary>
    private bool Usable => _listening && (_changing == 0 || clock.GetUtcNow() - _changingSince >= MaxAge);

    /// <summary>The directory changed, or may have: nothing kept so far, nor read before now, is kept.</summary>
    public void Changed() => Forget(listening: null);

    /// <summary>A commit of this process is about to change the directory.</summary>
    public void Changing()
    {
        lock (_lock)
        {
            _changing++;
            _changingSince = clock.GetUtcNow();
            Forget(listening: null);
        }
    }

    /// <summary>A commit of this process changed the directory.</summary>
    public void Committed()
    {
        lock (_lock)
        {
            _changing = Math.Max(0, _changing - 1);
            Forget(listening: null);
        }
    }

    /// <summary>This process listens on <see cref="Channel"/> from now on; what changed before went unheard.</summary>
    public void StartedListening() => Forget(listening: true);

    /// <summary>This process no longer listens on <see cref="Channel"/>: what changes now goes unheard.</summary>
    public void StoppedListening() => Forget(listening: false);

    private void Forget(bool? listening)
    {
        lock (_lock)
        {
            _generation++;
            _wards.Clear();
            _provinces.Clear();
            _listening = listening ?? _listening;
        }
    }
}

/// <summary>Tells the ward cache when a commit of this process changes the directory: before it is sent, and once it committed.</summary>
public sealed class WardsChanged(WardDirectoryCache cache) : DocumentSessionListenerBase
{
    public override Task BeforeSaveChangesAsync(IDocumentSession session, CancellationToken token)
    {
        if (ChangesDirectory(session.PendingChanges.Inserts().Concat(session.PendingChanges.Updates()), session.PendingChanges.Deletions()))
        {
            cache.Changing();
        }

        return Task.CompletedTask;
    }

    public override Task AfterCommitAsync(IDocumentSession session, IChangeSet commit, CancellationToken token)
    {
        if (ChangesDirectory(commit.Inserted.Concat(commit.Updated), commit.Deleted))
        {
            cache.Committed();
        }

        return Task.CompletedTask;
    }

    private static bool ChangesDirectory(IEnumerable<object> stored, IEnumerable<Weasel.Storage.IDeletion> deleted) =>
        stored.Any(document => document is KnownWard) || deleted.Any(deletion => deletion.DocumentType == typeof(KnownWard));
}

/// <summary>
/// Keeps the ward cache listening on the main database, where requests read the directory: on each
/// connection, first makes sure the directory's table notifies <see cref="WardDirectoryCache.Channel"/>
/// on every change (a statement-level trigger, installed under an advisory lock so replicas starting
/// together do not collide), then listens; a failure stops the cache keeping anything until it listens again.
/// </summary>
internal sealed class WardDirectoryListener(IDocumentStore store, WardDirectoryCache cache, ILogger<WardDirectoryListener> logger) : BackgroundService
{
    private const string Function = "wardlink_notify_wards_changed";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var schema = store.Options.DatabaseSchemaName;
        var table = store.Options.FindOrResolveDocumentType(typeof(KnownWard)).TableName.QualifiedName;
        var trigger = $"""
            SELECT pg_advisory_xact_lock(hashtext('{Function}'));
            CREATE OR REPLACE FUNCTION {schema}.{Function}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM pg_notify('{WardDirectoryCache.Channel}', '');
                RETURN NULL;
            END $$;
            CREATE OR REPLACE TRIGGER {Function} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}
                FOR EACH STATEMENT EXECUTE FUNCTION {schema}.{Function}();
            """;
        await PostgresChannel.RetryAsync(
            async () => await PostgresChannel.ListenAsync(
                (await store.Storage.FindOrCreateDatabase(WardTenants.DefaultTenant)).CreateConnection,
                WardDirectoryCache.Channel,
                (connection, ct) => InstallAsync(connection, trigger, ct),
                cache.StartedListening,
                cache.Changed,
                stoppingToken),
            failure =>
            {
                cache.StoppedListening();
                logger.CacheListenFailed(WardDirectoryCache.Channel, failure.Message);
            },
            cache.Clock,
            stoppingToken);
        cache.StoppedListening();
    }

    private static async Task InstallAsync(NpgsqlConnection connection, string trigger, CancellationToken ct)
    {
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using (var install = new NpgsqlCommand(trigger, connection, transaction))
        {
            await install.ExecuteNonQueryAsync(ct);
        }

        await transaction.CommitAsync(ct);
    }
}

internal static partial class WardDirectoryLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Listening on {Channel} failed ({Reason}); requests read the ward directory meanwhile, and listening resumes in a second.")]
    public static partial void CacheListenFailed(this ILogger log, string channel, string reason);
}
