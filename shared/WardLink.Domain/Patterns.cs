using System.Text.RegularExpressions;

namespace WardLink.Domain;

/// <summary>How a value is checked against a pattern the API documents (<c>^…$</c>).</summary>
public static class Patterns
{
    /// <summary>
    /// What the documents state of a text the service refuses empty or of white space alone (a description, a reason): it
    /// holds a character that is not white space (unanchored, as JSON Schema reads a pattern).
    /// </summary>
    public const string NotBlank = @"\S";

    /// <summary>
    /// Whether <paramref name="pattern"/> matches the whole of <paramref name="text"/>. In .NET a pattern's <c>$</c> also
    /// matches before a final line feed, so <c>"dong-quang\n"</c> would pass <c>^[a-z-]+$</c>; the documents' patterns
    /// (ECMAScript's <c>$</c>) do not let it through, and neither does this.
    /// </summary>
    public static bool IsWholly(this Regex pattern, string text) => pattern.Match(text) is { Success: true, Index: 0 } match && match.Length == text.Length;
}
