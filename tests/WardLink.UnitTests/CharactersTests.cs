using System.Text;
using CsCheck;
using WardLink.Domain;

namespace WardLink.UnitTests;

/// <summary>
/// A text's length is counted as JSON Schema's <c>maxLength</c> counts it, in characters (code points), not in .NET's UTF-16
/// units: every limit on a text a client sends is checked with <see cref="Characters"/>, so a text the API document admits
/// (an emoji is one character, written as two units) is never refused for its length, and one longer always is.
/// </summary>
public sealed class CharactersTests
{
    /// <summary>Texts of any UTF-16 units: ASCII, other letters of the Basic Multilingual Plane, pairs for characters beyond it, and lone halves of a pair.</summary>
    private static readonly Gen<string> Texts = Gen.OneOf(
            Gen.Char['a', 'z'].Select(letter => $"{letter}"),
            Gen.Char['\u00c0', '\ud7ff'].Select(letter => $"{letter}"),
            Gen.Int[0x10000, 0x10FFFF].Select(char.ConvertFromUtf32),
            Gen.Char['\ud800', '\udfff'].Select(half => $"{half}"))
        .Array[0, 40]
        .Select(string.Concat);

    /// <summary>UTF-32 writes each character in one unit, a lone half of a pair as one U+FFFD: as many units as characters.</summary>
    private static int CodePointsOf(string text) => Encoding.UTF32.GetByteCount(text) / 4;

    [Fact]
    public void A_text_counts_its_code_points_a_lone_half_of_a_pair_counting_one()
    {
        Texts.Sample(text => Assert.Equal(CodePointsOf(text), Characters.Count(text)));
    }

    [Fact]
    public void A_text_of_n_characters_beyond_the_basic_plane_is_n_characters_long_and_within_a_limit_of_n_not_of_n_minus_one()
    {
        Gen.Select(Gen.Int[0x10000, 0x10FFFF].Array[1, 600], Texts).Sample((characters, tail) =>
        {
            var text = string.Concat(characters.Select(char.ConvertFromUtf32));

            Assert.Equal(characters.Length, Characters.Count(text));
            Assert.True(Characters.AtMost(text, characters.Length));
            Assert.False(Characters.AtMost(text, characters.Length - 1));
            Assert.Equal(Characters.Count(text) + Characters.Count(tail), Characters.Count(text + "a" + tail) - 1);
        });
    }

    [Fact]
    public void Within_a_limit_is_at_most_that_many_characters_and_no_text_at_all_is_within_every_limit()
    {
        Gen.Select(Texts, Gen.Int[0, 50]).Sample((text, limit) =>
        {
            Assert.Equal(CodePointsOf(text) <= limit, Characters.AtMost(text, limit));
            Assert.Equal(CodePointsOf(text) >= limit && CodePointsOf(text) <= limit + 5, Characters.Between(text, limit, limit + 5));
        });
        Assert.True(Characters.AtMost(null, 0));
    }

    [Fact]
    public void A_text_cut_to_a_limit_keeps_its_first_characters_whole_and_an_ellipsis_and_one_within_it_stays_as_it_is()
    {
        Gen.Select(Texts, Gen.Int[1, 50]).Sample((text, limit) =>
        {
            var cut = Characters.Cut(text, limit);

            Assert.True(Characters.AtMost(cut, limit), $"{cut.Length} units");
            if (Characters.AtMost(text, limit))
            {
                Assert.Equal(text, cut);
                return;
            }

            Assert.Equal(limit, Characters.Count(cut));
            Assert.EndsWith("…", cut, StringComparison.Ordinal);
            var end = cut.Length - 1;
            Assert.StartsWith(cut[..end], text, StringComparison.Ordinal);
            Assert.False(end > 0 && char.IsSurrogatePair(text[end - 1], text[end]), "a character cut in half");
        });
        Assert.Null(Characters.Cut(null, 1));
    }

    /// <summary>A text's start (the delivery log's excerpt of an answer): its first n characters, or all of it, never a pair cut in half.</summary>
    [Fact]
    public void A_text_s_start_is_its_first_n_characters_never_a_character_cut_in_half()
    {
        Gen.Select(Texts, Gen.Int[0, 50]).Sample((text, count) =>
        {
            var start = Characters.Start(text, count);

            Assert.StartsWith(start, text, StringComparison.Ordinal);
            Assert.Equal(Math.Min(count, CodePointsOf(text)), CodePointsOf(start));
            Assert.False(start.Length > 0 && start.Length < text.Length && char.IsSurrogatePair(text[start.Length - 1], text[start.Length]), "a character cut in half");
        });
    }

    [Fact]
    public void A_field_error_names_a_text_past_its_limit_in_characters_and_no_other()
    {
        Gen.Select(Texts, Gen.Int[0, 50]).Sample((text, limit) =>
        {
            var errors = new FieldErrors().CheckLength(text, "description", limit);

            Assert.Equal(CodePointsOf(text) > limit, errors.Any);
            if (errors.Any)
            {
                Assert.Equal([$"At most {limit} characters."], errors.ToRejection().Errors!["description"]);
            }
        });
    }
}
