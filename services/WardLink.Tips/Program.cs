using WardLink.ServiceDefaults;
using WardLink.Tips;

var app = WardLinkApp.Build(args, TipsService.Name);
app.MapTipEndpoints();
app.Run();
