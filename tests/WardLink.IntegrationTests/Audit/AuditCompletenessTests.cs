using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using WardLink.Audit;
using WardLink.Auditor;
using WardLink.EventSourcing.Audit;
using WardLink.Incidents;
using WardLink.IntegrationTests.Tips;
using WardLink.Partners;
using WardLink.Testing;
using WardLink.Tips;

namespace WardLink.IntegrationTests.Audit;

/// <summary>Tips checkpointing every 2 events, partners keeping the copies; each test's tips on a database of its own.</summary>
public sealed class WitnessedTips : ServiceGroup
{
    public HttpClient Partners { get; private set; } = null!;

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        Partners = (await StartAsync<PartnersService>(PartnersService.Name)).CreateClient();
    }

    /// <summary>Starts tips on database <paramref name="database"/>, checkpointing every 2 events and looking for due checkpoints every 100 ms.</summary>
    public async Task<(HttpClient Client, Marten.IDocumentStore Store)> StartTipsAsync(string database)
    {
        var host = await StartAsync<TipsService>(database, services: services => services.Configure<AuditOptions>(options =>
        {
            options.CheckpointEvery = 2;
            options.PollInterval = TimeSpan.FromMilliseconds(100);
        }));
        return (host.CreateClient(), StoreOf(database));
    }
}

/// <summary>
/// A log is complete, not only consistent: its most recent events cut from the database (links and
/// the service's own checkpoints too, as someone covering their tracks would) are a truncated tail
/// at the first checkpoint a peer still holds beyond the cut, and the reports say how much of the
/// log no peer has witnessed yet. The peers keep only checkpoints their service signed.
/// </summary>
public sealed class AuditCompletenessTests(WitnessedTips group) : IClassFixture<WitnessedTips>
{
    private const string Service = TipsService.Name;

    [Fact]
    public async Task A_tail_cut_past_a_peers_checkpoint_is_a_truncated_tail_for_the_service_and_for_the_tool_with_the_peers_copies()
    {
        var (tips, store) = await group.StartTipsAsync("tips-tail-cut");
        for (var i = 0; i < 3; i++)
        {
            await tips.ReceiveAsync();
        }

        var whole = await tips.ChainedAsync(Service);
        var own = await Eventually.Get(
            async () => await tips.CheckpointsAsync(Service, Service) is { Count: 3 } all && (await tips.IntegrityAsync(Service)).Unwitnessed.Events == 0 ? all : null,
            "tips to checkpoint its 6 events and publish every checkpoint");
        var held = await Eventually.Get(
            async () => await group.Partners.CheckpointsAsync(PartnersService.Name, Service) is { Count: 3 } copies ? copies : null,
            "partners to hold tips' 3 checkpoints");
        var report = await tips.IntegrityAsync(Service);
        Assert.True(report.Intact);
        Assert.Equal(new UnwitnessedTail(whole.ChainedThrough, own[^1].At, 0, null), report.Unwitnessed);

        // The cut leaves the first 3 events: the checkpoints at positions 4 and 6 lie beyond it.
        var cut = own[1].Sequence;
        await store.ExecuteAsync(
            $"delete from mt_events where seq_id >= @cut; delete from {AuditStorage.LinksTable} where sequence >= @cut", ("cut", cut));

        var found = await tips.IntegrityAsync(Service);
        Assert.False(found.Intact);
        Assert.Equal((cut, BreakKind.TruncatedTail), (found.FirstBroken!.Sequence, found.FirstBroken.Kind));
        Assert.Equal([true, false, false], found.Checkpoints.Select(verdict => verdict.Agrees));
        Assert.Equal((own[0].Sequence, 1L), (found.Unwitnessed.WitnessedThrough, found.Unwitnessed.Events));

        await store.ExecuteAsync($"delete from {AuditStorage.CheckpointsTable} where service = 'tips' and sequence >= @cut", ("cut", cut));
        Assert.True((await tips.IntegrityAsync(Service)).Intact);
        var (exit, offline) = await tips.ExportAndVerifyAsync(Service, held, TestAudit.PublicKeys);
        Assert.Equal(AuditorCommands.Broken, exit);
        Assert.Equal((cut, BreakKind.TruncatedTail), (offline.FirstBroken!.Sequence, offline.FirstBroken.Kind));
        Assert.Equal(
            [(own[1].Sequence, (string?)null, false), (own[2].Sequence, null, false)],
            offline.Checkpoints.Where(verdict => verdict.Sequence >= cut).Select(verdict => (verdict.Sequence, verdict.Recomputed, verdict.Agrees)));
        Assert.Equal((own[0].Sequence, 1L), (offline.Unwitnessed.WitnessedThrough, offline.Unwitnessed.Events));
        Assert.All(offline.Checkpoints, verdict => Assert.True(verdict.SignatureValid));
    }

    /// <summary>
    /// Someone with broker access publishes checkpoints for incidents before incidents does, under
    /// the message id the real one will have: one signed with a key of their own, one unsigned, and
    /// one of a service nobody has a key of. Partners refuses each and counts it; the real checkpoint,
    /// signed with incidents' key, arrives after them and is kept all the same.
    /// </summary>
    [Fact]
    public async Task Forged_unsigned_and_unknown_checkpoints_published_first_are_refused_and_counted_and_the_real_one_is_still_kept()
    {
        using var refusals = new Refusals(PartnersService.Name);
        var at = new DateTimeOffset(2024, 6, 1, 0, 0, 0, TimeSpan.Zero);
        var real = TestAudit.SignerOf(IncidentsService.Name).Sign(7, 5, new string('a', 64), at);
        using var attackerKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var forged = TestAudit.SignerOf(IncidentsService.Name, attackerKey).Sign(7, 5, new string('f', 64), at);
        var unsigned = real with { Sequence = 8, Signature = null };
        var unknown = TestAudit.SignerOf(IncidentsService.Name, attackerKey).Sign(7, 5, new string('f', 64), at) with { Service = "ghosts" };

        await using var bus = await TestBus.StartAsync(group.VirtualHost);
        await bus.PublishAsync(forged, ChainCheckpoints.MessageIdOf(real));
        await bus.PublishAsync(unsigned, ChainCheckpoints.MessageIdOf(unsigned));
        await bus.PublishAsync(unknown, ChainCheckpoints.MessageIdOf(unknown));
        await Eventually.Get(
            () => Task.FromResult(refusals.Count >= 3 ? "refused" : null),
            "partners to refuse the three checkpoints");
        Assert.Equal(
            [("incidents", "forged"), ("incidents", "unsigned"), ("unknown", "unknown_service")],
            refusals.Seen.Order());

        await bus.PublishAsync(real, ChainCheckpoints.MessageIdOf(real));
        var held = await Eventually.Get(
            async () => await group.Partners.CheckpointsAsync(PartnersService.Name, IncidentsService.Name) is { Count: > 0 } copies ? copies : null,
            "partners to keep incidents' real checkpoint");
        Assert.Equal(new CheckpointCopy(PartnersService.Name, 7, 5, real.Head, at, real.Signature), Assert.Single(held));
        using var ghosts = await group.Partners.GetAsync($"/audit/{PartnersService.Name}/checkpoints/ghosts", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NotFound, ghosts.StatusCode);
        Assert.Equal("application/problem+json", ghosts.Content.Headers.ContentType?.MediaType);
        Assert.Equal(3, refusals.Count);
    }

    /// <summary>The refusals a service counts in <c>wardlink.audit.checkpoints_refused</c>: the service claimed and the reason.</summary>
    private sealed class Refusals : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentQueue<(string Of, string Reason)> _seen = new();

        public Refusals(string service)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Name == CheckpointsRefused.InstrumentName)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                var named = tags.ToArray().ToDictionary(tag => tag.Key, tag => tag.Value as string);
                if (named.GetValueOrDefault("service") == service)
                {
                    for (var i = 0; i < value; i++)
                    {
                        _seen.Enqueue((named["of"]!, named["reason"]!));
                    }
                }
            });
            _listener.Start();
        }

        public int Count => _seen.Count;

        public IEnumerable<(string Of, string Reason)> Seen => _seen;

        public void Dispose() => _listener.Dispose();
    }
}
