using System.Diagnostics.Metrics;
using Marten;
using WardLink.ServiceDefaults;

namespace WardLink.EventSourcing.Relay;

/// <summary>What the relay has done, for metrics and readiness: published, dead-lettered, lag, outage.</summary>
public sealed class RelayStatus
{
    public const string SubscriptionName = "EventRelay";

    private readonly Counter<long> _published;
    private readonly Counter<long> _deadLettered;
    private readonly KeyValuePair<string, object?> _service;
    private long _publishedTotal;
    private long _deadLetteredTotal;

    public RelayStatus(ServiceIdentity service, IMeterFactory meters)
    {
        var meter = meters.Create(WardLinkActivity.SourceName);
        _service = new("service", service.Name);
        _published = meter.CreateCounter<long>("wardlink.relay.published", "{message}", "Integration messages the relay published.");
        _deadLettered = meter.CreateCounter<long>("wardlink.relay.dead_lettered", "{event}", "Events the relay could not map and recorded as dead letters.");
        meter.CreateObservableGauge("wardlink.relay.lag", () => new Measurement<long>(Lag, _service), "{event}", "Committed events not yet relayed.");
    }

    public long Published => Interlocked.Read(ref _publishedTotal);

    public long DeadLettered => Interlocked.Read(ref _deadLetteredTotal);

    /// <summary>Highest committed event sequence minus the relay's progress, as last measured.</summary>
    public long Lag { get; private set; }

    public long HighWaterMark { get; private set; }

    public long RelayedSequence { get; private set; }

    /// <summary>Since when publishing fails (the broker is unreachable); null while it works.</summary>
    public DateTimeOffset? FailingSince { get; private set; }

    public string? LastFailure { get; private set; }

    public void CountPublished(int count)
    {
        Interlocked.Add(ref _publishedTotal, count);
        _published.Add(count, _service);
        FailingSince = null;
        LastFailure = null;
    }

    public void CountDeadLetter()
    {
        Interlocked.Increment(ref _deadLetteredTotal);
        _deadLettered.Add(1, _service);
    }

    public void PublishFailed(DateTimeOffset now, string failure)
    {
        FailingSince ??= now;
        LastFailure = failure;
    }

    /// <summary>Measures the lag: the store's highest sequence against the relay's stored progress.</summary>
    public async Task RefreshAsync(IDocumentStore store, CancellationToken cancellationToken)
    {
        var statistics = await store.Advanced.FetchEventStoreStatistics(token: cancellationToken);
        var progress = await store.Advanced.AllProjectionProgress(token: cancellationToken);
        HighWaterMark = statistics.EventSequenceNumber;
        RelayedSequence = progress.FirstOrDefault(shard => shard.ShardName.StartsWith(SubscriptionName, StringComparison.Ordinal))?.Sequence ?? 0;
        Lag = Math.Max(0, HighWaterMark - RelayedSequence);
    }
}
