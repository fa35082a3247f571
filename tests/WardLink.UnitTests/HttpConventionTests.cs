using CsCheck;
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

        Assert.Equal(allowed, http.Request.PreconditionOn(HttpResults.ETagOf(3)) is not Precondition.IfMatchFails);
    }

    /// <summary>A tag as sent: <c>*</c> (no version), or a version, weak or strong.</summary>
    private sealed record SentTag(bool Any, long Version, bool Weak)
    {
        public override string ToString() => Any ? "*" : $"{(Weak ? "W/" : string.Empty)}\"{Version}\"";
    }

    private static readonly Gen<SentTag> Tag = Gen.Select(Gen.Int[0, 9], Gen.Long[1, 6], Gen.Bool, (pick, version, weak) => new SentTag(pick == 0, version, weak));

    /// <summary>Header values as a client may send them: absent, or one or more fields, each a list of tags with spaces or none around the commas.</summary>
    private static readonly Gen<SentTag[][]?> Fields = Tag.Array[1, 3].Array[1, 2].Null();

    private static readonly string[] Separators = [",", ", ", " ,  "];

    private static string[] Sent(SentTag[][] fields, string separator) => [.. fields.Select(field => string.Join(separator, field.Select(tag => tag.ToString())))];

    [Fact]
    public void Preconditions_read_If_Match_strongly_then_If_None_Match_weakly_and_never_match_a_version_not_shown()
    {
        Gen.Select(Fields, Fields, Gen.Long[1, 6].Nullable(), Gen.Int[0, Separators.Length - 1].Select(pick => Separators[pick])).Sample((ifMatch, ifNoneMatch, shown, separator) =>
        {
            var http = new DefaultHttpContext();
            if (ifMatch is not null)
            {
                http.Request.Headers.IfMatch = Sent(ifMatch, separator);
            }

            if (ifNoneMatch is not null)
            {
                http.Request.Headers.IfNoneMatch = Sent(ifNoneMatch, separator);
            }

            // RFC 9110 §13.2.2: If-Match first (strong comparison: a weak tag never matches), then If-None-Match (weak comparison).
            var matches = ifMatch is null || ifMatch.SelectMany(field => field).Any(tag => tag.Any || (!tag.Weak && tag.Version == shown));
            var noneMatches = ifNoneMatch is null || !ifNoneMatch.SelectMany(field => field).Any(tag => tag.Any || tag.Version == shown);
            var expected = !matches ? Precondition.IfMatchFails : !noneMatches ? Precondition.IfNoneMatchFails : Precondition.Holds;

            return http.Request.PreconditionOn(shown is { } version ? HttpResults.ETagOf(version) : null) == expected;
        });
    }

    [Theory]
    [InlineData("")]
    [InlineData(",")]
    [InlineData("\"2\"")]
    [InlineData("W/\"2\", \"4\"")]
    public void An_If_None_Match_naming_no_version_of_the_record_holds(string ifNoneMatch)
    {
        var http = new DefaultHttpContext();
        http.Request.Headers.IfNoneMatch = ifNoneMatch;

        Assert.Equal(Precondition.Holds, http.Request.PreconditionOn(HttpResults.ETagOf(3)));
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
