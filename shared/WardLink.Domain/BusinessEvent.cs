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

public static class BusinessEvents
{
    /// <summary>
    /// The longest event or state type name a read shows (the class name in camelCase, as the
    /// event store keeps it); a unit test holds every type of the services to it.
    /// </summary>
    public const int MaxTypeNameLength = 100;
}
