using System.Text;
using CsCheck;
using Microsoft.AspNetCore.Http;
using WardLink.Gateway;
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
                Assert.True(text == BodyCharsets.Decode(strict!, $"application/json; charset={charset}", body).Text, $"{written}, sent as charset={charset}");
            }
        });
    }

    [Fact]
    public void A_body_whose_order_its_charset_names_is_read_in_that_order_without_a_mark()
    {
        var bigEndian = Encoding.GetEncoding("utf-16BE").GetBytes("{}");
        var (strict, _) = BodyCharsets.Read("application/json; charset=utf-16le");

        Assert.Equal("\u7b00\u7d00", BodyCharsets.Decode(strict!, "application/json; charset=utf-16le", bigEndian).Text);
    }

    /// <summary>A byte order mark that says otherwise than the charset's name is the body's own word: it is read in the mark's order.</summary>
    [Fact]
    public void A_mark_that_says_another_order_than_the_charset_is_followed()
    {
        var bigEndian = Encoding.GetEncoding("utf-16BE");
        var (strict, _) = BodyCharsets.Read("application/json; charset=utf-16le");

        var (text, read) = BodyCharsets.Decode(strict!, "application/json; charset=utf-16le", [.. bigEndian.GetBytes("\uFEFF{}")]);

        Assert.Equal(("{}", bigEndian.CodePage), (text, read.CodePage));
    }

    /// <summary>A form's escapes are bytes in the order the form is read in: a big-endian form's <c>%00%E9</c> is é, not U+E900.</summary>
    [Fact]
    public async Task A_big_endian_form_sent_as_utf_16_reads_its_escapes_in_its_order()
    {
        var http = new DefaultHttpContext();
        http.Request.ContentType = "application/x-www-form-urlencoded; charset=utf-16";
        http.Request.Body = new MemoryStream(Encoding.GetEncoding("utf-16BE").GetBytes("name=caf%00%E9&kind=other"));

        var form = await StrictForm.ReadAsync(http.Request, BodyCharsets.Read(http.Request.ContentType).Strict!, TestContext.Current.CancellationToken);

        Assert.Equal(("café", "other"), (form["name"].ToString(), form["kind"].ToString()));
    }

    /// <summary>A UTF-8 form's byte order mark is no part of its first field's name (the token endpoint answered "grant_type is missing").</summary>
    [Theory]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("application/x-www-form-urlencoded; charset=utf-8")]
    public async Task A_UTF_8_form_s_byte_order_mark_is_skipped(string contentType)
    {
        var http = new DefaultHttpContext();
        http.Request.ContentType = contentType;
        http.Request.Body = new MemoryStream([.. Encoding.UTF8.Preamble, .. "grant_type=client_credentials"u8]);

        var form = await StrictForm.ReadAsync(http.Request, BodyCharsets.Read(contentType).Strict ?? BodyCharsets.StrictUtf8, TestContext.Current.CancellationToken);

        Assert.Equal("client_credentials", form["grant_type"].ToString());
    }

    /// <summary>Characters of one to four bytes in UTF-8: a letter, Vietnamese ones, a CJK one, an emoji, a CJK Extension B one.</summary>
    private static readonly string[] Widths = ["a", "\u00e9", "\u01b0", "\u8d8a", "\ud83d\ude00", "\ud840\udc00"];

    private static readonly Gen<string> OfEveryWidth = Gen.Int[0, Widths.Length - 1].Select(width => Widths[width]);

    /// <summary>
    /// A UTF-8 body is decoded whole however its pieces fall: characters of every width across every piece's end (the body
    /// read in pieces of <see cref="BodyCharsets.DecodedPiece"/> bytes, and a stream handing out fewer bytes a read, as a
    /// network does) are taken; the same body with one byte made one UTF-8 never holds is refused. A tip's description of
    /// 4000 emoji and a place of 80 was refused as bytes not valid UTF-8: the decoder counted each piece apart, and lost a
    /// character a piece cut.
    /// </summary>
    [Fact]
    public void A_UTF_8_body_is_decoded_whole_whatever_its_pieces_cut_and_refused_for_one_byte_UTF_8_never_holds()
    {
        var ct = TestContext.Current.CancellationToken;
        Gen.Select(Gen.Int[0, 3], OfEveryWidth.Array[BodyCharsets.DecodedPiece / 4, BodyCharsets.DecodedPiece], Gen.Int[1, 5000], Gen.Double[0, 1])
            .Sample(
                (shift, characters, readAtMost, spoilAt) =>
                {
                    var body = Encoding.UTF8.GetBytes(new string('{', shift) + string.Concat(characters));
                    BodyCharsets.DecodeWholeAsync(new Trickle(body, readAtMost), BodyCharsets.StrictUtf8, ct).GetAwaiter().GetResult();

                    var spoilt = body.ToArray();
                    spoilt[(int)(spoilAt * (spoilt.Length - 1))] = 0xFF;
                    Assert.Throws<DecoderFallbackException>(() => BodyCharsets.DecodeWholeAsync(new Trickle(spoilt, readAtMost), BodyCharsets.StrictUtf8, ct).GetAwaiter().GetResult());
                },
                iter: 60);
    }

    /// <summary>A body handing out at most <paramref name="atMost"/> bytes a read.</summary>
    private sealed class Trickle(byte[] bytes, int atMost) : MemoryStream(bytes)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, atMost)], cancellationToken);
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
