namespace WardLink.ServiceDefaults;

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
