using CsCheck;
using WardLink.EventSourcing;

namespace WardLink.UnitTests;

/// <summary>
/// A bound to the tick held against a time PostgreSQL keeps in whole microseconds (an event's recorded time), for any of
/// either (CsCheck): the bound rounded to the microsecond on its side decides every comparison as the bound itself would.
/// </summary>
public sealed class ExactTimesTests
{
    /// <summary>A time in whole microseconds, and a bound at most a few microseconds either side of it, to the tick.</summary>
    private static readonly Gen<(DateTimeOffset Kept, DateTimeOffset Bound)> KeptAndBound =
        Gen.Select(
            Gen.Long[DateTimeOffset.MinValue.UtcTicks + TimeSpan.TicksPerDay, DateTimeOffset.MaxValue.UtcTicks - TimeSpan.TicksPerDay],
            Gen.Long[-30, 30],
            (ticks, near) => (
                new DateTimeOffset(ticks - (ticks % TimeSpan.TicksPerMicrosecond), TimeSpan.Zero),
                new DateTimeOffset(ticks - (ticks % TimeSpan.TicksPerMicrosecond) + near, TimeSpan.Zero)));

    [Fact]
    public void A_time_kept_in_microseconds_is_from_a_bound_and_before_it_exactly_as_it_is_from_and_before_its_ceiling() =>
        KeptAndBound.Sample((kept, bound) =>
        {
            var ceiling = ExactTimes.CeilingMicrosecond(bound);

            Assert.Equal(0, ceiling.UtcTicks % TimeSpan.TicksPerMicrosecond);
            Assert.Equal(kept >= bound, kept >= ceiling);
            Assert.Equal(kept < bound, kept < ceiling);
        });

    [Fact]
    public void A_time_kept_in_microseconds_is_at_or_before_a_bound_exactly_as_it_is_at_or_before_its_floor() =>
        KeptAndBound.Sample((kept, bound) =>
        {
            var floor = ExactTimes.FloorMicrosecond(bound);

            Assert.Equal(0, floor.UtcTicks % TimeSpan.TicksPerMicrosecond);
            Assert.Equal(kept <= bound, kept <= floor);
        });
}
