using System.Text.RegularExpressions;
using CsCheck;
using Jint;
using WardLink.Domain;
using WardLink.EventSourcing;
using WardLink.EventSourcing.Idempotency;
using WardLink.Gateway;
using WardLink.Patrols;
using WardLink.ServiceDefaults;

namespace WardLink.UnitTests;

/// <summary>
/// A pattern the documents state is read by a partner's validator as JSON Schema reads it: an ECMAScript regular expression
/// (ajv, with its <c>u</c> flag). The services check the same pattern with .NET's engine, where <c>\s</c>, <c>\S</c>,
/// <c>\d</c> and <c>\w</c> mean other characters (.NET's <c>\s</c> takes U+0085 and not U+FEFF, ECMAScript's the other way
/// round): a body the document takes was refused, and one it refuses was stored. Each pattern is run in a real ECMAScript
/// engine (Jint) and in .NET's against the same generated texts, made of the characters where the two could differ.
/// </summary>
public sealed class EcmaScriptPatternTests
{
    /// <summary>Characters where engines' classes differ: white space of either kind, other digits and letters, an astral one.</summary>
    private static readonly string[] Tricky =
    [
        " ", "\t", "\n", "\r", "\v", "\f", "\u0085", "\u00a0", "\u1680", "\u180e", "\u2000", "\u200a", "\u200b", "\u2028", "\u2029",
        "\u202f", "\u205f", "\u3000", "\ufeff", "\u0660", "\u0661", "\uff10", "\uff21", "é", "e\u0301", "İ", "ı", "ſ", "\u212a", "_",
        "\U0001d7ce", "\U0001f600",
    ];

    /// <summary>Every pattern a service checks a text against with .NET's engine and states in its document.</summary>
    public static TheoryData<string, string> Checked() => new()
    {
        { nameof(ContactFormats.PhonePattern), ContactFormats.PhonePattern },
        { nameof(ContactFormats.EmailPattern), ContactFormats.EmailPattern },
        { nameof(WardNames.IdPattern), WardNames.IdPattern },
        { nameof(WardNames.CodePattern), WardNames.CodePattern },
        { nameof(YearlyNumbers), YearlyNumbers.Pattern },
        { nameof(IdempotencyKeys), IdempotencyKeys.Pattern },
        { nameof(ServiceIdentity.NamePattern), ServiceIdentity.NamePattern },
        { nameof(LocalWindow.StartPattern), LocalWindow.StartPattern },
        { nameof(LocalWindow.EndPattern), LocalWindow.EndPattern },
        { nameof(Cors.OriginPattern), Cors.OriginPattern },
    };

    /// <summary>Texts each pattern takes, to mutate: random texts alone would almost never match a tip number.</summary>
    private static readonly string[] Matching =
    [
        "+84 977 123 456", "someone@example.org", "dong-quang", "DQ", "TIP-QT-2024-0042", "key-1", "tips", "06:30", "24:00",
        "https://wards.example.org:8443",
    ];

    [Theory]
    [MemberData(nameof(Checked))]
    public void A_documented_pattern_takes_in_ECMAScript_what_the_service_takes(string name, string pattern)
    {
        using var ecmaScript = new EcmaScriptPattern(pattern);
        var dotNet = new Regex(pattern, RegexOptions.CultureInvariant);
        Texts.Sample(
            text => Assert.True(
                ecmaScript.Matches(text) == dotNet.IsWholly(text),
                $"{name} {pattern}: ECMAScript {ecmaScript.Matches(text)}, .NET {dotNet.IsWholly(text)} for '{Escaped(text)}'"),
            iter: 2000,
            threads: 1);
    }

    [Fact]
    public void A_text_the_documents_call_not_blank_is_one_the_services_do_not_refuse_blank()
    {
        using var notBlank = new EcmaScriptPattern(Patterns.NotBlank);
        for (var code = 0; code <= char.MaxValue; code++)
        {
            var text = ((char)code).ToString();
            if (!char.IsSurrogate(text[0]))
            {
                Assert.True(notBlank.Matches(text) == !string.IsNullOrWhiteSpace(text), $"U+{code:X4}: ECMAScript {notBlank.Matches(text)}");
            }
        }

        Texts.Sample(text => Assert.True(notBlank.Matches(text) == !string.IsNullOrWhiteSpace(text), Escaped(text)), iter: 2000, threads: 1);
    }

    /// <summary>Texts of tricky and ordinary characters, and matching texts with a tricky character put in, replacing, or added.</summary>
    private static readonly Gen<string> Texts = Gen.OneOf(
        Gen.OneOf(OneOf(Tricky), Gen.Char['!', '~'].Select(c => c.ToString())).Array[0, 12].Select(parts => string.Concat(parts)),
        Gen.Select(OneOf(Matching), OneOf(Tricky), Gen.Int[0, 40], Gen.Int[0, 2]).Select((text, tricky, at, how) =>
        {
            var index = Math.Min(at, text.Length);
            return how switch
            {
                0 => text.Insert(index, tricky),
                1 when index < text.Length && !char.IsSurrogate(text[index]) => text.Remove(index, 1).Insert(index, tricky),
                _ => text + tricky,
            };
        }));

    private static Gen<string> OneOf(string[] texts) => Gen.Int[0, texts.Length - 1].Select(index => texts[index]);

    private static string Escaped(string text) => string.Concat(text.Select(c => c is >= '!' and <= '~' ? c.ToString() : $"\\u{(int)c:x4}"));

    /// <summary>A pattern as ECMAScript reads it (the <c>u</c> flag, as ajv sets it), run by Jint (one thread at a time).</summary>
    private sealed class EcmaScriptPattern : IDisposable
    {
        private readonly Engine _engine = new();

        public EcmaScriptPattern(string pattern) => _engine.SetValue("pattern", pattern).Execute("const regex = new RegExp(pattern, 'u');");

        public bool Matches(string text) => _engine.SetValue("text", text).Evaluate("regex.test(text)").AsBoolean();

        public void Dispose() => _engine.Dispose();
    }
}
