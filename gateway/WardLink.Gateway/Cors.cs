using Microsoft.Extensions.Options;

namespace WardLink.Gateway;

/// <summary>
/// Browser pages of the origins named in <c>Cors:Origins</c> (none by default: partners call from their systems, not from
/// browsers) may call the API: their preflight requests are answered (<c>204</c>, any method the API takes, any request
/// header, for ten minutes) and every answer to them names their origin in <c>Access-Control-Allow-Origin</c> and lets
/// them read every header (<c>Access-Control-Expose-Headers: *</c>: the ETag, Location, RateLimit-* and Retry-After a
/// client needs). A page of any other origin gets no such header, and its browser keeps the answer from it. No cookie is
/// read, so none is allowed. The token endpoint is not theirs: its only grant needs the client's secret, which a page
/// cannot keep (a page gets its token through its own server). An origin that is not <c>https://host[:port]</c> as a
/// browser sends it (<c>http://</c> only for a loopback host) stops the gateway at start.
/// </summary>
public static class Cors
{
    public const string Section = "Cors";

    /// <summary>An origin as the API document describes the header's value.</summary>
    public const string OriginPattern = "^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?$";

    public const int MaxOriginLength = 2048;

    private static readonly string[] Methods = ["GET", "POST", "PUT", "PATCH", "DELETE"];

    public static WebApplicationBuilder AddWardLinkCors(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<CorsOrigins>()
            .Bind(builder.Configuration.GetSection(Section))
            .Validate(cors => cors.Origins.All(IsOrigin), $"{Section}:Origins: each origin is https://host[:port] (http:// for a loopback host only), no path and no trailing slash.")
            .ValidateOnStart();
        builder.Services.AddCors();
        return builder;
    }

    /// <summary>After admission, before the windows, routing and any token: a preflight is answered whatever its path, and counts against no window.</summary>
    public static WebApplication UseWardLinkCors(this WebApplication app)
    {
        var origins = app.Services.GetRequiredService<IOptions<CorsOrigins>>().Value.Origins;
        if (origins.Length > 0)
        {
            app.UseWhen(
                http => !http.Request.Path.StartsWithSegments(TokenIssuer.TokenPath, StringComparison.OrdinalIgnoreCase),
                browsers => browsers.UseCors(policy => policy
                    .WithOrigins(origins)
                    .WithMethods(Methods)
                    .AllowAnyHeader()
                    .WithExposedHeaders("*")
                    .SetPreflightMaxAge(TimeSpan.FromMinutes(10))));
        }

        return app;
    }

    /// <summary>
    /// Whether <paramref name="origin"/> is an origin as a browser sends it: a scheme, a host (a name or an IPv4 address) and a
    /// port only where it is not the scheme's own, in lower case, nothing else; <c>https</c>, or <c>http</c> for a loopback host.
    /// </summary>
    public static bool IsOrigin(string origin) =>
        origin.Length <= MaxOriginLength
        && Uri.TryCreate(origin, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback))
        && uri.HostNameType is UriHostNameType.Dns or UriHostNameType.IPv4
        && uri.UserInfo.Length == 0
        && string.Equals(uri.GetLeftPart(UriPartial.Authority), origin, StringComparison.Ordinal);
}

/// <summary>The browser origins allowed to call the API (<c>Cors:Origins</c>).</summary>
public sealed class CorsOrigins
{
    public string[] Origins { get; set; } = [];
}
