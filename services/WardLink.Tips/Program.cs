using JasperFx.Events.Projections;
using WardLink.EventSourcing;
using WardLink.Tips;

var app = WardLinkApp.Build(args, TipsService.Name, service =>
{
    service.KeepsSiteDirectory = true;
    service.Publishes = new TipsIntegrationEvents();
    service.Services = ContactVault.Register;
    service.Bus = bus =>
    {
        bus.AddConsumer<IncidentReportedConsumer>();
        bus.AddConsumer<IncidentResolvedConsumer>();
        bus.AddConsumer<IncidentReopenedConsumer>();
    };
    service.AuditedStates.Add<TipState>();
    service.Views.Add<TipState, TipPoliceView>(TipPoliceView.Of, TipPartnerView.Of);
    service.ReadModels.Add<TipRows, TipRow>();
    service.Store = store =>
    {
        // The tip's state, kept inline as a document: what its decisions and views read.
        store.Projections.Snapshot<TipState>(SnapshotLifecycle.Inline);
        store.Schema.For<TipContact>();
        store.Schema.For<FollowUpAccess>();
        store.Schema.For<KnownIncident>();
    };
});
app.MapTipStatistics();
app.MapTipEndpoints();
app.MapPublicTipEndpoints();
app.Run();
