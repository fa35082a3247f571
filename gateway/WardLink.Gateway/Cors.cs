using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace WardLink.Gateway;

/// <summary>
/// Browser pages of the origins named in <c>Cors:Origins</c> (none by default: partners call from their systems, not from
/// browsers) may call the API: their preflight requests are answered (<c>204</c>, any method the API takes, any request
/// header, for ten minutes) and every answer to them names their origin in <c>Access-Control-Allow-Origin</c> and lets
/// them read every header (<c>Access-Control-Expose-Headers: *</c>: the ETag, Location, RateLimit-* and Retry-After a
/// client needs). A page of any other origin gets no such header, and its browser keeps the answer from it. No cookie is
/// read, so none is allowed. An origin that is no <c>http(s)://host[:port]</c> stops the gateway at start.
/// </summary>
public static class Cors
{
    public const string Section = "Cors";

    public const string AllowOriginHeader = "Access-Control-Allow-Origin";

    /// <summary>An origin as a browser sends it: a scheme, a host and perhaps a port; no path, no user, nothing after.</summary>
    public const string OriginPattern = "^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?$";

    public const int MaxOriginLength = 2048;

    private static readonly string[] Methods = ["GET", "POST", "PUT", "PATCH", "DELETE"];

    public static WebApplicationBuilder AddWardLinkCors(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<CorsOrigins>()
            .Bind(builder.Configuration.GetSection(Section))
            .Validate(
                cors => cors.Origins.All(origin => origin.Length <= MaxOriginLength && Regex.IsMatch(origin, OriginPattern)),
                $"{Section}:Origins: each origin is http(s)://host[:port], no path and no trailing slash.")
            .ValidateOnStart();
        builder.Services.AddCors();
        return builder;
    }

    /// <summary>Before admission, the request headers' checks and routing: a preflight is answered whatever its path, and takes no turn.</summary>
    public static WebApplication UseWardLinkCors(this WebApplication app)
    {
        var origins = app.Services.GetRequiredService<IOptions<CorsOrigins>>().Value.Origins;
        if (origins.Length > 0)
        {
            app.UseCors(policy => policy
                .WithOrigins(origins)
                .WithMethods(Methods)
                .AllowAnyHeader()
                .WithExposedHeaders("*")
                .SetPreflightMaxAge(TimeSpan.FromMinutes(10)));
        }

        return app;
    }
}

/// <summary>The browser origins allowed to call the API (<c>Cors:Origins</c>).</summary>
public sealed class CorsOrigins
{
    public string[] Origins { get; set; } = [];
}
