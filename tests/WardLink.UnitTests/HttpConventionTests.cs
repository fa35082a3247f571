using Microsoft.AspNetCore.Http;
using WardLink.Contracts.Incidents;
using WardLink.Domain;
using WardLink.ServiceDefaults;

namespace WardLink.UnitTests;

public sealed class HttpConventionTests
{
    [Theory]
    [InlineData(null, true)]
    [InlineData("\"3\"", true)]
    [InlineData("*", true)]
    [InlineData("\"1\", \"3\"", true)]
    [InlineData("\"2\"", false)]
    [InlineData("W/\"3\"", false)]
    [InlineData("3", false)]
    [InlineData("", false)]
    [InlineData(",", false)]
    [InlineData(" ", false)]
    public void If_Match_allows_a_write_only_for_the_stream_s_current_strong_ETag_or_any(string? ifMatch, bool allowed)
    {
        var http = new DefaultHttpContext();
        if (ifMatch is not null)
        {
            http.Request.Headers.IfMatch = ifMatch;
        }

        Assert.Equal(allowed, http.Request.IfMatchAllows(3));
    }

    [Theory]
    [InlineData("publicOrder", IncidentClassification.PublicOrder)]
    [InlineData("PUBLICORDER", IncidentClassification.PublicOrder)]
    [InlineData(null, null)]
    public void An_enum_filter_is_read_by_name_in_any_case(string? value, IncidentClassification? expected)
    {
        var errors = new FieldErrors();

        Assert.Equal(expected, errors.ParseEnum<IncidentClassification>(value, "classification"));
        Assert.False(errors.Any);
    }

    [Theory]
    [InlineData("witchcraft")]
    [InlineData("2")]
    [InlineData("")]
    public void An_unknown_or_numeric_enum_filter_is_a_field_error(string value)
    {
        var errors = new FieldErrors();

        Assert.Null(errors.ParseEnum<IncidentClassification>(value, "classification"));
        Assert.Equal(["classification"], errors.ToRejection().Errors!.Keys);
    }
}
