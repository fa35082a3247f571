using System.ComponentModel.DataAnnotations;
using WardLink.ServiceDefaults;

namespace WardLink.Partners;

public enum ChannelKind
{
    Hotline,
    ChatGroup,
}

/// <summary>A communication channel of the linkage: a public hotline number, or a chat group (e.g. on Zalo) whose members are partners.</summary>
public sealed record ChannelOpened(Guid ChannelId, ChannelKind Kind, string Name, string? Number, string? Platform, IReadOnlyList<Guid> MemberPartnerIds, DateTimeOffset At, string By);

public sealed record ChannelMemberAdded(Guid ChannelId, Guid PartnerId, DateTimeOffset At, string By);

public sealed record ChannelMemberRemoved(Guid ChannelId, Guid PartnerId, DateTimeOffset At, string By);

public sealed record OpenChannel(Guid ChannelId, ChannelKind? Kind, string? Name, string? Number, string? Platform, IReadOnlyList<Guid>? MemberPartnerIds, string By);

public sealed record ChannelState(
    Guid Id,
    ChannelKind Kind,
    [property: MaxLength(Partner.MaxNameLength)] string Name,
    [property: MaxLength(Agreement.MaxShortTextLength)] string? Number,
    [property: MaxLength(Agreement.MaxShortTextLength)] string? Platform,
    [property: MaxLength(DocumentedBounds.AnyCount)] IReadOnlyList<Guid> MemberPartnerIds,
    DateTimeOffset OpenedAt)
{
    public static ChannelState Create(ChannelOpened opened) =>
        new(opened.ChannelId, opened.Kind, opened.Name, opened.Number, opened.Platform, opened.MemberPartnerIds, opened.At);

    public ChannelState Apply(ChannelMemberAdded added) => this with { MemberPartnerIds = [.. MemberPartnerIds, added.PartnerId] };

    public ChannelState Apply(ChannelMemberRemoved removed) => this with { MemberPartnerIds = [.. MemberPartnerIds.Where(id => id != removed.PartnerId)] };
}

/// <summary>Hotlines have a number; chat groups have a platform and their members' partners.</summary>
public static class Channel
{
    /// <param name="unknownPartners">Which of the member partner ids the service does not know.</param>
    public static Decision Open(OpenChannel command, IReadOnlyCollection<Guid> unknownPartners, DateTimeOffset now)
    {
        var errors = new FieldErrors()
            .Check(command.Kind is not null, "kind", "Choose the kind of channel (hotline, chatGroup).")
            .CheckName(command.Name)
            .Check(command.Kind != ChannelKind.Hotline || !string.IsNullOrWhiteSpace(command.Number), "number", "A hotline has a number.")
            .Check((command.Number?.Length ?? 0) <= Agreement.MaxShortTextLength, "number", $"At most {Agreement.MaxShortTextLength} characters.")
            .Check((command.Platform?.Length ?? 0) <= Agreement.MaxShortTextLength, "platform", $"At most {Agreement.MaxShortTextLength} characters.")
            .Check((command.MemberPartnerIds?.Count ?? 0) <= Partner.MaxPartnerIds, "memberPartnerIds", $"At most {Partner.MaxPartnerIds} partners.")
            .Check(unknownPartners.Count == 0, "memberPartnerIds", $"Unknown partners: {string.Join(", ", unknownPartners)}.");
        return errors.Any
            ? errors.ToRejection()
            : Decision.Accept(new ChannelOpened(
                command.ChannelId, command.Kind!.Value, command.Name!.Trim(), Trimmed(command.Number), Trimmed(command.Platform),
                [.. (command.MemberPartnerIds ?? []).Distinct()], now, command.By));
    }

    public static Decision AddMember(ChannelState channel, Guid partnerId, bool partnerKnown, DateTimeOffset now, string by)
    {
        if (!partnerKnown)
        {
            return Rejection.NotFound($"Partner {partnerId} was not found.");
        }

        return channel.MemberPartnerIds.Contains(partnerId)
            ? Rejection.Conflict($"Partner {partnerId} is already a member of {channel.Name}.")
            : Decision.Accept(new ChannelMemberAdded(channel.Id, partnerId, now, by));
    }

    public static Decision RemoveMember(ChannelState channel, Guid partnerId, DateTimeOffset now, string by) =>
        channel.MemberPartnerIds.Contains(partnerId)
            ? Decision.Accept(new ChannelMemberRemoved(channel.Id, partnerId, now, by))
            : Rejection.NotFound($"Partner {partnerId} is not a member of {channel.Name}.");

    private static string? Trimmed(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
