using System.Diagnostics;
using CsCheck;
using WardLink.Domain;
using WardLink.ServiceDefaults;

namespace WardLink.UnitTests.Privacy;

/// <summary>A span leaves a process without the caller's user agent and without a follow-up code in any path or URL it names.</summary>
public sealed class AnonymousSpansTests
{
    private static readonly Gen<string> Codes = Gen.Char["ABCDEFGHJKLMNPQRSTUVWXYZ23456789"].Array[12].Select(chars => new string(chars));

    /// <summary>
    /// An HTTP call under a span that calls an address of another's making (a partner's webhook, whose path may hold its
    /// receiver's secret) shows that address's origin alone, whatever its path and query, answered or not; a sibling call
    /// under no such span keeps its path.
    /// </summary>
    [Fact]
    public void A_call_under_a_span_withholding_its_address_shows_the_origin_alone()
    {
        Gen.Select(Gen.String[Gen.Char["abcXYZ019-_~.%/"], 1, 40], Gen.OneOf(Gen.Const(""), Gen.Const("?token=s3cr3t")), Gen.OneOf(Gen.Const(200), Gen.Const(500))).Sample((path, query, status) =>
        {
            using var delivery = new Activity("webhook CameraApproved");
            delivery.SetTag(AnonymousSpans.AddressWithheldTag, true);
            delivery.Start();
            using var call = new Activity("POST");
            call.SetTag("url.full", $"https://hooks.example.net:8443/{path}{query}");
            call.SetTag("url.query", query);
            call.SetTag("http.response.status_code", status);
            call.Start();

            new AnonymousSpans().OnEnd(call);
            call.Stop();
            delivery.Stop();

            Assert.Equal("https://hooks.example.net:8443/{path}", call.GetTagItem("url.full"));
            Assert.Equal("Redacted", call.GetTagItem("url.query"));
        });

        using var other = new Activity("POST");
        other.SetTag("url.full", "http://tips:8080/tips/stats?year=2024");
        new AnonymousSpans().OnEnd(other);
        Assert.Equal("http://tips:8080/tips/stats?year=2024", other.GetTagItem("url.full"));
    }

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
            span.SetTag("url.query", "ward=Redacted&Zqx Nguyen +84 912 000 777");
            span.SetTag("http.route", "/public/tips/{code}/messages");
            span.SetTag("wardlink.tip.id", "0193a000-0000-7000-8000-000000000001");

            new AnonymousSpans().OnEnd(span);

            Assert.Null(span.GetTagItem("user_agent.original"));
            Assert.Equal($"/api/public/tips/{{code}}{tail}", span.GetTagItem("url.path"));
            Assert.Equal($"{origin}/public/tips/{{code}}{tail}?Redacted", span.GetTagItem("url.full"));
            Assert.Equal($"POST {origin}/public/tips/{{code}}{tail}", span.DisplayName);
            Assert.Equal("ward=Redacted&Redacted", span.GetTagItem("url.query"));
            Assert.Equal("/public/tips/{code}/messages", span.GetTagItem("http.route"));
            Assert.Equal("0193a000-0000-7000-8000-000000000001", span.GetTagItem("wardlink.tip.id"));
        });

        Assert.Equal("/api/public/tips", AnonymousSpans.WithoutFollowUpCode("/api/public/tips"));
    }

    /// <summary>
    /// Whatever query a client sends to a public path, spelled however (its parts with and without <c>=</c>, names of its own,
    /// escapes, a second <c>?</c>), a span shows of it only a <c>ward=</c> part and <c>Redacted</c> for every other part, in
    /// its URLs and in its own <c>url.query</c> (which ASP.NET Core's instrumentation writes with its <c>?</c>, always: the ward was
    /// hidden too, read as a part named <c>?ward</c>; the tag without one is the first test's), each <c>ward=</c> part of a ward's id or instrumentation's mark kept where it was
    /// sent; a query on any other path is shown as instrumentation left it.
    /// </summary>
    [Fact]
    public void A_public_paths_query_shows_only_its_ward_and_a_mark_for_every_other_part()
    {
        var parts = Gen.OneOf(
            Gen.String[Gen.Char["abcwardWARD=+%2 @.?;-0123456789"], 0, 16],
            Gen.String,
            Gen.Const("ward=Redacted"),
            Gen.Const("ward=dong-quang"),
            Gen.Const("Ward=x"),
            Gen.Const("ward"));
        Gen.Select(Gen.Int[0, Spellings.Length - 1], parts.Array[1, 5]).Sample((which, sent) =>
        {
            const string mark = "?";
            var query = string.Join('&', sent);
            var path = $"/api{Spellings[which]}";
            using var span = new Activity("request");
            span.SetTag("url.path", path);
            span.SetTag("url.query", mark + query);
            span.SetTag("url.full", $"http://tips:8080{path}?{query}");

            new AnonymousSpans().OnEnd(span);

            var shown = ((string)span.GetTagItem("url.full")!).Split('?', 2)[1];
            Assert.Equal(mark + shown, span.GetTagItem("url.query"));
            Assert.All(shown.Split('&'), part => Assert.True(part is "" or "Redacted" or "ward=Redacted" || part.StartsWith("ward=", StringComparison.Ordinal) && WardNames.IsId(part[5..]) && sent.Contains(part), part));
            Assert.All(
                query.Split('&').Zip(shown.Split('&')),
                pair => Assert.True(!(pair.First == "ward=Redacted" || pair.First.StartsWith("ward=", StringComparison.Ordinal) && WardNames.IsId(pair.First[5..])) || pair.Second == pair.First, $"{pair.First} shown as {pair.Second}"));

            using var police = new Activity("request");
            police.SetTag("url.path", "/api/tips");
            police.SetTag("url.query", mark + query);
            new AnonymousSpans().OnEnd(police);
            Assert.Equal(mark + query, police.GetTagItem("url.query"));
        });
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
    /// A code glued to an escaped character that reads as no separator of a path's segments (<c>?</c>, <c>#</c>, a space, a tab,
    /// escaped once or twice) is part of its segment as read, and gone with it: it stayed in the span where the escape read as
    /// the start of a query.
    /// </summary>
    [Fact]
    public void A_follow_up_code_after_an_escaped_query_mark_or_space_is_gone_too()
    {
        var escapes = Gen.OneOf(Gen.Const("%3F"), Gen.Const("%3f"), Gen.Const("%23"), Gen.Const("%20"), Gen.Const("%09"), Gen.Const("%253F"), Gen.Const("+"));
        Gen.Select(Codes, escapes, Gen.Bool, Gen.OneOf(Gen.Const(""), Gen.Const("?ward=Redacted"))).Sample((code, escape, ownSegment, query) =>
        {
            var url = $"https://gateway.example/api/public/tips{(ownSegment ? "/" : "")}{escape}{code}{query}";
            var shown = AnonymousSpans.WithoutFollowUpCode(url);

            Assert.DoesNotContain(code, shown, StringComparison.OrdinalIgnoreCase);
            Assert.Matches("/api/public/(tips/)?{code}", shown);
            Assert.EndsWith(query, shown, StringComparison.Ordinal);
        });
    }

    /// <summary>
    /// A code in what reads as no path of its URL is gone too: a path escaped before its public words (<c>/api%3F/public/tips/…</c>,
    /// which a span's <c>url.path</c> shows decoded), the query of any path that names a public path, escaped or not.
    /// </summary>
    [Fact]
    public void A_follow_up_code_in_what_reads_as_a_query_is_gone_too() =>
        Codes.Sample(code =>
        {
            foreach (var (tag, value) in new[]
            {
                ("url.path", $"/api?/public/tips/{code}"),
                ("url.full", $"https://gateway.example/api/tips?next=%2Fpublic%2Ftips%2F{code}"),
                ("url.query", $"next=/api/public/tips/{code}/messages"),
            })
            {
                using var span = new Activity("request");
                span.SetTag("url.path", "/api/tips");
                span.SetTag(tag, value);

                new AnonymousSpans().OnEnd(span);

                Assert.DoesNotContain(code, (string)span.GetTagItem(tag)!, StringComparison.OrdinalIgnoreCase);
            }
        });

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
        Assert.Equal("http://127.0.0.1:5103/public/tips/{code}", AnonymousSpans.WithoutFollowUpCode("http://127.0.0.1:5103/public/%74ips/QZ7K2M9PX4RT"));
        Assert.Equal("/api/tips/0193a000-0000-7000-8000-000000000001", AnonymousSpans.WithoutFollowUpCode("/api/tips/0193a000-0000-7000-8000-000000000001"));
    }

    /// <summary>
    /// A request answered with an error, whatever its path (a public path mistyped, <c>/api/pubilc/tips/…</c>, a code pasted
    /// into a police path, a name): its span shows the URL's origin, the API's words and record ids where they were, every
    /// other segment as <c>{segment}</c> and of its query only a <c>ward=</c> part; a request served keeps its path.
    /// </summary>
    [Fact]
    public void A_failed_request_s_span_shows_only_the_api_s_words_and_ids_of_its_path()
    {
        var words = new HashSet<string>(["api", "tips", "public", "messages", "incidents"], StringComparer.Ordinal);
        var typed = Gen.OneOf(Codes, Gen.String[Gen.Char["abcxyzZQ0129 %+.;-"], 1, 16], Gen.Const("pubilc"), Gen.Const("public-tips"), Gen.Const("Tips"));
        var segment = Gen.OneOf(Gen.Int[0, 4].Select(i => words.Order(StringComparer.Ordinal).ElementAt(i)), Gen.Guid.Select(id => id.ToString()), typed);
        Gen.Select(segment.Array[1, 5], Gen.OneOf(Gen.Const(""), Gen.Const("http://127.0.0.1:5103"), Gen.Const("https://gateway.example")), Gen.Int[400, 599], typed.Array[0, 2]).Sample((segments, origin, status, query) =>
        {
            var path = "/" + string.Join('/', segments);
            var sent = query.Length == 0 ? path : $"{path}?{string.Join('&', query)}";
            using var span = new Activity("request");
            span.SetTag("http.response.status_code", status);
            span.SetTag("url.path", path);
            span.SetTag("url.full", origin + sent);
            span.SetTag("url.query", query.Length == 0 ? null : string.Join('&', query));

            new AnonymousSpans(() => words).OnEnd(span);

            var shown = (string)span.GetTagItem("url.full")!;
            Assert.StartsWith(origin + "/", shown, StringComparison.Ordinal);
            var shownSegments = shown[(origin.Length + 1)..].Split('?')[0].Split('/');
            Assert.Equal(segments.Length, shownSegments.Length);
            Assert.All(segments.Zip(shownSegments), pair =>
                Assert.Equal(words.Contains(pair.First) || Guid.TryParseExact(pair.First, "D", out _) ? pair.First : "{segment}", pair.Second));
            foreach (var shownQuery in new[] { (string?)span.GetTagItem("url.query"), shown.Split('?', 2).ElementAtOrDefault(1) }.OfType<string>())
            {
                Assert.All(shownQuery.Split('&'), part => Assert.True(part is "" or "Redacted", $"{part} shown of {string.Join('&', query)}"));
            }
        });

        using var served = new Activity("request");
        served.SetTag("http.response.status_code", 200);
        served.SetTag("url.path", "/api/partners/wards/dong-quang");
        new AnonymousSpans(() => words).OnEnd(served);
        Assert.Equal("/api/partners/wards/dong-quang", served.GetTagItem("url.path"));
    }
}
