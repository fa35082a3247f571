using WardLink.Patrols;
using WardLink.ServiceDefaults;

var app = WardLinkApp.Build(args, PatrolsService.Name);
app.Run();
