using Microsoft.Extensions.DependencyInjection;
using WardLink.Incidents;
using WardLink.IntegrationTests.Tips;
using WardLink.Partners;
using WardLink.ServiceDefaults.Audit;
using WardLink.Testing;
using WardLink.Tips;

namespace WardLink.IntegrationTests.Audit;

/// <summary>Tips checkpointing every 2 events and every 5 minutes of a clock the test moves; incidents and partners hearing it.</summary>
public sealed class CheckpointingTips : ServiceGroup
{
    public static readonly DateTimeOffset Start = new(2024, 6, 1, 0, 0, 0, TimeSpan.Zero);

    public ManualClock Clock { get; } = new(Start);

    public Dictionary<string, HttpClient> Clients { get; } = [];

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        Clients[IncidentsService.Name] = (await StartAsync<IncidentsService>(IncidentsService.Name)).CreateClient();
        Clients[PartnersService.Name] = (await StartAsync<PartnersService>(PartnersService.Name)).CreateClient();
        Clients[TipsService.Name] = (await StartAsync<TipsService>(TipsService.Name, services: services =>
        {
            services.AddSingleton<TimeProvider>(Clock);
            services.Configure<AuditOptions>(options =>
            {
                options.CheckpointEvery = 2;
                options.PollInterval = TimeSpan.FromMilliseconds(100);
            });
        })).CreateClient();
    }
}

/// <summary>
/// A service's chain heads are checkpointed every N events and, when events arrived, once the
/// checkpoint interval passed; each is published and every other service keeps the same copy.
/// </summary>
public sealed class ChainCheckpointTests(CheckpointingTips group) : IClassFixture<CheckpointingTips>
{
    [Fact]
    public async Task Checkpoints_by_count_and_by_time_reach_every_other_service_as_the_service_took_them()
    {
        var tips = group.Clients[TipsService.Name];
        await tips.ReceiveAsync();
        await tips.ReceiveAsync();
        var chained = await tips.ChainedAsync(TipsService.Name);
        Assert.Equal(4, chained.EventsChecked);
        var byCount = await tips.CheckpointsAsync(TipsService.Name, TipsService.Name);
        Assert.Equal([2L, 4L], byCount.Select(checkpoint => checkpoint.Position));
        Assert.Equal(chained.Head, byCount[^1].Head);
        await AssertPeersHoldAsync(byCount);

        var id = await tips.ReceiveAsync();
        await tips.AssessAsync(id, "valuable");
        var quiet = await tips.ChainedAsync(TipsService.Name);
        Assert.Equal(7, quiet.EventsChecked);
        Assert.Equal([2L, 4L, 6L], (await tips.CheckpointsAsync(TipsService.Name, TipsService.Name)).Select(checkpoint => checkpoint.Position));

        group.Clock.Set(CheckpointingTips.Start + new AuditOptions().CheckpointInterval);
        var byTime = await Eventually.Get(
            async () => await tips.CheckpointsAsync(TipsService.Name, TipsService.Name) is { Count: 4 } all ? all : null,
            "a checkpoint of the quiet head once the interval passed");
        Assert.Equal((quiet.ChainedThrough, 7L, quiet.Head), (byTime[^1].Sequence, byTime[^1].Position, byTime[^1].Head));
        Assert.Equal(group.Clock.GetUtcNow(), byTime[^1].At);
        await AssertPeersHoldAsync(byTime);
        Assert.All((await tips.IntegrityAsync(TipsService.Name)).Checkpoints, verdict => Assert.True(verdict.Agrees));
    }

    private async Task AssertPeersHoldAsync(IReadOnlyList<CheckpointCopy> own)
    {
        var expected = own.Select(checkpoint => (checkpoint.Sequence, checkpoint.Position, checkpoint.Head)).ToList();
        foreach (var peer in new[] { IncidentsService.Name, PartnersService.Name })
        {
            await Eventually.Get(
                async () => (await group.Clients[peer].CheckpointsAsync(peer, TipsService.Name)).Select(copy => (copy.Sequence, copy.Position, copy.Head)).SequenceEqual(expected) ? peer : null,
                $"{peer} to hold the copies of tips' checkpoints");
        }
    }
}
