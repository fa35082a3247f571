using WardLink.Incidents;
using WardLink.ServiceDefaults;

var app = WardLinkApp.Build(args, IncidentsService.Name, service => service.KeepsSiteDirectory = true);
app.Run();
