using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using WardLink.Domain;
using WardLink.ServiceDefaults;
using WardLink.ServiceDefaults.Security;

namespace WardLink.Audit;

/// <summary>
/// One event as an auditor sees it: its place in the log and stream, when it was recorded, its
/// business time and actor, its correlation and causation, its data with personal data removed, and the ward it was
/// recorded in (<see cref="Ward"/>: a province's log mixes its wards; null in a line written before it was named).
/// </summary>
public sealed record AuditEvent(
    Guid StreamId,
    [property: Range(1, long.MaxValue)] long Version,
    [property: MaxLength(BusinessEvents.MaxTypeNameLength)] string Type,
    DateTimeOffset RecordedAt,
    DateTimeOffset? WardTime,
    [property: MaxLength(WardLinkClaims.MaxSubjectLength)] string? Actor,
    [property: MaxLength(ProblemResponses.TraceIdLength)] string? CorrelationId,
    [property: MaxLength(AuditEvent.MaxCausationIdLength)] string? CausationId,
    [property: MaxLength(HashChain.HashLength)] string DataHash,
    JsonNode? Data,
    [property: MaxLength(WardNames.MaxIdLength)] string? Ward = null)
{
    /// <summary>
    /// What caused an event: the request's W3C <c>traceparent</c> (<c>00-{trace id}-{span id}-{flags}</c>, 55 characters) where a
    /// request recorded it, the message's id (a GUID, 36) where a consumer did.
    /// </summary>
    public const int MaxCausationIdLength = 55;

    /// <summary>
    /// The type of the events Marten writes, in a stream of their own and with no record, to fill the sequence numbers a
    /// failed write took: recorded at PostgreSQL's <c>-infinity</c> (read as year 1), they are chained as every event, so the
    /// chain has no gap, but no time they show is when anything was stored.
    /// </summary>
    public const string TombstoneType = "tombstone";
}

/// <summary>
/// The chain's link for one sequence: what was chained there (the event's ward too, null in a link made before links named
/// their ward), the link before it and the link itself.
/// </summary>
public sealed record AuditLink(
    [property: Range(0, long.MaxValue)] long Position,
    Guid StreamId,
    [property: Range(1, long.MaxValue)] long Version,
    [property: MaxLength(BusinessEvents.MaxTypeNameLength)] string Type,
    [property: MaxLength(HashChain.HashLength)] string DataHash,
    DateTimeOffset RecordedAt,
    [property: MaxLength(HashChain.HashLength)] string Previous,
    [property: MaxLength(HashChain.HashLength)] string Hash,
    [property: MaxLength(WardNames.MaxIdLength)] string? Ward = null);

/// <summary>
/// One line of the audit log (NDJSON): the event at <see cref="Sequence"/> and the chain's link
/// for it. An event not chained yet has no link; a link whose event is gone has no event. The store numbers its events
/// from 1; a stream's events (<c>GET …/streams/{id}</c>) show one an insider put at 0 or below at its sequence too.
/// </summary>
public sealed record AuditEntry([property: Range(long.MinValue, long.MaxValue)] long Sequence, AuditEvent? Event, AuditLink? Link);

/// <summary>
/// The audit log's lines, serialised by code generated at build time (no reflection, no metadata walked a line):
/// the feed writes hundreds of thousands a second. Written as the services' JSON options write them (names in
/// camel case, nulls written; the writer's own encoder escapes the text), which a property-based test holds.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, GenerationMode = JsonSourceGenerationMode.Serialization)]
[JsonSerializable(typeof(AuditEntry))]
public sealed partial class AuditLines : JsonSerializerContext
{
    /// <summary>The media type of the log: newline-delimited JSON, one <see cref="AuditEntry"/> a line.</summary>
    public const string ContentType = "application/x-ndjson";
}

public static class AuditEntryFields
{
    /// <summary>
    /// The event's fields as a link chains them: with its ward, but where they are compared with a link made before links
    /// named their ward (<paramref name="link"/>'s ward null), whose hash covers none.
    /// </summary>
    public static ChainedFields Chained(this AuditEvent recorded, long sequence, AuditLink? link = null) =>
        new(sequence, recorded.StreamId, recorded.Version, recorded.Type, recorded.DataHash, recorded.RecordedAt, link is { Ward: null } ? null : recorded.Ward);

    public static ChainedFields Chained(this AuditLink link, long sequence) =>
        new(sequence, link.StreamId, link.Version, link.Type, link.DataHash, link.RecordedAt, link.Ward);
}
