using CsCheck;
using WardLink.ServiceDefaults;

namespace WardLink.UnitTests;

/// <summary>
/// A request's target with a dot segment, as written (<c>.</c>, <c>..</c>) or escaped in any letter case (<c>%2E</c>,
/// <c>.%2e</c>), is one no operation takes (<see cref="ExactPaths"/>): the server removes such a segment before routing, so
/// <c>/partners/wards/%2E%2E</c> was answered as <c>/partners</c>. Dots within a segment, an escaped escape, a query's or a
/// fragment's dots are no dot segment. Targets generated from segments of either kind.
/// </summary>
public sealed class DotSegmentTests
{
    private static readonly string[] Dots = [".", "..", "%2e", "%2E", "%2e%2e", "%2E%2E", ".%2E", "%2e.", "%2E%2e"];

    private static readonly string[] Others = ["api", "partners", "wards", "01a25211-6563-7d80-80d9-88143ec6e487", "...", ".a", "a.", ". .", "%2e%2e%2e", "%252E", "%2F", "x%2E", "%2E%2Ex", ""];

    [Fact]
    public void A_target_has_a_dot_segment_exactly_where_a_segment_of_its_path_reads_as_one_or_two_dots()
    {
        var segment = Gen.OneOf(Gen.Int[0, Dots.Length - 1].Select(index => (Dots[index], true)), Gen.Int[0, Others.Length - 1].Select(index => (Others[index], false)));
        var after = Gen.OneOf(Gen.Const(""), Gen.Const("?at=../x"), Gen.Const("?x=%2E%2E"), Gen.Const("#/./"), Gen.Const("?a=b/./c#d"));
        Gen.Select(segment.Array[1, 6], after).Sample((segments, rest) =>
        {
            var target = string.Concat(segments.Select(part => "/" + part.Item1)) + rest;
            Assert.Equal(segments.Any(part => part.Item2), ExactPaths.HasDotSegment(target));
        });
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("*")]
    [InlineData("/")]
    public void A_target_with_no_path_segment_has_no_dot_segment(string? target) => Assert.False(ExactPaths.HasDotSegment(target));
}
