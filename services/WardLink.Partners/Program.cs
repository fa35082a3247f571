using WardLink.Partners;
using WardLink.ServiceDefaults;

var app = WardLinkApp.Build(args, PartnersService.Name);
app.Run();
