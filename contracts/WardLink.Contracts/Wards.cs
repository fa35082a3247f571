using MassTransit;

namespace WardLink.Contracts.Wards;

/// <summary>
/// A ward came into being (or was first recorded): its id (<c>dong-quang</c>), its short code for
/// numbers (<c>DQ</c>), its name, the province it belongs to, and the local date it was established
/// (null when it existed before anything was recorded). <c>WardVersion</c> is its stream's version in
/// partners, so a late message never overwrites a newer one in a directory.
/// </summary>
[MessageUrn("wardlink:partners:ward-established:v1")]
public sealed record WardEstablished(
    string WardId,
    string Code,
    string Name,
    string Province,
    DateOnly? EstablishedOn,
    DateTimeOffset RecordedAt,
    long WardVersion);

/// <summary>A ward took a new name from <c>EffectiveOn</c> (local date); its id and code stay.</summary>
[MessageUrn("wardlink:partners:ward-renamed:v1")]
public sealed record WardRenamed(
    string WardId,
    string Name,
    DateOnly EffectiveOn,
    DateTimeOffset RecordedAt,
    long WardVersion);

/// <summary>
/// A ward was merged into another from <c>EffectiveOn</c> (local date): what it recorded before stays
/// its own; what happens from that date belongs to <c>IntoWardId</c>.
/// </summary>
[MessageUrn("wardlink:partners:ward-merged:v1")]
public sealed record WardMerged(
    string WardId,
    string IntoWardId,
    DateOnly EffectiveOn,
    DateTimeOffset RecordedAt,
    long WardVersion);

/// <summary>A ward ceased to exist from <c>EffectiveOn</c> without a successor; its records stay.</summary>
[MessageUrn("wardlink:partners:ward-dissolved:v1")]
public sealed record WardDissolved(
    string WardId,
    DateOnly EffectiveOn,
    DateTimeOffset RecordedAt,
    long WardVersion);
