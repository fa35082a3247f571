namespace WardLink.Domain;

/// <summary>
/// What every domain event says about itself: when it happened in business time (<see cref="At"/>)
/// and who did it (<see cref="By"/>: a client, a user, or the service that applied a message).
/// Timelines and the audit log read both from here.
/// </summary>
public interface IBusinessEvent
{
    DateTimeOffset At { get; }

    string By { get; }
}

/// <summary>
/// An event that records, after the fact, something whose business time its other fields name (a meeting
/// minuted once held: <see cref="Happened"/> is when it was held, <see cref="IBusinessEvent.At"/> when it was recorded).
/// </summary>
public interface IRecordedAfterwards
{
    DateTimeOffset Happened { get; }
}

public static class BusinessEvents
{
    /// <summary>When what <paramref name="event"/> records happened: <see cref="IRecordedAfterwards.Happened"/>, else its <see cref="IBusinessEvent.At"/>.</summary>
    public static DateTimeOffset HappenedAt(this IBusinessEvent @event) => @event is IRecordedAfterwards recorded ? recorded.Happened : @event.At;

    /// <summary>
    /// The longest event or state type name a read shows (the class name in camelCase, as the
    /// event store keeps it); a unit test holds every type of the services to it.
    /// </summary>
    public const int MaxTypeNameLength = 100;
}
