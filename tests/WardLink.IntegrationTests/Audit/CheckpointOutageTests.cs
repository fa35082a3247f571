using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using WardLink.Audit;
using WardLink.IntegrationTests.Operations;
using WardLink.IntegrationTests.Tips;
using WardLink.Partners;
using WardLink.Testing;
using WardLink.Tips;

namespace WardLink.IntegrationTests.Audit;

/// <summary>
/// A checkpoint taken while the broker is away: its publish times out (again and again) without
/// stopping the service, and once the broker is back it reaches the peer.
/// </summary>
public sealed class CheckpointOutageTests(ServiceGroup group) : IClassFixture<ServiceGroup>
{
    [Fact]
    public async Task A_checkpoint_publish_that_times_out_while_the_broker_is_down_is_retried_and_arrives_once_it_is_back()
    {
        var logs = new CapturedLogs();
        var partners = (await group.StartAsync<PartnersService>(PartnersService.Name)).CreateClient();
        var tips = (await group.StartAsync<TipsService>(TipsService.Name, services: services =>
        {
            services.AddSingleton<ILoggerProvider>(logs);
            services.Configure<AuditOptions>(options =>
            {
                options.CheckpointEvery = 1;
                options.PollInterval = TimeSpan.FromMilliseconds(100);
                options.PublishTimeout = TimeSpan.FromMilliseconds(300);
            });
        })).CreateClient();

        await group.Infrastructure.CutVirtualHostAsync(group.VirtualHost);
        await tips.ReceiveAsync();
        var head = await tips.ChainedAsync(TipsService.Name);
        await Eventually.Get(
            () => Task.FromResult(logs.Lines.Count(line => line.StartsWith("Warning", StringComparison.Ordinal) && line.Contains("Audit checkpoints could not be", StringComparison.Ordinal)) >= 2 ? "retried" : null),
            "checkpoint publishes to time out and be retried while the broker is down");

        await group.Infrastructure.RestoreVirtualHostAsync(group.VirtualHost);
        var copies = await Eventually.Get(
            async () => await partners.CheckpointsAsync(PartnersService.Name, TipsService.Name) is { } held && held.Any(copy => copy.Head == head.Head) ? held : null,
            "partners to hold the checkpoint of tips' head");
        Assert.Equal(head.ChainedThrough, copies.Single(copy => copy.Head == head.Head).Sequence);
    }

    /// <summary>
    /// A hung broker (its process stopped: connections open, no byte passing) while a checkpoint is being published: the bus gives
    /// its connection up after missed heartbeats, and a publish under way then heeded no token and never ended, so the service
    /// neither took nor published a checkpoint again until it was restarted. Once the broker thaws, the checkpoint reaches the peer.
    /// </summary>
    [Fact]
    public async Task A_checkpoint_publish_hung_on_a_frozen_broker_is_given_up_and_the_checkpoint_arrives_once_it_thaws()
    {
        var partners = (await group.StartAsync<PartnersService>(PartnersService.Name)).CreateClient();
        var broker = new UriBuilder((await group.BrokerUserOfAsync(TipsService.Name)).Broker);
        await using var gate = TcpGate.Start(broker.Host, broker.Port, backlog: 4);
        broker.Port = gate.Port;
        var tips = (await group.StartAsync<TipsService>(
            TipsService.Name,
            services: services => services.Configure<AuditOptions>(options =>
            {
                options.CheckpointEvery = 1;
                options.PollInterval = TimeSpan.FromMilliseconds(100);
                options.PublishTimeout = TimeSpan.FromMilliseconds(300);
            }),
            settings: new Dictionary<string, string?> { ["ConnectionStrings:RabbitMq"] = broker.Uri.ToString() })).CreateClient();
        await Eventually.Get(async () => await DependencyOutageTests.BrokerCheckAsync(tips) == "Healthy" ? "yes" : null, "the bus to connect");

        gate.Freeze();
        IntegrityReport head;
        try
        {
            await tips.ReceiveAsync();
            head = await tips.ChainedAsync(TipsService.Name);
            await Eventually.Get(
                async () => await DependencyOutageTests.BrokerCheckAsync(tips) == "Unhealthy" ? "yes" : null,
                "the bus to give its connection to the hung broker up",
                6 * WardLink.EventSourcing.Messaging.Heartbeat);
        }
        finally
        {
            gate.Thaw();
        }

        var copies = await Eventually.Get(
            async () => await partners.CheckpointsAsync(PartnersService.Name, TipsService.Name) is { } held && held.Any(copy => copy.Head == head.Head) ? held : null,
            "partners to hold the checkpoint of tips' head, taken while the broker hung",
            TimeSpan.FromSeconds(60));
        Assert.Equal(head.ChainedThrough, copies.Single(copy => copy.Head == head.Head).Sequence);
    }
}
