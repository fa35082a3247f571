using WardLink.ServiceDefaults;
using WardLink.Tips;

var app = WardLinkApp.Build(args, TipsService.Name, service => service.KeepsSiteDirectory = true);
app.MapTipEndpoints();
app.Run();
