using WardLink.EventSourcing;
using WardLink.Partners;

var app = WardLinkApp.Build(args, PartnersService.Name, service =>
{
    service.Publishes = new PartnersIntegrationEvents();
    service.Store = store =>
    {
        PartnerQueries.AddPartnerReadModels(store);
        WebhookComposition.AddWebhookStorage(store);
    };
    service.Services = services => services
        .AddWebhooks()
        .AddSingleton(OverdueSweepOptions.Default)
        .AddHostedService<OverdueActionItemSweep>();
    service.Bus = bus => bus.AddWebhookFanOut();
    service.Views.Add<WebhookState, WebhookView>(WebhookView.Of, WebhookView.Of);
    service.AuditedStates
        .Add<PartnerState>().Add<SiteState>().Add<CameraState>().Add<ChannelState>().Add<MeetingState>()
        .Add<OutreachSessionState>().Add<IdCardDriveState>().Add<WarningSignsState>().Add<WebhookState>();
});
app.MapPartnerEndpoints();
app.MapPartnerQueries();
app.MapLinkageEndpoints();
app.MapWebhookEndpoints();
app.Run();
