using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CsCheck;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using WardLink.Audit;
using WardLink.Auditor;
using WardLink.Domain;
using WardLink.EventSourcing.Audit;
using WardLink.Incidents;
using WardLink.IntegrationTests.BadInput;
using WardLink.IntegrationTests.Incidents;
using WardLink.ServiceDefaults.Security;
using WardLink.Testing;

namespace WardLink.IntegrationTests.Audit;

/// <summary>Incidents services, each test's on a database of its own, checkpointing every 2 events.</summary>
public sealed class TamperedIncidents : ServiceGroup;

/// <summary>
/// History rewritten straight in PostgreSQL (data changed, an event deleted, two events swapped, the
/// oldest events cut with their links, a link's own copy of its event's fields changed, events deleted
/// here and there under any filter of the log):
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

    /// <summary>
    /// An insider with the database moves a record to another ward it keeps (the tenant of its stream and of its events
    /// rewritten, the chain left as it was): the service finds its first event with its ward changed, every checkpoint from
    /// there on disagreeing, and the tool finds it gone from the ward it was in.
    /// </summary>
    /// <remarks>
    /// The home ward's own id is a tenant no service writes (its records are the default tenant's): a record moved there is out
    /// of every record's read, and was shown as the home ward's still, the check saying intact; then it was out of every log
    /// too, so an export lacked it and the tool named the next event's link. The home ward's readers are shown it with no ward.
    /// </remarks>
    [Theory]
    [InlineData("ward-elsewhere", "ward-elsewhere", BreakKind.MissingEvent)]
    [InlineData("quang-thang", null, BreakKind.FieldsChanged)]
    public async Task A_record_moved_to_another_ward_of_the_database_is_found_at_its_first_event_by_the_service_and_by_the_tool(string tenant, string? shown, BreakKind toolFinds)
    {
        var (client, store, incidents) = await ChainedIncidentsAsync($"incidents-moved-{tenant}");
        var sequence = await store.SequenceOfAsync(incidents[1], 1);

        await store.ExecuteAsync(
            "with moved as (update mt_streams set tenant_id = @tenant where id = @id) update mt_events set tenant_id = @tenant where stream_id = @id",
            ("id", incidents[1]),
            ("tenant", tenant));

        var report = await client.IntegrityAsync(Service);
        Assert.False(report.Intact);
        Assert.Equal((sequence, BreakKind.FieldsChanged), (report.FirstBroken!.Sequence, report.FirstBroken.Kind));
        Assert.Equal(["ward"], report.FirstBroken.Differences);
        Assert.Equal((shown, incidents[1]), (report.FirstBroken.Found!.Ward, report.FirstBroken.Found.StreamId));
        Assert.NotNull(report.FirstBroken.Chained!.Ward);
        AssertCheckpointsDisagreeFrom(sequence, report);

        // The tool's export, read by an auditor of the ward the record was in, no longer holds it where it was moved to a ward of
        // the database (the checkpoint taken at its first event finds the event missing there), and holds it with no ward where it
        // was moved to the home ward's own id (the event found with its ward changed).
        var moved = (await LogAsync(client, $"/audit/{Service}/log?after={sequence - 1}")).Where(entry => entry.Sequence == sequence).ToList();
        Assert.Equal(shown is null ? [(true, null)] : [], moved.Select(entry => (entry.Event is not null, entry.Event?.Ward)));
        await AssertToolFindsAsync(client, sequence, toolFinds);
    }

    /// <summary>
    /// An event's data rewritten to what its type cannot hold (the assignment's unit, a text, made an object): every read the
    /// service's document names the record by in its path answers, never a 500 (the record's read and its rebuilt state, which
    /// read its events, a 409 problem naming the event's sequence, which the document declares), the integrity report names
    /// the change, and the stream's events show the unit as not of its type, never the object written there.
    /// </summary>
    [Fact]
    public async Task An_event_rewritten_to_what_its_type_cannot_hold_is_a_409_naming_it_on_every_read_of_its_record()
    {
        var (client, store, incidents) = await ChainedIncidentsAsync("incidents-unreadable");
        var sequence = await store.SequenceOfAsync(incidents[0], 2);

        await store.ExecuteAsync("update mt_events set data = jsonb_set(data, '{unit}', '{\"x\": [1, 2]}') where seq_id = @sequence", ("sequence", sequence));

        var report = await client.IntegrityAsync(Service);
        Assert.Equal((sequence, BreakKind.DataChanged), (report.FirstBroken!.Sequence, report.FirstBroken.Kind));
        var failures = new List<string>();
        var unreadable = 0;
        foreach (var read in (await DescribedOperation.AllAsync(client, TestContext.Current.CancellationToken)).Where(operation => operation.Method == "GET"))
        {
            if (PathParameter.Of(read.Description) is not [{ IsGuid: true } record])
            {
                continue;
            }

            using var answer = await client.GetAsync(read.Template.Replace($"{{{record.Name}}}", incidents[0].ToString(), StringComparison.Ordinal), TestContext.Current.CancellationToken);
            var body = await answer.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            var status = (int)answer.StatusCode;
            if (status >= 500 || read.Description["responses"]?[$"{status}"] is null)
            {
                failures.Add($"GET {read.Template}: {status} (undeclared or a fault) {body}");
            }
            else if (status == 409)
            {
                unreadable++;
                if ((string?)read.Description["responses"]!["409"]!["content"]?["application/problem+json"]?["schema"]?["$ref"] != "#/components/schemas/ProblemDetails")
                {
                    failures.Add($"GET {read.Template}: its 409 is declared without the document's ProblemDetails");
                }

                var problem = JsonDocument.Parse(body).RootElement;
                if (problem.GetProperty("title").GetString() != "A stored event of this record cannot be read." || problem.GetProperty("detail").GetString()?.Contains($"sequence {sequence} ", StringComparison.Ordinal) != true)
                {
                    failures.Add($"GET {read.Template}: a 409 naming no sequence {sequence}: {body}");
                }
            }
        }

        Assert.Empty(failures);
        Assert.True(unreadable >= 2, $"{unreadable} reads found the event unreadable: the record's read and its state as of now rebuild it");
        var events = await client.GetStringAsync($"/audit/{Service}/streams/{incidents[0]}", TestContext.Current.CancellationToken);
        Assert.Contains(AuditRedaction.Undeclared, events, StringComparison.Ordinal);
        Assert.DoesNotContain("\"x\"", events, StringComparison.Ordinal);
    }

    /// <summary>
    /// An event's stored .NET type (<c>mt_dotnet_type</c>, which the chain does not cover, and by which the service's code reads
    /// it) rewritten to another event type's, and another event's data given properties its type does not declare (one in
    /// another letter case, a contact's phone): no one, police or auditor, reads either as stored in the stream's events or
    /// the log. The event read as another type is shown as that type, which the service and the tool find changed there.
    /// </summary>
    [Fact]
    public async Task An_event_read_as_another_type_or_holding_what_its_type_does_not_declare_is_shown_to_no_one_as_stored()
    {
        var (client, store, incidents) = await ChainedIncidentsAsync("incidents-undeclared");
        var assigned = await store.SequenceOfAsync(incidents[0], 2);
        var retyped = await store.SequenceOfAsync(incidents[1], 1);
        var added = await store.SequenceOfAsync(incidents[2], 1);
        var assignment = (await store.QueryAsync("select type from mt_events where seq_id = @assigned", reader => reader.GetString(0), ("assigned", assigned))).Single();

        await store.ExecuteAsync(
            "update mt_events set mt_dotnet_type = (select mt_dotnet_type from mt_events where seq_id = @assigned) where seq_id = @retyped; " +
            "update mt_events set data = data || '{\"contactPhone\": \"0912 345 678\", \"Description\": \"Hidden Person\"}' where seq_id = @added",
            ("assigned", assigned),
            ("retyped", retyped),
            ("added", added));

        var report = await client.IntegrityAsync(Service);
        Assert.Equal((retyped, BreakKind.FieldsChanged), (report.FirstBroken!.Sequence, report.FirstBroken.Kind));
        Assert.Equal(["type"], report.FirstBroken.Differences);
        Assert.Equal(assignment, report.FirstBroken.Found!.Type);
        await AssertToolFindsAsync(client, retyped, BreakKind.FieldsChanged);
        foreach (var role in new[] { WardLinkRoles.Auditor, WardLinkRoles.Police })
        {
            client.As(TestAuth.Token(role));
            var read = await client.GetStringAsync($"/audit/{Service}/streams/{incidents[1]}", TestContext.Current.CancellationToken);
            var retypedEvent = JsonDocument.Parse(read).RootElement.GetProperty("events")[0].GetProperty("event");
            Assert.Equal((assignment, AuditRedaction.Undeclared), (retypedEvent.GetProperty("type").GetString(), retypedEvent.GetProperty("data").GetString()));
            foreach (var path in new[] { $"/audit/{Service}/streams/{incidents[2]}", $"/audit/{Service}/log?after={added - 1}&limit=1" })
            {
                var shown = await client.GetStringAsync(path, TestContext.Current.CancellationToken);
                Assert.DoesNotContain("0912 345 678", shown, StringComparison.Ordinal);
                Assert.DoesNotContain("Hidden Person", shown, StringComparison.Ordinal);
                Assert.Contains(AuditRedaction.Undeclared, shown, StringComparison.Ordinal);
            }
        }
    }

    /// <summary>
    /// The store numbers its events from 1. An event an insider put at a sequence of 0 or below (a record of its own, that the
    /// chain never saw), which the record's read and its rebuilt state fold all the same, is in the record's events and in the
    /// log, and the service and the tool find it unchained there.
    /// </summary>
    [Theory]
    [InlineData(0L)]
    [InlineData(-7L)]
    public async Task An_event_put_at_a_sequence_of_0_or_below_is_in_its_stream_and_the_log_and_found_unchained_there(long sequence)
    {
        var (client, store, incidents) = await ChainedIncidentsAsync($"incidents-at-{-sequence}");
        var copied = await store.SequenceOfAsync(incidents[1], 1);
        var forged = Guid.NewGuid();

        await store.ExecuteAsync(
            "insert into mt_streams (tenant_id, id, type, version, timestamp, created) select tenant_id, @forged, type, 1, timestamp, created from mt_streams where id = @copiedStream; " +
            "insert into mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type) " +
            "select @sequence, gen_random_uuid(), @forged, 1, data, type, timestamp, tenant_id, mt_dotnet_type from mt_events where seq_id = @copied",
            ("forged", forged),
            ("copiedStream", incidents[1]),
            ("sequence", sequence),
            ("copied", copied));

        var report = await client.IntegrityAsync(Service);
        Assert.Equal((sequence, BreakKind.UnchainedEvent), (report.FirstBroken!.Sequence, report.FirstBroken.Kind));
        Assert.Equal(forged, report.FirstBroken.Found!.StreamId);
        var events = (await client.GetFromJsonAsync<StreamAudit>($"/audit/{Service}/streams/{forged}", AuditorCommands.Json, TestContext.Current.CancellationToken))!.Events;
        Assert.Equal([(sequence, false)], events.Select(entry => (entry.Sequence, entry.Link is not null)));
        Assert.Equal(sequence, (await LogAsync(client, $"/audit/{Service}/log?limit=1")).Single().Sequence);
        await AssertToolFindsAsync(client, sequence, BreakKind.UnchainedEvent);
    }

    /// <summary>
    /// A time an insider wrote beyond what .NET reads (the year 20000, or before the year 1) in an event's recorded time, a link's,
    /// or a checkpoint's, or data nested deeper than a reader goes: the integrity report names it (never a 500, for any caller),
    /// and the stream's events, the log and the checkpoints answer; the tool's export and verify find it too.
    /// </summary>
    [Theory]
    [InlineData("recorded-far", "update mt_events set timestamp = '20000-01-01 00:00+00' where seq_id = @sequence", BreakKind.FieldsChanged, "recordedAt")]
    [InlineData("recorded-bc", "update mt_events set timestamp = '0100-01-01 00:00+00 BC' where seq_id = @sequence", BreakKind.FieldsChanged, "recordedAt")]
    [InlineData("linked-far", "update wardlink_audit_links set recorded_at = '20000-01-01 00:00+00' where sequence = @sequence", BreakKind.LinkAltered, "recordedAt")]
    [InlineData("checkpointed-far", "update wardlink_audit_checkpoints set at = '20000-01-01 00:00+00' where sequence = (select min(sequence) from wardlink_audit_checkpoints where sequence >= @sequence)", BreakKind.SignatureInvalid, "signature")]
    [InlineData("nested-deep", "update mt_events set data = data || jsonb_build_object('deep', (repeat('{\"deep\":', 100) || '1' || repeat('}', 100))::jsonb) where seq_id = @sequence", BreakKind.DataChanged, "data")]
    public async Task A_value_beyond_what_net_reads_is_reported_and_every_read_of_the_log_answers(string name, string tampering, BreakKind kind, string field)
    {
        var (client, store, incidents) = await ChainedIncidentsAsync($"incidents-{name}");
        var sequence = await store.SequenceOfAsync(incidents[1], 1);

        await store.ExecuteAsync(tampering, ("sequence", sequence));

        var report = await client.IntegrityAsync(Service);
        Assert.Equal(kind, report.FirstBroken!.Kind);
        Assert.Equal([field], report.FirstBroken.Differences);
        Assert.True(report.FirstBroken.Sequence >= sequence, $"found at {report.FirstBroken.Sequence}, changed at {sequence}");
        foreach (var read in new[] { $"/audit/{Service}/streams/{incidents[1]}", $"/audit/{Service}/log", $"/audit/{Service}/checkpoints/{Service}" })
        {
            using var answer = await client.GetAsync(read, TestContext.Current.CancellationToken);
            Assert.True(answer.StatusCode == HttpStatusCode.OK, $"{read}: {answer.StatusCode} {await answer.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)}");
        }

        // The tool, given no keys, checks no signature: it reads the checkpoint all the same.
        var (exit, offline) = await client.ExportAndVerifyAsync(Service);
        (long, BreakKind)? expected = kind == BreakKind.SignatureInvalid ? null : (report.FirstBroken.Sequence, kind);
        Assert.Equal((expected is null ? AuditorCommands.Intact : AuditorCommands.Broken, expected), (exit, offline.FirstBroken is { } broken ? (broken.Sequence, broken.Kind) : null));
    }

    /// <summary>
    /// An event deleted, or flagged archived (Marten's <c>is_archived</c>, which no service sets; the record's read passes
    /// over it, and so do the log and the record's events): the service and the tool find it missing where its link remains.
    /// </summary>
    [Theory]
    [InlineData("deleted", "delete from mt_events where seq_id = @sequence")]
    [InlineData("archived", "update mt_events set is_archived = true where seq_id = @sequence")]
    public async Task An_event_deleted_from_the_database_is_found_missing_where_its_link_remains(string name, string tampering)
    {
        var (client, store, incidents) = await ChainedIncidentsAsync($"incidents-{name}");
        var sequence = await store.SequenceOfAsync(incidents[1], 1);

        await store.ExecuteAsync(tampering, ("sequence", sequence));

        var report = await client.IntegrityAsync(Service);
        Assert.False(report.Intact);
        Assert.Equal((sequence, BreakKind.MissingEvent), (report.FirstBroken!.Sequence, report.FirstBroken.Kind));
        Assert.Equal(incidents[1], report.FirstBroken.Chained!.StreamId);
        Assert.Null(report.FirstBroken.Found);
        AssertCheckpointsDisagreeFrom(sequence, report);
        await AssertToolFindsAsync(client, sequence, BreakKind.MissingEvent);
    }

    /// <summary>
    /// Whoever rewrites the chain from some link on must delete, from every holder, the checkpoints that would show it; the
    /// service's next checkpoint then follows the one before by more links than it takes one every: both the service and the
    /// tool told its <c>CheckpointEvery</c> find the checkpoints missing there, even with the chain itself unchanged.
    /// </summary>
    [Fact]
    public async Task Checkpoints_deleted_from_every_holder_are_found_missing_at_the_next_one_by_the_service_and_by_the_tool()
    {
        var (client, store, _) = await ChainedIncidentsAsync("incidents-checkpoints-deleted");
        var checkpoints = await client.CheckpointsAsync(Service, Service);
        var (deleted, next) = (checkpoints[1], checkpoints[2]);

        await store.ExecuteAsync(
            $"delete from {store.Options.Events.DatabaseSchemaName}.{AuditStorage.CheckpointsTable} where sequence = @sequence", ("sequence", deleted.Sequence));

        var report = await client.IntegrityAsync(Service);
        Assert.False(report.Intact);
        Assert.Equal((next.Sequence, BreakKind.CheckpointMissing), (report.FirstBroken!.Sequence, report.FirstBroken.Kind));
        Assert.Equal(["position"], report.FirstBroken.Differences);
        Assert.All(report.Checkpoints, verdict => Assert.True(verdict.Agrees));
        var (exit, offline) = await client.ExportAndVerifyAsync(Service, await client.CheckpointsAsync(Service, Service), null, checkpointEvery: 2);
        Assert.Equal(AuditorCommands.Broken, exit);
        Assert.Equal((next.Sequence, BreakKind.CheckpointMissing), (offline.FirstBroken!.Sequence, offline.FirstBroken.Kind));
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

    /// <summary>
    /// A stored link's previous or hash rewritten to text that is no digest: the integrity check answers (never a 500)
    /// and names it, a first link's previous as a truncated head, anything else as the link altered; the events are
    /// untouched, so the chain recomputed from them still agrees with every checkpoint. The tool finds the same.
    /// </summary>
    [Theory]
    [InlineData("previous", "min")]
    [InlineData("previous", "max")]
    [InlineData("hash", "min")]
    public async Task A_link_rewritten_in_the_database_to_no_digest_is_found_by_the_service_and_by_the_tool(string column, string which)
    {
        var (client, store, _) = await ChainedIncidentsAsync($"incidents-{column}-{which}-garbled");
        var sequence = (await store.QueryAsync($"select {which}(sequence) from {AuditStorage.LinksTable}", reader => reader.GetInt64(0))).Single();

        await store.ExecuteAsync($"update {AuditStorage.LinksTable} set {column} = 'x' where sequence = @sequence", ("sequence", sequence));

        var report = await client.IntegrityAsync(Service);
        var kind = (column, which) == ("previous", "min") ? BreakKind.TruncatedHead : BreakKind.LinkAltered;
        Assert.False(report.Intact);
        Assert.Equal((sequence, kind), (report.FirstBroken!.Sequence, report.FirstBroken.Kind));
        Assert.Equal(column == "previous" ? ["previous"] : [], report.FirstBroken.Differences);
        Assert.All(report.Checkpoints, verdict => Assert.True(verdict.Agrees));
        await AssertToolFindsAsync(client, sequence, kind);
    }

    /// <summary>
    /// A stored link's own copy of one of its event's fields rewritten, its event and its hash left as they were: the hash
    /// still holds for the event, so only comparing the link's copies with the event shows it. The service and the tool
    /// both name the link altered at its sequence, naming the field; the chain recomputed from the events still agrees with
    /// every checkpoint.
    /// </summary>
    [Theory]
    [InlineData("type", "'incident_forged'", "type")]
    [InlineData("data_hash", "repeat('e', 64)", "data")]
    [InlineData("recorded_at", "recorded_at + interval '1 second'", "recordedAt")]
    [InlineData("version", "version + 1", "version")]
    [InlineData("stream_id", "gen_random_uuid()", "streamId")]
    [InlineData("ward", "'ward-elsewhere'", "ward")]
    public async Task A_links_own_copy_of_a_field_of_its_event_rewritten_is_found_by_the_service_and_by_the_tool(string column, string value, string field)
    {
        var (client, store, _) = await ChainedIncidentsAsync($"incidents-link-{column.Replace('_', '-')}");
        var sequence = (await store.QueryAsync($"select max(sequence) from {AuditStorage.LinksTable}", reader => reader.GetInt64(0))).Single();

        await store.ExecuteAsync($"update {AuditStorage.LinksTable} set {column} = {value} where sequence = @sequence", ("sequence", sequence));

        var report = await client.IntegrityAsync(Service);
        Assert.False(report.Intact);
        Assert.Equal((sequence, BreakKind.LinkAltered), (report.FirstBroken!.Sequence, report.FirstBroken.Kind));
        Assert.Equal([field], report.FirstBroken.Differences);
        Assert.All(report.Checkpoints, verdict => Assert.True(verdict.Agrees));
        await AssertToolFindsAsync(client, sequence, BreakKind.LinkAltered);
    }

    /// <summary>
    /// A stored link rewritten (its hash) with its type and data hash as texts far longer than they can be: the check finds
    /// the link altered and shows what it holds within the lengths the report documents (an insider's text is not echoed
    /// whole into every auditor's report). The link's copies of the event's fields alone vouch for nothing: the chain is
    /// recomputed from the events.
    /// </summary>
    [Fact]
    public async Task A_link_rewritten_to_overlong_texts_is_found_and_shown_within_its_documented_lengths()
    {
        var (client, store, _) = await ChainedIncidentsAsync("incidents-overlong-link");
        var sequence = (await store.QueryAsync($"select max(sequence) from {AuditStorage.LinksTable}", reader => reader.GetInt64(0))).Single();

        await store.ExecuteAsync($"update {AuditStorage.LinksTable} set type = repeat('t', 5000), data_hash = repeat('d', 5000), hash = repeat('0', 64) where sequence = @sequence", ("sequence", sequence));

        var report = await client.IntegrityAsync(Service);
        Assert.False(report.Intact);
        Assert.Equal(sequence, report.FirstBroken!.Sequence);
        Assert.Contains("type", report.FirstBroken.Differences);
        Assert.Equal(new string('t', BusinessEvents.MaxTypeNameLength), report.FirstBroken.Chained!.Type);
        Assert.Equal(new string('d', HashChain.HashLength), report.FirstBroken.Chained.DataHash);

        // A checkpoint's head rewritten alike disagrees, and is shown as far as a head goes.
        await store.ExecuteAsync($"update {AuditStorage.CheckpointsTable} set head = repeat('f', 5000)");
        var checkpoints = (await client.IntegrityAsync(Service)).Checkpoints;
        Assert.NotEmpty(checkpoints);
        Assert.All(checkpoints, verdict => Assert.Equal((false, new string('f', HashChain.HashLength)), (verdict.Agrees, verdict.Head)));
    }

    /// <summary>
    /// The log is read as two streams merged in sequence order (the events with their links, the links
    /// whose event is gone): whatever the deleted events and the filter, the feed answers exactly the
    /// sequences of the one ordered union of events and links, each once, in order.
    /// </summary>
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
