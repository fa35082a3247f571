using MassTransit;

namespace WardLink.Contracts.Audit;

/// <summary>
/// A service's hash chain over its event log reached <see cref="Head"/> at event
/// <see cref="Sequence"/>, the <see cref="Position"/>-th event chained. Every other service keeps
/// the checkpoints it hears, so rewriting history in one database is detectable from the others.
/// </summary>
[MessageUrn("wardlink:audit:chain-checkpointed:v1")]
public sealed record ChainCheckpointed(
    string Service,
    long Sequence,
    long Position,
    string Head,
    DateTimeOffset At);
