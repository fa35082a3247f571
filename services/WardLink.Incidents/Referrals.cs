using Marten;
using WardLink.Contracts.Incidents;
using WardLink.Contracts.Patrols;
using WardLink.Contracts.Tips;
using WardLink.ServiceDefaults;
using WardLink.ServiceDefaults.Sites;

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
        this IDocumentSession session, Guid incidentId, Func<string, ReportIncident> command, DateTimeOffset now, CancellationToken ct)
    {
        var report = command(await session.ReserveNumberAsync(Incident.CaseNumberPrefix, now, incidentId, ct));
        var siteKnown = report.Place?.SiteId is not { } siteId || await session.LoadAsync<KnownSite>(siteId, ct) is not null;
        return Incident.Report(null, report, siteKnown, now);
    }

    /// <summary>The events of an accepted decision taken on a message; a refused one is a malformed message.</summary>
    public static IReadOnlyList<object> EventsOrThrow(this Decision decision, string message) =>
        decision.Rejection is { } rejection
            ? throw new InvalidMessageException($"{message} was refused: {rejection.Title} {string.Join(" ", rejection.Errors?.Select(error => $"{error.Key}: {string.Join(" ", error.Value)}") ?? [])}".TrimEnd())
            : decision.Events;
}

/// <summary>
/// A tip referred by the tips service: opens the incident with the id tips chose (sourced from
/// the tip, which is linked to it), or links the tip to an existing incident. A redelivery, or a
/// second referral naming the same new incident, opens nothing twice. A referral to an incident
/// unknown here cannot be applied: it is refused, retried by the bus and parked in the
/// <c>incidents-tip-referred_error</c> queue for an operator.
/// </summary>
public sealed class TipReferredConsumer(IDocumentSession session, TimeProvider clock) : IdempotentConsumer<TipReferred>(session, clock)
{
    protected override async Task ApplyAsync(TipReferred message, IDocumentSession session, CancellationToken cancellationToken)
    {
        var stream = await session.Events.FetchForWriting<IncidentState>(message.IncidentId, cancellationToken);
        var events = new List<object>();
        var incident = stream.Aggregate;
        if (incident is null)
        {
            if (!message.OpensNewIncident)
            {
                throw new InvalidMessageException($"Tip {message.TipNumber} was referred to incident {message.IncidentId}, which is not known here.");
            }

            var report = await session.DecideReportAsync(
                message.IncidentId,
                caseNumber => new ReportIncident(
                    message.IncidentId,
                    caseNumber,
                    Incident.ProvisionalClassification(message.Category),
                    message.Category,
                    message.Description,
                    new Place(message.SiteId, message.PlaceDescription, message.Latitude, message.Longitude),
                    message.ReceivedAt,
                    IncidentSource.Tip,
                    message.TipNumber,
                    message.ReferredBy),
                message.ReferredAt,
                cancellationToken);
            events.AddRange(report.EventsOrThrow($"Referral of tip {message.TipNumber}"));
            incident = IncidentState.Create((IncidentReported)events[0]);
        }

        if (!incident.LinkedTipIds.Contains(message.TipId))
        {
            events.AddRange(Incident.LinkTip(incident, message.TipId, message.TipNumber, message.ReferredAt, message.ReferredBy)
                .EventsOrThrow($"Referral of tip {message.TipNumber}"));
        }

        stream.AppendMany(events);
    }
}

/// <summary>
/// A patrol observation: when it needs an incident, opens one with the id patrols chose, sourced
/// from the patrol; a redelivery finds the incident already open and changes nothing.
/// </summary>
public sealed class PatrolObservationReportedConsumer(IDocumentSession session, TimeProvider clock)
    : IdempotentConsumer<PatrolObservationReported>(session, clock)
{
    protected override async Task ApplyAsync(PatrolObservationReported message, IDocumentSession session, CancellationToken cancellationToken)
    {
        if (!message.NeedsIncident)
        {
            return;
        }

        var incidentId = message.IncidentId is { } id && id != Guid.Empty
            ? id
            : throw new InvalidMessageException($"Patrol observation {message.ObservationId} needs an incident but names no incident id.");
        var stream = await session.Events.FetchForWriting<IncidentState>(incidentId, cancellationToken);
        if (stream.Aggregate is not null)
        {
            return;
        }

        var report = await session.DecideReportAsync(
            incidentId,
            caseNumber => new ReportIncident(
                incidentId,
                caseNumber,
                IncidentClassification.Other,
                SecurityCategory.Other,
                message.Description,
                new Place(message.SiteId, message.SiteId is null ? $"On patrol route {message.RouteId}" : null, null, null),
                message.ObservedAt,
                IncidentSource.Patrol,
                message.ObservationId.ToString(),
                message.ReportedBy),
            message.ObservedAt,
            cancellationToken);
        stream.AppendMany(report.EventsOrThrow($"Patrol observation {message.ObservationId}"));
    }
}
