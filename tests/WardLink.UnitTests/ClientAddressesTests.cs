using System.Net;
using CsCheck;
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

/// <summary>An anonymous caller is counted by its IPv4 address, or by its IPv6 /64: a fresh IPv6 address per request is no fresh limit.</summary>
public sealed class RateLimitPartitionTests
{
    [Fact]
    public void Every_address_of_one_IPv6_64_is_one_partition_and_IPv4_is_counted_by_its_address()
    {
        Gen.Select(Gen.Byte.Array[8], Gen.Byte.Array[8], Gen.Byte.Array[8]).Sample((prefix, host, other) =>
        {
            var one = new IPAddress([.. prefix, .. host]);
            var two = new IPAddress([.. prefix, .. other]);
            Assert.Equal(RateLimits.PartitionOf(one), RateLimits.PartitionOf(two));
        });
        var elsewhere = IPAddress.Parse("2001:db8:1:2::1");
        Assert.NotEqual(RateLimits.PartitionOf(IPAddress.Parse("2001:db8:1:1::1")), RateLimits.PartitionOf(elsewhere));
        Assert.Equal("203.0.113.7", RateLimits.PartitionOf(IPAddress.Parse("203.0.113.7")));
        Assert.Equal("203.0.113.7", RateLimits.PartitionOf(IPAddress.Parse("::ffff:203.0.113.7")));
        Assert.NotEqual(RateLimits.PartitionOf(IPAddress.Parse("203.0.113.7")), RateLimits.PartitionOf(IPAddress.Parse("203.0.113.8")));
    }
}
