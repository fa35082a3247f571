using WardLink.Partners;
using WardLink.ServiceDefaults;

var app = WardLinkApp.Build(args, PartnersService.Name, service => service.Publishes = new PartnersIntegrationEvents());
app.MapPartnerEndpoints();
app.Run();
