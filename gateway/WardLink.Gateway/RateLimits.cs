using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Threading.RateLimiting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using WardLink.ServiceDefaults;
using WardLink.ServiceDefaults.Security;

namespace WardLink.Gateway;

/// <summary>
/// Every request through the gateway (its own endpoints and the proxied routes) counts against a
/// fixed window per client: the token's <c>client_id</c> when authenticated (but on the public tip
/// paths, where a token is not read), else the remote address (an IPv6 address by its /64: <see cref="PartitionOf"/>). The anonymous public tip intake counts against a stricter window per address too. A token request
/// counts against a window of token requests per address, apart from the address's other requests, before authentication
/// (<see cref="UseWardLinkTokenRateLimit"/>).
/// Over a limit: 429 problem details with <c>Retry-After</c> in seconds. Every answer to a request counted against a window
/// says where its caller stands in it (<see cref="LimitHeader"/>, <see cref="RemainingHeader"/>, <see cref="ResetHeader"/>: the
/// window that refused it, else the one with fewest requests left). Limits come from <c>RateLimits</c>.
/// </summary>
public static class RateLimits
{
    public const string PublicTipsPath = "/api/public/tips";

    /// <summary>The requests the window allows.</summary>
    public const string LimitHeader = "RateLimit-Limit";

    /// <summary>The requests left in the window after this one.</summary>
    public const string RemainingHeader = "RateLimit-Remaining";

    /// <summary>Whole seconds until the window starts again (at least 1).</summary>
    public const string ResetHeader = "RateLimit-Reset";

    public static WebApplicationBuilder AddWardLinkRateLimits(this WebApplicationBuilder builder)
    {
        builder.Services.AddSettings<RateLimitsOptions>(RateLimitsOptions.Section)
            .Validate(
                limits => limits.PublicTipsReservedInFlight < limits.AnonymousTotalInFlight,
                $"{RateLimitsOptions.Section}:{nameof(RateLimitsOptions.PublicTipsReservedInFlight)} must be less than {RateLimitsOptions.Section}:{nameof(RateLimitsOptions.AnonymousTotalInFlight)}: the anonymous callers other than the public's tips need turns too.");
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(services => new RateWindows(services.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton(services => new InFlightShares(services.GetRequiredService<IOptions<RateLimitsOptions>>().Value));
        builder.Services.AddSingleton<SendProgress>();
        return builder;
    }

    /// <summary>
    /// After authentication, so a request counts against its client's window (<see cref="ClientOf"/>), before authorization, so
    /// refused requests (guessed tokens) count too; the public's operations count against their address's stricter window as well.
    /// </summary>
    public static WebApplication UseWardLinkClientWindows(this WebApplication app) =>
        app.UseWindows((http, windows, limits) =>
        {
            if (TokenIssuer.IsTokenPath(http.Request.Path))
            {
                return null;
            }

            var standing = windows.Take(ClientOf(http), limits.PerClient);
            return standing.Admitted && IsPublic(http)
                ? WindowStanding.Binding(standing, windows.Take(PublicPrefix + AddressOf(http), limits.PublicTips))
                : standing;
        });

    /// <summary>
    /// Before authentication: a token request counts against its address's window of token requests (as large as
    /// <see cref="RateLimitsOptions.PerClient"/>, apart from the address's other requests).
    /// OpenIddict answers a refused client (a wrong secret) within authentication, so the limiter after it never saw
    /// a guess: each was a free PBKDF2 check.
    /// </summary>
    public static WebApplication UseWardLinkTokenRateLimit(this WebApplication app) =>
        app.UseWindows((http, windows, limits) => TokenIssuer.IsTokenPath(http.Request.Path) ? windows.Take(TokenPrefix + AddressOf(http), limits.PerClient) : null);

    /// <summary>Counts each request against the windows <paramref name="count"/> takes for it (none: it passes uncounted here) and admits it or not.</summary>
    private static WebApplication UseWindows(this WebApplication app, Func<HttpContext, RateWindows, RateLimitsOptions, WindowStanding?> count)
    {
        var windows = app.Services.GetRequiredService<RateWindows>();
        var limits = app.Services.GetRequiredService<IOptions<RateLimitsOptions>>().Value;
        app.Use((http, next) => count(http, windows, limits) is { } standing ? AdmitAsync(http, next, standing, windows) : next(http));
        return app;
    }

    /// <summary>
    /// Sends the request on when its window admitted it, else a 429 with <c>Retry-After</c> when the window starts again; its
    /// answer says where the caller stands in the window, whatever writes it (a proxied service, a problem, a fault).
    /// </summary>
    private static async Task AdmitAsync(HttpContext http, RequestDelegate next, WindowStanding standing, RateWindows windows)
    {
        // A refusal's reset is its Retry-After; an admitted request's is reckoned when its answer starts (a long one's too).
        long? refused = standing.Admitted ? null : standing.ResetSeconds(windows.Now);
        http.Response.OnStarting(() =>
        {
            var headers = http.Response.Headers;
            headers[LimitHeader] = standing.Limit.ToString(CultureInfo.InvariantCulture);
            headers[RemainingHeader] = standing.Remaining.ToString(CultureInfo.InvariantCulture);
            headers[ResetHeader] = (refused ?? standing.ResetSeconds(windows.Now)).ToString(CultureInfo.InvariantCulture);
            return Task.CompletedTask;
        });
        if (refused is { } seconds)
        {
            await RejectAsync(http, seconds);
        }
        else
        {
            await next(http);
        }
    }

    /// <summary>
    /// After the rate limiter: an anonymous caller (counted by its address, <see cref="ClientOf"/>) has at most
    /// <see cref="RateLimitsOptions.AnonymousInFlight"/> requests in flight at once, a partner's client at most
    /// <see cref="RateLimitsOptions.PartnerInFlight"/>; past that, a 429 at once. And anonymous callers together have at most
    /// <see cref="RateLimitsOptions.AnonymousTotalInFlight"/>, of which <see cref="RateLimitsOptions.PublicTipsReservedInFlight"/>
    /// are kept for the public's tip operations; past that, admission's 503 at once. A request holds its
    /// admission turn until its answer is sent, and an answer the client does not read is not sent: one address that asked
    /// 130 times for the API reference's 4.9 MB script and read nothing held every one of the gateway's 128 turns, and
    /// everyone else was refused with 503 while it kept its connections open; then 17 addresses, 8 requests each, did the
    /// same. Now one address holds a few, and all of them half, and none for long: an answer of theirs must keep moving
    /// (<see cref="SendProgress"/>, <see cref="RateLimitsOptions.SendTimeout"/> for the gateway's own answers, the clusters'
    /// <c>ActivityTimeout</c> for the proxied routes'), else it is cut and its turn freed. The
    /// police, auditors and operators (the deployment's own clients) are bound by admission alone. Health is exempt, as from
    /// admission.
    /// </summary>
    public static WebApplication UseWardLinkInFlightShares(this WebApplication app)
    {
        var shares = app.Services.GetRequiredService<InFlightShares>();
        var refusals = app.Services.GetRequiredService<Admission.TurnRefusals>();
        var progress = app.Services.GetRequiredService<SendProgress>();
        app.Use(async (http, next) =>
        {
            if (Health.IsHealthPath(http.Request.Path) || shares.Of(http) is not { } share)
            {
                await next(http);
                return;
            }

            using var lease = shares.Limiter.AttemptAcquire(share);
            if (!lease.IsAcquired)
            {
                await RejectAsync(http, 1, $"{share.Who} has {share.Permits} requests in flight, as many as it may; retry once one is answered.");
                return;
            }

            var (together, refusal) = share.Anonymous ? shares.TakeTogether(IsPublic(http)) : (null, null);
            using var turns = together;
            if (refusal is not null)
            {
                await refusals.RefuseAsync(http, refusal);
                return;
            }

            if (http.IsProxied())
            {
                await next(http);
            }
            else
            {
                await progress.RunAsync(http, shares.SendTimeout, next);
            }
        });
        return app;
    }

    /// <summary>
    /// Whose window a request counts against: its token's client, but on an operation anyone may call, where a token is not
    /// read (the call is the public's, docs/api.md, docs/security.md), its address: a client that sends its token everywhere
    /// (its monitoring's health probes, a read of the API document) spends nothing of its own window on them.
    /// </summary>
    private static string ClientOf(HttpContext http) =>
        !ReadsNoToken(http) && http.User.FindFirst(WardLinkClaims.ClientId)?.Value is { Length: > 0 } client ? $"client:{client}" : AddressOf(http);

    /// <summary>Whether <paramref name="http"/> asks one of the public's tip operations, where no token is read.</summary>
    private static bool IsPublic(HttpContext http) => http.Request.Path.StartsWithSegments(PublicTipsPath, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Whether <paramref name="http"/> asks an operation anyone may call, where no token is read (the call is the public's
    /// whatever comes with it): the public's tip operations, the health probes, the API document and its page.
    /// </summary>
    public static bool ReadsNoToken(HttpContext http) =>
        IsPublic(http)
        || Health.IsProbePath(http.Request.Path)
        || http.Request.Path.StartsWithSegments(ApiDocument.Path, StringComparison.OrdinalIgnoreCase)
        || ApiDocument.IsUiPath(http.Request.Path);

    private const string AddressPrefix = "address:";

    private const string PublicPrefix = "public:";

    private const string TokenPrefix = "token:";

    private static string AddressOf(HttpContext http) => $"{AddressPrefix}{PartitionOf(http.Connection.RemoteIpAddress)}";

    /// <summary>
    /// The part of an anonymous caller's address its limits count by: an IPv4 address (an IPv4-mapped IPv6 one as IPv4), or an
    /// IPv6 address's /64, what one home, phone or host is given: counted by its full address, a caller could take a fresh
    /// one of its 2^64 for every request (every guess of a client secret) and never meet a limit.
    /// </summary>
    public static string PartitionOf(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4().ToString();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return $"{new IPAddress(bytes)}/64";
    }

    private static async Task RejectAsync(HttpContext http, long seconds, string? detail = null)
    {
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        await http.WriteProblemAsync(
            StatusCodes.Status429TooManyRequests, "Too many requests.", detail ?? $"This client sent more requests than its limit allows; retry after {seconds} s.");
    }

    /// <summary>
    /// A caller whose requests in flight are bounded: its partition, how many it may have, who it is, as a refusal says, and
    /// whether the request counts in the anonymous callers' share together (not a token request: the gateway's clients get
    /// their tokens however many anonymous callers hold their share).
    /// </summary>
    private sealed record InFlightShare(string Partition, int Permits, string Who, bool Anonymous);

    /// <summary>The requests each anonymous address and each partner's client has in flight, held (and disposed) by the host.</summary>
    private sealed class InFlightShares(RateLimitsOptions limits) : IDisposable
    {
        public PartitionedRateLimiter<InFlightShare> Limiter { get; } = PartitionedRateLimiter.Create<InFlightShare, string>(share =>
            RateLimitPartition.GetConcurrencyLimiter(share.Partition, _ => new ConcurrencyLimiterOptions { PermitLimit = share.Permits, QueueLimit = 0 }));

        /// <summary>Every anonymous address's requests in flight together.</summary>
        private readonly ConcurrencyLimiter _anonymous = new(new ConcurrencyLimiterOptions { PermitLimit = limits.AnonymousTotalInFlight, QueueLimit = 0 });

        /// <summary>Every anonymous address's requests in flight together but the public's tip operations: the rest of their share is kept for those.</summary>
        private readonly ConcurrencyLimiter _outsideTips = new(new ConcurrencyLimiterOptions { PermitLimit = limits.AnonymousTotalInFlight - limits.PublicTipsReservedInFlight, QueueLimit = 0 });

        /// <summary>
        /// Takes an anonymous request's turns of the anonymous callers' share: of the whole share, and outside the public's tip
        /// operations (<paramref name="publicTips"/> false) of the part not kept for them; else why none is free.
        /// </summary>
        public (IDisposable? Turns, string? Refusal) TakeTogether(bool publicTips)
        {
            var outside = publicTips ? null : _outsideTips.AttemptAcquire();
            if (outside is { IsAcquired: false })
            {
                outside.Dispose();
                return (null, $"Anonymous callers have {limits.AnonymousTotalInFlight - limits.PublicTipsReservedInFlight} requests in flight together outside the public's tip operations, as many as they may: the gateway's other turns are kept for its clients and the public's tips. ");
            }

            var all = _anonymous.AttemptAcquire();
            if (!all.IsAcquired)
            {
                all.Dispose();
                outside?.Dispose();
                return (null, $"Anonymous callers have {limits.AnonymousTotalInFlight} requests in flight together, as many as they may: the gateway's other turns are kept for its clients. ");
            }

            return (new Leases(all, outside), null);
        }

        public TimeSpan SendTimeout => limits.SendTimeout;

        /// <summary>The share <paramref name="http"/> counts against; null for the deployment's own clients.</summary>
        public InFlightShare? Of(HttpContext http) => ClientOf(http) switch
        {
            var address when address.StartsWith(AddressPrefix, StringComparison.Ordinal) => new(address, limits.AnonymousInFlight, "This address", Anonymous: !TokenIssuer.IsTokenPath(http.Request.Path)),
            var client when http.User.IsInRole(WardLinkRoles.Partner) => new(client, limits.PartnerInFlight, "This partner's client", Anonymous: false),
            _ => null,
        };

        public void Dispose()
        {
            Limiter.Dispose();
            _anonymous.Dispose();
            _outsideTips.Dispose();
        }

        private sealed class Leases(RateLimitLease all, RateLimitLease? outsideTips) : IDisposable
        {
            public void Dispose()
            {
                outsideTips?.Dispose();
                all.Dispose();
            }
        }
    }

}

public sealed class RateLimitsOptions
{
    public const string Section = "RateLimits";

    /// <summary>Every request of one client (its <c>client_id</c>, or its address when anonymous).</summary>
    public WindowLimit PerClient { get; set; } = new() { PermitLimit = 600, Window = TimeSpan.FromMinutes(1) };

    /// <summary>Requests an anonymous address may have in flight at once (a browser opens six connections to a host).</summary>
    [Range(1, int.MaxValue)]
    public int AnonymousInFlight { get; set; } = 8;

    /// <summary>Requests every anonymous address may have in flight together: half the gateway's turns (<c>Admission:MaxInFlight</c>, 128), the rest kept for its clients.</summary>
    [Range(1, int.MaxValue)]
    public int AnonymousTotalInFlight { get; set; } = 64;

    /// <summary>
    /// Of <see cref="AnonymousTotalInFlight"/>, the requests kept for the public's tip operations: other anonymous callers
    /// (the API page's readers) hold at most the rest, so however many of them stop reading, a tipster is served. Less than
    /// <see cref="AnonymousTotalInFlight"/>, so the others have turns too.
    /// </summary>
    [Range(0, 1_000_000)]
    public int PublicTipsReservedInFlight { get; set; } = 16;

    /// <summary>Requests a partner's client may have in flight at once (a partner system, not a browser).</summary>
    [Range(1, int.MaxValue)]
    public int PartnerInFlight { get; set; } = 16;

    /// <summary>
    /// How long a caller bound by a share (an anonymous address, a partner's client) may take nothing of an answer the gateway
    /// gives itself: each write of it (at most <see cref="SendProgress.ChunkBytes"/>) must be taken within this, else its
    /// connection is closed.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:10:00")]
    public TimeSpan SendTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The anonymous public tip endpoints, per address, on top of <see cref="PerClient"/>.</summary>
    public WindowLimit PublicTips { get; set; } = new() { PermitLimit = 20, Window = TimeSpan.FromMinutes(1) };
}

public sealed class WindowLimit
{
    [Range(1, int.MaxValue)]
    public int PermitLimit { get; set; }

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan Window { get; set; }
}
