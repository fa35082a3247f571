using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace WardLink.Testing;

/// <summary>Measurements of the meters one host made through its <see cref="IMeterFactory"/>, so other hosts in the process don't count.</summary>
public sealed class HostMetrics : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<(string Instrument, Recorded Measurement)> _recorded = new();

    public HostMetrics(IMeterFactory host)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Scope == host)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.Start();
    }

    public IReadOnlyList<Recorded> Of(string instrument) =>
        [.. _recorded.Where(recorded => recorded.Instrument == instrument).Select(recorded => recorded.Measurement)];

    /// <summary>The sum of what <paramref name="instrument"/> recorded with every one of <paramref name="tags"/>.</summary>
    public double Sum(string instrument, params (string Name, object Value)[] tags) =>
        Of(instrument).Where(recorded => tags.All(tag => Equals(recorded.Tags.GetValueOrDefault(tag.Name), tag.Value))).Sum(recorded => recorded.Value);

    /// <summary>Reads the observable instruments (gauges) now, as an exporter does on its interval.</summary>
    public void Observe() => _listener.RecordObservableInstruments();

    /// <summary>Observes the gauges until the last measurement of <paramref name="instrument"/> of <paramref name="queue"/> is <paramref name="value"/>.</summary>
    public Task<Recorded> GaugeOfQueueAsync(string instrument, string queue, double value, TimeSpan? timeout = null) =>
        Eventually.Get(
            () =>
            {
                Observe();
                return Task.FromResult(Of(instrument).LastOrDefault(recorded => Equals(recorded.Tags.GetValueOrDefault("queue"), queue)) is { } last && last.Value == value ? last : null);
            },
            $"{instrument} of {queue} to read {value}",
            timeout);

    public void Dispose() => _listener.Dispose();

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new Dictionary<string, object?>();
        foreach (var tag in tags)
        {
            copy[tag.Key] = tag.Value;
        }

        _recorded.Enqueue((instrument.Name, new Recorded(value, copy)));
    }
}

public sealed record Recorded(double Value, IReadOnlyDictionary<string, object?> Tags);
