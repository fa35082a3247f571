using CsCheck;
using System.Globalization;
using System.Text.Json.Nodes;
using WardLink.Domain;
using WardLink.Testing;
using static WardLink.IntegrationTests.BadInput.JsonBodies;

namespace WardLink.IntegrationTests.BadInput;

/// <summary>
/// A partner's validator reads a body's text by its document's pattern and length, and so does a tester walking the document:
/// what the pattern takes must be taken, what it refuses refused. A webhook address with spaces around it was stored (the
/// service trimmed it) though its pattern refused it, and forms its pattern took were refused.
/// </summary>
public abstract partial class BadInputSuite<TEntryPoint>
{
    /// <summary>How a refusal of a text of the right form that names no record begins (<c>No such ward.</c>): not a refusal of its form.</summary>
    private const string NamesNoRecord = "No such ";

    /// <summary>Characters put into a sample: the texts' separators, white space of either engine, other scripts' digits and letters, an astral one.</summary>
    private static readonly string[] Edits =
    [
        " ", "\t", "\n", "\u00a0", "\u200b", "\ufeff", "-", ".", ":", "/", "@", "+", "%", "|", "\\", "#", "?", "(", ")", "_", "'", "\"",
        "<", ";", ",", "[", "]", "~", "*", "=", "&", "!", "a", "z", "A", "Z", "0", "1", "9", "é", "\u0663", "\uff10", "\ud83d\ude00",
    ];

    /// <summary>
    /// Every body text with a pattern of its own (not free text) is sent as the value its operation takes on the suite's own
    /// records (<see cref="StepBody"/>, addressed to a fresh record of each kind its path names) changed by one to three edits (a
    /// character put in, put in place of one, or taken out; of <see cref="Edits"/> or of the value's own): a text the pattern
    /// (read as ECMAScript reads it) and the length take is not refused for its form (it may name no record: "No such ward."); one they do not is a 400 naming it, storing
    /// nothing. Each text's first disagreement is shrunk by CsCheck and reported with the others.
    /// </summary>
    [Fact]
    public async Task A_text_of_a_pattern_is_taken_exactly_where_its_pattern_and_length_take_it()
    {
        var streams = await RecordEveryKindAsync();
        var failures = new List<string>();
        var texts = 0;
        foreach (var operation in await DescribedOperation.AllAsync(_client, Ct))
        {
            var patterned = (operation.Body?.Values() ?? []).Where(value => value.Schema is { Kind: SchemaKind.Text, Format: null, Pattern: not (null or Patterns.NotBlank) }).ToList();
            if (patterned.Count == 0)
            {
                continue;
            }

            var address = PathParameter.Of(operation.Description).Count == 0 ? operation.Template : OnOwnRecords(operation, streams, PathCodes);
            if (address is null)
            {
                failures.Add($"{operation.Method} {operation.Template}: no record of the suite reached: record one in {nameof(RecordEveryReadKindAsync)}");
                continue;
            }

            var taken = JsonNode.Parse(StepBody(operation)!)!;
            foreach (var (path, schema) in patterned)
            {
                texts++;
                using var ecmaScript = EcmaScriptPatterns.Read(schema.Pattern!);
                try
                {
                    await EditsOf(TextAt(taken, path)).SampleAsync(
                        async text =>
                        {
                            var length = CodePoints(text).Count;
                            var admitted = ecmaScript.Finds(text) && length >= (schema.MinLength ?? 0) && length <= (schema.MaxLength ?? int.MaxValue);
                            var answer = await SendAsync(operation.Method, address, Json(With(taken, path, text)));
                            if (answer.Status is not (< 300 or 400))
                            {
                                // Refused for the record's state (a 409) or another record's absence (a 404), not for a text: unjudged.
                                Assert.True(answer.Status < 500 && answer.Changed.Count == 0, $"{answer.Status} {Shortened(answer.Body)}, stored {string.Join(", ", answer.Changed)}");
                                return;
                            }

                            var refused = answer.Status == 400 && IsProblem(answer, out var problem) && ErrorsOf(problem, path).Any(message => !message.StartsWith(NamesNoRecord, StringComparison.Ordinal));
                            Assert.True(
                                admitted != refused && answer.Status < 500 && (admitted || answer.Changed.Count == 0),
                                $"{(admitted ? "its pattern takes it" : "its pattern refuses it")}: {answer.Status} {Shortened(answer.Body)}");
                        },
                        iter: 60,
                        threads: 1,
                        print: text => $"'{EcmaScriptPatterns.Escaped(text)}'");
                }
                catch (CsCheckException disagreement)
                {
                    failures.Add($"{operation.Method} {operation.Template}, {path} ({schema.Pattern}): {disagreement.Message} {disagreement.InnerException?.Message}");
                }
            }
        }

        Assert.True(texts > 0, "No body text has a pattern of its own.");
        AssertNone(failures);
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
        var changed = body.DeepClone();
        var (parent, last) = ParentOf(changed, path);
        if (last.StartsWith('['))
        {
            parent[int.Parse(last[1..^1], CultureInfo.InvariantCulture)] = text;
        }
        else
        {
            parent[last] = text;
        }

        return changed.ToJsonString();
    }

    /// <summary><paramref name="sample"/> changed by one to three edits, each at a place of its own (a character beyond the Basic Multilingual Plane is one).</summary>
    private static Gen<string> EditsOf(string sample)
    {
        var own = CodePoints(sample);
        var put = Gen.OneOf(Gen.Int[0, Edits.Length - 1].Select(index => Edits[index]), Gen.Int[0, own.Count - 1].Select(index => own[index]));
        return Gen.Select(Gen.Int[0, 2], Gen.Int[0, 1000], put).Array[1, 3].Select(edits => string.Concat(edits.Aggregate(own, (characters, edit) =>
        {
            var (how, at, character) = edit;
            var index = at % (characters.Count + 1);
            return how switch
            {
                0 => characters.Insert(index, character),
                1 when index < characters.Count => characters.SetItem(index, character),
                _ when index < characters.Count => characters.RemoveAt(index),
                _ => characters.Add(character),
            };
        })));
    }

    /// <summary>The characters of <paramref name="text"/> as JSON Schema counts them (code points).</summary>
    private static System.Collections.Immutable.ImmutableList<string> CodePoints(string text) => [.. text.EnumerateRunes().Select(rune => rune.ToString())];
}
