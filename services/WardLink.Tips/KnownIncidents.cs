using Marten;
using WardLink.Contracts.Incidents;
using WardLink.EventSourcing;

namespace WardLink.Tips;

/// <summary>
/// An incident tips knows exists, from the incidents service's <see cref="IncidentReported"/>: a
/// referral to an existing incident names one of these, so a referral to an incident that does not
/// exist is refused at once instead of being parked in the incidents service's error queue.
/// </summary>
public sealed record KnownIncident(Guid Id, string CaseNumber, DateTimeOffset ReportedAt);

/// <summary>Keeps the incident directory: one row per incident reported in incidents.</summary>
public sealed class IncidentReportedConsumer(IDocumentSession session, TimeProvider clock)
    : IdempotentConsumer<IncidentReported>(session, clock)
{
    protected override Task ApplyAsync(IncidentReported message, IDocumentSession session, CancellationToken cancellationToken)
    {
        if (message.IncidentId == Guid.Empty || string.IsNullOrWhiteSpace(message.CaseNumber))
        {
            throw new InvalidMessageException($"IncidentReported for incident '{message.IncidentId}' is not a valid incident.");
        }

        session.Store(new KnownIncident(message.IncidentId, message.CaseNumber, message.ReportedAt));
        return Task.CompletedTask;
    }
}
