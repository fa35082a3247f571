using MassTransit;

namespace WardLink.Contracts.Audit;

/// <summary>
/// A service's hash chain over its event log reached <see cref="Head"/> at event
/// <see cref="Sequence"/>, the <see cref="Position"/>-th event chained. Every other service keeps
/// the checkpoints it hears, so rewriting history in one database is detectable from the others.
/// <see cref="Signature"/> is the service's ECDSA P-256 signature (base64) over the checkpoint's
/// canonical bytes; holders keep only checkpoints it verifies. It was added to v1 as an optional
/// field: a v1 consumer that does not know it still reads the message, and a message without it
/// reads as unsigned (and is refused), so no new version was needed.
/// </summary>
[MessageUrn("wardlink:audit:chain-checkpointed:v1")]
public sealed record ChainCheckpointed(
    string Service,
    long Sequence,
    long Position,
    string Head,
    DateTimeOffset At,
    string? Signature = null);
