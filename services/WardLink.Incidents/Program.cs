using JasperFx.Events.Projections;
using WardLink.EventSourcing;
using WardLink.EventSourcing.Wards;
using WardLink.Incidents;

var app = WardLinkApp.Build(args, IncidentsService.Name, service =>
{
    service.KeepsPartnerDirectory = true;
    service.Publishes = new IncidentsIntegrationEvents();
    service.Store = store => store.Projections.Snapshot<IncidentState>(SnapshotLifecycle.Inline);
    service.ReadModels.Add<IncidentRows, IncidentRow>();
    service.AuditedStates.Add<IncidentState>();
    // An incident read or written in a request is of the request's ward (a request on an incident acts in the incident's).
    service.Views.Add<IncidentState, IncidentPoliceView>(
        incident => IncidentPoliceView.Of(incident, WardOfWork.Id), incident => IncidentPartnerView.Of(incident, WardOfWork.Id));
    service.Bus = bus =>
    {
        // Both versions of the referral on one queue, incidents-tip-referred: a v1 still queued at an upgrade is read too.
        bus.AddConsumer<TipReferredConsumer>();
        bus.AddConsumer<TipReferredV1Consumer>().Endpoint(endpoint => endpoint.Name = $"{IncidentsService.Name}-tip-referred");
        bus.AddConsumer<PatrolObservationReportedConsumer>();
    };
});
app.MapIncidentEndpoints();
app.MapIncidentQueries();
app.Run();
