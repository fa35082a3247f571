using System.Diagnostics;
using Marten;
using Marten.Services;
using WardLink.EventSourcing.Idempotency;

namespace WardLink.EventSourcing;

/// <summary>
/// Lightweight sessions that stamp every appended event with the current trace: the W3C
/// <c>traceparent</c> as a header (the relay restores it as the parent of its publish, so one
/// trace runs from the HTTP request to the consumer) and the trace id as correlation id. Inside a
/// request under an <c>Idempotency-Key</c> they enlist in its transaction (see <see cref="RequestTransaction"/>).
/// </summary>
public sealed class TracedSessionFactory(IDocumentStore store) : SessionFactoryBase(store)
{
    public const string TraceParentHeader = "traceparent";

    public override SessionOptions BuildOptions()
    {
        var options = RequestTransaction.Current is { } transaction ? SessionOptions.ForTransaction(transaction) : new SessionOptions();
        options.Tracking = DocumentTracking.None;
        return options;
    }

    public override void ApplyMetadata(IDocumentSession documentSession)
    {
        if (Activity.Current is { IdFormat: ActivityIdFormat.W3C } activity)
        {
            documentSession.CorrelationId = activity.TraceId.ToHexString();
            documentSession.SetHeader(TraceParentHeader, activity.Id!);
        }
    }
}
