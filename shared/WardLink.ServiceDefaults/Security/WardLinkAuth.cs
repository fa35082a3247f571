using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.IdentityModel.Tokens;

namespace WardLink.ServiceDefaults.Security;

/// <summary>The roles a WardLink client has (the <c>role</c> claim of its access token).</summary>
public static class WardLinkRoles
{
    public const string Police = "police";
    public const string Partner = "partner";
    public const string Auditor = "auditor";
    public const string Ops = "ops";

    /// <summary>
    /// The gateway itself, in the tokens it makes for its own questions to the services. No client
    /// can be given it (not in <see cref="All"/>), and only <see cref="WardLinkPolicies.PartnerStanding"/> admits it.
    /// </summary>
    public const string Gateway = "gateway";

    /// <summary>The roles a client can be given.</summary>
    public static readonly IReadOnlyList<string> All = [Police, Partner, Auditor, Ops];
}

/// <summary>The claims of a WardLink access token beyond the standard ones.</summary>
public static class WardLinkClaims
{
    public const string Role = "role";
    public const string PartnerId = "partner_id";
    public const string ClientId = "client_id";
    public const string Subject = "sub";

    /// <summary>A ward the client is bound to (one claim per ward); a client with none and no province acts in the home ward.</summary>
    public const string Ward = "ward";

    /// <summary>A province whose every ward the client sees (province-level police and auditors).</summary>
    public const string Province = "province";

    /// <summary>
    /// The longest subject (a client id) of a WardLink token: the gateway's token endpoint refuses a
    /// longer client id, so every actor a service records is at most this long.
    /// </summary>
    public const int MaxSubjectLength = 100;
}

/// <summary>
/// The authorization policies, the same in the gateway and in every service. Anything not given
/// one of these needs <see cref="Police"/> (the fallback policy): secure unless said otherwise.
/// </summary>
public static class WardLinkPolicies
{
    /// <summary>Operates everything; the fallback for every endpoint that names no policy.</summary>
    public const string Police = "police";

    /// <summary>Submits tips and incidents and reads what it submitted or what concerns its sites.</summary>
    public const string PoliceOrPartner = "police-or-partner";

    /// <summary>Yearly statistics and reports: no personal data.</summary>
    public const string Statistics = "statistics";

    /// <summary>Audit trails: events without personal data, states as of a time, integrity.</summary>
    public const string Audit = "audit";

    /// <summary>Health and metrics of the running system.</summary>
    public const string Ops = "ops";

    /// <summary>Whether a partner is in good standing: what the gateway asks before it lets a partner's client in.</summary>
    public const string PartnerStanding = "partner-standing";

    /// <summary>Reading the wards (jurisdictions: names, codes, provinces, mergers); only the police change them.</summary>
    public const string Wards = "wards";

    /// <summary>The roles each policy lets in.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> Roles = new Dictionary<string, string[]>
    {
        [Police] = [WardLinkRoles.Police],
        [PoliceOrPartner] = [WardLinkRoles.Police, WardLinkRoles.Partner],
        [Statistics] = [WardLinkRoles.Police, WardLinkRoles.Auditor],
        [Audit] = [WardLinkRoles.Police, WardLinkRoles.Auditor],
        [Ops] = [WardLinkRoles.Police, WardLinkRoles.Ops],
        [PartnerStanding] = [WardLinkRoles.Police, WardLinkRoles.Gateway],
        [Wards] = [WardLinkRoles.Police, WardLinkRoles.Partner, WardLinkRoles.Auditor],
    };
}

/// <summary>The <c>Auth</c> configuration section: who issues tokens and with which key.</summary>
public sealed class AuthSettings
{
    public const string Section = "Auth";

    /// <summary>The issuer written into and required of every token.</summary>
    public Uri Issuer { get; set; } = new("https://wardlink.local/");

    /// <summary>The issuer's RSA public key (PEM); services validate tokens with it.</summary>
    public string? PublicKey { get; set; }

    /// <summary>The issuer's RSA private key (PEM); only the gateway has it.</summary>
    public string? SigningKey { get; set; }

    public static AuthSettings From(IConfiguration configuration) =>
        configuration.GetSection(Section).Get<AuthSettings>() ?? new AuthSettings();

    /// <summary>The key tokens are validated with: the public key, or the one the private key holds.</summary>
    public RsaSecurityKey ValidationKey()
    {
        var pem = PublicKey ?? SigningKey
            ?? throw new InvalidOperationException("Auth:PublicKey is not set: give the service the token issuer's RSA public key (PEM).");
        return Load(pem, "Auth:PublicKey");
    }

    public RsaSecurityKey Signing() =>
        Load(SigningKey ?? throw new InvalidOperationException("Auth:SigningKey is not set: give the gateway an RSA private key (PEM) to sign tokens with."), "Auth:SigningKey");

    private static RsaSecurityKey Load(string pem, string name)
    {
        var rsa = RSA.Create();
        try
        {
            rsa.ImportFromPem(pem);
        }
        catch (ArgumentException exception)
        {
            rsa.Dispose();
            throw new InvalidOperationException($"{name} is not an RSA key in PEM form.", exception);
        }

        // The key id lets a validator pick the key; it is derived from the public key alone.
        var id = Convert.ToHexString(SHA256.HashData(rsa.ExportSubjectPublicKeyInfo()))[..16];
        return new RsaSecurityKey(rsa) { KeyId = id };
    }
}

/// <summary>Whether a partner's clients may act: registered by a service that keeps the partners' standing (the gateway asks otherwise).</summary>
public interface IPartnerStandingCheck
{
    Task<bool> InGoodStandingAsync(Guid partnerId, CancellationToken ct);
}

/// <summary>A partner token refused because its partner is suspended or has left the linkage.</summary>
public sealed class PartnerOutOfStandingException() : SecurityTokenValidationException(Reason)
{
    /// <summary>What the refusal says, at the gateway and at every service.</summary>
    public const string Reason = "The partner is not in good standing.";
}

public static class WardLinkAuth
{
    /// <summary>The audience a service's tokens must name: <c>wardlink-{service}</c>.</summary>
    public static string AudienceOf(string serviceName) => $"wardlink-{serviceName}";

    /// <summary>
    /// Bearer-token validation under <paramref name="scheme"/> for one audience (or any WardLink
    /// audience when <paramref name="audiences"/> lists several): issuer, signature, lifetime with
    /// 30 s of clock skew. Claims keep their JWT names (<c>sub</c>, <c>role</c>, <c>partner_id</c>).
    /// A token found valid is remembered until it ends (<see cref="RememberedTokens"/>, one per scheme).
    /// </summary>
    public static void AddWardLinkBearer(this Microsoft.AspNetCore.Authentication.AuthenticationBuilder authentication, string scheme, AuthSettings settings, IEnumerable<string> audiences)
    {
        var key = settings.ValidationKey();
        var valid = audiences.ToArray();
        authentication.Services.TryAddSingleton(TimeProvider.System);
        authentication.Services.AddOptions<JwtBearerOptions>(scheme).Configure<TimeProvider>((options, clock) =>
        {
            options.TokenHandlers.Clear();
            options.TokenHandlers.Add(new RememberedTokens(clock) { MapInboundClaims = false });
        });
        authentication.AddJwtBearer(scheme, options =>
        {
            options.MapInboundClaims = false;
            options.RequireHttpsMetadata = false;
            options.TokenValidationParameters = new TokenValidationParameters
            {
                ValidIssuer = settings.Issuer.AbsoluteUri,
                ValidAudiences = valid,
                IssuerSigningKey = key,
                ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
                TypeValidator = (type, _, _) => IsAccessTokenType(type) ? type : throw new SecurityTokenInvalidTypeException(NotAnAccessToken),
                ClockSkew = TimeSpan.FromSeconds(30),
                NameClaimType = WardLinkClaims.Subject,
                RoleClaimType = WardLinkClaims.Role,
            };

            // The handler describes a failure in IdentityModel's words, some of them the token's own (an issuer, an algorithm), which a
            // caller wrote: a quote in an unsigned token's issuer added parameters of its own to WWW-Authenticate, and a letter outside
            // ASCII made every authenticated route a 500. Every reason here is the service's own text; none repeats the token's.
            options.Events = new JwtBearerEvents
            {
                // A service asks its own directory whether a partner's token may act (the partners service its records, the
                // gateway the partners service): a token its partner holds past a suspension or its leaving is refused as a
                // token, wherever it is sent.
                OnTokenValidated = async context =>
                {
                    if (context.Principal?.PartnerId() is { } partnerId
                        && context.HttpContext.RequestServices.GetService<IPartnerStandingCheck>() is { } standings
                        && !await standings.InGoodStandingAsync(partnerId, context.HttpContext.RequestAborted))
                    {
                        context.Fail(new PartnerOutOfStandingException());
                    }
                },
                OnChallenge = context =>
                {
                    context.ErrorDescription = context.AuthenticateFailure switch
                    {
                        null => context.ErrorDescription,
                        SecurityTokenInvalidAudienceException => NotFor(valid),
                        PartnerOutOfStandingException => PartnerOutOfStandingException.Reason,
                        SecurityTokenInvalidTypeException => NotAnAccessToken,
                        SecurityTokenMalformedException => NotAJwt,

                        // IdentityModel writes the time in the server's culture, month first and with no zone ('12/06/2026 23:51:48'), and
                        // tells a token with no expiry (one under a key id it does not know, checked for its lifetime then) as expired in
                        // the year 1, or, when it names a start, as expiring before it begins.
                        SecurityTokenNoExpirationException => NoExpiry,
                        SecurityTokenExpiredException { Expires: var expires } when expires == DateTime.MinValue => NoExpiry,
                        SecurityTokenExpiredException expired => $"The token expired at {AsUtc(expired.Expires)}: ask for a new one.",
                        SecurityTokenNotYetValidException early => $"The token is not valid before {AsUtc(early.NotBefore)}: check the clocks, or ask for a new one.",
                        SecurityTokenInvalidLifetimeException { Expires: var expires } when expires == DateTime.MinValue => NoExpiry,
                        SecurityTokenInvalidLifetimeException => EndsBeforeItBegins,
                        SecurityTokenInvalidIssuerException => OtherIssuer,
                        SecurityTokenSignatureKeyNotFoundException => UnknownKey,
                        SecurityTokenInvalidSignatureException => InvalidSignature,
                        SecurityTokenInvalidAlgorithmException => OtherAlgorithm,
                        _ => NotValidHere,
                    };
                    return Task.CompletedTask;
                },
            };
        });
    }

    /// <summary>The header's <c>typ</c> of every access token OpenIddict issues (RFC 9068): a JWT of another type signed with the
    /// same key (an identity token, a client's assertion) is not a token to act with.</summary>
    public const string AccessTokenType = "at+jwt";

    /// <summary>
    /// Whether a header's <c>typ</c> names an access token: <c>at+jwt</c> or its full media type <c>application/at+jwt</c>, in any
    /// letter case (RFC 9068 section 4; RFC 7515 reads a <c>typ</c> as a media type, whose letter case does not count).
    /// </summary>
    public static bool IsAccessTokenType(string? type) =>
        string.Equals(type, AccessTokenType, StringComparison.OrdinalIgnoreCase)
        || string.Equals(type, $"application/{AccessTokenType}", StringComparison.OrdinalIgnoreCase);

    /// <summary>Why a token whose header's <c>typ</c> is not <see cref="AccessTokenType"/> is refused (the caller's own text is not
    /// repeated in a header).</summary>
    public const string NotAnAccessToken = $"The token is not an access token: its header's typ is not {AccessTokenType}.";

    /// <summary>Why a token of another issuer is refused (not naming the deployment's: a host outside ASCII cannot be written in a header).</summary>
    public const string OtherIssuer = "The token is not issued by this deployment's issuer (its iss).";

    /// <summary>Why a token that is no signed JWT in compact form is refused.</summary>
    public const string NotAJwt = "The token is not a JWT: a header, claims and a signature, each base64url, joined by dots.";

    /// <summary>Why a token whose expiry comes before its start (<c>exp</c> before <c>nbf</c>) is refused.</summary>
    public const string EndsBeforeItBegins = "The token expires before it becomes valid (exp before nbf): ask for a new one.";

    /// <summary>Why a token with no expiry time is refused.</summary>
    public const string NoExpiry = "The token names no expiry time (exp): ask for a new one.";

    /// <summary>Why a token whose header's <c>alg</c> is not RS256 is refused, whatever its key id, signature and claims.</summary>
    public const string OtherAlgorithm = $"The token is not signed with {SecurityAlgorithms.RsaSha256}.";

    /// <summary>Why a token under no key id, or one the service does not know, whose signature no key verifies is refused.</summary>
    public const string UnknownKey = "The signature key was not found";

    /// <summary>Why a token under the issuer's key id whose signature does not verify is refused.</summary>
    public const string InvalidSignature = "The signature is invalid";

    /// <summary>Why a token is refused for any fault no other reason names.</summary>
    public const string NotValidHere = "The token is not valid here.";

    /// <summary>Why a token naming none of <paramref name="audiences"/> (those of the service that checks it) is refused.</summary>
    public static string NotFor(IEnumerable<string> audiences) => $"The token is not for this service: it names none of {string.Join(", ", audiences)} as its audience.";

    /// <summary>A token's time as the problems write times: ISO 8601 in UTC, to the second.</summary>
    private static string AsUtc(DateTime time) => DateTime.SpecifyKind(time, DateTimeKind.Utc).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    /// <summary>The WardLink policies, each also requiring a token valid under <paramref name="scheme"/>.</summary>
    public static void AddWardLinkPolicies(this AuthorizationOptions options, params string[] schemes)
    {
        foreach (var (name, roles) in WardLinkPolicies.Roles)
        {
            options.AddPolicy(name, policy => policy.AddAuthenticationSchemes(schemes).RequireAuthenticatedUser().RequireRole(roles));
        }

        // An endpoint that names no policy is for the police. A request no route matched (a path no operation takes, such as
        // a malformed id) is let through to its 404 whoever asks: an auditor was told 403 for a malformed stream id of its
        // own audit operation, where the police were told 404, and the public 401 for a mistyped public path.
        options.FallbackPolicy = new AuthorizationPolicyBuilder(schemes)
            .RequireAssertion(context => context.Resource is HttpContext http && http.GetEndpoint() is null
                || context.User.Identity?.IsAuthenticated == true && WardLinkPolicies.Roles[WardLinkPolicies.Police].Any(context.User.IsInRole))
            .Build();
    }

    /// <summary>
    /// Token validation and the WardLink policies for a service: tokens must name the service's
    /// audience; endpoints that name no policy are for the police. Outside Development the issuer's
    /// key must be configured; in Development the repository's development key is used.
    /// </summary>
    public static IHostApplicationBuilder AddWardLinkAuthentication(this IHostApplicationBuilder builder, string serviceName)
    {
        builder.AddDevelopmentAuthSettings();
        var settings = AuthSettings.From(builder.Configuration);
        builder.Services
            .AddAuthentication(JwtBearerDefaults.AuthenticationScheme)
            .AddWardLinkBearer(JwtBearerDefaults.AuthenticationScheme, settings, [AudienceOf(serviceName)]);
        builder.Services.AddAuthorization(options => options.AddWardLinkPolicies(JwtBearerDefaults.AuthenticationScheme));
        return builder;
    }

    /// <summary>
    /// In Development only, the repository's development issuer key (never used elsewhere): what a
    /// newcomer's <c>./run.sh</c> runs with. Configuration given explicitly wins over it.
    /// </summary>
    public static void AddDevelopmentAuthSettings(this IHostApplicationBuilder builder)
    {
        if (!builder.Environment.IsDevelopment())
        {
            return;
        }

        using var stream = typeof(WardLinkAuth).Assembly.GetManifestResourceStream("WardLink.ServiceDefaults.Security.development-auth.json")
            ?? throw new InvalidOperationException("The development auth settings are missing from the assembly.");
        var development = new ConfigurationBuilder().AddJsonStream(stream).Build();
        var sources = (IConfigurationBuilder)builder.Configuration;
        sources.Sources.Insert(0, new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource
        {
            InitialData = development.AsEnumerable().Where(pair => pair.Value is not null),
        });
    }

    /// <summary>
    /// The partner a <c>partner</c> client acts for (<see cref="Guid.Empty"/>, which owns nothing,
    /// when its token names none); null for every other role.
    /// </summary>
    public static Guid? PartnerId(this ClaimsPrincipal user) =>
        !user.IsInRole(WardLinkRoles.Partner) ? null
        : Guid.TryParse(user.FindFirstValue(WardLinkClaims.PartnerId), out var id) ? id : Guid.Empty;

    /// <summary>The partner the caller acts for (see <see cref="PartnerId(ClaimsPrincipal)"/>).</summary>
    public static Guid? PartnerId(this HttpContext http) => http.User.PartnerId();
}
