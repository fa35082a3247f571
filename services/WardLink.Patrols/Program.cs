using WardLink.Patrols;
using WardLink.ServiceDefaults;

var app = WardLinkApp.Build(args, PatrolsService.Name, service => service.KeepsSiteDirectory = true);
app.Run();
