using System.Text;
using CsCheck;
using WardLink.ServiceDefaults;
using WardLink.Testing;

namespace WardLink.IntegrationTests.BadInput;

/// <summary>
/// Every way a body's charset is read ends in a 2xx or a 4xx problem and alters no byte (docs/api.md): a charset .NET reads
/// is read, strictly; one it does not know or will not read (UTF-7, by any of its names: a 500 at every operation, a health
/// check too), or a media type that gives its charset twice, is a 415 problem; bytes the charset cannot decode are a 400
/// naming the body (in US-ASCII, <c>café</c> was stored as <c>caf??</c>).
/// </summary>
public abstract partial class BadInputSuite<TEntryPoint>
{
    private const int MadeCharsetsPerEndpoint = 6;

    /// <summary>A media type's parameters no reader agrees on, and what the refusal says of them: one given twice, one without a value.</summary>
    private static readonly (string Parameters, string Said)[] MalformedParameters =
    [
        ("charset=utf-8; charset=utf-16", "'charset' is given more than once"),
        ("charset=utf-16; charset=utf-8", "'charset' is given more than once"),
        ("charset=utf-8; CHARSET=utf-8", "'charset' is given more than once"),
        ("charset", "'charset' in Content-Type has no value"),
        ("CHARSET", "'CHARSET' in Content-Type has no value"),
        ("charset=utf-8; version", "'version' in Content-Type has no value"),
    ];

    private const int UndecodableBodiesPerEndpoint = 24;

    [Fact]
    public async Task Every_charset_a_body_names_is_read_or_a_415_problem_never_a_5xx_and_a_refusal_stores_nothing()
    {
        var failures = new List<string>();
        foreach (var endpoint in await EndpointsAsync())
        {
            var sample = endpoint.Body?.Sample()?.ToJsonString() ?? "{}";
            async Task SendInAsync(string charset)
            {
                var strict = Charsets.Strict(charset);
                var json = new ByteArrayContent((strict ?? Encoding.UTF8).GetBytes(sample));
                json.Headers.TryAddWithoutValidation("Content-Type", $"application/json; charset={charset}");
                var answer = await SendAsync(endpoint, json);
                if (strict is null)
                {
                    failures.AddRange(RefusalFailures($"{endpoint}", $"a JSON body of charset {charset}", answer, null, 415));
                }
                else if (endpoint.Body is not null && NotRead(answer))
                {
                    failures.Add($"{endpoint}, a JSON body of charset {charset}: not read ({answer.Status} {Shortened(answer.Body)})");
                }
                else
                {
                    failures.AddRange(NeverAServerError($"{endpoint}", $"a JSON body of charset {charset}", answer));
                }

                var form = new ByteArrayContent("a=b"u8.ToArray());
                form.Headers.TryAddWithoutValidation("Content-Type", $"application/x-www-form-urlencoded; charset={charset}");
                failures.AddRange(NeverAServerError($"{endpoint}", $"a form of charset {charset}", await SendAsync(endpoint, form)));
            }

            foreach (var charset in Charsets.Named)
            {
                await SendInAsync(charset);
            }

            await Charsets.Made.SampleAsync(SendInAsync, iter: MadeCharsetsPerEndpoint, threads: 1);

            foreach (var (parameters, said) in MalformedParameters)
            {
                var json = new ByteArrayContent(Encoding.UTF8.GetBytes(sample));
                json.Headers.TryAddWithoutValidation("Content-Type", $"application/json; {parameters}");
                var answer = await SendAsync(endpoint, json);
                failures.AddRange(RefusalFailures($"{endpoint}", $"a JSON body of {parameters}", answer, null, 415));
                if (!IsProblem(answer, out var problem) || !problem.TryGetProperty("detail", out var detail) || detail.GetString()?.Contains(said, StringComparison.Ordinal) != true)
                {
                    failures.Add($"{endpoint}, a JSON body of {parameters}: the problem does not say {said}: {Shortened(answer.Body)}");
                }
            }
        }

        foreach (var charset in Charsets.Utf7.Concat(Charsets.Unknown))
        {
            using var health = new HttpRequestMessage(HttpMethod.Get, "/health/live") { Content = new ByteArrayContent([]) };
            health.Content.Headers.TryAddWithoutValidation("Content-Type", $"application/json; charset={charset}");
            using var answer = await _client.SendAsync(health, Ct);
            if ((int)answer.StatusCode >= 500)
            {
                failures.Add($"GET /health/live, Content-Type of charset {charset}: {(int)answer.StatusCode}");
            }
        }

        AssertNone(failures);
    }

    /// <summary>
    /// A property: bytes placed in a free text of a well-formed body, in a charset .NET reads, are a 400 problem naming the body
    /// wherever that charset cannot decode them (the body as a whole), nothing stored; where it can and the body is taken, the
    /// text is kept as the charset decodes it, never with a character replaced.
    /// </summary>
    [Fact]
    public async Task Bytes_the_declared_charset_cannot_decode_are_a_400_problem_naming_the_body_never_replaced()
    {
        const string Marker = "charset-marker";
        var failures = new List<string>();
        var undecodable = 0;
        foreach (var endpoint in await EndpointsAsync())
        {
            if (FreeTextOf(endpoint) is not { } path)
            {
                continue;
            }

            var around = SampleWith(endpoint.Body!, path, Marker).Split(Marker);
            await Gen.Select(Gen.OneOf(Charsets.Read), Gen.Byte.Array[1, 8], Gen.Bool).SampleAsync(
                async (charset, bytes, declared) =>
                {
                    var strict = Charsets.Strict(charset)!;
                    byte[] body = [.. strict.GetBytes(around[0]), .. bytes, .. strict.GetBytes(around[1])];
                    var content = new ByteArrayContent(body);

                    // UTF-8 is also the charset of a body that names none.
                    content.Headers.TryAddWithoutValidation("Content-Type", declared || strict.CodePage != Encoding.UTF8.CodePage ? $"application/json; charset={charset}" : "application/json");
                    var answer = await SendAsync(endpoint, content);
                    var what = $"{path} holding bytes {Convert.ToHexString(bytes)} in {charset}";
                    if (!Charsets.Decodes(strict, body))
                    {
                        undecodable++;
                        failures.AddRange(RefusalFailures($"{endpoint}", what, answer, RequestChecks.BodyField, 400));
                    }
                    else if (answer.Status is >= 200 and < 300 && Charsets.Decodes(strict, bytes) && strict.GetString(bytes) is var text && !text.Any(c => c is '"' or '\\' || char.IsControl(c)))
                    {
                        // A text is kept as read: trimmed (docs/api.md), so bytes that decode to a space or a no-break space at
                        // either end are not shown there.
                        failures.AddRange(KeptAsData(endpoint, what, answer, path, text.Trim()));
                    }
                    else
                    {
                        failures.AddRange(NeverAServerError($"{endpoint}", what, answer));
                    }
                },
                iter: UndecodableBodiesPerEndpoint,
                threads: 1);
        }

        Assert.True(undecodable > 0, "No body of bytes its charset cannot decode was sent.");
        AssertNone(failures);
    }

    /// <summary>
    /// A free text of any script, in a body written in UTF-16 or UTF-32 in either byte order, with its mark or without, sent as
    /// <c>charset=utf-16</c> (no order named; Java writes big-endian) or as the order it is in, is read and kept as sent: a
    /// big-endian body was refused (docs/api.md: "UTF-16 and UTF-32 in either byte order … a byte order mark is skipped").
    /// </summary>
    [Fact]
    public async Task A_body_in_UTF_16_or_UTF_32_of_either_byte_order_is_read_and_its_text_kept()
    {
        const string Text = "Việt 😀 中文 Quảng Thắng";
        var failures = new List<string>();
        var sent = 0;
        foreach (var endpoint in await EndpointsAsync())
        {
            if (FreeTextOf(endpoint) is not { } path)
            {
                continue;
            }

            foreach (var (charset, written, body) in Charsets.InEveryByteOrder(SampleWith(endpoint.Body!, path, Text)))
            {
                var content = new ByteArrayContent(body);
                content.Headers.TryAddWithoutValidation("Content-Type", $"application/json; charset={charset}");
                var answer = await SendAsync(endpoint, content);
                var what = $"{path} in {written}, sent as charset={charset}";
                sent++;
                if (answer.Status is >= 200 and < 300)
                {
                    failures.AddRange(KeptAsData(endpoint, what, answer, path, Text));
                }
                else if (NotRead(answer))
                {
                    failures.Add($"{endpoint}, {what}: not read ({answer.Status} {Shortened(answer.Body)})");
                }
                else
                {
                    failures.AddRange(NeverAServerError($"{endpoint}", what, answer));
                }
            }
        }

        Assert.True(sent > 0, "No body in UTF-16 or UTF-32 was sent.");
        AssertNone(failures);
    }

    /// <summary>
    /// A byte order mark is skipped once, in every charset alike: a second one after it is no JSON (a 400 naming the body), as
    /// in UTF-8, where the reader skips one; a UTF-16 or UTF-32 body's second mark was read, written again as UTF-8's mark
    /// and skipped there.
    /// </summary>
    [Fact]
    public async Task A_second_byte_order_mark_is_a_400_naming_the_body_in_every_charset()
    {
        var failures = new List<string>();
        var sent = 0;
        foreach (var endpoint in await EndpointsAsync())
        {
            if (FreeTextOf(endpoint) is not { } path)
            {
                continue;
            }

            var sample = SampleWith(endpoint.Body!, path, "sample");
            var marked = Charsets.InEveryByteOrder(sample).Where(body => body.Written.EndsWith("with its mark", StringComparison.Ordinal))
                .Append(("utf-8", "utf-8 with its mark", [.. Encoding.UTF8.Preamble, .. Encoding.UTF8.GetBytes(sample)]));
            foreach (var (charset, written, body) in marked)
            {
                var mark = Encoding.GetEncoding(written.Split(' ')[0]).GetBytes("\uFEFF");
                var content = new ByteArrayContent([.. mark, .. body]);
                content.Headers.TryAddWithoutValidation("Content-Type", $"application/json; charset={charset}");
                var answer = await SendAsync(endpoint, content);
                sent++;
                if (answer.Status is 415 || !NotRead(answer))
                {
                    failures.Add($"{endpoint}, {written} and a second mark, sent as charset={charset}: expected a 400 naming the body ({answer.Status} {Shortened(answer.Body)})");
                }

                failures.AddRange(NeverAServerError($"{endpoint}", $"{written} and a second mark", answer));
            }
        }

        Assert.True(sent > 0, "No body with two marks was sent.");
        AssertNone(failures);
    }

    /// <summary>Whether the body was not read at all: its charset a 415, or a 400 naming the body.</summary>
    private static bool NotRead(Answer answer) =>
        answer.Status is 415 || (answer.Status == 400 && IsProblem(answer, out var problem) && NamesField(problem, RequestChecks.BodyField));

    /// <summary>The path of the endpoint's first free text (a text of no form of its own), where any character may stand; null when it has none.</summary>
    private static string? FreeTextOf(WriteEndpoint endpoint) =>
        endpoint.Body?.Values().FirstOrDefault(value => value.Schema is { Kind: SchemaKind.Text, IsConstrainedText: false }).Path;

    /// <summary>What is wrong with an answer that may be a success or a refusal: a 5xx, or a refusal that is no problem or stored something.</summary>
    private static IEnumerable<string> NeverAServerError(string endpoint, string what, Answer answer) =>
        answer.Status >= 500 || (answer.Status >= 400 && (!IsProblem(answer, out _) || answer.Changed.Count > 0))
            ? [$"{endpoint}, {what}: {answer.Status} {answer.MediaType}, stored {string.Join(", ", answer.Changed)} {Shortened(answer.Body)}"]
            : [];
}
