using Marten;
using MassTransit;
using Microsoft.AspNetCore.Builder;

namespace WardLink.ServiceDefaults;

/// <summary>Builds a WardLink service with every shared concern, so a service's Program.cs only adds its features.</summary>
public static class WardLinkApp
{
    public static WebApplication Build(
        string[] args,
        string serviceName,
        Action<StoreOptions>? configureStore = null,
        Action<IBusRegistrationConfigurator>? configureBus = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddWardLinkService(serviceName);
        builder.AddWardLinkEventStore(serviceName, configureStore);
        builder.AddWardLinkMessaging(serviceName, configureBus);

        var app = builder.Build();
        app.UseWardLinkService();
        return app;
    }
}
