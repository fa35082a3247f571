using System.ComponentModel.DataAnnotations;
using WardLink.Domain;
using WardLink.ServiceDefaults;

namespace WardLink.Partners;

public enum ChannelKind
{
    Hotline,
    ChatGroup,
}

/// <summary>A communication channel of the linkage: a public hotline number, or a chat group (e.g. on Zalo) whose members are partners.</summary>
public sealed record ChannelOpened(Guid ChannelId, ChannelKind Kind, string Name, string? Number, string? Platform, IReadOnlyList<Guid> MemberPartnerIds, DateTimeOffset At, string By) : IBusinessEvent;

public sealed record ChannelMemberAdded(Guid ChannelId, Guid PartnerId, DateTimeOffset At, string By) : IBusinessEvent;

public sealed record ChannelMemberRemoved(Guid ChannelId, Guid PartnerId, DateTimeOffset At, string By) : IBusinessEvent;

/// <param name="Members">Which of the member partner ids the service does not know, and which partners have left.</param>
public sealed record OpenChannel(
    Guid ChannelId, ChannelKind? Kind, string? Name, string? Number, string? Platform, IReadOnlyList<Guid>? MemberPartnerIds, NamedPartners Members);

/// <summary>Add partner <paramref name="PartnerId"/> (none: the body named none) to a channel; <paramref name="Partner"/>: whether the service knows it, whether it has left.</summary>
public sealed record AddChannelMember(Guid? PartnerId, NamedPartners Partner);

public sealed record RemoveChannelMember(Guid PartnerId);

public sealed record ChannelState(
    Guid Id,
    ChannelKind Kind,
    [property: MaxLength(Partner.MaxNameLength)] string Name,
    [property: MaxLength(Agreement.MaxShortTextLength)] string? Number,
    [property: MaxLength(Agreement.MaxShortTextLength)] string? Platform,
    [property: MaxLength(DocumentedBounds.AnyCount)] IReadOnlyList<Guid> MemberPartnerIds,
    DateTimeOffset OpenedAt) : KeptInWard
{
    public static ChannelState Create(ChannelOpened opened) =>
        new(opened.ChannelId, opened.Kind, opened.Name, opened.Number, opened.Platform, opened.MemberPartnerIds, opened.At);

    public ChannelState Apply(ChannelMemberAdded added) => this with { MemberPartnerIds = [.. MemberPartnerIds, added.PartnerId] };

    public ChannelState Apply(ChannelMemberRemoved removed) => this with { MemberPartnerIds = [.. MemberPartnerIds.Where(id => id != removed.PartnerId)] };
}

/// <summary>Hotlines have a number; chat groups have a platform and their members' partners.</summary>
public static class Channel
{
    public static Decision Open(ChannelState? current, OpenChannel command, DateTimeOffset now, string actor) =>
        new FieldErrors()
            .Check(command.Kind is not null, "kind", "Choose the kind of channel (hotline, chatGroup).")
            .CheckName(command.Name)
            .Check(command.Kind != ChannelKind.Hotline || !string.IsNullOrWhiteSpace(command.Number), "number", "A hotline has a number.")
            .Check(command.Kind != ChannelKind.ChatGroup || !string.IsNullOrWhiteSpace(command.Platform), "platform", "A chat group names its platform (Zalo, Telegram).")
            .CheckLength(command.Number, "number", Agreement.MaxShortTextLength)
            .CheckLength(command.Platform, "platform", Agreement.MaxShortTextLength)
            .Check((command.MemberPartnerIds?.Count ?? 0) <= Partner.MaxPartnerIds, "memberPartnerIds", $"At most {Partner.MaxPartnerIds} partners.")
            .Check(command.Members.Unknown.Count == 0, "memberPartnerIds", $"Unknown partners: {string.Join(", ", command.Members.Unknown)}.")
            .Then(() => current is not null
                ? Rejection.Conflict($"Channel {command.ChannelId} already exists.")
                : Decision.AcceptUnless(command.Members.RefuseIfAnyLeft(), new ChannelOpened(
                    command.ChannelId, command.Kind!.Value, command.Name!.Trim(), Trimmed(command.Number), Trimmed(command.Platform),
                    [.. (command.MemberPartnerIds ?? []).Distinct()], now, actor)));

    public static Decision AddMember(ChannelState channel, AddChannelMember command, DateTimeOffset now, string actor) =>
        new FieldErrors()
            .Check(command.PartnerId is not null, "partnerId", "Give the partner's id.")
            .Check(command.PartnerId is null || command.Partner.Unknown.Count == 0, "partnerId", "No such partner.")
            .Then(() => channel.MemberPartnerIds.Contains(command.PartnerId!.Value)
                ? Rejection.Conflict($"Partner {command.PartnerId} is already a member of {channel.Name}.")
                : command.Partner.RefuseIfAnyLeft()

                    // Added one at a time, the members stay within the list a channel is opened with.
                    ?? (channel.MemberPartnerIds.Count >= Partner.MaxPartnerIds
                        ? Rejection.Conflict($"{channel.Name} already has {Partner.MaxPartnerIds} members, the most a channel takes: remove one first.")
                        : Decision.Accept(new ChannelMemberAdded(channel.Id, command.PartnerId.Value, now, actor))));

    public static Decision RemoveMember(ChannelState channel, RemoveChannelMember command, DateTimeOffset now, string actor) =>
        channel.MemberPartnerIds.Contains(command.PartnerId)
            ? Decision.Accept(new ChannelMemberRemoved(channel.Id, command.PartnerId, now, actor))
            : Rejection.PartNotFound($"Partner {command.PartnerId} is not a member of {channel.Name}.");

    private static string? Trimmed(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
