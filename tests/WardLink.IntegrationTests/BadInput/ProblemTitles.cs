using System.Text.RegularExpressions;

namespace WardLink.IntegrationTests.BadInput;

/// <summary>What twin requests' problems are compared by.</summary>
public static partial class ProblemTitles
{
    /// <summary>A problem's title with its ids (a GUID with or without its hyphens) and numbers, each record's own, written <c>#</c>: the same problem of twin records reads the same.</summary>
    public static string Generalised(string? title) => IdsAndNumbers().Replace(title ?? string.Empty, "#");

    [GeneratedRegex(@"[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}|[0-9a-fA-F]{32}|\d+")]
    private static partial Regex IdsAndNumbers();
}
