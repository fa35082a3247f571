using Microsoft.AspNetCore.Builder;

namespace WardLink.ServiceDefaults;

/// <summary>
/// Marks an endpoint that reads and writes no record (the health probes, the API document): it acts in no ward, so the
/// request is never put in one (no read of the jurisdiction directory, no judgement of <c>ward=</c>), and a liveness probe
/// answers while PostgreSQL is away.
/// </summary>
public sealed class WardFree
{
    private WardFree()
    {
    }

    /// <summary>The one marker every such endpoint carries.</summary>
    public static WardFree Marker { get; } = new();
}

public static class WardFreeEndpoints
{
    /// <summary>Marks <paramref name="endpoint"/> as acting in no ward (<see cref="WardFree"/>).</summary>
    public static TBuilder InNoWard<TBuilder>(this TBuilder endpoint)
        where TBuilder : IEndpointConventionBuilder => endpoint.WithMetadata(WardFree.Marker);
}
