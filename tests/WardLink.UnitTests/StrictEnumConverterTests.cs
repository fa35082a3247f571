using System.Text.Json;
using WardLink.ServiceDefaults;
using WardLink.Tips;

namespace WardLink.UnitTests;

public sealed class StrictEnumConverterTests
{
    private static readonly JsonSerializerOptions Json = ApiJson();

    [Theory]
    [InlineData("\"walkIn\"", TipChannel.WalkIn)]
    [InlineData("\"WALKIN\"", TipChannel.WalkIn)]
    public void A_name_is_read_in_any_case_and_written_camelCase(string json, TipChannel expected)
    {
        Assert.Equal(expected, JsonSerializer.Deserialize<TipChannel>(json, Json));
        Assert.Equal("\"walkIn\"", JsonSerializer.Serialize(TipChannel.WalkIn, Json));
    }

    [Theory]
    [InlineData("\"hotline, chat\"")]
    [InlineData("\"hotline,web\"")]
    [InlineData("\"1\"")]
    [InlineData("1")]
    [InlineData("\" hotline\"")]
    [InlineData("\"\"")]
    [InlineData("\"Hotline2\"")]
    public void Anything_but_a_name_is_refused(string json) =>
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<TipChannel?>(json, Json));

    [Fact]
    public void Days_joined_by_a_comma_are_not_a_day() =>
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<List<DayOfWeek>>("[\"friday, saturday\"]", Json));

    [Fact]
    public void A_stored_value_outside_the_enum_is_written_as_its_number_so_a_read_never_fails() =>
        Assert.Equal("[\"friday\",7]", JsonSerializer.Serialize(new[] { DayOfWeek.Friday, (DayOfWeek)7 }, Json));

    private static JsonSerializerOptions ApiJson()
    {
        var options = new JsonSerializerOptions();
        ProblemResponses.ConfigureJson(options);
        return options;
    }
}
