using System.Security.Cryptography;
using System.Text;
using CsCheck;
using WardLink.Audit;
using WardLink.Testing;

namespace WardLink.UnitTests;

/// <summary>The chain's links and the check that recomputes them: plain data in, a report out.</summary>
public sealed class HashChainTests
{
    private static readonly Guid First = Guid.Parse("0190c6a1-0000-7000-8000-000000000001");
    private static readonly Guid Second = Guid.Parse("0190c6a1-0000-7000-8000-000000000002");
    private static readonly DateTimeOffset Recorded = new(2024, 3, 14, 14, 30, 0, TimeSpan.Zero);
    private static readonly string[] Wards = ["ward-quang-trung", "ward-ben-nghe", "ward-da-kao"];

    /// <summary>The wards an insider moves an event to: another one, or its own in another letter case or with a space.</summary>
    private static readonly string[] Destinations = [.. Wards, "Ward-Quang-Trung", "ward-quang-trung "];

    /// <summary>Letters of one and two UTF-16 units each.</summary>
    private static readonly string[] Letters = ["😀", "ắ", "a", "𠀀"];

    /// <summary>
    /// A stored text an insider made longer is shown cut to the characters the report documents, as code points: any text, of
    /// emoji or Vietnamese letters, is cut to at most that many characters and never inside one (a lone surrogate, which no JSON
    /// reader takes as text); one within the length is shown whole.
    /// </summary>
    [Fact]
    public void A_stored_text_is_shown_cut_to_its_documented_characters_never_inside_one()
    {
        Gen.Select(Gen.Int[0, Letters.Length - 1].Select(index => Letters[index]).Array[0, 90], Gen.Int[1, 70]).Sample((pieces, length) =>
        {
            var text = string.Concat(pieces);
            var shown = ChainedFields.Shown(text, length);
            Assert.Equal(Math.Min(length, text.EnumerateRunes().Count()), shown.EnumerateRunes().Count());
            Assert.StartsWith(shown, text, StringComparison.Ordinal);
            Assert.DoesNotContain(shown.EnumerateRunes(), rune => rune == Rune.ReplacementChar);
            Assert.False(shown.Length > 0 && char.IsHighSurrogate(shown[^1]), "cut inside a character");
        });
    }

    [Fact]
    public void A_link_is_the_sha256_of_the_previous_link_and_the_events_canonical_fields()
    {
        var fields = new ChainedFields(7, First, 2, "tip_assessed", new string('a', 64), Recorded.AddTicks(1_234_560));
        var canonical = $"7\n{First:D}\n2\ntip_assessed\n{new string('a', 64)}\n1710426600123456";
        var expected = Convert.ToHexStringLower(SHA256.HashData([.. new byte[32], .. Encoding.UTF8.GetBytes(canonical)]));

        Assert.Equal(canonical, HashChain.Canonical(fields));
        Assert.Equal(expected, HashChain.Link(HashChain.Genesis, fields));
        Assert.NotEqual(expected, HashChain.Link(HashChain.Link(HashChain.Genesis, fields), fields));
    }

    /// <summary>A link names its event's ward on a line of its own after the recorded time; a link made before links named their ward has none.</summary>
    [Fact]
    public void A_link_covers_its_events_ward_on_a_seventh_line()
    {
        var fields = new ChainedFields(7, First, 2, "tip_assessed", new string('a', 64), Recorded.AddTicks(1_234_560), Wards[0]);
        var canonical = $"7\n{First:D}\n2\ntip_assessed\n{new string('a', 64)}\n1710426600123456\n{Wards[0]}";
        var expected = Convert.ToHexStringLower(SHA256.HashData([.. new byte[32], .. Encoding.UTF8.GetBytes(canonical)]));

        Assert.Equal(canonical, HashChain.Canonical(fields));
        Assert.Equal(expected, HashChain.Link(HashChain.Genesis, fields));
        Assert.NotEqual(HashChain.Link(HashChain.Genesis, fields with { Ward = null }), HashChain.Link(HashChain.Genesis, fields));
    }

    /// <summary>
    /// An insider with the database moves a record to another ward of it (its events' tenant rewritten): whichever event of
    /// whatever log, moved to whichever other ward, the check finds it at that event's sequence, naming the ward as the one
    /// field changed, and every checkpoint from there on disagrees; the log as written is intact.
    /// </summary>
    [Fact]
    public void An_event_moved_to_another_ward_is_found_at_its_sequence_and_every_later_checkpoint_disagrees()
    {
        Gen.Int[1, 8].SelectMany(count => Gen.Select(Gen.Const(count), Gen.Int[0, count - 1], Gen.Int[0, Destinations.Length - 1].Select(index => Destinations[index]))).Sample((count, at, ward) =>
        {
            var (entries, heads) = Log(count);
            Assert.True(Verify(entries, Signed("incidents", count, heads[^1], Recorded)).Intact);
            var moved = entries[at].Event! with { Ward = ward };
            if (moved.Ward == entries[at].Event!.Ward)
            {
                return;
            }

            entries[at] = entries[at] with { Event = moved };

            var report = Verify(entries, Signed("incidents", count, heads[^1], Recorded));

            Assert.False(report.Intact);
            Assert.Equal(new BrokenLink(at + 1, BreakKind.FieldsChanged, ["ward"], entries[at].Link!.Chained(at + 1), moved.Chained(at + 1)), report.FirstBroken, BrokenLinkComparer.Instance);
            Assert.False(Assert.Single(report.Checkpoints).Agrees);
        });
    }

    /// <summary>
    /// Links made before links named their ward (none in the link, none in its hash) still verify, before and among links
    /// that do: an upgraded service's log is intact. Such a link cannot tell a moved event (what it never covered), and a link
    /// that named its ward made to look like one of them (its ward removed) is found altered, its hash covering the ward.
    /// </summary>
    [Fact]
    public void Links_made_before_links_named_their_ward_still_verify_and_one_that_named_it_cannot_pass_for_them()
    {
        var (entries, heads) = Log(4);
        var upgraded = Chain([.. entries.Select((entry, index) => index < 2 ? entry.Event! with { Ward = null } : entry.Event!)]);
        upgraded[0] = upgraded[0] with { Event = upgraded[0].Event! with { Ward = Wards[0] } };
        upgraded[1] = upgraded[1] with { Event = upgraded[1].Event! with { Ward = Wards[1] } };

        Assert.True(Verify(upgraded).Intact, $"{Verify(upgraded).FirstBroken}");

        entries[2] = entries[2] with { Link = entries[2].Link! with { Ward = null } };
        var report = Verify(entries, Signed("tips", 4, heads[3], Recorded));

        Assert.False(report.Intact);
        Assert.Equal((3, BreakKind.LinkAltered), (report.FirstBroken!.Sequence, report.FirstBroken.Kind));
        Assert.Equal(["ward"], report.FirstBroken.Differences);
        Assert.True(Assert.Single(report.Checkpoints).Agrees);
    }

    [Fact]
    public void An_untouched_log_is_intact_and_agrees_with_every_checkpoint()
    {
        var (entries, heads) = Log(4);
        var report = Verify(entries, Signed("tips", 2, heads[1], Recorded), Signed("patrols", 4, heads[3], Recorded));

        Assert.True(report.Intact);
        Assert.Null(report.FirstBroken);
        Assert.Equal(4, report.EventsChecked);
        Assert.Equal(heads[3], report.Head);
        Assert.Equal([true, true], report.Checkpoints.Select(verdict => verdict.Agrees));
        Assert.Equal(new UnwitnessedTail(4, Recorded, 0, null), report.Unwitnessed);
    }

    [Fact]
    public void A_checkpoint_beyond_the_logs_last_event_is_a_truncated_tail_never_no_opinion()
    {
        var (entries, heads) = Log(4);
        var report = Verify(entries.Take(3), Signed("patrols", 2, heads[1], Recorded), Signed("patrols", 4, heads[3], Recorded));

        Assert.False(report.Intact);
        Assert.Equal(new BrokenLink(4, BreakKind.TruncatedTail, ["sequence"], null, null), report.FirstBroken, BrokenLinkComparer.Instance);
        Assert.Equal([(2L, (string?)heads[1], true), (4L, null, false)], report.Checkpoints.Select(verdict => (verdict.Sequence, verdict.Recomputed, verdict.Agrees)));
        Assert.Equal(new UnwitnessedTail(2, Recorded, 1, entries[2].Event!.RecordedAt), report.Unwitnessed);
    }

    [Fact]
    public void A_log_that_does_not_start_at_the_genesis_link_is_a_truncated_head()
    {
        var (entries, _) = Log(4);

        var broken = Verify(entries.Skip(2)).FirstBroken!;

        Assert.Equal((3, BreakKind.TruncatedHead), (broken.Sequence, broken.Kind));
        Assert.Equal(["previous"], broken.Differences);
    }

    /// <summary>
    /// A first link whose previous is no digest (text an insider wrote into the column, a null in a file) names no link
    /// the log follows: a truncated head, as one naming a link the log does not hold is; the chain is recomputed from the
    /// genesis link, so the events after it are still checked and still reach the checkpoints they agree with.
    /// </summary>
    [Fact]
    public void A_first_link_whose_previous_is_no_digest_is_a_truncated_head_and_the_events_after_it_are_still_checked()
    {
        var (entries, heads) = Log(4);
        entries[0] = entries[0] with { Link = entries[0].Link! with { Previous = "x" } };
        entries[2] = entries[2] with { Event = entries[2].Event! with { DataHash = new string('f', 64) } };

        var report = Verify(entries, Signed("patrols", 2, heads[1], Recorded), Signed("patrols", 4, heads[3], Recorded));

        Assert.False(report.Intact);
        Assert.Equal(new BrokenLink(1, BreakKind.TruncatedHead, ["previous"], entries[0].Link!.Chained(1), entries[0].Event!.Chained(1)), report.FirstBroken, BrokenLinkComparer.Instance);
        Assert.Equal([true, false], report.Checkpoints.Select(verdict => verdict.Agrees));
        Assert.Equal(4, report.EventsChecked);
    }

    /// <summary>
    /// Whatever text stands in a stored link's previous or hash, at the first link or any later one (no digest at all,
    /// nearly one, a digest in capitals, null as a file can hold it): the verifier answers, never throws, and the log is
    /// intact only when the text is the digest the chain wrote there. A first link's previous says where the log starts
    /// (a truncated head otherwise); any other previous, or a hash, that is not the chain's is the link altered.
    /// </summary>
    [Fact]
    public void Any_text_in_a_stored_previous_or_hash_is_judged_and_only_the_chain_s_own_digest_is_intact()
    {
        var texts = Gen.OneOf(Gen.String, Gen.String[Gen.Char["0123456789abcdefABCDEFg"], 63, 65], Gen.Const(HashChain.Genesis));
        var altered = Gen.Int[1, 5].SelectMany(count => Gen.Select(Gen.Const(count), Gen.Int[0, count - 1], Gen.Bool, Gen.Int[0, 3], texts));
        altered.Sample((count, at, previous, variant, text) =>
        {
            var (entries, _) = Log(count);
            var link = entries[at].Link!;
            var original = previous ? link.Previous : link.Hash;
            var value = variant switch
            {
                0 => text,
                1 => original.ToUpperInvariant(),
                2 => original,
                _ => null!,
            };
            entries[at] = entries[at] with { Link = previous ? link with { Previous = value } : link with { Hash = value } };

            var report = Verify(entries);

            if (value == original)
            {
                Assert.True(report.Intact, $"{report.FirstBroken}");
            }
            else
            {
                Assert.False(report.Intact);
                var kind = previous && at == 0 ? BreakKind.TruncatedHead : BreakKind.LinkAltered;
                Assert.Equal((at + 1L, kind), (report.FirstBroken!.Sequence, report.FirstBroken.Kind));
                Assert.Equal(previous ? ["previous"] : [], report.FirstBroken.Differences);
            }
        });
    }

    [Fact]
    public void Changed_data_is_reported_at_its_sequence_and_every_later_checkpoint_disagrees()
    {
        var (entries, heads) = Log(4);
        entries[1] = entries[1] with { Event = entries[1].Event! with { DataHash = new string('f', 64) } };

        var report = Verify(entries, Signed("incidents", 1, heads[0], Recorded), Signed("incidents", 3, heads[2], Recorded));

        Assert.False(report.Intact);
        Assert.Equal(new BrokenLink(2, BreakKind.DataChanged, ["data"], entries[1].Link!.Chained(2), entries[1].Event!.Chained(2)), report.FirstBroken, BrokenLinkComparer.Instance);
        Assert.Equal([true, false], report.Checkpoints.Select(verdict => verdict.Agrees));
    }

    [Fact]
    public void A_deleted_event_is_reported_missing_where_its_link_remains()
    {
        var (entries, _) = Log(4);
        entries[2] = entries[2] with { Event = null };

        var broken = Verify(entries).FirstBroken!;

        Assert.Equal((3, BreakKind.MissingEvent), (broken.Sequence, broken.Kind));
        Assert.Equal(First, broken.Chained!.StreamId);
        Assert.Null(broken.Found);
    }

    [Fact]
    public void Two_events_swapped_are_reported_out_of_order_at_the_first_of_them()
    {
        var (entries, _) = Log(4);
        (entries[1], entries[2]) = (entries[1] with { Event = entries[2].Event }, entries[2] with { Event = entries[1].Event });

        var broken = Verify(entries).FirstBroken!;

        Assert.Equal((2, BreakKind.OutOfOrder), (broken.Sequence, broken.Kind));
        Assert.Equal((Second, First), (broken.Chained!.StreamId, broken.Found!.StreamId));
        Assert.Contains("streamId", broken.Differences);
    }

    [Fact]
    public void An_event_slipped_in_between_links_is_unchained_and_events_after_the_last_link_are_pending()
    {
        var (entries, _) = Log(3);
        var inserted = new AuditEntry(2, entries[1].Event! with { Version = 9 }, null);
        var waiting = new AuditEntry(9, entries[2].Event, null);

        var slipped = Verify([entries[0], inserted, entries[1] with { Sequence = 3 }]);
        var pending = Verify([.. entries, waiting]);

        Assert.Equal((2, BreakKind.UnchainedEvent), (slipped.FirstBroken!.Sequence, slipped.FirstBroken.Kind));
        Assert.True(pending.Intact);
        Assert.Equal(1, pending.Pending);
    }

    /// <summary>
    /// The store numbers its events from 1: an event or a link an insider put at 0 or below, before the chain's start (where the
    /// log, read after 0, never showed it, and a record's read folds it all the same), is named at its own sequence, whatever it
    /// copies and whatever follows it.
    /// </summary>
    [Theory]
    [InlineData(0L, true)]
    [InlineData(-7L, true)]
    [InlineData(long.MinValue, true)]
    [InlineData(-1L, false)]
    public void An_event_or_a_link_put_at_a_sequence_of_0_or_below_is_named_there(long sequence, bool withEvent)
    {
        var (entries, heads) = Log(4);
        var forged = new AuditEntry(sequence, withEvent ? entries[0].Event : null, withEvent ? null : entries[0].Link);

        var report = Verify([forged, .. entries], Signed("incidents", 4, heads[3], Recorded));

        Assert.False(report.Intact);
        Assert.Equal((sequence, withEvent ? BreakKind.UnchainedEvent : BreakKind.MissingEvent), (report.FirstBroken!.Sequence, report.FirstBroken.Kind));
        Assert.Equal(["sequence"], report.FirstBroken.Differences);
        Assert.All(report.Checkpoints, verdict => Assert.True(verdict.Agrees));
    }

    [Fact]
    public void Links_rewritten_to_match_a_changed_event_still_disagree_with_the_checkpoints_taken_before()
    {
        var (entries, heads) = Log(3);
        var forged = new List<AuditEntry>();
        var previous = HashChain.Genesis;
        foreach (var entry in entries)
        {
            var recorded = entry.Sequence == 2 ? entry.Event! with { DataHash = new string('e', 64) } : entry.Event!;
            var hash = HashChain.Link(previous, recorded.Chained(entry.Sequence));
            forged.Add(new AuditEntry(entry.Sequence, recorded, entry.Link! with { DataHash = recorded.DataHash, Previous = previous, Hash = hash }));
            previous = hash;
        }

        var report = Verify(forged, Signed("partners", 3, heads[2], Recorded));

        Assert.False(report.Intact);
        Assert.Equal(new BrokenLink(3, BreakKind.CheckpointDisagrees, ["head"], null, null), report.FirstBroken, BrokenLinkComparer.Instance);
        Assert.False(Assert.Single(report.Checkpoints).Agrees);
    }

    /// <summary>A checkpoint of tips' chain at <paramref name="sequence"/> (its position too) as <paramref name="holder"/> keeps it, signed by tips.</summary>
    internal static CheckpointCopy Signed(string holder, long sequence, string head, DateTimeOffset at) => TestAudit.CopyOf(holder, "tips", sequence, sequence, head, at);

    internal static IntegrityReport Verify(IEnumerable<AuditEntry> entries, params CheckpointCopy[] checkpoints)
    {
        var verifier = new ChainVerifier("tips", checkpoints);
        foreach (var entry in entries)
        {
            verifier.Add(entry);
        }

        return verifier.Report();
    }

    /// <summary>A log of <paramref name="count"/> events, alternating between two streams, each chained; and the heads after each.</summary>
    internal static (List<AuditEntry> Entries, List<string> Heads) Log(int count)
    {
        var entries = Chain([.. Enumerable.Range(1, count).Select(sequence => new AuditEvent(
            sequence % 2 == 1 ? First : Second, (sequence + 1) / 2, "tip_received", Recorded.AddSeconds(sequence), null, "police-console", null, null, Convert.ToHexStringLower(SHA256.HashData([(byte)sequence])), null, Wards[sequence % Wards.Length]))]);
        return (entries, [.. entries.Select(entry => entry.Link!.Hash)]);
    }

    /// <summary>The log of <paramref name="events"/> in their order from sequence 1, each chained to the one before (with its ward, where it names one).</summary>
    internal static List<AuditEntry> Chain(IReadOnlyList<AuditEvent> events)
    {
        var entries = new List<AuditEntry>();
        var previous = HashChain.Genesis;
        foreach (var recorded in events)
        {
            var sequence = entries.Count + 1;
            var hash = HashChain.Link(previous, recorded.Chained(sequence));
            entries.Add(new AuditEntry(sequence, recorded, new AuditLink(sequence, recorded.StreamId, recorded.Version, recorded.Type, recorded.DataHash, recorded.RecordedAt, previous, hash, recorded.Ward)));
            previous = hash;
        }

        return entries;
    }

    private sealed class BrokenLinkComparer : IEqualityComparer<BrokenLink?>
    {
        public static readonly BrokenLinkComparer Instance = new();

        public bool Equals(BrokenLink? x, BrokenLink? y) =>
            x is not null && y is not null && x.Sequence == y.Sequence && x.Kind == y.Kind && x.Differences.SequenceEqual(y.Differences) && x.Chained == y.Chained && x.Found == y.Found;

        public int GetHashCode(BrokenLink? obj) => obj?.Sequence.GetHashCode() ?? 0;
    }
}
