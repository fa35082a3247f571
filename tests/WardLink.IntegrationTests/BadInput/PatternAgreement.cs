using CsCheck;
using System.Globalization;
using System.Text.Json.Nodes;
using WardLink.Domain;
using WardLink.Testing;
using static WardLink.IntegrationTests.BadInput.JsonBodies;

namespace WardLink.IntegrationTests.BadInput;

/// <summary>
/// A partner's validator reads a body's or a query's text by its document's pattern and length, and so does a tester walking the document:
/// what the pattern takes must be taken, what it refuses refused. A webhook address with spaces around it was stored (the
/// service trimmed it) though its pattern refused it, and forms its pattern took were refused.
/// </summary>
public abstract partial class BadInputSuite<TEntryPoint>
{
    /// <summary>How many edited texts their patterns take were judged (those they refuse are, every text's, <see cref="DisagreementAsync"/>).</summary>
    private int _judgedTaken;

    /// <summary>White space of either engine's reading (a text read trimmed is one the pattern must take with it around).</summary>
    private static readonly string[] Spaces = [" ", "\t", "\n", "\r\n", "\u00a0", "\u2028", "\u3000", "\u0085", "\u200b", "\ufeff"];

    /// <summary>Characters put into a sample: the texts' separators, other scripts' digits and letters, an astral one.</summary>
    private static readonly string[] Edits =
    [
        "-", ".", ":", "/", "@", "+", "%", "|", "\\", "#", "?", "(", ")", "_", "'", "\"", "<", ";", ",", "[", "]", "~", "*", "=", "&", "!",
        "a", "z", "A", "Z", "0", "1", "9", "é", "\u0663", "\uff10", "\ud83d\ude00",
    ];

    /// <summary>
    /// Every body text with a pattern of its own (not free text) is sent as the value its operation takes on the suite's own
    /// records (<see cref="StepBody"/>, addressed to a fresh record of each kind its path names) changed by one to three edits
    /// (<see cref="EditsOf"/>): a text the pattern (read as ECMAScript reads it) and the length take is not refused for its form;
    /// one they do not is a 400 naming it, storing nothing (<see cref="DisagreementAsync"/>). Every text's disagreements are
    /// reported together.
    /// </summary>
    [Fact]
    public async Task A_text_of_a_pattern_is_taken_exactly_where_its_pattern_and_length_take_it()
    {
        var failures = new List<string>();
        var texts = 0;
        await foreach (var (operation, patterned, address) in PatternedOperationsAsync(operation => operation.Body?.Values() ?? []))
        {
            if (address is null)
            {
                failures.Add($"{operation.Method} {operation.Template}: no record of the suite reached: record one in {nameof(RecordEveryReadKindAsync)}");
                continue;
            }

            foreach (var (path, schema) in patterned)
            {
                texts++;
                failures.AddRange(await DisagreementAsync(
                    $"{operation.Method} {operation.Template}",
                    path,
                    schema,
                    TextAt(JsonNode.Parse(StepBody(operation)!)!, path),
                    absenceJudged: false,
                    text => SendAsync(operation.Method, address, Json(With(JsonNode.Parse(StepBody(operation)!)!, path, text)))));
            }
        }

        Assert.True(texts > 0, "No body text has a pattern of its own.");
        Assert.True(_judgedTaken > 0, "No edited text a pattern takes was judged: the walk must judge both kinds.");
        AssertNone(failures);
    }

    /// <summary>
    /// Every query text with a pattern of its own (a ward's or a province's id), sent as its sample (the other required queries
    /// as theirs) edited one to three characters, on the suite's own records where the path names one (a fresh id where the suite
    /// has none of its kind): taken exactly where its pattern and length take it, as a body's text is.
    /// </summary>
    [Fact]
    public async Task A_query_text_of_a_pattern_is_taken_exactly_where_its_pattern_and_length_take_it()
    {
        var failures = new List<string>();
        var texts = 0;
        await foreach (var (operation, patterned, ownAddress) in PatternedOperationsAsync(QueryOf))
        {
            // Where the suite has no record of the kind the path names, a fresh id: a query the pattern refuses is refused before
            // the record is looked up, and one it takes is then answered a 404, not judged.
            var address = ownAddress ?? PathParameter.Fill(operation.Template, PathParameter.Of(operation.Description), code: "unknown");
            var body = operation.Body is null ? null : StepBody(operation);
            var required = PathParameter.ParametersIn(operation.Description, "query").Where(parameter => (bool?)parameter["required"] == true).Select(parameter => (string)parameter["name"]!).ToHashSet(StringComparer.Ordinal);
            foreach (var (name, schema) in patterned)
            {
                texts++;
                var others = QueryOf(operation).Where(parameter => required.Contains(parameter.Name) && parameter.Name != name)
                    .Select(parameter => $"&{parameter.Name}={Uri.EscapeDataString(parameter.Schema.Default?.Trim('"') ?? QueryText(parameter.Schema))}");
                failures.AddRange(await DisagreementAsync(
                    $"{operation.Method} {operation.Template}",
                    name,
                    schema,
                    QueryText(schema),
                    absenceJudged: ownAddress is not null,
                    text => SendAsync(operation.Method, $"{address}?{name}={Uri.EscapeDataString(text)}{string.Concat(others)}", body is null ? null : Json(body))));
            }
        }

        Assert.True(texts > 0, "No query text has a pattern of its own.");
        Assert.True(_judgedTaken > 0, "No edited text a pattern takes was judged: the walk must judge both kinds.");
        AssertNone(failures);
    }

    /// <summary>The query parameters of <paramref name="operation"/>, each with its schema.</summary>
    private static IEnumerable<(string Name, BodySchema Schema)> QueryOf(DescribedOperation operation) =>
        PathParameter.ParametersIn(operation.Description, "query").Select(parameter => ((string)parameter["name"]!, BodySchema.Resolve(parameter["schema"]!.AsObject(), operation.Components)));

    /// <summary>
    /// Every operation of the service's document with texts of a pattern of their own among <paramref name="valuesOf"/> (its
    /// body's, its query's), after recording a record of each kind: the texts, and its address on the suite's own records (its
    /// template where its path names none; null where the suite has no record of a kind its path names).
    /// </summary>
    private async IAsyncEnumerable<(DescribedOperation Operation, IReadOnlyList<(string Name, BodySchema Schema)> Texts, string? Address)> PatternedOperationsAsync(
        Func<DescribedOperation, IEnumerable<(string Name, BodySchema Schema)>> valuesOf)
    {
        var streams = await RecordEveryKindAsync();
        foreach (var operation in await DescribedOperation.AllAsync(_client, Ct))
        {
            var patterned = valuesOf(operation).Where(value => value.Schema is { Kind: SchemaKind.Text, Format: null, Pattern: not (null or Patterns.NotBlank) }).ToList();
            if (patterned.Count > 0)
            {
                yield return (operation, patterned, PathParameter.Of(operation.Description).Count == 0 ? operation.Template : OnOwnRecords(operation, streams, PathCodes));
            }
        }
    }

    /// <summary>A query value of <paramref name="schema"/> as its sample writes it (a text as it is, a number or a date as JSON writes it, unquoted).</summary>
    private static string QueryText(BodySchema schema) => schema.Sample() is JsonValue value && value.TryGetValue<string>(out var text) ? text : schema.Sample()?.ToJsonString() ?? string.Empty;

    /// <summary>
    /// <paramref name="value"/>, a text of <paramref name="schema"/>'s pattern at <paramref name="field"/>, edited one to three
    /// characters and each sent by <paramref name="send"/> (never a 5xx; a refusal stores nothing): where the pattern and length do
    /// not take it, a 400 naming it; where they do, not refused with a message any text they refuse got (its form's), though it
    /// may be refused for another rule (a window that ends where it starts, a ward nobody recorded). An answer for another
    /// record's absence (a 404, but where <paramref name="absenceJudged"/>: the text's own record) or the record's state (a 409)
    /// is not judged, but a text none of whose edits its pattern refuses was judged is a failure (the walk cannot see it). The
    /// disagreements, at most three.
    /// </summary>
    private async Task<IReadOnlyList<string>> DisagreementAsync(string operation, string field, BodySchema schema, string value, bool absenceJudged, Func<string, Task<Answer>> send)
    {
        using var ecmaScript = EcmaScriptPatterns.Read(schema.Pattern!);
        var judged = new List<(string Text, bool Admitted, Answer Answer, string[] Messages)>();
        await EditsOf(value).SampleAsync(
            async text =>
            {
                var length = CodePoints(text).Count;
                var admitted = ecmaScript.Finds(text) && length >= (schema.MinLength ?? 0) && length <= (schema.MaxLength ?? int.MaxValue);
                var answer = await send(text);
                Assert.True(answer.Status < 500 && (answer.Status < 300 || answer.Changed.Count == 0), $"{operation}, {field} = '{EcmaScriptPatterns.Escaped(text)}': {answer.Status} {Shortened(answer.Body)}, stored {string.Join(", ", answer.Changed)}");
                if (answer.Status is < 300 or 400 || (absenceJudged && answer.Status == 404))
                {
                    judged.Add((text, admitted, answer, answer.Status == 400 && IsProblem(answer, out var problem) ? [.. ErrorsOf(problem, field)] : []));
                }
            },
            iter: 60,
            threads: 1,
            print: text => $"'{EcmaScriptPatterns.Escaped(text)}'");

        var formMessages = judged.Where(sent => !sent.Admitted).SelectMany(sent => sent.Messages).ToHashSet(StringComparer.Ordinal);
        _judgedTaken += judged.Count(sent => sent.Admitted);
        if (!judged.Any(sent => !sent.Admitted))
        {
            return [$"{operation}, {field}: no text its pattern refuses was judged (each answered otherwise than a 2xx or a 400): the walk cannot see this text"];
        }

        return [.. judged
            .Where(sent => sent.Admitted ? sent.Messages.Any(formMessages.Contains) : sent.Messages.Length == 0)
            .Take(3)
            .Select(sent => $"{operation}, {field} ({schema.Pattern}) = '{EcmaScriptPatterns.Escaped(sent.Text)}': its pattern {(sent.Admitted ? "takes" : "refuses")} it, answered {sent.Answer.Status} {Shortened(sent.Answer.Body)}")];
    }

    /// <summary>The text at <paramref name="path"/> of <paramref name="body"/>.</summary>
    private static string TextAt(JsonNode body, string path)
    {
        var (parent, last) = ParentOf(body, path);
        return (last.StartsWith('[') ? parent[int.Parse(last[1..^1], CultureInfo.InvariantCulture)] : parent[last])!.GetValue<string>();
    }

    /// <summary><paramref name="body"/> with <paramref name="text"/> at <paramref name="path"/>, written as JSON.</summary>
    private static string With(JsonNode body, string path, string text)
    {
        var (parent, last) = ParentOf(body, path);
        if (last.StartsWith('['))
        {
            parent[int.Parse(last[1..^1], CultureInfo.InvariantCulture)] = text;
        }
        else
        {
            parent[last] = text;
        }

        return body.ToJsonString();
    }

    /// <summary>
    /// <paramref name="sample"/> changed by one to three edits, each at a place of its own (a character beyond the Basic
    /// Multilingual Plane is one): half of them any edit (a character put in, at either end too, put in place of one, or taken
    /// out; white space, one of <see cref="Edits"/> or of its own), which its pattern mostly refuses, half a letter or digit put
    /// in place of one of its kind (a lower-case letter for one, a digit for one), which its pattern mostly takes.
    /// </summary>
    private static Gen<string> EditsOf(string sample)
    {
        var own = CodePoints(sample);
        var put = Gen.OneOf(
            Gen.Int[0, Spaces.Length - 1].Select(index => Spaces[index]),
            Gen.Int[0, Edits.Length - 1].Select(index => Edits[index]),
            Gen.Int[0, own.Count - 1].Select(index => own[index]));
        var anyEdit = Gen.Select(Gen.Int[0, 4], Gen.Int[0, 1000], put).Array[1, 3].Select(edits => edits.Aggregate(own, (characters, edit) =>
        {
            var (how, at, character) = edit;
            var index = at % (characters.Count + 1);
            return how switch
            {
                0 => characters.Insert(index, character),
                1 when index < characters.Count => characters.SetItem(index, character),
                2 when index < characters.Count => characters.RemoveAt(index),
                3 => characters.Insert(0, character),
                _ => characters.Add(character),
            };
        }));
        var ofItsKind = Gen.Select(Gen.Int[0, 1000], Gen.Int[0, 25]).Array[1, 3].Select(edits => edits.Aggregate(own, (characters, edit) =>
        {
            var (at, which) = edit;
            var index = at % characters.Count;
            return characters[index] switch
            {
                [var c] when char.IsAsciiDigit(c) => characters.SetItem(index, $"{which % 10}"),
                [var c] when char.IsAsciiLetterLower(c) => characters.SetItem(index, $"{(char)('a' + which)}"),
                [var c] when char.IsAsciiLetterUpper(c) => characters.SetItem(index, $"{(char)('A' + which)}"),
                _ => characters,
            };
        }));
        return Gen.OneOf(anyEdit, ofItsKind).Select(characters => string.Concat(characters));
    }

    /// <summary>The characters of <paramref name="text"/> as JSON Schema counts them (code points).</summary>
    private static System.Collections.Immutable.ImmutableList<string> CodePoints(string text) => [.. text.EnumerateRunes().Select(rune => rune.ToString())];
}
