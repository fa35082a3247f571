using System.ComponentModel.DataAnnotations;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using WardLink.Contracts.Incidents;
using WardLink.Contracts.Tips;
using WardLink.Domain;
using WardLink.EventSourcing;
using WardLink.EventSourcing.Sites;
using WardLink.ServiceDefaults;
using WardLink.ServiceDefaults.Security;

namespace WardLink.Incidents;


/// <summary>
/// One year's incidents in the ward's local time (UTC+7), counted by when they occurred. Every
/// classification, category, source and outcome is listed, with 0 where there was none, so two
/// years line up. Time to resolution runs from when the incident occurred to its resolution.
/// </summary>
public sealed record IncidentStatistics(
    [property: Range(WardTime.FirstYear, WardTime.LastYear)] int Year,
    [property: Range(0, int.MaxValue)] int Total,
    [property: ItemsRange(0, int.MaxValue)] IReadOnlyDictionary<string, int> ByClassification,
    [property: ItemsRange(0, int.MaxValue)] IReadOnlyDictionary<string, int> ByCategory,
    [property: ItemsRange(0, int.MaxValue)] IReadOnlyDictionary<string, int> BySite,
    [property: Range(0, int.MaxValue)] int WithoutSite,
    [property: MinLength(WardTime.HoursInDay), MaxLength(WardTime.HoursInDay), ItemsRange(0, int.MaxValue)] IReadOnlyList<int> ByHourOfDay,
    [property: ItemsRange(0, int.MaxValue)] IReadOnlyDictionary<string, int> BySource,
    [property: ItemsRange(0, int.MaxValue)] IReadOnlyDictionary<string, int> ResolvedByOutcome,
    double? MedianHoursToResolution);

public sealed record IncidentStatisticsComparison(
    IncidentStatistics Year,
    IncidentStatistics ComparedWith,
    [property: Range(-int.MaxValue, int.MaxValue)] int TotalChange,
    double? TotalChangePercent);

/// <summary>The incident list and the yearly statistics, both read from <see cref="IncidentRow"/>s; the statistics are counted by the database.</summary>
public static class IncidentQueries
{
    public const int MaxPageSize = 500;

    public static IEndpointRouteBuilder MapIncidentQueries(this IEndpointRouteBuilder endpoints)
    {
        var incidents = endpoints.MapGroup("/incidents").WithTags("Incidents");
        incidents.MapGet("/", List)
            .WithName("ListIncidents")
            .WithSummary($"Incidents, latest occurred first; filter by status, classification, category, site, source and occurred-at range [from, to). The police get IncidentPoliceView items, a partner IncidentPartnerView items. {WardTime.QueryTimeLimits} {PageRequest.Limits}")
            .Produces<ListPage<IncidentPoliceView>>()
            .Produces<ListPage<IncidentPartnerView>>()
            .ProducesValidationProblem()
            .RequireAuthorization(WardLinkPolicies.PoliceOrPartner);
        incidents.MapGet("/stats", Statistics)
            .WithName("IncidentStatistics")
            .WithSummary($"One year's incident statistics, in local time (UTC+7). {WardTime.YearLimits}")
            .ProducesValidationProblem()
            .RequireAuthorization(WardLinkPolicies.Statistics);
        incidents.MapGet("/stats/compare", Compare)
            .WithName("CompareIncidentStatistics")
            .WithSummary($"Two years' incident statistics side by side (e.g. ?year=2024&compareWith=2022). {WardTime.YearLimits}")
            .ProducesValidationProblem()
            .RequireAuthorization(WardLinkPolicies.Statistics);
        return endpoints;
    }

    private static async Task<IResult> List(
        HttpContext http,
        IQuerySession session,
        [EnumOf(typeof(IncidentStatus))] string? status,
        [EnumOf(typeof(IncidentClassification))] string? classification,
        [EnumOf(typeof(SecurityCategory))] string? category,
        Guid? siteId,
        [EnumOf(typeof(IncidentSource))] string? source,
        DateTimeOffset? from,
        DateTimeOffset? to,
        [Range(1, MaxPageSize)] int? limit,
        [Range(1, PageRequest.MaxPage)] int? page,
        CancellationToken ct)
    {
        var errors = new FieldErrors();
        var paging = PageRequest.Read(limit, page, 50, MaxPageSize, errors);
        var wantedStatus = errors.ParseEnum<IncidentStatus>(status, "status");
        var wantedClassification = errors.ParseEnum<IncidentClassification>(classification, "classification");
        var wantedCategory = errors.ParseEnum<SecurityCategory>(category, "category");
        var wantedSource = errors.ParseEnum<IncidentSource>(source, "source");
        errors.CheckTimeRange(from, to, "to");
        if (errors.Any)
        {
            return TypedResults.ValidationProblem(errors.ToRejection().Errors!);
        }

        var scope = await PartnerScope.ForAsync(http, session, ct);
        var query = session.Query<IncidentRow>().VisibleTo(scope);
        query = query.WhereGiven(wantedStatus, statusFilter => incident => incident.Status == statusFilter);
        query = query.WhereGiven(wantedClassification, classificationFilter => incident => incident.Classification == classificationFilter);
        query = query.WhereGiven(wantedCategory, categoryFilter => incident => incident.Category == categoryFilter);
        query = query.WhereGiven(siteId, wantedSite => incident => incident.SiteId == wantedSite);
        query = query.WhereGiven(wantedSource, sourceFilter => incident => incident.Source == sourceFilter);
        query = query.WhereGiven(from?.ToUniversalTime(), start => incident => incident.OccurredAt >= start);
        query = query.WhereGiven(to?.ToUniversalTime(), end => incident => incident.OccurredAt < end);

        var found = await query.OrderByDescending(incident => incident.OccurredAt).ThenBy(incident => incident.Id).Select(incident => incident.Id)
            .ToRecordPageAsync<IncidentState>(session, incident => incident.Id, paging, ct);
        return scope is null ? TypedResults.Ok(found.Select(IncidentPoliceView.Of)) : TypedResults.Ok(found.Select(IncidentPartnerView.Of));
    }

    private static async Task<Results<Ok<IncidentStatistics>, ValidationProblem>> Statistics(IQuerySession session, [Range(WardTime.FirstYear, WardTime.LastYear)] int? year, CancellationToken ct)
    {
        var errors = new FieldErrors().CheckYear(year, "year");
        return errors.Any
            ? TypedResults.ValidationProblem(errors.ToRejection().Errors!)
            : TypedResults.Ok(await session.StatisticsOfAsync(year!.Value, ct));
    }

    private static async Task<Results<Ok<IncidentStatisticsComparison>, ValidationProblem>> Compare(
        IQuerySession session, [Range(WardTime.FirstYear, WardTime.LastYear)] int? year, [Range(WardTime.FirstYear, WardTime.LastYear)] int? compareWith, CancellationToken ct)
    {
        var errors = new FieldErrors().CheckYear(year, "year").CheckYear(compareWith, "compareWith");
        if (errors.Any)
        {
            return TypedResults.ValidationProblem(errors.ToRejection().Errors!);
        }

        var current = await session.StatisticsOfAsync(year!.Value, ct);
        var baseline = await session.StatisticsOfAsync(compareWith!.Value, ct);
        var change = current.Total - baseline.Total;
        return TypedResults.Ok(new IncidentStatisticsComparison(
            current, baseline, change, baseline.Total == 0 ? null : Math.Round(100.0 * change / baseline.Total, 1)));
    }

    public static async Task<IncidentStatistics> StatisticsOfAsync(this IQuerySession session, int year, CancellationToken ct)
    {
        var (start, end) = WardTime.LocalYearSpan(year);
        var occurred = session.Query<IncidentRow>().Where(incident => incident.OccurredAt >= start && incident.OccurredAt < end);
        var resolved = occurred.Where(incident => incident.Outcome != null && incident.HoursToResolution != null);
        var counted = await occurred.CountEachAsync(
            session,
            [nameof(IncidentRow.Classification), nameof(IncidentRow.Category), nameof(IncidentRow.SiteId), nameof(IncidentRow.LocalHour), nameof(IncidentRow.Source), nameof(IncidentRow.Outcome)],
            ct);
        var (bySite, withoutSite) = counted[nameof(IncidentRow.SiteId)].BySite();
        return new IncidentStatistics(
            year,
            counted[nameof(IncidentRow.Classification)].Total(),
            counted[nameof(IncidentRow.Classification)].EveryName<IncidentClassification>(),
            counted[nameof(IncidentRow.Category)].EveryName<SecurityCategory>(),
            bySite,
            withoutSite,
            counted[nameof(IncidentRow.LocalHour)].ByHourOfDay(),
            counted[nameof(IncidentRow.Source)].EveryName<IncidentSource>(),
            counted[nameof(IncidentRow.Outcome)].EveryName<IncidentOutcome>(),
            await resolved.MedianAsync(incident => incident.HoursToResolution!.Value, ct));
    }
}
