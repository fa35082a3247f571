using System.Text.Json.Serialization;
using Marten;
using WardLink.Contracts.Incidents;
using WardLink.EventSourcing;

namespace WardLink.Patrols;

/// <summary>
/// An incident the incidents service opened, as coverage needs it: where and when it occurred. It is kept
/// in the incident's ward (its message's); <see cref="TenantId"/> is that ward's tenant, set by the store when it reads the row.
/// </summary>
public sealed record SiteIncident(Guid Id, string CaseNumber, Guid? SiteId, IncidentClassification Classification, DateTimeOffset OccurredAt) : Marten.Metadata.ITenanted
{
    [JsonIgnore]
    public string? TenantId { get; set; }
}

/// <summary>Keeps <see cref="SiteIncident"/> from <see cref="IncidentReported"/> in the incident's ward, so coverage can set incidents against hours patrolled there.</summary>
public sealed class IncidentReportedConsumer(IDocumentSession session, TimeProvider clock) : IdempotentConsumer<IncidentReported>(session, clock)
{
    protected override Task ApplyAsync(IncidentReported message, IDocumentSession session, CancellationToken cancellationToken)
    {
        session.Store(new SiteIncident(message.IncidentId, message.CaseNumber, message.SiteId, message.Classification, message.OccurredAt));
        return Task.CompletedTask;
    }
}
