using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using WardLink.EventSourcing.Audit;
using WardLink.EventSourcing.Idempotency;
using WardLink.EventSourcing.Sites;
using WardLink.EventSourcing.Wards;
using WardLink.ServiceDefaults;
using WardLink.ServiceDefaults.Security;

namespace WardLink.EventSourcing;

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
        if (service.KeepsPartnerDirectory)
        {
            builder.Services.AddSingleton<IPartnerStandingCheck, PartnerStandingDirectory>();
        }

        builder.AddWardLinkService(serviceName);
        service.Services?.Invoke(builder.Services);
        builder.AddWardLinkEventStore(serviceName, service);
        builder.AddWardLinkAudit(serviceName, service.AuditedStates);
        builder.AddWardLinkMessaging(serviceName, bus =>
        {
            bus.AddConsumer<ChainCheckpointedConsumer>();
            bus.AddJurisdictionDirectory();
            if (service.KeepsPartnerDirectory)
            {
                bus.AddSiteDirectory();
                bus.AddPartnerStandings();
            }

            service.Bus?.Invoke(bus);
        });

        var app = builder.Build();
        app.UseWardLinkService();

        // After authorization, before any session opens: every request acts in one ward.
        app.UseWardLinkWards();

        // After the request checks: a key is honoured only on a request that passed them.
        app.UseIdempotencyKeys();
        app.MapAudit(serviceName);
        if (service.KeepsPartnerDirectory)
        {
            app.MapSiteDirectory(serviceName);
        }

        return app;
    }
}
