namespace WardLink.ServiceDefaults;

/// <summary>Paths of an API document (<c>/api/tips/{id}</c>) against the paths of requests, as routing matches them.</summary>
public static class ApiPaths
{
    /// <summary>A path's segments, without its leading and trailing slashes and its query.</summary>
    public static string[] Segments(string path) => path.Split('?')[0].Trim('/').Split('/');

    /// <summary>
    /// How many literal segments of <paramref name="template"/> the request's <paramref name="segments"/> match (in their
    /// letter case, as <see cref="ExactPaths"/> holds routing to), or -1 when they do not match it; routing prefers the
    /// template with the most (<c>/tips/stats</c> over <c>/tips/{id}</c>).
    /// </summary>
    public static int LiteralsMatching(string[] template, string[] segments)
    {
        if (template.Length != segments.Length)
        {
            return -1;
        }

        var literals = 0;
        for (var i = 0; i < segments.Length; i++)
        {
            if (template[i].StartsWith('{'))
            {
                continue;
            }

            if (!string.Equals(template[i], segments[i], StringComparison.Ordinal))
            {
                return -1;
            }

            literals++;
        }

        return literals;
    }
}
