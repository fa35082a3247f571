using WardLink.Gateway;
using WardLink.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddWardLinkTelemetry(GatewayService.Name);
builder.AddWardLinkHealth();
builder.AddWardLinkProblemDetails();
builder.AddWardLinkRequestLimits();
builder.AddWardLinkRateLimits();
builder.AddWardLinkProxy();
builder.AddWardLinkApiDocument();
builder.AddWardLinkAnnualReport();

var app = builder.Build();

// Order matters: headers on every answer (errors too); problem details for whatever fails below;
// oversized bodies refused before routing; routing, then (once added) authentication and
// authorization, so the rate limiter partitions by the authenticated client; then the endpoints.
app.UseWardLinkSecurityHeaders();
app.UseWardLinkProblemDetails();
app.UseWardLinkRequestLimits();
app.UseRouting();
app.UseRateLimiter();

app.MapWardLinkHealth();
app.MapWardLinkApiDocument();
app.MapWardLinkAnnualReport();
app.MapReverseProxy();
app.Run();
