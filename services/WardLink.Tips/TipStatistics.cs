using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Marten;
using WardLink.Contracts.Incidents;
using WardLink.Contracts.Tips;
using WardLink.Domain;
using WardLink.EventSourcing;
using WardLink.EventSourcing.Wards;
using WardLink.ServiceDefaults;
using WardLink.ServiceDefaults.Security;

namespace WardLink.Tips;

/// <summary>
/// A year of tips, by the local year (UTC+7) they were received in: how they came in, how they
/// were judged, and how many distinct criminal cases and administrative violations the valuable
/// ones helped to solve; in the wards it names (<see cref="WardFigures"/>).
/// </summary>
public sealed record TipStatistics(
    [property: Range(WardTime.FirstYear, WardTime.LastYear), Description("The local year (UTC+7) the tips were received in.")] int Year,
    [property: Range(0, int.MaxValue), Description("Tips received in the year.")] int Received,
    [property: ItemsRange(0, int.MaxValue), Description("Tips received, by the channel they came in by: every channel, 0 where none.")] IReadOnlyDictionary<TipChannel, int> ReceivedByChannel,
    [property: ItemsRange(0, int.MaxValue), Description("Tips received, by category: every category, 0 where none.")] IReadOnlyDictionary<SecurityCategory, int> ReceivedByCategory,
    [property: ItemsRange(0, int.MaxValue), Description("Tips received in the year by their current verdict: every verdict, 0 where none.")] IReadOnlyDictionary<TipVerdict, int> AssessedByVerdict,
    [property: Range(0, int.MaxValue), Description("Tips received in the year with no verdict yet, whatever became of them otherwise.")] int Pending,
    [property: Range(0, int.MaxValue), Description("Tips received in the year that were referred to an incident, whenever they were referred.")] int Referred,
    [property: Range(0, int.MaxValue), Description("Distinct incidents resolved as a criminal case solved that valuable tips received in the year were linked to (incidents, not tips).")] int CriminalCasesContributed,
    [property: Range(0, int.MaxValue), Description("Distinct incidents resolved as an administrative violation handled that valuable tips received in the year were linked to (incidents, not tips).")] int AdministrativeViolationsContributed) : WardFigures;

public static class TipStatisticsEndpoints
{
    public static IEndpointRouteBuilder MapTipStatistics(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/tips/stats", Get)
            .WithTags("Tips")
            .WithName("GetTipStatistics")
            .WithSummary(
                $"Tips of a year (local time, UTC+7): received, assessed, referred, cases they contributed to; of one ward or of every ward the caller sees, " +
                $"as recorded or within current boundaries (with the wards merged into it, each up to its merger). {WardTime.YearLimits}")
            .WithWardParameter(WardParameters.Counted)
            .Produces<TipStatistics>()
            .ProducesValidationProblem()
            .RequireAuthorization(WardLinkPolicies.Statistics);
        return endpoints;
    }

    private static async Task<IResult> Get(
        [Required, Range(WardTime.FirstYear, WardTime.LastYear)] int? year,
        [EnumOf(typeof(Boundaries))] string? boundaries,
        HttpContext http,
        IQuerySession session,
        WardDatabases databases,
        CancellationToken ct)
    {
        var (wards, errors) = await StatisticWards.ReadAsync(http, session, year, boundaries, ct);
        return wards is null ? errors.ToRejection().ToProblem() : Results.Ok(await databases.AtOneMomentAsync(moment => moment.StatisticsOfAsync(wards, year!.Value, ct)));
    }

    /// <summary>The statistics of local year <paramref name="year"/> in <paramref name="wards"/>, counted by the databases from the <see cref="TipRow"/>s.</summary>
    public static async Task<TipStatistics> StatisticsOfAsync(this WardDatabases databases, StatisticWards wards, int year, CancellationToken ct)
    {
        var received = databases.Counting<TipRow>(wards, tip => tip.ReceivedAt, year);
        var counted = await received.CountEachAsync([nameof(TipRow.Channel), nameof(TipRow.Category), nameof(TipRow.Verdict), nameof(TipRow.Referred)], ct);
        // Every outcome a valuable tip stands at, read at once: a case resolved again between two reads would count under both outcomes.
        var standing = await received.Where(tip => tip.Verdict == TipVerdict.Valuable).DistinctAsync(rows => rows.SelectMany(tip => tip.Outcomes), ct);
        int ContributedTo(IncidentOutcome outcome) => standing.Where(stands => stands.Outcome == outcome).Select(stands => stands.IncidentId).Distinct().Count();

        return wards.Describe(new TipStatistics(
            year,
            counted[nameof(TipRow.Channel)].Total(),
            counted[nameof(TipRow.Channel)].Every<TipChannel>(),
            counted[nameof(TipRow.Category)].Every<SecurityCategory>(),
            counted[nameof(TipRow.Verdict)].Every<TipVerdict>(),
            counted[nameof(TipRow.Verdict)].CountOf(null),
            counted[nameof(TipRow.Referred)].CountOf("true"),
            ContributedTo(IncidentOutcome.CriminalCaseSolved),
            ContributedTo(IncidentOutcome.AdministrativeViolationHandled)));
    }
}
