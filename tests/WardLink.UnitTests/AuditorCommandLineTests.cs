using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;
using WardLink.Audit;
using WardLink.Auditor;
using WardLink.ServiceDefaults;
using WardLink.Testing;

namespace WardLink.UnitTests;

/// <summary>
/// <c>wardlink-audit</c> over generated bad command lines: a malformed value for any typed option, a
/// required option left out, a file that is not there, an unknown option, an exported file with a
/// line that is not an audit entry. Each is exit code 2 and one line on standard error naming what
/// was wrong, never a stack trace; the same command lines made good again run. Through an in-memory
/// gateway (a stub <see cref="HttpMessageHandler"/> given to the tool's client), the answers a broken or
/// hostile service could give: checkpoints and logs that are not what they claim, no answer, no peer.
/// </summary>
public sealed class AuditorCommandLineTests : IDisposable
{
    private const string Stream = "0190c6a1-0000-7000-8000-000000000001";
    private const string Gateway = "http://gateway.test";
    private static readonly DateTimeOffset CheckpointedAt = new(2024, 3, 14, 15, 0, 0, TimeSpan.Zero);
    private static readonly Func<CancellationToken, Task<HttpResponseMessage>> Unavailable = _ => Task.FromResult(new HttpResponseMessage(HttpStatusCode.ServiceUnavailable));

    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("wardlink-audit-cli-");
    private readonly string _log;
    private readonly string _checkpoints;
    private readonly string _keys;
    private readonly string _head;

    public AuditorCommandLineTests()
    {
        var (entries, heads) = HashChainTests.Log(3);
        _head = heads[^1];
        _log = Path.Combine(_folder.FullName, "tips.ndjson");
        File.WriteAllLines(_log, entries.Select(entry => JsonSerializer.Serialize(entry, AuditorCommands.Json)));
        _checkpoints = Path.Combine(_folder.FullName, "checkpoints.json");
        File.WriteAllText(_checkpoints, Copies("patrols"));
        _keys = Path.Combine(_folder.FullName, "keys.json");
        File.WriteAllText(_keys, JsonSerializer.Serialize(TestAudit.PublicKeys));
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
        ([.. Good["verify"], "--checkpoint-every", "100"], "--checkpoint-every"),
        (Good["state-version"], "--stream"),
        (Good["state-version"], "--version"),
        (Good["state-at"], "--at"),
    ];

    /// <summary>Values no typed option takes: words, signs, fractions, dates that do not exist, times outside the window a query takes, numbers past 64 bits, anything after a tilde.</summary>
    private static readonly Gen<string> Malformed = Gen.OneOf(
        Any("abc", "yesterday", "-1", "one", "0x10", "2024-13-01T00:00:00Z", "99999999999999999999", " ", "ftp://example.org/", "2024-05-03T00:00:00", "2024-05-03", "05/03/2024 00:00", "02-OCT-2024 21:40", "Thu, 02 May 2024 14:40:00 GMT", "2200-01-01T00:00:00Z", "1969-12-31T16:59:59Z", "9999-12-31T23:59:59+07:00"),
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

    /// <summary>A time the services would refuse in a query (past 2100, before 1970 local) is one the tool refuses too: it read a state as of now.</summary>
    [Fact]
    public async Task A_time_outside_the_window_a_query_takes_is_a_usage_error_naming_the_option()
    {
        var times = Typed.Where(typed => typed.Option is "--at" or "--from" or "--to").ToList();
        Assert.Equal(3, times.Count);
        foreach (var (args, option) in times)
        {
            foreach (var outside in new[] { "2200-01-01T00:00:00Z", "2101-01-01T00:00:00.0000001+07:00", "1969-12-31T23:59:59+07:00" })
            {
                var (exit, output, errors) = await RunAsync(Replace(args, option, outside));

                AssertUsage(exit, output, errors);
                Assert.Contains($"{option}: '{outside}'", errors, StringComparison.Ordinal);
            }
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
        var unreadable = Gen.OneOf(Any("{}", "null", "[]", "42", "\"tip\"", "{\"sequence\":0}", "{\"sequence\":1}", "{\"sequence\":1,\"link\":{\"position\":1}}", "{\"sequence\":1,\"event\":{},\"link\":{}}"), Gen.String.Select(text => "#" + text));
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

    /// <summary>
    /// The fields every line of the log holds, which the service writes from columns that cannot be null: the sequence, an
    /// event's place in its stream, type, recorded time and data hash, and every field of a link.
    /// </summary>
    private static readonly string[] EntryFields =
    [
        "sequence", "event.streamId", "event.version", "event.type", "event.recordedAt", "event.dataHash",
        "link.position", "link.streamId", "link.version", "link.type", "link.dataHash", "link.recordedAt", "link.previous", "link.hash",
    ];

    /// <summary>The fields of an event the chain does not cover, which a line may leave out (its ward is chained where its link names one).</summary>
    private static readonly string[] UnchainedFields = ["event.wardTime", "event.actor", "event.correlationId", "event.causationId", "event.data"];

    /// <summary>
    /// A line without a field every entry has, or with null there (a line made by hand, a service answering
    /// <c>{"sequence":1,"event":{},"link":{}}</c>), is not an audit entry: exit 2 naming it, for <c>verify</c>, <c>state</c>
    /// and <c>export</c> alike (<c>verify</c> crashed on a type or a data hash left out, <c>export</c> saved the line).
    /// </summary>
    [Fact]
    public void A_line_without_a_field_every_entry_has_is_a_usage_error_naming_the_line_for_every_command()
    {
        var lines = File.ReadAllLines(_log);
        Gen.Select(Gen.Int[0, lines.Length - 1], Gen.Int[0, EntryFields.Length - 1], Gen.Bool, Gen.Int[0, Good.Count]).Sample((at, field, asNull, command) =>
        {
            var target = Path.Combine(_folder.FullName, $"{Guid.NewGuid():N}.ndjson");
            var changed = lines.Select((line, index) => index == at ? Without(line, EntryFields[field], asNull) : line).ToArray();

            var (exit, output, errors) = OverLinesAsync(changed, command, target).GetAwaiter().GetResult();

            AssertUsage(exit, output, errors);
            Assert.Contains($"line {at + 1} of {(command == Good.Count ? "the log tips answered" : target)} is not an audit entry", errors, StringComparison.Ordinal);
            if (command == Good.Count)
            {
                AssertNothingSaved(target);
            }
        });
    }

    /// <summary>A line without a field of its event that the chain does not cover is an audit entry still, for every command.</summary>
    [Fact]
    public void A_line_without_a_field_the_chain_does_not_cover_is_read_by_every_command()
    {
        var lines = File.ReadAllLines(_log);
        Gen.Select(Gen.Int[0, lines.Length - 1], Gen.Int[0, UnchainedFields.Length - 1], Gen.Int[0, Good.Count]).Sample((at, field, command) =>
        {
            var target = Path.Combine(_folder.FullName, $"{Guid.NewGuid():N}.ndjson");
            var changed = lines.Select((line, index) => index == at ? Without(line, UnchainedFields[field]) : line).ToArray();

            var (exit, _, errors) = OverLinesAsync(changed, command, target).GetAwaiter().GetResult();

            Assert.True(exit == AuditorCommands.Intact, $"{UnchainedFields[field]}: exit {exit}, {errors}");
        });
    }

    /// <summary>
    /// A log linked before links named their ward, exported since (its events name their ward, its links none, their hashes
    /// covering none) is read by every command, and intact.
    /// </summary>
    [Fact]
    public async Task A_log_linked_before_links_named_their_ward_is_intact_for_every_command()
    {
        var events = HashChainTests.Log(3).Entries.Select(entry => entry.Event!).ToList();
        var legacy = HashChainTests.Chain([.. events.Select(recorded => recorded with { Ward = null })]).Select((entry, index) => entry with { Event = events[index] }).ToList();
        var file = LogFile(legacy);
        File.WriteAllText(_checkpoints, JsonSerializer.Serialize(new[] { TestAudit.CopyOf("patrols", "tips", 3, 3, legacy[^1].Link!.Hash, CheckpointedAt) }, AuditorCommands.Json));
        foreach (var command in Good.Values)
        {
            var (exit, _, errors) = await RunAsync(Replace(command, "--file", file));

            Assert.True(exit == AuditorCommands.Intact, $"{string.Join(' ', command)}: exit {exit}, {errors}");
        }
    }

    /// <summary>
    /// A line whose link names its event's ward, its event's ward left out or changed (a record moved to another ward), is a
    /// break at that line for <c>verify</c>: the ward is chained.
    /// </summary>
    [Fact]
    public void A_line_whose_event_lost_or_changed_the_ward_its_link_names_is_broken_there()
    {
        var lines = File.ReadAllLines(_log);
        Gen.Select(Gen.Int[0, lines.Length - 1], Gen.Bool).Sample((at, leftOut) =>
        {
            var line = JsonNode.Parse(lines[at])!;
            line["event"]!["ward"] = leftOut ? null : "ward-elsewhere";
            var changed = lines.Select((text, index) => index == at ? line.ToJsonString() : text).ToArray();

            var (exit, output, _) = OverLinesAsync(changed, 0, Path.Combine(_folder.FullName, $"{Guid.NewGuid():N}.ndjson")).GetAwaiter().GetResult();

            Assert.Equal(AuditorCommands.Broken, exit);
            var broken = JsonNode.Parse(output)!["firstBroken"]!;
            Assert.Equal((at + 1L, "fieldsChanged", "ward"), (broken["sequence"]!.GetValue<long>(), broken["kind"]!.GetValue<string>(), broken["differences"]![0]!.GetValue<string>()));
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
    [InlineData("{\"tips\": {\"PublicKey\": \"not a key\"}}")]
    [InlineData("{\"tips\": {\"SigningKey\": \"-----BEGIN PRIVATE KEY-----\\nAAAA\\n-----END PRIVATE KEY-----\\n\"}}")]
    [InlineData("{\"tips\": 42}")]
    [InlineData("{\"//\": \"a note, no key\"}")]
    public async Task A_keys_file_that_does_not_give_the_services_public_key_is_a_usage_error_naming_it(string content)
    {
        var keys = Path.Combine(_folder.FullName, $"{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(keys, content, TestContext.Current.CancellationToken);

        var (exit, output, errors) = await RunAsync(Replace(Good["verify-keys"], "--keys", keys));

        AssertUsage(exit, output, errors);
        Assert.Contains(keys, errors, StringComparison.Ordinal);
    }

    /// <summary>
    /// The repository's development keys (<c>shared/WardLink.Audit/development-audit-keys.json</c>, what the demo system signs
    /// with) are a keys file as they are: each service's <c>PublicKey</c> is read, its note passed over. A checkpoint tips
    /// signed with its development key verifies; one signed with another key does not.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task The_repository_s_development_keys_check_the_demo_s_signatures_as_they_are(bool signedByTips)
    {
        var development = Repository.Path("shared/WardLink.Audit/development-audit-keys.json");
        var signingKey = JsonNode.Parse(await File.ReadAllTextAsync(development, TestContext.Current.CancellationToken))!["tips"]!["SigningKey"]!.GetValue<string>();
        using var key = signedByTips ? CheckpointSignature.Load(signingKey, "tips") : ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var signed = new CheckpointSigner(new ServiceIdentity("tips"), key).Sign(3, 3, _head, CheckpointedAt);
        var saved = Path.Combine(_folder.FullName, "development-checkpoints.json");
        await File.WriteAllTextAsync(saved, JsonSerializer.Serialize(new[] { new CheckpointCopy("patrols", 3, 3, _head, signed.At, signed.Signature) }, AuditorCommands.Json), TestContext.Current.CancellationToken);

        var (exit, output, errors) = await RunAsync(["verify", "--file", _log, "--service", "tips", "--checkpoints", saved, "--keys", development]);

        Assert.True(exit == (signedByTips ? AuditorCommands.Intact : AuditorCommands.Broken), $"exit {exit}: {errors}");
        Assert.Empty(errors);
        var report = JsonSerializer.Deserialize<IntegrityReport>(output, AuditorCommands.Json)!;
        Assert.Equal(signedByTips, Assert.Single(report.Checkpoints).SignatureValid);
    }

    /// <summary>
    /// A checkpoint without a signature is one its service did not sign: the log is broken (exit 1, <c>signatureInvalid</c>
    /// at it) whether or not <c>--keys</c> are given; without them only the signatures it carries go unchecked.
    /// </summary>
    [Theory]
    [InlineData("verify")]
    [InlineData("verify-keys")]
    public async Task An_unsigned_checkpoint_is_a_broken_log_with_keys_or_without(string command)
    {
        var unsigned = Path.Combine(_folder.FullName, "unsigned.json");
        var copies = JsonSerializer.Deserialize<List<CheckpointCopy>>(Copies("patrols"), AuditorCommands.Json)!.Select(copy => copy with { Signature = null });
        await File.WriteAllTextAsync(unsigned, JsonSerializer.Serialize(copies, AuditorCommands.Json), TestContext.Current.CancellationToken);

        var (exit, output, errors) = await RunAsync(Replace(Good[command], "--checkpoints", unsigned));

        Assert.True(exit == AuditorCommands.Broken, $"exit {exit}: {errors}");
        var report = JsonSerializer.Deserialize<IntegrityReport>(output, AuditorCommands.Json)!;
        Assert.Equal((3L, BreakKind.SignatureInvalid), (report.FirstBroken!.Sequence, report.FirstBroken.Kind));
        Assert.False(Assert.Single(report.Checkpoints).SignatureValid);
    }

    /// <summary>
    /// No checkpoint at all, in a file given with <c>--checkpoints</c> or held by the service and its peers, witnesses
    /// nothing: any log verifies against none, even one rewritten whole. Exit 2 saying so, never "intact".
    /// </summary>
    [Theory]
    [InlineData("file")]
    [InlineData("verify")]
    [InlineData("checkpoints")]
    public async Task No_checkpoint_at_all_is_a_usage_error_never_intact(string source)
    {
        var empty = Path.Combine(_folder.FullName, "empty.json");
        await File.WriteAllTextAsync(empty, "[]", TestContext.Current.CancellationToken);
        var saved = Path.Combine(_folder.FullName, "none.json");
        Func<CancellationToken, Task<HttpResponseMessage>> none = _ => Task.FromResult(Json("[]"));

        var (exit, output, errors) = source == "file"
            ? await RunAsync(Replace(Good["verify"], "--checkpoints", empty))
            : await RunAsync(WitnessedAtGateway(source, saved), Holders(("tips", none), ("incidents", none), ("patrols", none), ("partners", none)));

        AssertUsage(exit, output, errors);
        Assert.Contains(source == "file" ? $"{empty} holds no checkpoint: nothing outside the log vouches for it" : "No checkpoint of tips is held, by tips or by a peer", errors, StringComparison.Ordinal);
        Assert.False(File.Exists(saved));
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

    /// <summary>
    /// Answers of a holder asked for its checkpoints that are not a list of checkpoints: a page, cut JSON, a null, an
    /// entry without a head, holder or sequence (each of which the verifier took for a checkpoint that disagrees, or
    /// crashed on), copies naming another holder than the one asked, and no answer before the client's timeout.
    /// </summary>
    public static TheoryData<string> BadCheckpointAnswers => ["page", "cut", "null", "null item", "no head", "no holder", "sequence 0", "another holder", "no answer"];

    /// <summary>The bad answers a saved checkpoints file can hold too.</summary>
    public static TheoryData<string> BadCheckpointFiles => ["cut", "null", "null item", "no head", "no holder", "sequence 0"];

    [Theory]
    [MemberData(nameof(BadCheckpointAnswers))]
    public async Task A_bad_answer_of_the_service_for_its_own_checkpoints_is_a_usage_error_naming_it(string answer)
    {
        var (exit, output, errors) = await RunAsync(VerifyAtGateway, Holders(("tips", BadCheckpoints(answer, "tips"))));

        AssertUsage(exit, output, errors);
        Assert.Contains("The checkpoints tips holds of tips could not be read: ", errors, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(BadCheckpointAnswers))]
    public async Task A_bad_answer_of_a_peer_is_named_and_its_copies_left_out(string answer)
    {
        var (exit, output, errors) = await RunAsync(VerifyAtGateway, Holders(("patrols", BadCheckpoints(answer, "patrols"))));

        Assert.True(exit == AuditorCommands.Intact, errors);
        var named = Assert.Single(errors.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("The checkpoints patrols holds of tips could not be read: ", named, StringComparison.Ordinal);
        var report = JsonSerializer.Deserialize<IntegrityReport>(output, AuditorCommands.Json)!;
        Assert.Equal(["incidents", "partners", "tips"], report.Checkpoints.Select(verdict => verdict.Holder).Order(StringComparer.Ordinal));
    }

    /// <summary>
    /// The service's own checkpoints alone cannot show a log that whoever runs it rewrote and signed anew: with not one
    /// peer's copies read, <c>verify --url</c> and <c>checkpoints</c> are exit 2 naming every peer, never intact.
    /// </summary>
    [Theory]
    [InlineData("verify")]
    [InlineData("checkpoints")]
    public async Task No_peer_answering_is_a_usage_error_naming_each_never_intact(string command)
    {
        var saved = Path.Combine(_folder.FullName, "unwitnessed.json");
        var args = WitnessedAtGateway(command, saved);

        var (exit, output, errors) = await RunAsync(args, Holders(("incidents", Unavailable), ("patrols", BadCheckpoints("page", "patrols")), ("partners", Unavailable)));

        AssertUsage(exit, output, errors);
        Assert.Contains("No peer's copies of the checkpoints of tips could be read", errors, StringComparison.Ordinal);
        Assert.All(["incidents", "patrols", "partners"], peer => Assert.Contains($"The checkpoints {peer} holds of tips could not be read: ", errors, StringComparison.Ordinal));
        Assert.False(File.Exists(saved));
    }

    /// <summary>Peers that answer with no copy of the service's checkpoints witness nothing either: exit 2, never intact.</summary>
    [Theory]
    [InlineData("verify")]
    [InlineData("checkpoints")]
    public async Task Peers_holding_no_copy_of_the_service_s_checkpoints_are_a_usage_error_never_intact(string command)
    {
        var saved = Path.Combine(_folder.FullName, "unwitnessed-empty.json");
        var args = WitnessedAtGateway(command, saved);
        Func<CancellationToken, Task<HttpResponseMessage>> none = _ => Task.FromResult(Json("[]"));

        var (exit, output, errors) = await RunAsync(args, Holders(("incidents", none), ("patrols", none), ("partners", none)));

        AssertUsage(exit, output, errors);
        Assert.Contains("No peer holds a copy of the checkpoints of tips", errors, StringComparison.Ordinal);
        Assert.False(File.Exists(saved));
    }

    [Fact]
    public async Task One_peer_answering_is_enough_and_the_others_are_named()
    {
        var saved = Path.Combine(_folder.FullName, "witnessed.json");

        var (exit, _, errors) = await RunAsync(SaveCheckpoints(saved), Holders(("incidents", Unavailable), ("partners", Unavailable)));

        Assert.True(exit == AuditorCommands.Intact, errors);
        var lines = errors.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("The checkpoints incidents holds of tips could not be read: ", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("The checkpoints partners holds of tips could not be read: ", lines[1], StringComparison.Ordinal);
        Assert.StartsWith("2 checkpoints of tips saved to ", lines[2], StringComparison.Ordinal);
        Assert.Equal(["tips", "patrols"], JsonSerializer.Deserialize<List<CheckpointCopy>>(await File.ReadAllTextAsync(saved, TestContext.Current.CancellationToken), AuditorCommands.Json)!.Select(copy => copy.Holder));
    }

    [Theory]
    [MemberData(nameof(BadCheckpointFiles))]
    public async Task A_checkpoints_file_that_is_not_a_list_of_checkpoints_is_a_usage_error_naming_it(string content)
    {
        var saved = Path.Combine(_folder.FullName, $"{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(saved, BadCheckpointsBody(content, "tips"), TestContext.Current.CancellationToken);

        var (exit, output, errors) = await RunAsync(Replace(Good["verify"], "--checkpoints", saved));

        AssertUsage(exit, output, errors);
        Assert.Contains($"{saved} is not a list of checkpoints", errors, StringComparison.Ordinal);
    }

    /// <summary>The service's NDJSON answer saved line for line: blank lines hold no event and are neither saved nor counted.</summary>
    [Fact]
    public async Task An_export_saves_each_entry_of_the_answer_and_counts_only_them()
    {
        var lines = await File.ReadAllLinesAsync(_log, TestContext.Current.CancellationToken);
        var target = Path.Combine(_folder.FullName, "exported.ndjson");

        var (exit, output, errors) = await RunAsync(Export(target), Always(() => Ndjson(string.Join('\n', lines[0], string.Empty, lines[1], lines[2]) + "\n")));

        Assert.True(exit == AuditorCommands.Intact, errors);
        Assert.Empty(output);
        Assert.Equal($"3 events exported to {target}", errors.TrimEnd());
        Assert.Equal(lines, await File.ReadAllLinesAsync(target, TestContext.Current.CancellationToken));
        Assert.Empty(Directory.GetFiles(_folder.FullName, "*.partial"));
    }

    [Theory]
    [InlineData("text/html")]
    [InlineData("application/json")]
    [InlineData(null)]
    public async Task An_export_answered_as_anything_but_ndjson_is_a_usage_error_and_saves_nothing(string? mediaType)
    {
        var target = Path.Combine(_folder.FullName, "exported.ndjson");

        var (exit, output, errors) = await RunAsync(Export(target), Always(() => Answer(File.ReadAllText(_log), mediaType)));

        AssertUsage(exit, output, errors);
        Assert.Contains($"the log tips answered could not be read: the answer is {mediaType ?? "of no type"}, not application/x-ndjson.", errors, StringComparison.Ordinal);
        AssertNothingSaved(target);
    }

    /// <summary>
    /// A refusal is exit 2 with one line naming its status and the service's own reason, read from its problem: its detail (else its
    /// title) and each field its errors name, any text the service wrote there on the one line (control characters as spaces, at
    /// most 500 characters of it); an answer that is no problem is its status alone (the auditor probe: "Response status code does
    /// not indicate success: 400 (Bad Request)." dropped the service's "to: The range ends before it starts.").
    /// </summary>
    [Fact]
    public void A_refused_export_is_a_usage_error_naming_the_status_and_the_service_s_reason() =>
        Gen.Select(Gen.OneOf(Gen.Const(HttpStatusCode.BadRequest), Gen.Const(HttpStatusCode.Forbidden), Gen.Const(HttpStatusCode.NotFound), Gen.Const(HttpStatusCode.ServiceUnavailable)), Gen.String[Gen.OneOf(Controls, Gen.Char[' ', '\ud7ff']), 0, 700], Gen.Bool, Gen.Bool)
            .Sample((status, text, asDetail, asProblem) =>
            {
                var target = Path.Combine(_folder.FullName, $"{Guid.NewGuid():N}.ndjson");
                var problem = asDetail
                    ? new JsonObject { ["title"] = "Not this one.", ["detail"] = text }
                    : new JsonObject { ["title"] = "One or more validation errors occurred.", ["errors"] = new JsonObject { ["to"] = new JsonArray(text) } };
                var answer = new HttpResponseMessage(status)
                {
                    Content = new StringContent(asProblem ? problem.ToJsonString() : $"<html>{text}</html>", Encoding.UTF8, asProblem ? "application/problem+json" : "text/html"),
                };

                var (exit, output, errors) = RunAsync(Export(target), Always(() => answer)).GetAwaiter().GetResult();

                AssertUsage(exit, output, errors);
                var line = errors[..^Environment.NewLine.Length];
                var said = $"the log tips answered was refused: {(int)status} ({answer.ReasonPhrase})";
                var reason = new string([.. (asDetail ? text : $"One or more validation errors occurred. to: {text}").Select(character => char.IsControl(character) ? ' ' : character)]).ReplaceLineEndings(" ");
                Assert.EndsWith(
                    !asProblem || reason.Length == 0 ? said : $"{said}: {(reason.Length > 500 ? reason[..500] + "…" : reason)}",
                    line,
                    StringComparison.Ordinal);
                AssertNothingSaved(target);
            },
            iter: 200);

    /// <summary>A line of the answer that is not an audit entry, a cut last line among them: exit 2 naming it, nothing saved.</summary>
    [Fact]
    public void An_export_line_that_is_not_an_audit_entry_is_a_usage_error_naming_it_and_saves_nothing()
    {
        var lines = File.ReadAllLines(_log);
        var unreadable = Gen.OneOf(Any("{}", "null", "[]", "42", "{\"sequence\":1}", "{\"sequence\":1,\"event\":{},\"link\":{}}", lines[^1][..^1]), Gen.String.Select(text => "#" + text));
        Gen.Select(Gen.Int[0, lines.Length], unreadable).Sample((at, line) =>
        {
            var target = Path.Combine(_folder.FullName, $"{Guid.NewGuid():N}.ndjson");

            var (exit, output, errors) = RunAsync(Export(target), Always(() => Ndjson(string.Join('\n', [.. lines[..at], line, .. lines[at..]])))).GetAwaiter().GetResult();

            AssertUsage(exit, output, errors);
            Assert.Contains($"line {at + 1} of the log tips answered is not an audit entry", errors, StringComparison.Ordinal);
            AssertNothingSaved(target);
        });
    }

    /// <summary>A line past <see cref="AuditorCommands.MaxLineLength"/> (a body that never sends a newline) is refused once it passes the bound, not read whole.</summary>
    [Fact]
    public async Task An_export_line_longer_than_the_bound_is_refused_before_it_is_read_whole()
    {
        var target = Path.Combine(_folder.FullName, "exported.ndjson");
        var bytes = new byte[AuditorCommands.MaxLineLength + (4 * 1024 * 1024)];
        Array.Fill(bytes, (byte)'x');
        var body = new Body(bytes, cut: false);

        var (exit, output, errors) = await RunAsync(Export(target), Always(() => Ndjson(body)));

        AssertUsage(exit, output, errors);
        Assert.Contains($"line 1 of the log tips answered is longer than {AuditorCommands.MaxLineLength} characters", errors, StringComparison.Ordinal);
        Assert.InRange(body.BytesRead, AuditorCommands.MaxLineLength, bytes.Length - 1);
        AssertNothingSaved(target);
    }

    [Fact]
    public async Task A_file_line_longer_than_the_bound_is_a_usage_error_naming_it()
    {
        var file = Path.Combine(_folder.FullName, "long.ndjson");
        await File.WriteAllTextAsync(file, await File.ReadAllTextAsync(_log, TestContext.Current.CancellationToken) + new string('x', AuditorCommands.MaxLineLength + 1), TestContext.Current.CancellationToken);

        var (exit, output, errors) = await RunAsync(Replace(Good["verify"], "--file", file));

        AssertUsage(exit, output, errors);
        Assert.Contains($"line 4 of {file} is longer than {AuditorCommands.MaxLineLength} characters", errors, StringComparison.Ordinal);
    }

    /// <summary>
    /// An export cut off on the way (the connection reset, no answer within the client's timeout, or a log that stops
    /// sending for as long) leaves the file that was there as it was, and no partial one.
    /// </summary>
    [Theory]
    [InlineData("cut")]
    [InlineData("no answer")]
    [InlineData("stalled")]
    public async Task An_export_that_fails_on_the_way_is_a_usage_error_and_leaves_the_earlier_file(string failure)
    {
        var target = Path.Combine(_folder.FullName, "exported.ndjson");
        await File.WriteAllTextAsync(target, "an earlier export\n", TestContext.Current.CancellationToken);
        var lines = await File.ReadAllLinesAsync(_log, TestContext.Current.CancellationToken);
        var twoLines = Encoding.UTF8.GetBytes(string.Join('\n', lines[..2]) + "\n");
        Answering answer = failure switch
        {
            "cut" => Always(() => Ndjson(new Body(twoLines, cut: true))),
            "stalled" => Always(() => Ndjson(new Body(twoLines, cut: false, stalls: true))),
            _ => new((_, ct) => NoAnswerAsync(ct)),
        };

        var (exit, output, errors) = await RunAsync(Export(target), answer);

        AssertUsage(exit, output, errors);
        Assert.Contains(failure switch { "cut" => "The connection was reset.", "stalled" => "sent nothing for 1 s", _ => "HttpClient.Timeout" }, errors, StringComparison.Ordinal);
        Assert.Equal("an earlier export\n", await File.ReadAllTextAsync(target, TestContext.Current.CancellationToken));
        Assert.Empty(Directory.GetFiles(_folder.FullName, "*.partial"));
    }

    [Theory]
    [InlineData("export")]
    [InlineData("checkpoints")]
    public async Task An_out_file_in_a_folder_that_is_not_there_is_a_usage_error_naming_it(string command)
    {
        var target = Path.Combine(_folder.FullName, "missing", "saved");
        var args = command == "export" ? Export(target) : SaveCheckpoints(target);

        var (exit, output, errors) = await RunAsync(args, command == "export" ? Always(() => Ndjson(File.ReadAllText(_log))) : Holders());

        AssertUsage(exit, output, errors);
        Assert.Contains(Path.GetDirectoryName(target)!, errors, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.GetDirectoryName(target)));
    }

    /// <summary>
    /// A file whose links hold no digest where the chain wrote one (an insider's text in a link's previous or hash) is a
    /// log <c>verify</c> judges broken: exit 1 and the report, nothing on standard error, never a stack trace. (A null
    /// there is no text a column holds: the line is not an audit entry.)
    /// </summary>
    [Theory]
    [InlineData("previous", 0, "x")]
    [InlineData("previous", 0, "gggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggg")]
    [InlineData("previous", 2, "x")]
    [InlineData("hash", 0, "x")]
    [InlineData("hash", 1, "")]
    public async Task A_file_whose_link_holds_no_digest_is_a_broken_log_never_a_stack_trace(string field, int at, string value)
    {
        var (entries, _) = HashChainTests.Log(3);
        var link = entries[at].Link!;
        entries[at] = entries[at] with { Link = field == "previous" ? link with { Previous = value } : link with { Hash = value } };

        var (exit, output, errors) = await RunAsync(["verify", "--file", LogFile(entries), "--service", "tips", "--checkpoints", _checkpoints]);

        Assert.True(exit == AuditorCommands.Broken, $"exit {exit}: {errors}");
        Assert.Empty(errors);
        var report = JsonSerializer.Deserialize<IntegrityReport>(output, AuditorCommands.Json)!;
        Assert.Equal(at + 1, report.FirstBroken!.Sequence);
    }

    /// <summary>
    /// <c>state</c> folds what the chain vouches for, in version order: not an event waiting for its link (which
    /// <c>verify</c> counts as pending), not one whose fields are not what its link chained, and not in the file's order.
    /// </summary>
    [Fact]
    public async Task State_folds_only_the_events_their_link_vouches_for_in_version_order()
    {
        var chained = HashChainTests.Chain([TipEvent(2, "tip_assessed", """{"status":"Assessed","verdict":"Prank"}"""), TipEvent(1, "tip_received", """{"status":"Received","place":"Ward 3"}""")]);
        var pending = new AuditEntry(3, TipEvent(3, "tip_referred", """{"status":"Referred"}"""), null);
        var closed = HashChainTests.Chain([.. chained.Select(entry => entry.Event!), TipEvent(4, "tip_closed", """{"status":"Closed"}""")])[^1];
        var forged = closed with { Event = TipEvent(4, "tip_closed", """{"status":"Forged"}""") };
        var file = LogFile([.. chained, pending, forged]);

        var (exit, output, errors) = await RunAsync(["state", "--file", file, "--stream", Stream]);

        Assert.True(exit == AuditorCommands.Intact, errors);
        var state = JsonNode.Parse(output)!;
        Assert.Equal((2L, "tip_assessed"), (state["version"]!.GetValue<long>(), state["lastType"]!.GetValue<string>()));
        Assert.Equal("""{"status":"Assessed","place":"Ward 3","verdict":"Prank"}""", state["state"]!.ToJsonString());
        Assert.Equal($"Stream {Stream}: 2 of its events left out: not chained yet, or not what their link chained.", errors.TrimEnd());
    }

    /// <summary>
    /// A stream's event missing from the file up to the version asked (a line taken out, or one not what its link chained) is
    /// exit 2 naming that version: the merge would keep what the events before it said (an incident's resolution taken out of
    /// an export merged as if it had never been), or answer an earlier version than the one asked, and said nothing. Without
    /// one, the state is the merge of them all.
    /// </summary>
    [Fact]
    public async Task A_state_missing_an_event_up_to_the_version_asked_is_a_usage_error_naming_it()
    {
        await Gen.Select(Gen.Int[2, 7], Gen.Int[1, 7], Gen.Int[0, 7], Gen.Bool).SampleAsync(
            async (count, taken, asked, forge) =>
            {
                taken = Math.Min(taken, count);
                var events = Enumerable.Range(1, count).Select(version => TipEvent(version, "tip_noted", $"{{\"note{version}\":{version}}}")).ToArray();
                var chain = HashChainTests.Chain(events);
                AuditEntry[] lines = forge
                    ? [.. chain.Select(entry => entry.Event!.Version == taken ? entry with { Event = TipEvent(taken, "tip_noted", "{\"note\":\"forged\"}") } : entry)]
                    : [.. chain.Where(entry => entry.Event!.Version != taken)];
                var file = LogFile(lines);
                string[] args = asked == 0 ? ["state", "--file", file, "--stream", Stream] : ["state", "--file", file, "--stream", Stream, "--version", $"{Math.Min(asked, count)}"];
                var through = asked == 0 ? (taken == count ? count - 1 : count) : Math.Min(asked, count);

                var (exit, output, errors) = await RunAsync(args);

                if (taken <= through)
                {
                    AssertUsage(exit, output, errors);
                    // Named by its version, or, the first asked for alone, as a stream with no event then.
                    Assert.True(errors.Contains($"version {taken}", StringComparison.Ordinal) || (taken == 1 && errors.Contains("has no chained event of stream", StringComparison.Ordinal)), errors);
                }
                else
                {
                    Assert.True(exit == AuditorCommands.Intact, errors);
                    Assert.Equal(through, JsonNode.Parse(output)!["version"]!.GetValue<long>());
                }
            },
            iter: 40);
    }

    /// <summary>
    /// A blank line holds no event, empty or of white space alone (docs/audit.md): a line of spaces or a tab between the
    /// entries, as an editor or a copy leaves one, was "not an audit entry" (exit 2), where an empty one was passed over.
    /// </summary>
    [Fact]
    public async Task A_line_of_white_space_alone_holds_no_event_as_an_empty_line_holds_none()
    {
        var file = LogFile(HashChainTests.Chain([TipEvent(1, "tip_received", "{\"status\":\"Received\"}"), TipEvent(2, "tip_assessed", "{\"status\":\"Assessed\"}")]));
        File.WriteAllLines(file, File.ReadAllLines(file).SelectMany(line => new[] { " \t", line, string.Empty, "   " }));

        var (exit, output, errors) = await RunAsync(["state", "--file", file, "--stream", Stream]);

        Assert.True(exit == AuditorCommands.Intact, errors);
        Assert.Equal(2L, JsonNode.Parse(output)!["version"]!.GetValue<long>());
    }

    /// <summary>
    /// What <c>state</c> cannot answer is exit 2, never 1 (which says a log is broken, <c>verify</c>'s verdict): two
    /// chained events of one version, a version past the stream's last (the endpoint's 400), a stream the file has no
    /// chained event of, or none as of the time asked (the endpoint's 404).
    /// </summary>
    [Theory]
    [InlineData("duplicate", "holds two chained events of version 2 of stream")]
    [InlineData("past the last", "--version 4: stream 0190c6a1-0000-7000-8000-000000000001 has no version past 3 in")]
    [InlineData("another stream", "has no chained event of stream 0190c6a1-0000-7000-8000-0000000000ff.")]
    [InlineData("only pending", "has no chained event of stream 0190c6a1-0000-7000-8000-000000000001 (1 of its events left out: not chained yet")]
    [InlineData("before it", "has no chained event of stream 0190c6a1-0000-7000-8000-000000000001 as of then.")]
    public async Task A_state_the_file_does_not_hold_is_a_usage_error(string asked, string message)
    {
        AuditEvent[] three = [TipEvent(1, "tip_received", """{"status":"Received"}"""), TipEvent(2, "tip_assessed", """{"status":"Assessed"}"""), TipEvent(3, "tip_referred", """{"status":"Referred"}""")];
        var file = LogFile(asked switch
        {
            "duplicate" => HashChainTests.Chain([.. three[..2], three[1] with { Data = JsonNode.Parse("""{"status":"Dismissed"}""") }]),
            "only pending" => [new AuditEntry(1, three[0], null)],
            _ => HashChainTests.Chain(three),
        });
        string[] args = asked switch
        {
            "past the last" => ["state", "--file", file, "--stream", Stream, "--version", "4"],
            "another stream" => ["state", "--file", file, "--stream", "0190c6a1-0000-7000-8000-0000000000ff"],
            "before it" => ["state", "--file", file, "--stream", Stream, "--at", three[0].RecordedAt.AddTicks(-10).ToString("O", CultureInfo.InvariantCulture)],
            _ => ["state", "--file", file, "--stream", Stream],
        };

        var (exit, output, errors) = await RunAsync(args);

        AssertUsage(exit, output, errors);
        Assert.Contains(message, errors, StringComparison.Ordinal);
    }

    /// <summary>What a bearer token is made of (RFC 6750's b64token), before the = signs that may close it.</summary>
    private const string TokenCharacters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/";

    /// <summary>A bearer token but for its closing = signs, starting with a letter as a JWT does (a leading - would read as an option).</summary>
    private static readonly Gen<string> TokenBodies = Gen.Select(Gen.Char['a', 'z'], Gen.String[Gen.Char[TokenCharacters], 7, 40]).Select((first, rest) => first + rest);

    /// <summary>Control characters: a line feed (two tokens pasted together), a carriage return, a NUL, C0, DEL and C1.</summary>
    private static readonly Gen<char> Controls = Gen.OneOf(Gen.Char['\0', '\u001f'], Gen.Char['\u007f', '\u009f']);

    /// <summary>What a bearer token cannot hold: a control character, a space, a separator, a letter outside ASCII, an = sign before its end.</summary>
    private static readonly Gen<char> NotInAToken = Gen.OneOf(Controls, Gen.Char[" \"(),:;<>?@[\\]{}!#$%&'*^`|="], Gen.Char['\u00a0', '\ud7ff']);

    /// <summary>
    /// A <c>--token</c> that is no bearer token is exit 2 naming the option and its first character out of place, for every
    /// command that sends it, and never echoes the token (a credential): a line feed, a carriage return or a NUL crashed
    /// the tool (FormatException), any other such character went out in the request's header.
    /// </summary>
    [Fact]
    public void A_token_that_is_no_bearer_token_is_a_usage_error_naming_the_option_and_not_echoing_the_token()
    {
        var target = Path.Combine(_folder.FullName, "tokened.json");
        string[][] commands = [Export(target), SaveCheckpoints(target), VerifyAtGateway];
        Gen.Select(TokenBodies, NotInAToken, TokenBodies, Gen.Int[0, commands.Length - 1]).Sample((before, wrong, after, command) =>
        {
            var (exit, output, errors) = RunAsync([.. commands[command], "--token", before + wrong + after], GatewayFor(commands[command][0])).GetAwaiter().GetResult();

            AssertUsage(exit, output, errors);
            Assert.Contains($"--token: not a bearer token: its character {before.Length + 1} is U+{(int)wrong:X4}", errors, StringComparison.Ordinal);
            Assert.DoesNotContain(before, errors, StringComparison.Ordinal);
            Assert.DoesNotContain(after, errors, StringComparison.Ordinal);
        });
    }

    [Theory]
    [InlineData("")]
    [InlineData("==")]
    public async Task An_empty_token_is_a_usage_error_naming_the_option(string token)
    {
        var (exit, output, errors) = await RunAsync([.. VerifyAtGateway, "--token", token], Holders());

        AssertUsage(exit, output, errors);
        Assert.Contains("--token: not a bearer token: it holds no letter, digit or - . _ ~ + /.", errors, StringComparison.Ordinal);
    }

    /// <summary>A bearer token, = signs closing it or not, goes out as it was given, in the Authorization header.</summary>
    [Fact]
    public void A_bearer_token_is_sent_as_it_was_given()
    {
        var target = Path.Combine(_folder.FullName, "sent.ndjson");
        var log = File.ReadAllText(_log);
        Gen.Select(TokenBodies, Gen.Int[0, 2]).Sample((body, closing) =>
        {
            var token = body + new string('=', closing);
            var sent = new List<string?>();

            var (exit, _, errors) = RunAsync([.. Export(target), "--token", token], new Answering((request, _) =>
            {
                sent.Add(request.Headers.Authorization?.ToString());
                return Task.FromResult(Ndjson(log));
            })).GetAwaiter().GetResult();

            Assert.True(exit == AuditorCommands.Intact, errors);
            Assert.Equal($"Bearer {token}", Assert.Single(sent));
        });
    }

    /// <summary>
    /// A control character in an option the tool writes into a request's address (<c>--url</c>, <c>--types</c>) is exit 2
    /// naming the option, wherever it stands: escaped, it asked another address, or for an event type no event has.
    /// </summary>
    [Fact]
    public void A_control_character_in_an_option_of_the_address_is_a_usage_error_naming_the_option()
    {
        var target = Path.Combine(_folder.FullName, "addressed.ndjson");
        (string[] Args, string Option)[] addressed =
        [
            (Export(target), "--url"),
            (SaveCheckpoints(target), "--url"),
            (VerifyAtGateway, "--url"),
            ([.. Export(target), "--types", "tip_received,tip_assessed"], "--types"),
        ];
        Gen.Select(Gen.Int[0, addressed.Length - 1], Controls, Gen.Int[0, 100]).Sample((which, control, at) =>
        {
            var (args, option) = addressed[which];
            var value = args[Array.IndexOf(args, option) + 1];

            var (exit, output, errors) = RunAsync(Replace(args, option, value.Insert(at % (value.Length + 1), $"{control}")), GatewayFor(args[0])).GetAwaiter().GetResult();

            AssertUsage(exit, output, errors);
            Assert.Contains($"{option}: ", errors, StringComparison.Ordinal);
        });
    }

    /// <summary>
    /// A failure the tool has no check for (a defect of its own; here the gateway's client throws what no client throws) is
    /// one line naming it and exit code 3: never a stack trace, nor a verdict on the log (0, 1) or on what was asked (2).
    /// </summary>
    [Fact]
    public async Task A_failure_the_tool_has_no_check_for_is_one_line_and_its_own_exit_code_never_a_stack_trace()
    {
        var target = Path.Combine(_folder.FullName, "failed.ndjson");

        var (exit, output, errors) = await RunAsync(Export(target), new Answering((_, _) => throw new NotSupportedException("Nothing\nis supported.")));

        Assert.Equal(AuditorCommands.Failed, exit);
        Assert.Empty(output);
        Assert.Equal(
            "wardlink-audit: failed on a defect of its own (NotSupportedException: Nothing is supported.), not on the log or what was asked; report it with the command line.",
            Assert.Single(errors.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries)));
        AssertNothingSaved(target);
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

    private static async Task<(int Exit, string Output, string Errors)> RunAsync(string[] args, HttpMessageHandler? gateway = null)
    {
        using var http = gateway is null ? new HttpClient() : new HttpClient(gateway) { Timeout = TimeSpan.FromSeconds(1) };
        using var output = new StringWriter();
        using var errors = new StringWriter();
        var exit = await AuditorCommands.RunAsync(args, http, output, errors, TestContext.Current.CancellationToken);
        return (exit, output.ToString(), errors.ToString());
    }

    /// <summary><paramref name="line"/> without <paramref name="field"/> (the entry's, or its event's or link's as <c>event.type</c>), or with null there.</summary>
    private static string Without(string line, string field, bool asNull = false)
    {
        var entry = JsonNode.Parse(line)!.AsObject();
        var (holder, name) = field.Split('.') is [var part, var leaf] ? (entry[part]!.AsObject(), leaf) : (entry, field);
        Assert.True(holder.Remove(name), $"{field} is not in {line}");
        if (asNull)
        {
            holder[name] = null;
        }

        return entry.ToJsonString();
    }

    /// <summary>
    /// The <see cref="Good"/> command numbered <paramref name="command"/> over <paramref name="file"/> holding <paramref name="lines"/>;
    /// the one past them: an export to <paramref name="file"/> of a log answering them.
    /// </summary>
    private async Task<(int Exit, string Output, string Errors)> OverLinesAsync(string[] lines, int command, string file)
    {
        if (command == Good.Count)
        {
            return await RunAsync(Export(file), Always(() => Ndjson(string.Join('\n', lines))));
        }

        await File.WriteAllLinesAsync(file, lines, TestContext.Current.CancellationToken);
        return await RunAsync(Replace(Good.Values.ElementAt(command), "--file", file));
    }

    private static AuditEvent TipEvent(long version, string type, string data) => new(
        Guid.Parse(Stream), version, type, CheckpointedAt.AddMinutes(version), null, "police-console", null, null, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(data))), JsonNode.Parse(data));

    private string LogFile(IEnumerable<AuditEntry> entries)
    {
        var file = Path.Combine(_folder.FullName, $"{Guid.NewGuid():N}.ndjson");
        File.WriteAllLines(file, entries.Select(entry => JsonSerializer.Serialize(entry, AuditorCommands.Json)));
        return file;
    }

    private static string[] Export(string target) => ["export", "--service", "tips", "--out", target, "--url", Gateway];

    private static void AssertNothingSaved(string target)
    {
        Assert.False(File.Exists(target));
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(target)!, $".{Path.GetFileName(target)}.*.partial"));
    }

    private string[] VerifyAtGateway => ["verify", "--file", _log, "--service", "tips", "--url", Gateway];

    private static string[] SaveCheckpoints(string target) => ["checkpoints", "--service", "tips", "--out", target, "--url", Gateway];

    /// <summary>A command that needs the peers' copies of tips' checkpoints: <c>verify</c> the log, or <c>checkpoints</c> saved to <paramref name="saved"/>.</summary>
    private string[] WitnessedAtGateway(string command, string saved) => command == "verify" ? VerifyAtGateway : SaveCheckpoints(saved);

    /// <summary>
    /// The gateway: each holder answers with its copy of tips' last checkpoint, which agrees with the log, but for the
    /// holders given another answer.
    /// </summary>
    private Answering Holders(params (string Holder, Func<CancellationToken, Task<HttpResponseMessage>> Answer)[] others) => new((request, ct) =>
    {
        var holder = request.RequestUri!.AbsolutePath.Split('/')[3];
        return others.FirstOrDefault(other => other.Holder == holder).Answer?.Invoke(ct) ?? Task.FromResult(Json(Copies(holder)));
    });

    /// <summary>The copy <paramref name="holder"/> keeps of tips' checkpoint at <paramref name="sequence"/> (the log's head), signed by tips.</summary>
    private string Copies(string holder, long sequence = 3) =>
        JsonSerializer.Serialize(new[] { TestAudit.CopyOf(holder, "tips", sequence, sequence, _head, CheckpointedAt) }, AuditorCommands.Json);

    private Func<CancellationToken, Task<HttpResponseMessage>> BadCheckpoints(string answer, string holder) => answer switch
    {
        "page" => _ => Task.FromResult(Answer("<html><body>Sign in</body></html>", "text/html")),
        "no answer" => NoAnswerAsync,
        _ => _ => Task.FromResult(Json(BadCheckpointsBody(answer, holder))),
    };

    private string BadCheckpointsBody(string answer, string holder) => answer switch
    {
        "cut" => Copies(holder)[..20],
        "null" => "null",
        "null item" => "[null]",
        "no head" => Copies(holder).Replace($"\"{_head}\"", "null", StringComparison.Ordinal),
        "no holder" => Copies(holder).Replace($"\"{holder}\"", "null", StringComparison.Ordinal),
        "sequence 0" => Copies(holder, sequence: 0),
        "another holder" => Copies(holder == "tips" ? "incidents" : "tips"),
        _ => throw new ArgumentOutOfRangeException(nameof(answer), answer, "no such answer"),
    };

    /// <summary>The gateway answering <paramref name="command"/> as it should: the log for an export, the holders' checkpoints otherwise.</summary>
    private Answering GatewayFor(string command) => command == "export" ? Always(() => Ndjson(File.ReadAllText(_log))) : Holders();

    private static Answering Always(Func<HttpResponseMessage> answer) => new((_, _) => Task.FromResult(answer()));

    private static async Task<HttpResponseMessage> NoAnswerAsync(CancellationToken ct)
    {
        await Task.Delay(Timeout.Infinite, ct);
        throw new UnreachableException();
    }

    private static HttpResponseMessage Json(string body) => Answer(body, "application/json");

    private static HttpResponseMessage Ndjson(string body) => Answer(body, AuditLines.ContentType);

    private static HttpResponseMessage Ndjson(Stream body) => new(HttpStatusCode.OK) { Content = new StreamContent(body) { Headers = { ContentType = new(AuditLines.ContentType) } } };

    private static HttpResponseMessage Answer(string body, string? mediaType) =>
        new(HttpStatusCode.OK) { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)) { Headers = { ContentType = mediaType is null ? null : new(mediaType) } } };

    /// <summary>
    /// An answer's body: its bytes, then the connection reset when <paramref name="cut"/>, or nothing more until the reader
    /// gives up when it <paramref name="stalls"/>; how much of it was read.
    /// </summary>
    private sealed class Body(byte[] bytes, bool cut, bool stalls = false) : MemoryStream(bytes)
    {
        public long BytesRead { get; private set; }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await base.ReadAsync(buffer, cancellationToken);
            BytesRead += read;
            if (read == 0 && stalls)
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }

            return read == 0 && cut ? throw new IOException("The connection was reset.") : read;
        }
    }

    /// <summary>Answers the tool's requests in memory, as the gateway would.</summary>
    private sealed class Answering(Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> answer) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) => answer(request, cancellationToken);
    }
}
