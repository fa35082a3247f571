using WardLink.Contracts.Partners;
using WardLink.ServiceDefaults;

namespace WardLink.Partners;

public sealed record PartnerRegistered(
    Guid PartnerId,
    string Name,
    PartnerKind Kind,
    DateTimeOffset RegisteredAt,
    string RegisteredBy);

public sealed record RegisterPartner(Guid PartnerId, string? Name, PartnerKind? Kind, string RegisteredBy);

public sealed record PartnerState(Guid Id, string Name, PartnerKind Kind, DateTimeOffset RegisteredAt, string RegisteredBy)
{
    public static PartnerState Create(PartnerRegistered registered) =>
        new(registered.PartnerId, registered.Name, registered.Kind, registered.RegisteredAt, registered.RegisteredBy);
}

public static class Partner
{
    public const int MaxNameLength = 200;

    public static Decision Register(PartnerState? current, RegisterPartner command, DateTimeOffset now)
    {
        if (current is not null)
        {
            return Rejection.Conflict($"Partner {command.PartnerId} already exists.");
        }

        var errors = new FieldErrors()
            .CheckName(command.Name)
            .Check(command.Kind is not null, "kind", "Choose the kind of partner.");
        if (errors.Any)
        {
            return errors.ToRejection();
        }

        return Decision.Accept(new PartnerRegistered(command.PartnerId, command.Name!.Trim(), command.Kind!.Value, now, command.RegisteredBy));
    }

    /// <summary>A name is required and at most <see cref="MaxNameLength"/> characters (partners and sites alike).</summary>
    internal static FieldErrors CheckName(this FieldErrors errors, string? name) => errors
        .Check(!string.IsNullOrWhiteSpace(name), "name", "A name is required.")
        .Check((name?.Length ?? 0) <= MaxNameLength, "name", $"At most {MaxNameLength} characters.");
}
