using WardLink.Partners;
using WardLink.ServiceDefaults;

var app = WardLinkApp.Build(args, PartnersService.Name, service =>
{
    service.Publishes = new PartnersIntegrationEvents();
    service.Store = PartnerQueries.AddPartnerReadModels;
});
app.MapPartnerEndpoints();
app.MapPartnerQueries();
app.MapLinkageEndpoints();
app.Run();
