using System.ComponentModel.DataAnnotations;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using WardLink.Domain;
using WardLink.ServiceDefaults;
using WardLink.ServiceDefaults.Security;
using Yarp.ReverseProxy.Configuration;

namespace WardLink.Gateway;

/// <summary>
/// <c>GET /api/reports/annual?year=&amp;ward=&amp;boundaries=</c> (police or auditor): every service's
/// <c>/api/{service}/stats</c> for that year, ward and boundaries, asked in parallel with the caller's
/// <c>Authorization</c>, each within <see cref="AnnualReportOptions.ServiceTimeout"/>. A service that does
/// not answer is listed as missing with the reason, never as zeros; a ward the services do not show the
/// caller is a 404, as each of them answers, and so is a report of no ward named that every service answers 404 (a client
/// none of whose wards the services know: a province's before its first ward, a ward-bound client's ward not established).
/// </summary>
public static class AnnualReport
{
    public const string Path = "/api/reports/annual";

    public static WebApplicationBuilder AddWardLinkAnnualReport(this WebApplicationBuilder builder)
    {
        builder.Services.AddSettings<AnnualReportOptions>(AnnualReportOptions.Section);
        builder.Services.AddHttpClient(nameof(AnnualReport));
        return builder;
    }

    public static WebApplication MapWardLinkAnnualReport(this WebApplication app)
    {
        app.MapGet(Path, Compose).WithName("GetAnnualReport").RequireAuthorization(WardLinkPolicies.Statistics);
        return app;
    }

    private static async Task<IResult> Compose(
        [Range(WardTime.FirstYear, WardTime.LastYear)] int? year,
        string? ward,
        [EnumOf(typeof(Boundaries))] string? boundaries,
        HttpContext http,
        IProxyConfigProvider proxy,
        IHttpClientFactory clients,
        IOptions<AnnualReportOptions> options,
        CancellationToken ct)
    {
        // ward='s form was judged with the query's (QueryForms); whose ward it is, the services judge.
        var errors = new FieldErrors().CheckYear(year, "year");

        // Any letter case, as every enum (docs/api.md); the services are asked, and the report answers, with its name.
        var within = EnumNames.NameOf(errors.ParseEnum<Boundaries>(boundaries, "boundaries") ?? Boundaries.AsRecorded);
        if (errors.Any)
        {
            return errors.ToRejection().ToProblem();
        }

        var query = $"year={year}"
            + (ward is null ? "" : $"&ward={ward}")
            + $"&boundaries={within}";
        var client = clients.CreateClient(nameof(AnnualReport));
        var figures = await Task.WhenAll(proxy.ServiceAddresses().Select(async service =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(service.Address, $"api/{service.Name}/stats?{query}"));
            if (http.Request.Headers.Authorization is { Count: > 0 } authorization)
            {
                request.Headers.TryAddWithoutValidation("Authorization", (IEnumerable<string?>)authorization);
            }

            var (statistics, reason, status) = await client.GetJsonAsync(request, options.Value.ServiceTimeout, ct);
            return (service.Name, Status: status, Figures: statistics is JsonObject
                ? new ServiceFigures("ok", statistics, null)
                : new ServiceFigures("missing", null, reason ?? "answered statistics that are not a JSON object"));
        }));
        var notFound = figures.Count(service => service.Status == StatusCodes.Status404NotFound);
        if (ward is not null ? notFound > 0 : notFound == figures.Length)
        {
            return Results.Problem(title: WardNames.NotFoundTitle(ward), statusCode: StatusCodes.Status404NotFound);
        }

        return Results.Ok(new Report(
            year!.Value,
            ward,
            within!,
            figures.All(service => service.Figures.Status == "ok"),
            figures.ToDictionary(service => service.Name, service => service.Figures)));
    }

    private sealed record Report(int Year, string? Ward, string Boundaries, bool Complete, IReadOnlyDictionary<string, ServiceFigures> Services);

    private sealed record ServiceFigures(string Status, JsonNode? Statistics, string? Reason);
}

public sealed class AnnualReportOptions
{
    public const string Section = "Reports";

    /// <summary>How long the report waits for one service's statistics.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:10:00")]
    public TimeSpan ServiceTimeout { get; set; } = TimeSpan.FromSeconds(5);
}
