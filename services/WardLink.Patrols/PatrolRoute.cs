using System.ComponentModel.DataAnnotations;
using WardLink.Audit;
using WardLink.Contracts;
using WardLink.Contracts.Patrols;
using WardLink.Domain;
using WardLink.ServiceDefaults;
using WardLink.ServiceDefaults.Security;

namespace WardLink.Patrols;

/// <summary>A point a patrol must pass, at a partner site, named by the code on its QR/NFC tag.</summary>
public sealed record Checkpoint(
    [property: MaxLength(PatrolRoute.MaxCodeLength), NotBlank] string Code,
    Guid SiteId,
    [property: MaxLength(PatrolRoute.MaxNameLength)] string? Name = null);

public sealed record RouteDefined(Guid RouteId, [property: ShownToAuditors] string Name, IReadOnlyList<Checkpoint> Checkpoints, DateTimeOffset At, string By) : IBusinessEvent;

/// <param name="SiteWards">The ward of each site of the checkpoints that the site directory knows, today (a merged ward's site is its successor's).</param>
/// <param name="Ward">The ward the route is defined in: its checkpoints are at sites of that ward, and it takes no new route once it has ended.</param>
public sealed record DefineRoute(Guid RouteId, string? Name, IReadOnlyList<Checkpoint>? Checkpoints, IReadOnlyDictionary<Guid, string> SiteWards, RecordingWard Ward);

/// <summary>A named route with its checkpoints in the order they are walked.</summary>
public sealed record RouteState(
    Guid Id,
    [property: ShownToAuditors, MaxLength(PatrolRoute.MaxNameLength)] string Name,
    [property: MaxLength(PatrolRoute.MaxCheckpoints)] IReadOnlyList<Checkpoint> Checkpoints,
    DateTimeOffset DefinedAt,
    [property: MaxLength(WardLinkClaims.MaxSubjectLength)] string DefinedBy) : KeptInWard
{
    public static RouteState Create(RouteDefined defined) => new(defined.RouteId, defined.Name, defined.Checkpoints, defined.At, defined.By);

    [MaxLength(PatrolRoute.MaxCheckpoints)]
    public IReadOnlyList<Guid> SiteIds => [.. Checkpoints.Select(checkpoint => checkpoint.SiteId).Distinct()];
}

public static class PatrolRoute
{
    public const int MaxNameLength = 200;
    public const int MaxCodeLength = 64;
    public const int MaxCheckpoints = PatrolLimits.MaxCheckpoints;

    public static Decision Define(RouteState? current, DefineRoute command, DateTimeOffset now, string actor)
    {
        var checkpoints = command.Checkpoints ?? [];
        var errors = new FieldErrors()
            .Check(!string.IsNullOrWhiteSpace(command.Name), "name", "Name the route.")
            .CheckLength(command.Name, "name", MaxNameLength)
            .Check(checkpoints.Count is > 0 and <= MaxCheckpoints, "checkpoints", $"Give 1 to {MaxCheckpoints} checkpoints, in walking order.")
            .CheckWard(command.Ward, now, "ward", siteWard: null);
        var codes = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < checkpoints.Count; i++)
        {
            var checkpoint = checkpoints[i];
            var code = checkpoint.Code?.Trim() ?? string.Empty;
            errors
                .Check(code.Length > 0, $"checkpoints[{i}].code", "Give the tag's code.")
                .CheckLength(checkpoint.Code, $"checkpoints[{i}].code", MaxCodeLength)
                .Check(code.Length == 0 || codes.Add(code), $"checkpoints[{i}].code", "Each checkpoint of a route has its own code.")
                .CheckSiteWard(command, checkpoint.SiteId, $"checkpoints[{i}].siteId")
                .CheckLength(checkpoint.Name, $"checkpoints[{i}].name", MaxNameLength);
        }

        return errors.Then(() => current is not null
            ? Rejection.Conflict($"Route {command.RouteId} already exists.")
            : Decision.Accept(new RouteDefined(
                command.RouteId,
                command.Name!.Trim(),
                [.. checkpoints.Select(checkpoint => new Checkpoint(checkpoint.Code.Trim(), checkpoint.SiteId, string.IsNullOrWhiteSpace(checkpoint.Name) ? null : checkpoint.Name.Trim()))],
                now,
                actor)));
    }

    /// <summary>A checkpoint's site is one the directory knows, in the route's own ward.</summary>
    private static FieldErrors CheckSiteWard(this FieldErrors errors, DefineRoute command, Guid siteId, string field) =>
        command.SiteWards.TryGetValue(siteId, out var ward)
            ? errors.Check(ward == command.Ward.Id, field, $"The site is in ward {ward}; a route of ward {command.Ward.Id} has its checkpoints at sites of that ward.")
            : errors.Check(false, field, "No such site in the site directory.");
}
