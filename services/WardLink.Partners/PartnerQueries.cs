using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using JasperFx.Events.Projections;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using WardLink.Contracts.Partners;
using WardLink.Domain;
using WardLink.EventSourcing;
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

/// <summary>What one local year's statistics are computed from: the read models as they stand.</summary>
public sealed record LinkageRecords(
    IReadOnlyList<PartnerState> Partners,
    IReadOnlyList<CameraState> Cameras,
    IReadOnlyList<WarningSignsState> Signs,
    IReadOnlyList<MeetingState> Meetings,
    IReadOnlyList<OutreachSessionState> OutreachSessions,
    IReadOnlyList<IdCardDriveState> IdCardDrives);

/// <summary>The partner list and the yearly statistics, read from the inline snapshots of partners and cameras.</summary>
public static class PartnerQueries
{
    public const int MaxPageSize = 500;

    public static void AddPartnerReadModels(StoreOptions store)
    {
        store.Projections.Snapshot<PartnerState>(SnapshotLifecycle.Inline);
        store.Projections.Snapshot<CameraState>(SnapshotLifecycle.Inline);
        store.Projections.Snapshot<MeetingState>(SnapshotLifecycle.Inline);
        store.Projections.Snapshot<OutreachSessionState>(SnapshotLifecycle.Inline);
        store.Projections.Snapshot<IdCardDriveState>(SnapshotLifecycle.Inline);
        store.Projections.Snapshot<WarningSignsState>(SnapshotLifecycle.Inline);
        store.Schema.For<PartnerState>().Index(partner => partner.Name);
        store.Schema.For<CameraState>().Index(camera => camera.SiteId);
    }

    public static IEndpointRouteBuilder MapPartnerQueries(this IEndpointRouteBuilder endpoints)
    {
        var partners = endpoints.MapGroup("/partners").WithTags("Partners");
        partners.MapGet("/", List)
            .WithName("ListPartners")
            .WithSummary($"The partners of the linkage by name; filter by kind and status. {PageRequest.Limits}")
            .ProducesValidationProblem();
        partners.MapGet("/stats", Statistics)
            .WithName("PartnerStatistics")
            .WithSummary($"One year of the linkage, in local time (UTC+7). {WardTime.YearLimits}")
            .ProducesValidationProblem()
            .RequireAuthorization(WardLinkPolicies.Statistics);
        return endpoints;
    }

    private static async Task<Results<Ok<ListPage<PartnerState>>, ValidationProblem>> List(
        IQuerySession session,
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

        var query = session.Query<PartnerState>().AsQueryable();
        query = query.WhereGiven(wantedKind, kindFilter => partner => partner.Kind == kindFilter);
        query = query.WhereGiven(wantedStatus, statusFilter => partner => partner.Status == statusFilter);

        return TypedResults.Ok(await query.OrderBy(partner => partner.Name).ThenBy(partner => partner.Id).ToListPageAsync(paging, ct));
    }

    private static async Task<Results<Ok<PartnerStatistics>, ValidationProblem>> Statistics(IQuerySession session, TimeProvider clock, [Range(WardTime.FirstYear, WardTime.LastYear)] int? year, CancellationToken ct)
    {
        var errors = new FieldErrors().CheckYear(year, "year");
        if (errors.Any)
        {
            return TypedResults.ValidationProblem(errors.ToRejection().Errors!);
        }

        var (start, end) = WardTime.LocalYearSpan(year!.Value);
        var partners = await session.Query<PartnerState>()
            .Where(partner => partner.LeftAt == null || partner.LeftAt >= start)
            .ToListAsync(ct);
        var records = new LinkageRecords(
            partners,
            await session.Query<CameraState>().Where(camera => camera.SurveyedAt < end).ToListAsync(ct),
            await session.Query<WarningSignsState>().Where(signs => signs.PostedAt >= start && signs.PostedAt < end).ToListAsync(ct),
            await session.Query<MeetingState>().Where(meeting => meeting.HeldAt < end).ToListAsync(ct),
            await session.Query<OutreachSessionState>().Where(outreach => outreach.HeldAt >= start && outreach.HeldAt < end).ToListAsync(ct),
            await session.Query<IdCardDriveState>().Where(drive => drive.HeldAt >= start && drive.HeldAt < end).ToListAsync(ct));
        return TypedResults.Ok(Compute(year.Value, records, clock.GetUtcNow()));
    }

    /// <summary>The statistics of local year <paramref name="year"/>; an open item counts as overdue once its due date is before <paramref name="now"/>.</summary>
    public static PartnerStatistics Compute(int year, LinkageRecords records, DateTimeOffset now)
    {
        bool InYear(DateTimeOffset? at) => at is { } when && WardTime.LocalYear(when) == year;

        var (_, end) = WardTime.LocalYearSpan(year);
        var members = records.Partners.Where(partner => (partner.Agreement?.JoinedOn ?? partner.RegisteredAt) < end && WardTime.LocalYear(partner.LeftAt ?? end) >= year);
        var items = records.Meetings.SelectMany(meeting => meeting.ActionItems).ToList();
        var outreach = records.OutreachSessions.Where(session => InYear(session.HeldAt)).ToList();
        var drives = records.IdCardDrives.Where(drive => InYear(drive.HeldAt)).ToList();
        return new PartnerStatistics(
            year,
            CountByName(members.Select(partner => partner.Kind)),
            records.Cameras.Count(camera => InYear(camera.SurveyedAt)),
            records.Cameras.Count(camera => InYear(camera.InstalledAt)),
            records.Cameras.Count(camera => InYear(camera.OperationalAt)),
            records.Cameras.Count(camera => InYear(camera.DecommissionedAt)),
            records.Signs.Where(signs => InYear(signs.PostedAt)).Sum(signs => (long)signs.Count),
            records.Meetings.Count(meeting => InYear(meeting.HeldAt)),
            items.Count(item => InYear(item.CompletedAt)),
            items.Count(item => InYear(item.DueAt) && item.IsOverdueAt(now)),
            outreach.Count,
            outreach.Sum(session => (long)session.Attendees),
            CountByName(outreach.SelectMany(session => session.Topics)),
            drives.Count,
            drives.Sum(drive => (long)drive.CardsIssued));
    }

    /// <summary>How many of each value of <typeparamref name="T"/>, by camelCase name, 0 for the absent ones.</summary>
    private static Dictionary<string, int> CountByName<T>(IEnumerable<T> values)
        where T : struct, Enum
    {
        var counts = Enum.GetValues<T>().ToDictionary(value => value, _ => 0);
        foreach (var value in values.Where(counts.ContainsKey))
        {
            // A value stored before enums were read strictly (e.g. a number) is no named value: it is not counted.
            counts[value]++;
        }

        return counts.ToDictionary(pair => JsonNamingPolicy.CamelCase.ConvertName(pair.Key.ToString()), pair => pair.Value, StringComparer.Ordinal);
    }
}
