using CsCheck;
using WardLink.Domain;
using WardLink.EventSourcing;

namespace WardLink.UnitTests;

/// <summary>
/// Every value checked against a documented pattern is checked against all of it: .NET's <c>$</c> also matches before a
/// final line feed, which the documents' patterns (ECMAScript's) do not allow. A ward id or code is taken as sent; a
/// phone, an email and a tip number are read trimmed, as api.md says, so a line feed around them is only space.
/// </summary>
public sealed class PatternsTests
{
    private static readonly Gen<string> Words = Gen.Char["abcdefghijklmnopqrstuvwxyz0123456789"].Array[1, 6].Select(chars => new string(chars));

    private static readonly Gen<string> WardIds = Gen.Select(Gen.Char['a', 'z'], Words.Array[0, 3]).Select((first, words) => string.Join('-', [$"{first}x", .. words]));

    [Fact]
    public void A_ward_id_or_code_followed_by_a_line_feed_or_any_other_character_is_no_id_or_code()
    {
        Gen.Select(WardIds, Gen.OneOf(Gen.Const("\n"), Gen.Const("\r\n"), Gen.Const(" "), Gen.Const("\n\n"))).Sample((id, tail) =>
        {
            Assert.True(WardNames.IsId(id), id);
            Assert.False(WardNames.IsId(id + tail), id + tail);
        });
        Gen.Char['A', 'Z'].Array[2, 6].Select(chars => new string(chars)).Sample(code =>
        {
            Assert.True(WardNames.IsCode(code), code);
            Assert.False(WardNames.IsCode(code + "\n"), code);
        });
    }

    [Fact]
    public void A_phone_an_email_or_a_tip_number_is_read_trimmed_and_nothing_may_follow_it_inside()
    {
        foreach (var (valid, check) in new (string, Func<string, bool>)[]
        {
            ("+84 977 123 456", ContactFormats.IsPhone),
            ("someone@example.org", ContactFormats.IsEmail),
            ("TIP-QT-2024-0042", YearlyNumbers.IsNumber),
        })
        {
            Assert.True(check(valid + "\n"), valid);
            Assert.False(check(valid + "\nx"), valid);
        }
    }

    [Theory]
    [InlineData(@"^-?(?:0|[1-9]\d*)$", "^-?(?:0|[1-9][0-9]*)$")]
    [InlineData(@"^-?(\d+\.)?\d{2}:\d{2}$", "^-?([0-9]+\\.)?[0-9]{2}:[0-9]{2}$")]
    [InlineData(@"[\d.]+", "[0-9.]+")]
    [InlineData(@"[a\]\d]", @"[a\]0-9]")]
    [InlineData(@"\\d\D\s", @"\\d\D\s")]
    public void Every_digit_class_of_a_pattern_is_written_as_ASCII_digits_inside_a_class_or_out(string pattern, string written)
    {
        Assert.Equal(written, Patterns.WithAsciiDigits(pattern));
    }

    [Fact]
    public void A_match_must_cover_the_whole_text()
    {
        var pattern = new System.Text.RegularExpressions.Regex("^[a-z]+$");
        Assert.Matches(pattern, "abc\n");
        Assert.False(pattern.IsWholly("abc\n"));
        Assert.True(pattern.IsWholly("abc"));
    }
}
