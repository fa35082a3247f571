using System.Diagnostics.CodeAnalysis;

namespace WardLink.Domain;

/// <summary>
/// A text's length as the API documents state it: JSON Schema's <c>maxLength</c> counts characters (Unicode code points),
/// so an emoji or a CJK Extension B letter, which .NET's <see cref="string.Length"/> counts as two UTF-16 units, is one
/// character; a lone surrogate, which stands for no character, counts as one. Every limit on a text a client sends is
/// checked with this count, so a text the document admits is never refused for its length.
/// </summary>
public static class Characters
{
    /// <summary>How many characters (code points) <paramref name="text"/> has.</summary>
    public static int Count(string text)
    {
        var count = 0;
        foreach (var _ in text.EnumerateRunes())
        {
            count++;
        }

        return count;
    }

    /// <summary>Whether <paramref name="text"/> (none counts as empty) has at most <paramref name="maxLength"/> characters.</summary>
    public static bool AtMost(string? text, int maxLength) =>
        text is null || text.Length <= maxLength || (text.Length <= 2 * maxLength && Count(text) <= maxLength);

    /// <summary>Whether <paramref name="text"/> has <paramref name="minLength"/> to <paramref name="maxLength"/> characters.</summary>
    public static bool Between(string text, int minLength, int maxLength) => Count(text) is var count && count >= minLength && count <= maxLength;

    /// <summary>
    /// <paramref name="text"/> as it is when it has at most <paramref name="maxLength"/> characters, else its first
    /// <paramref name="maxLength"/> - 1 and "…": never a character cut in half, whose half no JSON writer can write.
    /// </summary>
    [return: NotNullIfNotNull(nameof(text))]
    public static string? Cut(string? text, int maxLength)
    {
        if (text is null || AtMost(text, maxLength))
        {
            return text;
        }

        return string.Concat(Start(text, maxLength - 1), "…");
    }

    /// <summary>The first <paramref name="count"/> characters of <paramref name="text"/> (all of it when it has fewer), never a character cut in half.</summary>
    public static string Start(string text, int count)
    {
        var (kept, end) = (0, 0);
        foreach (var character in text.EnumerateRunes())
        {
            if (kept++ == count)
            {
                break;
            }

            end += character.Utf16SequenceLength;
        }

        return text[..end];
    }
}
