using System.Diagnostics;
using System.Net;
using System.Text.Json;
using WardLink.Audit;
using WardLink.Auditor;
using WardLink.Incidents;
using WardLink.IntegrationTests.Incidents;
using WardLink.IntegrationTests.Patrols;
using WardLink.IntegrationTests.Pipeline;
using WardLink.IntegrationTests.Tips;
using WardLink.Partners;
using WardLink.Patrols;
using WardLink.Testing;
using WardLink.Tips;

namespace WardLink.IntegrationTests.Audit;

/// <summary>
/// docs/audit.md: every event a request records carries the request's trace: its trace id as <c>correlationId</c>, the
/// request's W3C <c>traceparent</c> as <c>causationId</c>, whichever way the service writes it (a session of the request, or a
/// numbered record's group commit, which writes many requests' records in one transaction of its own).
/// </summary>
public sealed class TraceMetadataTests(AuditedServices services) : IClassFixture<AuditedServices>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_event_a_request_records_names_its_trace_and_its_traceparent_in_every_service()
    {
        var sent = new Dictionary<string, (string Service, string TraceParent)>();

        HttpClient Traced(string service)
        {
            var traceParent = $"00-{ActivityTraceId.CreateRandom().ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-01";
            sent[traceParent[3..35]] = (service, traceParent);
            var client = services.NewClients[service]();
            client.DefaultRequestHeaders.Add("traceparent", traceParent);
            return client;
        }

        // Tips and incidents are numbered (a group commit writes them), their steps are not; several at once share a batch.
        var tips = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Traced(TipsService.Name).ReceiveAsync()));
        Assert.Equal(HttpStatusCode.OK, (await Traced(TipsService.Name).AssessAsync(tips[0], "valuable")).StatusCode);
        var incidents = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Traced(IncidentsService.Name).ReportAsync()));
        await Traced(IncidentsService.Name).StepOkAsync($"/incidents/{incidents[0].Id}/assign", incidents[0].ETag, new { unit = "Ward police", officer = "On duty" });
        await Traced(PatrolsService.Name).DefineRouteAsync(services.StoreOf(PatrolsService.Name));
        await Traced(PartnersService.Name).RegisterPartnerAsync("Thanh Hóa Traced Hospital");

        var failures = new List<string>();
        foreach (var service in sent.Values.Select(request => request.Service).Distinct())
        {
            var log = await services.Clients[service].GetStringAsync($"/audit/{service}/log?after=0", Ct);
            var events = log.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(line => JsonSerializer.Deserialize<AuditEntry>(line, AuditorCommands.Json)!.Event)
                .OfType<AuditEvent>()
                .ToList();
            foreach (var (traceId, request) in sent.Where(request => request.Value.Service == service))
            {
                var recorded = events.Where(recordedEvent => recordedEvent.CorrelationId == traceId).ToList();
                if (recorded.Count == 0)
                {
                    failures.Add($"{service}: no event names the trace {traceId} of the request that recorded it");
                }

                failures.AddRange(recorded
                    .Where(recordedEvent => recordedEvent.CausationId != request.TraceParent)
                    .Select(recordedEvent => $"{service}: {recordedEvent.Type} v{recordedEvent.Version} has causationId {recordedEvent.CausationId ?? "null"}, not the request's traceparent {request.TraceParent}"));
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }
}
