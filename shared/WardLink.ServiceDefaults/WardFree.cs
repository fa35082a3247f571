using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace WardLink.ServiceDefaults;

/// <summary>
/// Marks an endpoint the request puts in no ward: one that keeps no record (the health probes, the API document), or
/// one that finds its record in whichever ward it is and acts there (a tipster's follow-up, by code and secret). The
/// request is never put in a ward (no read of the jurisdiction directory, no judgement of <c>ward=</c>, which its
/// document does not offer), so a liveness probe answers while PostgreSQL is away, and a follow-up link that carries a
/// stray <c>ward=</c> still opens its tip.
/// </summary>
public sealed class WardFree
{
    /// <summary>
    /// The query parameter every other operation takes to name its ward, which such an endpoint passes over where given
    /// (its only undeclared parameter not refused, <see cref="DeclaredQueries"/>): a follow-up link carrying it still opens.
    /// </summary>
    public const string WardParameter = "ward";

    private WardFree()
    {
    }

    /// <summary>The one marker every such endpoint carries.</summary>
    public static WardFree Marker { get; } = new();

    /// <summary>
    /// Whether query parameter <paramref name="name"/> is a stray <c>ward=</c> on an endpoint that acts in no ward, which every
    /// check of the query passes over, whatever its value (an unknown, malformed or NUL-holding one changes nothing there).
    /// </summary>
    public static bool PassesOver(Endpoint? endpoint, string name) => name == WardParameter && endpoint?.Metadata.GetMetadata<WardFree>() is not null;
}

public static class WardFreeEndpoints
{
    /// <summary>Marks <paramref name="endpoint"/> as acting in no ward (<see cref="WardFree"/>).</summary>
    public static TBuilder InNoWard<TBuilder>(this TBuilder endpoint)
        where TBuilder : IEndpointConventionBuilder => endpoint.WithMetadata(WardFree.Marker);
}
