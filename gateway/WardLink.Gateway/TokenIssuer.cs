using System.Collections.Immutable;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using OpenIddict.Server.AspNetCore;
using WardLink.Domain;
using WardLink.ServiceDefaults;
using WardLink.ServiceDefaults.Security;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace WardLink.Gateway;

/// <summary>One OAuth2 client of WardLink (<c>Auth:Clients:{clientId}</c>).</summary>
public sealed class ClientSettings
{
    /// <summary>The client secret's hash (<see cref="ClientSecrets.Hash"/>); the secret itself is never configured.</summary>
    public string? SecretHash { get; set; }

    /// <summary>police, partner, auditor or ops.</summary>
    public string? Role { get; set; }

    /// <summary>The partner a <c>partner</c> client acts for; only partner clients have one.</summary>
    public Guid? PartnerId { get; set; }

    /// <summary>The services the client may call (token scopes); all of them when left out.</summary>
    public string[]? Scopes { get; set; }

    /// <summary>The wards the client is bound to (ward ids, <c>ward</c> claims); the first is the one it acts in when it names none.</summary>
    public string[]? Wards { get; set; }

    /// <summary>The provinces whose every ward the client sees (<c>province</c> claims), for province-level police and auditors.</summary>
    public string[]? Provinces { get; set; }
}

public sealed class ClientRegistry
{
    public Dictionary<string, ClientSettings> Clients { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// The client <paramref name="clientId"/> when <paramref name="secret"/> is its secret, else null.
    /// An unknown client costs the same work as a wrong secret: the secret is verified against
    /// <see cref="ClientSecrets.UnknownClientHash"/>, so the answer's timing does not tell which
    /// client ids exist. <paramref name="verify"/> is <see cref="ClientSecrets.Verify"/> but for tests.
    /// </summary>
    public ClientSettings? Authenticate(string? clientId, string secret, Func<string, string, bool> verify)
    {
        var client = clientId is not null && Clients.TryGetValue(clientId, out var known) ? known : null;
        var matches = verify(secret, client?.SecretHash ?? ClientSecrets.UnknownClientHash);
        return matches ? client : null;
    }

    /// <summary>Why the configured clients are unusable, one line each (none when they are fine).</summary>
    public IEnumerable<string> Problems()
    {
        foreach (var (id, client) in Clients)
        {
            if (client.SecretHash is null || !ClientSecrets.IsHash(client.SecretHash))
            {
                yield return $"Auth:Clients:{id}:SecretHash is not a secret hash (make one with: dotnet WardLink.Gateway.dll hash-secret SECRET).";
            }

            if (client.Role is null || !WardLinkRoles.All.Contains(client.Role))
            {
                yield return $"Auth:Clients:{id}:Role must be one of {string.Join(", ", WardLinkRoles.All)}.";
            }

            if ((client.Role == WardLinkRoles.Partner) != (client.PartnerId is not null && client.PartnerId != Guid.Empty))
            {
                yield return $"Auth:Clients:{id}: a partner client names its PartnerId, and only a partner client does.";
            }

            foreach (var ward in (client.Wards ?? []).Concat(client.Provinces ?? []).Where(ward => !WardNames.IsId(ward)))
            {
                yield return $"Auth:Clients:{id}: '{ward}' is not a ward or province id (lower-case words joined by hyphens).";
            }

            if (client.Role == WardLinkRoles.Partner && (client.Wards is not (null or { Length: <= 1 }) || client.Provinces is { Length: > 0 }))
            {
                yield return $"Auth:Clients:{id}: a partner client belongs to its partner's ward: at most one ward, no province.";
            }

            foreach (var scope in (client.Scopes ?? []).Where(scope => !TokenIssuer.Scopes.Contains(scope)))
            {
                yield return $"Auth:Clients:{id}:Scopes: '{scope}' is not one of {string.Join(", ", TokenIssuer.Scopes)}.";
            }
        }
    }
}

/// <summary>Client secrets stored as PBKDF2-SHA256 hashes: <c>pbkdf2-sha256:iterations:salt:hash</c> (base64).</summary>
public static class ClientSecrets
{
    private const string Scheme = "pbkdf2-sha256";
    private const int Iterations = 50_000;
    private const int SaltLength = 16;
    private const int HashLength = 32;

    /// <summary>
    /// What a secret presented for an unknown client is verified against: a hash made like every
    /// client's (same scheme, iterations, salt and hash lengths) of a random secret nobody knows.
    /// </summary>
    public static readonly string UnknownClientHash = Hash(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));

    public static string Hash(string secret)
    {
        var salt = RandomNumberGenerator.GetBytes(SaltLength);
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(secret), salt, Iterations, HashAlgorithmName.SHA256, HashLength);
        return $"{Scheme}:{Iterations}:{Convert.ToBase64String(salt)}:{Convert.ToBase64String(hash)}";
    }

    public static bool IsHash(string value) => Parse(value) is not null;

    /// <summary>Whether <paramref name="secret"/> matches <paramref name="stored"/>, compared in constant time.</summary>
    public static bool Verify(string secret, string stored)
    {
        if (Parse(stored) is not var (iterations, salt, expected))
        {
            return false;
        }

        var actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(secret), salt, iterations, HashAlgorithmName.SHA256, expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    private static (int Iterations, byte[] Salt, byte[] Hash)? Parse(string value)
    {
        var parts = value.Split(':');
        if (parts is not [Scheme, var iterations, var salt, var hash] || !int.TryParse(iterations, out var count) || count < 10_000)
        {
            return null;
        }

        try
        {
            // A salt shorter than Hash makes, or a hash of another length than SHA-256's, is no hash: a one-byte hash would
            // take one secret in 256, an empty one every secret.
            var (saltBytes, hashBytes) = (Convert.FromBase64String(salt), Convert.FromBase64String(hash));
            return saltBytes.Length >= SaltLength && hashBytes.Length == HashLength ? (count, saltBytes, hashBytes) : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}

/// <summary>
/// The OAuth2 token endpoint (<c>POST /connect/token</c>, client credentials only), by OpenIddict in
/// degraded mode: clients come from configuration, tokens are JWTs signed with <c>Auth:SigningKey</c>
/// and carry <c>sub</c>, <c>role</c>, <c>partner_id</c> (partners), the granted scopes and one
/// audience per granted service.
/// </summary>
public static class TokenIssuer
{
    public const string TokenPath = "/connect/token";

    /// <summary>The one body a token request is (RFC 6749 §4.4.2).</summary>
    private const string FormType = "application/x-www-form-urlencoded";

    /// <summary>The scopes a client can ask for: one per service.</summary>
    public static readonly ImmutableArray<string> Scopes = ["incidents", "patrols", "tips", "partners"];

    /// <summary>The longest client id, client secret and scope list a token request may carry (stated in <c>GatewayApi.json</c>).</summary>
    public const int MaxClientIdLength = WardLinkClaims.MaxSubjectLength;

    public const int MaxClientSecretLength = 200;

    public const int MaxScopeLength = 200;

    /// <summary>How long an access token is valid (its <c>expires_in</c>, stated in <c>GatewayApi.json</c>).</summary>
    public static readonly TimeSpan AccessTokenLifetime = TimeSpan.FromHours(1);

    public static WebApplicationBuilder AddWardLinkTokenIssuer(this WebApplicationBuilder builder)
    {
        var settings = AuthSettings.From(builder.Configuration);
        builder.Services.AddOptions<ClientRegistry>()
            .Configure(registry => builder.Configuration.GetSection($"{AuthSettings.Section}:Clients").Bind(registry.Clients))
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<ClientRegistry>, ClientRegistryValidation>();
        builder.Services.AddOpenIddict().AddServer(server =>
        {
            server.EnableDegradedMode();
            server.SetIssuer(settings.Issuer);
            server.SetTokenEndpointUris(TokenPath.TrimStart('/'));

            // No discovery documents: nothing reads them (the services hold the public key), and they were open paths the
            // API document did not describe, answering OAuth errors instead of problem details.
            server.SetConfigurationEndpointUris(Array.Empty<Uri>());
            server.SetJsonWebKeySetEndpointUris(Array.Empty<Uri>());
            server.AllowClientCredentialsFlow();
            server.RegisterScopes([.. Scopes]);
            server.AddEventHandler<OpenIddictServerEvents.ValidateTokenRequestContext>(handler => handler.UseSingletonHandler<ClientValidation>());
            server.SetAccessTokenLifetime(AccessTokenLifetime);
            server.DisableAccessTokenEncryption();
            server.AddSigningKey(settings.Signing());
            // Only access tokens are issued and they are not encrypted; OpenIddict still needs a key.
            server.AddEphemeralEncryptionKey();
            // TLS ends in front of the gateway (ingress, load balancer); locally it is plain HTTP.
            server.UseAspNetCore().EnableTokenEndpointPassthrough().DisableTransportSecurityRequirement();
        });
        return builder;
    }

    /// <summary>Whether <paramref name="path"/> is the token endpoint's as routing and OpenIddict take it: in any letter case, with or without a trailing slash.</summary>
    public static bool IsTokenPath(PathString path) =>
        path.Equals(TokenPath, StringComparison.OrdinalIgnoreCase) || path.Equals(TokenPath + "/", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Before OpenIddict reads it (within authentication): a token request is at the path the document writes, in its letter
    /// case (another spelling is the 404 of a path no operation takes, which OpenIddict would serve), a <c>POST</c> (another method is a 405 problem,
    /// as routing gives it on the gateway's other paths, once the request counted against its address's window) of a form
    /// (RFC 6749) of <c>application/x-www-form-urlencoded</c>; another body (JSON, XML, a multipart form) is a 415 problem, as the API
    /// document says, not OpenIddict's 400, as is a form in a charset the gateway cannot read or whose media type gives a parameter
    /// twice (<see cref="BodyCharsets"/>); a form past what ASP.NET Core's reader takes (a field name over 2,048 characters,
    /// over 1,024 fields), or whose bytes its charset cannot decode (<see cref="StrictForm"/>), is an OAuth2 <c>invalid_request</c>, as
    /// is a client id, secret or scopes past its bound (before OpenIddict judges the scopes' names).
    /// </summary>
    public static WebApplication UseWardLinkTokenRequestShape(this WebApplication app)
    {
        app.Use(async (http, next) =>
        {
            if (!IsTokenPath(http.Request.Path))
            {
                await next(http);
                return;
            }

            // OpenIddict takes its path in any letter case, and as the server made it of a dot segment (/connect/token/x/..); the
            // gateway's paths are as the documents write them (ExactPaths).
            if (!http.Request.Path.StartsWithSegments(TokenPath, StringComparison.Ordinal) || http.WrittenWithDotSegment())
            {
                await Results.Problem(statusCode: StatusCodes.Status404NotFound).ExecuteAsync(http);
                return;
            }

            if (!string.Equals(http.Request.Method, HttpMethods.Post, StringComparison.Ordinal))
            {
                http.Response.Headers.Allow = HttpMethods.Post;
                await http.WriteProblemAsync(StatusCodes.Status405MethodNotAllowed, MethodRefusals.Title(HttpMethods.Post, http.Request.Method), "Request a token with a POST of a form.");
                return;
            }

            // A request without content sends no form whatever type it names: the form's fields are missing (an OAuth2
            // invalid_request), as they are from an empty form, never a 415 for a body not sent.
            if (RequestChecks.HasNoContent(http.Request))
            {
                await InvalidRequestAsync(http, $"A token request is a {FormType} form: grant_type=client_credentials, client_id, client_secret and, optionally, scope; this one has no content.");
                return;
            }

            if (!MediaTypeHeaderValue.TryParse(http.Request.ContentType, out var type) || !type.MediaType.Equals(FormType, StringComparison.OrdinalIgnoreCase))
            {
                await http.WriteProblemAsync(
                    StatusCodes.Status415UnsupportedMediaType,
                    "The token request must be a form.",
                    $"Send {FormType} fields: grant_type=client_credentials, client_id, client_secret and, optionally, scope.");
                return;
            }

            var (strict, unreadable) = BodyCharsets.Read(http.Request.ContentType);
            if (unreadable is not null)
            {
                await unreadable.ExecuteAsync(http);
                return;
            }

            // The document declares no query parameter (DeclaredQueries): a token request's parameters are its form's, and a
            // secret sent in a query would be written in every log a URL reaches. OpenIddict reads the form alone, so a query was
            // passed over unseen.
            if (http.Request.QueryString.HasValue)
            {
                await InvalidRequestAsync(http, "A token request sends its parameters in its form: none in the query.");
                return;
            }

            IFormCollection form;
            try
            {
                // Read here once, strictly (OpenIddict reads the form kept), so a form the reader refuses is a malformed request, not a 500.
                form = http.Request.Form = await StrictForm.ReadAsync(http.Request, strict ?? BodyCharsets.StrictUtf8, http.RequestAborted);
            }
            catch (InvalidDataException refused)
            {
                await InvalidRequestAsync(http, $"The form could not be read: {refused.Message}");
                return;
            }

            // RFC 6749 3.1: a parameter is sent once. OpenIddict reads one sent twice as none (a repeated scope asked for
            // every scope the client has, unchecked), so a repetition is refused here, whichever parameter it is. Names are
            // matched as written here and below, as OpenIddict matches them: CLIENT_SECRET is a parameter it does not know, ignored.
            if (form.FirstOrDefault(field => field.Value.Count > 1) is { Key: { } repeated })
            {
                var named = repeated.Length <= MaxRepeatedNameShown ? $"'{repeated}'" : "A parameter";
                await InvalidRequestAsync(http, $"{named} is given more than once: each parameter of a token request is sent once (RFC 6749, section 3.1).");
                return;
            }

            // RFC 6749, section 2.3.1: a client sends its id and secret in the form or in an Authorization: Basic header (which
            // OpenIddict reads too), never both, and either is held to the same bounds.
            var basic = BasicCredentials(http.Request);
            if (basic is not null && (form.ContainsKey("client_id") || form.ContainsKey("client_secret")))
            {
                await InvalidRequestAsync(http, "A client authenticates one way: its id and secret in the form or in an Authorization: Basic header, not both (RFC 6749, section 2.3.1).");
                return;
            }

            // Before OpenIddict, which judges the scopes' names first (an unknown one over the bound was invalid_scope), and before any hashing.
            if (!Characters.AtMost(basic?.Id ?? form["client_id"], MaxClientIdLength)
                || !Characters.AtMost(basic?.Secret ?? form["client_secret"], MaxClientSecretLength)
                || !Characters.AtMost(form["scope"], MaxScopeLength))
            {
                await InvalidRequestAsync(http, $"A client id is at most {MaxClientIdLength} characters, a secret {MaxClientSecretLength}, the scopes {MaxScopeLength}.");
                return;
            }

            await next(http);
        });
        return app;
    }

    /// <summary>
    /// The client id and secret of an <c>Authorization: Basic</c> header (RFC 6749, section 2.3.1: each form-urlencoded, then
    /// joined by a colon, in base64), or null for none; one that does not decode is left to OpenIddict's refusal.
    /// </summary>
    private static (string Id, string Secret)? BasicCredentials(HttpRequest request)
    {
        if (!System.Net.Http.Headers.AuthenticationHeaderValue.TryParse(request.Headers.Authorization.ToString(), out var header)
            || !string.Equals(header.Scheme, "Basic", StringComparison.OrdinalIgnoreCase) || header.Parameter is not { } encoded)
        {
            return null;
        }

        try
        {
            return Encoding.UTF8.GetString(Convert.FromBase64String(encoded)).Split(':', 2) is [var id, var secret]
                ? (System.Net.WebUtility.UrlDecode(id), System.Net.WebUtility.UrlDecode(secret))
                : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>The longest parameter name a refusal of a repeated one names (a longer one is named as "a parameter").</summary>
    private const int MaxRepeatedNameShown = 40;

    /// <summary>An OAuth2 <c>invalid_request</c> (RFC 6749, section 5.2): a 400 of JSON that is never cached.</summary>
    private static async Task InvalidRequestAsync(HttpContext http, string description)
    {
        http.Response.StatusCode = StatusCodes.Status400BadRequest;
        http.Response.Headers.CacheControl = "no-store";
        await http.Response.WriteAsJsonAsync(
            new Dictionary<string, string> { ["error"] = Errors.InvalidRequest, ["error_description"] = description },
            http.RequestAborted);
    }

    public static IEndpointRouteBuilder MapWardLinkTokenEndpoint(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(TokenPath, Issue)
            .AllowAnonymous()
            .WithTags("Auth")
            .WithName("IssueToken")
            .WithSummary("OAuth2 client credentials: a bearer token for the client's role and services (form fields grant_type, client_id, client_secret, scope).");
        return endpoints;
    }

    /// <summary>Issues the token of a client <see cref="ClientValidation"/> let through.</summary>
    private static IResult Issue(HttpContext http, IOptions<ClientRegistry> registry)
    {
        var request = http.GetOpenIddictServerRequest()
            ?? throw new InvalidOperationException("The OpenIddict token request is missing.");
        var clientId = request.ClientId!;
        var client = registry.Value.Clients[clientId];
        var granted = request.GetScopes() is { IsEmpty: false } requested ? [.. requested] : Allowed(client);
        var identity = new ClaimsIdentity(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme, WardLinkClaims.Subject, WardLinkClaims.Role);
        identity.AddClaim(new Claim(WardLinkClaims.Subject, clientId));
        identity.AddClaim(new Claim(WardLinkClaims.Role, client.Role!));
        if (client.PartnerId is { } partnerId)
        {
            identity.AddClaim(new Claim(WardLinkClaims.PartnerId, partnerId.ToString()));
        }

        foreach (var ward in client.Wards ?? [])
        {
            identity.AddClaim(new Claim(WardLinkClaims.Ward, ward));
        }

        foreach (var province in client.Provinces ?? [])
        {
            identity.AddClaim(new Claim(WardLinkClaims.Province, province));
        }

        identity.SetScopes(granted);
        identity.SetResources(granted.Select(WardLinkAuth.AudienceOf));
        identity.SetDestinations(_ => [Destinations.AccessToken]);
        return Results.SignIn(new ClaimsPrincipal(identity), authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    private static string[] Allowed(ClientSettings client) => client.Scopes is { Length: > 0 } scopes ? scopes : [.. Scopes];

    /// <summary>
    /// OpenIddict's degraded mode knows no clients: this checks the client id and secret against
    /// <see cref="ClientRegistry"/> (an unknown client and a wrong secret get the same answer) and
    /// the requested scopes against the client's. OpenIddict itself refuses other grant types and
    /// unknown scopes.
    /// </summary>
    private sealed class ClientValidation(IOptions<ClientRegistry> registry, PartnerStandings standings, ILogger<ClientValidation> log)
        : IOpenIddictServerHandler<OpenIddictServerEvents.ValidateTokenRequestContext>
    {
        private const string UnknownClient = "Unknown client or wrong secret.";

        public async ValueTask HandleAsync(OpenIddictServerEvents.ValidateTokenRequestContext context)
        {
            if (registry.Value.Authenticate(context.ClientId, context.Request.ClientSecret ?? "", ClientSecrets.Verify) is not { } client)
            {
                context.Reject(Errors.InvalidClient, UnknownClient);
            }
            else if (context.Request.GetScopes().Except(Allowed(client)).FirstOrDefault() is { } refused)
            {
                context.Reject(Errors.InvalidScope, $"The client may not ask for scope '{refused}'.");
            }
            else if (client.PartnerId is { } partnerId && context.ClientId is { } clientId)
            {
                // Asked anew, not from the cache: a suspended partner gets no token from that moment.
                // One that is suspended, has left or is unknown gets what an unknown client gets;
                // when its standing cannot be confirmed, nothing is issued either.
                switch (await standings.OfAsync(partnerId, fresh: true, context.CancellationToken))
                {
                    case Standing.NotGood:
                        log.NoTokenOutOfStanding(clientId, partnerId);
                        context.Reject(Errors.InvalidClient, UnknownClient);
                        break;
                    case Standing.Unconfirmed:
                        context.Reject(Errors.TemporarilyUnavailable, "The partner's standing could not be confirmed (the partners service did not answer); no token was issued. Retry shortly.");
                        break;
                }
            }
        }
    }

    /// <summary>Names every problem of the configured clients, not just that there is one.</summary>
    private sealed class ClientRegistryValidation : IValidateOptions<ClientRegistry>
    {
        public ValidateOptionsResult Validate(string? name, ClientRegistry options) =>
            options.Problems().ToList() is { Count: > 0 } problems ? ValidateOptionsResult.Fail(problems) : ValidateOptionsResult.Success;
    }
}
