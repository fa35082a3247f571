using System.Diagnostics;

namespace WardLink.Gateway;

/// <summary>
/// A request enters WardLink at the gateway, which starts its trace: the trace context a caller sends (<c>traceparent</c>,
/// <c>tracestate</c>, <c>baggage</c>) is not continued. Its trace id would become the correlation id, and its
/// <c>traceparent</c> the causation id, of every event the request records, shown to auditors and sent to partners' webhooks:
/// 32 hex digits of the caller's choosing, and for the public a thread that would tie a tipster's tip to whatever else came
/// with the same trace. An authenticated client's <c>traceparent</c> is kept as a link of the gateway's span, so an
/// operator can follow a partner's trace into WardLink's; the public's is read nowhere.
/// </summary>
public static class CallerTraces
{
    public static WebApplicationBuilder AddWardLinkCallerTraces(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<DistributedContextPropagator>(new TraceStartsHere());
        return builder;
    }

    /// <summary>
    /// Links an authenticated client's trace from the request's span, after authentication: not the public's, nor one sent
    /// with a token where no token is read (<see cref="RateLimits.ReadsNoToken"/>: the call is the public's).
    /// </summary>
    public static IApplicationBuilder UseWardLinkCallerTraceLinks(this IApplicationBuilder app) => app.Use((http, next) =>
    {
        if (http.User.Identity?.IsAuthenticated == true && !RateLimits.ReadsNoToken(http)
            && http.Request.Headers.TraceParent is [{ } traceParent]
            && ActivityContext.TryParse(traceParent, null, isRemote: true, out var caller))
        {
            Activity.Current?.AddLink(new ActivityLink(caller));
        }

        return next(http);
    });

    /// <summary>Reads no trace context from a request (ASP.NET Core's hosting starts a trace of its own) and writes the default's.</summary>
    private sealed class TraceStartsHere : DistributedContextPropagator
    {
        private static readonly DistributedContextPropagator Outgoing = CreateDefaultPropagator();

        public override IReadOnlyCollection<string> Fields => Outgoing.Fields;

        public override void Inject(Activity? activity, object? carrier, PropagatorSetterCallback? setter) => Outgoing.Inject(activity, carrier, setter);

        public override void ExtractTraceIdAndState(object? carrier, PropagatorGetterCallback? getter, out string? traceId, out string? traceState) =>
            (traceId, traceState) = (null, null);

        public override IEnumerable<KeyValuePair<string, string?>>? ExtractBaggage(object? carrier, PropagatorGetterCallback? getter) => null;
    }
}
