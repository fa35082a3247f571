using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Trace;
using WardLink.IntegrationTests.Pipeline;
using WardLink.Partners;
using WardLink.Testing;
using PartnerKind = WardLink.Contracts.Partners.PartnerKind;

namespace WardLink.IntegrationTests.Operations;

/// <summary>What the service's tracer exports: the requests' traces, not the async daemon's own polling.</summary>
[Collection(ActivityListeners.Name)]
public sealed class TracingTests(ServiceGroup services) : IClassFixture<ServiceGroup>
{
    [Fact]
    public async Task Requests_and_the_relay_are_traced_while_the_daemon_s_background_work_starts_no_trace()
    {
        // Only spans begun while this test runs: a span begun earlier, while another class's listener of every
        // activity ran (ActivityListeners), was recorded by that listener and is handed to every tracer when it ends,
        // such as another test's relay page held on a publish until its host stops.
        var began = DateTime.UtcNow;
        var exported = new ConcurrentQueue<Activity>();
        var partners = (await services.StartAsync<PartnersService>(
            PartnersService.Name,
            services: registry => registry.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddProcessor(new Collecting(exported))))).CreateClient();

        await partners.RegisterPartnerAsync("Thanh Hóa Endocrinology Hospital");

        // By the time the relay has published, the daemon has polled and loaded pages many times.
        await Eventually.Get(
            async () =>
            {
                var relay = (await partners.GetFromJsonAsync<JsonElement>("/health/ready", TestContext.Current.CancellationToken))
                    .GetProperty("checks").GetProperty("relay").GetProperty("data");
                return relay.GetProperty("published").GetInt64() > 0 && relay.GetProperty("lag").GetInt64() == 0 ? "relayed" : null;
            },
            "the relay to publish the partner");

        var spans = exported.Where(span => span.StartTimeUtc >= began).ToArray();
        Assert.Contains(spans, span => span.Source.Name == "Microsoft.AspNetCore" && span.Kind == ActivityKind.Server);
        Assert.Contains(spans, span => span.Source.Name == "WardLink" && span.DisplayName == "relay PartnerRegistered");
        Assert.Empty(spans.Where(span => span.Source.Name == "Marten" && span.ParentSpanId == default).Select(span => $"{span.DisplayName} ({span.Kind}, {span.Duration})"));
    }

    [Fact]
    public async Task An_event_appended_outside_any_trace_is_relayed_under_a_trace_of_its_own()
    {
        var exported = new ConcurrentQueue<Activity>();
        var host = await services.StartAsync<PartnersService>(
            "partners-untraced",
            services: registry => registry.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddProcessor(new Collecting(exported))));

        // As a migration or a script would: straight into the store, with no request and no trace.
        var partnerId = Guid.CreateVersion7();
        Activity.Current = null;
        await using (var session = host.Services.GetRequiredService<IDocumentStore>().LightweightSession())
        {
            session.Events.StartStream<PartnerState>(
                partnerId, new PartnerRegistered(partnerId, "Provincial Centre for Disease Control", PartnerKind.HealthCentre, DateTimeOffset.UtcNow, "import"));
            await session.SaveChangesAsync(TestContext.Current.CancellationToken);
        }

        var relay = await Eventually.Get(
            () => Task.FromResult(exported.FirstOrDefault(span => span.Source.Name == "WardLink" && span.GetTagItem("wardlink.event.stream_id") as string == partnerId.ToString())),
            "the relay's span for the imported partner");
        Assert.Equal(default, relay.ParentSpanId);
        Assert.Equal(ActivityKind.Producer, relay.Kind);
    }

    private sealed class Collecting(ConcurrentQueue<Activity> exported) : BaseProcessor<Activity>
    {
        public override void OnEnd(Activity data) => exported.Enqueue(data);
    }
}
