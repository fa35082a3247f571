using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using WardLink.ServiceDefaults;

namespace WardLink.Gateway;

/// <summary>
/// Browser pages of the origins named in <c>Cors:Origins</c> (none by default: partners call from their systems, not from
/// browsers) may call the API: their preflight requests are answered (<c>204</c>, any method the API takes, any request
/// header, for ten minutes) and every answer to them names their origin in <c>Access-Control-Allow-Origin</c> and lets
/// them read every header (<c>Access-Control-Expose-Headers: *</c>: the ETag, Location, RateLimit-* and Retry-After a
/// client needs). A page of any other origin gets no such header, and its browser keeps the answer from it. No cookie is
/// read, so none is allowed. Every answer says <c>Vary: Origin</c>. The token endpoint is not theirs: its only grant needs the client's secret, which a page
/// cannot keep (a page gets its token through its own server). An origin that is not <c>https://host[:port]</c> as a
/// browser sends it (<c>http://</c> only for a loopback host) stops the gateway at start.
/// </summary>
public static partial class Cors
{
    public const string Section = "Cors";

    /// <summary>An origin as the API document describes the header's value.</summary>
    public const string OriginPattern = "^https?://[A-Za-z0-9._-]+(:[0-9]{1,5})?$";

    public const int MaxOriginLength = 2048;

    private static readonly string[] Methods = ["GET", "POST", "PUT", "PATCH", "DELETE"];

    public static WebApplicationBuilder AddWardLinkCors(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<CorsOrigins>()
            .Bind(builder.Configuration.GetSection(Section))
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<CorsOrigins>, NamedOrigins>();
        builder.Services.AddCors();
        return builder;
    }

    /// <summary>
    /// Before anything else can refuse a request (a header value, a body, admission, the windows, routing, a token): a
    /// preflight is answered whatever its path, taking no turn and counting against no window, and every answer, a refusal too,
    /// names the page's origin (the headers are set as the answer starts). A preflight's header values are checked first (its
    /// <c>Access-Control-Request-Headers</c> is echoed: a control character in it was an empty 500); another request's after,
    /// so their <c>400</c> names the origin too (a page sending <c>é</c> in a header saw a network error, not the problem).
    /// </summary>
    public static WebApplication UseWardLinkCors(this WebApplication app)
    {
        var origins = app.Services.GetRequiredService<IOptions<CorsOrigins>>().Value.Origins;
        if (origins.Length > 0)
        {
            app.UseWhen(
                http => !TokenIssuer.IsTokenPath(http.Request.Path),
                browsers => browsers.Use(VaryByOrigin).UseWhen(IsPreflight, preflights => preflights.UseWardLinkHeaderValues()).UseCors(policy => policy
                    .WithOrigins(origins)
                    .WithMethods(Methods)
                    .AllowAnyHeader()
                    .WithExposedHeaders("*")
                    .SetPreflightMaxAge(TimeSpan.FromMinutes(10))));
        }

        return app;
    }

    /// <summary>Whether <paramref name="http"/> is a browser's preflight, which the CORS middleware answers itself.</summary>
    private static bool IsPreflight(HttpContext http) =>
        HttpMethods.IsOptions(http.Request.Method) && http.Request.Headers.ContainsKey(HeaderNames.AccessControlRequestMethod);

    /// <summary>
    /// Says on every answer that it varies by the request's <c>Origin</c> (a page of an allowed origin is named, another page
    /// not), so that no cache gives one origin's answer to another: ASP.NET Core says so only when more than one origin is
    /// allowed, and only to an allowed one.
    /// </summary>
    private static Task VaryByOrigin(HttpContext http, RequestDelegate next)
    {
        http.Response.OnStarting(() =>
        {
            if (!http.Response.Headers.Vary.Any(vary => vary?.Contains(HeaderNames.Origin, StringComparison.OrdinalIgnoreCase) == true))
            {
                http.Response.Headers.Append(HeaderNames.Vary, HeaderNames.Origin);
            }

            return Task.CompletedTask;
        });
        return next(http);
    }

    /// <summary>
    /// Whether <paramref name="origin"/> is an origin as a browser sends it and as <see cref="OriginPattern"/> describes it: a
    /// scheme, a host (a name of ASCII labels, an IDN in its <c>xn--</c> form, or an IPv4 address) and a port from 1 to 65535
    /// only where it is not the scheme's own, in lower case, nothing else; <c>https</c>, or <c>http</c> for a loopback host.
    /// </summary>
    public static bool IsOrigin(string origin) =>
        origin.Length <= MaxOriginLength
        && OriginForm().IsMatch(origin)
        && Uri.TryCreate(origin, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback))
        && (uri.HostNameType == UriHostNameType.IPv4 || (uri.HostNameType == UriHostNameType.Dns && IsName(uri.Host)))
        && uri.Port is > 0 and <= 65535
        && uri.UserInfo.Length == 0
        && string.Equals(uri.GetLeftPart(UriPartial.Authority), origin, StringComparison.Ordinal);

    /// <summary>A host name: labels of 1 to 63 characters, none starting or ending with a hyphen, the last not a number (a browser reads that as an IPv4 address).</summary>
    private static bool IsName(string host) =>
        host.Split('.') is var labels
        && labels.All(label => label.Length is > 0 and <= 63 && label[0] != '-' && label[^1] != '-')
        && !labels[^1].All(char.IsAsciiDigit);

    /// <summary>Names each origin <see cref="IsOrigin"/> refuses, with its key and the rule it breaks.</summary>
    private sealed class NamedOrigins : IValidateOptions<CorsOrigins>
    {
        public ValidateOptionsResult Validate(string? name, CorsOrigins options) =>
            options.Origins.Select((origin, index) => (Origin: origin, Index: index)).Where(entry => !IsOrigin(entry.Origin))
                .Select(entry => $"{Section}:Origins:{entry.Index} is '{entry.Origin}': an origin is https://host[:port] as a browser sends it, in lower-case ASCII (an IDN as xn--), with a port from 1 to 65535 only when not 443, http:// for a loopback host only, no path and no trailing slash.")
                .ToList() is { Count: > 0 } problems
                ? ValidateOptionsResult.Fail(problems)
                : ValidateOptionsResult.Success;
    }

    [GeneratedRegex(OriginPattern, RegexOptions.CultureInvariant)]
    private static partial Regex OriginForm();
}

/// <summary>The browser origins allowed to call the API (<c>Cors:Origins</c>).</summary>
public sealed class CorsOrigins
{
    public string[] Origins { get; set; } = [];
}
