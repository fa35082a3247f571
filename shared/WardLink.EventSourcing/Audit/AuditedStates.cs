using Marten;

namespace WardLink.EventSourcing.Audit;

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
