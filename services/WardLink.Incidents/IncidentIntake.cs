using Marten;
using WardLink.Domain;
using WardLink.EventSourcing;
using WardLink.EventSourcing.Wards;

namespace WardLink.Incidents;

/// <summary>Opening an incident, the same way from an HTTP report and from another service's message.</summary>
public static class IncidentIntake
{
    /// <summary>
    /// Reserves the next case number of the session's ward and the local year of <paramref name="now"/>
    /// in the session (committed only with the incident, so a refused report leaves no gap), looks up
    /// the ward and the site's (a site not known yet waits, as a message does) and decides the report.
    /// </summary>
    public static async Task<Decision> DecideReportAsync(
        this IDocumentSession session, ReportIncident report, WardTenants wards, DateTimeOffset now, string actor, CancellationToken ct)
    {
        var (ward, siteWard) = await session.LookUpWardsOfMessageAsync(report.Place, wards, report.OccurredAt ?? now, ct);
        return Incident.Report(
            null,
            report with
            {
                CaseNumber = await session.ReserveNumberAsync(Incident.CaseNumberPrefix, now, report.IncidentId, ct),
                SiteWard = siteWard,
                Ward = ward,
            },
            now,
            actor);
    }

    /// <summary>
    /// Opens an incident reported over HTTP in the ward the work acts in, with the ward's next case
    /// number of the local year of <paramref name="now"/>, committed with the other reports of its
    /// ward and year that arrived meanwhile (<see cref="NumberedRecords"/>): the new incident's state
    /// (from its event, not read back), or the report's rejection (no number taken).
    /// </summary>
    public static async Task<(Rejection? Rejection, IncidentState? Incident)> RecordReportAsync(
        this NumberedRecords records, ISessionFactory sessions, WardTenants wards, ReportIncident report, WardAccess seenBy, DateTimeOffset now, string actor, CancellationToken ct)
    {
        await using (var lookup = sessions.QuerySession())
        {
            var (ward, siteWard) = await lookup.LookUpWardsAsync(report.Place, wards, seenBy, report.OccurredAt ?? now, ct);
            report = report with { Ward = ward, SiteWard = siteWard };
        }

        IncidentState? opened = null;
        var rejection = await records.RecordAsync(
            Incident.CaseNumberPrefix,
            now,
            report.IncidentId,
            (session, number) =>
            {
                var decision = Incident.Report(null, report with { CaseNumber = number }, now, actor);
                if (decision.Rejection is null)
                {
                    session.Events.StartStream<IncidentState>(report.IncidentId, decision.Events);
                    opened = IncidentState.Create((IncidentReported)decision.Events.Single());
                }

                return decision.Rejection;
            },
            ct);
        return (rejection, opened);
    }

    /// <summary>The events of an accepted decision taken on a message; a refused one is a malformed message.</summary>
    public static IReadOnlyList<object> EventsOrThrow(this Decision decision, string message) =>
        decision.Rejection is { } rejection
            ? throw new InvalidMessageException($"{message} was refused: {rejection.Title} {string.Join(" ", rejection.Errors?.Select(error => $"{error.Key}: {string.Join(" ", error.Value)}") ?? [])}".TrimEnd())
            : decision.Events;
}
