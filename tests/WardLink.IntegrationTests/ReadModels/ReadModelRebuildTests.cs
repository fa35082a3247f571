using Marten;
using Marten.Schema;
using Npgsql;
using WardLink.Contracts;
using WardLink.Contracts.Tips;
using WardLink.Domain;
using WardLink.Incidents;
using WardLink.IntegrationTests.StoredValues;
using WardLink.Partners;
using WardLink.Testing;
using WardLink.Tips;
using IncidentClassification = WardLink.Contracts.Incidents.IncidentClassification;
using IncidentOutcome = WardLink.Contracts.Incidents.IncidentOutcome;
using IncidentSource = WardLink.Contracts.Incidents.IncidentSource;
using PartnerKind = WardLink.Contracts.Partners.PartnerKind;

namespace WardLink.IntegrationTests.ReadModels;

/// <summary>
/// A store written before the read models existed: events and stream states, no read model tables.
/// Started on it, a service rebuilds its read models from the events before it answers, and its
/// lists and statistics answer as they did.
/// </summary>
public sealed class ReadModelRebuildTests(ServiceGroup services) : IClassFixture<ServiceGroup>
{
    private static readonly DateTimeOffset At = new(2024, 5, 2, 21, 40, 0, WardTime.Offset);
    private static readonly Place Gate = new(null, "gate", null, null);

    [Fact]
    public async Task Incidents_rebuild_their_rows_on_start_when_the_table_is_missing()
    {
        await AssertAnswersAfterRebuildAsync<IncidentsService>(
            "incidents-upgrade",
            async store =>
            {
                foreach (var (number, classification) in new[] { ("INC-2024-0001", IncidentClassification.Criminal), ("INC-2024-0002", IncidentClassification.Traffic) })
                {
                    var id = Guid.CreateVersion7();
                    await store.AppendRawAsync<IncidentState>(
                        id,
                        new IncidentReported(id, number, classification, SecurityCategory.Theft, "seen", Gate, At, IncidentSource.Police, null, At, "test"),
                        new IncidentResolved(id, number, classification, IncidentOutcome.CriminalCaseSolved, null, [], At.AddHours(5), "test"));
                }
            },
            ["/incidents/stats?year=2024", "/incidents?status=resolved"],
            typeof(IncidentRow));
    }

    [Fact]
    public async Task Tips_rebuild_their_rows_on_start_when_the_table_is_missing()
    {
        await AssertAnswersAfterRebuildAsync<TipsService>(
            "tips-upgrade",
            async store =>
            {
                var id = Guid.CreateVersion7();
                await store.AppendRawAsync<TipState>(
                    id,
                    new TipReceived(id, "TIP-2024-0001", TipChannel.Hotline, SecurityCategory.Theft, "seen", Gate, At, "police-desk"),
                    new TipAssessed(id, TipVerdict.Valuable, null, "credible", At, "police-desk"));
            },
            ["/tips/stats?year=2024", "/tips?status=assessed"],
            typeof(TipRow));
    }

    [Fact]
    public async Task Partners_rebuild_their_rows_steps_and_action_items_on_start_when_the_tables_are_missing()
    {
        await AssertAnswersAfterRebuildAsync<PartnersService>(
            "partners-upgrade",
            async store =>
            {
                var partner = Guid.CreateVersion7();
                await store.AppendRawAsync<PartnerState>(partner, new PartnerRegistered(partner, "Eye hospital", PartnerKind.Hospital, At, "x"));
                var drive = Guid.CreateVersion7();
                await store.AppendRawAsync<IdCardDriveState>(drive, new IdCardDriveHeld(drive, partner, 1200, At, "x"));
                var meeting = Guid.CreateVersion7();
                await store.AppendRawAsync<MeetingState>(
                    meeting,
                    new MeetingHeld(meeting, At, [partner], "Minutes", At, "x"),
                    new ActionItemAssigned(meeting, Guid.CreateVersion7(), "Post the signs", partner, At.AddDays(7), At, "x"));
            },
            ["/partners/stats?year=2024", "/partners?kind=hospital"],
            typeof(PartnerRow),
            typeof(LinkageStep),
            typeof(ActionItemRow));
    }

    /// <summary>
    /// Appends events on a fresh store, reads <paramref name="paths"/>, stops the service, drops the
    /// tables of <paramref name="rows"/> (what an older version never made), starts it again and reads
    /// the same answers.
    /// </summary>
    private async Task AssertAnswersAfterRebuildAsync<TService>(string name, Func<IDocumentStore, Task> appendAsync, string[] paths, params Type[] rows)
        where TService : class
    {
        var first = await services.StartAsync<TService>(name);
        var store = services.StoreOf(name);
        await appendAsync(store);
        var before = await ReadAsync(first.CreateClient(), paths);
        var tables = rows.Select(row => ((DocumentMapping)((IReadOnlyStoreOptions)store.Options).FindOrResolveDocumentType(row)).TableName.QualifiedName).ToList();
        await services.StopAsync(first);

        await using (var connection = new NpgsqlConnection(await services.DatabaseOfAsync(name)))
        {
            await connection.OpenAsync(TestContext.Current.CancellationToken);
            foreach (var table in tables)
            {
                await using var drop = new NpgsqlCommand($"drop table {table} cascade", connection);
                await drop.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
            }
        }

        var second = await services.StartAsync<TService>(name);

        Assert.Equal(before, await ReadAsync(second.CreateClient(), paths));
        Assert.All(before, answer => Assert.DoesNotContain("\"total\":0,", answer, StringComparison.Ordinal));
    }

    private static async Task<List<string>> ReadAsync(HttpClient client, string[] paths)
    {
        var answers = new List<string>();
        foreach (var path in paths)
        {
            answers.Add((await client.OkJsonAsync(path)).GetRawText());
        }

        return answers;
    }
}
