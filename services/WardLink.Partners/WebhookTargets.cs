using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using WardLink.Domain;

namespace WardLink.Partners;

/// <summary>The sender refused to connect: the endpoint's host resolves to an address that is not public.</summary>
public sealed class WebhookTargetRefusedException(string message) : Exception(message);

/// <summary>
/// Where webhooks may go (no server-side request forgery): an https address whose host resolves
/// only to public addresses. Private, loopback, link-local, shared, multicast and reserved
/// addresses are refused, in IPv4 and IPv6 alike (also when an IPv6 address carries an IPv4 one).
/// The check is made twice: on the address given (an IP literal or <c>localhost</c>) when a
/// subscription is made or changed, and when the sender connects, on every address the host
/// resolves to then; the sender connects to the very addresses it checked, so a name that
/// resolves differently a moment later (DNS rebinding) gains nothing. Local targets (and http)
/// are allowed only where configured: in Development, and in tests.
/// </summary>
public static partial class WebhookTargets
{
    /// <summary>
    /// The address the sender calls for <paramref name="url"/>, an endpoint <see cref="CheckUrl"/> took: up to RFC 3986's own
    /// equivalences (the scheme and host in lower case, an escaped letter or digit plain, the scheme's default port left out),
    /// as .NET's <see cref="Uri"/> reads it; two spellings of one address call it alike.
    /// </summary>
    public static string CalledAt(string url) => new Uri(url, UriKind.Absolute).AbsoluteUri;

    /// <summary>Why <paramref name="url"/> cannot be a webhook endpoint, or null when it can.</summary>
    public static string? CheckUrl(string? url, bool allowLocalTargets)
    {
        if (string.IsNullOrWhiteSpace(url))
        {
            return "Give the endpoint's address (https://…).";
        }

        if (!Characters.AtMost(url, Webhook.MaxUrlLength))
        {
            return $"At most {Webhook.MaxUrlLength} characters.";
        }

        // Kept and shown as given: a control character (a CR LF, say), an invisible character (a zero-width space, a right-to-left
        // override, a Hangul filler: the address shown is not the one called) or a space, around it too, has no place in it
        // (escape a space as %20).
        if (url.EnumerateRunes().Any(IsUnseen) || url.Any(char.IsWhiteSpace))
        {
            return "No control characters, invisible characters (zero-width, bidirectional, fillers) or spaces in the address (write a space as %20).";
        }

        // A bracketed host is read by no Uri property unless it is an IPv6 address as the form writes one: .NET's Uri takes
        // [1:2:3:4:5:6:7:8:/9] and then throws reading its host.
        if (HostAsWritten(Authority(url)) is ['[', ..] bracketed && !BracketedIPv6().IsMatch(bracketed))
        {
            return Patterns.HttpAddressRule;
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Host.Length == 0)
        {
            // .NET reads no address with a port past 65535: say which part is wrong.
            return PortPastItsRange().IsMatch(url) ? "A port from 1 to 65535." : "Not an absolute address (https://host/path).";
        }

        // A path called otherwise than it is written: a backslash is read as a slash (in the host's place too), a dot segment
        // (/./, /../, escaped or not) is removed with what it names before the request is sent, and a % that starts no escape
        // is sent as %25.
        if (url.Contains('\\', StringComparison.Ordinal) || HasDotSegment(url) || LoosePercent().IsMatch(url))
        {
            return "Write the address as it is called: no backslash (read as a slash), no . or .. segment in its path (removed before the request is sent), and % only as an escape (%25 for itself).";
        }

        // A host in other letters than ASCII (a Cyrillic а in "exаmple.org", full-width letters or dots) is called by its ASCII form,
        // which the address shown does not say: an internationalised name is written as that form (xn--…). So is an IPv4 address
        // written otherwise than as four decimal numbers (134744072, 010.0.0.1 is 8.0.0.1: octal), called as Uri reads it, alone
        // or inside an IPv6 literal, and digits and dots that are no address, looked up as a name.
        var authority = Authority(url);
        if (!Ascii.IsValid(authority))
        {
            return "Write the host in ASCII: an internationalised domain name as its xn-- form.";
        }

        if (HostAsWritten(authority) is var host && (uri.HostNameType == UriHostNameType.IPv4 ? !string.Equals(host, uri.Host, StringComparison.Ordinal) : HasIPv4OtherwiseWritten(host)))
        {
            return $"Write an IPv4 address as four numbers from 0 to 255 without leading zeros ({uri.Host}): the address shown is the one called.";
        }

        if (uri.Port == 0)
        {
            return "A port from 1 to 65535.";
        }

        if (uri.Scheme != Uri.UriSchemeHttps && !(allowLocalTargets && uri.Scheme == Uri.UriSchemeHttp))
        {
            return "Only https:// addresses (http:// only in Development).";
        }

        if (uri.UserInfo.Length > 0 || authority.Contains('@', StringComparison.Ordinal) || uri.Fragment.Length > 0)
        {
            return "No user name, password or fragment in the address: receivers check the signature instead.";
        }

        // The form the document states, whole (the checks above name the commonest ways to miss it).
        if (!Patterns.IsHttpEndpoint(url))
        {
            return Patterns.HttpAddressRule;
        }

        return !allowLocalTargets && (uri.IsLoopback || (IPAddress.TryParse(uri.DnsSafeHost, out var address) && !IsPublic(address)))
            ? "Not a public address: private, loopback and link-local addresses are refused."
            : null;
    }

    /// <summary>
    /// Whether <paramref name="rune"/> is a control character, a format character (zero-width, bidirectional) or another
    /// character a reader does not see: Unicode's default-ignorable code points (the combining grapheme joiner, the Hangul
    /// fillers, Khmer's inherent vowels, Mongolian and variation selectors, the reserved invisible operators, tags) and the
    /// fillers that are not (the blank Braille pattern, the Khitan filler, the null notehead).
    /// </summary>
    private static bool IsUnseen(Rune rune) =>
        Rune.IsControl(rune)
        || Rune.GetUnicodeCategory(rune) == UnicodeCategory.Format
        || rune.Value is 0x034F or 0x115F or 0x1160 or 0x17B4 or 0x17B5 or (>= 0x180B and <= 0x180F) or (>= 0x2060 and <= 0x206F)
            or 0x2800 or 0x3164 or (>= 0xFE00 and <= 0xFE0F) or 0xFFA0 or (>= 0xFFF0 and <= 0xFFF8) or (>= 0x1BCA0 and <= 0x1BCA3)
            or 0x16FE4 or 0x1D159 or (>= 0x1D173 and <= 0x1D17A) or (>= 0xE0000 and <= 0xE0FFF);

    /// <summary>The host of <paramref name="authority"/> as written: an IPv6 literal with its brackets, else up to its port.</summary>
    private static string HostAsWritten(string authority)
    {
        var hostAndPort = authority[(authority.LastIndexOf('@') + 1)..];
        return hostAndPort.StartsWith('[') && hostAndPort.IndexOf(']', StringComparison.Ordinal) is var end and > 0 ? hostAndPort[..(end + 1)] : hostAndPort.Split(':')[0];
    }

    /// <summary>
    /// Whether a host Uri does not read as an IPv4 address holds one written otherwise than as four decimal numbers: as the last
    /// part of an IPv6 literal (<c>[::ffff:127.0.0.010]</c> is called as 127.0.0.10, where <c>127.0.0.010</c> alone is 127.0.0.8),
    /// or as digits and dots only that are no address (<c>8.8.8.08</c>, <c>1.2.3.4.5</c>: looked up as a name).
    /// </summary>
    private static bool HasIPv4OtherwiseWritten(string host) =>
        host.StartsWith('[')
            ? host.TrimEnd(']').Split('%')[0].Split(':')[^1] is var last && last.Contains('.', StringComparison.Ordinal) && !DottedDecimal().IsMatch(last)
            : host.Length > 0 && host.All(character => char.IsAsciiDigit(character) || character == '.') && !DottedDecimal().IsMatch(host);

    /// <summary>An IPv4 address as four decimal numbers from 0 to 255 without leading zeros.</summary>
    [GeneratedRegex("^" + Patterns.DottedDecimal + "$", RegexOptions.CultureInvariant)]
    private static partial Regex DottedDecimal();

    /// <summary>An IPv6 address in brackets, as the form writes one (<see cref="Patterns.IPv6"/>).</summary>
    [GeneratedRegex(@"^\[" + Patterns.IPv6 + @"\]$", RegexOptions.CultureInvariant)]
    private static partial Regex BracketedIPv6();

    /// <summary>An authority whose port is a number past 65535 (after the host, before the path, query or fragment).</summary>
    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*:0*(6553[6-9]|655[4-9][0-9]|65[6-9][0-9]{2}|6[6-9][0-9]{3}|[7-9][0-9]{4}|[1-9][0-9]{5,})(?:[/?#]|$)", RegexOptions.CultureInvariant)]
    private static partial Regex PortPastItsRange();

    /// <summary>A <c>%</c> that starts no escape (two hexadecimal digits after it).</summary>
    [GeneratedRegex("%(?![0-9A-Fa-f]{2})", RegexOptions.CultureInvariant)]
    private static partial Regex LoosePercent();

    /// <summary>Whether the path of an absolute <paramref name="url"/> as written (after its authority, up to its query or fragment) has a dot segment, escaped or not.</summary>
    private static bool HasDotSegment(string url)
    {
        var (_, pathStart) = AuthorityBounds(url);
        if (pathStart == url.Length || url[pathStart] is '?' or '#')
        {
            return false;
        }

        var end = url.IndexOfAny(['?', '#'], pathStart);
        return url[pathStart..(end < 0 ? url.Length : end)].Split('/').Any(segment => Uri.UnescapeDataString(segment) is "." or "..");
    }

    /// <summary>
    /// The authority of an absolute <paramref name="url"/> as written (which holds no backslash): after its scheme (and <c>//</c>) up
    /// to its path, query or fragment.
    /// </summary>
    private static string Authority(string url)
    {
        var (start, end) = AuthorityBounds(url);
        return url[start..end];
    }

    /// <summary>
    /// Where the authority of an absolute <paramref name="url"/> starts, and where it ends (its path, query or fragment starts,
    /// else the end); of a text that is no such address, where it would (the end, for one of slashes alone). A backslash is a
    /// slash here, as .NET's Uri reads it: <c>https:\\[1:2:3:4:5:6:7:8:/9]</c> hid its bracketed host from the check of it, and
    /// Uri then threw reading that host (a 500 to subscribe).
    /// </summary>
    private static (int Start, int End) AuthorityBounds(string url)
    {
        var start = url.IndexOf(':', StringComparison.Ordinal) + 1;
        var slashes = url.AsSpan(start).IndexOfAnyExcept('/', '\\');
        start = slashes < 0 ? url.Length : start + slashes;
        var end = url.IndexOfAny(['/', '\\', '?', '#'], start);
        return (start, end < 0 ? url.Length : end);
    }

    /// <summary>Whether <paramref name="address"/> is a public unicast address a webhook may be sent to.</summary>
    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            return IsPublicV4(address.MapToIPv4().GetAddressBytes());
        }

        var bytes = address.GetAddressBytes();
        return address.AddressFamily switch
        {
            AddressFamily.InterNetwork => IsPublicV4(bytes),
            AddressFamily.InterNetworkV6 => IsPublicV6(bytes),
            _ => false,
        };
    }

    /// <summary>
    /// Opens the connection for the sender's HTTP handler: resolves the host, refuses it unless
    /// every address is public (or local targets are allowed), and connects to those addresses.
    /// </summary>
    public static async ValueTask<Stream> ConnectAsync(DnsEndPoint endpoint, bool allowLocalTargets, CancellationToken ct)
    {
        var addresses = IPAddress.TryParse(endpoint.Host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(endpoint.Host, ct);
        if (addresses.Length == 0)
        {
            throw new WebhookTargetRefusedException($"{endpoint.Host} resolves to no address.");
        }

        if (!allowLocalTargets && addresses.FirstOrDefault(address => !IsPublic(address)) is { } refused)
        {
            throw new WebhookTargetRefusedException(
                $"{endpoint.Host} resolves to {refused}, which is not a public address: private, loopback and link-local addresses are refused.");
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, endpoint.Port, ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static bool IsPublicV4(byte[] b) => !(
        b[0] is 0 or 10 or 127 or >= 224                      // "this" network, private, loopback, multicast and reserved
        || (b[0] == 100 && (b[1] & 0xC0) == 64)                // shared address space (carrier-grade NAT)
        || (b[0] == 169 && b[1] == 254)                        // link-local (cloud metadata services live here)
        || (b[0] == 172 && (b[1] & 0xF0) == 16)                // private
        || (b[0] == 192 && b[1] == 168)                        // private
        || (b[0] == 192 && b[1] == 0 && b[2] is 0 or 2)        // IETF protocol assignments, documentation
        || (b[0] == 198 && (b[1] & 0xFE) == 18)                // benchmarking
        || (b[0] == 198 && b[1] == 51 && b[2] == 100)          // documentation
        || (b[0] == 203 && b[1] == 0 && b[2] == 113));         // documentation

    private static bool IsPublicV6(byte[] b)
    {
        if (b.AsSpan(0, 12).IndexOfAnyExcept((byte)0) < 0)
        {
            // ::, ::1 and the IPv4-compatible ::a.b.c.d
            return b[12] != 0 && IsPublicV4(b[12..16]);
        }

        if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xFF && b[3] == 0x9B && b.AsSpan(4, 8).IndexOfAnyExcept((byte)0) < 0)
        {
            // The well-known NAT64 prefix (64:ff9b::/96): the IPv4 address it reaches. The rest of 64:ff9b::/32 (the local-use
            // 64:ff9b:1::/48 among it, whose translators embed the IPv4 address elsewhere) is not global unicast: refused below.
            return IsPublicV4(b[12..16]);
        }

        if (b[0] == 0x20 && b[1] == 0x02)
        {
            // 6to4 (2002::/16): the IPv4 address it tunnels to
            return IsPublicV4(b[2..6]);
        }

        var protocolAssignments = b[0] == 0x20 && b[1] == 0x01 && b[2] < 0x02;           // 2001::/23: Teredo, benchmarking, ORCHID and the like
        var documentation = (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0D && b[3] == 0xB8)  // 2001:db8::/32
            || (b[0] == 0x3F && b[1] == 0xFF && b[2] < 0x10);                              // 3fff::/20
        return (b[0] & 0xE0) == 0x20 && !protocolAssignments && !documentation;         // global unicast only (2000::/3): no unique-local, link-local or multicast
    }
}
