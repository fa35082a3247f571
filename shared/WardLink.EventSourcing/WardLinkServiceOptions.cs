using Marten;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using WardLink.EventSourcing.Audit;
using WardLink.EventSourcing.Relay;
using WardLink.EventSourcing.Wards;
using WardLink.ServiceDefaults;

namespace WardLink.EventSourcing;

/// <summary>What a service adds to the shared composition.</summary>
public sealed class WardLinkServiceOptions
{
    /// <summary>The service's own Marten configuration beyond its read models (stream states, documents, indexes).</summary>
    public Action<StoreOptions>? Store { get; set; }

    /// <summary>The projections its lists and statistics read, registered inline and rebuilt on start when empty.</summary>
    public ReadModels ReadModels { get; } = new();

    /// <summary>The service's own consumers.</summary>
    public Action<IBusRegistrationConfigurator>? Bus { get; set; }

    /// <summary>Which events the service publishes to the others; none when null (then no relay runs).</summary>
    public IIntegrationEventMap? Publishes { get; set; }

    /// <summary>The service's own services (options validated on start, singletons).</summary>
    public Action<IServiceCollection>? Services { get; set; }

    /// <summary>
    /// Keep a local directory of what the partners service records, from its events: partner sites (<c>GET /sites</c>) and each
    /// partner's standing (whether its tokens may act here). Every service but the partners service, which keeps the records.
    /// </summary>
    public bool KeepsPartnerDirectory { get; set; }

    /// <summary>How each stream state is shown to each audience (a state without a view is police-only).</summary>
    public StateViews Views { get; } = new(http => http.Ward().Ward.Id);

    /// <summary>The state types the service's streams aggregate to, for the audit's state as of a version or a time.</summary>
    public AuditedStates AuditedStates { get; } = new();
}
