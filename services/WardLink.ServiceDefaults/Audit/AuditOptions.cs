using Marten;

namespace WardLink.ServiceDefaults.Audit;

/// <summary>Configuration of the audit (<c>Audit:</c> section).</summary>
public sealed class AuditOptions
{
    public const string Section = "Audit";

    /// <summary>A checkpoint of the chain head every this many chained events.</summary>
    public int CheckpointEvery { get; set; } = 100;

    /// <summary>And at least this often while new events arrived, so a quiet service's last events are covered too.</summary>
    public TimeSpan CheckpointInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often checkpoints due by time are looked for and stored ones published.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long one publish of a checkpoint may wait for the broker before it is retried on a later poll.</summary>
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>This service's ECDSA P-256 private key (PEM, PKCS#8): it signs every checkpoint the service takes.</summary>
    public string? SigningKey { get; set; }

    /// <summary>Every service's ECDSA P-256 public key (PEM) by service name: a checkpoint is kept or trusted only when its service's key verifies it.</summary>
    public Dictionary<string, string> PublicKeys { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>
/// The state types a service's streams aggregate to, so the audit can rebuild any stream as of a
/// version or a time. Marten records a stream's aggregate type when it starts with
/// <c>StartStream&lt;TState&gt;</c>; the audit looks it up here.
/// </summary>
public sealed class AuditedStates
{
    private readonly Dictionary<Type, Func<IQuerySession, Guid, long, CancellationToken, Task<object?>>> _aggregate = [];

    public AuditedStates Add<TState>()
        where TState : class
    {
        _aggregate[typeof(TState)] = async (session, id, version, ct) =>
            await session.Events.AggregateStreamAsync<TState>(id, version, token: ct);
        return this;
    }

    public IEnumerable<Type> Types => _aggregate.Keys;

    /// <summary>
    /// Whether stream <paramref name="id"/> is a record of a type audited here: a yearly counter or
    /// any other internal stream is not, and is never answered as a record.
    /// </summary>
    public async Task<bool> HoldsAsync(IQuerySession session, Guid id, CancellationToken ct) =>
        (await session.FetchStreamStateAsync(id, Types, ct))?.AggregateType is { } aggregate && _aggregate.ContainsKey(aggregate);

    /// <summary>Stream <paramref name="id"/> aggregated to <paramref name="state"/> as of <paramref name="version"/>.</summary>
    public Task<object?> AggregateAsync(Type state, IQuerySession session, Guid id, long version, CancellationToken ct) =>
        _aggregate[state](session, id, version, ct);
}
