using System.CommandLine;
using System.Net.Http.Headers;
using System.Net.Mime;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using WardLink.Audit;
using WardLink.ServiceDefaults;

namespace WardLink.Auditor;

/// <summary>
/// <c>wardlink-audit</c>: <c>export</c> a service's log to an NDJSON file, <c>verify</c> a file
/// offline against the checkpoints the service and its peers hold, <c>state</c>: the fields one stream's events named in a
/// file, as of a version or a date (not the record's state). Exit codes: 0 fine, 1 the log is broken (<c>verify</c> only), 2 what
/// was asked cannot be answered: usage, a file or an answer that cannot be read, a state the file does not hold; 3 the
/// tool failed on a defect of its own.
/// </summary>
public static class AuditorCommands
{
    public const int Intact = 0;
    public const int Broken = 1;
    public const int Usage = 2;

    /// <summary>A failure no check of the tool foresaw: a defect of its own, neither a verdict on the log nor on what was asked.</summary>
    public const int Failed = 3;

    /// <summary>The services whose copies of each other's checkpoints <c>verify</c> asks for.</summary>
    public static readonly string[] Services = ["incidents", "patrols", "tips", "partners"];

    /// <summary>
    /// The longest line of a log the tool reads, in characters (16 Mi). A line holds one event, whose data came from one
    /// request body (at most <c>Limits:MaxRequestBodyBytes</c>, 1 MB at the gateway) written with at most six characters
    /// for one (<c>\u003C</c>), so a real line stays far below it; a longer one, such as a stream that never sends a
    /// newline, is refused instead of read whole into memory.
    /// </summary>
    public const int MaxLineLength = 16 * 1024 * 1024;

    public static readonly JsonSerializerOptions Json = CreateJson();

    /// <summary>
    /// How a line of a log is read: every field the entry's records declare not nullable (its sequence; its event's
    /// stream, version, type, recorded time and data hash; every field of its link), which the log writes from columns
    /// that cannot be null, must be given and not null, so that no check after it meets a null where the chain has a
    /// value. An event's fields declared nullable (its business time, actor, correlation, causation, data, ward) may be
    /// null or left out. Names are read as written: an event's data may hold two that differ only in letter case (jsonb keeps
    /// them apart, and the audit shows such a one as not of its type), which a reader blind to case took for one name twice.
    /// </summary>
    private static readonly JsonSerializerOptions EntryJson = new(Json)
    {
        PropertyNameCaseInsensitive = false,
        RespectNullableAnnotations = true,
        TypeInfoResolver = Json.TypeInfoResolver!.WithAddedModifier(static type =>
        {
            foreach (var property in type.Properties)
            {
                property.IsRequired = !property.IsSetNullable;
            }
        }),
    };

    /// <summary>
    /// Parses <paramref name="args"/> and runs the command. Whatever the caller got wrong (a
    /// malformed or missing option, a file that cannot be read, a line that is not an audit entry,
    /// a service that does not answer) is one line on <paramref name="errors"/> and exit code
    /// <see cref="Usage"/>, never a stack trace; so is, with exit code <see cref="Failed"/>, an exception no check
    /// foresaw (a defect), which the line names for a report.
    /// </summary>
    public static async Task<int> RunAsync(string[] args, HttpClient http, TextWriter output, TextWriter errors, CancellationToken ct)
    {
        try
        {
            var parsed = new AuditorCommandLine(http, output, errors).Root.Parse(args);
            if (parsed.Errors.Count > 0)
            {
                await errors.WriteLineAsync(OneLine($"{string.Join(" ", parsed.Errors.Select(error => error.Message))} (wardlink-audit --help lists the commands and their options)"));
                return Usage;
            }

            return await parsed.InvokeAsync(new InvocationConfiguration { Output = output, Error = errors, EnableDefaultExceptionHandler = false }, ct);
        }
        catch (Exception failure) when (failure is UsageException or IOException or UnauthorizedAccessException or HttpRequestException
            || (failure is OperationCanceledException && !ct.IsCancellationRequested))
        {
            await errors.WriteLineAsync(OneLine(failure.Message));
            return Usage;
        }
        catch (Exception defect) when (defect is not OperationCanceledException)
        {
            await errors.WriteLineAsync(OneLine($"failed on a defect of its own ({defect.GetType().Name}: {defect.Message}), not on the log or what was asked; report it with the command line."));
            return Failed;
        }
    }

    private static string OneLine(string message) => $"wardlink-audit: {message.ReplaceLineEndings(" ")}";

    /// <summary>
    /// Writes the log of <paramref name="service"/> (after <paramref name="query"/>) to <paramref name="file"/>, a line an
    /// event. Only an NDJSON answer whose every line is an audit entry is saved; anything else is a usage error and
    /// leaves no file.
    /// </summary>
    public static async Task<int> ExportAsync(HttpClient http, string service, FileInfo file, string query, TextWriter progress, CancellationToken ct)
    {
        using var response = await http.GetAsync($"api/audit/{service}/log{query}", HttpCompletionOption.ResponseHeadersRead, ct);
        var source = $"the log {service} answered";
        if (await RefusalOfAsync(response, ct) is { } refusal)
        {
            throw new UsageException($"{source} was refused: {refusal}");
        }

        if (NotOfType(response, AuditLines.ContentType) is { } reason)
        {
            throw new UsageException($"{source} could not be read: {reason}");
        }

        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct));
        long events = 0;
        await WriteWholeAsync(file, async target =>
        {
            await foreach (var (line, _) in EntriesAsync(reader, source, http.Timeout, ct))
            {
                await target.WriteLineAsync(line);
                if (++events % 10_000 == 0)
                {
                    await progress.WriteLineAsync($"{events} events exported");
                }
            }
        });

        await progress.WriteLineAsync($"{events} events exported to {file}");
        return Intact;
    }

    public static async Task<int> SaveCheckpointsAsync(HttpClient http, string service, FileInfo file, TextWriter progress, CancellationToken ct)
    {
        var copies = await FetchCheckpointsAsync(http, service, progress, ct);
        await WriteWholeAsync(file, target => target.WriteAsync(JsonSerializer.Serialize(copies, Json)));
        await progress.WriteLineAsync($"{copies.Count} checkpoints of {service} saved to {file}");
        return Intact;
    }

    /// <summary>
    /// Writes <paramref name="file"/> through a temporary file beside it (<c>.NAME.….partial</c>), moved into place once
    /// <paramref name="write"/> is done: a failure on the way leaves no file, and a file already there as it was.
    /// </summary>
    private static async Task WriteWholeAsync(FileInfo file, Func<TextWriter, Task> write)
    {
        var partial = Path.Combine(Path.GetDirectoryName(file.FullName)!, $".{file.Name}.{Guid.NewGuid():N}.partial");
        try
        {
            await using (var target = new StreamWriter(partial))
            {
                await write(target);
            }

            File.Move(partial, file.FullName, overwrite: true);
        }
        catch
        {
            File.Delete(partial);
            throw;
        }
    }

    /// <summary>
    /// Recomputes the chain of <paramref name="file"/> against <paramref name="checkpoints"/> (an unsigned one a break always),
    /// checking their signatures when <paramref name="keys"/> are given, and that they follow each other by at most
    /// <paramref name="checkpointEvery"/> links; prints the report.
    /// </summary>
    public static async Task<int> VerifyAsync(
        string service, FileInfo file, IReadOnlyList<CheckpointCopy> checkpoints, CheckpointKeys? keys, long checkpointEvery, TextWriter output, CancellationToken ct)
    {
        var verifier = new ChainVerifier(service, checkpoints, keys, checkpointEvery: checkpointEvery);
        await foreach (var entry in ReadEntriesAsync(file, ct))
        {
            verifier.Add(entry);
        }

        var report = verifier.Report();
        await output.WriteLineAsync(JsonSerializer.Serialize(report, Json));
        return report.Intact ? Intact : Broken;
    }

    /// <summary>
    /// Merges one stream's events from an exported file without the service's code: a JSON fold in which each event's fields
    /// overwrite the fields of the same name, in version order, up to the version or time (recorded, as the endpoint's
    /// <c>at</c>) asked for. Each field is the last value an event named for it, not the record's state, which the service's
    /// code derives from the same events (<c>GET /api/audit/{service}/streams/{id}/state</c>). Only events their link vouches for are folded (<see cref="ChainVerifier.Vouches"/>,
    /// the judgement <c>verify</c> makes of each line); one not chained yet, or not what its link chained, is left out and
    /// counted on <paramref name="errors"/>. Two events of
    /// one version, a version past the stream's last, a version missing up to the one asked (or the last folded), or nothing to fold is a usage
    /// error: <c>state</c> judges no log.
    /// </summary>
    public static async Task<int> StateAsync(FileInfo file, Guid stream, long? version, DateTimeOffset? at, TextWriter output, TextWriter errors, CancellationToken ct)
    {
        var chained = new SortedList<long, AuditEvent>();
        long leftOut = 0;
        await foreach (var entry in ReadEntriesAsync(file, ct))
        {
            if (entry.Event?.StreamId != stream && entry.Link?.StreamId != stream)
            {
                continue;
            }

            if (entry.Event is not { } recorded || !ChainVerifier.Vouches(entry))
            {
                leftOut++;
            }
            else if (!chained.TryAdd(recorded.Version, recorded))
            {
                throw new UsageException($"{file} holds two chained events of version {recorded.Version} of stream {stream} (the second at sequence {entry.Sequence}), so which the state holds cannot be told: verify the file.");
            }
        }

        var unvouched = $"{leftOut} of its events left out: not chained yet, or not what their link chained";
        var folded = chained.Values.Where(recorded => (version is null || recorded.Version <= version) && (at is null || recorded.RecordedAt <= at)).ToList();
        if (folded.Count == 0)
        {
            throw new UsageException($"{file} has no chained event of stream {stream}{(version is null && at is null ? string.Empty : " as of then")}{(leftOut == 0 ? string.Empty : $" ({unvouched})")}.");
        }

        if (version > chained.Keys[^1])
        {
            throw new UsageException($"--version {version}: stream {stream} has no version past {chained.Keys[^1]} in {file}.");
        }

        // A stream's versions run from 1 without a gap: one missing up to the version asked, or the last folded (a line taken
        // out, an event not what its link chained, a file exported with --after, --types, --from or --to), would leave its
        // fields as an earlier event left them, or answer an earlier version than asked, and the merge would not say so.
        var through = version ?? folded[^1].Version;
        var held = folded.Select(recorded => recorded.Version).ToHashSet();
        for (var expected = 1L; expected <= through; expected++)
        {
            if (!held.Contains(expected))
            {
                throw new UsageException(
                    $"{file} holds no chained event of version {expected} of stream {stream}{(leftOut == 0 ? string.Empty : $" ({unvouched})")}, so its state as of version {through} cannot be told: verify the file, and export the stream's whole log (no --after, --types, --from or --to).");
            }
        }

        var state = new JsonObject();
        foreach (var (name, value) in folded.SelectMany(recorded => recorded.Data as JsonObject ?? []))
        {
            state[name] = value?.DeepClone();
        }

        if (leftOut > 0)
        {
            await errors.WriteLineAsync($"Stream {stream}: {unvouched}.");
        }

        var last = folded[^1];
        await output.WriteLineAsync(JsonSerializer.Serialize(new { streamId = stream, version = last.Version, recordedAt = last.RecordedAt, lastType = last.Type, state }, Json));
        return Intact;
    }

    /// <summary>
    /// The service's own checkpoints and the copies each peer holds. The service itself must answer (else the chain would
    /// be checked against nothing, and a log rewritten whole would pass: exit 2), and so must one peer at least: whoever
    /// runs the service can rewrite its log and sign its own checkpoints anew, which only a peer's copies show (exit 2
    /// too). A peer whose answer cannot be read while another's can is named on <paramref name="errors"/> and left out.
    /// </summary>
    public static async Task<List<CheckpointCopy>> FetchCheckpointsAsync(HttpClient http, string service, TextWriter errors, CancellationToken ct)
    {
        var copies = await CheckpointsHeldAsync(http, service, service, ct);
        var peers = Services.Where(peer => peer != service).ToList();
        var unread = new List<string>();
        foreach (var peer in peers)
        {
            try
            {
                copies.AddRange(await CheckpointsHeldAsync(http, peer, service, ct));
            }
            catch (UsageException failure)
            {
                unread.Add(failure.Message);
            }
        }

        if (unread.Count == peers.Count)
        {
            throw new UsageException($"No peer's copies of the checkpoints of {service} could be read, and {service}'s own cannot show a log rewritten by whoever runs it: {string.Join(" ", unread)}");
        }

        if (copies.Count == 0)
        {
            throw new UsageException($"No checkpoint of {service} is held, by {service} or by a peer: {NothingVouches} Ask again once {service} has taken one (after Audit:CheckpointEvery events, or Audit:CheckpointInterval after it started when events arrived) and it has reached the peers.");
        }

        // Peers that answered, each with no copy, witness nothing either.
        if (copies.All(copy => copy.Holder == service))
        {
            throw new UsageException($"No peer holds a copy of the checkpoints of {service}, and {service}'s own cannot show a log rewritten by whoever runs it; ask again once its checkpoints have reached the peers.");
        }

        foreach (var failure in unread)
        {
            await errors.WriteLineAsync(failure);
        }

        return copies;
    }

    /// <summary>
    /// The checkpoints of <paramref name="service"/> that <paramref name="holder"/> answers it keeps. An answer that is
    /// not JSON, not a list of checkpoints each held by <paramref name="holder"/> (whatever the service behind the
    /// address, a copy is a witness only for the holder that was asked), or none within the client's timeout, is a
    /// usage error naming the holder.
    /// </summary>
    private static async Task<List<CheckpointCopy>> CheckpointsHeldAsync(HttpClient http, string holder, string service, CancellationToken ct)
    {
        UsageException Unread(string reason) => new($"The checkpoints {holder} holds of {service} could not be read: {reason}");
        try
        {
            using var response = await http.GetAsync($"api/audit/{holder}/checkpoints/{service}", ct);
            if (await RefusalOfAsync(response, ct) is { } refusal)
            {
                throw Unread($"refused: {refusal}");
            }

            if (NotOfType(response, MediaTypeNames.Application.Json) is { } reason)
            {
                throw Unread(reason);
            }

            await using var body = await response.Content.ReadAsStreamAsync(ct);
            var copies = await JsonSerializer.DeserializeAsync<List<CheckpointCopy>>(body, Json, ct);
            return Invalid(copies, holder) is { } invalid ? throw Unread(invalid) : copies!;
        }
        catch (Exception failure) when (failure is HttpRequestException or IOException or JsonException || (failure is OperationCanceledException && !ct.IsCancellationRequested))
        {
            throw Unread(failure.Message);
        }
    }

    /// <summary>
    /// Null for a success; else the status and the service's own reason, read from its problem (its <c>detail</c>, else its
    /// <c>title</c>, and each field its <c>errors</c> name: "400 (Bad Request): The request is not valid. to: The range ends before it starts."), where the
    /// status alone said nothing of what was wrong. At most <see cref="MaxReasonLength"/> characters of it, control characters as
    /// spaces (the line is the terminal's); an answer that is no problem is its status alone.
    /// </summary>
    private static async Task<string?> RefusalOfAsync(HttpResponseMessage response, CancellationToken ct)
    {
        if (response.IsSuccessStatusCode)
        {
            return null;
        }

        var status = $"{(int)response.StatusCode} ({response.ReasonPhrase})";
        if (NotOfType(response, "application/problem+json") is not null)
        {
            return status;
        }

        var bytes = new byte[MaxProblemBytes];
        var read = 0;
        await using (var body = await response.Content.ReadAsStreamAsync(ct))
        {
            int last;
            while (read < bytes.Length && (last = await body.ReadAsync(bytes.AsMemory(read), ct)) > 0)
            {
                read += last;
            }
        }

        List<string> said = [];
        try
        {
            using var problem = JsonDocument.Parse(bytes.AsMemory(0, read));
            if (problem.RootElement is { ValueKind: JsonValueKind.Object } root)
            {
                if ((TextOf(root, "detail") ?? TextOf(root, "title")) is { } summary)
                {
                    said.Add(summary);
                }

                if (root.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Object)
                {
                    said.AddRange(errors.EnumerateObject()
                        .Where(field => field.Value.ValueKind == JsonValueKind.Array)
                        .SelectMany(field => field.Value.EnumerateArray().Where(text => text.ValueKind == JsonValueKind.String).Select(text => $"{field.Name}: {text.GetString()}")));
                }
            }
        }
        catch (JsonException)
        {
            return status;
        }

        var reason = new string([.. string.Join(" ", said).Select(character => char.IsControl(character) ? ' ' : character)]);
        return reason.Length == 0 ? status : $"{status}: {(reason.Length > MaxReasonLength ? reason[..MaxReasonLength] + "…" : reason)}";
    }

    /// <summary>The text <paramref name="property"/> of <paramref name="problem"/> holds; null when it holds none.</summary>
    private static string? TextOf(JsonElement problem, string property) =>
        problem.TryGetProperty(property, out var text) && text.ValueKind == JsonValueKind.String ? text.GetString() : null;

    /// <summary>How much of a refusal's problem is read, and how much of its reason written.</summary>
    private const int MaxProblemBytes = 65_536;

    private const int MaxReasonLength = 500;

    /// <summary>Why <paramref name="response"/> is not of <paramref name="mediaType"/>; null when it is.</summary>
    private static string? NotOfType(HttpResponseMessage response, string mediaType) =>
        string.Equals(response.Content.Headers.ContentType?.MediaType, mediaType, StringComparison.OrdinalIgnoreCase)
            ? null
            : $"the answer is {response.Content.Headers.ContentType?.MediaType ?? "of no type"}, not {mediaType}.";

    /// <summary>
    /// Checkpoints saved by <c>checkpoints</c>; a file that is not such a list, or holds none (against which any log, even one
    /// rewritten whole, would verify), is a usage error.
    /// </summary>
    public static async Task<IReadOnlyList<CheckpointCopy>> ReadCheckpointsAsync(FileInfo file, CancellationToken ct)
    {
        try
        {
            await using var stream = file.OpenRead();
            var copies = await JsonSerializer.DeserializeAsync<List<CheckpointCopy>>(stream, Json, ct);
            return Invalid(copies, null) is { } reason ? throw new UsageException($"{file} is not a list of checkpoints: {reason}")
                : copies!.Count == 0 ? throw new UsageException($"{file} holds no checkpoint: {NothingVouches} Save the checkpoints with 'checkpoints' once the service has taken one.")
                : copies;
        }
        catch (JsonException unreadable)
        {
            throw new UsageException($"{file} is not a list of checkpoints: {unreadable.Message}");
        }
    }

    /// <summary>
    /// Why <paramref name="copies"/> are not a list of checkpoints held by <paramref name="holder"/> (by anyone when
    /// null); null when they are. The one check of a saved file and of every holder's answer, so that neither can hand
    /// the verifier a checkpoint without a holder, a head or a sequence.
    /// </summary>
    private static string? Invalid(List<CheckpointCopy>? copies, string? holder)
    {
        if (copies is null)
        {
            return "null, not a list.";
        }

        var item = copies.FindIndex(copy => !IsCheckpoint(copy) || (holder is not null && copy.Holder != holder));
        return item < 0 ? null
            : IsCheckpoint(copies[item]) ? $"item {item + 1} names another holder than {holder}."
            : $"item {item + 1} is not a checkpoint (a holder, a sequence from 1 and a head).";
    }

    private static bool IsCheckpoint(CheckpointCopy? copy) => copy is { Holder: not null, Head: not null, Sequence: > 0 };

    /// <summary>
    /// The services' public keys from a JSON file, each service's the PEM itself (<c>{"tips": "-----BEGIN PUBLIC KEY-----…", …}</c>)
    /// or an object whose <c>PublicKey</c> it is (the shape of the repository's development keys, whose <c>SigningKey</c> is
    /// never read); names that are no service (the development file's <c>//</c> note) are passed over. One that is not such a
    /// file, or does not give <paramref name="service"/>'s key, is a usage error.
    /// </summary>
    public static async Task<CheckpointKeys> ReadKeysAsync(FileInfo file, string service, CancellationToken ct)
    {
        try
        {
            await using var stream = file.OpenRead();
            var keys = await JsonSerializer.DeserializeAsync<Dictionary<string, JsonElement>>(stream, Json, ct)
                ?? throw new UsageException($"{file} is not an object of public keys by service.");
            var pems = keys.Where(key => Services.Contains(key.Key, StringComparer.Ordinal)).ToDictionary(key => key.Key, key => PublicKeyOf(key.Key, key.Value));
            return pems.ContainsKey(service) ? new CheckpointKeys(pems) : throw new UsageException($"{file} has no public key of {service}.");
        }
        catch (Exception unreadable) when (unreadable is JsonException or InvalidOperationException)
        {
            throw new UsageException($"{file} is not an object of ECDSA P-256 public keys (PEM) by service: {unreadable.Message}");
        }
    }

    private static string PublicKeyOf(string service, JsonElement key) => key.ValueKind switch
    {
        JsonValueKind.String => key.GetString()!,
        JsonValueKind.Object when key.TryGetProperty("PublicKey", out var pem) && pem.ValueKind == JsonValueKind.String => pem.GetString()!,
        _ => throw new InvalidOperationException($"the key of {service} is neither a PEM text nor an object with one as its PublicKey."),
    };

    /// <summary>Why checkpoints none of which is at hand cannot tell whether a log is intact.</summary>
    private const string NothingVouches = "nothing outside the log vouches for it, and a log rewritten whole, its links recomputed, would verify against none.";

    /// <summary>The entries of an exported file; a line that is not an audit entry is a usage error naming the line.</summary>
    public static async IAsyncEnumerable<AuditEntry> ReadEntriesAsync(FileInfo file, [EnumeratorCancellation] CancellationToken ct)
    {
        using var reader = new StreamReader(file.FullName);
        await foreach (var (_, entry) in EntriesAsync(reader, file.ToString(), Timeout.InfiniteTimeSpan, ct))
        {
            yield return entry;
        }
    }

    /// <summary>
    /// Each line of <paramref name="reader"/> (a file or the log as it arrives) with its audit entry; a blank line holds
    /// none and is passed over. A line that is not an audit entry, or longer than <see cref="MaxLineLength"/> (found
    /// before more of it is read), is a usage error naming it and <paramref name="source"/>; so is a source that sends
    /// nothing for <paramref name="idle"/> (the client's timeout covers an answer's headers only, so a log that stalled on
    /// the way hung the export).
    /// </summary>
    private static async IAsyncEnumerable<(string Line, AuditEntry Entry)> EntriesAsync(TextReader reader, string source, TimeSpan idle, [EnumeratorCancellation] CancellationToken ct)
    {
        var buffer = new char[64 * 1024];
        var line = new StringBuilder();
        var number = 1;
        for (int read; (read = await ReadWithinAsync(reader, buffer, source, idle, ct)) > 0;)
        {
            var start = 0;
            for (int end; (end = Array.IndexOf(buffer, '\n', start, read - start)) >= 0; start = end + 1, number++)
            {
                if (EntryOfLine(line.Append(buffer, start, end - start), source, number) is { } entry)
                {
                    yield return entry;
                }

                line.Clear();
            }

            RefuseOverlong(line.Append(buffer, start, read - start), source, number);
        }

        if (EntryOfLine(line, source, number) is { } last)
        {
            yield return last;
        }
    }

    private static async Task<int> ReadWithinAsync(TextReader reader, char[] buffer, string source, TimeSpan idle, CancellationToken ct)
    {
        using var stalled = CancellationTokenSource.CreateLinkedTokenSource(ct);
        stalled.CancelAfter(idle);
        try
        {
            return await reader.ReadAsync(buffer, stalled.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new UsageException($"{source} sent nothing for {idle.TotalSeconds:0.#} s: it was not read to its end.");
        }
    }

    /// <summary>The line read into <paramref name="line"/> and its entry; null for a blank line (empty, or of white space alone).</summary>
    private static (string Line, AuditEntry Entry)? EntryOfLine(StringBuilder line, string source, int number)
    {
        RefuseOverlong(line, source, number);
        var text = line.ToString().TrimEnd('\r');
        return string.IsNullOrWhiteSpace(text) ? null : (text, EntryOf(text, source, number));
    }

    private static void RefuseOverlong(StringBuilder line, string source, int number)
    {
        if (line.Length > MaxLineLength)
        {
            throw new UsageException($"line {number} of {source} is longer than {MaxLineLength} characters: not an audit entry.");
        }
    }

    private static AuditEntry EntryOf(string line, string source, int number)
    {
        try
        {
            return JsonSerializer.Deserialize<AuditEntry>(line, EntryJson) is { } entry && (entry.Event is not null || entry.Link is not null)
                ? entry
                : throw new UsageException($"line {number} of {source} is not an audit entry.");
        }
        catch (JsonException unreadable)
        {
            throw new UsageException($"line {number} of {source} is not an audit entry: {unreadable.Message}");
        }
    }

    public static HttpClient Client(HttpClient http, Uri? url, string? token)
    {
        if (url is not null)
        {
            http.BaseAddress = url.AbsoluteUri.EndsWith('/') ? url : new Uri(url.AbsoluteUri + "/");
        }
        else if (http.BaseAddress is null)
        {
            throw new UsageException("--url is needed.");
        }

        if (token is not null)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return http;
    }

    private static JsonSerializerOptions CreateJson()
    {
        var json = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        ProblemResponses.ConfigureJson(json);
        return json;
    }
}

/// <summary>What the caller of the tool got wrong: reported in one line, exit code <see cref="AuditorCommands.Usage"/>.</summary>
public sealed class UsageException(string message) : Exception(message);
