using System.Net;
using WardLink.Gateway;

namespace WardLink.UnitTests;

public sealed class ClientAddressesTests
{
    [Fact]
    public void Trusted_proxies_are_addresses_or_networks_and_blank_entries_are_none()
    {
        var trusted = ClientAddresses.TrustedProxies(["10.0.0.0/8", " 192.168.1.5 ", "fd00::/8", "", null, "  "]);

        Assert.Equal([IPNetwork.Parse("10.0.0.0/8"), IPNetwork.Parse("192.168.1.5/32"), IPNetwork.Parse("fd00::/8")], trusted);
        Assert.True(trusted[1].Contains(IPAddress.Parse("192.168.1.5")));
        Assert.False(trusted[1].Contains(IPAddress.Parse("192.168.1.6")));
    }

    [Theory]
    [InlineData("ingress")]
    [InlineData("10.0.0.0/33")]
    [InlineData("300.1.1.1")]
    public void A_trusted_proxy_that_is_neither_an_address_nor_a_network_stops_the_gateway_naming_it(string entry)
    {
        var refused = Assert.Throws<InvalidOperationException>(() => ClientAddresses.TrustedProxies([entry]));

        Assert.Contains($"'{entry}'", refused.Message, StringComparison.Ordinal);
        Assert.StartsWith(ClientAddresses.TrustedProxiesKey, refused.Message, StringComparison.Ordinal);
    }
}
