using System.Text.Json.Serialization;
using Marten.Events.Aggregation;
using WardLink.Contracts.Partners;
using WardLink.EventSourcing;

namespace WardLink.Partners;

/// <summary>
/// The read model of the partner list and of the statistics' partners by kind (<see cref="PartnerQueries"/>):
/// one row a partner with its name, kind and status, and when it joined (its agreement's date, or else
/// its registration) and left the linkage; the store fills in its ward's tenant when it reads the row.
/// </summary>
public sealed record PartnerRow(Guid Id, string Name, PartnerKind Kind, PartnerStatus Status, DateTimeOffset JoinedAt, DateTimeOffset? LeftAt) : IListRow
{
    [JsonIgnore]
    public string? TenantId { get; set; }
}

/// <summary>Projects a partner's events into its <see cref="PartnerRow"/>, inline.</summary>
public sealed class PartnerRows : SingleStreamProjection<PartnerRow, Guid>
{
    public static PartnerRow Create(PartnerRegistered registered) =>
        new(registered.PartnerId, registered.Name, registered.Kind, PartnerStatus.Active, registered.RegisteredAt, null);

    public static PartnerRow Apply(AgreementSigned agreement, PartnerRow row) => row with { JoinedAt = agreement.JoinedOn };

    public static PartnerRow Apply(PartnerChanged changed, PartnerRow row) => row with { Name = changed.Name, Kind = changed.Kind };

    public static PartnerRow Apply(PartnerSuspended suspended, PartnerRow row) => row with { Status = PartnerStatus.Suspended };

    public static PartnerRow Apply(PartnerResumed resumed, PartnerRow row) => row with { Status = PartnerStatus.Active };

    public static PartnerRow Apply(PartnerLeft left, PartnerRow row) => row with { Status = PartnerStatus.Left, LeftAt = left.At };
}
