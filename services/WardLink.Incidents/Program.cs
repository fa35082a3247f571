using WardLink.Incidents;
using WardLink.ServiceDefaults;

var app = WardLinkApp.Build(args, IncidentsService.Name);
app.Run();
