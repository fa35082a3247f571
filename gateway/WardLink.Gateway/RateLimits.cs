using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using WardLink.ServiceDefaults.Security;

namespace WardLink.Gateway;

/// <summary>
/// Every request through the gateway (its own endpoints and the proxied routes) counts against a
/// fixed window per client: the token's <c>client_id</c> when authenticated, else the remote
/// address. The anonymous public tip intake counts against a stricter window per address too.
/// Over a limit: 429 problem details with <c>Retry-After</c> in seconds. Limits come from <c>RateLimits</c>.
/// </summary>
public static class RateLimits
{
    public const string PublicTipsPath = "/api/public/tips";

    public static WebApplicationBuilder AddWardLinkRateLimits(this WebApplicationBuilder builder)
    {
        builder.Services.Configure<RateLimitsOptions>(builder.Configuration.GetSection("RateLimits"));
        builder.Services.AddRateLimiter(_ => { });
        builder.Services.AddOptions<RateLimiterOptions>().Configure<IOptions<RateLimitsOptions>>((options, configured) =>
        {
            var limits = configured.Value;
            options.GlobalLimiter = PartitionedRateLimiter.CreateChained(
                PartitionedRateLimiter.Create<HttpContext, string>(http =>
                    RateLimitPartition.GetFixedWindowLimiter(ClientOf(http), _ => limits.PerClient.ToLimiterOptions())),
                PartitionedRateLimiter.Create<HttpContext, string>(http =>
                    http.Request.Path.StartsWithSegments(PublicTipsPath, StringComparison.OrdinalIgnoreCase)
                        ? RateLimitPartition.GetFixedWindowLimiter(AddressOf(http), _ => limits.PublicTips.ToLimiterOptions())
                        : RateLimitPartition.GetNoLimiter(string.Empty)));
            options.OnRejected = (context, _) => RejectAsync(context, limits);
        });
        return builder;
    }

    private static string ClientOf(HttpContext http) =>
        http.User.FindFirst(WardLinkClaims.ClientId)?.Value is { Length: > 0 } client ? $"client:{client}" : AddressOf(http);

    private static string AddressOf(HttpContext http) => $"address:{http.Connection.RemoteIpAddress}";

    private static async ValueTask RejectAsync(OnRejectedContext context, RateLimitsOptions limits)
    {
        var wait = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter)
            ? retryAfter
            : TimeSpan.FromTicks(Math.Max(limits.PerClient.Window.Ticks, limits.PublicTips.Window.Ticks));
        var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
        context.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        await context.HttpContext.WriteProblemAsync(
            StatusCodes.Status429TooManyRequests, "Too many requests.", $"This client sent more requests than its limit allows; retry after {seconds} s.");
    }
}

public sealed class RateLimitsOptions
{
    /// <summary>Every request of one client (its <c>client_id</c>, or its address when anonymous).</summary>
    public WindowLimit PerClient { get; set; } = new() { PermitLimit = 600, Window = TimeSpan.FromMinutes(1) };

    /// <summary>The anonymous public tip endpoints, per address, on top of <see cref="PerClient"/>.</summary>
    public WindowLimit PublicTips { get; set; } = new() { PermitLimit = 20, Window = TimeSpan.FromMinutes(1) };
}

public sealed class WindowLimit
{
    public int PermitLimit { get; set; }

    public TimeSpan Window { get; set; }

    public FixedWindowRateLimiterOptions ToLimiterOptions() => new()
    {
        PermitLimit = PermitLimit,
        Window = Window,
        QueueLimit = 0,
        AutoReplenishment = true,
    };
}
