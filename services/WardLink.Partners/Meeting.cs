using System.ComponentModel.DataAnnotations;
using WardLink.ServiceDefaults;

namespace WardLink.Partners;

/// <summary>A monthly coordination meeting was held: when, who attended, what the minutes say.</summary>
public sealed record MeetingHeld(Guid MeetingId, DateTimeOffset HeldAt, IReadOnlyList<Guid> AttendingPartnerIds, string Minutes, DateTimeOffset At, string By);

public sealed record ActionItemAssigned(Guid MeetingId, Guid ItemId, string Text, Guid OwnerPartnerId, DateTimeOffset DueAt, DateTimeOffset At, string By);

public sealed record ActionItemCompleted(Guid MeetingId, Guid ItemId, DateTimeOffset At, string By);

public sealed record HoldMeeting(Guid MeetingId, DateTimeOffset? HeldAt, IReadOnlyList<Guid>? AttendingPartnerIds, string? Minutes, string By);

public sealed record ActionItem(Guid Id, [property: MaxLength(Partner.MaxTextLength)] string Text, Guid OwnerPartnerId, DateTimeOffset DueAt, DateTimeOffset? CompletedAt)
{
    public bool IsOverdueAt(DateTimeOffset at) => CompletedAt is null ? DueAt < at : CompletedAt > DueAt;
}

/// <summary>A meeting with its action items; also the read model of the overdue list and the statistics (an inline snapshot).</summary>
public sealed record MeetingState(
    Guid Id,
    DateTimeOffset HeldAt,
    [property: MaxLength(Partner.MaxPartnerIds)] IReadOnlyList<Guid> AttendingPartnerIds,
    [property: MaxLength(Partner.MaxTextLength)] string Minutes,
    [property: MaxLength(DocumentedBounds.AnyCount)] IReadOnlyList<ActionItem> ActionItems)
{
    public static MeetingState Create(MeetingHeld held) => new(held.MeetingId, held.HeldAt, held.AttendingPartnerIds, held.Minutes, []);

    public MeetingState Apply(ActionItemAssigned assigned) =>
        this with { ActionItems = [.. ActionItems, new ActionItem(assigned.ItemId, assigned.Text, assigned.OwnerPartnerId, assigned.DueAt, null)] };

    public MeetingState Apply(ActionItemCompleted completed) =>
        this with { ActionItems = [.. ActionItems.Select(item => item.Id == completed.ItemId ? item with { CompletedAt = completed.At } : item)] };
}

/// <summary>Monthly meetings and their action items, tracked to closure.</summary>
public static class Meeting
{
    /// <param name="unknownPartners">Which of the attending partner ids (or the owner) the service does not know.</param>
    public static Decision Hold(HoldMeeting command, IReadOnlyCollection<Guid> unknownPartners, DateTimeOffset now)
    {
        var errors = new FieldErrors()
            .Check(command.HeldAt is not null, "heldAt", "Say when the meeting was held (ISO-8601 with offset).")
            .CheckPast(command.HeldAt, "heldAt", now)
            .Check(command.AttendingPartnerIds is { Count: > 0 }, "attendingPartnerIds", "List the partners who attended.")
            .Check((command.AttendingPartnerIds?.Count ?? 0) <= Partner.MaxPartnerIds, "attendingPartnerIds", $"At most {Partner.MaxPartnerIds} partners.")
            .Check(unknownPartners.Count == 0, "attendingPartnerIds", $"Unknown partners: {string.Join(", ", unknownPartners)}.")
            .CheckText(command.Minutes, "minutes", "Write the minutes.", Partner.MaxTextLength);
        return errors.Any
            ? errors.ToRejection()
            : Decision.Accept(new MeetingHeld(
                command.MeetingId, command.HeldAt!.Value, [.. command.AttendingPartnerIds!.Distinct()], command.Minutes!.Trim(), now, command.By));
    }

    /// <param name="ownerKnown">Whether the owner is a partner the service knows.</param>
    public static Decision AssignActionItem(
        MeetingState meeting, Guid itemId, string? text, Guid? ownerPartnerId, bool ownerKnown, DateTimeOffset? dueAt, DateTimeOffset now, string by)
    {
        var errors = new FieldErrors()
            .CheckText(text, "text", "Say what is to be done.", Partner.MaxTextLength)
            .Check(ownerPartnerId is not null && ownerKnown, "ownerPartnerId", "Give the id of the partner who owns the item.")
            .Check(dueAt is not null, "dueAt", "Say when it is due (ISO-8601 with offset).")
            .Check(dueAt is null || dueAt >= meeting.HeldAt, "dueAt", "An item cannot be due before the meeting that set it.")
            .CheckDue(dueAt, "dueAt", now);
        return errors.Any
            ? errors.ToRejection()
            : Decision.Accept(new ActionItemAssigned(meeting.Id, itemId, text!.Trim(), ownerPartnerId!.Value, dueAt!.Value, now, by));
    }

    public static Decision CompleteActionItem(MeetingState meeting, Guid itemId, DateTimeOffset? at, DateTimeOffset now, string by)
    {
        if (meeting.ActionItems.SingleOrDefault(item => item.Id == itemId) is not { } item)
        {
            return Rejection.NotFound($"Action item {itemId} of meeting {meeting.Id} was not found.");
        }

        if (item.CompletedAt is not null)
        {
            return Rejection.Conflict($"Action item {itemId} is already completed; an item is closed once.");
        }

        var when = at ?? now;
        var errors = new FieldErrors()
            .CheckPast(at, "at", now)
            .Check(when >= meeting.HeldAt, "at", "An item cannot be completed before the meeting that set it.");
        return errors.Any ? errors.ToRejection() : Decision.Accept(new ActionItemCompleted(meeting.Id, itemId, when, by));
    }
}
