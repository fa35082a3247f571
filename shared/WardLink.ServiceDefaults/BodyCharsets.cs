using System.Buffers;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace WardLink.ServiceDefaults;

/// <summary>
/// How a request body's <c>Content-Type</c> charset is read, by every service (a JSON body) and by the gateway's token
/// endpoint (a form) alike. A parameter given twice (<c>charset=utf-8; charset=utf-16</c>) is ambiguous, one reader taking
/// the first and another the last; a charset .NET does not know (<c>utf8</c>, <c>bogus</c>, an empty one) or will not read
/// (UTF-7, under any of its names: .NET throws a <see cref="NotSupportedException"/> for it, which was a 500) names none the
/// body can be read in: each is a 415 problem naming it. Any other charset is decoded strictly: bytes it cannot decode are
/// refused (a 400), never replaced by <c>?</c> or U+FFFD as .NET's own decoders do.
/// </summary>
public static class BodyCharsets
{
    /// <summary>UTF-8 that refuses what it cannot decode: the charset of a body that names none.</summary>
    public static readonly Encoding StrictUtf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The bytes read from the body at a time by <see cref="DecodeWholeAsync"/>.</summary>
    public const int DecodedPiece = 16 * 1024;

    /// <summary>
    /// Reads <paramref name="body"/> to its end, decoding it in <paramref name="strict"/> (whose fallback throws
    /// <see cref="DecoderFallbackException"/>) a piece at a time, with pooled buffers: the decoder keeps a character whose bytes a
    /// piece cuts for the next (it counted each piece apart, so a character across a piece's end was refused as bytes the
    /// charset cannot decode).
    /// </summary>
    public static async Task DecodeWholeAsync(Stream body, Encoding strict, CancellationToken ct)
    {
        var decoder = strict.GetDecoder();
        var bytes = ArrayPool<byte>.Shared.Rent(DecodedPiece);
        var chars = ArrayPool<char>.Shared.Rent(strict.GetMaxCharCount(DecodedPiece));
        try
        {
            int read;
            while ((read = await body.ReadAsync(bytes.AsMemory(0, DecodedPiece), ct)) > 0)
            {
                decoder.GetChars(bytes, 0, read, chars, 0, flush: false);
            }

            decoder.GetChars([], 0, 0, chars, 0, flush: true);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
            ArrayPool<char>.Shared.Return(chars);
        }
    }

    /// <summary>
    /// The charset <paramref name="contentType"/> names, as an encoding that throws a <see cref="DecoderFallbackException"/>
    /// on bytes it cannot decode (null when it names none, or is no media type), or the 415 problem it deserves. A quoted
    /// name (<c>charset="utf-8"</c>, as RFC 9110 allows) is read unquoted.
    /// </summary>
    public static (Encoding? Strict, IResult? Refusal) Read(string? contentType)
    {
        if (!MediaTypeHeaderValue.TryParse(contentType, out var type))
        {
            return (null, null);
        }

        if (type.Parameters.Count > 1 && type.Parameters.GroupBy(parameter => parameter.Name.ToString(), StringComparer.OrdinalIgnoreCase).FirstOrDefault(named => named.Count() > 1) is { Key: var repeated })
        {
            return (null, Unsupported(
                "The body's media type gives a parameter more than once.",
                $"'{Shown(repeated)}' is given more than once in Content-Type: one reader would take the first, another the last. Give each parameter once. Nothing was done."));
        }

        // A parameter is a name and a value (RFC 9110, section 5.6.6): `charset` alone was read as no charset at all, where
        // `charset=` was refused.
        if (type.Parameters.FirstOrDefault(parameter => !parameter.Value.HasValue) is { } bare)
        {
            return (null, Unsupported(
                "The body's media type gives a parameter without a value.",
                $"'{Shown(bare.Name.ToString())}' in Content-Type has no value: a parameter is written name=value. Nothing was done."));
        }

        if (type.Charset is not { HasValue: true } given)
        {
            return (null, null);
        }

        var charset = HeaderUtilities.RemoveQuotes(given).ToString();
        try
        {
            return (Encoding.GetEncoding(charset, EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback), null);
        }
        catch (Exception unknown) when (unknown is ArgumentException or NotSupportedException)
        {
            return (null, Unsupported(
                "The body's charset is not one the service reads.",
                $"A body is read as UTF-8 (or another encoding .NET reads, UTF-7 excepted), not as '{Shown(charset)}'. Nothing was done."));
        }
    }

    /// <summary>
    /// <paramref name="body"/> as text in <paramref name="strict"/> (throwing a <see cref="DecoderFallbackException"/> on bytes it
    /// cannot decode), a UTF-8 byte order mark skipped. UTF-16 and UTF-32 are read in the byte order the body's byte order mark says, the mark no part of the text
    /// (as WHATWG's decoders do, whatever the label); without a mark, in the order the charset names (<c>utf-16le</c>,
    /// <c>utf-32be</c>), or where it names none (<c>utf-16</c>, <c>utf-32</c>: Java writes them big-endian, .NET little-endian)
    /// in the order the body's first character is written in: a JSON text or a form starts with an ASCII character, whose
    /// other bytes are zero. Also the encoding it was read in, that order's (what a form's <c>%XX</c> escapes are bytes of).
    /// </summary>
    public static (string Text, Encoding Read) Decode(Encoding strict, string? contentType, ReadOnlySpan<byte> body)
    {
        var unit = strict.CodePage switch { UnicodeLittle or UnicodeBig => 2, Utf32Little or Utf32Big => 4, _ => 0 };
        if (unit == 0)
        {
            // A UTF-8 body's mark is no part of its text either (the JSON reader skips it; a form's first field was named by it).
            return (strict.GetString(strict.CodePage == Encoding.UTF8.CodePage && body.StartsWith(Encoding.UTF8.Preamble) ? body[Encoding.UTF8.Preamble.Length..] : body), strict);
        }

        var bigEndian = strict.CodePage is UnicodeBig or Utf32Big;
        var mark = 0;
        if (body.Length >= unit && MarkOrder(body[..unit]) is { } marked)
        {
            (bigEndian, mark) = (marked, unit);
        }
        else if (!NamesOrder(contentType) && body.Length >= unit && FirstCharacterOrder(body[..unit]) is { } written)
        {
            bigEndian = written;
        }

        Encoding inOrder = unit == 2
            ? new UnicodeEncoding(bigEndian, byteOrderMark: false, throwOnInvalidBytes: true)
            : new UTF32Encoding(bigEndian, byteOrderMark: false, throwOnInvalidCharacters: true);
        return (inOrder.GetString(body[mark..]), inOrder);
    }

    /// <summary>The code pages of UTF-16 and UTF-32 in each byte order.</summary>
    public const int UnicodeLittle = 1200, UnicodeBig = 1201, Utf32Little = 12000, Utf32Big = 12001;

    /// <summary>Whether the first code unit is a byte order mark, big-endian (true) or little (false); null when it is none.</summary>
    private static bool? MarkOrder(ReadOnlySpan<byte> unit) => unit switch
    {
        [0xFE, 0xFF] or [0x00, 0x00, 0xFE, 0xFF] => true,
        [0xFF, 0xFE] or [0xFF, 0xFE, 0x00, 0x00] => false,
        _ => null,
    };

    /// <summary>Whether the first code unit is an ASCII character written big-endian (true) or little (false); null when neither.</summary>
    private static bool? FirstCharacterOrder(ReadOnlySpan<byte> unit) =>
        unit[0] != 0 && !unit[1..].ContainsAnyExcept((byte)0) ? unit[0] < 0x80 ? false : null
        : unit[^1] is not 0 and < 0x80 && !unit[..^1].ContainsAnyExcept((byte)0) ? true
        : null;

    /// <summary>Whether the charset <paramref name="contentType"/> names says its byte order (<c>utf-16le</c>, <c>utf-32BE</c>).</summary>
    private static bool NamesOrder(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var type) && SaysByteOrder(HeaderUtilities.RemoveQuotes(type.Charset).ToString());

    /// <summary>Whether a charset's name says its byte order (<c>utf-16le</c>, <c>utf-32BE</c>).</summary>
    public static bool SaysByteOrder(string name) =>
        name.EndsWith("le", StringComparison.OrdinalIgnoreCase) || name.EndsWith("be", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Why a body is refused whose bytes <paramref name="strict"/> could not decode: naming the charset, not the bytes (a token
    /// form's secret, a tipster's text: what was sent is not echoed).
    /// </summary>
    public static string Undecodable(Encoding strict) =>
        $"Bytes not valid {strict.WebName}: a body is read as sent, in the charset it names (UTF-8 when none), never with a character replaced.";

    private static IResult Unsupported(string title, string detail) =>
        Results.Problem(title: title, detail: detail, statusCode: StatusCodes.Status415UnsupportedMediaType);

    private static string Shown(string text) => text.Length <= 40 ? text : $"{text[..40]}…";
}
