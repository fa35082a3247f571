using System.Net;
using CsCheck;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using ForwardedHeadersMiddleware = Microsoft.AspNetCore.HttpOverrides.ForwardedHeadersMiddleware;
using ForwardedHeadersOptions = Microsoft.AspNetCore.Builder.ForwardedHeadersOptions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
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

    private static readonly Gen<IPAddress> AnyAddress = Gen.OneOf(Gen.Byte.Array[4], Gen.Byte.Array[16]).Select(bytes => new IPAddress(bytes));

    /// <summary>What anyone may write in front: addresses, with ports, or not addresses at all.</summary>
    private static readonly Gen<string> Forwarded = Gen.OneOf(
            AnyAddress.Select(address => address.ToString()),
            AnyAddress.Select(address => new IPEndPoint(address, 4711).ToString()),
            Gen.Const("unknown"))
        .List[1, 4].Select(hops => string.Join(", ", hops));

    [Fact]
    public void With_no_proxy_listed_the_address_is_the_connections_whatever_X_Forwarded_For_says()
    {
        var gateway = ForwardedHeadersOf([]);
        Gen.Select(AnyAddress, Forwarded).Sample((connection, forwarded) => Assert.Equal(connection, SeenBy(gateway, connection, forwarded)));
        Assert.Equal(IPAddress.Loopback, SeenBy(gateway, IPAddress.Loopback, "203.0.113.7"));
    }

    /// <summary>An address of the proxies' network, 10.0.0.0/8.</summary>
    private static readonly Gen<IPAddress> InsideProxies = Gen.Byte.Array[3].Select(bytes => new IPAddress([10, .. bytes]));

    [Fact]
    public void Behind_a_listed_proxy_the_caller_it_names_is_believed_and_from_anyone_else_the_header_is_ignored()
    {
        var proxies = IPNetwork.Parse("10.0.0.0/8");
        var gateway = ForwardedHeadersOf([proxies.ToString()]);

        // The connection as often from the proxies' network as from anywhere: a uniform address was one of theirs 1 time in 512.
        Gen.Select(Gen.OneOf(AnyAddress, InsideProxies), AnyAddress).Sample((connection, caller) =>
        {
            var seen = SeenBy(gateway, connection, caller.ToString());
            Assert.Equal(proxies.Contains(connection) ? caller : connection, seen);
        });
        Assert.Equal(IPAddress.Parse("203.0.113.7"), SeenBy(gateway, IPAddress.Parse("10.1.2.3"), "203.0.113.7"));
        Assert.Equal(IPAddress.Loopback, SeenBy(gateway, IPAddress.Loopback, "203.0.113.7"));
    }

    /// <summary>
    /// Each listed proxy appends the address it saw: the caller is the rightmost entry that is no proxy, however many proxies
    /// (of the listed network) passed it on, and whatever the caller wrote in front of it (a fresh address a request would be a
    /// fresh rate limit if the first entry were believed).
    /// </summary>
    [Fact]
    public void Behind_a_chain_of_listed_proxies_the_rightmost_address_that_is_no_proxy_is_the_caller_whatever_it_wrote_in_front()
    {
        var proxies = IPNetwork.Parse("10.0.0.0/8");
        var gateway = ForwardedHeadersOf([proxies.ToString()]);
        var outside = Gen.Byte.Array[4].Where(bytes => bytes[0] != 10).Select(bytes => new IPAddress(bytes));

        Gen.Select(Forwarded, outside, InsideProxies.List[0, 3], InsideProxies).Sample((written, caller, hops, connection) =>
            Assert.Equal(caller, SeenBy(gateway, connection, string.Join(", ", [written, caller.ToString(), .. hops.Select(hop => hop.ToString())]))));
        Assert.Equal(IPAddress.Parse("203.0.113.7"), SeenBy(gateway, IPAddress.Parse("10.1.2.3"), "198.51.100.9, 203.0.113.7, 10.9.9.9, 10.8.8.8"));
    }

    /// <summary>The forwarded-headers middleware the gateway's configuration makes (<see cref="ClientAddresses"/>).</summary>
    private static ForwardedHeadersMiddleware ForwardedHeadersOf(string[] trustedProxies)
    {
        var builder = WebApplication.CreateSlimBuilder();
        for (var i = 0; i < trustedProxies.Length; i++)
        {
            builder.Configuration[$"{ClientAddresses.TrustedProxiesKey}:{i}"] = trustedProxies[i];
        }

        builder.AddWardLinkClientAddresses();
        using var services = builder.Services.BuildServiceProvider();
        return new ForwardedHeadersMiddleware(_ => Task.CompletedTask, NullLoggerFactory.Instance, services.GetRequiredService<IOptions<ForwardedHeadersOptions>>());
    }

    private static IPAddress? SeenBy(ForwardedHeadersMiddleware gateway, IPAddress connection, string forwardedFor)
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = connection;
        context.Request.Headers["X-Forwarded-For"] = forwardedFor;
        gateway.ApplyForwarders(context);
        return context.Connection.RemoteIpAddress;
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
