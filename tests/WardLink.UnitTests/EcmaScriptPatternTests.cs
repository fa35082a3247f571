using CsCheck;
using WardLink.Domain;
using WardLink.Testing;

namespace WardLink.UnitTests;

/// <summary>
/// What the documents call not blank (<see cref="Patterns.NotBlank"/>, read as ECMAScript reads it) is what the services do not
/// refuse as blank (.NET's white space): every character of the Basic Multilingual Plane alone, and generated texts. The
/// documents' other patterns are held to .NET's reading of them by the bad-input suite, pattern by pattern.
/// </summary>
public sealed class EcmaScriptPatternTests
{
    [Fact]
    public void A_text_the_documents_call_not_blank_is_one_the_services_do_not_refuse_blank()
    {
        using var notBlank = EcmaScriptPatterns.Read(Patterns.NotBlank);
        for (var code = 0; code <= char.MaxValue; code++)
        {
            var text = ((char)code).ToString();
            if (!char.IsSurrogate(text[0]))
            {
                Assert.True(notBlank.Finds(text) == !string.IsNullOrWhiteSpace(text), $"U+{code:X4}: ECMAScript {notBlank.Finds(text)}");
            }
        }

        EcmaScriptPatterns.Texts.Sample(
            text => Assert.True(notBlank.Finds(text) == !string.IsNullOrWhiteSpace(text), EcmaScriptPatterns.Escaped(text)),
            iter: 2000,
            threads: 1);
    }
}
