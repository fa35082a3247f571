using System.Diagnostics.Metrics;
using WardLink.ServiceDefaults;

namespace WardLink.Audit;

/// <summary>
/// Counts the <c>ChainCheckpointed</c> messages this service refused to keep
/// (<c>wardlink.audit.checkpoints_refused</c>, tags <c>of</c>: the service it claimed to be of, or
/// <c>unknown</c> for a service with no configured key; <c>reason</c>: <c>unsigned</c>,
/// <c>forged</c>, <c>unknown_service</c>, <c>malformed</c>). Anything above zero means someone with
/// broker access published checkpoints its service did not make, or a service runs without its key.
/// </summary>
public sealed class CheckpointsRefused
{
    public const string InstrumentName = "wardlink.audit.checkpoints_refused";

    private readonly Counter<long> _refused;
    private readonly KeyValuePair<string, object?> _service;

    public CheckpointsRefused(ServiceIdentity service, IMeterFactory meters)
    {
        _refused = meters.Create(WardLinkActivity.SourceName).CreateCounter<long>(InstrumentName, "{checkpoint}", "Checkpoints of other services refused: unsigned, forged, of an unknown service or malformed.");
        _service = new("service", service.Name);
    }

    public void Count(string of, string reason) => _refused.Add(1, _service, new("of", of), new("reason", reason));
}
