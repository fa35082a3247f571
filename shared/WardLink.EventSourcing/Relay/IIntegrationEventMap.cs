using JasperFx.Events;

namespace WardLink.EventSourcing.Relay;

/// <summary>
/// A service's one place that says which of its events other services hear about, and as which
/// contract message (from WardLink.Contracts). Events that stay inside the service map to null.
/// </summary>
public interface IIntegrationEventMap
{
    object? ToMessage(IEvent recorded);
}
