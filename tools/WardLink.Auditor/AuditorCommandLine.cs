using System.Buffers;
using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using WardLink.Audit;
using WardLink.Domain;

namespace WardLink.Auditor;

/// <summary>
/// The command line of <c>wardlink-audit</c> (System.CommandLine): each option parsed into its type
/// with a message naming the option and the value it could not read, files to read checked to exist.
/// </summary>
public sealed class AuditorCommandLine
{
    private readonly Option<Uri> _url = new("--url")
    {
        Description = "The gateway (http://127.0.0.1:5080) or a service.",
        CustomParser = result => Parse<Uri?>(result, "--url", "an http(s) address with no control character", TryParseAddress),
    };

    private readonly Option<string> _token = new("--token")
    {
        Description = "A bearer token (police or auditor).",
        CustomParser = ParseToken,
    };

    private readonly Option<string> _service = new("--service")
    {
        Description = $"The service whose log it is: {KnownServices}.",
        Required = true,
        CustomParser = result => Parse<string?>(result, "--service", $"a service ({KnownServices})", TryParseService),
    };

    private readonly Option<FileInfo> _out = new Option<FileInfo>("--out") { Description = "The file to write.", Required = true }.AcceptLegalFilePathsOnly();

    private readonly Option<FileInfo> _file = new Option<FileInfo>("--file") { Description = "An exported log (NDJSON).", Required = true }.AcceptExistingOnly();

    private readonly Option<FileInfo> _checkpoints = new Option<FileInfo>("--checkpoints") { Description = "Checkpoints saved by 'checkpoints', instead of asking --url." }.AcceptExistingOnly();

    private readonly Option<FileInfo> _keys = new Option<FileInfo>("--keys") { Description = "The services' public keys, a JSON object by service of PEM keys or of objects with a PublicKey (as shared/WardLink.Audit/development-audit-keys.json, the demo's): the checkpoints' signatures are checked with them." }.AcceptExistingOnly();

    private readonly Option<long?> _after = new("--after")
    {
        Description = "Only events after this sequence.",
        CustomParser = result => Parse(result, "--after", "a sequence number (0 or more)", (string text, out long after) =>
            long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out after)),
    };

    private readonly Option<string> _types = new("--types")
    {
        Description = "Only these event types, separated by commas.",
        CustomParser = result => Parse<string?>(result, "--types", "event type names separated by commas, with no control character", (string text, out string? types) =>
        {
            types = text;
            return !text.Any(char.IsControl);
        }),
    };

    private readonly Option<DateTimeOffset?> _from = TimeOption("--from", "Only events recorded at or after this time.");

    private readonly Option<DateTimeOffset?> _to = TimeOption("--to", "Only events recorded before this time.");

    private readonly Option<Guid?> _stream = new("--stream")
    {
        Description = "The stream's id.",
        Required = true,
        CustomParser = result => Parse(result, "--stream", "a stream id", (string text, out Guid id) => Guid.TryParse(text, CultureInfo.InvariantCulture, out id)),
    };

    private readonly Option<long?> _version = new("--version")
    {
        Description = "Only the stream's events up to this version.",
        CustomParser = result => Parse(result, "--version", "a version (1 or more)", (string text, out long version) =>
            long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out version) && version >= 1),
    };

    private readonly Option<long?> _checkpointEvery = new("--checkpoint-every")
    {
        Description = $"How many links the service takes a checkpoint every: its Audit:CheckpointEvery ({new AuditOptions().CheckpointEvery} unless configured; the largest it has used). Checkpoints further apart were deleted from every holder.",
        CustomParser = result => Parse(result, "--checkpoint-every", "a number of links (1 or more)", (string text, out long every) =>
            long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out every) && every >= 1),
    };

    private readonly Option<DateTimeOffset?> _at = TimeOption("--at", "Only the stream's events recorded (recordedAt) at or before this time, whatever their business time.");

    public AuditorCommandLine(HttpClient http, TextWriter output, TextWriter errors)
    {
        var export = new Command("export", "Writes a service's log to an NDJSON file, a line an event.") { _url, _token, _service, _out, _after, _types, _from, _to };
        export.SetAction((parsed, ct) => AuditorCommands.ExportAsync(Client(http, parsed), parsed.GetRequiredValue(_service), parsed.GetRequiredValue(_out), LogQuery(parsed), errors, ct));

        var checkpoints = new Command("checkpoints", "Saves the checkpoints of a service's chain held by the service and by its peers.") { _url, _token, _service, _out };
        checkpoints.SetAction((parsed, ct) => AuditorCommands.SaveCheckpointsAsync(Client(http, parsed), parsed.GetRequiredValue(_service), parsed.GetRequiredValue(_out), errors, ct));

        var verify = new Command("verify", "Recomputes the chain of an exported log against the checkpoints (and their signatures, with --keys); exit 0 intact, 1 broken.")
        {
            _file, _service, _url, _token, _checkpoints, _keys, _checkpointEvery,
        };
        verify.SetAction(async (parsed, ct) =>
        {
            var service = parsed.GetRequiredValue(_service);
            var keys = parsed.GetValue(_keys) is { } keyFile ? await AuditorCommands.ReadKeysAsync(keyFile, service, ct) : null;
            var held = parsed.GetValue(_checkpoints) is { } saved
                ? await AuditorCommands.ReadCheckpointsAsync(saved, ct)
                : await AuditorCommands.FetchCheckpointsAsync(Client(http, parsed), service, errors, ct);
            var every = parsed.GetValue(_checkpointEvery) ?? new AuditOptions().CheckpointEvery;
            return await AuditorCommands.VerifyAsync(service, parsed.GetRequiredValue(_file), held, keys, every, output, ct);
        });

        var state = new Command(
            "state",
            "Merges the data of one stream's chained events in an exported log, up to a version or a time: each field is the last value an event gave it. "
            + "Not the record's state, which the service's code derives from the same events: the merge has no status (no event names one) and keeps "
            + "what later events undo (an outcome withdrawn on reopening, a tip unlinked). "
            + "For the record's state as of a version or a time: GET /api/audit/{service}/streams/{id}/state?version=… or ?at=….")
        {
            _file, _stream, _version, _at,
        };
        state.Validators.Add(result =>
        {
            if (result.GetResult(_version) is not null && result.GetResult(_at) is not null)
            {
                result.AddError("state takes --version or --at, not both.");
            }
        });
        state.SetAction((parsed, ct) => AuditorCommands.StateAsync(
            parsed.GetRequiredValue(_file), parsed.GetValue(_stream)!.Value, parsed.GetValue(_version), parsed.GetValue(_at), output, errors, ct));

        Root = new RootCommand("The WardLink auditor: exports a service's audit log, verifies its hash chain offline against the checkpoints its peers hold, merges the fields a stream's events named as of a date (not the record's state).")
        {
            export, checkpoints, verify, state,
        };
    }

    public RootCommand Root { get; }

    private delegate bool TryParse<T>(string text, out T value);

    private HttpClient Client(HttpClient http, ParseResult parsed) => AuditorCommands.Client(http, parsed.GetValue(_url), parsed.GetValue(_token));

    private string LogQuery(ParseResult parsed)
    {
        var filters = new (string Name, string? Value)[]
        {
            ("after", parsed.GetValue(_after)?.ToString(CultureInfo.InvariantCulture)),
            ("types", parsed.GetValue(_types)),
            ("from", parsed.GetValue(_from)?.ToString("O", CultureInfo.InvariantCulture)),
            ("to", parsed.GetValue(_to)?.ToString("O", CultureInfo.InvariantCulture)),
        };
        var query = string.Join('&', filters.Where(filter => filter.Value is not null).Select(filter => $"{filter.Name}={Uri.EscapeDataString(filter.Value!)}"));
        return query.Length == 0 ? string.Empty : "?" + query;
    }

    private static Option<DateTimeOffset?> TimeOption(string name, string description) => new(name)
    {
        Description = description + " ISO 8601 with an offset, e.g. 2024-05-03T00:00:00+07:00.",
        // Without an offset a time would be read in the machine's own zone: a usage error, as the services' 400.
        // Outside the window a query takes, a usage error too: the service would refuse it (2200-01-01 read a state as of now).
        CustomParser = result => Parse(result, name, $"a time with an offset (e.g. 2024-05-03T00:00:00+07:00): {WardTime.QueryTimeLimits}", (string text, out DateTimeOffset at) =>
            DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out at) && WardTime.HasOffset(text) && WardTime.IsInQueryWindow(at)),
    };

    private static string KnownServices => string.Join(", ", AuditorCommands.Services);

    /// <summary>Only a known service: another name (a typo, <c>tip</c>) would count the service's own checkpoints as a peer's.</summary>
    private static bool TryParseService(string text, out string? service)
    {
        service = text;
        return AuditorCommands.Services.Contains(text, StringComparer.Ordinal);
    }

    /// <summary>
    /// An absolute http(s) address. A control character in it (a pasted line break) would be escaped into another
    /// address than the one meant, or dropped from its ends.
    /// </summary>
    private static bool TryParseAddress(string text, out Uri? url) =>
        Uri.TryCreate(text, UriKind.Absolute, out url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps) && !text.Any(char.IsControl);

    /// <summary>What a bearer token is made of (RFC 6750's b64token), before the = signs that may close it.</summary>
    private static readonly SearchValues<char> TokenCharacters = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/");

    /// <summary>
    /// A bearer token as RFC 6750 writes one (b64token): letters, digits and <c>- . _ ~ + /</c>, then only <c>=</c> signs. Anything
    /// else (a line feed of two tokens pasted together, a NUL, which the request's header cannot carry, a space, a letter
    /// outside ASCII) is an error naming the first character out of place by its position and code point, never echoing
    /// the token: it is a credential.
    /// </summary>
    private static string? ParseToken(ArgumentResult result)
    {
        var text = string.Join(' ', result.Tokens.Select(token => token.Value));
        var body = text.AsSpan().TrimEnd('=');
        var wrong = body.IndexOfAnyExcept(TokenCharacters);
        if (body.IsEmpty || wrong >= 0)
        {
            result.AddError(body.IsEmpty
                ? "--token: not a bearer token: it holds no letter, digit or - . _ ~ + /."
                : $"--token: not a bearer token: its character {wrong + 1} is U+{(int)body[wrong]:X4}, where a bearer token holds only letters, digits and - . _ ~ + / (RFC 6750), then = signs.");
            return null;
        }

        return text;
    }

    /// <summary>The option's one value parsed by <paramref name="parse"/>; otherwise an error naming the option and the value.</summary>
    private static T? Parse<T>(ArgumentResult result, string option, string expected, TryParse<T> parse)
    {
        var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Join(' ', result.Tokens.Select(token => token.Value));
        if (parse(text, out var value))
        {
            return value;
        }

        result.AddError($"{option}: '{text}' is not {expected}.");
        return default;
    }
}
