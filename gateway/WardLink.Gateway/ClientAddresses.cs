using System.Net;
using ForwardedHeaders = Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders;

namespace WardLink.Gateway;

/// <summary>
/// The caller's address when the gateway runs behind a reverse proxy (an ingress, a load balancer):
/// <c>X-Forwarded-For</c> is believed only from the proxies listed in <c>Gateway:TrustedProxies</c>
/// (addresses or CIDR networks), walking the header from the right while each hop is trusted. From
/// anyone else the header is ignored, so a caller cannot choose its own rate-limit partition.
/// With no proxy listed, the address is the connection's.
/// </summary>
public static class ClientAddresses
{
    public const string TrustedProxiesKey = "Gateway:TrustedProxies";

    public static WebApplicationBuilder AddWardLinkClientAddresses(this WebApplicationBuilder builder)
    {
        var trusted = TrustedProxies(builder.Configuration.GetSection(TrustedProxiesKey).Get<string[]>() ?? []);
        builder.Services.Configure<ForwardedHeadersOptions>(options =>
        {
            // With no proxy listed the header is not read at all: the middleware believes every caller when it knows no
            // proxy (it checks the connection only against a list that holds one), and the defaults trust loopback.
            // Only what is configured is trusted, and every hop of a chain of trusted proxies is followed (no fixed count).
            options.ForwardedHeaders = trusted.Count > 0 ? ForwardedHeaders.XForwardedFor : ForwardedHeaders.None;
            options.KnownProxies.Clear();
            options.KnownIPNetworks.Clear();
            options.ForwardLimit = null;
            foreach (var network in trusted)
            {
                options.KnownIPNetworks.Add(network);
            }
        });
        return builder;
    }

    /// <summary>First in the pipeline: everything after it (rate limits, logs, traces) sees the real caller.</summary>
    public static WebApplication UseWardLinkClientAddresses(this WebApplication app)
    {
        app.UseForwardedHeaders();
        return app;
    }

    /// <summary>
    /// The configured proxies as networks (an address is a network of one); blank entries are none,
    /// so a deployment can leave the setting empty. Anything else refuses to start, naming the entry.
    /// </summary>
    public static IReadOnlyList<IPNetwork> TrustedProxies(IEnumerable<string?> entries) =>
        [.. entries.Where(entry => !string.IsNullOrWhiteSpace(entry)).Select(entry => entry!.Trim()).Select(entry =>
            IPAddress.TryParse(entry, out var address) ? new IPNetwork(address, address.GetAddressBytes().Length * 8)
            : IPNetwork.TryParse(entry, out var network) ? network
            : throw new InvalidOperationException($"{TrustedProxiesKey}: '{entry}' is neither an IP address nor a CIDR network (e.g. 10.0.0.0/8).")),];
}
