using Marten;
using WardLink.Contracts.Incidents;
using WardLink.EventSourcing;

namespace WardLink.Patrols;

/// <summary>An incident the incidents service opened, as coverage needs it: where and when it occurred.</summary>
public sealed record SiteIncident(Guid Id, string CaseNumber, Guid? SiteId, IncidentClassification Classification, DateTimeOffset OccurredAt);

/// <summary>Keeps <see cref="SiteIncident"/> from <see cref="IncidentReported"/>, so coverage can set incidents against hours patrolled.</summary>
public sealed class IncidentReportedConsumer(IDocumentSession session, TimeProvider clock) : IdempotentConsumer<IncidentReported>(session, clock)
{
    protected override Task ApplyAsync(IncidentReported message, IDocumentSession session, CancellationToken cancellationToken)
    {
        session.Store(new SiteIncident(message.IncidentId, message.CaseNumber, message.SiteId, message.Classification, message.OccurredAt));
        return Task.CompletedTask;
    }
}
