using System.Text.Json.Nodes;
using static WardLink.IntegrationTests.BadInput.JsonBodies;

namespace WardLink.IntegrationTests.BadInput;

/// <summary>
/// A record's version (its <c>ETag</c>) is a precondition a client may send, and every operation answering it evaluates what is
/// sent as RFC 9110 §13.2.2 does: <c>If-Match</c> first (a strong match or <c>*</c>, else a <c>412</c>), then <c>If-None-Match</c>
/// (a weak match or <c>*</c> is a <c>304</c> with no body on a read, a <c>412</c> that changes nothing on a step), each a list as
/// RFC 9110 writes it (tabs beside its commas, empty members; a comma or a <c>*</c> inside a tag's quotes is the tag's, never a
/// wildcard). Walked over every operation of the document that answers an <c>ETag</c>, on a fresh record of each kind its path names.
/// </summary>
public abstract partial class BadInputSuite<TEntryPoint>
{
    /// <summary>
    /// Records of the kinds only a read names (a camera, a meeting, a webhook under the partner recorded last), which
    /// <see cref="RecordOneOfEachKindAsync"/> leaves out; none by default.
    /// </summary>
    protected virtual Task RecordEveryReadKindAsync(HttpClient client) => Task.CompletedTask;

    /// <summary>Records one of each kind the suite records (<see cref="RecordOneOfEachKindAsync"/>, <see cref="RecordEveryReadKindAsync"/>), then reads the newest stream of each kind.</summary>
    private async Task<IReadOnlyList<StoredStreamOfKind>> RecordEveryKindAsync()
    {
        await FreshStreamsAsync();
        await RecordEveryReadKindAsync(_client);
        return await _stored.NewestStreamOfEachKindAsync(Ct);
    }

    /// <summary>The values of path parameters that name a record by a code of its own (a ward's id), where a read needs one; none by default.</summary>
    protected virtual IReadOnlyDictionary<string, string> PathCodes { get; } = new Dictionary<string, string>();

    [Fact]
    public async Task A_read_answering_its_version_is_a_304_while_the_version_is_one_If_None_Match_names_and_a_412_unless_If_Match_names_it()
    {
        var streams = await RecordEveryKindAsync();
        var failures = new List<string>();
        var evaluated = 0;
        foreach (var read in (await DescribedOperation.AllAsync(_client, Ct)).Where(operation => operation.Method == "GET" && AnswersETag(operation)))
        {
            failures.AddRange(UndeclaredPreconditions(read, "304", "412"));
            var address = OnOwnRecords(read, streams, PathCodes);
            var plain = address is null ? null : await ConditionalAsync("GET", address, null, null, null);
            if (address is null || plain is not { Status: 200, ETag: { } etag })
            {
                // Every read answering a version is tried: one the suite's records do not reach is a gap to close.
                failures.Add($"GET {read.Template}: no record of the suite reached ({(plain is null ? "no record of its kind" : $"{plain.Status}")}): record one in {nameof(RecordEveryReadKindAsync)}");
                continue;
            }

            evaluated++;
            var what = $"GET {read.Template}";
            foreach (var (ifMatch, ifNoneMatch, status) in new (string?, string?, int)[]
            {
                (null, etag, 304),
                (null, "*", 304),
                (null, $"{StaleIfMatch}, W/{etag}", 304),
                (null, StaleIfMatch, 200),
                (StaleIfMatch, null, 412),
                ($"W/{etag}", null, 412),
                ("*", null, 200),
                ($"{StaleIfMatch}, {etag}", null, 200),
                (StaleIfMatch, etag, 412),
                (etag, etag, 304),
                (null, $", {StaleIfMatch},\t{etag},", 304),
                (null, CommaStarTag, 200),
                (CommaStarTag, null, 412),
                ($"{CommaStarTag}, , {etag}", null, 200),
            })
            {
                var answer = await ConditionalAsync("GET", address, null, ifMatch, ifNoneMatch);
                failures.AddRange(PreconditionFailures(what, ifMatch, ifNoneMatch, answer, status, etag));
            }
        }

        Assert.True(evaluated > 0, "No read answered a record's version to try its preconditions on.");
        AssertNone(failures);
    }

    [Fact]
    public async Task A_step_under_a_precondition_its_record_fails_is_a_412_that_changes_nothing()
    {
        var streams = await RecordEveryKindAsync();
        var failures = new List<string>();
        var evaluated = 0;
        foreach (var step in (await DescribedOperation.AllAsync(_client, Ct)).Where(operation => operation.Method != "GET" && AnswersETag(operation) && IsStep(operation)))
        {
            failures.AddRange(UndeclaredPreconditions(step, "412"));
            if (OnOwnRecords(step, streams) is not { } address)
            {
                continue;
            }

            var body = StepBody(step);
            var ids = PathParameter.Of(step.Description).Where(parameter => parameter.IsGuid).ToList();
            var records = ids.SelectMany(parameter => OwnStreams(step.Template, parameter, streams).Take(1)).ToList();
            var namesPart = records.Count < ids.Count;
            var etag = $"\"{await _stored.VersionAsync(records[^1].Id, Ct)}\"";
            var judged = false;
            foreach (var (ifMatch, ifNoneMatch) in new (string?, string?)[] { (null, "*"), (null, etag), (null, $"W/{etag}"), (null, $"{StaleIfMatch},\t{etag}"), (CommaStarTag, null) })
            {
                var before = await _stored.CountAsync(Ct);
                var answer = await ConditionalAsync(step.Method, address, body, ifMatch, ifNoneMatch);
                var changed = StoredRows.Changed(before, await _stored.CountAsync(Ct));
                var what = $"{step.Method} {step.Template}";
                if (answer.Status == 404 && changed.Count == 0 && !namesPart)
                {
                    // The records the path names are not one another's (the newest webhook is another partner's): a 404 whatever
                    // the headers say, so a stale ETag never tells that a record exists. A part of the record (a linked tip, a
                    // contact, a member, an action item: an id of no kind the service stores, here a fresh one, surely not
                    // there) is judged after the record's preconditions: a removal already applied, sent again, is a 412.
                    continue;
                }

                evaluated++;
                judged = true;
                failures.AddRange(PreconditionFailures(what, ifMatch, ifNoneMatch, answer, 412, etag));
                failures.AddRange(changed.Select(table => $"{what} with If-Match: {ifMatch} If-None-Match: {ifNoneMatch}: stored {table}"));
            }

            // As the read walk: a step whose records the suite's are not one another's is a gap to close, not a pass.
            failures.AddRange(judged ? [] : [$"{step.Method} {step.Template}: no record of the suite reached (every answer a 404): record one in {nameof(RecordEveryReadKindAsync)}"]);
        }

        Assert.True(evaluated > 0, "No step on a stored record to try If-None-Match on.");
        AssertNone(failures);
    }

    private static readonly string[] PreconditionHeaders = ["If-Match", "If-None-Match"];

    /// <summary>One entity tag holding a comma and a star inside its quotes: a tag of another's making, never a wildcard.</summary>
    private const string CommaStarTag = "\"a,*,b\"";

    private static bool AnswersETag(DescribedOperation operation) =>
        operation.Description["responses"]!.AsObject().Any(response => response.Value?["headers"]?.AsObject().ContainsKey("ETag") == true);

    /// <summary>What <paramref name="operation"/>'s document leaves out of its preconditions: the headers it reads and the answers they give.</summary>
    private static IEnumerable<string> UndeclaredPreconditions(DescribedOperation operation, params string[] statuses)
    {
        var headers = PathParameter.ParametersIn(operation.Description, "header").Select(header => (string?)header["name"]).ToList();
        var responses = operation.Description["responses"]!.AsObject();
        return PreconditionHeaders.Where(name => !headers.Contains(name)).Select(name => $"{operation.Method} {operation.Template}: answers an ETag but declares no {name} header")
            .Concat(statuses.Where(status => !responses.ContainsKey(status)).Select(status => $"{operation.Method} {operation.Template}: answers an ETag but declares no {status}"));
    }

    /// <summary>
    /// <paramref name="operation"/>'s address on the newest record of the kind each of its ids names and the record each of its
    /// codes names (<paramref name="codes"/>; its other values filled: an id of no kind stored, a part of its record such as a
    /// linked tip or a contact, a fresh one), or null where it names no record.
    /// </summary>
    private static string? OnOwnRecords(DescribedOperation operation, IReadOnlyList<StoredStreamOfKind> streams, IReadOnlyDictionary<string, string>? codes = null)
    {
        var parameters = PathParameter.Of(operation.Description);
        var own = parameters.Where(parameter => parameter.IsGuid)
            .Select(parameter => (parameter.Name, Record: OwnStreams(operation.Template, parameter, streams).FirstOrDefault()))
            .Where(id => id.Record is not null)
            .ToList();
        var coded = parameters.Where(parameter => !parameter.IsGuid && codes?.ContainsKey(parameter.Name) == true).ToList();
        if (own.Count + coded.Count == 0)
        {
            return null;
        }

        var template = own.Aggregate(operation.Template, (path, id) => path.Replace($"{{{id.Name}}}", id.Record!.Id.ToString(), StringComparison.Ordinal));
        template = coded.Aggregate(template, (path, parameter) => path.Replace($"{{{parameter.Name}}}", Uri.EscapeDataString(codes![parameter.Name]), StringComparison.Ordinal));
        return PathParameter.Fill(template, parameters.Where(parameter => !coded.Contains(parameter) && own.All(id => id.Name != parameter.Name)));
    }

    private async Task<ConditionalAnswer> ConditionalAsync(string method, string address, string? body, string? ifMatch, string? ifNoneMatch)
    {
        _requests++;
        using var request = new HttpRequestMessage(new HttpMethod(method), address) { Content = body is null ? null : Json(body) };
        foreach (var (name, value) in new[] { ("If-Match", ifMatch), ("If-None-Match", ifNoneMatch) })
        {
            if (value is not null)
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
        }

        using var response = await _client.SendAsync(request, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        return new ConditionalAnswer((int)response.StatusCode, response.Headers.ETag?.ToString(), response.Content.Headers.ContentType?.MediaType, text);
    }

    /// <summary>What is wrong with <paramref name="answer"/> where <paramref name="status"/> is due, the record at <paramref name="etag"/>.</summary>
    private static IEnumerable<string> PreconditionFailures(string what, string? ifMatch, string? ifNoneMatch, ConditionalAnswer answer, int status, string etag)
    {
        var sent = $"{what} with{(ifMatch is null ? string.Empty : $" If-Match: {ifMatch}")}{(ifNoneMatch is null ? string.Empty : $" If-None-Match: {ifNoneMatch}")}";
        if (answer.Status != status)
        {
            yield return $"{sent}: answered {answer.Status} {Shortened(answer.Body)} where {status} is due";
            yield break;
        }

        if (answer.ETag != etag)
        {
            yield return $"{sent}: answered ETag {answer.ETag ?? "none"} where the record is at {etag}";
        }

        if (status == 304 && answer.Body.Length > 0)
        {
            yield return $"{sent}: a 304 with a body ({Shortened(answer.Body)})";
        }

        if (status == 412 && (answer.MediaType != "application/problem+json" || JsonNode.Parse(answer.Body)?["title"] is null))
        {
            yield return $"{sent}: a 412 that is no problem ({answer.MediaType} {Shortened(answer.Body)})";
        }
    }

    private sealed record ConditionalAnswer(int Status, string? ETag, string? MediaType, string Body);
}
