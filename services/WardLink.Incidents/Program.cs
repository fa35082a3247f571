using WardLink.EventSourcing;
using WardLink.Incidents;

var app = WardLinkApp.Build(args, IncidentsService.Name, service =>
{
    service.KeepsSiteDirectory = true;
    service.Publishes = new IncidentsIntegrationEvents();
    service.Store = IncidentQueries.AddIncidentReadModel;
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
