using System.ComponentModel;
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
/// listed, with 0 where there was none, so two years line up. The wards counted, each up to the end
/// of its share, are named as every statistic names them (<see cref="WardFigures"/>).
/// </summary>
public sealed record PartnerStatistics(
    [property: Range(WardTime.FirstYear, WardTime.LastYear), Description("The local year (UTC+7) counted.")] int Year,
    [property: ItemsRange(0, int.MaxValue), KeysOf(typeof(PartnerKind)), Description("Partners in the linkage at some time of the year (joined before it ended, by their agreement's date or else their registration; not gone before it began), by kind: every kind, 0 where none.")] IReadOnlyDictionary<string, int> PartnersByKind,
    [property: Range(0, int.MaxValue), Description("Camera surveys dated in the year.")] int CamerasSurveyed,
    [property: Range(0, int.MaxValue), Description("Cameras installed in the year.")] int CamerasInstalled,
    [property: Range(0, int.MaxValue), Description("Cameras put into operation in the year.")] int CamerasOperational,
    [property: Range(0, int.MaxValue), Description("Cameras decommissioned in the year.")] int CamerasDecommissioned,
    [property: Range(0, long.MaxValue), Description("Warning signs posted in the year.")] long WarningSignsPosted,
    [property: Range(0, int.MaxValue), Description("Meetings held in the year.")] int MeetingsHeld,
    [property: Range(0, int.MaxValue), Description("Action items completed in the year.")] int ActionItemsClosed,
    [property: Range(0, int.MaxValue), Description("Action items due in the year not completed by their due date (completed late, or still open past it).")] int ActionItemsOverdue,
    [property: Range(0, int.MaxValue), Description("Outreach sessions held in the year.")] int OutreachSessions,
    [property: Range(0, long.MaxValue), Description("People who attended those sessions, added up.")] long OutreachAttendees,
    [property: ItemsRange(0, int.MaxValue), KeysOf(typeof(OutreachTopic)), Description("Those sessions by topic: every topic, 0 where none.")] IReadOnlyDictionary<string, int> OutreachSessionsByTopic,
    [property: Range(0, int.MaxValue), Description("ID-card drives held in the year.")] int IdCardDrives,
    [property: Range(0, long.MaxValue), Description("ID cards issued at those drives, added up.")] long IdCardsIssued) : WardFigures;

/// <summary>The partner list and the yearly statistics, read from <see cref="PartnerRow"/>s, <see cref="LinkageStep"/>s and <see cref="ActionItemRow"/>s; the statistics are counted by the database.</summary>
public static class PartnerQueries
{
    public const int MaxPageSize = 500;

    /// <summary>A page's size when a request names none, as the document states it (<c>default</c>).</summary>
    public const int DefaultPageSize = 100;

    public static IEndpointRouteBuilder MapPartnerQueries(this IEndpointRouteBuilder endpoints)
    {
        var partners = endpoints.MapGroup("/partners").WithTags("Partners");
        partners.MapGet("/", List)
            .WithName("ListPartners")
            .WithWardParameter(WardParameters.Listed)
            .WithSummary($"The partners of the linkage by name, each naming its ward; filter by kind and status. {PageRequest.Limits}")
            .ProducesValidationProblem();
        partners.MapGet("/stats", Statistics)
            .WithName("PartnerStatistics")
            .WithSummary(
                $"One year of the linkage, in local time (UTC+7); of one ward or of every ward the caller sees, as recorded or within current " +
                $"boundaries (with the wards merged into it, each up to its merger). {WardTime.YearLimits}")
            .WithWardParameter(WardParameters.Counted)
            .ProducesValidationProblem()
            .RequireAuthorization(WardLinkPolicies.Statistics);
        return endpoints;
    }

    private static async Task<Results<Ok<ListPage<PartnerPoliceView>>, ValidationProblem>> List(
        HttpContext http,
        WardDatabases databases,
        [EnumOf(typeof(PartnerKind))] string? kind,
        [EnumOf(typeof(PartnerStatus))] string? status,
        [Range(1, MaxPageSize), DefaultValue(DefaultPageSize)] int? limit,
        [Range(1, PageRequest.MaxPage), DefaultValue(PageRequest.FirstPage)] int? page,
        CancellationToken ct)
    {
        var errors = new FieldErrors();
        var paging = PageRequest.Read(limit, page, DefaultPageSize, MaxPageSize, errors);
        var wantedKind = errors.ParseEnum<PartnerKind>(kind, "kind");
        var wantedStatus = errors.ParseEnum<PartnerStatus>(status, "status");
        if (errors.Any)
        {
            return TypedResults.ValidationProblem(errors.ToRejection().Errors!);
        }

        IQueryable<PartnerRow> Filtered(IQueryable<PartnerRow> query) => query
            .WhereGiven(wantedKind, kindFilter => partner => partner.Kind == kindFilter)
            .WhereGiven(wantedStatus, statusFilter => partner => partner.Status == statusFilter);

        var partners = await databases.PageAsync<PartnerRow, PartnerState>(
            http.Ward().Spans, Filtered, rows => rows.OrderBy(partner => partner.Name).ThenBy(partner => partner.Id), partner => partner.Id, paging, ct);
        return TypedResults.Ok(partners.Select(partner => PartnerPoliceView.Of(partner.Record, partner.Ward)));
    }

    private static async Task<Results<Ok<PartnerStatistics>, ValidationProblem>> Statistics(
        HttpContext http,
        IQuerySession session,
        WardDatabases databases,
        TimeProvider clock,
        [Required, Range(WardTime.FirstYear, WardTime.LastYear)] int? year,
        [EnumOf(typeof(Boundaries))] string? boundaries,
        CancellationToken ct)
    {
        var (counted, errors) = await StatisticWards.ReadAsync(http, session, year, boundaries, ct);
        return counted is null
            ? TypedResults.ValidationProblem(errors.ToRejection().Errors!)
            : TypedResults.Ok(await databases.AtOneMomentAsync(moment => moment.StatisticsOfAsync(counted, year!.Value, clock.GetUtcNow(), ct)));
    }

    /// <summary>
    /// The statistics of local year <paramref name="year"/> in the wards <paramref name="counted"/> (each up to the end of its
    /// share), counted by the database; an open item counts as overdue once its due date is before <paramref name="now"/>.
    /// </summary>
    public static async Task<PartnerStatistics> StatisticsOfAsync(
        this WardDatabases databases, StatisticWards counted, int year, DateTimeOffset now, CancellationToken ct)
    {
        var steps = databases.Counting<LinkageStep>(counted, step => step.At, year);
        var stepTallies = (await steps.CountEachAsync([nameof(LinkageStep.Kind)], ct, sumOf: nameof(LinkageStep.Amount)))[nameof(LinkageStep.Kind)].ToList();
        Tally? Of(LinkageStepKind kind) => stepTallies.SingleOrDefault(tally => EnumNames.TryParse<LinkageStepKind>(tally.Value, out var counted) && counted == kind);
        int Counted(LinkageStepKind kind) => Of(kind)?.Count ?? 0;
        long Amount(LinkageStepKind kind) => Of(kind)?.Sum ?? 0;
        var outreach = steps.Where(step => step.Kind == LinkageStepKind.OutreachSession);
        var byTopic = new List<Tally>();
        foreach (var topic in Enum.GetValues<OutreachTopic>())
        {
            byTopic.Add(new Tally(EnumNames.NameOf(topic), await outreach.CountAsync(step => step.Topics.Contains(topic), ct)));
        }

        var due = databases.Counting<ActionItemRow>(counted, item => item.DueAt, year);
        return counted.Describe(new PartnerStatistics(
            year,
            (await databases.MembersByKindAsync(counted.Shares, year, ct)).EveryName<PartnerKind>(),
            Counted(LinkageStepKind.CameraSurveyed),
            Counted(LinkageStepKind.CameraInstalled),
            Counted(LinkageStepKind.CameraOperational),
            Counted(LinkageStepKind.CameraDecommissioned),
            Amount(LinkageStepKind.WarningSignsPosted),
            Counted(LinkageStepKind.MeetingHeld),
            await databases.Counting<ActionItemRow>(counted, item => item.CompletedAt!.Value, year).CountAsync(ct),
            await due.CountAsync(item => item.ClosedLate || (item.CompletedAt == null && item.DueAt < now.ToUniversalTime()), ct),
            Counted(LinkageStepKind.OutreachSession),
            Amount(LinkageStepKind.OutreachSession),
            byTopic.EveryName<OutreachTopic>(),
            Counted(LinkageStepKind.IdCardDrive),
            Amount(LinkageStepKind.IdCardDrive)));
    }

    /// <summary>
    /// The partners of each share's ward in the linkage at some time of the year before the end of the share (joined
    /// before it, not gone before the year began), counted by kind. One query for the shares that end together, in each database keeping some of their wards.
    /// </summary>
    private static async Task<IEnumerable<Tally>> MembersByKindAsync(this WardDatabases databases, IReadOnlyList<WardShare> shares, int year, CancellationToken ct)
    {
        var (start, end) = WardTime.LocalYearSpan(year);
        var members = new List<(string Member, Tally Tally)>();
        foreach (var together in shares.GroupBy(share => share.Until is { } until && until < end ? until : end).Where(together => together.Key > start))
        {
            var until = together.Key;
            members.AddRange(await databases.ReadAsync(
                together.Select(share => share.Ward),
                (session, wards) => session.Query<PartnerRow>()
                    .Where(partner => partner.TenantIsOneOf(wards) && partner.JoinedAt < until && (partner.LeftAt == null || partner.LeftAt >= start))
                    .TalliesAsync(session, [nameof(PartnerRow.Kind)], ct)));
        }

        return new Facets(members)[nameof(PartnerRow.Kind)];
    }
}
