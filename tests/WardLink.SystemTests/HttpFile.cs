using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace WardLink.SystemTests;

/// <summary>
/// One request of a <c>.http</c> file (the VS Code REST Client's format, which JetBrains and Visual Studio
/// read too): its title (the <c>###</c> line), its <c># @name</c>, the file variables defined in its block
/// (<c>@name = value</c>), and its method, address, headers and body, still with their <c>{{…}}</c>. A line
/// <c># expect NNN</c> says which status it shows (without one: a 2xx).
/// </summary>
public sealed record HttpFileRequest(
    int Line,
    string Title,
    string? Name,
    IReadOnlyList<(string Name, string Value)> Variables,
    string? Method,
    string? Address,
    IReadOnlyList<(string Name, string Value)> Headers,
    string? Body,
    int? Expect)
{
    public override string ToString() => $"line {Line}, {Title}";
}

/// <summary>A response (to the request sent to <paramref name="Address"/>), kept under its request's <c># @name</c> for the requests after it to refer to.</summary>
public sealed record HttpFileResponse(int Status, IReadOnlyDictionary<string, string> Headers, string Body, string Address);

/// <summary>Reads a <c>.http</c> file into its requests and fills in their <c>{{…}}</c> as the REST Client does.</summary>
public static partial class HttpFile
{
    public static IReadOnlyList<HttpFileRequest> Parse(IReadOnlyList<string> lines)
    {
        var requests = new List<HttpFileRequest>();
        var start = 0;
        for (var i = 1; i <= lines.Count; i++)
        {
            if (i == lines.Count || lines[i].StartsWith("###", StringComparison.Ordinal))
            {
                requests.Add(Block(lines, start, i));
                start = i;
            }
        }

        return requests;
    }

    /// <summary>The block of lines [<paramref name="from"/>, <paramref name="to"/>): comments, variables, then the request line, headers, a blank line and the body.</summary>
    private static HttpFileRequest Block(IReadOnlyList<string> lines, int from, int to)
    {
        var title = lines[from].StartsWith("###", StringComparison.Ordinal) ? lines[from].TrimStart('#').Trim() : "(before the first ###)";
        string? name = null, method = null, address = null;
        int? expect = null;
        var variables = new List<(string, string)>();
        var headers = new List<(string, string)>();
        var body = new StringBuilder();
        var (inHeaders, inBody) = (false, false);
        for (var i = from; i < to; i++)
        {
            var line = lines[i];
            if (inBody)
            {
                body.AppendLine(line);
            }
            else if (inHeaders)
            {
                if (line.Length == 0)
                {
                    inBody = true;
                }
                else
                {
                    var colon = line.IndexOf(':', StringComparison.Ordinal);
                    headers.Add((line[..colon].Trim(), line[(colon + 1)..].Trim()));
                }
            }
            else if (line.StartsWith('#') || line.StartsWith("//", StringComparison.Ordinal))
            {
                if (NameComment().Match(line) is { Success: true } named)
                {
                    name = named.Groups[1].Value;
                }
                else if (ExpectComment().Match(line) is { Success: true } expected)
                {
                    expect = int.Parse(expected.Groups[1].Value, CultureInfo.InvariantCulture);
                }
            }
            else if (Variable().Match(line) is { Success: true } variable)
            {
                variables.Add((variable.Groups[1].Value, variable.Groups[2].Value.Trim()));
            }
            else if (RequestLine().Match(line) is { Success: true } request)
            {
                (method, address, inHeaders) = (request.Groups[1].Value, request.Groups[2].Value, true);
            }
            else if (line.Trim().Length > 0)
            {
                throw new FormatException($"Line {i + 1}: '{line}' is neither a comment, a variable nor a request line.");
            }
        }

        var text = body.ToString().Trim();
        return new HttpFileRequest(from + 1, title, name, variables, method, address, headers, text.Length == 0 ? null : text, expect);
    }

    /// <summary>
    /// Fills in <paramref name="text"/>'s <c>{{…}}</c>: a file variable (itself filled in), a named response's
    /// <c>.response.body.$.path</c> or <c>.response.headers.Name</c>, <c>$guid</c>, <c>$datetime "format" [n unit]</c>.
    /// </summary>
    public static string Fill(string text, IReadOnlyDictionary<string, string> variables, IReadOnlyDictionary<string, HttpFileResponse> responses, DateTimeOffset now) =>
        Reference().Replace(text, match =>
        {
            var reference = match.Groups[1].Value.Trim();
            if (variables.TryGetValue(reference, out var value))
            {
                return Fill(value, variables, responses, now);
            }

            if (reference == "$guid")
            {
                return Guid.NewGuid().ToString();
            }

            if (DateTimeReference().Match(reference) is { Success: true } datetime)
            {
                var at = datetime.Groups[2].Success ? Offset(now, int.Parse(datetime.Groups[2].Value, CultureInfo.InvariantCulture), datetime.Groups[3].Value) : now;
                return at.ToString(datetime.Groups[1].Value, CultureInfo.InvariantCulture);
            }

            if (ResponseReference().Match(reference) is { Success: true } response)
            {
                var named = responses.TryGetValue(response.Groups[1].Value, out var answer)
                    ? answer
                    : throw new InvalidOperationException($"{{{{{reference}}}}}: no response named {response.Groups[1].Value} yet.");
                return response.Groups[2].Value == "headers"
                    ? named.Headers.TryGetValue(response.Groups[3].Value, out var header) ? header : throw new InvalidOperationException($"{{{{{reference}}}}}: {response.Groups[1].Value} answered no {response.Groups[3].Value} header.")
                    : JsonPath(named.Body, response.Groups[3].Value) ?? throw new InvalidOperationException($"{{{{{reference}}}}}: {response.Groups[1].Value}'s body has no {response.Groups[3].Value}.");
            }

            throw new InvalidOperationException($"{{{{{reference}}}}} is not a variable, a named response or a system variable this runner knows.");
        });

    /// <summary>A value of <paramref name="json"/> at a path such as <c>$.webhook.id</c> or <c>$.items[0].id</c>: text as it is, anything else as JSON.</summary>
    private static string? JsonPath(string json, string path)
    {
        var node = JsonNode.Parse(json);
        foreach (Match step in PathStep().Matches(path.TrimStart('$')))
        {
            node = step.Groups[1].Success ? node?[int.Parse(step.Groups[1].Value, CultureInfo.InvariantCulture)] : node?[step.Value.TrimStart('.')];
        }

        return node is JsonValue value && value.TryGetValue<string>(out var text) ? text : node?.ToJsonString();
    }

    private static DateTimeOffset Offset(DateTimeOffset now, int amount, string unit) => unit switch
    {
        "y" => now.AddYears(amount),
        "M" => now.AddMonths(amount),
        "w" => now.AddDays(7 * amount),
        "d" => now.AddDays(amount),
        "h" => now.AddHours(amount),
        "m" => now.AddMinutes(amount),
        "s" => now.AddSeconds(amount),
        _ => throw new InvalidOperationException($"$datetime offset unit '{unit}' is not one of y, M, w, d, h, m, s."),
    };

    [GeneratedRegex(@"^#\s*@name\s+(\S+)")]
    private static partial Regex NameComment();

    [GeneratedRegex(@"^#\s*expect\s+(\d{3})\b")]
    private static partial Regex ExpectComment();

    [GeneratedRegex(@"^@([A-Za-z_][\w-]*)\s*=\s*(.*)$")]
    private static partial Regex Variable();

    [GeneratedRegex(@"^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\s+(.+?)(\s+HTTP/[\d.]+)?\s*$")]
    private static partial Regex RequestLine();

    [GeneratedRegex(@"\{\{(.+?)\}\}")]
    private static partial Regex Reference();

    [GeneratedRegex(@"^\$datetime\s+""([^""]+)""(?:\s+(-?\d+)\s+([yMwdhms]))?$")]
    private static partial Regex DateTimeReference();

    [GeneratedRegex(@"^([\w-]+)\.response\.(body|headers)\.(.+)$")]
    private static partial Regex ResponseReference();

    [GeneratedRegex(@"\[(\d+)\]|\.[^.\[]+")]
    private static partial Regex PathStep();
}
