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
builder.AddWardLinkHealth();
builder.AddWardLinkProblemDetails();
builder.AddDevelopmentAuthSettings();
builder.AddWardLinkTokenIssuer();
builder.AddWardLinkGatewayAuthorization();
builder.AddWardLinkProxy();

var app = builder.Build();
app.UseWardLinkProblemDetails();
app.UseAuthentication();
app.UseAuthorization();
app.MapWardLinkHealth();
app.MapWardLinkTokenEndpoint();
app.MapReverseProxy();
app.Run();
