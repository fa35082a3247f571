using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using WardLink.Domain;

namespace WardLink.ServiceDefaults;

/// <summary>
/// A record kept in a ward (every record is: its store's tenant), which a read shows with that ward's id, so a caller who sees
/// several wards tells their records apart. The ward is not stored with the record (its tenant is): it is set where the record is
/// shown (<see cref="StateViews"/>, a list's page), null until then, and a stored state's JSON leaves it out.
/// </summary>
public abstract record KeptInWard
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    [MaxLength(WardNames.MaxIdLength)]
    [Description("The ward the record is kept in (its id): a request on the record acts in that ward.")]
    public string? Ward { get; init; }
}
