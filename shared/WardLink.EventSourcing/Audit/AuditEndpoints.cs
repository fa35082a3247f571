using System.Buffers;
using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using System.Text.Json.Nodes;
using JasperFx.Core;
using Marten;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Npgsql;
using WardLink.Audit;
using WardLink.Domain;
using WardLink.ServiceDefaults;
using WardLink.ServiceDefaults.Security;

using Microsoft.Extensions.DependencyInjection;
using WardLink.EventSourcing.Wards;

namespace WardLink.EventSourcing.Audit;

/// <summary>A stream's events as the auditor sees them.</summary>
public sealed record StreamAudit(Guid StreamId, [property: MaxLength(DocumentedBounds.AnyCount)] IReadOnlyList<AuditEntry> Events);

/// <summary>A stream's state as it was at <see cref="Version"/> (the last event recorded at or before the time asked for).</summary>
public sealed record StateAsOf(
    Guid StreamId,
    [property: MaxLength(WardNames.MaxIdLength)] string Ward,
    [property: MaxLength(BusinessEvents.MaxTypeNameLength)] string StateType,
    [property: Range(1, long.MaxValue)] long Version,
    DateTimeOffset RecordedAt,
    JsonNode? State);

/// <summary>
/// The audit endpoints every service has, under <c>/audit/{service}</c> (through the gateway
/// <c>/api/audit/{service}</c>), for the police and auditors: a stream's events, its state as of a version or a time, the log
/// as NDJSON, the integrity check of the chain, and the checkpoints this service holds.
/// </summary>
public static class AuditEndpoints
{
    private const int FlushEvery = 256;

    /// <summary>The longest <c>types</c> filter of the global log (event type names separated by commas).</summary>
    public const int MaxTypesLength = 4000;

    private static readonly ReadOnlyMemory<byte> Newline = "\n"u8.ToArray();

    public static IEndpointRouteBuilder MapAudit(this IEndpointRouteBuilder endpoints, string serviceName)
    {
        var audit = endpoints.MapGroup($"/audit/{serviceName}").WithTags("Audit").RequireAuthorization(WardLinkPolicies.Audit);
        audit.MapGet("/streams/{id:guid}", Stream)
            .WithName("AuditStream")
            .Produces<StreamAudit>()
            .WithSummary("A stream's events with their chain links: type, version, sequence, recorded and business time, actor, correlation, data without personal data; for auditors every text the event does not name as shown to them is withheld (its data hash still verifies); for everyone, what the event's type does not declare is \"[withheld: not of its type]\". One an insider put at a sequence of 0 or below is shown there too; one flagged archived is not.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        audit.MapGet("/streams/{id:guid}/state", State)
            .WithName("AuditStateAsOf")
            .Produces<StateAsOf>()
            .WithSummary("A stream's state as of a version (?version=) or a time (?at=: the last event recorded at or before it, by recordedAt, not its business time), without personal data; for auditors without text the state does not name as shown to them.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);
        audit.MapGet("/log", Log)
            .WithName("AuditLog")
            .Produces<AuditEntry>(StatusCodes.Status200OK, AuditLines.ContentType)
            .WithSummary("The log after a sequence as NDJSON, one event and its link a line: ?after= (none: from the first row, one an insider put at a sequence of 0 or below too), ?types=a,b, ?from=, ?to= (recorded time), ?limit=. It ends before a sequence still being written, so paging on with after= the last sequence read misses no event.")
            .ProducesValidationProblem();
        audit.MapGet("/integrity", (HttpContext http, AuditLog log, AuditStorage storage, CheckpointKeys keys, IOptions<AuditOptions> options, CancellationToken ct) =>
                Integrity(http, serviceName, log, storage, keys, options.Value.CheckpointEvery, ct))
            .WithName("AuditIntegrity")
            .Produces<IntegrityReport>()
            .WithSummary("Recomputes the chain from the log and reports whether it is complete and intact: the first broken link (a cut head or tail included; an event at a sequence of 0 or below, where the chain never starts, unchainedEvent there; an event flagged archived, missingEvent; a time beyond what .NET reads, as changed), which of the service's own checkpoints agree and carry its signature, and the unwitnessed tail (events after the last checkpoint published to the peers). A report whatever the stored rows hold, never an error.");
        // A name of another form than the document's is a path no operation takes (NameConstraints): the 404 whoever asks.
        audit.MapGet($"/checkpoints/{{service:{NameConstraints.ServiceName}}}", async ([MaxLength(ServiceIdentity.MaxNameLength), RegularExpression(ServiceIdentity.NamePattern)] string service, AuditStorage storage, CheckpointKeys keys, CancellationToken ct) =>
                service != serviceName && !keys.Knows(service)
                    ? Results.Problem(title: $"No service '{service}' is known here: no key of it is configured.", statusCode: StatusCodes.Status404NotFound)
                    : Results.Ok(await storage.CheckpointsOfAsync(service, serviceName, ct)))
            .WithName("AuditCheckpoints")
            .Produces<IReadOnlyList<CheckpointCopy>>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithMaxItems(DocumentedBounds.AnyCount)
            .WithSummary("The checkpoints of a service's chain held here: this service's own, or the copies it received of another's.");
        return endpoints;
    }

    private static async Task<IResult> Stream(Guid id, HttpContext http, IQuerySession session, AuditedStates states, AuditLog log, CancellationToken ct)
    {
        if (!await states.HoldsAsync(session, id, ct))
        {
            return StreamResults.NotFound("Stream", id);
        }

        var events = await log.ReadAsync(new AuditLogFilter(StreamId: id, Tenants: [session.TenantId]), http.Audience(), ct).ToListAsync(ct);
        return Results.Ok(new StreamAudit(id, events));
    }

    private static async Task<IResult> State(
        Guid id, [Range(1, long.MaxValue)] long? version, DateTimeOffset? at, HttpContext http, IQuerySession session, AuditStorage storage, AuditedStates states, IOptions<JsonOptions> json, CancellationToken ct)
    {
        var errors = new FieldErrors()
            .Check(version is null || at is null, "version", "Ask for a version or a time, not both.")
            .Check(version is null or >= 1, "version", "Versions start at 1.");
        if (errors.Any)
        {
            return errors.ToRejection().ToProblem();
        }

        await using var connection = await storage.OpenAsync(ct);
        await using var command = new NpgsqlCommand(
            $"select s.type, max(e.version), {AuditStorage.ReadableTimeSql("max(e.timestamp)")} from {storage.Events} e join {storage.Streams} s on s.id = e.stream_id and s.tenant_id = e.tenant_id " +
            "where e.stream_id = @id and e.tenant_id = @tenant and (@version::bigint is null or e.version <= @version) and (@at::timestamptz is null or e.timestamp <= @at) group by s.type",
            connection);
        command.Parameters.AddWithValue("id", id);

        // Only a stream of the request's ward: one of another is, to this caller, a stream nobody recorded.
        command.Parameters.AddWithValue("tenant", session.TenantId);
        command.Parameters.AddWithValue("version", (object?)version ?? DBNull.Value);

        // The recorded times are PostgreSQL's, in whole microseconds: the last one at or before the time asked for.
        command.Parameters.AddWithValue("at", at is { } asked ? ExactTimes.FloorMicrosecond(asked) : DBNull.Value);
        // A stream that is no audited record (a yearly counter) is answered word for word as a stream nobody recorded, whatever
        // version is asked (a 400 would say how many it has).
        IResult NoSuchStream() => at is null ? StreamResults.NotFound("Stream", id) : Results.Problem(title: $"Stream {id} did not exist at {at:O}.", statusCode: StatusCodes.Status404NotFound);
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
        {
            return NoSuchStream();
        }

        var alias = reader.IsDBNull(0) ? null : reader.GetString(0);
        var asOf = reader.GetInt64(1);
        var recordedAt = reader.GetFieldValue<DateTimeOffset>(2);
        if (states.Types.FirstOrDefault(type => type.Name.ToTableAlias() == alias) is not { } stateType)
        {
            return NoSuchStream();
        }

        if (version > asOf)
        {
            return new FieldErrors().Check(false, "version", $"Stream {id} has {asOf} versions.").ToRejection().ToProblem();
        }

        var state = await states.AggregateAsync(stateType, session, id, asOf, ct);
        var node = JsonSerializer.SerializeToNode(state, stateType, json.Value.SerializerOptions);
        return Results.Ok(new StateAsOf(id, WardOfWork.Id, stateType.Name, asOf, recordedAt, AuditRedaction.Redact(node, stateType, http.Audience())));
    }

    private static async Task<IResult> Log(
        HttpContext http,
        [Range(0, long.MaxValue)] long? after,
        [MaxLength(MaxTypesLength)] string? types,
        DateTimeOffset? from,
        DateTimeOffset? to,
        [Range(1, int.MaxValue)] int? limit,
        AuditLog log, IOptions<JsonOptions> json, CancellationToken ct)
    {
        var typeList = types?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var errors = new FieldErrors()
            .Check(after is null or >= 0, "after", "A sequence number, 0 or more.")
            .Check(limit is null or >= 1, "limit", "At least 1.")
            .Check(types is null || typeList!.Length > 0, "types", "Event type names separated by commas.")
            .CheckLength(types, "types", MaxTypesLength)
            .CheckTimeRange(from, to, "to");
        if (errors.Any)
        {
            return errors.ToRejection().ToProblem();
        }

        http.Response.ContentType = AuditLines.ContentType;

        // Each line serialised straight into the response's pipe, sent every FlushEvery lines (a write to
        // the body stream sent each line on its own).
        var body = http.Response.BodyWriter;
        await using var line = new Utf8JsonWriter(body, new JsonWriterOptions { Encoder = json.Value.SerializerOptions.Encoder, SkipValidation = true });
        var lines = 0;
        var tenants = WardsReadHere(http).Select(http.RequestServices.GetRequiredService<WardTenants>().TenantOf).ToList();
        await foreach (var entry in log.ReadAsync(new AuditLogFilter(after ?? AuditLogFilter.FromTheFirstRow, null, typeList, from, to, limit, tenants, Settled: true), http.Audience(), ct))
        {
            JsonSerializer.Serialize(line, entry, AuditLines.Default.AuditEntry);
            line.Flush();
            line.Reset();
            body.Write(Newline.Span);
            if (++lines % FlushEvery == 0)
            {
                await body.FlushAsync(ct);
            }
        }

        return Results.Empty;
    }

    /// <summary>
    /// The wards the caller reads (a province-level client reads every ward of its province) that the request's ward's database
    /// keeps: each database chains its own events (<see cref="WardDatabases"/>).
    /// </summary>
    private static List<string> WardsReadHere(HttpContext http)
    {
        var databases = http.RequestServices.GetRequiredService<WardDatabases>();
        var chain = databases.DatabaseOf(http.Ward().Ward.Id);
        return [.. http.Ward().Spans.Where(ward => databases.DatabaseOf(ward) == chain)];
    }

    /// <summary>
    /// The chain of the whole database, checked: whether it is intact, where it first breaks and how, for every caller; what was
    /// chained and what is found there only where one of them names a ward the caller reads (none: the home ward, as the log
    /// reads them), as the log shows a caller only its wards' entries.
    /// </summary>
    private static async Task<IResult> Integrity(HttpContext http, string serviceName, AuditLog log, AuditStorage storage, CheckpointKeys keys, long checkpointEvery, CancellationToken ct)
    {
        // Checkpoints first, then the log: the log read later reaches at least as far as they do.
        // No peer's copy is at hand here (services never call each other), so what the broker
        // confirmed it carries to the peers stands for what they witnessed.
        var published = await storage.PublishedThroughAsync(serviceName, ct);
        var verifier = new ChainVerifier(serviceName, await storage.CheckpointsOfAsync(serviceName, serviceName, ct), keys, copy => copy.Sequence <= published, checkpointEvery);
        await foreach (var entry in log.ReadAsync(new AuditLogFilter(), Audience.Auditor, ct))
        {
            verifier.Add(entry);
        }

        var report = verifier.Report();
        var read = WardsReadHere(http);
        var home = http.RequestServices.GetRequiredService<WardTenants>().Home;
        return Results.Ok(report.FirstBroken is { } broken && !new[] { broken.Chained, broken.Found }.Any(fields => fields is not null && read.Contains(fields.Ward ?? home))
            ? report with { FirstBroken = broken with { Chained = null, Found = null } }
            : report);
    }
}
