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

    /// <summary><paramref name="text"/> with the follow-up code of every public tip path in it shown as <c>{code}</c>.</summary>
    public static string WithoutFollowUpCode(string text) => FollowUpCode().Replace(text, "/public/tips/{code}");

    [GeneratedRegex(@"/public/tips/(?!\{code\})[^/?#\s]+", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, matchTimeoutMilliseconds: 1000)]
    private static partial Regex FollowUpCode();
}
