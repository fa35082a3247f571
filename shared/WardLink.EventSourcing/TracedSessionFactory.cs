using System.Diagnostics;
using Marten;
using Marten.Services;
using Npgsql;
using WardLink.EventSourcing.Idempotency;
using WardLink.EventSourcing.Wards;

namespace WardLink.EventSourcing;

/// <summary>
/// Lightweight sessions that stamp every appended event with the current trace: the W3C
/// <c>traceparent</c> as a header (the relay restores it as the parent of its publish, so one
/// trace runs from the HTTP request to the consumer) and the trace id as correlation id. Inside a
/// request under an <c>Idempotency-Key</c> they enlist in its transaction (see <see cref="RequestTransaction"/>).
/// Each is scoped to the ward the work acts in (<see cref="WardContext"/>, else the home ward): the
/// store keeps every ward's records apart, so a session never reads or writes another ward's.
/// </summary>
public sealed class TracedSessionFactory : SessionFactoryBase
{
    public const string TraceParentHeader = "traceparent";

    private readonly IDocumentStore _store;
    private readonly WardDatabases _databases;

    public TracedSessionFactory(IDocumentStore store, WardDatabases databases)
        : base(store)
    {
        _store = store;
        _databases = databases;
    }

    public override SessionOptions BuildOptions()
    {
        var tenant = Tenant();
        var options = RequestTransaction.Current is { } transaction ? SessionOptions.ForTransaction(Enlisted(transaction, tenant)) : new SessionOptions();
        options.Tracking = DocumentTracking.None;
        options.TenantId = tenant;
        return options;
    }

    /// <summary>
    /// The request's transaction, when it is one of <paramref name="tenant"/>'s database: Marten would run a session of
    /// another database's ward on it all the same, keeping that ward's records where none of its reads look.
    /// </summary>
    private NpgsqlTransaction Enlisted(NpgsqlTransaction transaction, string tenant) =>
        _databases.DatabaseOfTenant(tenant) is var database && database == RequestTransaction.Database
            ? transaction
            : throw new InvalidOperationException(
                $"A request kept under an Idempotency-Key in database {RequestTransaction.Database} opened a session of ward {_databases.WardOfTenant(tenant)}, kept in {database}.");

    /// <summary>A read-only session in the ward the work acts in (the base class would open it in the default tenant).</summary>
    public override IQuerySession QuerySession() => _store.QuerySession(new SessionOptions { TenantId = Tenant() });

    private string Tenant() => WardContext.Current is { } ward ? _databases.Wards.TenantOf(ward) : WardTenants.DefaultTenant;

    public override void ApplyMetadata(IDocumentSession documentSession)
    {
        if (TraceOf(Activity.Current) is var (correlationId, causationId, traceParent))
        {
            documentSession.CorrelationId = correlationId;
            documentSession.CausationId = causationId;
            documentSession.SetHeader(TraceParentHeader, traceParent);
        }
    }

    /// <summary>
    /// What an event records of <paramref name="activity"/>: its trace id (the correlation id), what caused it (the W3C
    /// traceparent the request came with, as Marten reads an activity) and its own W3C traceparent (the relay's parent).
    /// </summary>
    public static (string CorrelationId, string? CausationId, string TraceParent)? TraceOf(Activity? activity) =>
        activity is { IdFormat: ActivityIdFormat.W3C }
            ? (activity.TraceId.ToHexString(), activity.ParentId, activity.Id!)
            : null;
}
