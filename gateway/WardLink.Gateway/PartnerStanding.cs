using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using WardLink.ServiceDefaults;
using WardLink.ServiceDefaults.Security;
using Yarp.ReverseProxy.Configuration;

namespace WardLink.Gateway;

/// <summary>What the partners service says of a partner, as far as the gateway is concerned.</summary>
public enum Standing
{
    /// <summary>Active in the linkage: its clients get tokens and are let through.</summary>
    Good,

    /// <summary>Suspended, left, or never registered: its clients get nothing.</summary>
    NotGood,

    /// <summary>The partners service did not answer (in time, or at all): nothing is let through either.</summary>
    Unconfirmed,
}

/// <summary><c>Gateway:PartnerStanding</c>.</summary>
public sealed class PartnerStandingOptions
{
    public const string Section = "Gateway:PartnerStanding";

    /// <summary>How long an answer is used, counted from when it was asked; at most a minute, so a partner's held tokens stop working within one.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan CacheFor { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long the partners service is given to answer.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:10:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>
/// Remembers each partner's standing for a while, counted from when it was asked; an unconfirmed
/// answer is not remembered. Lookups of one partner at the same time share one question. A fresh
/// lookup (token issuance) always asks, and what it learns serves the lookups after it.
/// </summary>
public sealed class PartnerStandingCache(Func<Guid, Task<Standing>> ask, TimeProvider clock, TimeSpan cacheFor)
{
    private readonly ConcurrentDictionary<Guid, Entry> _entries = new();

    /// <summary>The partner's standing: remembered, or asked when it is older than the cache time or <paramref name="fresh"/> is set.</summary>
    public async Task<Standing> OfAsync(Guid partnerId, bool fresh, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var entry = _entries.AddOrUpdate(partnerId, id => Ask(id, now), (id, current) => current.Until > now && !fresh ? current : Ask(id, now));
        var standing = await entry.Answer.Value.WaitAsync(ct);
        if (standing == Standing.Unconfirmed)
        {
            _entries.TryRemove(KeyValuePair.Create(partnerId, entry));
        }

        return standing;
    }

    private Entry Ask(Guid partnerId, DateTimeOffset now) => new(new Lazy<Task<Standing>>(() => ask(partnerId)), now + cacheFor);

    private sealed record Entry(Lazy<Task<Standing>> Answer, DateTimeOffset Until);
}

/// <summary>
/// The standing of the partner a partner client acts for, asked of the partners service
/// (<c>GET /partners/{id}/standing</c>) with the gateway's own token and kept for
/// <see cref="PartnerStandingOptions.CacheFor"/>. A 404 (never registered), like a client bound to
/// no partner, is <see cref="Standing.NotGood"/>; no answer, or any other, is <see cref="Standing.Unconfirmed"/>.
/// </summary>
public sealed class PartnerStandings
{
    public const string PartnersService = "partners";

    private readonly IHttpClientFactory _clients;
    private readonly IProxyConfigProvider _proxy;
    private readonly GatewayToken _token;
    private readonly TimeSpan _timeout;
    private readonly ILogger<PartnerStandings> _log;
    private readonly PartnerStandingCache _cache;

    public PartnerStandings(
        IHttpClientFactory clients, IProxyConfigProvider proxy, GatewayToken token, TimeProvider clock, IOptions<PartnerStandingOptions> options, ILogger<PartnerStandings> log)
    {
        _clients = clients;
        _proxy = proxy;
        _token = token;
        _timeout = options.Value.Timeout;
        _log = log;
        _cache = new PartnerStandingCache(AskAsync, clock, options.Value.CacheFor);
    }

    /// <summary>The partner's standing, asked anew when <paramref name="fresh"/> (a token is to be issued), else as remembered.</summary>
    public Task<Standing> OfAsync(Guid partnerId, bool fresh, CancellationToken ct) =>
        partnerId == Guid.Empty ? Task.FromResult(Standing.NotGood) : _cache.OfAsync(partnerId, fresh, ct);

    private async Task<Standing> AskAsync(Guid partnerId)
    {
        var address = _proxy.ServiceAddresses().FirstOrDefault(service => service.Name == PartnersService).Address
            ?? throw new InvalidOperationException($"The gateway has no '{PartnersService}' cluster to ask partners' standing of.");
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(address, $"partners/{partnerId}/standing"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _token.Current());
        using var deadline = new CancellationTokenSource(_timeout);
        try
        {
            using var response = await _clients.CreateClient(nameof(PartnerStandings)).SendAsync(request, deadline.Token);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                return Standing.NotGood;
            }

            if (response.IsSuccessStatusCode && await response.Content.ReadFromJsonAsync<StandingAnswer>(deadline.Token) is { } answer)
            {
                return answer.InGoodStanding ? Standing.Good : Standing.NotGood;
            }

            _log.StandingRefused(partnerId, (int)response.StatusCode);
        }
        catch (Exception exception) when (exception is HttpRequestException or OperationCanceledException or JsonException)
        {
            _log.StandingUnanswered(partnerId, exception.Message);
        }

        return Standing.Unconfirmed;
    }

    private sealed record StandingAnswer(bool InGoodStanding);
}

/// <summary>
/// The gateway's own token for its questions to the partners service: role <c>gateway</c> (which
/// only the standing endpoint admits), audience <c>wardlink-partners</c>, five minutes long, made
/// anew when less than one is left.
/// </summary>
public sealed class GatewayToken(AuthSettings settings, TimeProvider clock)
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan RenewBefore = TimeSpan.FromMinutes(1);

    private readonly SigningCredentials _signing = new(settings.Signing(), SecurityAlgorithms.RsaSha256);
    private readonly Lock _lock = new();
    private (string Token, DateTimeOffset RenewAt)? _current;

    public string Current()
    {
        var now = clock.GetUtcNow();
        lock (_lock)
        {
            if (_current is not { } current || current.RenewAt <= now)
            {
                _current = current = (Make(now), now + Lifetime - RenewBefore);
            }

            return current.Token;
        }
    }

    private string Make(DateTimeOffset now) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Issuer = settings.Issuer.AbsoluteUri,
        Claims = new Dictionary<string, object>
        {
            [WardLinkClaims.Subject] = GatewayService.Name,
            [WardLinkClaims.Role] = WardLinkRoles.Gateway,
            ["aud"] = WardLinkAuth.AudienceOf(PartnerStandings.PartnersService),
        },
        IssuedAt = now.UtcDateTime,
        NotBefore = now.UtcDateTime,
        Expires = (now + Lifetime).UtcDateTime,
        SigningCredentials = _signing,
        TokenType = WardLinkAuth.AccessTokenType,
    });
}

public static class PartnerStandingChecks
{
    public static WebApplicationBuilder AddWardLinkPartnerStanding(this WebApplicationBuilder builder)
    {
        builder.Services.AddSettings<PartnerStandingOptions>(PartnerStandingOptions.Section);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(services => new GatewayToken(AuthSettings.From(builder.Configuration), services.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton<PartnerStandings>();
        builder.Services.AddHttpClient(nameof(PartnerStandings));
        return builder;
    }

    /// <summary>
    /// After authentication: a request carrying a partner's token goes on only while the partner is
    /// in good standing; else 401 (suspended, left, unknown) or 503 (not confirmed) problem details.
    /// An operation that needs no token (the public intake) does not ask: the token lets nothing in there,
    /// and the document lists no 401 for it. Nor does a path no operation takes: it is a 404 whoever asks.
    /// </summary>
    public static WebApplication UseWardLinkPartnerStanding(this WebApplication app)
    {
        app.Use(async (http, next) =>
        {
            if (http.User.PartnerId() is not { } partnerId || http.GetEndpoint() is not { } endpoint || endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null)
            {
                await next(http);
                return;
            }

            switch (await http.RequestServices.GetRequiredService<PartnerStandings>().OfAsync(partnerId, fresh: false, http.RequestAborted))
            {
                case Standing.Good:
                    await next(http);
                    break;
                case Standing.NotGood when await http.RefusedForShapeAsync():
                    break;
                case Standing.NotGood:
                    http.Response.Headers.WWWAuthenticate = $"Bearer error=\"invalid_token\", error_description=\"{PartnerOutOfStandingException.Reason}\"";
                    await http.WriteProblemAsync(
                        StatusCodes.Status401Unauthorized,
                        PartnerOutOfStandingException.Reason,
                        "The partner this token was issued for is suspended, has left the linkage or is unknown: its clients are refused until it is active again.");
                    break;
                default:
                    await http.WriteProblemAsync(
                        StatusCodes.Status503ServiceUnavailable,
                        "The partner's standing could not be confirmed.",
                        "The partners service did not answer whether the partner is active; partner clients are refused until it does. Retry shortly.");
                    break;
            }
        });
        return app;
    }
}

internal static partial class PartnerStandingLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "No token for client {ClientId}: partner {PartnerId} is not in good standing.")]
    public static partial void NoTokenOutOfStanding(this ILogger log, string clientId, Guid partnerId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The partners service answered {Status} when asked partner {PartnerId}'s standing.")]
    public static partial void StandingRefused(this ILogger log, Guid partnerId, int status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The partners service gave no answer on partner {PartnerId}'s standing: {Reason}")]
    public static partial void StandingUnanswered(this ILogger log, Guid partnerId, string reason);
}
