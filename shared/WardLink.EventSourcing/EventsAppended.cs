using System.Diagnostics.Metrics;
using Marten;
using Marten.Services;
using WardLink.ServiceDefaults;

namespace WardLink.EventSourcing;

/// <summary>
/// Counts the events each commit appended, by service and event type (<c>wardlink.events.appended</c>),
/// so tips or incidents per hour are a rate of this counter (e.g. <c>event_type="TipReceived"</c>).
/// Counted after the commit: a rolled-back append is never counted.
/// </summary>
public sealed class EventsAppended : DocumentSessionListenerBase
{
    public const string InstrumentName = "wardlink.events.appended";

    private readonly Counter<long> _appended;
    private readonly KeyValuePair<string, object?> _service;

    public EventsAppended(string serviceName, IMeterFactory meters)
    {
        _appended = meters.Create(WardLinkActivity.SourceName).CreateCounter<long>(InstrumentName, "{event}", "Events committed to the service's event store.");
        _service = new("service", serviceName);
    }

    public override Task AfterCommitAsync(IDocumentSession session, IChangeSet commit, CancellationToken token)
    {
        foreach (var byType in commit.GetEvents().GroupBy(appended => appended.EventType.Name))
        {
            _appended.Add(byType.Count(), _service, new("event_type", byType.Key));
        }

        return Task.CompletedTask;
    }
}
