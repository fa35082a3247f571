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
    /// White space a text the service reads trimmed (a phone, an email, a tip's number) may have around its form: the documents'
    /// patterns of such texts begin and end with it, so a validator takes what the service takes.
    /// </summary>
    public const string AnyWhiteSpace = "[" + WhiteSpace + "]*";

    /// <summary>
    /// What the documents state of a text the service refuses empty or of white space alone (a description, a reason): it
    /// holds a character that is not white space (unanchored, as JSON Schema reads a pattern).
    /// </summary>
    public const string NotBlank = "[^" + WhiteSpace + "]";

    /// <summary>A character of a path segment as RFC 3986 writes one (<c>pchar</c>): unreserved, a sub-delimiter, <c>:</c>, <c>@</c>, or an escape.</summary>
    private const string PathCharacter = "(?:[A-Za-z0-9._~!$&'()*+,;=:@-]|%[0-9A-Fa-f]{2})";

    /// <summary>An IPv4 address as four decimal numbers from 0 to 255 without leading zeros (no other writing: <c>010</c> is octal to some readers).</summary>
    public const string DottedDecimal = "(?:(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])";

    private const string Hex16 = "[0-9A-Fa-f]{1,4}";

    private const string Last32 = "(?:" + Hex16 + ":" + Hex16 + "|" + DottedDecimal + ")";

    /// <summary>An IPv6 address as RFC 3986 writes one (<c>IPv6address</c>), an IPv4 address in it as <see cref="DottedDecimal"/>, no zone.</summary>
    public const string IPv6 =
        "(?:(?:" + Hex16 + ":){6}" + Last32
        + "|::(?:" + Hex16 + ":){5}" + Last32
        + "|(?:" + Hex16 + ")?::(?:" + Hex16 + ":){4}" + Last32
        + "|(?:(?:" + Hex16 + ":){0,1}" + Hex16 + ")?::(?:" + Hex16 + ":){3}" + Last32
        + "|(?:(?:" + Hex16 + ":){0,2}" + Hex16 + ")?::(?:" + Hex16 + ":){2}" + Last32
        + "|(?:(?:" + Hex16 + ":){0,3}" + Hex16 + ")?::" + Hex16 + ":" + Last32
        + "|(?:(?:" + Hex16 + ":){0,4}" + Hex16 + ")?::" + Last32
        + "|(?:(?:" + Hex16 + ":){0,5}" + Hex16 + ")?::" + Hex16
        + "|(?:(?:" + Hex16 + ":){0,6}" + Hex16 + ")?::)";

    /// <summary>A label of a name: 1 to 63 letters, digits and inner hyphens (RFC 1035; .NET's Uri reads no label of 257 or more).</summary>
    private const string Label = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?";

    /// <summary>
    /// A host: a name of ASCII labels (letters, digits, inner hyphens; an internationalised name as its <c>xn--</c> form), at most
    /// 253 characters, that is not <see cref="Numbers"/> (an address to some readers, a name to others); an IPv4 address as
    /// <see cref="DottedDecimal"/>; or an IPv6 one in brackets.
    /// </summary>
    private const string Host = "(?:" + DottedDecimal + "(?=[:/?#]|$)|(?!" + Numbers + "(?:[:/?#]|$))(?=[^:/?#]{1,253}(?:[:/?#]|$))" + Label + "(?:\\." + Label + ")*|\\[" + IPv6 + "\\])";

    /// <summary>Numbers (decimal, or hexadecimal after <c>0x</c>) joined by dots: an IPv4 address to some readers (<c>0x7f.1</c> is 127.0.0.1), a name to others.</summary>
    private const string Numbers = "(?:0[Xx][0-9A-Fa-f]*|[0-9]+)(?:\\.(?:0[Xx][0-9A-Fa-f]*|[0-9]+))*\\.?";

    /// <summary>A port from 1 to 65535, without leading zeros.</summary>
    private const string Port = "(?::(?:[1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]))?";

    /// <summary>A path whose every segment is called as written: no <c>.</c> or <c>..</c> segment (escaped or not), removed before a request is sent.</summary>
    private const string Path = "(?:/(?!(?:\\.|%2[Ee]){1,2}(?:[/?#]|$))" + PathCharacter + "*)*";

    private const string Query = "(?:\\?(?:" + PathCharacter + "|[/?])*)?";

    /// <summary>What follows an address's scheme: its host, port, path and query.</summary>
    private const string Rest = "://" + Host + Port + Path + Query;

    private const string Start = "^[Hh][Tt][Tt][Pp][Ss]?" + Rest;

    /// <summary>
    /// The form of an address a webhook calls where http:// is taken (in Development; the documents state it there, and
    /// <see cref="HttpsEndpoint"/> elsewhere), which its decision takes whole (<c>WebhookTargets</c>): an absolute http(s) address
    /// as RFC 3986 writes one, called as written (up to RFC 3986's own equivalences: an escaped letter or digit sent plain, the
    /// host in lower case, the scheme's default port left out). <c>http://</c> or <c>https://</c> in any letter case,
    /// a host (<see cref="Host"/>), a port from 1 to 65535, a path and a query of ASCII characters a URI holds (any other
    /// escaped, <c>%</c> only as an escape), no dot segment, no user name, no fragment, no white space.
    /// </summary>
    public const string HttpEndpoint = Start + "$";

    /// <summary>An <see cref="HttpEndpoint"/> of the https scheme alone: a webhook's address where no local target is allowed (but in Development).</summary>
    public const string HttpsEndpoint = "^[Hh][Tt][Tt][Pp][Ss]" + Rest + "$";

    /// <summary>What the documents state of a link to a page (a duty's evidence): an <see cref="HttpEndpoint"/>, with a fragment if any.</summary>
    public const string HttpAddress = Start + "(?:#(?:" + PathCharacter + "|[/?])*)?$";

    /// <summary>The form of <see cref="HttpAddress"/> and <see cref="HttpEndpoint"/>, in words.</summary>
    public const string HttpAddressRule =
        "An absolute http(s) address as RFC 3986 writes it, called as written: a host of ASCII letters, digits and inner hyphens, labels of "
        + "at most 63 and the name of at most 253 characters (or an IPv4 address, or an IPv6 one in brackets), a port from 1 to 65535 without leading zeros, no user name, no . or .. segment, and a path and "
        + "query (a link's fragment too) of letters, digits and - . _ ~ ! $ & ' ( ) * + , ; = : @ / ? (any other character, a space too, "
        + "escaped as %XX).";

    /// <summary>Whether <paramref name="link"/> is an absolute http(s) address as the documents state it (<see cref="HttpAddress"/>), read as Uri reads one.</summary>
    public static bool IsHttpAddress(string link, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Uri? address)
    {
        address = null;
        return HttpAddressForm().IsWholly(link) && Uri.TryCreate(link, UriKind.Absolute, out address);
    }

    /// <summary>Whether <paramref name="url"/> is of the form of an address a webhook calls (<see cref="HttpEndpoint"/>; the https scheme aside).</summary>
    public static bool IsHttpEndpoint(string url) => HttpEndpointForm().IsWholly(url);

    [GeneratedRegex(HttpAddress, RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex HttpAddressForm();

    [GeneratedRegex(HttpEndpoint, RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex HttpEndpointForm();

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
