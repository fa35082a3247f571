using System.ComponentModel.DataAnnotations;
using WardLink.Audit;
using WardLink.Domain;
using WardLink.EventSourcing;

namespace WardLink.Partners;

public enum WardStatus
{
    Open,
    Merged,
    Dissolved,
}

/// <summary>
/// A ward came into being (or was first recorded: <paramref name="EstablishedOn"/> null when it existed
/// before anything was recorded). Its id is its store tenant and never changes; its code is in every number it gives.
/// </summary>
public sealed record WardEstablished(
    [property: ShownToAuditors] string WardId,
    [property: ShownToAuditors] string Code,
    [property: ShownToAuditors] string Name,
    [property: ShownToAuditors] string Province,
    DateOnly? EstablishedOn,
    DateTimeOffset At,
    string By) : IBusinessEvent;

/// <summary>A ward took a new name from <paramref name="EffectiveOn"/> (local date); its id and code stay.</summary>
public sealed record WardRenamed([property: ShownToAuditors] string WardId, [property: ShownToAuditors] string Name, DateOnly EffectiveOn, DateTimeOffset At, string By) : IBusinessEvent;

/// <summary>
/// A ward was merged into <paramref name="IntoWardId"/> from <paramref name="EffectiveOn"/> (local
/// date): what it recorded stays its own, what happens from that date is the successor's.
/// </summary>
public sealed record WardMerged([property: ShownToAuditors] string WardId, [property: ShownToAuditors] string IntoWardId, DateOnly EffectiveOn, DateTimeOffset At, string By) : IBusinessEvent;

/// <summary>A ward ceased to exist from <paramref name="EffectiveOn"/> without a successor; its records stay.</summary>
public sealed record WardDissolved([property: ShownToAuditors] string WardId, DateOnly EffectiveOn, DateTimeOffset At, string By) : IBusinessEvent;

/// <summary>A new ward, with whether another ward already has its code (as the caller found the wards).</summary>
public sealed record EstablishWard(string? WardId, string? Code, string? Name, string? Province, DateOnly? EstablishedOn, bool CodeTaken);

/// <summary>The ward's new name and the local date it takes effect; the request body of <c>POST /partners/wards/{wardId}/rename</c>.</summary>
public sealed record RenameWard([property: MaxLength(WardNames.MaxNameLength)] string? Name, DateOnly? EffectiveOn);

/// <summary>
/// A merger into <paramref name="IntoWardId"/> from <paramref name="EffectiveOn"/>, with what the
/// caller found: <paramref name="Into"/>, that ward (null when it does not exist or the caller may not
/// see it), <paramref name="Predecessors"/>, every ward merged into the merging one, directly or
/// through another merger, and <paramref name="LastMergedIn"/>, the latest date one of them was merged into it.
/// </summary>
public sealed record MergeWard(string? IntoWardId, DateOnly? EffectiveOn, WardState? Into, IReadOnlyCollection<string> Predecessors, DateOnly? LastMergedIn = null);

/// <summary>The local date a ward ceases to exist; the request body of <c>POST /partners/wards/{wardId}/dissolve</c>.</summary>
public sealed record DissolveWard(DateOnly? EffectiveOn);

/// <summary>A ward as it stands: its names, its province, and whether (and when) it ended.</summary>
public sealed record WardState(
    Guid Id,
    [property: ShownToAuditors, MaxLength(WardNames.MaxIdLength)] string WardId,
    [property: ShownToAuditors, MaxLength(WardNames.MaxCodeLength)] string Code,
    [property: ShownToAuditors, MaxLength(WardNames.MaxNameLength)] string Name,
    [property: ShownToAuditors, MaxLength(WardNames.MaxIdLength)] string Province,
    DateOnly? EstablishedOn,
    DateOnly? RenamedOn,
    WardStatus Status,
    [property: ShownToAuditors, MaxLength(WardNames.MaxIdLength)] string? MergedInto,
    DateOnly? EndedOn)
{
    public static WardState Create(WardEstablished established) => new(
        Ward.StreamIdOf(established.WardId),
        established.WardId,
        established.Code,
        established.Name,
        established.Province,
        established.EstablishedOn,
        null,
        WardStatus.Open,
        null,
        null);

    public WardState Apply(WardRenamed renamed) => this with { Name = renamed.Name, RenamedOn = renamed.EffectiveOn };

    public WardState Apply(WardMerged merged) => this with { Status = WardStatus.Merged, MergedInto = merged.IntoWardId, EndedOn = merged.EffectiveOn };

    public WardState Apply(WardDissolved dissolved) => this with { Status = WardStatus.Dissolved, EndedOn = dissolved.EffectiveOn };
}

/// <summary>
/// The decisions on a ward (a jurisdiction): pure functions of its state, the command, the time and
/// the actor. A ward's dates are local dates from <see cref="EarliestDate"/> up to
/// <see cref="WardTime.DueYearsAhead"/> years ahead (a merger is decided before it takes effect),
/// never before the ward was established. A merged or dissolved ward takes no more changes.
/// </summary>
public static class Ward
{
    /// <summary>The earliest date a ward's change can take effect: the first day of <see cref="WardTime.Earliest"/>.</summary>
    public static readonly DateOnly EarliestDate = DateOnly.FromDateTime(WardTime.Earliest.UtcDateTime);

    /// <summary>A ward's stream: found by its id, in the ward's own tenant.</summary>
    public static Guid StreamIdOf(string wardId) => NamedStreams.StreamIdOf("ward:" + wardId);

    /// <summary>The latest date a ward's change can take effect, seen at <paramref name="now"/>.</summary>
    public static DateOnly LatestDate(DateTimeOffset now) => DateOnly.FromDateTime(WardTime.LatestDue(now).ToOffset(WardTime.Offset).DateTime);

    /// <summary>
    /// The latest date a ward of <paramref name="merged"/> was merged into <paramref name="wardId"/>: the ward ends no
    /// earlier, else what that ward recorded between the two dates would belong to neither.
    /// </summary>
    public static DateOnly? LastMergedInto(IEnumerable<WardState> merged, string wardId) =>
        merged.Where(ward => ward.MergedInto == wardId).Max(ward => ward.EndedOn);

    /// <summary>Every ward merged into <paramref name="wardId"/>, directly or through other mergers, among <paramref name="wards"/>.</summary>
    public static IReadOnlySet<string> PredecessorsOf(IEnumerable<WardState> wards, string wardId)
    {
        var merged = wards.Where(ward => ward.MergedInto is not null).ToList();
        var predecessors = new HashSet<string>();
        var next = new Queue<string>([wardId]);
        while (next.TryDequeue(out var successor))
        {
            foreach (var predecessor in merged.Where(ward => ward.MergedInto == successor && predecessors.Add(ward.WardId)))
            {
                next.Enqueue(predecessor.WardId);
            }
        }

        return predecessors;
    }

    /// <summary>What an establishment of ward <paramref name="wardId"/>, which exists, is told.</summary>
    public static Rejection AlreadyExists(string wardId) => Rejection.Conflict($"Ward {wardId} already exists.");

    /// <summary>
    /// Establishes a ward: its body's form judged first (a 400 naming each field), then whether its id (<paramref name="current"/>)
    /// or its code is taken (a 409).
    /// </summary>
    public static Decision Establish(WardState? current, EstablishWard command, DateTimeOffset now, string actor)
    {
        var errors = new FieldErrors()
            .Check(WardNames.IsId(command.WardId), "wardId", $"A ward id: lower-case words joined by hyphens, at most {WardNames.MaxIdLength} characters (dong-quang).")
            .Check(WardNames.IsCode(command.Code), "code", $"A ward code: 2 to {WardNames.MaxCodeLength} capital letters (DQ).")
            .CheckWardName(command.Name)
            .Check(WardNames.IsId(command.Province), "province", $"A province id: lower-case words joined by hyphens, at most {WardNames.MaxIdLength} characters (thanh-hoa).")
            .CheckWardDate(command.EstablishedOn, "establishedOn", now, notBefore: null, required: false);
        if (errors.Any)
        {
            return errors.ToRejection();
        }

        if (current is not null)
        {
            return AlreadyExists(current.WardId);
        }

        return command.CodeTaken
            ? Rejection.Conflict($"Another ward already has the code {command.Code}.")
            : Decision.Accept(new WardEstablished(command.WardId!, command.Code!, command.Name!.Trim(), command.Province!, command.EstablishedOn, now, actor));
    }

    public static Decision Rename(WardState ward, RenameWard command, DateTimeOffset now, string actor) =>
        new FieldErrors()
            .CheckWardName(command.Name)
            .CheckWardDate(command.EffectiveOn, "effectiveOn", now, Later(ward.EstablishedOn, ward.RenamedOn), required: true)
            .Then(() => ward.RefuseIfEnded()
                ?? (command.Name!.Trim() == ward.Name
                    ? Rejection.Conflict($"Ward {ward.WardId} is already named {ward.Name}.")
                    : Decision.Accept(new WardRenamed(ward.WardId, command.Name.Trim(), command.EffectiveOn!.Value, now, actor))));

    /// <summary>
    /// Merges a ward into another existing, still open ward of its province, never into itself nor
    /// into a ward that was (directly or through other mergers) merged into it: the mergers stay a forest.
    /// </summary>
    public static Decision Merge(WardState ward, MergeWard command, DateTimeOffset now, string actor) =>
        new FieldErrors()
            .Check(WardNames.IsId(command.IntoWardId), "intoWardId", $"The id of the ward it is merged into: lower-case words joined by hyphens, at most {WardNames.MaxIdLength} characters.")
            .Check(command.IntoWardId != ward.WardId, "intoWardId", "A ward is not merged into itself.")
            .CheckWardDate(command.EffectiveOn, "effectiveOn", now, Later(Later(ward.EstablishedOn, command.Into?.EstablishedOn), command.LastMergedIn), required: true)
            .Then(() => command.Into is not { } into ? new FieldErrors().Check(false, "intoWardId", "No such ward.").ToRejection()
                : ward.RefuseIfEnded()
                    ?? (command.Predecessors.Contains(into.WardId) ? Rejection.Conflict($"Ward {into.WardId} was merged into {ward.WardId}; {ward.WardId} cannot be merged into it.")
                    : into.Status != WardStatus.Open ? Rejection.Conflict($"Ward {into.WardId} was {Describe(into)}; a ward is merged only into an open ward.")
                    : into.Province != ward.Province ? Rejection.Conflict($"Ward {into.WardId} is in province {into.Province}; a ward of {ward.Province} is merged only into a ward of its own province.")
                    : Decision.Accept(new WardMerged(ward.WardId, into.WardId, command.EffectiveOn!.Value, now, actor))));

    /// <summary>Dissolves a ward from a date not before its establishment nor the last merger of another ward into it (<paramref name="lastMergedIn"/>).</summary>
    public static Decision Dissolve(WardState ward, DissolveWard command, DateOnly? lastMergedIn, DateTimeOffset now, string actor) =>
        new FieldErrors()
            .CheckWardDate(command.EffectiveOn, "effectiveOn", now, Later(ward.EstablishedOn, lastMergedIn), required: true)
            .Then(() => ward.RefuseIfEnded() ?? Decision.Accept(new WardDissolved(ward.WardId, command.EffectiveOn!.Value, now, actor)));

    private static Rejection? RefuseIfEnded(this WardState ward) =>
        ward.Status == WardStatus.Open ? null : Rejection.Conflict($"Ward {ward.WardId} was {Describe(ward)}; it takes no more changes.");

    private static FieldErrors CheckWardName(this FieldErrors errors, string? name) => errors
        .Check(!string.IsNullOrWhiteSpace(name), "name", "A name is required.")
        .CheckLength(name, "name", WardNames.MaxNameLength);

    private static FieldErrors CheckWardDate(this FieldErrors errors, DateOnly? date, string field, DateTimeOffset now, DateOnly? notBefore, bool required)
    {
        if (date is not { } given)
        {
            return errors.Check(!required, field, "Give the local date (yyyy-MM-dd) it takes effect.");
        }

        var latest = LatestDate(now);
        return errors
            .Check(given >= EarliestDate && given <= latest, field, $"A local date from {EarliestDate:yyyy-MM-dd} to at most {WardTime.DueYearsAhead} years ahead ({latest:yyyy-MM-dd}).")
            .Check(notBefore is not { } earliest || given >= earliest, field, $"Not before {notBefore:yyyy-MM-dd}: the ward (or the ward it joins) was established or last renamed then, or another ward was merged into it then.");
    }

    private static DateOnly? Later(DateOnly? a, DateOnly? b) => a is null ? b : b is null ? a : a > b ? a : b;

    private static string Describe(WardState ward) => ward.Status switch
    {
        WardStatus.Merged => $"merged into {ward.MergedInto} on {ward.EndedOn:yyyy-MM-dd}",
        WardStatus.Dissolved => $"dissolved on {ward.EndedOn:yyyy-MM-dd}",
        _ => "open",
    };
}
