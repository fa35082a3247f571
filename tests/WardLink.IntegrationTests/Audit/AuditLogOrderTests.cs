using System.Net;
using System.Text.Json;
using CsCheck;
using WardLink.Audit;
using WardLink.Auditor;
using WardLink.EventSourcing.Audit;
using WardLink.Incidents;
using WardLink.IntegrationTests.Incidents;
using WardLink.Testing;

namespace WardLink.IntegrationTests.Audit;

/// <summary>An incidents service whose log has events deleted straight in PostgreSQL here and there.</summary>
public sealed class GappedIncidents : ServiceGroup;

/// <summary>
/// The log is read as two streams merged in sequence order (the events with their links, the links
/// whose event is gone): whatever the deleted events and the filter, the feed answers exactly the
/// sequences of the one ordered union of events and links, each once, in order.
/// </summary>
public sealed class AuditLogOrderTests(GappedIncidents group) : IClassFixture<GappedIncidents>
{
    private const string Service = IncidentsService.Name;

    [Fact]
    public async Task Any_filter_of_a_log_with_events_deleted_here_and_there_answers_the_ordered_union_of_events_and_links()
    {
        var host = await group.StartAsync<IncidentsService>("incidents-gapped");
        var client = host.CreateClient();
        for (var i = 0; i < 12; i++)
        {
            await client.ReportAsync();
        }

        await client.ChainedAsync(Service);
        var store = group.StoreOf("incidents-gapped");

        // Every third event gone, the first and the last among them, and two neighbours: links whose
        // event is gone before, between and after the events kept.
        var sequences = await store.QueryAsync("select seq_id from mt_events order by seq_id", reader => reader.GetInt64(0));
        var deleted = sequences.Where((_, i) => i % 3 == 0).Append(sequences[^1]).Append(sequences[^2]).Distinct().ToArray();
        await store.ExecuteAsync("delete from mt_events where seq_id = any(@deleted)", ("deleted", deleted));
        var types = (await store.QueryAsync("select distinct type from mt_events", reader => reader.GetString(0))).Order(StringComparer.Ordinal).ToArray();

        var last = sequences[^1];
        await Gen.Select(Gen.Long[0, last + 1], Gen.Int[1, 2 * sequences.Count].Nullable(), Gen.Int[0, types.Length]).SampleAsync(
            async (after, limit, typeCount) =>
            {
                var chosen = types.Take(typeCount).ToArray();
                var typeFilter = chosen.Length == 0 ? "" : " and coalesce(e.type, l.type) = any(@types)";
                var expected = await store.QueryAsync(
                    "select coalesce(e.seq_id, l.sequence) from mt_events e full join wardlink_audit_links l on l.sequence = e.seq_id " +
                    $"where coalesce(e.seq_id, l.sequence) > @after{typeFilter} order by 1",
                    reader => reader.GetInt64(0),
                    ("after", after),
                    ("types", chosen));
                var query = $"/audit/{Service}/log?after={after}" + (limit is { } n ? $"&limit={n}" : "") + (chosen.Length > 0 ? $"&types={string.Join(',', chosen)}" : "");
                var lines = await LogAsync(client, query);

                Assert.Equal(expected.Take(limit ?? int.MaxValue), lines.Select(entry => entry.Sequence));
                Assert.All(lines.Where(entry => deleted.Contains(entry.Sequence)), entry => Assert.True(entry.Event is null && entry.Link is not null, $"{entry.Sequence}: a deleted event's link"));
                Assert.All(lines.Where(entry => !deleted.Contains(entry.Sequence)), entry => Assert.True(entry.Event is not null && entry.Link is not null, $"{entry.Sequence}: an event with its link"));
            },
            iter: 40,
            threads: 1);
    }

    private static async Task<List<AuditEntry>> LogAsync(HttpClient client, string query)
    {
        using var response = await client.GetAsync(query, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return [.. body.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonSerializer.Deserialize<AuditEntry>(line, AuditorCommands.Json)!)];
    }
}
