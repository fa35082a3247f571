using System.Diagnostics;
using CsCheck;
using WardLink.ServiceDefaults;

namespace WardLink.UnitTests.Privacy;

/// <summary>A span leaves a process without the caller's user agent and without a follow-up code in any path or URL it names.</summary>
public sealed class AnonymousSpansTests
{
    private static readonly Gen<string> Codes = Gen.Char["ABCDEFGHJKLMNPQRSTUVWXYZ23456789"].Array[12].Select(chars => new string(chars));

    [Fact]
    public void The_user_agent_and_every_follow_up_code_in_the_urls_and_the_name_are_gone_and_the_rest_stays()
    {
        Gen.Select(Codes, Gen.OneOf(Gen.Const(""), Gen.Const("/messages")), Gen.OneOf(Gen.Const("http://tips:8080/api"), Gen.Const(""), Gen.Const("https://gateway.example"))).Sample((code, tail, origin) =>
        {
            using var span = new Activity("request");
            span.DisplayName = $"POST {origin}/public/tips/{code}{tail}";
            span.SetTag("user_agent.original", "CanaryBrowser/1.0");
            span.SetTag("url.path", $"/api/public/tips/{code}{tail}");
            span.SetTag("url.full", $"{origin}/public/tips/{code}{tail}?lang=vi");
            span.SetTag("http.route", "/public/tips/{code}/messages");
            span.SetTag("wardlink.tip.id", "0193a000-0000-7000-8000-000000000001");

            new AnonymousSpans().OnEnd(span);

            Assert.Null(span.GetTagItem("user_agent.original"));
            Assert.Equal($"/api/public/tips/{{code}}{tail}", span.GetTagItem("url.path"));
            Assert.Equal($"{origin}/public/tips/{{code}}{tail}?lang=vi", span.GetTagItem("url.full"));
            Assert.Equal($"POST {origin}/public/tips/{{code}}{tail}", span.DisplayName);
            Assert.Equal("/public/tips/{code}/messages", span.GetTagItem("http.route"));
            Assert.Equal("0193a000-0000-7000-8000-000000000001", span.GetTagItem("wardlink.tip.id"));
        });

        Assert.Equal("/api/public/tips", AnonymousSpans.WithoutFollowUpCode("/api/public/tips"));
    }

    /// <summary>The ways a client may spell the public tips path in front of a code, each still read as that path by someone.</summary>
    private static readonly string[] Spellings =
    [
        "/public/tips/", "/public//tips/", "//public/tips//", "/public/tips%2F", "/public%2ftips%2F", "/public/tips%252F", "/public/./tips/",
        "/public\\tips\\", "/PUBLIC/Tips/", "/%70ublic/%74ips/", "/public/tips/./", "/public%5Ctips%5c",
    ];

    [Fact]
    public void A_follow_up_code_is_gone_from_a_url_however_its_path_is_spelled()
    {
        Gen.Select(Codes, Gen.Int[0, Spellings.Length - 1], Gen.OneOf(Gen.Const(""), Gen.Const("/messages"), Gen.Const("?x=1"))).Sample((code, which, tail) =>
        {
            var url = $"/api{Spellings[which]}{code}{tail}";
            var shown = AnonymousSpans.WithoutFollowUpCode(url);

            Assert.DoesNotContain(code, shown, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("/tips/{code}", shown, StringComparison.OrdinalIgnoreCase);
        });
    }

    /// <summary>
    /// A public path mistyped (<c>/public/tip/</c>, <c>/public/tips;x/</c>, the code right after <c>/public/</c>, any word a
    /// client puts there) still leaves no code: no route reads it, but the span still names the path the client sent.
    /// </summary>
    [Fact]
    public void A_follow_up_code_is_gone_from_a_mistyped_public_path_too()
    {
        var typed = Gen.OneOf(Gen.Const("tip"), Gen.Const("tips;x"), Gen.Const("tipss"), Gen.Const("TIP"), Gen.String[Gen.Char.AlphaNumeric, 1, 12]);
        Gen.Select(Codes, typed.Array[0, 2], Gen.OneOf(Gen.Const(""), Gen.Const("/messages"), Gen.Const("?x=1"), Gen.Const("/"))).Sample((code, words, tail) =>
        {
            var url = $"https://gateway.example/api/public/{string.Concat(words.Select(word => word + "/"))}{code}{tail}";
            var shown = AnonymousSpans.WithoutFollowUpCode(url);

            Assert.DoesNotContain(code, shown, StringComparison.OrdinalIgnoreCase);
            Assert.StartsWith("https://gateway.example/api/public/", shown, StringComparison.Ordinal);
        });

        Assert.Equal("/api/public/tips?ward=dong-quang", AnonymousSpans.WithoutFollowUpCode("/api/public/tips?ward=dong-quang"));
        Assert.Equal("/api/tips/0193a000-0000-7000-8000-000000000001", AnonymousSpans.WithoutFollowUpCode("/api/tips/0193a000-0000-7000-8000-000000000001"));
    }
}
