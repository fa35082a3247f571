namespace WardLink.Domain;

/// <summary>How a statistic's figures that are not whole numbers are shown.</summary>
public static class Figures
{
    /// <summary>
    /// <paramref name="value"/> rounded to <paramref name="decimals"/> decimals as one writes it by hand: a half away from zero
    /// (1.125 to 1.13, -0.25 to -0.3), of the value as a decimal of 15 significant digits reads it (0.285, held as 0.28499…,
    /// to 0.29), not .NET's default of a half to the even digit; never a negative zero (-0.04 to 1 decimal is 0, not -0).
    /// </summary>
    public static double Rounded(double value, int decimals) =>
        Math.Round((decimal)value, decimals, MidpointRounding.AwayFromZero) is var rounded && rounded == 0 ? 0 : (double)rounded;
}
