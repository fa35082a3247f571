using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using WardLink.ServiceDefaults;

namespace WardLink.EventSourcing;

/// <summary>
/// Messages parked in the service's <c>_error</c> queues, and set aside in its <c>_skipped</c> queues (a message on a
/// queue that no consumer there reads: a version of its contract the service does not know, which MassTransit logs at
/// Debug only), as the gauge <c>wardlink.messaging.error_queue.depth</c> (tagged with the queue); and the messages waiting
/// in its wait queues for a ward or site still on its way (<see cref="WaitQueues"/>), as <c>wardlink.messaging.waiting</c>.
/// MassTransit's meter counts failures when they happen, not what still waits to be handled, so this reads the queues from
/// RabbitMQ's management API every few seconds, when <c>ConnectionStrings:RabbitMqManagement</c>
/// (<c>http://user:pass@host:15672/</c>) is set; without it the gauges report nothing.
/// </summary>
public sealed class ErrorQueues : BackgroundService
{
    public const string ConnectionName = "RabbitMqManagement";

    public const string InstrumentName = "wardlink.messaging.error_queue.depth";

    public const string WaitingInstrumentName = "wardlink.messaging.waiting";

    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<string, long> _depths = new();
    private readonly ConcurrentDictionary<string, long> _waiting = new();
    private readonly IConfiguration _configuration;
    private readonly ServiceIdentity _service;
    private readonly TimeProvider _clock;
    private readonly ILogger<ErrorQueues> _logger;

    public ErrorQueues(IConfiguration configuration, ServiceIdentity service, IMeterFactory meters, TimeProvider clock, ILogger<ErrorQueues> logger)
    {
        _configuration = configuration;
        _service = service;
        _clock = clock;
        _logger = logger;
        var meter = meters.Create(WardLinkActivity.SourceName);
        meter.CreateObservableGauge(InstrumentName, () => Measured(_depths), "{message}", "Messages waiting in the service's error and skipped queues.");
        meter.CreateObservableGauge(WaitingInstrumentName, () => Measured(_waiting), "{message}", "Messages waiting in the service's wait queues for a ward or site still on its way.");
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_configuration.GetConnectionString(ConnectionName) is not { Length: > 0 } management
            || _configuration.GetConnectionString(Messaging.ConnectionName) is not { Length: > 0 } broker)
        {
            return;
        }

        // Polling is not a request anyone made: no trace per poll in the dashboard.
        using var untraced = SuppressInstrumentationScope.Begin();
        using var client = ManagementClient(new Uri(management));
        var queues = $"api/queues/{Uri.EscapeDataString(BrokerAddress.Parse(broker).VirtualHost)}?columns=name,messages";
        using var timer = new PeriodicTimer(Interval, _clock);
        var failing = false;
        do
        {
            try
            {
                await MeasureAsync(client, queues, stoppingToken);
                failing = false;
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                // Once per outage: the gauge stops changing, the service goes on.
                _logger.Log(failing ? LogLevel.Debug : LogLevel.Warning, exception, "Could not read the error and wait queues from RabbitMQ's management API");
                failing = true;
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private IEnumerable<Measurement<long>> Measured(ConcurrentDictionary<string, long> depths) =>
        depths.Select(queue => new Measurement<long>(queue.Value, new("service", _service.Name), new("queue", queue.Key)));

    private async Task MeasureAsync(HttpClient client, string queues, CancellationToken cancellationToken)
    {
        var prefix = _service.Name + "-";
        var waitQueues = WaitQueues.Schedule.Select(delay => WaitQueues.QueueOf(_service.Name, delay)).ToHashSet(StringComparer.Ordinal);
        var ours = (await client.GetFromJsonAsync<QueueDepth[]>(queues, cancellationToken) ?? [])
            .Where(queue => queue.Name.StartsWith(prefix, StringComparison.Ordinal))
            .ToList();
        Keep(_depths, ours.Where(queue => queue.Name.EndsWith("_error", StringComparison.Ordinal) || queue.Name.EndsWith("_skipped", StringComparison.Ordinal)));
        Keep(_waiting, ours.Where(queue => waitQueues.Contains(queue.Name)));
    }

    /// <summary>Keeps each queue's depth, and forgets a deleted queue (it holds nothing).</summary>
    private static void Keep(ConcurrentDictionary<string, long> depths, IEnumerable<QueueDepth> queues)
    {
        var measured = queues.ToList();
        foreach (var queue in measured)
        {
            // A queue's message count appears with the broker's first statistics of it.
            if (queue.Messages is { } messages)
            {
                depths[queue.Name] = messages;
            }
        }

        foreach (var gone in depths.Keys.Except(measured.Select(queue => queue.Name)))
        {
            depths.TryRemove(gone, out _);
        }
    }

    private static HttpClient ManagementClient(Uri management)
    {
        var client = new HttpClient
        {
            BaseAddress = new UriBuilder(management) { UserName = string.Empty, Password = string.Empty }.Uri,
            Timeout = TimeSpan.FromSeconds(10),
        };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(Uri.UnescapeDataString(management.UserInfo))));
        return client;
    }

    private sealed record QueueDepth(string Name, long? Messages);
}
