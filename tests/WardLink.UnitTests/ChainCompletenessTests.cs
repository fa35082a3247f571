using System.Security.Cryptography;
using CsCheck;
using WardLink.Audit;
using WardLink.Testing;

namespace WardLink.UnitTests;

/// <summary>
/// The verifier over generated logs (sequences with the gaps PostgreSQL leaves, checkpoints held by
/// the service and by its peers), cut and altered as someone with the database would: a cut head, a
/// cut tail, events removed with their links left, and events removed with the chain and the
/// service's own checkpoints recomputed. Each is caught, naming its kind and sequence, whenever
/// something outside the removed part still remembers it; what no witness vouches for is the
/// unwitnessed tail the report states. A checkpoint without a signature is a break.
/// </summary>
public sealed class ChainCompletenessTests
{
    private const string Service = "tips";
    private static readonly string[] Holders = [Service, "incidents", "partners"];
    private static readonly DateTimeOffset Recorded = new(2024, 3, 14, 14, 30, 0, TimeSpan.Zero);

    /// <summary>A chained log of 1 to 40 events; where each holder keeps a checkpoint (null: none there), each signed by the service.</summary>
    private static readonly Gen<GeneratedLog> Logs =
        Gen.Int[1, 40].SelectMany(count => Gen.Select(Gen.Int[1, 3].Array[count], Gen.Int[0, 5].Array[count], Generate));

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
                new UnwitnessedTail(witnessed?.Sequence ?? 0, witnessed?.At, after.Count, after.FirstOrDefault()?.Event!.RecordedAt),
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

    private static IntegrityReport Verify(IEnumerable<AuditEntry> entries, IEnumerable<CheckpointCopy> checkpoints, bool withKeys = true)
    {
        var verifier = new ChainVerifier(Service, checkpoints, withKeys ? TestAudit.Checks() : null);
        foreach (var entry in entries)
        {
            verifier.Add(entry);
        }

        return verifier.Report();
    }

    private static string Describe(IntegrityReport report) =>
        $"first broken {report.FirstBroken?.Kind} at {report.FirstBroken?.Sequence}; checkpoints {string.Join(", ", report.Checkpoints.Select(verdict => $"{verdict.Holder}@{verdict.Sequence}:{verdict.Agrees}"))}";

    private static GeneratedLog Generate(int[] gaps, int[] holders)
    {
        var sequence = 0L;
        var entries = Chain(gaps.Select(gap =>
        {
            sequence += gap;
            var recorded = new AuditEvent(new Guid((int)sequence, 0, 0, new byte[8]), 1, "tip_received", Recorded.AddSeconds(sequence), null, "police-console", null, null, Convert.ToHexStringLower(SHA256.HashData(BitConverter.GetBytes(sequence))), null);
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
            entries.Add(new AuditEntry(sequence, recorded, new AuditLink(entries.Count + 1, recorded.StreamId, recorded.Version, recorded.Type, recorded.DataHash, recorded.RecordedAt, previous, hash)));
            previous = hash;
        }

        return entries;
    }

    private sealed record GeneratedLog(IReadOnlyList<AuditEntry> Entries, IReadOnlyList<CheckpointCopy> Checkpoints)
    {
        public override string ToString() =>
            $"{Entries.Count} events at {string.Join(",", Entries.Select(entry => entry.Sequence))}; checkpoints {string.Join(", ", Checkpoints.Select(copy => $"{copy.Holder}@{copy.Sequence}"))}";
    }
}
