using System.Text.RegularExpressions;
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

    private static readonly Gen<SentTag> Tag = Gen.Select(Gen.Long[1, 6], Gen.Bool, (version, weak) => new SentTag(false, version, weak));

    /// <summary>A tag of another's making: commas, stars and quotes' neighbours inside its quotes, none of them a version.</summary>
    private static readonly Gen<string> OpaqueTag = Gen.String[Gen.Char[",*W/1a"], 0, 6].Select(Gen.Bool, (inside, weak) => $"{(weak ? "W/" : string.Empty)}\"{inside}*\"");

    /// <summary>Header values as a client may send them: absent, <c>*</c> alone, or one or more fields, each a list of tags.</summary>
    private static readonly Gen<SentTag[][]?> Fields = Gen.Frequency((1, Gen.Const<SentTag[][]>([[new SentTag(true, 0, false)]])), (9, Tag.Array[1, 3].Array[1, 2])).Null();

    /// <summary>What may stand between two tags (RFC 9110 §5.6.1: a comma, spaces or tabs around it, empty members).</summary>
    private static readonly string[] Separators = [",", ", ", " ,  ", ",\t", "\t, ", " , , ", ",,"];

    /// <summary>Each field's tags joined by <paramref name="separator"/>, with it before and after a list of tags too where <paramref name="around"/>.</summary>
    private static string[] Sent(SentTag[][] fields, string separator, bool around = false) =>
        [.. fields.Select(field => string.Join(separator, field.Select(tag => tag.ToString())) is var list && around && list != "*" ? $"{separator.Trim(' ', '\t')}{list}{separator}".Trim(' ', '\t') : list)];

    [Fact]
    public void Preconditions_read_If_Match_strongly_then_If_None_Match_weakly_and_never_match_a_version_not_shown()
    {
        Gen.Select(Fields, Fields, Gen.Long[1, 6].Nullable(), Gen.Int[0, Separators.Length - 1].Select(pick => Separators[pick]), Gen.Bool).Sample((ifMatch, ifNoneMatch, shown, separator, around) =>
        {
            var http = new DefaultHttpContext();
            if (ifMatch is not null)
            {
                http.Request.Headers.IfMatch = Sent(ifMatch, separator, around);
            }

            if (ifNoneMatch is not null)
            {
                http.Request.Headers.IfNoneMatch = Sent(ifNoneMatch, separator, around);
            }

            // RFC 9110 §13.2.2: If-Match first (strong comparison: a weak tag never matches), then If-None-Match (weak comparison).
            var matches = ifMatch is null || ifMatch.SelectMany(field => field).Any(tag => tag.Any || (!tag.Weak && tag.Version == shown));
            var noneMatches = ifNoneMatch is null || !ifNoneMatch.SelectMany(field => field).Any(tag => tag.Any || tag.Version == shown);
            var expected = !matches ? Precondition.IfMatchFails : !noneMatches ? Precondition.IfNoneMatchFails : Precondition.Holds;

            return http.Request.PreconditionOn(shown is { } version ? HttpResults.ETagOf(version) : null) == expected;
        });
    }

    /// <summary>
    /// A tag of another's making (a comma or a <c>*</c> inside its quotes) names no version of the record and is no wildcard:
    /// under <c>If-Match</c> the record is not at it, under <c>If-None-Match</c> it is not at it either.
    /// </summary>
    [Fact]
    public void A_tag_holding_a_comma_or_a_star_inside_its_quotes_is_one_tag_and_no_wildcard()
    {
        Gen.Select(OpaqueTag.Array[1, 3], Gen.Int[0, Separators.Length - 1].Select(pick => Separators[pick])).Sample((tags, separator) =>
        {
            var list = string.Join(separator, tags);
            var http = new DefaultHttpContext();
            http.Request.Headers.IfMatch = list;
            var ifMatch = http.Request.PreconditionOn(HttpResults.ETagOf(1));
            http.Request.Headers.Remove("If-Match");
            http.Request.Headers.IfNoneMatch = list;
            var ifNoneMatch = http.Request.PreconditionOn(HttpResults.ETagOf(1));

            return Regex.IsMatch(list, HttpResults.EntityTagList)
                && HttpResults.EntityTagsOf(list)?.Count == tags.Length
                && ifMatch == Precondition.IfMatchFails
                && ifNoneMatch == Precondition.Holds;
        });
    }

    /// <summary>The document's pattern for both headers and the list the service reads agree: what one takes, the other reads, whatever is sent.</summary>
    [Fact]
    public void The_documented_pattern_takes_exactly_the_values_read_as_a_list_of_tags()
    {
        var pieces = Gen.OneOf(Gen.Const("\""), Gen.Const("W/"), Gen.Const(","), Gen.Const(" "), Gen.Const("\t"), Gen.Const("*"), Gen.Const("1"), Gen.Const("W"), Gen.Const("\"1\""), Gen.Const("é"));
        pieces.Array[0, 8].Select(parts => string.Concat(parts)).Sample(
            value => Regex.IsMatch(value, HttpResults.EntityTagList) == (HttpResults.EntityTagsOf(value) is not null),
            iter: 20_000);
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
