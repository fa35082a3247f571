using System.Text.RegularExpressions;
using CsCheck;
using Jint;

namespace WardLink.Testing;

/// <summary>
/// A pattern the documents state is read by a partner's validator as JSON Schema reads it: an ECMAScript regular expression
/// (ajv's, with its <c>u</c> flag). The services check theirs with .NET's engine, where <c>\s</c>, <c>\S</c>, <c>\d</c> and
/// <c>\w</c> mean other characters (.NET's <c>\s</c> takes U+0085 and not U+FEFF, ECMAScript's the other way round; .NET's
/// <c>\d</c> takes every script's digits). <see cref="Read"/> runs a pattern in a real ECMAScript engine (Jint), and
/// <see cref="Texts"/> are made of the characters where the two engines could differ.
/// </summary>
public static class EcmaScriptPatterns
{
    /// <summary>Characters where engines' classes differ: white space of either kind, other digits and letters, an astral one.</summary>
    private static readonly string[] Tricky =
    [
        " ", "\t", "\n", "\r", "\v", "\f", "\u0085", "\u00a0", "\u1680", "\u180e", "\u2000", "\u200a", "\u200b", "\u2028", "\u2029",
        "\u202f", "\u205f", "\u3000", "\ufeff", "\u0660", "\u0661", "\uff10", "\uff21", "é", "e\u0301", "İ", "ı", "ſ", "\u212a", "_",
        "\U0001d7ce", "\U0001f600",
    ];

    /// <summary>Texts the documents' patterns take, to change: random texts alone would almost never be a tip number.</summary>
    private static readonly string[] Matching =
    [
        "+84 977 123 456", "someone@example.org", "dong-quang", "DQ", "TIP-QT-2024-0042", "key-1", "tips", "06:30", "24:00",
        "https://wards.example.org:8443", "\"12\"", "-42", "1.5e3", "00:30:00", "/api/tips", "W/\"3\", \"4\"",
    ];

    /// <summary>Texts of tricky and ordinary characters, and matching texts with a tricky character put in, in place of one, or after.</summary>
    public static readonly Gen<string> Texts = Gen.OneOf(
        Gen.OneOf(OneOf(Tricky), Gen.Char['!', '~'].Select(c => c.ToString())).Array[0, 12].Select(parts => string.Concat(parts)),
        Gen.Select(OneOf(Matching), OneOf(Tricky), Gen.Int[0, 40], Gen.Int[0, 2]).Select((text, tricky, at, how) =>
        {
            var index = Math.Min(at, text.Length);
            return how switch
            {
                0 => text.Insert(index, tricky),
                1 when index < text.Length => text.Remove(index, 1).Insert(index, tricky),
                _ => text + tricky,
            };
        }));

    /// <summary><paramref name="pattern"/> as ECMAScript reads it (one thread at a time).</summary>
    public static EcmaScriptPattern Read(string pattern) => new(pattern);

    /// <summary>
    /// Whether <paramref name="pattern"/> finds a match in <paramref name="text"/> as .NET's engine reads it. Compare it with
    /// ECMAScript's on texts that do not end in a line feed: .NET's <c>$</c> also matches before one (the services check a
    /// whole text, <c>Patterns.IsWholly</c>, and <c>PatternsTests</c> holds that case).
    /// </summary>
    public static bool DotNetFinds(string pattern, string text) => Regex.IsMatch(text, pattern, RegexOptions.CultureInvariant);

    /// <summary><paramref name="text"/> with every character outside printable ASCII as <c>\uXXXX</c>.</summary>
    public static string Escaped(string text) => string.Concat(text.Select(c => c is >= ' ' and <= '~' ? c.ToString() : $"\\u{(int)c:x4}"));

    private static Gen<string> OneOf(string[] texts) => Gen.Int[0, texts.Length - 1].Select(index => texts[index]);
}

/// <summary>A pattern as ECMAScript reads it (the <c>u</c> flag, as ajv sets it), run by Jint.</summary>
public sealed class EcmaScriptPattern : IDisposable
{
    private readonly Engine _engine = new();

    internal EcmaScriptPattern(string pattern) => _engine.SetValue("pattern", pattern).Execute("const regex = new RegExp(pattern, 'u');");

    /// <summary>Whether the pattern finds a match in <paramref name="text"/> (unanchored, as JSON Schema reads a pattern).</summary>
    public bool Finds(string text) => _engine.SetValue("text", text).Evaluate("regex.test(text)").AsBoolean();

    public void Dispose() => _engine.Dispose();
}
