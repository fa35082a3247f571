using System.Diagnostics.Metrics;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using WardLink.EventSourcing;
using WardLink.IntegrationTests.Pipeline;
using WardLink.Partners;
using WardLink.Testing;

namespace WardLink.IntegrationTests.Operations;

/// <summary>The metrics an operator watches, as the service records them for its OTLP exporter.</summary>
public sealed class MetricsTests(ServiceFixture<PartnersService> partners) : IClassFixture<ServiceFixture<PartnersService>>
{
    [Fact]
    public async Task A_partner_and_its_site_show_as_requests_by_route_and_status_events_appended_by_type_and_relayed_messages()
    {
        using var metrics = new HostMetrics(partners.Host.Services.GetRequiredService<IMeterFactory>());
        var client = partners.CreateClient();

        var partnerId = await client.RegisterPartnerAsync();
        await client.RegisterSiteAsync(partnerId, "Psychiatric hospital, main gate");

        var appended = metrics.Of(EventsAppended.InstrumentName);
        Assert.All(appended, measurement => Assert.Equal(PartnersService.Name, measurement.Tags["service"]));
        Assert.Equal(1, appended.Where(measurement => Equals(measurement.Tags["event_type"], nameof(PartnerRegistered))).Sum(measurement => measurement.Value));
        Assert.Equal(1, appended.Where(measurement => Equals(measurement.Tags["event_type"], nameof(SiteRegistered))).Sum(measurement => measurement.Value));
        Assert.Equal(2, appended.Sum(measurement => measurement.Value));

        // A request's duration is recorded as the request ends, which may be after its client has the response.
        var requests = await Eventually.Get(
            () => Task.FromResult(metrics.Of("http.server.request.duration") is { Count: >= 2 } recorded ? recorded : null),
            "both requests' durations");
        Assert.Equal(["/partners/", "/partners/{id:guid}/sites"], requests.Select(request => (string)request.Tags["http.route"]!).Order());
        Assert.All(requests, request =>
        {
            Assert.Equal("POST", request.Tags["http.request.method"]);
            Assert.Equal(201, request.Tags["http.response.status_code"]);
            Assert.InRange(request.Value, 0.000_001, 30);
        });

        await Eventually.Get(
            () => Task.FromResult(metrics.Of("wardlink.relay.published").Sum(published => published.Value) == 2 ? "both" : null),
            "the relay to publish the partner and the site");
        var lag = await Eventually.Get(
            () =>
            {
                metrics.Observe();
                return Task.FromResult(metrics.Of("wardlink.relay.lag") is [.., { Value: 0 } measured] ? measured : null);
            },
            "the relay lag gauge to read 0");
        Assert.Equal(PartnersService.Name, lag.Tags["service"]);
    }
}

/// <summary>The relay's lag as the service measures it by itself, with no readiness probe asking.</summary>
public sealed class RelayLagGaugeTests(ServiceGroup services) : IClassFixture<ServiceGroup>
{
    /// <summary>
    /// The gauge reads what the service's own monitor measured: above 0 while the broker holds a page, back to 0 once it is
    /// published. A gauge never measured reads 0 too, so 0 alone proved nothing (the monitor unregistered, or failing each time).
    /// </summary>
    [Fact]
    public async Task The_relay_lag_gauge_rises_while_a_page_is_held_and_falls_to_0_once_it_is_published()
    {
        var gate = new PublishGate<WardLink.Contracts.Partners.SiteRegistered>(0);
        var host = await services.StartAsync<PartnersService>(PartnersService.Name, services: registry => registry.AddPublishObserver(_ => gate));
        using var metrics = new HostMetrics(host.Services.GetRequiredService<IMeterFactory>());
        var client = host.CreateClient();
        var partnerId = await client.RegisterPartnerAsync();
        await client.RegisterSiteAsync(partnerId, "Maternity hospital, main gate");

        await Eventually.Get(() => Task.FromResult(LastLag(metrics) is >= 1 ? "held" : null), "the gauge to show the page held", TimeSpan.FromSeconds(30));
        gate.Open();
        await Eventually.Get(() => Task.FromResult(LastLag(metrics) is 0 ? "published" : null), "the gauge to fall to 0 once the page is published", TimeSpan.FromSeconds(60));
        Assert.True(gate.Published >= 1, "the site's message was published through the opened gate");
    }

    private static double? LastLag(HostMetrics metrics)
    {
        metrics.Observe();
        return metrics.Of("wardlink.relay.lag") is [.., var last] ? last.Value : null;
    }
}
