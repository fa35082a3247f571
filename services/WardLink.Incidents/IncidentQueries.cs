using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using WardLink.Contracts.Incidents;
using WardLink.Contracts.Tips;
using WardLink.Domain;
using WardLink.EventSourcing;
using WardLink.EventSourcing.Sites;
using WardLink.EventSourcing.Wards;
using WardLink.ServiceDefaults;
using WardLink.ServiceDefaults.Security;

namespace WardLink.Incidents;


/// <summary>
/// One year's incidents in the ward's local time (UTC+7), counted by when they occurred, in the wards
/// it names (<see cref="WardFigures"/>). Every classification, category, source and outcome is listed,
/// with 0 where there was none, so two years line up. Time to resolution runs from when the incident
/// occurred to its resolution.
/// </summary>
public sealed record IncidentStatistics(
    [property: Range(WardTime.FirstYear, WardTime.LastYear), Description("The local year (UTC+7) the incidents occurred in.")] int Year,
    [property: Range(0, int.MaxValue), Description("Incidents that occurred in the year.")] int Total,
    [property: ItemsRange(0, int.MaxValue), KeysOf(typeof(IncidentClassification)), Description("Incidents by their current classification: every classification, 0 where none.")] IReadOnlyDictionary<string, int> ByClassification,
    [property: ItemsRange(0, int.MaxValue), KeysOf(typeof(SecurityCategory)), Description("Incidents by category: every category, 0 where none.")] IReadOnlyDictionary<string, int> ByCategory,
    [property: ItemsRange(0, int.MaxValue), KeysOf(typeof(Guid)), Description("Incidents at a partner site, by the site's id.")] IReadOnlyDictionary<string, int> BySite,
    [property: Range(0, int.MaxValue), Description("Incidents at no partner site.")] int WithoutSite,
    [property: MinLength(WardTime.HoursInDay), MaxLength(WardTime.HoursInDay), ItemsRange(0, int.MaxValue), Description("Incidents by the local hour of day they occurred in: 24 counts, from 00:00 to 23:00.")] IReadOnlyList<int> ByHourOfDay,
    [property: ItemsRange(0, int.MaxValue), KeysOf(typeof(IncidentSource)), Description("Incidents by who reported them: every source, 0 where none.")] IReadOnlyDictionary<string, int> BySource,
    [property: ItemsRange(0, int.MaxValue), KeysOf(typeof(IncidentOutcome)), Description("Incidents of the year resolved now, by outcome: every outcome, 0 where none (a reopened incident counts once it is resolved again).")] IReadOnlyDictionary<string, int> ResolvedByOutcome,
    [property: AtLeast(0), Description("The median time from occurrence to resolution of the incidents resolved, in hours, rounded to 2 decimals, a half away from zero (1.125 is 1.13); null when none is resolved.")] double? MedianHoursToResolution) : WardFigures;

public sealed record IncidentStatisticsComparison(
    [property: Description("The statistics of the year asked for (year).")] IncidentStatistics Year,
    [property: Description("The statistics of the year compared with (compareWith).")] IncidentStatistics ComparedWith,
    [property: Range(-int.MaxValue, int.MaxValue), Description("Incidents of the year less those of the year compared with.")] int TotalChange,
    [property: AtLeast(-100), Description("totalChange as a percentage of the year compared with, to 1 decimal, a half away from zero; null when that year has no incident.")] double? TotalChangePercent);

/// <summary>The incident list and the yearly statistics, both read from <see cref="IncidentRow"/>s; the statistics are counted by the database.</summary>
public static class IncidentQueries
{
    public const int MaxPageSize = 500;

    /// <summary>A page's size when a request names none, as the document states it (<c>default</c>).</summary>
    public const int DefaultPageSize = 50;

    public static IEndpointRouteBuilder MapIncidentQueries(this IEndpointRouteBuilder endpoints)
    {
        var incidents = endpoints.MapGroup("/incidents").WithTags("Incidents");
        incidents.MapGet("/", List)
            .WithName("ListIncidents")
            .WithSummary($"Incidents, latest occurred first, each naming its ward; filter by ward, status, classification, category, site, source and occurred-at range [from, to). The police get IncidentPoliceView items, a partner IncidentPartnerView items. {WardTime.QueryTimeLimits} {PageRequest.Limits}")
            .WithWardParameter(WardParameters.Listed)
            .Produces<ListPage<IncidentPoliceView>>()
            .Produces<ListPage<IncidentPartnerView>>()
            .ProducesValidationProblem()
            .RequireAuthorization(WardLinkPolicies.PoliceOrPartner);
        incidents.MapGet("/stats", Statistics)
            .WithName("IncidentStatistics")
            .WithSummary(
                $"One year's incident statistics, in local time (UTC+7); of one ward or of every ward the caller sees, as recorded or within current boundaries " +
                $"(with the wards merged into it, each up to its merger). {WardTime.YearLimits}")
            .WithWardParameter(WardParameters.Counted)
            .ProducesValidationProblem()
            .RequireAuthorization(WardLinkPolicies.Statistics);
        incidents.MapGet("/stats/compare", Compare)
            .WithName("CompareIncidentStatistics")
            .WithSummary(
                $"Two years' incident statistics side by side (e.g. ?year=2024&compareWith=2022&ward=dong-quang&boundaries=current: the merged wards' past counts in both). {WardTime.YearLimits}")
            .WithWardParameter(WardParameters.Counted)
            .ProducesValidationProblem()
            .RequireAuthorization(WardLinkPolicies.Statistics);
        return endpoints;
    }

    private static async Task<IResult> List(
        HttpContext http,
        IQuerySession session,
        WardDatabases databases,
        [EnumOf(typeof(IncidentStatus))] string? status,
        [EnumOf(typeof(IncidentClassification))] string? classification,
        [EnumOf(typeof(SecurityCategory))] string? category,
        Guid? siteId,
        [EnumOf(typeof(IncidentSource))] string? source,
        DateTimeOffset? from,
        DateTimeOffset? to,
        [Range(1, MaxPageSize), DefaultValue(DefaultPageSize)] int? limit,
        [Range(1, PageRequest.MaxPage), DefaultValue(PageRequest.FirstPage)] int? page,
        CancellationToken ct)
    {
        var errors = new FieldErrors();
        var paging = PageRequest.Read(limit, page, DefaultPageSize, MaxPageSize, errors);
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
        IQueryable<IncidentRow> Filtered(IQueryable<IncidentRow> query)
        {
            query = query.VisibleTo(scope);
            query = query.WhereGiven(wantedStatus, statusFilter => incident => incident.Status == statusFilter);
            query = query.WhereGiven(wantedClassification, classificationFilter => incident => incident.Classification == classificationFilter);
            query = query.WhereGiven(wantedCategory, categoryFilter => incident => incident.Category == categoryFilter);
            query = query.WhereGiven(siteId, wantedSite => incident => incident.SiteId == wantedSite);
            query = query.WhereGiven(wantedSource, sourceFilter => incident => incident.Source == sourceFilter);
            query = query.WhereGiven(from?.ToUniversalTime(), start => incident => incident.OccurredAt >= start);
            return query.WhereGiven(to?.ToUniversalTime(), end => incident => incident.OccurredAt < end);
        }

        var found = await databases.PageAsync<IncidentRow, IncidentState>(
            http.Ward().Spans, Filtered, rows => rows.OrderByDescending(incident => incident.OccurredAt).ThenBy(incident => incident.Id), incident => incident.Id, paging, ct);
        return scope is null
            ? TypedResults.Ok(found.Select(incident => IncidentPoliceView.Of(incident.Record, incident.Ward)))
            : TypedResults.Ok(found.Select(incident => IncidentPartnerView.Of(incident.Record, incident.Ward)));
    }

    private static async Task<Results<Ok<IncidentStatistics>, ValidationProblem>> Statistics(
        HttpContext http,
        IQuerySession session,
        WardDatabases databases,
        [Required, Range(WardTime.FirstYear, WardTime.LastYear)] int? year,
        [EnumOf(typeof(Boundaries))] string? boundaries,
        CancellationToken ct)
    {
        var (counted, errors) = await StatisticWards.ReadAsync(http, session, year, boundaries, ct);
        return counted is null
            ? TypedResults.ValidationProblem(errors.ToRejection().Errors!)
            : TypedResults.Ok(await databases.AtOneMomentAsync(moment => moment.StatisticsOfAsync(counted, year!.Value, ct)));
    }

    private static async Task<Results<Ok<IncidentStatisticsComparison>, ValidationProblem>> Compare(
        HttpContext http,
        IQuerySession session,
        WardDatabases databases,
        [Required, Range(WardTime.FirstYear, WardTime.LastYear)] int? year,
        [Required, Range(WardTime.FirstYear, WardTime.LastYear)] int? compareWith,
        [EnumOf(typeof(Boundaries))] string? boundaries,
        CancellationToken ct)
    {
        var errors = new FieldErrors().CheckYear(year, "year").CheckYear(compareWith, "compareWith");
        var within = errors.ParseEnum<Boundaries>(boundaries, "boundaries") ?? Boundaries.AsRecorded;
        if (errors.Any)
        {
            return TypedResults.ValidationProblem(errors.ToRejection().Errors!);
        }

        var (currentWards, baselineWards) = (await StatisticWards.OfAsync(session, http.Ward(), within, year!.Value, ct), await StatisticWards.OfAsync(session, http.Ward(), within, compareWith!.Value, ct));
        var (current, baseline) = await databases.AtOneMomentAsync(async moment =>
            (await moment.StatisticsOfAsync(currentWards, year.Value, ct), await moment.StatisticsOfAsync(baselineWards, compareWith.Value, ct)));
        var change = current.Total - baseline.Total;
        return TypedResults.Ok(new IncidentStatisticsComparison(
            current, baseline, change, baseline.Total == 0 ? null : Figures.Rounded(100.0 * change / baseline.Total, 1)));
    }

    /// <summary>The statistics of local year <paramref name="year"/> in <paramref name="wards"/>, counted by the databases from the <see cref="IncidentRow"/>s.</summary>
    public static async Task<IncidentStatistics> StatisticsOfAsync(this WardDatabases databases, StatisticWards wards, int year, CancellationToken ct)
    {
        var occurred = databases.Counting<IncidentRow>(wards, incident => incident.OccurredAt, year);
        var resolved = occurred.Where(incident => incident.Outcome != null && incident.HoursToResolution != null);
        var counted = await occurred.CountEachAsync(
            [nameof(IncidentRow.Classification), nameof(IncidentRow.Category), nameof(IncidentRow.SiteId), nameof(IncidentRow.LocalHour), nameof(IncidentRow.Source), nameof(IncidentRow.Outcome)],
            ct);
        var (bySite, withoutSite) = counted[nameof(IncidentRow.SiteId)].BySite();
        return wards.Describe(new IncidentStatistics(
            year,
            counted[nameof(IncidentRow.Classification)].Total(),
            counted[nameof(IncidentRow.Classification)].EveryName<IncidentClassification>(),
            counted[nameof(IncidentRow.Category)].EveryName<SecurityCategory>(),
            bySite,
            withoutSite,
            counted[nameof(IncidentRow.LocalHour)].ByHourOfDay(),
            counted[nameof(IncidentRow.Source)].EveryName<IncidentSource>(),
            counted[nameof(IncidentRow.Outcome)].EveryName<IncidentOutcome>(),
            await resolved.MedianAsync(incident => incident.HoursToResolution!.Value, ct)));
    }
}
