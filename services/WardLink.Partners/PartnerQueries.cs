using System.Text.Json;
using JasperFx.Events.Projections;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using WardLink.Contracts.Partners;
using WardLink.ServiceDefaults;

namespace WardLink.Partners;

/// <summary>
/// One year of the linkage in the ward's local time (UTC+7). <c>PartnersByKind</c> counts the
/// partners that were in the linkage at some time of the year (registered before it ended, not
/// gone before it began); camera figures count the steps dated in the year. Every kind is listed,
/// with 0 where there was none, so two years line up.
/// </summary>
public sealed record PartnerStatistics(
    int Year,
    IReadOnlyDictionary<string, int> PartnersByKind,
    int CamerasSurveyed,
    int CamerasInstalled,
    int CamerasOperational,
    int CamerasDecommissioned);

/// <summary>The partner list and the yearly statistics, read from the inline snapshots of partners and cameras.</summary>
public static class PartnerQueries
{
    public const int MaxPageSize = 500;

    public static void AddPartnerReadModels(StoreOptions store)
    {
        store.Projections.Snapshot<PartnerState>(SnapshotLifecycle.Inline);
        store.Projections.Snapshot<CameraState>(SnapshotLifecycle.Inline);
        store.Schema.For<PartnerState>().Index(partner => partner.Name);
        store.Schema.For<CameraState>().Index(camera => camera.SiteId);
    }

    public static IEndpointRouteBuilder MapPartnerQueries(this IEndpointRouteBuilder endpoints)
    {
        var partners = endpoints.MapGroup("/partners").WithTags("Partners");
        partners.MapGet("/", List)
            .WithName("ListPartners")
            .WithSummary("The partners of the linkage by name; filter by kind and status.")
            .ProducesValidationProblem();
        partners.MapGet("/stats", Statistics)
            .WithName("PartnerStatistics")
            .WithSummary("One year of the linkage, in local time (UTC+7).")
            .ProducesValidationProblem();
        return endpoints;
    }

    private static async Task<Results<Ok<ListPage<PartnerState>>, ValidationProblem>> List(
        IQuerySession session, string? kind, string? status, int? limit, int? page, CancellationToken ct)
    {
        var errors = new FieldErrors();
        var paging = PageRequest.Read(limit, page, 100, MaxPageSize, errors);
        var wantedKind = errors.ParseEnum<PartnerKind>(kind, "kind");
        var wantedStatus = errors.ParseEnum<PartnerStatus>(status, "status");
        if (errors.Any)
        {
            return TypedResults.ValidationProblem(errors.ToRejection().Errors!);
        }

        var query = session.Query<PartnerState>().AsQueryable();
        if (wantedKind is { } kindFilter)
        {
            query = query.Where(partner => partner.Kind == kindFilter);
        }

        if (wantedStatus is { } statusFilter)
        {
            query = query.Where(partner => partner.Status == statusFilter);
        }

        return TypedResults.Ok(await query.OrderBy(partner => partner.Name).ThenBy(partner => partner.Id).ToListPageAsync(paging, ct));
    }

    private static async Task<Results<Ok<PartnerStatistics>, ValidationProblem>> Statistics(IQuerySession session, int? year, CancellationToken ct)
    {
        var errors = new FieldErrors().Check(year is >= 2000 and <= 9998, "year", "Give a year (2000 to 9998).");
        if (errors.Any)
        {
            return TypedResults.ValidationProblem(errors.ToRejection().Errors!);
        }

        var start = new DateTimeOffset(year!.Value, 1, 1, 0, 0, 0, YearlyNumbers.WardOffset);
        var end = start.AddYears(1);
        var partners = await session.Query<PartnerState>()
            .Where(partner => partner.RegisteredAt < end && (partner.LeftAt == null || partner.LeftAt >= start))
            .ToListAsync(ct);
        var cameras = await session.Query<CameraState>().Where(camera => camera.SurveyedAt < end).ToListAsync(ct);
        return TypedResults.Ok(Compute(year.Value, partners, cameras));
    }

    /// <summary>The statistics of local year <paramref name="year"/> from partners and cameras as they stand.</summary>
    public static PartnerStatistics Compute(int year, IReadOnlyList<PartnerState> partners, IReadOnlyList<CameraState> cameras)
    {
        bool InYear(DateTimeOffset? at) => at is { } when && YearlyNumbers.LocalYear(when) == year;

        var byKind = Enum.GetValues<PartnerKind>().ToDictionary(kind => JsonNamingPolicy.CamelCase.ConvertName(kind.ToString()), _ => 0, StringComparer.Ordinal);
        foreach (var partner in partners)
        {
            byKind[JsonNamingPolicy.CamelCase.ConvertName(partner.Kind.ToString())]++;
        }

        return new PartnerStatistics(
            year,
            byKind,
            cameras.Count(camera => InYear(camera.SurveyedAt)),
            cameras.Count(camera => InYear(camera.InstalledAt)),
            cameras.Count(camera => InYear(camera.OperationalAt)),
            cameras.Count(camera => InYear(camera.DecommissionedAt)));
    }
}
