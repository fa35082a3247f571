using Marten;
using WardLink.EventSourcing;
using WardLink.EventSourcing.Wards;

namespace WardLink.Partners;

/// <summary>How often the sweep looks for action items past their due date: fixed, not a setting (tests give their own).</summary>
public sealed record OverdueSweepSchedule(TimeSpan Interval)
{
    public static readonly OverdueSweepSchedule Default = new(TimeSpan.FromMinutes(1));
}

/// <summary>
/// Records every open action item found past its due date as <see cref="ActionItemOverdue"/>, once
/// per item (the meeting's state remembers it), so its owner partner is told through the relay. It
/// looks at the meetings of every ward, and records each in its meeting's ward. A second replica
/// sweeping at the same time loses the append race, retries and finds nothing new.
/// </summary>
public sealed class OverdueActionItemSweep(
    ISessionFactory sessions, TimeProvider clock, OverdueSweepSchedule options, WardTenants wards, WardDatabases databases, ILogger<OverdueActionItemSweep> logger)
    : PeriodicSweep(clock, logger, wards)
{
    /// <summary>Sweeps once at <paramref name="now"/>; returns how many items it recorded as overdue.</summary>
    public async Task<int> SweepAsync(DateTimeOffset now, CancellationToken ct)
    {
        var meetings = await databases.ListEveryWardAsync<MeetingState>(every => every, ct);
        var noticed = 0;
        foreach (var meeting in meetings.Where(meeting => Meeting.NoticeOverdue(meeting, new NoticeOverdueItems(), now, Meeting.Sweeper).Events.Count > 0))
        {
            using (EnterWardOf(meeting.TenantId))
            {
                noticed += await sessions.RetryOnConflictAsync(session => NoticeAsync(session, meeting.Id, now, ct), ct);
            }
        }

        return noticed;
    }

    protected override TimeSpan Interval => options.Interval;

    protected override Task<int> RunRoundAsync(DateTimeOffset now, CancellationToken ct) => SweepAsync(now, ct);

    private static async Task<int> NoticeAsync(IDocumentSession session, Guid meetingId, DateTimeOffset now, CancellationToken ct)
    {
        var stream = await session.Events.FetchForWriting<MeetingState>(meetingId, ct);
        if (stream.Aggregate is not { } meeting)
        {
            return 0;
        }

        var decision = Meeting.NoticeOverdue(meeting, new NoticeOverdueItems(), now, Meeting.Sweeper);
        stream.AppendMany(decision.Events);
        await session.SaveChangesAsync(ct);
        return decision.Events.Count;
    }
}
