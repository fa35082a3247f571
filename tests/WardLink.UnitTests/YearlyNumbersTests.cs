using CsCheck;
using Weasel.Core;
using WardLink.EventSourcing;

namespace WardLink.UnitTests;

/// <summary>
/// Where a yearly counter stands is read from its last event's stored data (<see cref="YearlyNumbers.CountsIn"/>),
/// as the store serialises it: one number, the numbers of a batch, or (an insider's or a bug's) something else; and it is
/// checked against the event before it (<see cref="YearlyNumbers.DisagreementOf"/>), so a number rewritten in the database is
/// never handed out twice.
/// </summary>
public sealed class YearlyNumbersTests
{
    private static readonly Marten.Services.SystemTextJsonSerializer Store = new() { Casing = Casing.CamelCase, EnumStorage = EnumStorage.AsString };

    private static readonly string[] Prefixes = ["TIP-QT-2024-", "INC-DQ-2025-", "TIP-ABCDEF-1999-"];

    /// <summary>A counter's history: how many numbers each of its events names (a record alone, or a batch).</summary>
    private static readonly Gen<int[]> Histories = Gen.Int[1, 5].Array[1, 30];

    [Fact]
    public void A_counter_event_names_the_counts_of_its_numbers_in_order()
    {
        Gen.Select(Gen.Int[0, Prefixes.Length - 1].Select(index => Prefixes[index]), Gen.Long[1, 9_999_999_999].Array[1, 40]).Sample((prefix, counts) =>
        {
            var batch = new NumbersReserved([.. counts.Select(count => new NumberReserved($"{prefix}{count:0000}", Guid.CreateVersion7()))]);
            Assert.Equal(counts, YearlyNumbers.CountsIn(Store.ToJson(batch)));
            Assert.Equal([counts[0]], YearlyNumbers.CountsIn(Store.ToJson(batch.Numbers[0])));
        });
    }

    [Fact]
    public void An_event_that_names_no_number_is_not_read_as_one() =>
        Assert.All(
            [
                "{}", "[]", "null", "42", "\"TIP-QT-2024-0001\"", "{\"numbers\":[]}", "{\"numbers\":{}}", "{\"numbers\":[{}]}",
                "{\"number\":42}", "{\"number\":null}", "{\"number\":\"TIP-QT-2024-\"}", "{\"number\":\"TIP-QT-2024-x1\"}",
                "{\"numbers\":[{\"number\":\"TIP-QT-2024-0001\"},{\"for\":\"x\"}]}", "{\"numbers\":[{\"for\":\"x\"},{\"number\":\"TIP-QT-2024-0001\"}]}",
                "{\"tipId\":\"0191e0a4-0000-7000-8000-000000000000\"}",
            ],
            data => Assert.Null(YearlyNumbers.CountsIn(data)));

    [Fact]
    public void A_counter_as_it_handed_its_numbers_out_goes_on_from_its_last() =>
        Histories.Sample(sizes =>
        {
            var (version, last, before) = Ends(sizes);
            Assert.Null(YearlyNumbers.DisagreementOf(version, last, before));
        });

    /// <summary>
    /// The last event's numbers rewritten, any one of them to any other count (earlier: the next would be handed out twice;
    /// later: a gap), or the event before it rewritten so that the last no longer follows, or either naming no number: refused.
    /// </summary>
    [Fact]
    public void A_counter_whose_last_number_was_rewritten_is_refused_whatever_it_was_rewritten_to() =>
        Gen.Select(Histories, Gen.Int[0, 1_000], Gen.Long[-3, 1_000], Gen.Bool).Sample((sizes, index, shift, beforeIt) =>
        {
            var (version, last, before) = Ends(sizes);
            var rewritten = beforeIt && before is not null ? before : last;
            var at = index % rewritten.Count;
            IReadOnlyList<long> changed = [.. rewritten.Select((count, i) => i == at ? count + (shift >= 0 ? shift + 1 : shift) : count)];
            var (newLast, newBefore) = ReferenceEquals(rewritten, before) ? (last, changed) : (changed, before);

            // Only the event before's last number is read: another of its numbers changed leaves the last following it.
            if (!ReferenceEquals(rewritten, before) || at == before!.Count - 1)
            {
                Assert.NotNull(YearlyNumbers.DisagreementOf(version, newLast, newBefore));
            }

            Assert.NotNull(YearlyNumbers.DisagreementOf(version, null, before));
            if (version > 1)
            {
                Assert.NotNull(YearlyNumbers.DisagreementOf(version, last, null));
            }
        });

    /// <summary>The version a counter of <paramref name="sizes"/> stands at, the counts its last event names and those of the event before it.</summary>
    private static (long Version, IReadOnlyList<long> Last, IReadOnlyList<long>? Before) Ends(int[] sizes)
    {
        var events = new List<IReadOnlyList<long>>();
        var count = 0L;
        foreach (var size in sizes)
        {
            events.Add([.. Enumerable.Range(1, size).Select(i => count + i)]);
            count += size;
        }

        return (events.Count, events[^1], events.Count > 1 ? events[^2] : null);
    }
}
