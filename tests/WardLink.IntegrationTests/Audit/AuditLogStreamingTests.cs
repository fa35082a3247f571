using System.Net;
using System.Text.Json;
using WardLink.Audit;
using WardLink.Auditor;
using WardLink.EventSourcing;
using WardLink.Testing;
using WardLink.Tips;

namespace WardLink.IntegrationTests.Audit;

/// <summary>The tips service on a real socket, so the log streams over TCP as it would to an auditor.</summary>
public sealed class TipsOnASocket : ServiceGroup
{
    public ServiceHost<TipsService> Host { get; private set; } = null!;

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        Host = await StartAsync<TipsService>(TipsService.Name, listenOnSocket: true);
    }
}

/// <summary>Runs alone, so no other test's allocations blur the heap it measures.</summary>
[CollectionDefinition(nameof(AuditLogStreamingTests), DisableParallelization = true)]
public sealed class AloneInTheProcess;

/// <summary>The NDJSON log of 100,000 events streams line by line while the server's memory stays flat.</summary>
[Collection(nameof(AuditLogStreamingTests))]
public sealed class AuditLogStreamingTests(TipsOnASocket tips) : IClassFixture<TipsOnASocket>
{
    private const int Events = 100_000;
    private const int EventsPerStream = 1_000;

    /// <summary>More than the log would take if the server held it: the answer is well over 100 MB.</summary>
    private const long MaxHeapGrowth = 32L * 1024 * 1024;

    [Fact]
    public async Task A_log_of_100000_events_streams_in_order_with_the_heap_bounded()
    {
        var padding = new string('x', 900);
        var store = tips.StoreOf(TipsService.Name);
        for (var stream = 0; stream < Events / EventsPerStream; stream++)
        {
            await using var session = store.LightweightSession();
            var id = Guid.CreateVersion7();
            session.Events.StartStream(id, [.. Enumerable.Range(1, EventsPerStream).Select(n => (object)new NumberReserved($"AUDIT-{stream}-{n}-{padding}", id))]);
            await session.SaveChangesAsync(TestContext.Current.CancellationToken);
        }

        using var client = new HttpClient { BaseAddress = tips.Host.Address }.As(TestAuth.Token(WardLink.ServiceDefaults.Security.WardLinkRoles.Auditor));
        client.Timeout = TimeSpan.FromMinutes(5);
        var baseline = GC.GetTotalMemory(forceFullCollection: true);
        var peak = baseline;
        using var response = await client.GetAsync("/api/audit/tips/log", HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(AuditLines.ContentType, response.Content.Headers.ContentType?.MediaType);

        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(TestContext.Current.CancellationToken));
        long lines = 0, bytes = 0, previous = 0;
        while (await reader.ReadLineAsync(TestContext.Current.CancellationToken) is { } line)
        {
            bytes += line.Length + 1;
            var entry = JsonSerializer.Deserialize<AuditEntry>(line, AuditorCommands.Json)!;
            Assert.True(entry.Sequence > previous, $"sequence {entry.Sequence} after {previous}");
            previous = entry.Sequence;
            if (++lines % 10_000 == 0)
            {
                peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: true));
            }
        }

        Assert.Equal(Events, lines);
        Assert.True(bytes > 3 * MaxHeapGrowth, $"the log was only {bytes} bytes");
        Assert.True(peak - baseline < MaxHeapGrowth, $"the heap grew by {(peak - baseline) / 1024 / 1024} MB while {bytes / 1024 / 1024} MB streamed");
        TestContext.Current.SendDiagnosticMessage($"{lines} lines, {bytes / 1024 / 1024} MB streamed; heap grew by at most {(peak - baseline) / 1024 / 1024} MB");
    }
}
