using System.Text.RegularExpressions;

namespace WardLink.Domain;

/// <summary>Within which boundaries a statistic counts a ward.</summary>
public enum Boundaries
{
    /// <summary>What the ward itself recorded.</summary>
    AsRecorded,

    /// <summary>The ward with every ward merged into it (directly or through another merger), each up to the date it was merged.</summary>
    Current,
}

/// <summary>
/// How a ward is named: its id (<c>dong-quang</c>, what tokens, <c>ward=</c> and the store's tenant
/// use), its short code (<c>DQ</c>, what case and tip numbers carry: <c>INC-DQ-2025-0001</c>) and its name.
/// </summary>
public static partial class WardNames
{
    public const int MinIdLength = 2;
    public const int MaxIdLength = 40;
    public const string IdPattern = "^[a-z][a-z0-9]*(-[a-z0-9]+)*$";
    public const int MaxCodeLength = 6;
    public const string CodePattern = "^[A-Z]{2,6}$";
    public const int MaxNameLength = 200;

    /// <summary>How a ward's id is written, as a problem naming <c>ward=</c> says it.</summary>
    public static string IdForm { get; } = $"One ward id: lower-case words joined by hyphens, at most {MaxIdLength} characters.";

    /// <summary>
    /// The title of the 404 of ward <paramref name="ward"/>, unknown or not the caller's; of none (null): a caller none of whose
    /// wards is known yet (a province's before its first ward is established, a ward-bound client's ward not established).
    /// </summary>
    public static string NotFoundTitle(string? ward) =>
        ward is null ? "No ward of this client is known (yet): every request of it is a 404 until its first ward is established." : $"Ward '{ward}' was not found.";

    /// <summary>Whether <paramref name="value"/> is a ward (or province) id: lower-case words joined by hyphens, <see cref="MinIdLength"/> to <see cref="MaxIdLength"/> characters.</summary>
    public static bool IsId(string? value) => value is not null && Characters.Between(value, MinIdLength, MaxIdLength) && Id().IsWholly(value);

    /// <summary>Whether <paramref name="value"/> is a ward code: two to six capital letters.</summary>
    public static bool IsCode(string? value) => value is not null && Code().IsWholly(value);

    [GeneratedRegex(IdPattern, RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex Id();

    [GeneratedRegex(CodePattern, RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex Code();
}
