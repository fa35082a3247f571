using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using WardLink.ServiceDefaults.Audit;
using WardLink.ServiceDefaults.Sites;

namespace WardLink.ServiceDefaults;

/// <summary>Builds a WardLink service with every shared concern, so a service's Program.cs only adds its features.</summary>
public static class WardLinkApp
{
    public static WebApplication Build(string[] args, string serviceName, Action<WardLinkServiceOptions>? configure = null)
    {
        var service = new WardLinkServiceOptions();
        configure?.Invoke(service);

        var builder = WebApplication.CreateBuilder(args);
        builder.Services.AddSingleton(new ServiceIdentity(serviceName));
        builder.Services.AddSingleton(service.Views);
        builder.AddWardLinkService(serviceName);
        service.Services?.Invoke(builder.Services);
        builder.AddWardLinkEventStore(serviceName, service);
        builder.AddWardLinkAudit(serviceName, service.AuditedStates);
        builder.AddWardLinkMessaging(serviceName, bus =>
        {
            bus.AddConsumer<ChainCheckpointedConsumer>();
            if (service.KeepsSiteDirectory)
            {
                bus.AddSiteDirectory();
            }

            service.Bus?.Invoke(bus);
        });

        var app = builder.Build();
        app.UseWardLinkService();
        app.MapAudit(serviceName);
        if (service.KeepsSiteDirectory)
        {
            app.MapSiteDirectory(serviceName);
        }

        return app;
    }
}
