using JasperFx.Events.Projections;
using WardLink.EventSourcing;
using WardLink.Incidents;

var app = WardLinkApp.Build(args, IncidentsService.Name, service =>
{
    service.KeepsSiteDirectory = true;
    service.Publishes = new IncidentsIntegrationEvents();
    service.Store = store => store.Projections.Snapshot<IncidentState>(SnapshotLifecycle.Inline);
    service.ReadModels.Add<IncidentRows, IncidentRow>();
    service.AuditedStates.Add<IncidentState>();
    service.Views.Add<IncidentState, IncidentPoliceView>(IncidentPoliceView.Of, IncidentPartnerView.Of);
    service.Bus = bus =>
    {
        bus.AddConsumer<TipReferredConsumer>();
        bus.AddConsumer<PatrolObservationReportedConsumer>();
    };
});
app.MapIncidentEndpoints();
app.MapIncidentQueries();
app.Run();
