using System.Security.Cryptography;
using System.Text.Json;
using CsCheck;
using WardLink.Auditor;

namespace WardLink.UnitTests;

/// <summary>
/// <c>wardlink-audit</c> over generated bad command lines: a malformed value for any typed option, a
/// required option left out, a file that is not there, an unknown option, an exported file with a
/// line that is not an audit entry. Each is exit code 2 and one line on standard error naming what
/// was wrong, never a stack trace; the same command lines made good again run.
/// </summary>
public sealed class AuditorCommandLineTests : IDisposable
{
    private const string Stream = "0190c6a1-0000-7000-8000-000000000001";

    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("wardlink-audit-cli-");
    private readonly string _log;
    private readonly string _checkpoints;
    private readonly string _keys;

    public AuditorCommandLineTests()
    {
        var (entries, _) = HashChainTests.Log(3);
        _log = Path.Combine(_folder.FullName, "tips.ndjson");
        File.WriteAllLines(_log, entries.Select(entry => JsonSerializer.Serialize(entry, AuditorCommands.Json)));
        _checkpoints = Path.Combine(_folder.FullName, "checkpoints.json");
        File.WriteAllText(_checkpoints, "[]");
        _keys = Path.Combine(_folder.FullName, "keys.json");
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        File.WriteAllText(_keys, JsonSerializer.Serialize(new Dictionary<string, string> { ["tips"] = key.ExportSubjectPublicKeyInfoPem() }));
    }

    /// <summary>Command lines that parse and run offline, each option with a good value.</summary>
    private Dictionary<string, string[]> Good => new()
    {
        ["verify"] = ["verify", "--file", _log, "--service", "tips", "--checkpoints", _checkpoints],
        ["verify-keys"] = ["verify", "--file", _log, "--service", "tips", "--checkpoints", _checkpoints, "--keys", _keys],
        ["state-version"] = ["state", "--file", _log, "--stream", Stream, "--version", "1"],
        ["state-at"] = ["state", "--file", _log, "--stream", Stream, "--at", "2024-03-14T21:30:03+07:00"],
    };

    /// <summary>Every typed option, in a command line that is good but for it (export and checkpoints would go on to the network).</summary>
    private (string[] Args, string Option)[] Typed =>
    [
        (["export", "--service", "tips", "--out", Path.Combine(_folder.FullName, "out.ndjson"), "--url", "http://127.0.0.1:5080"], "--url"),
        (["export", "--service", "tips", "--out", Path.Combine(_folder.FullName, "out.ndjson"), "--after", "0"], "--after"),
        (["export", "--service", "tips", "--out", Path.Combine(_folder.FullName, "out.ndjson"), "--from", "2024-01-01T00:00:00+07:00"], "--from"),
        (["export", "--service", "tips", "--out", Path.Combine(_folder.FullName, "out.ndjson"), "--to", "2024-01-01T00:00:00+07:00"], "--to"),
        (["checkpoints", "--service", "tips", "--out", Path.Combine(_folder.FullName, "saved.json"), "--url", "http://127.0.0.1:5080"], "--url"),
        (["verify", "--file", _log, "--service", "tips", "--url", "http://127.0.0.1:5080"], "--url"),
        (Good["verify"], "--service"),
        (Good["state-version"], "--stream"),
        (Good["state-version"], "--version"),
        (Good["state-at"], "--at"),
    ];

    /// <summary>Values no typed option takes: words, signs, fractions, dates that do not exist, numbers past 64 bits, anything after a tilde.</summary>
    private static readonly Gen<string> Malformed = Gen.OneOf(
        Any("abc", "yesterday", "-1", "one", "0x10", "2024-13-01T00:00:00Z", "99999999999999999999", " ", "ftp://example.org/"),
        Gen.String.Select(text => "~" + text));

    [Fact]
    public async Task The_good_command_lines_run()
    {
        foreach (var (name, args) in Good)
        {
            var (exit, output, errors) = await RunAsync(args);
            Assert.True(exit == AuditorCommands.Intact, $"{name}: exit {exit}, {errors}");
            Assert.Empty(errors);
            Assert.NotEmpty(output);
        }
    }

    [Fact]
    public void A_malformed_value_of_any_typed_option_is_a_usage_error_naming_the_option()
    {
        Gen.Select(Gen.Int[0, Typed.Length - 1], Malformed).Sample((which, value) =>
        {
            var (args, option) = Typed[which];
            var bad = Replace(args, option, value);

            var (exit, output, errors) = RunAsync(bad).GetAwaiter().GetResult();

            AssertUsage(exit, output, errors);
            Assert.Contains(option, errors, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void An_unreadable_line_in_an_exported_file_is_a_usage_error_naming_the_line()
    {
        var lines = File.ReadAllLines(_log);
        var unreadable = Gen.OneOf(Any("{}", "null", "[]", "42", "\"tip\"", "{\"sequence\":0}", "{\"sequence\":1}"), Gen.String.Select(text => "#" + text));
        Gen.Select(Gen.Int[0, lines.Length], unreadable, Gen.Int[0, Good.Count - 1]).Sample((at, line, command) =>
        {
            var file = Path.Combine(_folder.FullName, $"{Guid.NewGuid():N}.ndjson");
            File.WriteAllLines(file, [.. lines[..at], line, .. lines[at..]]);
            var args = Replace(Good.Values.ElementAt(command), "--file", file);

            var (exit, output, errors) = RunAsync(args).GetAwaiter().GetResult();

            AssertUsage(exit, output, errors);
            Assert.Contains($"line {at + 1} of", errors, StringComparison.Ordinal);
        });
    }

    [Theory]
    [InlineData("verify", "--file")]
    [InlineData("verify", "--service")]
    [InlineData("state-version", "--file")]
    [InlineData("state-version", "--stream")]
    public async Task A_required_option_left_out_is_a_usage_error_naming_it(string command, string option)
    {
        var args = Good[command].ToList();
        args.RemoveRange(args.IndexOf(option), 2);

        var (exit, output, errors) = await RunAsync([.. args]);

        AssertUsage(exit, output, errors);
        Assert.Contains(option, errors, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("verify", "--file")]
    [InlineData("verify", "--checkpoints")]
    [InlineData("verify-keys", "--keys")]
    [InlineData("state-at", "--file")]
    public async Task A_file_that_is_not_there_is_a_usage_error_naming_it(string command, string option)
    {
        var missing = Path.Combine(_folder.FullName, "missing", "nothing.ndjson");

        var (exit, output, errors) = await RunAsync(Replace(Good[command], option, missing));

        AssertUsage(exit, output, errors);
        Assert.Contains(missing, errors, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("{\"patrols\": \"-----BEGIN PUBLIC KEY-----\\nAAAA\\n-----END PUBLIC KEY-----\\n\"}")]
    [InlineData("{\"tips\": \"not a key\"}")]
    public async Task A_keys_file_that_does_not_give_the_services_public_key_is_a_usage_error_naming_it(string content)
    {
        var keys = Path.Combine(_folder.FullName, $"{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(keys, content, TestContext.Current.CancellationToken);

        var (exit, output, errors) = await RunAsync(Replace(Good["verify-keys"], "--keys", keys));

        AssertUsage(exit, output, errors);
        Assert.Contains(keys, errors, StringComparison.Ordinal);
    }

    /// <summary>
    /// The audited service not answering its checkpoints is exit 2, never "intact" against none (a log rewritten whole,
    /// its links recomputed, would pass): <c>verify --url</c> and <c>checkpoints</c> alike. Nothing listens on port 1.
    /// </summary>
    [Theory]
    [InlineData("verify")]
    [InlineData("checkpoints")]
    public async Task A_service_that_does_not_answer_is_a_usage_error_never_intact(string command)
    {
        const string Nobody = "http://127.0.0.1:1";
        var saved = Path.Combine(_folder.FullName, "unanswered.json");
        string[] args = command == "verify"
            ? ["verify", "--file", _log, "--service", "tips", "--url", Nobody]
            : ["checkpoints", "--service", "tips", "--out", saved, "--url", Nobody];

        var (exit, output, errors) = await RunAsync(args);

        AssertUsage(exit, output, errors);
        Assert.False(File.Exists(saved));
    }

    /// <summary>
    /// A service that is not one of the four is refused before anything is read: with <c>tip</c> for <c>tips</c> the
    /// verifier took tips' own checkpoints for a peer's, witnesses of the log tips itself could have rewritten.
    /// </summary>
    [Theory]
    [InlineData("tip")]
    [InlineData("Tips")]
    [InlineData("gateway")]
    public async Task A_service_that_is_not_known_is_a_usage_error_listing_the_known_ones(string service)
    {
        var (exit, output, errors) = await RunAsync(Replace(Good["verify"], "--service", service));

        AssertUsage(exit, output, errors);
        Assert.Contains($"--service: '{service}' is not a service (incidents, patrols, tips, partners)", errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_commands_and_options_both_a_version_and_a_time_and_nothing_at_all_are_usage_errors()
    {
        string[][] wrong =
        [
            [],
            ["audit"],
            [.. Good["verify"], "--after", "3"],
            [.. Good["state-version"], "--at", "2024-03-14T21:30:03+07:00"],
            ["verify", "--file", _log, "--service"],
        ];
        foreach (var args in wrong)
        {
            var (exit, output, errors) = await RunAsync(args);
            AssertUsage(exit, output, errors);
        }
    }

    public void Dispose() => _folder.Delete(recursive: true);

    private static Gen<string> Any(params string[] values) => Gen.Int[0, values.Length - 1].Select(index => values[index]);

    private static string[] Replace(string[] args, string option, string value)
    {
        var replaced = args.ToArray();
        replaced[Array.IndexOf(replaced, option) + 1] = value;
        return replaced;
    }

    private static void AssertUsage(int exit, string output, string errors)
    {
        Assert.Equal(AuditorCommands.Usage, exit);
        Assert.Empty(output);
        var line = Assert.Single(errors.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("wardlink-audit: ", line, StringComparison.Ordinal);
        Assert.DoesNotContain(" at WardLink.", line, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", line, StringComparison.Ordinal);
    }

    private static async Task<(int Exit, string Output, string Errors)> RunAsync(string[] args)
    {
        using var http = new HttpClient();
        using var output = new StringWriter();
        using var errors = new StringWriter();
        var exit = await AuditorCommands.RunAsync(args, http, output, errors, TestContext.Current.CancellationToken);
        return (exit, output.ToString(), errors.ToString());
    }
}
