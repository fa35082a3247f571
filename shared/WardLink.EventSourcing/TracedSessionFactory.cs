using System.Diagnostics;
using Marten;
using Marten.Services;
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
public sealed class TracedSessionFactory(IDocumentStore store, WardTenants wards) : SessionFactoryBase(store)
{
    public const string TraceParentHeader = "traceparent";

    private readonly IDocumentStore _store = store;

    public override SessionOptions BuildOptions()
    {
        var options = RequestTransaction.Current is { } transaction ? SessionOptions.ForTransaction(transaction) : new SessionOptions();
        options.Tracking = DocumentTracking.None;
        options.TenantId = TenantOfWork();
        return options;
    }

    /// <summary>A query session in the ward the work acts in (the base class would open every one in the default tenant: the home ward).</summary>
    public override IQuerySession QuerySession() => _store.QuerySession(new SessionOptions { TenantId = TenantOfWork() });

    private string TenantOfWork() => WardContext.Current is { } ward ? wards.TenantOf(ward) : WardTenants.DefaultTenant;

    public override void ApplyMetadata(IDocumentSession documentSession)
    {
        if (TraceOf(Activity.Current) is var (correlationId, traceParent))
        {
            documentSession.CorrelationId = correlationId;
            documentSession.SetHeader(TraceParentHeader, traceParent);
        }
    }

    /// <summary>What an event records of <paramref name="activity"/>: its trace id (the correlation id) and its W3C traceparent.</summary>
    public static (string CorrelationId, string TraceParent)? TraceOf(Activity? activity) =>
        activity is { IdFormat: ActivityIdFormat.W3C }
            ? (activity.TraceId.ToHexString(), activity.Id!)
            : null;
}
