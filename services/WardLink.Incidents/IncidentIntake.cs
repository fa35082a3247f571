using Marten;
using WardLink.Domain;
using WardLink.EventSourcing;
using WardLink.EventSourcing.Sites;

namespace WardLink.Incidents;

/// <summary>Opening an incident, the same way from an HTTP report and from another service's message.</summary>
public static class IncidentIntake
{
    /// <summary>
    /// Reserves the next case number of the local year of <paramref name="now"/> in the session
    /// (committed only with the incident, so a refused report leaves no gap), checks the site
    /// against the site directory and decides the report.
    /// </summary>
    public static async Task<Decision> DecideReportAsync(
        this IDocumentSession session, ReportIncident report, DateTimeOffset now, string actor, CancellationToken ct) =>
        Incident.Report(
            null,
            report with
            {
                CaseNumber = await session.ReserveNumberAsync(Incident.CaseNumberPrefix, now, report.IncidentId, ct),
                SiteKnown = await session.SiteKnownAsync(report.Place, ct),
            },
            now,
            actor);

    /// <summary>
    /// Opens an incident reported over HTTP with the next case number of the local year of
    /// <paramref name="now"/>, committed with the other reports of its year that arrived meanwhile
    /// (<see cref="NumberedRecords"/>): the new incident's state (from its event, not read back), or
    /// the report's rejection (no number taken).
    /// </summary>
    public static async Task<(Rejection? Rejection, IncidentState? Incident)> RecordReportAsync(
        this NumberedRecords records, ISessionFactory sessions, ReportIncident report, DateTimeOffset now, string actor, CancellationToken ct)
    {
        bool siteKnown;
        await using (var lookup = sessions.QuerySession())
        {
            siteKnown = await lookup.SiteKnownAsync(report.Place, ct);
        }

        IncidentState? opened = null;
        var rejection = await records.RecordAsync(
            Incident.CaseNumberPrefix,
            now,
            report.IncidentId,
            (session, number) =>
            {
                var decision = Incident.Report(null, report with { CaseNumber = number, SiteKnown = siteKnown }, now, actor);
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
