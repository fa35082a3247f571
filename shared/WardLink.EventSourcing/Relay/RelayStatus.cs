using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Marten;
using WardLink.EventSourcing.Wards;
using WardLink.ServiceDefaults;

namespace WardLink.EventSourcing.Relay;

/// <summary>What the relay has done, for metrics and readiness: published, dead-lettered, lag, outage.</summary>
public sealed class RelayStatus
{
    public const string SubscriptionName = "EventRelay";

    private readonly Counter<long> _published;
    private readonly Counter<long> _deadLettered;
    private readonly KeyValuePair<string, object?> _service;
    private readonly ConcurrentDictionary<string, Outage> _outages = new(StringComparer.Ordinal);
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

    /// <summary>Committed events not yet relayed, as last measured: each database's highest sequence minus its relay's progress, summed.</summary>
    public long Lag { get; private set; }

    /// <summary>The main database's highest committed sequence (each database numbers its own).</summary>
    public long HighWaterMark { get; private set; }

    /// <summary>How far the main database's relay has come.</summary>
    public long RelayedSequence { get; private set; }

    /// <summary>
    /// Since when publishing fails (the broker is unreachable): the first failed attempt's time of the longest outage of
    /// any database's relay; null while every database's relay publishes.
    /// </summary>
    public DateTimeOffset? FailingSince => _outages.Values.Select(outage => (DateTimeOffset?)outage.Since).Min();

    /// <summary>The latest failure of a relay whose database's outage lasts.</summary>
    public string? LastFailure => _outages.Values.MaxBy(outage => outage.LastAt)?.Failure;

    /// <summary>The attempts to publish a page that failed since each failing database's outage began, summed.</summary>
    public int FailedAttempts => _outages.Values.Sum(outage => outage.Attempts);

    /// <summary>Counts messages the broker confirmed, some of a page whose other messages failed too: that failure stands.</summary>
    public void CountPublished(int count)
    {
        Interlocked.Add(ref _publishedTotal, count);
        _published.Add(count, _service);
    }

    /// <summary>A whole page of one database's events confirmed: its relay publishes (again); another's outage stands.</summary>
    public void PageConfirmed(string database) => _outages.TryRemove(database, out _);

    public void CountDeadLetter()
    {
        Interlocked.Increment(ref _deadLetteredTotal);
        _deadLettered.Add(1, _service);
    }

    /// <summary>An attempt to publish a page of one database's events failed.</summary>
    public void PublishFailed(string database, DateTimeOffset now, string failure) =>
        _outages.AddOrUpdate(
            database,
            _ => new Outage(now, now, failure, 1),
            (_, outage) => outage with { LastAt = now, Failure = failure, Attempts = outage.Attempts + 1 });

    /// <summary>
    /// Measures the lag in every database the store keeps wards in (each has its own events and its own relay): its
    /// highest sequence against its relay's stored progress.
    /// </summary>
    public async Task RefreshAsync(IDocumentStore store, WardDatabases databases, CancellationToken cancellationToken)
    {
        var lag = 0L;
        var main = true;
        foreach (var tenant in databases.SessionTenants)
        {
            var statistics = await store.Advanced.FetchEventStoreStatistics(tenant, cancellationToken);
            var progress = await store.Advanced.AllProjectionProgress(tenant, cancellationToken);
            var relayed = progress.FirstOrDefault(shard => shard.ShardName.StartsWith(SubscriptionName, StringComparison.Ordinal))?.Sequence ?? 0;

            // A database without events reports its sequence's first value (1), which no relay ever reaches.
            var highest = statistics.EventCount > 0 ? statistics.EventSequenceNumber : 0;
            lag += Math.Max(0, highest - relayed);
            if (main)
            {
                (HighWaterMark, RelayedSequence, main) = (highest, relayed, false);
            }
        }

        Lag = lag;
    }

    /// <summary>One database's relay failing to publish: since when, the latest failure and the attempts failed since.</summary>
    private sealed record Outage(DateTimeOffset Since, DateTimeOffset LastAt, string Failure, int Attempts);
}
