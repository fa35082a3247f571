using WardLink.Gateway;
using WardLink.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddWardLinkTelemetry(GatewayService.Name);
builder.AddWardLinkHealth();
builder.AddWardLinkProblemDetails();
builder.AddWardLinkProxy();

var app = builder.Build();
app.UseWardLinkProblemDetails();
app.MapWardLinkHealth();
app.MapReverseProxy();
app.Run();
