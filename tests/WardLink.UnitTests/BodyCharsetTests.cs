using System.Text;
using CsCheck;
using WardLink.ServiceDefaults;
using WardLink.Testing;

namespace WardLink.UnitTests;

/// <summary>
/// A body in UTF-16 or UTF-32 is read in the byte order it is written in, whatever order the charset names or does not
/// (docs/api.md: "UTF-16 and UTF-32 in either byte order … a byte order mark is skipped"): a big-endian body sent as
/// <c>charset=utf-16</c>, Java's way, was read little-endian and refused. Every JSON text and every form starts with an ASCII
/// character; the rest is generated, of any characters.
/// </summary>
public sealed class BodyCharsetTests
{
    private static readonly Gen<string> Texts = Gen.Select(Gen.Char["{[\" \tg"], Gen.String).Select((first, rest) => first + rest).Where(IsWellFormed);

    [Fact]
    public void A_body_in_UTF_16_or_UTF_32_is_read_in_the_byte_order_it_is_written_in_with_its_mark_skipped()
    {
        Texts.Sample(text =>
        {
            foreach (var (charset, written, body) in Charsets.InEveryByteOrder(text))
            {
                var (strict, refusal) = BodyCharsets.Read($"application/json; charset={charset}");
                Assert.Null(refusal);
                Assert.True(text == BodyCharsets.Decode(strict!, $"application/json; charset={charset}", body), $"{written}, sent as charset={charset}");
            }
        });
    }

    [Fact]
    public void A_body_whose_order_its_charset_names_is_read_in_that_order_without_a_mark()
    {
        var bigEndian = Encoding.GetEncoding("utf-16BE").GetBytes("{}");
        var (strict, _) = BodyCharsets.Read("application/json; charset=utf-16le");

        Assert.Equal("\u7b00\u7d00", BodyCharsets.Decode(strict!, "application/json; charset=utf-16le", bigEndian));
    }

    private static bool IsWellFormed(string text)
    {
        try
        {
            _ = new UTF8Encoding(false, throwOnInvalidBytes: true).GetBytes(text);
            return true;
        }
        catch (EncoderFallbackException)
        {
            return false;
        }
    }
}
