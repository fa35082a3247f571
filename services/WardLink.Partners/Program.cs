using JasperFx.Events.Projections;
using WardLink.EventSourcing;
using WardLink.EventSourcing.Wards;
using WardLink.Partners;
using WardLink.ServiceDefaults.Security;

var app = WardLinkApp.Build(args, PartnersService.Name, service =>
{
    service.Publishes = new PartnersIntegrationEvents();
    service.Store = store =>
    {
        store.Projections.Snapshot<PartnerState>(SnapshotLifecycle.Inline);
        store.Projections.Snapshot<CameraState>(SnapshotLifecycle.Inline);
        store.Projections.Snapshot<MeetingState>(SnapshotLifecycle.Inline);
        store.Projections.Snapshot<OutreachSessionState>(SnapshotLifecycle.Inline);
        store.Projections.Snapshot<IdCardDriveState>(SnapshotLifecycle.Inline);
        store.Projections.Snapshot<WarningSignsState>(SnapshotLifecycle.Inline);
        WebhookComposition.AddWebhookStorage(store);
        store.AddWardStorage();
    };
    service.ReadModels
        .Add<PartnerRows, PartnerRow>()
        .Add<LinkageSteps, LinkageStep>()
        .Add<ActionItemRows, ActionItemRow>();
    service.Services = services => services
        .AddWebhooks()
        .AddSingleton<IPartnerStandingCheck, PartnerStandingOfRecord>()
        .AddSingleton(OverdueSweepSchedule.Default)
        .AddHostedService<OverdueActionItemSweep>()
        .AddHostedService<HomeWardEstablishment>();
    service.Bus = bus => bus.AddWebhookFanOut();
    service.Views
        .Add<WebhookState, WebhookView>(webhook => WebhookView.Of(webhook, WardOfWork.Id), webhook => WebhookView.Of(webhook, WardOfWork.Id))
        .Add<WardState, WardView>(WardView.Of, WardView.Of)
        .AddPartnerViews();
    service.AuditedStates
        .Add<PartnerState>().Add<SiteState>().Add<CameraState>().Add<ChannelState>().Add<MeetingState>()
        .Add<OutreachSessionState>().Add<IdCardDriveState>().Add<WarningSignsState>().Add<WebhookState>().Add<WardState>();
});
app.MapPartnerEndpoints();
app.MapPartnerQueries();
app.MapLinkageEndpoints();
app.MapWebhookEndpoints();
app.MapWardEndpoints();
app.Run();
