using Marten;
using Microsoft.Extensions.DependencyInjection;
using WardLink.Audit;
using WardLink.Auditor;
using WardLink.EventSourcing.Audit;
using WardLink.Incidents;
using WardLink.IntegrationTests.Incidents;
using WardLink.Testing;

namespace WardLink.IntegrationTests.Audit;

/// <summary>Incidents services, each test's on a database of its own, checkpointing every 2 events.</summary>
public sealed class TamperedIncidents : ServiceGroup;

/// <summary>
/// History rewritten straight in PostgreSQL (data changed, an event deleted, two events swapped, the
/// oldest events cut with their links):
/// the service's integrity check and the auditor tool's offline verify both find it and name the
/// first broken link; before the tampering both find the log intact.
/// </summary>
public sealed class AuditTamperingTests(TamperedIncidents group) : IClassFixture<TamperedIncidents>
{
    private const string Service = IncidentsService.Name;

    [Fact]
    public async Task Data_rewritten_in_the_database_is_found_at_its_sequence_by_the_service_and_by_the_tool()
    {
        var (client, store, incidents) = await ChainedIncidentsAsync("incidents-rewritten");
        var sequence = await store.SequenceOfAsync(incidents[1], 1);

        await store.ExecuteAsync(
            "update mt_events set data = jsonb_set(data, '{description}', '\"Nothing happened here.\"') where seq_id = @sequence", ("sequence", sequence));

        var report = await client.IntegrityAsync(Service);
        Assert.False(report.Intact);
        Assert.Equal((sequence, BreakKind.DataChanged), (report.FirstBroken!.Sequence, report.FirstBroken.Kind));
        Assert.Equal(["data"], report.FirstBroken.Differences);
        Assert.Equal((incidents[1], 1L), (report.FirstBroken.Chained!.StreamId, report.FirstBroken.Chained.Version));
        AssertCheckpointsDisagreeFrom(sequence, report);
        await AssertToolFindsAsync(client, sequence, BreakKind.DataChanged);
    }

    [Fact]
    public async Task An_event_deleted_from_the_database_is_found_missing_where_its_link_remains()
    {
        var (client, store, incidents) = await ChainedIncidentsAsync("incidents-deleted");
        var sequence = await store.SequenceOfAsync(incidents[1], 1);

        await store.ExecuteAsync("delete from mt_events where seq_id = @sequence", ("sequence", sequence));

        var report = await client.IntegrityAsync(Service);
        Assert.False(report.Intact);
        Assert.Equal((sequence, BreakKind.MissingEvent), (report.FirstBroken!.Sequence, report.FirstBroken.Kind));
        Assert.Equal(incidents[1], report.FirstBroken.Chained!.StreamId);
        Assert.Null(report.FirstBroken.Found);
        AssertCheckpointsDisagreeFrom(sequence, report);
        await AssertToolFindsAsync(client, sequence, BreakKind.MissingEvent);
    }

    [Fact]
    public async Task Two_events_swapped_in_the_database_are_found_out_of_order_at_the_first_of_them()
    {
        var (client, store, incidents) = await ChainedIncidentsAsync("incidents-swapped");
        var first = await store.SequenceOfAsync(incidents[1], 1);
        var second = await store.SequenceOfAsync(incidents[2], 1);

        await store.ExecuteAsync(
            "update mt_events set seq_id = -seq_id where seq_id = @first; " +
            "update mt_events set seq_id = @first where seq_id = @second; " +
            "update mt_events set seq_id = @second where seq_id = -@first",
            ("first", first),
            ("second", second));

        var report = await client.IntegrityAsync(Service);
        Assert.False(report.Intact);
        Assert.Equal((first, BreakKind.OutOfOrder), (report.FirstBroken!.Sequence, report.FirstBroken.Kind));
        Assert.Equal((incidents[1], incidents[2]), (report.FirstBroken.Chained!.StreamId, report.FirstBroken.Found!.StreamId));
        AssertCheckpointsDisagreeFrom(first, report);
        await AssertToolFindsAsync(client, first, BreakKind.OutOfOrder);
    }

    [Fact]
    public async Task A_head_cut_from_the_database_events_and_links_alike_is_found_truncated_where_the_log_now_starts()
    {
        var (client, store, incidents) = await ChainedIncidentsAsync("incidents-head-cut");
        var kept = await store.SequenceOfAsync(incidents[1], 1);

        await store.ExecuteAsync(
            $"delete from mt_events where seq_id < @kept; delete from {AuditStorage.LinksTable} where sequence < @kept", ("kept", kept));

        var report = await client.IntegrityAsync(Service);
        Assert.False(report.Intact);
        Assert.Equal((kept, BreakKind.TruncatedHead), (report.FirstBroken!.Sequence, report.FirstBroken.Kind));
        Assert.All(report.Checkpoints.Where(verdict => verdict.Sequence < kept), verdict => Assert.False(verdict.Agrees));
        await AssertToolFindsAsync(client, kept, BreakKind.TruncatedHead);
    }

    /// <summary>A service with three incidents, one of them assigned, chained and checked intact by the service and the tool.</summary>
    private async Task<(HttpClient Client, IDocumentStore Store, Guid[] Incidents)> ChainedIncidentsAsync(string name)
    {
        var host = await group.StartAsync<IncidentsService>(name, services: services => services.Configure<AuditOptions>(options => options.CheckpointEvery = 2));
        var client = host.CreateClient();
        var incidents = new Guid[3];
        for (var i = 0; i < incidents.Length; i++)
        {
            (incidents[i], var etag, _) = await client.ReportAsync();
            if (i == 0)
            {
                await client.StepOkAsync($"/incidents/{incidents[i]}/assign", etag, new { unit = "Ward police, criminal team" });
            }
        }

        // The report reads the checkpoints before the log, so a page chained in between shows its
        // events before its checkpoint: wait for both.
        var before = await Eventually.Get(
            async () => await client.ChainedAsync(Service) is { Checkpoints.Count: 3 } report ? report : null,
            "the chain to cover the 7 events and the report to show their 3 checkpoints");
        Assert.True(before.Intact);
        Assert.Equal(7, before.EventsChecked);
        Assert.True(
            before.Checkpoints.Select(verdict => verdict.Agrees).SequenceEqual([true, true, true]),
            $"checkpoints {string.Join(", ", before.Checkpoints.Select(verdict => $"{verdict.Sequence}:{verdict.Agrees}"))}; stored: {await StoredChainAsync(group.StoreOf(name))}");
        var (exit, offline) = await client.ExportAndVerifyAsync(Service);
        Assert.Equal(AuditorCommands.Intact, exit);
        Assert.Equal(before.Head, offline.Head);
        return (client, group.StoreOf(name), incidents);
    }

    /// <summary>The chain's links and checkpoints as stored, to say what a failed expectation found.</summary>
    private static async Task<string> StoredChainAsync(IDocumentStore store)
    {
        await using var session = store.QuerySession();
        var links = await session.AdvancedSql.QueryAsync<string>(
            $"select string_agg(sequence || '@' || position, ' ' order by sequence) from {store.Options.Events.DatabaseSchemaName}.{AuditStorage.LinksTable}", TestContext.Current.CancellationToken);
        var checkpoints = await session.AdvancedSql.QueryAsync<string>(
            $"select string_agg(service || ':' || sequence || '@' || position, ' ' order by sequence) from {store.Options.Events.DatabaseSchemaName}.{AuditStorage.CheckpointsTable}", TestContext.Current.CancellationToken);
        return $"links {links.SingleOrDefault()}; checkpoints {checkpoints.SingleOrDefault()}";
    }

    private static void AssertCheckpointsDisagreeFrom(long sequence, IntegrityReport report)
    {
        Assert.All(report.Checkpoints.Where(verdict => verdict.Sequence < sequence), verdict => Assert.True(verdict.Agrees));
        var later = report.Checkpoints.Where(verdict => verdict.Sequence >= sequence).ToList();
        Assert.NotEmpty(later);
        Assert.All(later, verdict => Assert.False(verdict.Agrees));
    }

    private static async Task AssertToolFindsAsync(HttpClient client, long sequence, BreakKind kind)
    {
        var (exit, offline) = await client.ExportAndVerifyAsync(Service);
        Assert.Equal(AuditorCommands.Broken, exit);
        Assert.False(offline.Intact);
        Assert.Equal((sequence, kind), (offline.FirstBroken!.Sequence, offline.FirstBroken.Kind));
    }
}
