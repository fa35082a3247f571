using Marten.Events.Projections;
using WardLink.EventSourcing.Wards;

namespace WardLink.Partners;

/// <summary>The read model of the statistics' action items: one row an item, when it is due, and when (and whether late) it was closed, in UTC.</summary>
public sealed record ActionItemRow(Guid Id, [property: WardIndexedTime] DateTimeOffset DueAt, DateTimeOffset? CompletedAt, bool ClosedLate);

/// <summary>Projects a meeting's action items into their <see cref="ActionItemRow"/>s, inline.</summary>
public sealed class ActionItemRows : MultiStreamProjection<ActionItemRow, Guid>
{
    public ActionItemRows()
    {
        Identity<ActionItemAssigned>(assigned => assigned.ItemId);
        Identity<ActionItemCompleted>(completed => completed.ItemId);
    }

    public static ActionItemRow Create(ActionItemAssigned assigned) => new(assigned.ItemId, assigned.DueAt.ToUniversalTime(), null, false);

    public static ActionItemRow Apply(ActionItemCompleted completed, ActionItemRow row) =>
        row with { CompletedAt = completed.At.ToUniversalTime(), ClosedLate = completed.At > row.DueAt };
}
