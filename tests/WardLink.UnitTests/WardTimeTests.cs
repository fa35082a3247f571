using System.Globalization;
using System.Text.Json;
using CsCheck;
using WardLink.Domain;
using WardLink.EventSourcing;
using WardLink.ServiceDefaults;

namespace WardLink.UnitTests;

/// <summary>
/// The business-time window and the paging bound, for any input (CsCheck): a time is accepted iff
/// it lies in the window, a time without an offset never reads, a stored time of any value has a
/// local year in range, and a page is accepted iff its offset fits.
/// </summary>
public sealed class WardTimeTests
{
    /// <summary>Now, somewhere this century.</summary>
    private static readonly Gen<DateTimeOffset> Now = Gen.Long[new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero).UtcTicks, new DateTimeOffset(2090, 1, 1, 0, 0, 0, TimeSpan.Zero).UtcTicks]
        .Select(ticks => new DateTimeOffset(ticks, TimeSpan.Zero));

    /// <summary>Any time at all, and times a few minutes either side of the window's edges (given now).</summary>
    private static readonly Gen<(DateTimeOffset At, DateTimeOffset Now)> AtAndNow = Now.SelectMany(now => Gen.OneOf(
            Gen.DateTimeOffset,
            Gen.Int[-10, 10].Select(minutes => WardTime.Earliest.AddMinutes(minutes)),
            Gen.Int[-10, 10].Select(minutes => now + WardTime.ClockSkew + TimeSpan.FromMinutes(minutes)),
            Gen.Int[-10, 10].Select(minutes => now.AddYears(WardTime.DueYearsAhead).AddMinutes(minutes)))
        .Select(at => (at, now)));

    [Fact]
    public void A_time_something_happened_is_accepted_iff_it_lies_from_1970_to_now_plus_the_skew() =>
        AtAndNow.Sample((at, now) =>
            Assert.Equal(
                at >= WardTime.Earliest && at <= now + WardTime.ClockSkew,
                !new FieldErrors().CheckPast(at, "at", now).Any));

    [Fact]
    public void A_due_date_is_accepted_iff_it_lies_from_1970_to_five_years_ahead() =>
        AtAndNow.Sample((at, now) =>
            Assert.Equal(
                at >= WardTime.Earliest && at <= now.AddYears(WardTime.DueYearsAhead),
                !new FieldErrors().CheckDue(at, "dueAt", now).Any));

    /// <summary>Statistics count what intake accepts: a year a client may ask for holds every time a decision takes, in that time's own local year.</summary>
    [Fact]
    public void Any_time_a_decision_accepts_is_counted_in_a_statistics_year_a_client_may_ask_for_its_own_local_year() =>
        AtAndNow.Sample((at, now) =>
        {
            if (new FieldErrors().CheckPast(at, "at", now).Any && new FieldErrors().CheckDue(at, "dueAt", now).Any)
            {
                return;
            }

            var year = WardTime.LocalYear(at);
            var (start, end) = WardTime.LocalYearSpan(year);
            Assert.Equal(at.ToOffset(WardTime.Offset).Year, year);
            Assert.False(new FieldErrors().CheckYear(year, "year").Any, $"{at:O}: its year {year} cannot be asked for");
            Assert.InRange(at, start, end.AddTicks(-1));
        });

    [Fact]
    public void Any_stored_time_has_a_local_year_within_the_window() =>
        Gen.DateTimeOffset.Sample(at =>
            Assert.InRange(WardTime.LocalYear(at), WardTime.Earliest.ToOffset(WardTime.Offset).Year, WardTime.LastYear));

    [Fact]
    public void A_time_reads_from_JSON_with_its_offset_and_never_without_one()
    {
        var json = new JsonSerializerOptions();
        ProblemResponses.ConfigureJson(json);
        Gen.DateTimeOffset.Sample(at =>
        {
            var withOffset = at.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffffzzz", CultureInfo.InvariantCulture);
            var withoutOffset = at.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff", CultureInfo.InvariantCulture);

            Assert.Equal(at, JsonSerializer.Deserialize<DateTimeOffset>($"\"{withOffset}\"", json));
            Assert.Equal(at.UtcDateTime, JsonSerializer.Deserialize<DateTimeOffset>($"\"{at.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.fffffff}Z\"", json).UtcDateTime);
            Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize<DateTimeOffset>($"\"{withoutOffset}\"", json));
            Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize<DateTimeOffset?>($"\"{withoutOffset[..10]}\"", json));
        });
    }

    /// <summary>The ways a client may write a time, right or wrong: ISO 8601 with and without an offset, and a culture's.</summary>
    private static readonly string[] TimeFormats =
    [
        "yyyy-MM-dd'T'HH:mm:ss.fffffffzzz", "yyyy-MM-dd'T'HH:mmzzz", "yyyy-MM-dd'T'HH:mm:ss'Z'", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'z'",
        "yyyy-MM-dd'T'HH:mm:sszz", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd", "yyyy-MM-dd HH:mm:sszzz", "yyyy-MM-dd't'HH:mm:sszzz",
        "u", "R", "dd-MMM-yyyy HH:mm", "dd-MMM-yyyy'T'HH:mm zzz", "MMM dd yyyy'T'HH:mm:ss zzz", "yyyy-MM-dd'T'HH:mm:ss.fffffffzzz' '",
        "yyyy-MM-dd'T'HH:mm:ss.fffffff'0'zzz", "yyyy-MM-dd'T'HH:mm:ss.fffffff'123456789'zzz",
    ];

    [Fact]
    public void A_query_or_command_line_time_reads_exactly_when_a_body_would_read_it_and_to_the_same_instant()
    {
        var json = new JsonSerializerOptions();
        ProblemResponses.ConfigureJson(json);
        Gen.Select(Gen.DateTimeOffset, Gen.Int[0, TimeFormats.Length - 1], Gen.Bool).Sample((at, which, upper) =>
        {
            var text = at.ToString(TimeFormats[which], CultureInfo.InvariantCulture) is var written && upper ? written.ToUpperInvariant() : written;
            var asQuery = DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var read) && WardTime.HasOffset(text);
            DateTimeOffset? asBody;
            try
            {
                asBody = JsonSerializer.Deserialize<DateTimeOffset>(JsonSerializer.Serialize(text), json);
            }
            catch (JsonException)
            {
                asBody = null;
            }

            Assert.Equal(asBody, asQuery ? read : null);
            Assert.True(asBody is null || text.Length <= WardTime.MaxTextLength, $"{text} read, past the {WardTime.MaxTextLength} characters a time has");
        });
    }

    /// <summary>Every local year a statistic counts can be asked for as a range [start, end) of a query, and nothing outside them.</summary>
    [Fact]
    public void A_query_time_is_taken_iff_it_lies_in_a_statistics_local_year_or_ends_the_last()
    {
        var first = new DateTimeOffset(WardTime.FirstYear, 1, 1, 0, 0, 0, WardTime.Offset);
        var end = new DateTimeOffset(WardTime.LastYear + 1, 1, 1, 0, 0, 0, WardTime.Offset);
        var anyTime = Gen.Long[first.AddYears(-10).UtcTicks, end.AddYears(10).UtcTicks].Select(ticks => new DateTimeOffset(ticks, TimeSpan.Zero));
        Gen.Select(Gen.OneOf(Gen.Const(first), Gen.Const(end), anyTime), Gen.Int[-600, 600], Gen.Int[-14 * 4, 14 * 4])
            .Sample((edge, minutes, quarters) =>
            {
                var at = edge.AddMinutes(minutes).ToOffset(TimeSpan.FromMinutes(quarters * 15));
                var localYear = at.ToOffset(WardTime.Offset).Year;
                Assert.Equal(
                    at == end || !new FieldErrors().CheckYear(localYear, "year").Any,
                    !new FieldErrors().CheckQueryTime(at, "from").Any);
            });
    }

    /// <summary>The ways a client may write a local date, right or wrong.</summary>
    private static readonly string[] DateFormats =
        ["yyyy-MM-dd", "MM/dd/yyyy", "dd/MM/yyyy", "yyyy/MM/dd", "MMMM d, yyyy", "d MMM yyyy", "yyyy-M-d", "yyyyMMdd", " yyyy-MM-dd", "yyyy-MM-dd'T'00:00", "yyyy-MM-dd'Z'"];

    [Fact]
    public void A_query_date_reads_exactly_when_a_body_would_read_it_and_to_the_same_day()
    {
        var json = new JsonSerializerOptions();
        ProblemResponses.ConfigureJson(json);
        Gen.Select(Gen.DateOnly, Gen.Int[0, DateFormats.Length - 1]).Sample((date, which) =>
        {
            var text = date.ToDateTime(TimeOnly.MinValue).ToString(DateFormats[which], CultureInfo.InvariantCulture);
            DateOnly? asBody;
            try
            {
                asBody = JsonSerializer.Deserialize<DateOnly>(JsonSerializer.Serialize(text), json);
            }
            catch (JsonException)
            {
                asBody = null;
            }

            Assert.Equal(asBody is not null, WardTime.IsLocalDate(text));
            Assert.True(asBody is null || asBody == date, $"{text} read as {asBody}");
        });
    }

    /// <summary>RFC 3339 (the documents' <c>date-time</c>) lets a time write its <c>T</c> and <c>Z</c> in lower case: read alike.</summary>
    [Fact]
    public void A_time_with_a_lower_case_t_or_z_reads_as_its_upper_case_twin_in_a_body_and_a_query()
    {
        var json = new JsonSerializerOptions();
        ProblemResponses.ConfigureJson(json);
        Gen.Select(Gen.DateTimeOffset, Gen.Bool, Gen.Bool).Sample((at, utc, lowerT) =>
        {
            var upper = utc
                ? at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture)
                : at.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffffzzz", CultureInfo.InvariantCulture);
            var lower = lowerT ? upper.Replace('T', 't') : upper.Replace('Z', 'z').Replace('T', 't');

            Assert.True(WardTime.HasOffset(lower), lower);
            Assert.Equal(JsonSerializer.Deserialize<DateTimeOffset>($"\"{upper}\"", json), JsonSerializer.Deserialize<DateTimeOffset>($"\"{lower}\"", json));
        });
    }

    [Theory]
    [InlineData("2024-05-02T21:40:00+07:00", true)]
    [InlineData("2024-05-02T14:40Z", true)]
    [InlineData("02-OCT-2024 21:40", false)]
    [InlineData("02-OCT-2024T21:40", false)]
    [InlineData("Thu, 02 May 2024 14:40:00 GMT", false)]
    [InlineData("2024-05-02T21:40:00", false)]
    [InlineData("2024-05-02T21:40:00+07:00\n", false)]
    public void A_time_is_written_with_its_offset_only_in_ISO_8601(string text, bool withOffset) =>
        Assert.Equal(withOffset, WardTime.HasOffset(text));

    [Fact]
    public void Local_dates_are_accepted_iff_in_the_years_in_order_and_at_most_a_year_apart_and_an_inverted_range_is_told_as_the_time_ranges_tell_it() =>
        Gen.Select(Gen.DateOnly, Gen.Int[-5, 400]).Sample((from, days) =>
        {
            var to = from.DayNumber + days is var last && last >= DateOnly.MinValue.DayNumber && last <= DateOnly.MaxValue.DayNumber ? DateOnly.FromDayNumber(last) : from;
            var errors = new FieldErrors().CheckLocalDates(from, to);
            var accepted = !errors.Any;
            if (to < from && from.Year is >= WardTime.FirstYear and <= WardTime.LastYear && to.Year is >= WardTime.FirstYear and <= WardTime.LastYear)
            {
                Assert.Equal([WardTime.RangeEndsBeforeItStarts], errors.ToRejection().Errors!["to"]);
            }


            Assert.Equal(
                from.Year is >= WardTime.FirstYear and <= WardTime.LastYear && to.Year is >= WardTime.FirstYear and <= WardTime.LastYear
                    && to >= from && to.DayNumber - from.DayNumber < WardTime.MaxRangeDays,
                accepted);
            if (accepted)
            {
                var (start, end) = WardTime.LocalDays(from, to);
                Assert.True(start < end);
            }
        });

    [Fact]
    public void Any_page_and_limit_is_accepted_with_an_offset_that_fits_or_refused_with_a_field_error() =>
        Gen.Select(Gen.Int, Gen.Int, Gen.Int[1, PageRequest.MaxLimit]).Sample((limit, page, maxLimit) =>
        {
            var errors = new FieldErrors();
            var request = PageRequest.Read(limit, page, 1, maxLimit, errors);
            var fields = errors.Any ? errors.ToRejection().Errors!.Keys.ToHashSet() : [];

            Assert.Equal(limit < 1 || limit > maxLimit, fields.Contains("limit"));
            Assert.Equal(page is < 1 or > PageRequest.MaxPage, fields.Contains("page"));
            if (!errors.Any)
            {
                Assert.InRange(request.Offset, 0, int.MaxValue - request.Limit);
                Assert.Equal(((long)page - 1) * limit, request.Offset);
            }
        });
}
