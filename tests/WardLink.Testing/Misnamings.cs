namespace WardLink.Testing;

/// <summary>What a buggy client writes for a name the documents give: its first letter in capitals, or misspelt.</summary>
public static class Misnamings
{
    /// <summary><paramref name="name"/> with its first letter in capitals (<c>ward</c>: <c>Ward</c>).</summary>
    public static string Capitalised(string name) => char.ToUpperInvariant(name[0]) + name[1..];

    /// <summary>Other names than <paramref name="name"/> a strict reader takes it for, each with what it is: in capitals, and misspelt (an s added).</summary>
    public static IEnumerable<(string What, string Name)> Of(string name) => [("in another letter case", Capitalised(name)), ("misspelt", name + "s")];
}
