using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CsCheck;
using WardLink.Audit;
using WardLink.Auditor;
using WardLink.Testing;

namespace WardLink.UnitTests;

/// <summary>
/// The verifier over generated logs (sequences with the gaps PostgreSQL leaves, checkpoints held by
/// the service and by its peers), cut and altered as someone with the database would: a cut head, a
/// cut tail, events removed with their links left, and events removed with the chain and the
/// service's own checkpoints recomputed. Each is caught, naming its kind and sequence, whenever
/// something outside the removed part still remembers it; what no witness vouches for is the
/// unwitnessed tail the report states. Any one field of a line changed in an exported file is judged
/// alike by the tool's <c>verify</c> and <c>state</c>; a checkpoint without a signature is a break.
/// </summary>
public sealed class ChainCompletenessTests
{
    private const string Service = "tips";
    private static readonly string[] Holders = [Service, "incidents", "partners"];
    private static readonly DateTimeOffset Recorded = new(2024, 3, 14, 14, 30, 0, TimeSpan.Zero);
    private static readonly Guid[] Streams = [.. Enumerable.Range(1, 4).Select(stream => new Guid(stream, 0, 0, new byte[8]))];

    /// <summary>
    /// A chained log of 1 to 40 events of up to four streams, each stream's versions in order, and Marten's tombstones among them; where each holder keeps a
    /// checkpoint (null: none there), each signed by the service.
    /// </summary>
    private static readonly Gen<GeneratedLog> Logs =
        Gen.Int[1, 40].SelectMany(count => Gen.Select(Gen.Int[1, 3].Array[count], Gen.Int[0, Streams.Length].Array[count], Gen.Int[0, 5].Array[count], Generate));

    /// <summary>The stream Marten writes its tombstones to (<see cref="AuditEvent.TombstoneType"/>), each at the version of its sequence.</summary>
    private static readonly Guid Tombstones = Guid.Parse("ac58fe93-e177-4fdd-8f61-2ca5f4689d9c");

    /// <summary>
    /// A log of at least <paramref name="least"/> events and a part of it <c>[From, To)</c> (by index) that
    /// <paramref name="part"/> draws given the log's length: generated as wanted, not filtered, so no draw is
    /// ever short of samples (a filter that keeps one draw in forty, a cut head of a long log, once gave up).
    /// </summary>
    private static Gen<(GeneratedLog Log, int From, int To)> Cuts(int least, Func<int, Gen<(int From, int To)>> part) =>
        Logs.Where(log => log.Entries.Count >= least).SelectMany(log => part(log.Entries.Count).Select(cut => (log, cut.From, cut.To)));

    /// <summary>From <paramref name="from"/> to any index after it up to <paramref name="last"/>.</summary>
    private static Gen<(int From, int To)> Until(int from, int last) => Gen.Int[from + 1, last].Select(to => (from, to));

    [Fact]
    public void An_untouched_log_is_intact_and_its_unwitnessed_tail_is_what_follows_the_last_peer_checkpoint()
    {
        Logs.Sample(log =>
        {
            var report = Verify(log.Entries, log.Checkpoints);

            Assert.True(report.Intact, Describe(report));
            Assert.All(report.Checkpoints, verdict => Assert.True(verdict.Agrees));
            var witnessed = log.Checkpoints.LastOrDefault(copy => copy.Holder != Service);
            var after = log.Entries.Where(entry => entry.Sequence > (witnessed?.Sequence ?? 0)).ToList();
            Assert.Equal(
                new UnwitnessedTail(witnessed?.Sequence ?? 0, witnessed?.At, after.Count, after.FirstOrDefault(entry => entry.Event!.Type != AuditEvent.TombstoneType)?.Event!.RecordedAt),
                report.Unwitnessed);
        });
    }

    [Fact]
    public void A_cut_head_is_a_truncated_head_at_the_first_sequence_the_log_still_has()
    {
        Cuts(2, count => Until(0, count - 1)).Sample((log, _, to) =>
        {
            var report = Verify(log.Entries.Skip(to), log.Checkpoints);

            Assert.False(report.Intact);
            Assert.Equal((log.Entries[to].Sequence, BreakKind.TruncatedHead), (report.FirstBroken!.Sequence, report.FirstBroken.Kind));
        });
    }

    [Fact]
    public void A_cut_tail_is_a_truncated_tail_at_the_first_checkpoint_beyond_it_and_otherwise_only_unwitnessed_events_were_cut()
    {
        Cuts(2, count => Gen.Int[1, count - 1].Select(from => (from, count))).Sample((log, from, _) =>
        {
            var kept = log.Entries.Take(from).ToList();
            var report = Verify(kept, log.Checkpoints);

            var last = kept.LastOrDefault()?.Sequence ?? 0;
            var unreached = log.Checkpoints.Where(copy => copy.Sequence > last).ToList();
            if (unreached.Count > 0)
            {
                Assert.False(report.Intact);
                Assert.Equal((unreached[0].Sequence, BreakKind.TruncatedTail), (report.FirstBroken!.Sequence, report.FirstBroken.Kind));
                Assert.Equal(unreached.Count, report.Checkpoints.Count(verdict => verdict.Recomputed is null && !verdict.Agrees));
            }
            else
            {
                Assert.True(report.Intact, Describe(report));
            }
        });
    }

    [Fact]
    public void An_event_removed_with_its_link_left_is_missing_at_its_sequence()
    {
        Cuts(2, count => Gen.Int[0, count - 1].Select(from => (from, from + 1))).Sample((log, removed, _) =>
        {
            var entries = log.Entries.Select((entry, index) => index == removed ? entry with { Event = null } : entry);

            var report = Verify(entries, log.Checkpoints);

            Assert.False(report.Intact);
            Assert.Equal((log.Entries[removed].Sequence, BreakKind.MissingEvent), (report.FirstBroken!.Sequence, report.FirstBroken.Kind));
        });
    }

    [Fact]
    public void Events_removed_with_their_links_are_caught_where_the_chain_no_longer_connects()
    {
        Cuts(3, count => Gen.Int[1, count - 2].SelectMany(from => Until(from, count - 1))).Sample((log, from, to) =>
        {
            var report = Verify(log.Entries.Take(from).Concat(log.Entries.Skip(to)), log.Checkpoints);

            var lost = log.Checkpoints.FirstOrDefault(copy => copy.Sequence >= log.Entries[from].Sequence && copy.Sequence < log.Entries[to].Sequence);
            Assert.False(report.Intact);
            Assert.Equal(
                lost is null ? (log.Entries[to].Sequence, BreakKind.LinkAltered) : (lost.Sequence, BreakKind.MissingEvent),
                (report.FirstBroken!.Sequence, report.FirstBroken.Kind));
        });
    }

    /// <summary>
    /// The chain and the service's own checkpoints recomputed over what is left, as someone covering
    /// their tracks would: only a peer's checkpoint at or after the cut still tells; without one,
    /// every removed event was in the unwitnessed tail.
    /// </summary>
    [Fact]
    public void Events_removed_and_the_chain_recomputed_are_caught_by_the_first_peer_checkpoint_at_or_after_them()
    {
        Cuts(2, count => Gen.Int[0, count - 2].SelectMany(from => Until(from, count - 1))).Sample((log, from, to) =>
        {
            var kept = Chain(log.Entries.Take(from).Concat(log.Entries.Skip(to)).Select(entry => (entry.Sequence, entry.Event!)));
            var heads = kept.ToDictionary(entry => entry.Sequence, entry => entry.Link!.Hash);

            // Signed anew with the service's key: whoever runs the service has it.
            var checkpoints = log.Checkpoints
                .Where(copy => copy.Holder != Service || heads.ContainsKey(copy.Sequence))
                .Select(copy => copy.Holder == Service ? TestAudit.CopyOf(Service, Service, copy.Sequence, copy.Position, heads[copy.Sequence], copy.At) : copy)
                .ToList();

            var report = Verify(kept, checkpoints);

            var cutAt = log.Entries[from].Sequence;
            var witness = checkpoints.FirstOrDefault(copy => copy.Holder != Service && copy.Sequence >= cutAt);
            if (witness is null)
            {
                Assert.True(report.Intact, Describe(report));
                Assert.True(report.Unwitnessed.WitnessedThrough < cutAt);
            }
            else
            {
                var removed = log.Entries.Skip(from).Take(to - from).Any(entry => entry.Sequence == witness.Sequence);
                Assert.False(report.Intact);
                Assert.Equal(
                    (witness.Sequence, removed ? BreakKind.MissingEvent : BreakKind.CheckpointDisagrees),
                    (report.FirstBroken!.Sequence, report.FirstBroken.Kind));
            }
        });
    }

    /// <summary>
    /// Any field of one line of an exported file changed (its sequence, a field of its link, a field of its event): the
    /// tool's <c>verify</c> and <c>state</c> judge it alike. A field the chain covers is a break that <c>verify</c> names at
    /// that line (its sequence as the file now says), however far a changed sequence jumps past the checkpoints, and an event
    /// <c>state</c> leaves out of the stream it was chained in; a field the chain does not cover (a link's position, an
    /// event's business time, actor, correlation, causation and data) is neither.
    /// </summary>
    [Fact]
    public void Any_field_of_a_line_changed_is_named_by_verify_where_it_stands_and_left_out_by_state_alike()
    {
        using var folder = new TemporaryFolder();
        var keys = folder.Write("keys.json", JsonSerializer.Serialize(TestAudit.PublicKeys));
        var lines = Logs.SelectMany(log => Gen.Int[0, log.Entries.Count - 1].Select(line => (log, line)));
        Gen.Select(lines, Gen.Int[0, Changes.Length - 1], Gen.Long[1, 200], Gen.String, Gen.Guid).Sample((at, which, number, text, id) =>
        {
            var ((log, line), change) = (at, Changes[which]);
            var entries = log.Entries.Select((entry, index) => index == line ? change.Apply(entry, new Values(number, text, id)) : entry).ToList();
            var last = log.Entries[^1];
            var witnessed = log.Checkpoints.Append(TestAudit.CopyOf("partners", Service, last.Sequence, log.Entries.Count, last.Link!.Hash, last.Event!.RecordedAt.AddSeconds(1)));
            var file = folder.Write($"{Guid.NewGuid():N}.ndjson", string.Join('\n', entries.Select(entry => JsonSerializer.Serialize(entry, AuditorCommands.Json))));
            var checkpoints = folder.Write($"{Guid.NewGuid():N}.json", JsonSerializer.Serialize(witnessed, AuditorCommands.Json));

            var verify = Run("verify", "--file", file, "--service", Service, "--checkpoints", checkpoints, "--keys", keys);
            var state = Run("state", "--file", file, "--stream", log.Entries[line].Event!.StreamId.ToString());

            var report = JsonSerializer.Deserialize<IntegrityReport>(verify.Output, AuditorCommands.Json)!;
            Assert.True(verify.Exit == (change.Chained ? AuditorCommands.Broken : AuditorCommands.Intact), $"{change.Field}: exit {verify.Exit}, {Describe(report)} {verify.Errors}");
            Assert.Equal(change.Chained ? entries[line].Sequence : null, report.FirstBroken?.Sequence);
            Assert.NotEqual(AuditorCommands.Broken, state.Exit);
            var leftOut = Regex.Match(state.Errors, "([0-9]+) of its events left out");
            Assert.True((change.Chained ? "1" : null) == (leftOut.Success ? leftOut.Groups[1].Value : null), $"{change.Field}: state says {state.Errors}");
        });
    }

    /// <summary>
    /// A checkpoint that carries no signature is one its service did not sign: a break at its sequence whether or not keys
    /// are given to check signatures with (its absence needs none), its verdict's <c>signatureValid</c> false.
    /// </summary>
    [Fact]
    public void A_checkpoint_without_a_signature_is_a_break_at_its_sequence_with_keys_or_without()
    {
        var copies = Logs.Where(log => log.Checkpoints.Count > 0).SelectMany(log => Gen.Int[0, log.Checkpoints.Count - 1].Select(copy => (log, copy)));
        Gen.Select(copies, Gen.Bool, Gen.Bool).Sample((at, empty, withKeys) =>
        {
            var (log, stripped) = at;
            var checkpoints = log.Checkpoints.Select((copy, index) => index == stripped ? copy with { Signature = empty ? string.Empty : null } : copy).ToList();

            var report = Verify(log.Entries, checkpoints, withKeys);

            Assert.False(report.Intact);
            Assert.Equal((log.Checkpoints[stripped].Sequence, BreakKind.SignatureInvalid), (report.FirstBroken!.Sequence, report.FirstBroken.Kind));
            Assert.Equal(
                checkpoints.OrderBy(copy => copy.Sequence).ThenBy(copy => copy.Holder, StringComparer.Ordinal).Select(copy => string.IsNullOrEmpty(copy.Signature) ? false : withKeys ? true : (bool?)null),
                report.Checkpoints.Select(verdict => verdict.SignatureValid));
        });
    }

    /// <summary>
    /// A service takes a checkpoint every <c>CheckpointEvery</c> links (its peers keep copies): whoever rewrites the chain from
    /// some link on and deletes, from every holder, the checkpoints that would show it, leaves the next checkpoint the service
    /// signs further from the one before than that. The verifier told the service's <c>CheckpointEvery</c> finds it there,
    /// whichever run is deleted; with a copy of each left at some holder, or no run deleted, the log is intact.
    /// </summary>
    [Fact]
    public void Checkpoints_deleted_from_every_holder_are_missing_at_the_next_one_and_a_copy_anywhere_keeps_the_log_intact()
    {
        var logs = Gen.Select(Gen.Int[1, 5], Gen.Int[2, 8]).SelectMany((every, taken) =>
            Gen.Select(Gen.Int[1, 3].Array[every * taken], Gen.Int[0, 3].Array[every * taken], Gen.Int[0, 0].Array[every * taken], Generate)
                .Select(log => (Every: every, Log: log with { Checkpoints = EveryAt(log, every) })));
        var deletions = logs.SelectMany(at => Gen.Int[1, at.Log.Entries.Count / at.Every - 1].SelectMany(first =>
            Gen.Int[first, at.Log.Entries.Count / at.Every - 1].Select(last => (at.Every, at.Log, First: first, Last: last))));
        Gen.Select(deletions, Gen.Bool).Sample((deleted, everywhere) =>
        {
            var (every, log, first, last) = deleted;
            bool Deleted(CheckpointCopy copy) => copy.Position >= first * every && copy.Position <= last * every && (everywhere || copy.Holder != Holders[^1]);
            var kept = log.Checkpoints.Where(copy => !Deleted(copy)).ToList();

            var report = Verify(log.Entries, kept, checkpointEvery: every);

            Assert.True(Verify(log.Entries, log.Checkpoints, checkpointEvery: every).Intact);
            if (everywhere)
            {
                var next = log.Checkpoints.First(copy => copy.Position == (last + 1) * every);
                Assert.False(report.Intact);
                Assert.Equal((next.Sequence, BreakKind.CheckpointMissing), (report.FirstBroken!.Sequence, report.FirstBroken.Kind));
            }
            else
            {
                Assert.True(report.Intact, Describe(report));
            }
        });
    }

    /// <summary>The service's checkpoint at every <paramref name="every"/>-th link of <paramref name="log"/>, and a copy of it at each peer.</summary>
    private static IReadOnlyList<CheckpointCopy> EveryAt(GeneratedLog log, int every) =>
        [.. log.Entries.Where(entry => entry.Link!.Position % every == 0).SelectMany(entry => Holders.Select(holder =>
            TestAudit.CopyOf(holder, Service, entry.Sequence, entry.Link!.Position, entry.Link.Hash, entry.Event!.RecordedAt.AddSeconds(1))))];

    private static IntegrityReport Verify(IEnumerable<AuditEntry> entries, IEnumerable<CheckpointCopy> checkpoints, bool withKeys = true, long? checkpointEvery = null)
    {
        var verifier = new ChainVerifier(Service, checkpoints, withKeys ? TestAudit.Checks() : null, checkpointEvery: checkpointEvery);
        foreach (var entry in entries)
        {
            verifier.Add(entry);
        }

        return verifier.Report();
    }

    private static string Describe(IntegrityReport report) =>
        $"first broken {report.FirstBroken?.Kind} at {report.FirstBroken?.Sequence}; checkpoints {string.Join(", ", report.Checkpoints.Select(verdict => $"{verdict.Holder}@{verdict.Sequence}:{verdict.Agrees}"))}";

    private static GeneratedLog Generate(int[] gaps, int[] streams, int[] holders)
    {
        var sequence = 0L;
        var versions = new long[Streams.Length];
        var entries = Chain(gaps.Select((gap, index) =>
        {
            sequence += gap;
            if (streams[index] == Streams.Length)
            {
                return (sequence, new AuditEvent(Tombstones, sequence, AuditEvent.TombstoneType, DateTimeOffset.MinValue, null, null, null, null, Convert.ToHexStringLower(SHA256.HashData(BitConverter.GetBytes(sequence))), new JsonObject()));
            }

            var version = ++versions[streams[index]];
            var recorded = new AuditEvent(
                Streams[streams[index]], version, version == 1 ? "tip_received" : "tip_assessed", Recorded.AddSeconds(sequence), Recorded.AddDays(-sequence), "police-console",
                null, null, Convert.ToHexStringLower(SHA256.HashData(BitConverter.GetBytes(sequence))), new JsonObject { ["status"] = $"status {version}" });
            return (sequence, recorded);
        }));
        var checkpoints = entries
            .Select((entry, index) => holders[index] < Holders.Length
                ? TestAudit.CopyOf(Holders[holders[index]], Service, entry.Sequence, index + 1, entry.Link!.Hash, entry.Event!.RecordedAt.AddSeconds(1))
                : null)
            .OfType<CheckpointCopy>()
            .ToList();
        return new GeneratedLog(entries, checkpoints);
    }

    /// <summary>Events linked from the genesis link, as the chain subscription links them.</summary>
    private static List<AuditEntry> Chain(IEnumerable<(long Sequence, AuditEvent Event)> events)
    {
        var entries = new List<AuditEntry>();
        var previous = HashChain.Genesis;
        foreach (var (sequence, recorded) in events)
        {
            var hash = HashChain.Link(previous, recorded.Chained(sequence));
            entries.Add(new AuditEntry(sequence, recorded, new AuditLink(entries.Count + 1, recorded.StreamId, recorded.Version, recorded.Type, recorded.DataHash, recorded.RecordedAt, previous, hash, recorded.Ward)));
            previous = hash;
        }

        return entries;
    }

    /// <summary>What a changed field is changed to: a number (1 to 200), a text, an id.</summary>
    private sealed record Values(long Number, string Text, Guid Id);

    /// <summary>A field of a line changed, and whether the chain covers it (then a change is a break).</summary>
    private sealed record Change(string Field, bool Chained, Func<AuditEntry, Values, AuditEntry> Apply);

    /// <summary>Every field of a line: its sequence, each of its link's, each of its event's.</summary>
    private static readonly Change[] Changes =
    [
        new("sequence", true, (entry, to) => entry with { Sequence = Other(entry.Sequence, to.Number) }),
        new("link.position", false, (entry, to) => OfLink(entry, link => link with { Position = Other(link.Position, to.Number) })),
        new("link.streamId", true, (entry, to) => OfLink(entry, link => link with { StreamId = to.Id })),
        new("link.version", true, (entry, to) => OfLink(entry, link => link with { Version = Other(link.Version, to.Number) })),
        new("link.type", true, (entry, to) => OfLink(entry, link => link with { Type = Other(link.Type, to.Text) })),
        new("link.dataHash", true, (entry, to) => OfLink(entry, link => link with { DataHash = Other(link.DataHash, Digest(to)) })),
        new("link.recordedAt", true, (entry, to) => OfLink(entry, link => link with { RecordedAt = link.RecordedAt.AddTicks(to.Number) })),
        new("link.previous", true, (entry, to) => OfLink(entry, link => link with { Previous = Other(link.Previous, Digest(to)) })),
        new("link.hash", true, (entry, to) => OfLink(entry, link => link with { Hash = Other(link.Hash, Digest(to)) })),
        new("event.streamId", true, (entry, to) => OfEvent(entry, recorded => recorded with { StreamId = to.Id })),
        new("event.version", true, (entry, to) => OfEvent(entry, recorded => recorded with { Version = Other(recorded.Version, to.Number) })),
        new("event.type", true, (entry, to) => OfEvent(entry, recorded => recorded with { Type = Other(recorded.Type, to.Text) })),
        new("event.dataHash", true, (entry, to) => OfEvent(entry, recorded => recorded with { DataHash = Other(recorded.DataHash, Digest(to)) })),
        new("event.recordedAt", true, (entry, to) => OfEvent(entry, recorded => recorded with { RecordedAt = recorded.RecordedAt.AddTicks(to.Number) })),
        new("event.wardTime", false, (entry, to) => OfEvent(entry, recorded => recorded with { WardTime = (recorded.WardTime ?? Recorded).AddTicks(to.Number) })),
        new("event.actor", false, (entry, to) => OfEvent(entry, recorded => recorded with { Actor = Other(recorded.Actor, to.Text) })),
        new("event.correlationId", false, (entry, to) => OfEvent(entry, recorded => recorded with { CorrelationId = to.Text })),
        new("event.causationId", false, (entry, to) => OfEvent(entry, recorded => recorded with { CausationId = to.Text })),
        new("event.data", false, (entry, to) => OfEvent(entry, recorded => recorded with { Data = new JsonObject { ["status"] = Other(recorded.Data!["status"]?.GetValue<string>(), to.Text) } })),
    ];

    private static AuditEntry OfLink(AuditEntry entry, Func<AuditLink, AuditLink> change) => entry with { Link = change(entry.Link!) };

    private static AuditEntry OfEvent(AuditEntry entry, Func<AuditEvent, AuditEvent> change) => entry with { Event = change(entry.Event!) };

    private static long Other(long original, long value) => value == original ? original + 1 : value;

    private static string Other(string? original, string value) => value == original ? value + "x" : value;

    /// <summary>A digest as the chain writes one (for an odd number) or any text (for an even one).</summary>
    private static string Digest(Values to) => to.Number % 2 == 1 ? Convert.ToHexStringLower(SHA256.HashData(to.Id.ToByteArray())) : to.Text;

    private static (int Exit, string Output, string Errors) Run(params string[] args)
    {
        using var http = new HttpClient();
        using var output = new StringWriter();
        using var errors = new StringWriter();
        var exit = AuditorCommands.RunAsync(args, http, output, errors, TestContext.Current.CancellationToken).GetAwaiter().GetResult();
        return (exit, output.ToString(), errors.ToString());
    }

    /// <summary>A folder of the test's files, deleted with them at the end.</summary>
    private sealed class TemporaryFolder : IDisposable
    {
        private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("wardlink-chain-");

        public string Write(string name, string content)
        {
            var file = Path.Combine(_folder.FullName, name);
            File.WriteAllText(file, content);
            return file;
        }

        public void Dispose() => _folder.Delete(recursive: true);
    }

    private sealed record GeneratedLog(IReadOnlyList<AuditEntry> Entries, IReadOnlyList<CheckpointCopy> Checkpoints)
    {
        public override string ToString() =>
            $"{Entries.Count} events at {string.Join(",", Entries.Select(entry => entry.Sequence))}; checkpoints {string.Join(", ", Checkpoints.Select(copy => $"{copy.Holder}@{copy.Sequence}"))}";
    }
}
