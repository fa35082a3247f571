using WardLink.Domain;
using WardLink.Tips;

namespace WardLink.UnitTests;

public sealed class FieldErrorsTests
{
    [Theory]
    [InlineData("walkIn", TipChannel.WalkIn)]
    [InlineData("WALKIN", TipChannel.WalkIn)]
    [InlineData(null, null)]
    public void A_query_enum_is_read_by_its_json_name_in_any_case(string? value, TipChannel? expected)
    {
        var errors = new FieldErrors();

        Assert.Equal(expected, errors.ParseEnum<TipChannel>(value, "channel"));
        Assert.False(errors.Any);
    }

    [Theory]
    [InlineData("carrierPigeon")]
    [InlineData("2")]
    [InlineData("")]
    public void Anything_else_is_a_field_error_listing_the_names(string value)
    {
        var errors = new FieldErrors();

        Assert.Null(errors.ParseEnum<TipChannel>(value, "channel"));
        var messages = Assert.Single(errors.ToRejection().Errors!, error => error.Key == "channel").Value;
        Assert.Equal("One of: hotline, chat, walkIn, web, partner, patrol.", Assert.Single(messages));
    }
}
