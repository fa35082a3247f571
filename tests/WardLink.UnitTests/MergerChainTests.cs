using CsCheck;
using WardLink.Domain;
using WardLink.EventSourcing.Wards;

namespace WardLink.UnitTests;

/// <summary>
/// The chain of a ward's mergers as of a time (<see cref="RequestWards.MergerChainAsync"/>), over random mergers between a
/// handful of wards (each into a later one, as the ward decisions keep them a forest), each from a random day.
/// </summary>
public sealed class MergerChainTests
{
    private static readonly DateOnly FirstDay = new(2025, 7, 1);

    /// <summary>For each of eight wards, the ward it was merged into (a later one) and from which day, or nothing.</summary>
    private static readonly Gen<(int Into, int Day)?[]> Mergers =
        Gen.Select(Gen.Bool, Gen.Int[1, 7], Gen.Int[0, 9]).Array[8].Select(wards => wards
            .Select((merger, ward) => merger.Item1 && ward + merger.Item2 < wards.Length ? ((int Into, int Day)?)(ward + merger.Item2, merger.Item3) : null)
            .ToArray());

    private static string Id(int ward) => $"ward-{ward}";

    private static DateTimeOffset Morning(int day) => new(FirstDay.AddDays(day).ToDateTime(new TimeOnly(9, 0)), WardTime.Offset);

    private static Func<string, Task<KnownWard?>> DirectoryOf((int Into, int Day)?[] mergers) =>
        id => Task.FromResult<KnownWard?>(
            Enumerable.Range(0, mergers.Length).Where(ward => Id(ward) == id).Select(ward => new KnownWard(
                id, $"W{ward}", id, "thanh-hoa", null, 1, id, mergers[ward] is { } merger ? Id(merger.Into) : null,
                mergers[ward] is { } ended ? FirstDay.AddDays(ended.Day) : null)).SingleOrDefault());

    /// <summary>
    /// The chain starts at the ward; each next ward is the one the previous was merged into, by then; it stops at a ward not
    /// merged by then. So no ward off that path is on it (one merged into a ward of it from elsewhere, one merged into later),
    /// and its last is where the ward's ground is then (<see cref="RequestWards.WardAtAsync"/>).
    /// </summary>
    [Fact]
    public async Task The_chain_follows_each_merger_ended_by_then_from_the_ward_to_where_its_ground_is_then()
    {
        await Gen.Select(Mergers, Gen.Int[0, 7], Gen.Int[-1, 10]).SampleAsync(async (mergers, start, day) =>
        {
            var wardOf = DirectoryOf(mergers);
            var at = Morning(day);
            var chain = await RequestWards.MergerChainAsync(Id(start), wardOf, at).ToListAsync();

            Assert.Equal(Id(start), chain[0]);
            foreach (var (ward, next) in chain.Zip(chain.Skip(1)))
            {
                var known = await wardOf(ward);
                Assert.Equal(next, known?.MergedInto);
                Assert.True(known?.EndsAt <= at, $"{ward} was merged into {next} only after {at}.");
            }

            Assert.False((await wardOf(chain[^1]))?.EndsAt <= at, $"{chain[^1]} was merged by {at}, yet the chain ends there.");
            Assert.Equal(chain[^1], await RequestWards.WardAtAsync(Id(start), wardOf, at));
        });
    }

    /// <summary>
    /// A ward on the chain as of one time is on it as of any later time (the chain then goes on from where it ended): a ward whose
    /// ground it was when a record happened stays one of the wards its steps may come from.
    /// </summary>
    [Fact]
    public async Task The_chain_as_of_a_time_begins_the_chain_as_of_any_later_time()
    {
        await Gen.Select(Mergers, Gen.Int[0, 7], Gen.Int[-1, 10], Gen.Int[0, 10]).SampleAsync(async (mergers, start, day, later) =>
        {
            var wardOf = DirectoryOf(mergers);
            var then = await RequestWards.MergerChainAsync(Id(start), wardOf, Morning(day)).ToListAsync();
            var after = await RequestWards.MergerChainAsync(Id(start), wardOf, Morning(day + later)).ToListAsync();

            Assert.Equal(then, after.Take(then.Count));
        });
    }

    /// <summary>Mergers that close a cycle (bad data the decisions never write) end the chain all the same.</summary>
    [Fact]
    public async Task Mergers_that_close_a_cycle_end_the_chain_all_the_same()
    {
        var chain = await RequestWards.MergerChainAsync(Id(0), DirectoryOf([(1, 0), (0, 0)]), Morning(1)).ToListAsync(TestContext.Current.CancellationToken);

        Assert.InRange(chain.Count, 2, 100);
    }
}
