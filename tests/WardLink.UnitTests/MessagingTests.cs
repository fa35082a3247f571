using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using WardLink.EventSourcing;

namespace WardLink.UnitTests;

/// <summary>What every service's bus is composed with, read from the composed container (no broker needed).</summary>
public sealed class MessagingTests
{
    [Fact]
    public void A_services_bus_reports_no_usage_telemetry_to_a_third_party()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration[$"ConnectionStrings:{Messaging.ConnectionName}"] = "amqp://guest:guest@127.0.0.1:5672/";
        builder.AddWardLinkMessaging("tips");
        using var host = builder.Build();

        Assert.False(host.Services.GetRequiredService<IOptions<UsageTelemetryOptions>>().Value.Enabled);
    }
}
