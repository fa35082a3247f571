using CsCheck;
using WardLink.Gateway;

namespace WardLink.UnitTests;

/// <summary>
/// An origin is taken as a browser sends it and as the API document's pattern describes it (https, http for a loopback host;
/// a name in ASCII, an IDN as its <c>xn--</c> form, or an IPv4 address; a port from 1 to 65535 only when not the scheme's own;
/// lower case; nothing else): any other text in <c>Cors:Origins</c> stops the gateway at start.
/// </summary>
public sealed class CorsOriginTests
{
    private static readonly Gen<string> Label = Gen.Select(Gen.Char["abcdefghijklmnopqrstuvwxyz0123456789"], Gen.Char["abcdefghijklmnopqrstuvwxyz0123456789-"].Array[0, 10], Gen.Char['a', 'z'])
        .Select((first, middle, last) => $"{first}{new string(middle)}{last}");

    private static readonly Gen<string> Origin = Gen.Select(Label.Array[1, 4], Gen.Int[0, 65535]).Select((labels, port) =>
        $"https://{string.Join('.', labels)}.example{(port is 0 or 443 ? string.Empty : $":{port}")}");

    [Fact]
    public void An_origin_as_a_browser_sends_it_is_allowed_and_every_other_text_near_it_is_refused()
    {
        Gen.Select(Origin, Gen.Char[" !%*~^ü\u00e9\u0430\t"], Gen.Int[0, 1000]).Sample((allowed, odd, at) =>
        {
            Assert.True(Cors.IsOrigin(allowed), allowed);
            Assert.Matches(Cors.OriginPattern, allowed);
            var host = allowed.IndexOf("://", StringComparison.Ordinal) + 3 + (at % (allowed.Length - "https://".Length));
            Assert.All(
                new[]
                {
                    allowed + "/", allowed + "/path", allowed + "\n", " " + allowed, allowed.ToUpperInvariant(), allowed.Replace("https://", "http://", StringComparison.Ordinal),
                    allowed.Replace("https://", "https://someone@", StringComparison.Ordinal), allowed + "?x", allowed + "#x", allowed.Insert(Math.Min(host, allowed.Length), $"{odd}"),
                },
                refused => Assert.False(Cors.IsOrigin(refused), refused));
        });
    }

    [Fact]
    public void The_edges_a_browser_would_not_send()
    {
        Assert.All(["http://localhost:5173", "http://127.0.0.1:3000", "https://10.0.0.7:8443", "https://xn--bcher-kva.example", "https://a.example:1", "https://a.example:65535", "https://my_app.example"], allowed => Assert.True(Cors.IsOrigin(allowed), allowed));
        Assert.All(
            ["*", "null", "https://a.example:443", "https://a.example:0", "https://a.example:99999", "https://[::1]:3000", "ftp://a.example", "https://", "a.example", "",
             "https://bücher.example", "https://1.2.3.4.5", "https://a.example.", "https://a..example", "https://-a.example"],
            refused => Assert.False(Cors.IsOrigin(refused), refused));
    }
}
