using System.Text.Json;
using static WardLink.IntegrationTests.BadInput.JsonBodies;

namespace WardLink.IntegrationTests.BadInput;

/// <summary>
/// Steps sent at once on one record take turns (docs/api.md): each decides on what the one before it wrote. So every step of
/// the document, sent several times at once to the records its path names (one of each kind recorded for it), is answered and stores as
/// the same steps sent one after another to their twins: without <c>If-Match</c>, where a lost race's 409 would be new, and with
/// the version the records have, where the first applies and the others are told it changed (412), never a 409.
/// </summary>
public abstract partial class BadInputSuite<TEntryPoint>
{
    private const int AtOnce = 6;

    /// <summary>
    /// Bodies an operation takes (a step on the suite's fresh records, a creation) where its schema's sample is refused (<c>METHOD
    /// /template</c>); a <see cref="Func{TResult}"/> makes a new one each time it is asked (a tip's id a link takes once).
    /// </summary>
    protected virtual IReadOnlyDictionary<string, object> StepBodies { get; } = new Dictionary<string, object>();

    [Fact]
    public async Task A_step_sent_several_times_at_once_is_answered_and_stored_as_if_sent_one_after_another()
    {
        var oneAfterAnother = await RecordedNowAsync();
        var atOnce = await RecordedNowAsync();
        var failures = new List<string>();
        var appliedAtOnce = 0;
        foreach (var step in (await DescribedOperation.AllAsync(_client, Ct)).Where(IsStep))
        {
            var parameters = PathParameter.Of(step.Description);
            var body = StepBody(step);
            var twins = parameters.Where(parameter => parameter.IsGuid)
                .Select(parameter => (parameter.Name, First: OwnStreams(step.Template, parameter, oneAfterAnother).FirstOrDefault(), Second: OwnStreams(step.Template, parameter, atOnce).FirstOrDefault()))
                .Where(twin => twin.First is not null && twin.Second is not null)
                .ToList();
            if (twins.Count == 0)
            {
                continue;
            }

            // The path's other values (a sub-record's id, a code) are the same for both twins.
            var template = PathParameter.Fill(step.Template, parameters.Where(parameter => twins.All(twin => twin.Name != parameter.Name)));
            var versioned = PathParameter.ParametersIn(step.Description, "header").Any(header => (string?)header["name"] == "If-Match");
            foreach (var ifMatch in versioned ? new[] { false, true } : [false])
            {
                var sequence = await TwinAnswersAsync(step.Method, template, twins.Select(twin => (twin.Name, twin.First!.Id)), body, ifMatch, together: false);
                var together = await TwinAnswersAsync(step.Method, template, twins.Select(twin => (twin.Name, twin.Second!.Id)), body, ifMatch, together: true);
                var what = $"{step.Method} {step.Template} sent {AtOnce} times{(ifMatch ? " with the records' If-Match" : " without If-Match")}";
                if (!sequence.Order(StringComparer.Ordinal).SequenceEqual(together.Order(StringComparer.Ordinal)))
                {
                    failures.Add($"{what}: one after another answered\n    {string.Join("\n    ", sequence)}\n  at once\n    {string.Join("\n    ", together.Order(StringComparer.Ordinal))}");
                }

                foreach (var (name, first, second) in twins)
                {
                    var (before, after) = (await _stored.VersionAsync(first!.Id, Ct), await _stored.VersionAsync(second!.Id, Ct));
                    if (before != after)
                    {
                        failures.Add($"{what}: {name}'s record is at version {before} sent one after another, {after} sent at once");
                    }
                }

                appliedAtOnce += together.Any(answer => answer.StartsWith('2')) ? 1 : 0;
            }
        }

        AssertNone(failures);
        Assert.True(appliedAtOnce > 0, $"No step applied when sent at once: the samples prove nothing of turns (give a step a body it takes in {nameof(StepBodies)}).");
    }

    /// <summary>
    /// A record of each kind the suite records (<see cref="RecordOneOfEachKindAsync"/>, <see cref="RecordEveryReadKindAsync"/>),
    /// every one recorded by this call: a kind whose newest record was there before is left out, so twins are two records, never
    /// one (another test's camera, recorded before this test ran, was both twins: already approved by the steps sent one after
    /// another when the same steps were sent at once).
    /// </summary>
    private async Task<IReadOnlyList<StoredStreamOfKind>> RecordedNowAsync()
    {
        var before = (await _stored.NewestStreamOfEachKindAsync(Ct)).Select(stream => stream.Id).ToHashSet();
        return [.. (await RecordEveryKindAsync()).Where(stream => !before.Contains(stream.Id))];
    }

    /// <summary>The body <paramref name="step"/> is sent on the suite's fresh records: the one <see cref="StepBodies"/> gives, else its schema's sample.</summary>
    private string? StepBody(DescribedOperation step) => StepBody(step.Method, step.Template, step.Body);

    /// <summary>The body the step <paramref name="method"/> <paramref name="template"/> is sent on the suite's fresh records, as above.</summary>
    private string? StepBody(string method, string template, BodySchema? schema) =>
        StepBodies.TryGetValue($"{method} {template}", out var given)
            ? JsonSerializer.Serialize(given is Func<object> make ? make() : given, JsonSerializerOptions.Web)
            : schema?.Sample()?.ToJsonString();

    /// <summary>A write on a record of its path (a GUID in it) that answers the record, or nothing (200, 204).</summary>
    private static bool IsStep(DescribedOperation operation) =>
        operation.Method is "POST" or "PUT" or "PATCH" or "DELETE"
        && PathParameter.Of(operation.Description).Any(parameter => parameter.IsGuid)
        && operation.Description["responses"]!.AsObject() is var responses && (responses.ContainsKey("200") || responses.ContainsKey("204"));

    /// <summary>
    /// A step (<paramref name="method"/> <paramref name="template"/>) sent <see cref="AtOnce"/> times to <paramref name="records"/> (with their current version as
    /// <c>If-Match</c> where asked), one after another or at once: each answer's status and problem title, in the order sent. The
    /// twins' ids and numbers differ, and so do those a step makes (an incident a referral names): the title's are written <c>#</c>.
    /// </summary>
    private async Task<List<string>> TwinAnswersAsync(
        string method, string template, IEnumerable<(string Name, Guid Id)> records, string? body, bool ifMatch, bool together)
    {
        var named = records.ToList();
        var address = named.Aggregate(template, (path, record) => path.Replace($"{{{record.Name}}}", record.Id.ToString(), StringComparison.Ordinal));
        var etag = ifMatch ? $"\"{await _stored.VersionAsync(named[^1].Id, Ct)}\"" : null;

        async Task<string> SendOnceAsync()
        {
            Interlocked.Increment(ref _requests);
            using var request = new HttpRequestMessage(new HttpMethod(method), address) { Content = body is null ? null : Json(body) };
            if (etag is not null)
            {
                request.Headers.TryAddWithoutValidation("If-Match", etag);
            }

            using var response = await _client.SendAsync(request, Ct);
            var text = await response.Content.ReadAsStringAsync(Ct);
            var title = response.Content.Headers.ContentType?.MediaType == "application/problem+json"
                ? JsonDocument.Parse(text).RootElement.GetProperty("title").GetString()
                : null;
            return $"{(int)response.StatusCode} {ProblemTitles.Generalised(title)}";
        }

        if (together)
        {
            return [.. await Task.WhenAll(Enumerable.Range(0, AtOnce).Select(_ => SendOnceAsync()))];
        }

        var answers = new List<string>();
        for (var i = 0; i < AtOnce; i++)
        {
            answers.Add(await SendOnceAsync());
        }

        return answers;
    }
}
