using JasperFx.Events.Projections;
using WardLink.EventSourcing;
using WardLink.Partners;

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
    };
    service.ReadModels
        .Add<PartnerRows, PartnerRow>()
        .Add<LinkageSteps, LinkageStep>()
        .Add<ActionItemRows, ActionItemRow>();
    service.AuditedStates
        .Add<PartnerState>().Add<SiteState>().Add<CameraState>().Add<ChannelState>().Add<MeetingState>()
        .Add<OutreachSessionState>().Add<IdCardDriveState>().Add<WarningSignsState>();
});
app.MapPartnerEndpoints();
app.MapPartnerQueries();
app.MapLinkageEndpoints();
app.Run();
