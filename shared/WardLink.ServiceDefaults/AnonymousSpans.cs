using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using OpenTelemetry;
using WardLink.Domain;

namespace WardLink.ServiceDefaults;

/// <summary>
/// What no span takes out of a process, whatever instrumentation put it there (ASP.NET Core's and HttpClient's add the
/// caller's browser string and the path): the caller's user agent, which would follow a tipster's tip into the traces,
/// and a public follow-up code in a path or URL (<c>/public/tips/{code}</c>), which names one tip's thread, however mistyped
/// the path around it; and on a public path, any part of its query but a <c>ward=</c> (the one name a public operation's query
/// takes): a name of a client's making, or a part with no <c>=</c>, which instrumentation shows whole where it hides a
/// value, may be what a tipster typed (a phone number sent as <c>?+84 912…</c>). A request answered with an error (4xx, 5xx),
/// whatever its path, shows of its path only the API's own words (<paramref name="apiWords"/>: the literal segments of the
/// process's routes) and record ids, every other segment as <c>{segment}</c>, and of its query only a <c>ward=</c> part: a
/// path no operation reads, or one the caller may not use, may hold what a client typed by mistake (a code pasted into
/// <c>/api/pubilc/tips/…</c> or <c>/api/tips/…</c>, a name). It runs when a span ends, before any exporter sees it.
/// </summary>
public sealed partial class AnonymousSpans(Func<IReadOnlySet<string>>? apiWords = null) : BaseProcessor<Activity>
{
    private readonly Lazy<IReadOnlySet<string>> _apiWords = new(apiWords ?? (() => new HashSet<string>()));

    private static readonly string[] UserAgentTags = ["user_agent.original", "http.user_agent"];
    private static readonly string[] UrlTags = ["url.path", "url.full", "url.original", "http.target", "http.url"];

    /// <summary>The status a server or client span's request was answered with (an integer).</summary>
    private const string StatusTag = "http.response.status_code";

    /// <summary>The query's own tag (with or without its <c>?</c>), beside the span's <c>url.path</c>.</summary>
    private const string QueryTag = "url.query";

    /// <summary>The names a public operation's query takes (a public tip's <c>ward</c>), shown with their values.</summary>
    private static readonly HashSet<string> PublicQueryNames = new([WardFree.WardParameter], StringComparer.Ordinal);

    private const string QueryPartShown = "Redacted";

    /// <summary>
    /// A tag a span of the process's own sets (true) when it calls an address of another's making, a partner's webhook: the
    /// path and query of that address may hold the receiver's secret, so the HTTP client's span under it shows the address's
    /// origin alone (<c>https://host:port/{path}</c>).
    /// </summary>
    public const string AddressWithheldTag = "wardlink.address_withheld";

    private const string PathWithheld = "/{path}";

    public override void OnEnd(Activity data)
    {
        foreach (var tag in UserAgentTags)
        {
            data.SetTag(tag, null);
        }

        if (data.Parent?.GetTagItem(AddressWithheldTag) is true)
        {
            foreach (var tag in UrlTags)
            {
                if (data.GetTagItem(tag) is string url)
                {
                    data.SetTag(tag, PartsOf(url).Origin + PathWithheld);
                }
            }

            if (data.GetTagItem(QueryTag) is string)
            {
                data.SetTag(QueryTag, QueryPartShown);
            }

            return;
        }

        var failed = data.GetTagItem(StatusTag) is int status and >= 400;
        if (data.GetTagItem(QueryTag) is string tagged)
        {
            // ASP.NET Core's instrumentation writes the query with its '?', which stays in front: read as the first name's, it hid a
            // public request's ward.
            var (mark, query) = tagged.StartsWith('?') ? ("?", tagged[1..]) : (string.Empty, tagged);
            data.SetTag(QueryTag, mark + (failed || (data.GetTagItem("url.path") is string path && IsPublic(path)) ? PublicQuery(query) : WithoutFollowUpCode(query)));
        }

        foreach (var tag in UrlTags)
        {
            if (data.GetTagItem(tag) is string url)
            {
                data.SetTag(tag, failed ? WordsAndIds(url, _apiWords.Value) : WithoutFollowUpCode(url));
            }
        }

        data.DisplayName = WithoutFollowUpCode(data.DisplayName);
    }

    /// <summary>
    /// <paramref name="text"/> with every segment of a public path that is not one of the API's own words shown as
    /// <c>{code}</c>: a follow-up code (<c>/public/tips/{code}</c>), and whatever a client typed there instead of a word
    /// (<c>/public/tip/…</c>, <c>/public/tips;x/…</c>, <c>/public/…</c>), which may be a code all the same. A public path spelled
    /// otherwise than it is read (<c>/public//tips/</c>, <c>tips%2F</c>, <c>%74ips</c>, a backslash, <c>/./</c>, escapes escaped
    /// again) is shown as read, every escape decoded and every run of separators one slash.
    /// </summary>
    public static string WithoutFollowUpCode(string text)
    {
        var (origin, path, query) = PartsOf(text);
        var read = AsRead(path);
        var shown = PublicPath().Matches(read).Select(match => match.Value).SequenceEqual(PublicPath().Matches(path).Select(match => match.Value), StringComparer.Ordinal)
            ? Redacted(path)
            : Redacted(read);
        return origin + (query is null ? shown : $"{shown}?{(PublicPath().IsMatch(read) ? PublicQuery(query) : WithoutFollowUpCode(query))}");
    }

    /// <summary>
    /// <paramref name="url"/> as an error's span shows it: its origin, each segment of its path that is one of
    /// <paramref name="words"/> or a record's id as written, every other one <c>{segment}</c>, and of its query only a
    /// <c>ward=</c> part.
    /// </summary>
    private static string WordsAndIds(string url, IReadOnlySet<string> words)
    {
        var (origin, path, query) = PartsOf(url);
        var shown = string.Join('/', path.Split('/').Select(segment =>
            segment.Length == 0 || words.Contains(segment) || QueryForms.IsId(segment) ? segment : SegmentShown));
        return origin + (query is null ? shown : $"{shown}?{PublicQuery(query)}");
    }

    private const string SegmentShown = "{segment}";

    /// <summary>A URL's origin (<c>https://host:port</c>, empty for a path alone), its path and its query (null: none).</summary>
    private static (string Origin, string Path, string? Query) PartsOf(string url)
    {
        var origin = Origin().Match(url).Value;
        var rest = url[origin.Length..];
        return rest.IndexOf('?', StringComparison.Ordinal) is var at and >= 0 ? (origin, rest[..at], rest[(at + 1)..]) : (origin, rest, null);
    }

    /// <summary>The words of <paramref name="endpoints"/>' routes: every literal segment (<c>api</c>, <c>tips</c>, <c>messages</c>).</summary>
    public static IReadOnlySet<string> WordsOf(EndpointDataSource endpoints) =>
        endpoints.Endpoints.OfType<RouteEndpoint>()
            .SelectMany(endpoint => endpoint.RoutePattern.PathSegments)
            .Select(segment => segment.Parts is [RoutePatternLiteralPart literal] ? literal.Content : null)
            .OfType<string>()
            .ToHashSet(StringComparer.Ordinal);

    private static bool IsPublic(string path) => PublicPath().IsMatch(AsRead(path));

    /// <summary>
    /// A public path's query (without its <c>?</c>) as shown: each part <c>Redacted</c> but a <see cref="PublicQueryNames"/> one,
    /// whose value is shown only as instrumentation hides it or as a ward's id is written (anything else a tipster typed there too).
    /// </summary>
    private static string PublicQuery(string query) => string.Join('&', query.Split('&').Select(part =>
        part.Length == 0 ? part
        : part.Split('=', 2) is [var name, var value] && PublicQueryNames.Contains(name) ? $"{name}={(value == QueryPartShown || WardNames.IsId(value) ? value : QueryPartShown)}"
        : QueryPartShown));

    private const string CodeShown = "{code}";

    /// <summary>The segments a public path may show: the API's own words (and the code's place holder).</summary>
    private static readonly HashSet<string> PublicWords = new(["", "tips", "messages", CodeShown], StringComparer.OrdinalIgnoreCase);

    private static string Redacted(string text) => PublicPath().Replace(
        text,
        path => path.Groups["public"].Value + string.Join('/', path.Groups["rest"].Value.Split('/').Select(segment => PublicWords.Contains(segment) ? segment : CodeShown)));

    /// <summary>The text with its escapes decoded (up to three times over), backslashes as slashes and runs of slashes and <c>/./</c> as one slash.</summary>
    private static string AsRead(string text)
    {
        for (var round = 0; round < 3 && text.Contains('%', StringComparison.Ordinal); round++)
        {
            text = Uri.UnescapeDataString(text);
        }

        return Separators().Replace(text.Replace('\\', '/'), "/");
    }

    [GeneratedRegex(@"(?<public>/public)(?<rest>(?:/[^/]*)+)", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, matchTimeoutMilliseconds: 1000)]
    private static partial Regex PublicPath();

    [GeneratedRegex(@"/(?:\.?/)+", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex Separators();

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex Origin();
}
