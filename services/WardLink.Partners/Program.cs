using WardLink.EventSourcing;
using WardLink.Partners;

var app = WardLinkApp.Build(args, PartnersService.Name, service =>
{
    service.Publishes = new PartnersIntegrationEvents();
    service.Store = PartnerQueries.AddPartnerReadModels;
    service.AuditedStates
        .Add<PartnerState>().Add<SiteState>().Add<CameraState>().Add<ChannelState>().Add<MeetingState>()
        .Add<OutreachSessionState>().Add<IdCardDriveState>().Add<WarningSignsState>();
});
app.MapPartnerEndpoints();
app.MapPartnerQueries();
app.MapLinkageEndpoints();
app.Run();
