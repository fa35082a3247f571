using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using WardLink.ServiceDefaults;
using WardLink.ServiceDefaults.Audit;

namespace WardLink.Auditor;

/// <summary>
/// <c>wardlink-audit</c>: <c>export</c> a service's log to an NDJSON file, <c>verify</c> a file
/// offline against the checkpoints the service and its peers hold, <c>state</c> of one stream
/// rebuilt from a file as of a version or a date. Exit codes: 0 fine, 1 the log is broken, 2 usage.
/// </summary>
public static class AuditorCommands
{
    public const int Intact = 0;
    public const int Broken = 1;
    public const int Usage = 2;

    /// <summary>The services whose copies of each other's checkpoints <c>verify</c> asks for.</summary>
    public static readonly string[] Services = ["incidents", "patrols", "tips", "partners"];

    private const string Help = """
        wardlink-audit export --url URL --service NAME --out FILE [--token TOKEN] [--after N] [--types A,B] [--from TIME] [--to TIME]
        wardlink-audit verify --file FILE --service NAME (--url URL [--token TOKEN] | --checkpoints FILE)
        wardlink-audit checkpoints --url URL --service NAME --out FILE [--token TOKEN]
        wardlink-audit state --file FILE --stream ID [--version N | --at TIME]
        URL is the gateway (http://127.0.0.1:5080) or a service; TOKEN a bearer token.
        """;

    public static readonly JsonSerializerOptions Json = CreateJson();

    private static readonly string[] LogFilters = ["after", "types", "from", "to"];

    public static async Task<int> RunAsync(string[] args, HttpClient http, TextWriter output, TextWriter errors, CancellationToken ct)
    {
        if (args.Length == 0 || !TryReadOptions(args.Skip(1), out var options))
        {
            await errors.WriteLineAsync(Help);
            return Usage;
        }

        try
        {
            return args[0] switch
            {
                "export" => await ExportAsync(Client(http, options), Required(options, "service"), Required(options, "out"), LogQuery(options), errors, ct),
                "checkpoints" => await SaveCheckpointsAsync(Client(http, options), Required(options, "service"), Required(options, "out"), errors, ct),
                "verify" => await VerifyAsync(http, options, output, errors, ct),
                "state" => await StateAsync(options, output, ct),
                _ => throw new UsageException($"Unknown command '{args[0]}'."),
            };
        }
        catch (UsageException usage)
        {
            await errors.WriteLineAsync(usage.Message);
            await errors.WriteLineAsync(Help);
            return Usage;
        }
    }

    private static async Task<int> ExportAsync(HttpClient http, string service, string file, string query, TextWriter progress, CancellationToken ct)
    {
        using var response = await http.GetAsync($"api/audit/{service}/log{query}", HttpCompletionOption.ResponseHeadersRead, ct);
        response.EnsureSuccessStatusCode();
        await using var source = await response.Content.ReadAsStreamAsync(ct);
        using var reader = new StreamReader(source);
        await using var target = new StreamWriter(file);
        long lines = 0;
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            await target.WriteLineAsync(line);
            if (++lines % 10_000 == 0)
            {
                await progress.WriteLineAsync($"{lines} events exported");
            }
        }

        await progress.WriteLineAsync($"{lines} events exported to {file}");
        return Intact;
    }

    private static async Task<int> SaveCheckpointsAsync(HttpClient http, string service, string file, TextWriter progress, CancellationToken ct)
    {
        var copies = await FetchCheckpointsAsync(http, service, progress, ct);
        await File.WriteAllTextAsync(file, JsonSerializer.Serialize(copies, Json), ct);
        await progress.WriteLineAsync($"{copies.Count} checkpoints of {service} saved to {file}");
        return Intact;
    }

    private static async Task<int> VerifyAsync(HttpClient http, Dictionary<string, string> options, TextWriter output, TextWriter errors, CancellationToken ct)
    {
        var service = Required(options, "service");
        var checkpoints = options.TryGetValue("checkpoints", out var saved)
            ? JsonSerializer.Deserialize<List<CheckpointCopy>>(await File.ReadAllTextAsync(saved, ct), Json) ?? []
            : await FetchCheckpointsAsync(Client(http, options), service, errors, ct);
        var verifier = new ChainVerifier(service, checkpoints);
        await foreach (var entry in ReadEntriesAsync(Required(options, "file"), ct))
        {
            verifier.Add(entry);
        }

        var report = verifier.Report();
        await output.WriteLineAsync(JsonSerializer.Serialize(report, Json));
        return report.Intact ? Intact : Broken;
    }

    /// <summary>
    /// Rebuilds one stream from an exported file without the service's code: a JSON fold in which
    /// each event's fields overwrite the state's fields of the same name, up to the version or time asked for.
    /// </summary>
    private static async Task<int> StateAsync(Dictionary<string, string> options, TextWriter output, CancellationToken ct)
    {
        var stream = Guid.TryParse(Required(options, "stream"), out var id) ? id : throw new UsageException("--stream is not a stream id.");
        long? version = options.TryGetValue("version", out var v) ? long.Parse(v, CultureInfo.InvariantCulture) : null;
        DateTimeOffset? at = options.TryGetValue("at", out var a) ? DateTimeOffset.Parse(a, CultureInfo.InvariantCulture) : null;
        var state = new JsonObject();
        AuditEvent? last = null;
        await foreach (var entry in ReadEntriesAsync(Required(options, "file"), ct))
        {
            if (entry.Event is not { } recorded || recorded.StreamId != stream || recorded.Version > version || recorded.RecordedAt > at)
            {
                continue;
            }

            foreach (var (name, value) in recorded.Data as JsonObject ?? [])
            {
                state[name] = value?.DeepClone();
            }

            last = recorded;
        }

        if (last is null)
        {
            await output.WriteLineAsync($"Stream {stream} has no event in the file{(version is null && at is null ? string.Empty : " as of then")}.");
            return Broken;
        }

        await output.WriteLineAsync(JsonSerializer.Serialize(new { streamId = stream, version = last.Version, recordedAt = last.RecordedAt, lastType = last.Type, state }, Json));
        return Intact;
    }

    /// <summary>The service's own checkpoints and the copies each peer holds; a peer that does not answer is reported and left out.</summary>
    public static async Task<List<CheckpointCopy>> FetchCheckpointsAsync(HttpClient http, string service, TextWriter errors, CancellationToken ct)
    {
        var copies = new List<CheckpointCopy>();
        foreach (var holder in Services.Contains(service) ? Services : [service, .. Services])
        {
            try
            {
                copies.AddRange(await http.GetFromJsonAsync<List<CheckpointCopy>>($"api/audit/{holder}/checkpoints/{service}", Json, ct) ?? []);
            }
            catch (HttpRequestException failure)
            {
                await errors.WriteLineAsync($"The checkpoints {holder} holds of {service} could not be read: {failure.Message}");
            }
        }

        return copies;
    }

    public static async IAsyncEnumerable<AuditEntry> ReadEntriesAsync(string file, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        using var reader = new StreamReader(file);
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            if (line.Length > 0)
            {
                yield return JsonSerializer.Deserialize<AuditEntry>(line, Json) ?? throw new FormatException($"'{line}' is not an audit entry.");
            }
        }
    }

    private static HttpClient Client(HttpClient http, Dictionary<string, string> options)
    {
        if (options.TryGetValue("url", out var url))
        {
            http.BaseAddress = new Uri(url.EndsWith('/') ? url : url + "/");
        }
        else if (http.BaseAddress is null)
        {
            throw new UsageException("--url is needed.");
        }

        if (options.TryGetValue("token", out var token))
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return http;
    }

    private static string LogQuery(Dictionary<string, string> options)
    {
        var query = string.Join('&', LogFilters
            .Where(options.ContainsKey)
            .Select(name => $"{name}={Uri.EscapeDataString(options[name])}"));
        return query.Length == 0 ? string.Empty : "?" + query;
    }

    private static bool TryReadOptions(IEnumerable<string> args, out Dictionary<string, string> options)
    {
        options = [];
        using var items = args.GetEnumerator();
        while (items.MoveNext())
        {
            var name = items.Current;
            if (!name.StartsWith("--", StringComparison.Ordinal) || !items.MoveNext())
            {
                return false;
            }

            options[name[2..]] = items.Current;
        }

        return true;
    }

    private static string Required(Dictionary<string, string> options, string name) =>
        options.TryGetValue(name, out var value) ? value : throw new UsageException($"--{name} is needed.");

    private static JsonSerializerOptions CreateJson()
    {
        var json = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        ProblemResponses.ConfigureJson(json);
        return json;
    }

    private sealed class UsageException(string message) : Exception(message);
}
