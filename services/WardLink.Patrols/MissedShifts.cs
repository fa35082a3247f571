using Marten;
using WardLink.Domain;
using WardLink.EventSourcing;
using WardLink.EventSourcing.Wards;

namespace WardLink.Patrols;

/// <summary>How often the sweep looks for missed shifts, and how many local days back it looks: fixed, not a setting (tests give their own).</summary>
public sealed record MissedShiftSweepSchedule(TimeSpan Interval, int LookBackDays)
{
    public static readonly MissedShiftSweepSchedule Default = new(TimeSpan.FromMinutes(1), 7);
}

/// <summary>
/// Records every planned shift whose window has closed without a start as <see cref="ShiftMissed"/>,
/// in the ward of its schedule (the sweep looks at the schedules of every ward; a ward merged or
/// dissolved plans nothing from its end on). The shift's stream id
/// is derived from its schedule and date, so a second sweep (or a second replica sweeping at the same
/// time) finds the stream and records nothing twice.
/// </summary>
public sealed class MissedShiftSweep(
    ISessionFactory sessions, TimeProvider clock, MissedShiftSweepSchedule options, WardTenants wards, WardDatabases databases, ILogger<MissedShiftSweep> logger)
    : PeriodicSweep(clock, logger, wards)
{
    /// <summary>Sweeps once at <paramref name="now"/>; returns the ids of the shifts it recorded as missed.</summary>
    public async Task<IReadOnlyList<Guid>> SweepAsync(DateTimeOffset now, CancellationToken ct)
    {
        var today = DateOnly.FromDateTime(now.ToOffset(WardTime.Offset).DateTime);
        await using var query = sessions.QuerySession();
        var schedules = await databases.ListEveryWardAsync<ScheduleState>(every => every, ct);
        var scheduleOf = schedules.ToDictionary(schedule => schedule.Id);
        var planned = PatrolSchedule.Plan(schedules, today.AddDays(-options.LookBackDays), today, await query.WardEndsAsync(ct));
        var ids = planned.Select(shift => shift.ShiftId).ToArray();
        var recorded = (await databases.ListEveryWardAsync<ShiftState>(every => every.Where(shift => ids.Contains(shift.Id)), ct)).Select(shift => shift.Id).ToHashSet();
        var missed = new List<Guid>();
        foreach (var shift in PatrolSchedule.MissedAt(planned, scheduleOf, recorded, now))
        {
            using (EnterWardOf(scheduleOf[shift.ScheduleId].TenantId))
            {
                if (await sessions.RetryOnConflictAsync(session => RecordMissedAsync(session, shift, now, ct), ct))
                {
                    missed.Add(shift.ShiftId);
                }
            }
        }

        return missed;
    }

    /// <summary>Records <paramref name="shift"/> as missed unless it was started (or recorded) meanwhile; a write that loses a race is retried and finds it.</summary>
    private static async Task<bool> RecordMissedAsync(IDocumentSession session, PlannedShift shift, DateTimeOffset now, CancellationToken ct)
    {
        var route = await session.StateOfAsync<RouteState>(shift.RouteId, ct);
        var existing = await session.StateOfAsync<ShiftState>(shift.ShiftId, ct);
        if (route is null || Shift.Miss(existing, new RecordMissedShift(shift, route), now, Shift.Sweeper) is not { IsAccepted: true } decision)
        {
            return false;
        }

        session.Events.StartStream<ShiftState>(shift.ShiftId, decision.Events);
        await session.SaveChangesAsync(ct);
        return true;
    }

    protected override TimeSpan Interval => options.Interval;

    protected override async Task<int> RunRoundAsync(DateTimeOffset now, CancellationToken ct) => (await SweepAsync(now, ct)).Count;
}
