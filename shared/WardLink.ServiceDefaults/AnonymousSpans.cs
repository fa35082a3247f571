using System.Diagnostics;
using System.Text.RegularExpressions;
using OpenTelemetry;

namespace WardLink.ServiceDefaults;

/// <summary>
/// What no span takes out of a process, whatever instrumentation put it there (ASP.NET Core's and HttpClient's add the
/// caller's browser string and the path): the caller's user agent, which would follow a tipster's tip into the traces,
/// and a public follow-up code in a path or URL (<c>/public/tips/{code}</c>), which names one tip's thread. It runs when a
/// span ends, before any exporter sees it.
/// </summary>
public sealed partial class AnonymousSpans : BaseProcessor<Activity>
{
    private static readonly string[] UserAgentTags = ["user_agent.original", "http.user_agent"];
    private static readonly string[] UrlTags = ["url.path", "url.full", "url.original", "http.target", "http.url"];

    public override void OnEnd(Activity data)
    {
        foreach (var tag in UserAgentTags)
        {
            data.SetTag(tag, null);
        }

        foreach (var tag in UrlTags)
        {
            if (data.GetTagItem(tag) is string url)
            {
                data.SetTag(tag, WithoutFollowUpCode(url));
            }
        }

        data.DisplayName = WithoutFollowUpCode(data.DisplayName);
    }

    /// <summary>
    /// <paramref name="text"/> with the follow-up code of every public tip path in it shown as <c>{code}</c>: as written, and
    /// however else a client spelled the path (<c>/public//tips/</c>, <c>tips%2F</c>, <c>%74ips</c>, a backslash, <c>/./</c>,
    /// escapes escaped again), which is then shown as read, every escape decoded and every run of separators one slash.
    /// </summary>
    public static string WithoutFollowUpCode(string text)
    {
        var shown = FollowUpCode().Replace(text, CodeShown);
        var read = AsRead(text);
        return FollowUpCode().Matches(read).Any(code => shown.Contains(code.Groups["code"].Value, StringComparison.OrdinalIgnoreCase))
            ? FollowUpCode().Replace(read, CodeShown)
            : shown;
    }

    private const string CodeShown = "/public/tips/{code}";

    /// <summary>The text with its escapes decoded (up to three times over), backslashes as slashes and runs of slashes and <c>/./</c> as one slash.</summary>
    private static string AsRead(string text)
    {
        for (var round = 0; round < 3 && text.Contains('%', StringComparison.Ordinal); round++)
        {
            text = Uri.UnescapeDataString(text);
        }

        return Separators().Replace(text.Replace('\\', '/'), "/");
    }

    [GeneratedRegex(@"/public/tips/(?!\{code\})(?<code>[^/?#\s]+)", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, matchTimeoutMilliseconds: 1000)]
    private static partial Regex FollowUpCode();

    [GeneratedRegex(@"/(?:\.?/)+", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex Separators();
}
