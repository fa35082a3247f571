using JasperFx.Events.Projections;
using WardLink.EventSourcing;
using WardLink.EventSourcing.Wards;
using WardLink.Tips;

var app = WardLinkApp.Build(args, TipsService.Name, service =>
{
    service.KeepsPartnerDirectory = true;
    service.Publishes = new TipsIntegrationEvents();
    service.Services = services =>
    {
        ContactVault.Register(services);
        services.AddSingleton<IncidentNews>();
    };
    service.Bus = bus =>
    {
        bus.AddConsumer<IncidentReportedConsumer>();
        bus.AddConsumer<IncidentResolvedConsumer>();
        bus.AddConsumer<IncidentReopenedConsumer>();
        bus.AddConsumer<TipUnlinkedFromIncidentConsumer>();
    };
    service.AuditedStates.Add<TipState>();
    // A tip read or written in a request is of the request's ward (a request on a tip acts in the tip's).
    service.Views.Add<TipState, TipPoliceView>(tip => TipPoliceView.Of(tip, WardOfWork.Id), tip => TipPartnerView.Of(tip, WardOfWork.Id));
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
