using System.ComponentModel.DataAnnotations;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using WardLink.Contracts.Partners;
using WardLink.Domain;
using WardLink.EventSourcing;
using WardLink.EventSourcing.Wards;
using WardLink.ServiceDefaults;
using WardLink.ServiceDefaults.Security;

namespace WardLink.Partners;

/// <summary>
/// One year of the linkage in the ward's local time (UTC+7). <c>PartnersByKind</c> counts the
/// partners that were in the linkage at some time of the year (joined before it ended, by their
/// agreement's date or else their registration; not gone before it began); everything else counts what is dated in the year: camera steps, signs
/// posted, meetings held, action items closed, outreach sessions and their attendees, ID-card
/// drives and the cards issued. <c>ActionItemsOverdue</c> counts the items due in the year that
/// were not closed by their due date (closed late, or still open past it). Every kind and topic is
/// listed, with 0 where there was none, so two years line up.
/// </summary>
public sealed record PartnerStatistics(
    [property: Range(WardTime.FirstYear, WardTime.LastYear)] int Year,
    [property: ItemsRange(0, int.MaxValue)] IReadOnlyDictionary<string, int> PartnersByKind,
    [property: Range(0, int.MaxValue)] int CamerasSurveyed,
    [property: Range(0, int.MaxValue)] int CamerasInstalled,
    [property: Range(0, int.MaxValue)] int CamerasOperational,
    [property: Range(0, int.MaxValue)] int CamerasDecommissioned,
    [property: Range(0, long.MaxValue)] long WarningSignsPosted,
    [property: Range(0, int.MaxValue)] int MeetingsHeld,
    [property: Range(0, int.MaxValue)] int ActionItemsClosed,
    [property: Range(0, int.MaxValue)] int ActionItemsOverdue,
    [property: Range(0, int.MaxValue)] int OutreachSessions,
    [property: Range(0, long.MaxValue)] long OutreachAttendees,
    [property: ItemsRange(0, int.MaxValue)] IReadOnlyDictionary<string, int> OutreachSessionsByTopic,
    [property: Range(0, int.MaxValue)] int IdCardDrives,
    [property: Range(0, long.MaxValue)] long IdCardsIssued);

/// <summary>The partner list and the yearly statistics, read from <see cref="PartnerRow"/>s, <see cref="LinkageStep"/>s and <see cref="ActionItemRow"/>s; the statistics are counted by the database.</summary>
public static class PartnerQueries
{
    public const int MaxPageSize = 500;

    public static IEndpointRouteBuilder MapPartnerQueries(this IEndpointRouteBuilder endpoints)
    {
        var partners = endpoints.MapGroup("/partners").WithTags("Partners");
        partners.MapGet("/", List)
            .WithName("ListPartners")
            .WithSummary($"The partners of the linkage by name, each naming its ward; filter by kind and status. Without ward=, every ward the caller sees. {PageRequest.Limits}")
            .ProducesValidationProblem();
        partners.MapGet("/stats", Statistics)
            .WithName("PartnerStatistics")
            .WithSummary($"One year of the linkage, in local time (UTC+7). Without ward=, every ward the caller sees. {WardTime.YearLimits}")
            .ProducesValidationProblem()
            .RequireAuthorization(WardLinkPolicies.Statistics);
        return endpoints;
    }

    private static async Task<Results<Ok<ListPage<PartnerPoliceView>>, ValidationProblem>> List(
        HttpContext http,
        IQuerySession session,
        WardTenants tenants,
        [EnumOf(typeof(PartnerKind))] string? kind,
        [EnumOf(typeof(PartnerStatus))] string? status,
        [Range(1, MaxPageSize)] int? limit,
        [Range(1, PageRequest.MaxPage)] int? page,
        CancellationToken ct)
    {
        var errors = new FieldErrors();
        var paging = PageRequest.Read(limit, page, 100, MaxPageSize, errors);
        var wantedKind = errors.ParseEnum<PartnerKind>(kind, "kind");
        var wantedStatus = errors.ParseEnum<PartnerStatus>(status, "status");
        if (errors.Any)
        {
            return TypedResults.ValidationProblem(errors.ToRejection().Errors!);
        }

        var query = session.Query<PartnerRow>().InWards(http.Ward().Spans, tenants);
        query = query.WhereGiven(wantedKind, kindFilter => partner => partner.Kind == kindFilter);
        query = query.WhereGiven(wantedStatus, statusFilter => partner => partner.Status == statusFilter);

        var partners = await query.OrderBy(partner => partner.Name).ThenBy(partner => partner.Id)
            .ToRecordPageAsync<PartnerRow, PartnerState>(session, tenants, partner => partner.Id, paging, ct);
        return TypedResults.Ok(partners.Select(partner => PartnerPoliceView.Of(partner.Record, partner.Ward)));
    }

    private static async Task<Results<Ok<PartnerStatistics>, ValidationProblem>> Statistics(
        HttpContext http, IQuerySession session, WardTenants tenants, TimeProvider clock, [Range(WardTime.FirstYear, WardTime.LastYear)] int? year, CancellationToken ct)
    {
        var errors = new FieldErrors().CheckYear(year, "year");
        if (errors.Any)
        {
            return TypedResults.ValidationProblem(errors.ToRejection().Errors!);
        }

        return TypedResults.Ok(await session.StatisticsOfAsync(http.Ward().Spans, tenants, year!.Value, clock.GetUtcNow(), ct));
    }

    /// <summary>
    /// The statistics of local year <paramref name="year"/> in <paramref name="wards"/> (their records added
    /// up), counted by the database; an open item counts as overdue once its due date is before <paramref name="now"/>.
    /// </summary>
    public static async Task<PartnerStatistics> StatisticsOfAsync(
        this IQuerySession session, IReadOnlyCollection<string> wards, WardTenants tenants, int year, DateTimeOffset now, CancellationToken ct)
    {
        var (start, end) = WardTime.LocalYearSpan(year);
        var members = session.Query<PartnerRow>().InWards(wards, tenants).Where(partner => partner.JoinedAt < end && (partner.LeftAt == null || partner.LeftAt >= start));
        var steps = session.Query<LinkageStep>().InWards(wards, tenants).Where(step => step.At >= start && step.At < end);
        var stepTallies = (await steps.CountEachAsync(session, [nameof(LinkageStep.Kind)], ct, sumOf: nameof(LinkageStep.Amount)))[nameof(LinkageStep.Kind)].ToList();
        Tally? Of(LinkageStepKind kind) => stepTallies.SingleOrDefault(tally => EnumNames.TryParse<LinkageStepKind>(tally.Value, out var counted) && counted == kind);
        int Counted(LinkageStepKind kind) => Of(kind)?.Count ?? 0;
        long Amount(LinkageStepKind kind) => Of(kind)?.Sum ?? 0;
        var outreach = steps.Where(step => step.Kind == LinkageStepKind.OutreachSession);
        var byTopic = new List<Tally>();
        foreach (var topic in Enum.GetValues<OutreachTopic>())
        {
            byTopic.Add(new Tally(EnumNames.NameOf(topic), await outreach.CountAsync(step => step.Topics.Contains(topic), ct)));
        }

        var items = session.Query<ActionItemRow>().InWards(wards, tenants);
        return new PartnerStatistics(
            year,
            (await members.CountEachAsync(session, [nameof(PartnerRow.Kind)], ct))[nameof(PartnerRow.Kind)].EveryName<PartnerKind>(),
            Counted(LinkageStepKind.CameraSurveyed),
            Counted(LinkageStepKind.CameraInstalled),
            Counted(LinkageStepKind.CameraOperational),
            Counted(LinkageStepKind.CameraDecommissioned),
            Amount(LinkageStepKind.WarningSignsPosted),
            Counted(LinkageStepKind.MeetingHeld),
            await items.CountAsync(item => item.CompletedAt >= start && item.CompletedAt < end, ct),
            await items.CountAsync(item => item.DueAt >= start && item.DueAt < end && (item.ClosedLate || (item.CompletedAt == null && item.DueAt < now.ToUniversalTime())), ct),
            Counted(LinkageStepKind.OutreachSession),
            Amount(LinkageStepKind.OutreachSession),
            byTopic.EveryName<OutreachTopic>(),
            Counted(LinkageStepKind.IdCardDrive),
            Amount(LinkageStepKind.IdCardDrive));
    }
}
