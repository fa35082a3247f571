using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using WardLink.Domain;
using WardLink.ServiceDefaults;

namespace WardLink.Partners;

/// <summary>A monthly coordination meeting was held: when, who attended, what the minutes say.</summary>
public sealed record MeetingHeld(Guid MeetingId, DateTimeOffset HeldAt, IReadOnlyList<Guid> AttendingPartnerIds, string Minutes, DateTimeOffset At, string By)
    : IBusinessEvent, IRecordedAfterwards
{
    DateTimeOffset IRecordedAfterwards.Happened => HeldAt;
}

public sealed record ActionItemAssigned(Guid MeetingId, Guid ItemId, string Text, Guid OwnerPartnerId, DateTimeOffset DueAt, DateTimeOffset At, string By) : IBusinessEvent;

public sealed record ActionItemCompleted(Guid MeetingId, Guid ItemId, DateTimeOffset At, string By) : IBusinessEvent;

/// <summary>An open action item was found past its due date (by the sweep, once per item); published so its owner partner is told.</summary>
public sealed record ActionItemOverdue(Guid MeetingId, Guid ItemId, Guid OwnerPartnerId, DateTimeOffset DueAt, DateTimeOffset At, string By) : IBusinessEvent;

/// <param name="Attending">Which of the attending partner ids the service does not know, and which partners have left.</param>
public sealed record HoldMeeting(
    Guid MeetingId, DateTimeOffset? HeldAt, IReadOnlyList<Guid>? AttendingPartnerIds, string? Minutes, NamedPartners Attending);

/// <param name="Owner">Whether the service knows <paramref name="OwnerPartnerId"/>, whether it has left.</param>
public sealed record AssignActionItem(Guid ItemId, string? Text, Guid? OwnerPartnerId, NamedPartners Owner, DateTimeOffset? DueAt);

/// <param name="At">When the item was done, if not now.</param>
public sealed record CompleteActionItem(Guid ItemId, DateTimeOffset? At);

/// <summary>Record every open item past its due date that was not yet found overdue.</summary>
public sealed record NoticeOverdueItems;

/// <param name="OverdueNoticedAt">When the sweep found it open past its due date (and its owner was told).</param>
public sealed record ActionItem(
    Guid Id, [property: MaxLength(Partner.MaxTextLength)] string Text, Guid OwnerPartnerId, DateTimeOffset DueAt, DateTimeOffset? CompletedAt, DateTimeOffset? OverdueNoticedAt = null)
{
    /// <summary>Whether the item was still open at <paramref name="at"/> (not completed, or completed later) and past its due date then.</summary>
    public bool IsOpenPastDueAt(DateTimeOffset at) => (CompletedAt is null || CompletedAt > at) && DueAt < at;
}

/// <summary>
/// A meeting with its action items; also the read model of the overdue list and the statistics (an inline
/// snapshot). <see cref="TenantId"/> is the store's tenant of its ward (the ward it was held in), set by the store when it reads the meeting.
/// </summary>
public sealed record MeetingState(
    Guid Id,
    DateTimeOffset HeldAt,
    [property: MaxLength(Partner.MaxPartnerIds)] IReadOnlyList<Guid> AttendingPartnerIds,
    [property: MaxLength(Partner.MaxTextLength)] string Minutes,
    [property: MaxLength(DocumentedBounds.AnyCount)] IReadOnlyList<ActionItem> ActionItems) : KeptInWard, Marten.Metadata.ITenanted
{
    [JsonIgnore]
    public string? TenantId { get; set; }

    public static MeetingState Create(MeetingHeld held) => new(held.MeetingId, held.HeldAt, held.AttendingPartnerIds, held.Minutes, []);

    public MeetingState Apply(ActionItemAssigned assigned) =>
        this with { ActionItems = [.. ActionItems, new ActionItem(assigned.ItemId, assigned.Text, assigned.OwnerPartnerId, assigned.DueAt, null)] };

    public MeetingState Apply(ActionItemCompleted completed) =>
        this with { ActionItems = [.. ActionItems.Select(item => item.Id == completed.ItemId ? item with { CompletedAt = completed.At } : item)] };

    public MeetingState Apply(ActionItemOverdue overdue) =>
        this with { ActionItems = [.. ActionItems.Select(item => item.Id == overdue.ItemId ? item with { OverdueNoticedAt = overdue.At } : item)] };
}

/// <summary>Monthly meetings and their action items, tracked to closure.</summary>
public static class Meeting
{
    /// <summary>Who records an item found overdue: the sweep, not a person.</summary>
    public const string Sweeper = "partners-overdue-sweep";

    public static Decision Hold(MeetingState? current, HoldMeeting command, DateTimeOffset now, string actor) =>
        new FieldErrors()
            .Check(command.HeldAt is not null, "heldAt", "Say when the meeting was held (ISO-8601 with offset).")
            .CheckPast(command.HeldAt, "heldAt", now)
            .Check(command.AttendingPartnerIds is { Count: > 0 }, "attendingPartnerIds", "List the partners who attended.")
            .Check((command.AttendingPartnerIds?.Count ?? 0) <= Partner.MaxPartnerIds, "attendingPartnerIds", $"At most {Partner.MaxPartnerIds} partners.")
            .Check(command.Attending.Unknown.Count == 0, "attendingPartnerIds", $"Unknown partners: {string.Join(", ", command.Attending.Unknown)}.")
            .CheckText(command.Minutes, "minutes", "Write the minutes.", Partner.MaxTextLength)
            .Then(() => current is not null
                ? Rejection.Conflict($"Meeting {command.MeetingId} already exists.")
                : Decision.AcceptUnless(command.Attending.RefuseIfAnyLeft(command.HeldAt!.Value), new MeetingHeld(
                    command.MeetingId, command.HeldAt!.Value, [.. command.AttendingPartnerIds!.Distinct()], command.Minutes!.Trim(), now, actor)));

    public static Decision AssignActionItem(MeetingState meeting, AssignActionItem command, DateTimeOffset now, string actor)
    {
        var errors = new FieldErrors()
            .CheckText(command.Text, "text", "Say what is to be done.", Partner.MaxTextLength)
            .Check(command.OwnerPartnerId is not null && command.Owner.Unknown.Count == 0, "ownerPartnerId", "Give the id of the partner who owns the item.")
            .Check(command.DueAt is not null, "dueAt", "Say when it is due (ISO-8601 with offset).")
            .Check(command.DueAt is null || command.DueAt >= meeting.HeldAt, "dueAt", "An item cannot be due before the meeting that set it.")
            .CheckDue(command.DueAt, "dueAt", now);
        return errors.Any
            ? errors.ToRejection()
            : command.Owner.RefuseIfAnyLeft() ?? Decision.Accept(new ActionItemAssigned(meeting.Id, command.ItemId, command.Text!.Trim(), command.OwnerPartnerId!.Value, command.DueAt!.Value, now, actor));
    }

    public static Decision CompleteActionItem(MeetingState meeting, CompleteActionItem command, DateTimeOffset now, string actor)
    {
        if (meeting.ActionItems.SingleOrDefault(item => item.Id == command.ItemId) is not { } item)
        {
            return Rejection.PartNotFound($"Action item {command.ItemId} of meeting {meeting.Id} was not found.");
        }

        var when = WardTime.StepAt(command.At, now, meeting.HeldAt);
        return new FieldErrors()
            .CheckPast(command.At, "at", now)
            .Check(when >= meeting.HeldAt, "at", "An item cannot be completed before the meeting that set it.")
            .Then(() => item.CompletedAt is not null
                ? Rejection.Conflict($"Action item {command.ItemId} is already completed; an item is closed once.")
                : Decision.Accept(new ActionItemCompleted(meeting.Id, command.ItemId, when, actor)));
    }

    /// <summary>Every open item of the meeting past its due date at <paramref name="now"/>, once each (none is an empty acceptance).</summary>
    public static Decision NoticeOverdue(MeetingState meeting, NoticeOverdueItems command, DateTimeOffset now, string actor) =>
        Decision.Accept([
            .. meeting.ActionItems
                .Where(item => item.CompletedAt is null && item.OverdueNoticedAt is null && item.DueAt < now)
                .Select(item => new ActionItemOverdue(meeting.Id, item.Id, item.OwnerPartnerId, item.DueAt, now, actor)),
        ]);
}
