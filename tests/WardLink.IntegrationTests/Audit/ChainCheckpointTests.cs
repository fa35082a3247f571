using Microsoft.Extensions.DependencyInjection;
using WardLink.Audit;
using WardLink.Auditor;
using WardLink.Contracts.Audit;
using WardLink.EventSourcing.Audit;
using WardLink.Incidents;
using WardLink.IntegrationTests.Tips;
using WardLink.Partners;
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
        await AssertPeersCopiesCatchARewriteAsync(id);
    }

    /// <summary>
    /// The tool checks an export against the copies incidents and partners keep, signatures
    /// included: all agree, until the tip's data is rewritten in tips' database, links and tips'
    /// own checkpoints recomputed, as someone covering their tracks would. Without tips' key the
    /// own checkpoints no longer carry its signature, which the service's integrity check finds;
    /// re-signed with tips' key (the attacker has the service itself) the service finds nothing,
    /// but the peers' copies still disagree, in the tool's check.
    /// </summary>
    private async Task AssertPeersCopiesCatchARewriteAsync(Guid tipId)
    {
        var tips = group.Clients[TipsService.Name];
        var copies = new List<CheckpointCopy>();
        foreach (var peer in new[] { IncidentsService.Name, PartnersService.Name })
        {
            copies.AddRange(await group.Clients[peer].CheckpointsAsync(peer, TipsService.Name));
        }

        var intact = await tips.ExportAndVerifyAsync(TipsService.Name, copies, TestAudit.PublicKeys);
        Assert.Equal(AuditorCommands.Intact, intact.Exit);
        Assert.Equal(8, intact.Report.Checkpoints.Count);
        Assert.All(intact.Report.Checkpoints, verdict => Assert.True(verdict.Agrees && verdict.SignatureValid == true));

        var store = group.StoreOf(TipsService.Name);
        var sequence = await store.SequenceOfAsync(tipId, 1);
        await store.ExecuteAsync(
            "update mt_events set data = jsonb_set(data, '{description}', '\"Nothing to see.\"') where seq_id = @sequence", ("sequence", sequence));
        await RelinkAsync(store);

        var unsigned = await tips.IntegrityAsync(TipsService.Name);
        var firstRewritten = unsigned.Checkpoints.First(verdict => verdict.Sequence >= sequence).Sequence;
        Assert.Equal((firstRewritten, BreakKind.SignatureInvalid), (unsigned.FirstBroken!.Sequence, unsigned.FirstBroken.Kind));
        Assert.All(unsigned.Checkpoints, verdict => Assert.Equal(verdict.Sequence < sequence, verdict.SignatureValid));

        await ResignAsync(store);
        Assert.True((await tips.IntegrityAsync(TipsService.Name)).Intact);
        var rewritten = await tips.ExportAndVerifyAsync(TipsService.Name, copies, TestAudit.PublicKeys);
        Assert.Equal(AuditorCommands.Broken, rewritten.Exit);
        Assert.All(rewritten.Report.Checkpoints.Where(verdict => verdict.Sequence < sequence), verdict => Assert.True(verdict.Agrees));
        var later = rewritten.Report.Checkpoints.Where(verdict => verdict.Sequence >= sequence).ToList();
        Assert.Equal((later[0].Sequence, BreakKind.CheckpointDisagrees), (rewritten.Report.FirstBroken!.Sequence, rewritten.Report.FirstBroken.Kind));
        Assert.Equal([IncidentsService.Name, PartnersService.Name], later.Select(verdict => verdict.Holder).Distinct().Order());
        Assert.All(later, verdict => Assert.False(verdict.Agrees));
        Assert.All(rewritten.Report.Checkpoints, verdict => Assert.True(verdict.SignatureValid));
    }

    /// <summary>Signs tips' own checkpoints anew with tips' key, as whoever runs the service could.</summary>
    private static async Task ResignAsync(Marten.IDocumentStore store)
    {
        var signer = TestAudit.SignerOf(TipsService.Name);
        var own = new List<ChainCheckpointed>();
        await using (var connection = store.Storage.Database.CreateConnection())
        {
            await connection.OpenAsync(TestContext.Current.CancellationToken);
            await using var command = new Npgsql.NpgsqlCommand($"select sequence, position, head, at from {AuditStorage.CheckpointsTable} where service = 'tips'", connection);
            await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
            while (await reader.ReadAsync(TestContext.Current.CancellationToken))
            {
                own.Add(signer.Sign(reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2), reader.GetFieldValue<DateTimeOffset>(3)));
            }
        }

        foreach (var checkpoint in own)
        {
            await store.ExecuteAsync(
                $"update {AuditStorage.CheckpointsTable} set signature = @signature where service = 'tips' and sequence = @sequence",
                ("signature", checkpoint.Signature!), ("sequence", checkpoint.Sequence));
        }
    }

    /// <summary>Recomputes every stored link and the service's own checkpoints from the log as it now is.</summary>
    private static async Task RelinkAsync(Marten.IDocumentStore store)
    {
        var links = new List<(long Sequence, string Previous, string Hash, string DataHash)>();
        await using (var connection = store.Storage.Database.CreateConnection())
        {
            await connection.OpenAsync(TestContext.Current.CancellationToken);
            await using var command = new Npgsql.NpgsqlCommand(
                $"select e.seq_id, e.stream_id, e.version, e.type, {AuditStorage.LinkedDataHashSql}, e.timestamp, l.ward from mt_events e " +
                $"left join {AuditStorage.LinksTable} l on l.sequence = e.seq_id order by e.seq_id",
                connection);
            await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
            var previous = HashChain.Genesis;
            while (await reader.ReadAsync(TestContext.Current.CancellationToken))
            {
                var fields = new ChainedFields(
                    reader.GetInt64(0), reader.GetGuid(1), reader.GetInt64(2), reader.GetString(3), reader.GetString(4), reader.GetFieldValue<DateTimeOffset>(5), reader.IsDBNull(6) ? null : reader.GetString(6));
                var hash = HashChain.Link(previous, fields);
                links.Add((fields.Sequence, previous, hash, fields.DataHash));
                previous = hash;
            }
        }

        foreach (var (sequence, previous, hash, dataHash) in links)
        {
            await store.ExecuteAsync(
                $"update {AuditStorage.LinksTable} set previous = @previous, hash = @hash, data_hash = @dataHash where sequence = @sequence; " +
                $"update {AuditStorage.CheckpointsTable} set head = @hash where sequence = @sequence and service = 'tips'",
                ("previous", previous), ("hash", hash), ("dataHash", dataHash), ("sequence", sequence));
        }
    }

    private async Task AssertPeersHoldAsync(IReadOnlyList<CheckpointCopy> own)
    {
        Assert.All(own, checkpoint => Assert.NotNull(checkpoint.Signature));
        var expected = own.Select(checkpoint => checkpoint with { Holder = string.Empty }).ToList();
        foreach (var peer in new[] { IncidentsService.Name, PartnersService.Name })
        {
            await Eventually.Get(
                async () => (await group.Clients[peer].CheckpointsAsync(peer, TipsService.Name)).Select(copy => copy with { Holder = string.Empty }).SequenceEqual(expected) ? peer : null,
                $"{peer} to hold the copies of tips' checkpoints");
        }
    }
}
