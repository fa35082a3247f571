namespace WardLink.Domain;

/// <summary>How a statistic's figures that are not whole numbers are shown.</summary>
public static class Figures
{
    /// <summary>
    /// <paramref name="value"/> rounded to <paramref name="decimals"/> decimals as one writes it by hand: a half away from zero
    /// (1.125 to 1.13, -0.25 to -0.3), of the value as its shortest decimal reads (0.285, held as 0.28499…, to 0.29), not
    /// .NET's default of a half to the even digit.
    /// </summary>
    public static double Rounded(double value, int decimals) =>
        (double)Math.Round((decimal)value, decimals, MidpointRounding.AwayFromZero);
}
