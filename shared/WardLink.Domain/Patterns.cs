using System.Text.RegularExpressions;

namespace WardLink.Domain;

/// <summary>How a value is checked against a pattern the API documents (<c>^…$</c>).</summary>
public static partial class Patterns
{
    /// <summary>
    /// White space as the services read it (.NET's <see cref="char.IsWhiteSpace(char)"/>, <see cref="string.Trim()"/>), spelled
    /// out for a character class: the documents' patterns are ECMAScript's, whose <c>\s</c> takes U+FEFF and not U+0085, so a
    /// document stating <c>\s</c> took a text the service refused and refused one it stored.
    /// </summary>
    public const string WhiteSpace = @"\t-\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000";

    /// <summary>
    /// What the documents state of a text the service refuses empty or of white space alone (a description, a reason): it
    /// holds a character that is not white space (unanchored, as JSON Schema reads a pattern).
    /// </summary>
    public const string NotBlank = "[^" + WhiteSpace + "]";

    /// <summary>
    /// What the documents state of a link the service takes only as an absolute http(s) address (a duty's evidence, a webhook's
    /// endpoint): <c>http://</c> or <c>https://</c> in any letter case, a host, no white space.
    /// </summary>
    public const string HttpAddress = "^[Hh][Tt][Tt][Pp][Ss]?://[^/?#" + WhiteSpace + "][^" + WhiteSpace + "]*$";

    /// <summary>Whether <paramref name="link"/> is an absolute http(s) address as the documents state it (<see cref="HttpAddress"/>) and as Uri reads one.</summary>
    public static bool IsHttpAddress(string link, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Uri? address)
    {
        address = null;
        return HttpAddressForm().IsMatch(link) && Uri.TryCreate(link, UriKind.Absolute, out address);
    }

    [GeneratedRegex(HttpAddress, RegexOptions.CultureInvariant)]
    private static partial Regex HttpAddressForm();

    /// <summary>
    /// <paramref name="pattern"/> with each <c>\d</c> written <c>[0-9]</c> (<c>0-9</c> inside a class): .NET's engine reads
    /// <c>\d</c> as any script's digit, a partner's validator (ECMAScript's) as 0-9 alone. An escaped backslash before a
    /// <c>d</c> (<c>\\d</c>) is left as it is.
    /// </summary>
    public static string WithAsciiDigits(string pattern)
    {
        var written = new System.Text.StringBuilder(pattern.Length);
        var inClass = false;
        for (var i = 0; i < pattern.Length; i++)
        {
            if (pattern[i] == '\\' && i + 1 < pattern.Length)
            {
                written.Append(pattern[i + 1] == 'd' ? inClass ? "0-9" : "[0-9]" : pattern.AsSpan(i, 2));
                i++;
                continue;
            }

            inClass = pattern[i] switch { '[' => true, ']' => false, _ => inClass };
            written.Append(pattern[i]);
        }

        return written.ToString();
    }

    /// <summary>
    /// Whether <paramref name="pattern"/> matches the whole of <paramref name="text"/>. In .NET a pattern's <c>$</c> also
    /// matches before a final line feed, so <c>"dong-quang\n"</c> would pass <c>^[a-z-]+$</c>; the documents' patterns
    /// (ECMAScript's <c>$</c>) do not let it through, and neither does this.
    /// </summary>
    public static bool IsWholly(this Regex pattern, string text) => pattern.Match(text) is { Success: true, Index: 0 } match && match.Length == text.Length;
}
