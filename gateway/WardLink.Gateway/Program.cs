using WardLink.Gateway;
using WardLink.ServiceDefaults;
using WardLink.ServiceDefaults.Security;

if (args is ["hash-secret", var secret])
{
    // For configuring a client: prints the hash to put in Auth:Clients:{id}:SecretHash.
    Console.WriteLine(ClientSecrets.Hash(secret));
    return;
}

var builder = WebApplication.CreateBuilder(args);
builder.AddWardLinkTelemetry(GatewayService.Name);
builder.AddWardLinkCallerTraces();
builder.AddWardLinkHealth();
builder.AddWardLinkProblemDetails();
builder.AddWardLinkClientAddresses();
builder.AddDevelopmentAuthSettings();
builder.AddWardLinkPartnerStanding();
builder.AddWardLinkTokenIssuer();
builder.AddWardLinkGatewayAuthorization();
builder.AddWardLinkSecurityHeaders();
builder.AddWardLinkCors();
builder.AddWardLinkRequestLimits();
builder.AddWardLinkAdmission();
builder.AddWardLinkRateLimits();
builder.AddWardLinkProxy();
builder.AddWardLinkApiDocument();
builder.AddWardLinkRequestShape();
builder.AddWardLinkAnnualReport();

var app = builder.Build();

// Order matters: the caller's address (from a trusted proxy's X-Forwarded-For) first, so the rate
// limiter, logs and traces see the real caller; headers on every answer (errors too); problem
// details for whatever fails below; a browser's preflight from an origin Cors:Origins names answered once its header values
// are checked (what CORS echoes among them; its origin named on every answer, every refusal below too), taking no turn and
// counted against no window; header values checked; a body in a content coding refused; bodies read whole (within Limits:MaxBodyReadTime), oversized ones
// refused, before admission, so a client trickling a body in holds no turn; admission control (past
// its bound a 503 at once, before any other work);
// routing, its words in the documents' letter case (ExactPaths); a token request's window by address (OpenIddict refuses a wrong secret within authentication),
// then its shape (a POST, else a 405 problem; a form, else a 415 problem);
// authentication, so the client's rate window is the authenticated client's (and a client's own trace is linked: its
// trace context is never continued, CallerTraces); the rate
// limiter before authorization, so refused requests (guessed tokens) count too; an anonymous address's and a partner's requests in
// flight bounded, so one that does not read its answers holds few admission turns; routing's own refusals
// (a method the path does not take: 405), counted as every request is; a proxied path's method no document writes (CONNECT,
// a method in lower case: 405, RequestShape), whoever sends it; a partner's token
// only while the partner is in good standing; authorization (whose refusals, and the partner's, give way
// to the request's shape: 405, 415, as the services judge it, RequestShape); then the endpoints and the
// proxied routes; a query of the gateway's own operations names only what their document declares (a proxied one's is
// the service's to judge).
app.UseWardLinkClientAddresses();
app.UseWardLinkSecurityHeaders();
app.UseWardLinkProblemDetails();
app.UseWardLinkCors();
app.UseWardLinkHeaderValues();
app.UseWardLinkContentCodings();
app.UseWardLinkRequestLimits();
app.UseWardLinkAdmission();
app.UseRouting();
app.UseWardLinkExactPaths();
app.UseWardLinkTokenRateLimit();
app.UseWardLinkTokenRequestShape();
app.UseAuthentication();
app.UseWardLinkCallerTraceLinks();
app.UseWardLinkClientWindows();
app.UseWardLinkInFlightShares();
app.UseRoutingRejections();
app.UseWardLinkProxiedMethods();
app.UseWardLinkPartnerStanding();
app.UseAuthorization();
app.UseWardLinkDeclaredQueries(ApiDocument.OwnOperationsAsync);
app.UseWardLinkQueryForms();

app.MapWardLinkGatewayHealth();
app.MapWardLinkTokenEndpoint();
app.MapWardLinkApiDocument();
app.MapWardLinkAnnualReport();
app.MapWardLinkProxy();
app.Run();
