using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;
using WardLink.ServiceDefaults;

namespace WardLink.Gateway;

/// <summary>
/// An <c>application/x-www-form-urlencoded</c> body read as sent: decoded strictly in the charset its <c>Content-Type</c>
/// names (UTF-8 when none; <see cref="BodyCharsets"/>), fields split at <c>&amp;</c> and at their first <c>=</c>, a <c>+</c>
/// read as a space and each run of <c>%XX</c> escapes as the bytes it stands for, decoded strictly too. ASP.NET Core's form
/// reader replaces bytes UTF-8 cannot decode with U+FFFD and, in any other charset, keeps escapes it cannot decode as text
/// (<c>caf%E9</c>); here both are an <see cref="InvalidDataException"/>, as a form past the reader's limits (over
/// <see cref="FormReader.DefaultValueCountLimit"/> fields, a name over <see cref="FormReader.DefaultKeyLengthLimit"/>
/// characters) is. Its reader also took names differing only in letter case for one field; here a name is as sent
/// (RFC 6749, section 3.1, and OpenIddict, which reads the form kept, match names exactly), so <c>CLIENT_SECRET</c> is a field
/// of its own, not <c>client_secret</c> given twice.
/// </summary>
public static class StrictForm
{
    public static async Task<FormCollection> ReadAsync(HttpRequest request, Encoding strict, CancellationToken ct)
    {
        request.EnableBuffering();
        using var sent = new MemoryStream();
        await request.Body.CopyToAsync(sent, ct);
        request.Body.Position = 0;
        try
        {
            var (form, read) = BodyCharsets.Decode(strict, request.ContentType, sent.GetBuffer().AsSpan(0, (int)sent.Length));
            return new FormCollection(Fields(form, read));
        }
        catch (DecoderFallbackException undecodable)
        {
            throw new InvalidDataException(BodyCharsets.Undecodable(strict), undecodable);
        }
    }

    /// <summary>The values of each name <paramref name="form"/> sends, in the order sent; names compared as written.</summary>
    private static Dictionary<string, StringValues> Fields(string form, Encoding strict)
    {
        var fields = new Dictionary<string, StringValues>(StringComparer.Ordinal);
        var count = 0;
        foreach (var field in form.Split('&').Where(field => field.Length > 0))
        {
            var equals = field.IndexOf('=', StringComparison.Ordinal);
            var name = Unescaped(equals < 0 ? field : field[..equals], strict);
            if (name.Length > FormReader.DefaultKeyLengthLimit)
            {
                throw new InvalidDataException($"Form key length limit {FormReader.DefaultKeyLengthLimit} exceeded.");
            }

            var value = equals < 0 ? string.Empty : Unescaped(field[(equals + 1)..], strict);
            fields[name] = fields.TryGetValue(name, out var earlier) ? StringValues.Concat(earlier, value) : new StringValues(value);
            if (++count > FormReader.DefaultValueCountLimit)
            {
                throw new InvalidDataException($"Form value count limit {FormReader.DefaultValueCountLimit} exceeded.");
            }
        }

        return fields;
    }

    /// <summary><paramref name="text"/> with <c>+</c> a space and each run of escapes the text its bytes are in <paramref name="strict"/>; a <c>%</c> without two hex digits stays as written.</summary>
    private static string Unescaped(string text, Encoding strict)
    {
        var unescaped = new StringBuilder(text.Length);
        var bytes = new List<byte>();
        for (var at = 0; at < text.Length; at++)
        {
            if (text[at] == '%' && at + 2 < text.Length && char.IsAsciiHexDigit(text[at + 1]) && char.IsAsciiHexDigit(text[at + 2]))
            {
                bytes.Add(Convert.FromHexString(text.AsSpan(at + 1, 2))[0]);
                at += 2;
                continue;
            }

            unescaped.Append(strict.GetString([.. bytes]));
            bytes.Clear();
            unescaped.Append(text[at] == '+' ? ' ' : text[at]);
        }

        return unescaped.Append(strict.GetString([.. bytes])).ToString();
    }
}
