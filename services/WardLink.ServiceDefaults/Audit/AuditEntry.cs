using System.Text.Json.Nodes;

namespace WardLink.ServiceDefaults.Audit;

/// <summary>
/// One event as an auditor sees it: its place in the log and stream, when it was recorded, its
/// business time and actor, its correlation and causation, and its data with personal data removed.
/// </summary>
public sealed record AuditEvent(
    Guid StreamId,
    long Version,
    string Type,
    DateTimeOffset RecordedAt,
    DateTimeOffset? BusinessTime,
    string? Actor,
    string? CorrelationId,
    string? CausationId,
    string DataHash,
    JsonNode? Data);

/// <summary>The chain's link for one sequence: what was chained there, the link before it and the link itself.</summary>
public sealed record AuditLink(long Position, Guid StreamId, long Version, string Type, string DataHash, DateTimeOffset RecordedAt, string Previous, string Hash);

/// <summary>
/// One line of the audit log (NDJSON): the event at <see cref="Sequence"/> and the chain's link
/// for it. An event not chained yet has no link; a link whose event is gone has no event.
/// </summary>
public sealed record AuditEntry(long Sequence, AuditEvent? Event, AuditLink? Link);

public static class AuditEntryFields
{
    public static ChainedFields Chained(this AuditEvent recorded, long sequence) =>
        new(sequence, recorded.StreamId, recorded.Version, recorded.Type, recorded.DataHash, recorded.RecordedAt);

    public static ChainedFields Chained(this AuditLink link, long sequence) =>
        new(sequence, link.StreamId, link.Version, link.Type, link.DataHash, link.RecordedAt);
}
