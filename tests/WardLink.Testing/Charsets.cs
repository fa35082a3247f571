using System.Text;
using CsCheck;

namespace WardLink.Testing;

/// <summary>
/// Charset names a request body's <c>Content-Type</c> may carry, for the tests that every way one is read (a service's JSON,
/// the gateway's token form) ends in a 2xx or a 4xx problem and never alters a byte: every encoding .NET reads, by its name,
/// in capitals and quoted, and by some aliases; UTF-7 by each of its names, which .NET knows but refuses to read; names it
/// does not know; and names made at random (<see cref="Made"/>).
/// </summary>
public static class Charsets
{
    public static readonly string[] Utf7 = ["utf-7", "UTF-7", "unicode-1-1-utf-7", "x-unicode-2-0-utf-7", "csUnicode11UTF7"];

    public static readonly string[] Unknown = ["utf8", "bogus", "\"\"", "'utf-8'", "iso-8859-99"];

    /// <summary>The name of every encoding .NET reads.</summary>
    public static readonly string[] Read = [.. Encoding.GetEncodings().Select(encoding => encoding.Name)];

    /// <summary>Every name above: each one .NET reads also in capitals and quoted, and by some aliases.</summary>
    public static readonly string[] Named =
    [
        .. Read, .. Read.Select(name => name.ToUpperInvariant()), .. Read.Select(name => $"\"{name}\""),
        "latin1", "ascii", "ucs-2", "unicodeFFFE", .. Utf7, .. Unknown,
    ];

    /// <summary>Names made at random from a token's characters, some a name .NET reads with a character more or changed.</summary>
    public static readonly Gen<string> Made = Gen.OneOf<string>(
        Gen.String[Gen.Char["abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.+!#$%&'*^`|~"], 1, 30],
        Gen.Select(Gen.OneOf(Read), Gen.Char["-_0123456789abcxyz"], Gen.Int[0, 20], (name, other, at) => at < name.Length ? name[..at] + other + name[(at + 1)..] : name + other));

    /// <summary>The encoding a body in <paramref name="charset"/> is read in (unquoted), refusing bytes it cannot decode; null when .NET reads none by that name.</summary>
    public static Encoding? Strict(string charset)
    {
        try
        {
            return Encoding.GetEncoding(charset.Length > 1 && charset[0] == '"' && charset[^1] == '"' ? charset[1..^1] : charset, EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback);
        }
        catch (Exception unknown) when (unknown is ArgumentException or NotSupportedException)
        {
            return null;
        }
    }

    /// <summary>
    /// <paramref name="text"/> in UTF-16 and UTF-32 in every byte order, with a byte order mark and without, each with the charset
    /// it is sent as: a name that gives no order (<c>utf-16</c>, <c>utf-32</c>, <c>ucs-2</c>: Java's <c>getBytes("UTF-16")</c> writes
    /// a big-endian mark and text, .NET's little-endian text) or the one that does (<c>utf-16BE</c>, then with its mark too).
    /// </summary>
    public static IEnumerable<(string Charset, string Written, byte[] Body)> InEveryByteOrder(string text)
    {
        foreach (var (unordered, little, big) in new (string[], string, string)[]
        {
            (["utf-16", "UTF-16", "ucs-2"], "utf-16LE", "utf-16BE"),
            (["utf-32", "UTF-32"], "utf-32LE", "utf-32BE"),
        })
        {
            foreach (var ordered in new[] { little, big })
            {
                var encoding = Encoding.GetEncoding(ordered);
                var mark = encoding.GetBytes("\uFEFF");
                var bare = encoding.GetBytes(text);
                foreach (var charset in unordered)
                {
                    yield return (charset, $"{ordered} with its mark", [.. mark, .. bare]);
                    yield return (charset, $"{ordered} without a mark", bare);
                }

                yield return (ordered, $"{ordered} without a mark", bare);
                yield return (ordered, $"{ordered} with its mark", [.. mark, .. bare]);
            }
        }
    }

    /// <summary>Whether <paramref name="strict"/> decodes <paramref name="bytes"/> whole.</summary>
    public static bool Decodes(Encoding strict, byte[] bytes)
    {
        try
        {
            _ = strict.GetString(bytes);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }
}
