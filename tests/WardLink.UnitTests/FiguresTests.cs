using System.Globalization;
using CsCheck;
using WardLink.Domain;

namespace WardLink.UnitTests;

/// <summary>A statistic's figure is rounded as one rounds by hand (<see cref="Figures.Rounded"/>), whatever a double holds of it.</summary>
public sealed class FiguresTests
{
    /// <summary>
    /// Any figure written with one digit more than is kept (a median's thousandths, a percentage's hundredths) rounds as an
    /// auditor recounting it with whole numbers does: its last digit 5 or more takes the kept digit away from zero.
    /// </summary>
    [Fact]
    public void A_figure_one_digit_longer_than_kept_rounds_a_half_away_from_zero_as_whole_numbers_do()
    {
        Gen.Select(Gen.Long[-10_000_000_000, 10_000_000_000], Gen.Int[1, 2]).Sample((digits, decimals) =>
        {
            var kept = digits / 10 + (Math.Abs(digits % 10) >= 5 ? Math.Sign(digits) : 0);
            var written = Decimal(digits, decimals + 1);
            var rounded = Figures.Rounded(double.Parse(written, CultureInfo.InvariantCulture), decimals);
            Assert.True(rounded == double.Parse(Decimal(kept, decimals), CultureInfo.InvariantCulture), $"{written} to {decimals} decimals: {rounded}");
        });
    }

    /// <summary>Any figure moves by at most half its last kept digit, rounds to itself again, and is never written -0.</summary>
    [Fact]
    public void A_figure_moves_by_at_most_half_a_kept_digit_rounds_to_itself_again_and_is_never_a_negative_zero()
    {
        Gen.Select(Gen.OneOf(Gen.Double[-1e9, 1e9], Gen.Double[-0.5, 0.5]), Gen.Int[0, 3]).Sample((value, decimals) =>
        {
            var rounded = Figures.Rounded(value, decimals);
            Assert.True(Math.Abs(rounded - value) <= (0.5 * Math.Pow(10, -decimals)) + 1e-6, $"{value} to {decimals}: {rounded}");
            Assert.Equal(rounded, Figures.Rounded(rounded, decimals));
            Assert.False(double.IsNegative(rounded) && rounded == 0, $"{value} to {decimals}: a negative zero");
        });
    }

    /// <summary><paramref name="units"/> of the <paramref name="decimals"/>-th decimal place, written out (-1234, 2: -12.34).</summary>
    private static string Decimal(long units, int decimals)
    {
        var digits = Math.Abs(units).ToString(CultureInfo.InvariantCulture).PadLeft(decimals + 1, '0');
        return $"{(units < 0 ? "-" : string.Empty)}{digits[..^decimals]}.{digits[^decimals..]}";
    }
}
