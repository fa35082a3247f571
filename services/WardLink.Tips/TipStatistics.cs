using System.ComponentModel.DataAnnotations;
using Marten;
using WardLink.Contracts.Incidents;
using WardLink.Contracts.Tips;
using WardLink.Domain;
using WardLink.ServiceDefaults;
using WardLink.ServiceDefaults.Security;

namespace WardLink.Tips;

/// <summary>
/// A year of tips, by the local year (UTC+7) they were received in: how they came in, how they
/// were judged, and how many distinct criminal cases and administrative violations the valuable
/// ones helped to solve.
/// </summary>
public sealed record TipStatistics(
    [property: Range(WardTime.FirstYear, WardTime.LastYear)] int Year,
    [property: Range(0, int.MaxValue)] int Received,
    [property: ItemsRange(0, int.MaxValue)] IReadOnlyDictionary<TipChannel, int> ReceivedByChannel,
    [property: ItemsRange(0, int.MaxValue)] IReadOnlyDictionary<SecurityCategory, int> ReceivedByCategory,
    [property: ItemsRange(0, int.MaxValue)] IReadOnlyDictionary<TipVerdict, int> AssessedByVerdict,
    [property: Range(0, int.MaxValue)] int Pending,
    [property: Range(0, int.MaxValue)] int Referred,
    [property: Range(0, int.MaxValue)] int CriminalCasesContributed,
    [property: Range(0, int.MaxValue)] int AdministrativeViolationsContributed)
{
    public static TipStatistics Of(int year, IReadOnlyCollection<TipState> tips)
    {
        int ContributedTo(IncidentOutcome outcome) => tips
            .Where(tip => tip.Verdict == TipVerdict.Valuable)
            .SelectMany(tip => tip.Outcomes)
            .Where(recorded => recorded.Outcome == outcome)
            .Select(recorded => recorded.IncidentId)
            .Distinct()
            .Count();

        return new TipStatistics(
            year,
            tips.Count,
            CountNamed(tips.Select(tip => tip.Channel)),
            CountNamed(tips.Select(tip => tip.Category)),
            CountNamed(tips.Where(tip => tip.Verdict is not null).Select(tip => tip.Verdict!.Value)),
            tips.Count(tip => tip.Verdict is null),
            tips.Count(tip => tip.IncidentId is not null),
            ContributedTo(IncidentOutcome.CriminalCaseSolved),
            ContributedTo(IncidentOutcome.AdministrativeViolationHandled));
    }

    /// <summary>How many of each named value; a value stored before enums were read strictly (e.g. a number) names nothing and is not counted.</summary>
    private static Dictionary<T, int> CountNamed<T>(IEnumerable<T> values)
        where T : struct, Enum => values.Where(Enum.IsDefined).CountBy(value => value).ToDictionary();
}

public static class TipStatisticsEndpoints
{
    public static IEndpointRouteBuilder MapTipStatistics(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/tips/stats", Get)
            .WithTags("Tips")
            .WithName("GetTipStatistics")
            .WithSummary($"Tips of a year (local time, UTC+7): received, assessed, referred, cases they contributed to. {WardTime.YearLimits}")
            .Produces<TipStatistics>()
            .ProducesValidationProblem()
            .RequireAuthorization(WardLinkPolicies.Statistics);
        return endpoints;
    }

    private static async Task<IResult> Get([Range(WardTime.FirstYear, WardTime.LastYear)] int? year, IQuerySession session, CancellationToken ct)
    {
        if (new FieldErrors().CheckYear(year, "year") is { Any: true } errors)
        {
            return errors.ToRejection().ToProblem();
        }

        var (start, end) = WardTime.LocalYearSpan(year!.Value);
        var tips = await session.Query<TipState>().Where(tip => tip.ReceivedAt >= start && tip.ReceivedAt < end).ToListAsync(ct);
        return Results.Ok(TipStatistics.Of(year.Value, tips));
    }
}
