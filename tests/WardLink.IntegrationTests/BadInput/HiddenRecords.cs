using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using WardLink.Testing;
using static WardLink.IntegrationTests.BadInput.JsonBodies;

namespace WardLink.IntegrationTests.BadInput;

/// <summary>
/// A record the caller may not see is answered exactly as one nobody has: the same status, the same headers (but the date
/// and trace) and the same problem word for word (but its trace id), its id aside, whatever <c>If-Match</c> or <c>If-None-Match</c> says; else the
/// answer tells that it exists (a probe read "Webhook … of partner …" for another partner's webhook and "Webhook … was not
/// found." for an id nobody has). Walked over every operation with an id in its path, with a valid body where one is read,
/// without a precondition, with a stale <c>If-Match</c> and with <c>If-None-Match: *</c>, the id sent each way, the other ids the same:
/// <list type="bullet">
/// <item>in any id, an internal stream of the service (a yearly counter, whose id follows from a public name);</item>
/// <item>in an id of the kind the path names (<c>/patrols/shifts/{id}</c>: a shift), a record of each other kind;</item>
/// <item>under a record with nothing under it (<see cref="BareRecordsAsync"/>: a partner with no site, contact or webhook), in
/// each other id of the path, every stored record (another partner's site and webhook, a record of each kind), by the police
/// and by each caller that reaches the bare record (the partner's own client).</item>
/// </list>
/// </summary>
public abstract partial class BadInputSuite<TEntryPoint>
{
    private const string StaleIfMatch = "\"987654321\"";

    /// <summary>The preconditions a hidden record is asked under: none, a stale version, and any version at all (which a found record meets).</summary>
    private static readonly (string Name, string Value)?[] Preconditions = [null, ("If-Match", StaleIfMatch), ("If-None-Match", "*")];

    /// <summary>
    /// Records with nothing under them, and records the walk names under them besides the newest of each kind the service keeps
    /// (another partner's webhook, say); none by default.
    /// </summary>
    protected virtual Task<(IReadOnlyList<BareRecord> Bare, IReadOnlyList<Guid> Others)> BareRecordsAsync(HttpClient client) =>
        Task.FromResult<(IReadOnlyList<BareRecord>, IReadOnlyList<Guid>)>(([], []));

    [Fact]
    public async Task A_record_the_caller_may_not_see_is_answered_word_for_word_as_one_nobody_has_whatever_its_preconditions_say()
    {
        var streams = await FreshStreamsAsync();
        var (bare, others) = await BareRecordsAsync(_client);
        var operations = await PathOperation.DescribedByAsync(_client, Ct);
        var failures = new List<string>();
        var compared = 0;

        foreach (var operation in operations)
        {
            foreach (var parameter in operation.Parameters.Where(parameter => parameter.IsGuid))
            {
                foreach (var stream in streams.Where(stream => stream.IsInternal))
                {
                    compared++;
                    failures.AddRange(await UnlikeNobodysAsync(operation, WithOthersFilled(operation, parameter.Name, null), parameter.Name, stream.Id, $"{stream}", []));
                }
            }
        }

        foreach (var operation in operations)
        {
            foreach (var parameter in operation.Parameters.Where(parameter => parameter.IsGuid))
            {
                // The kind of record an id names, as the path says it (/patrols/shifts/{id}: a shift); one that may name any
                // record (/audit/…/streams/{id}) is walked above.
                var own = OwnStreams(operation.Template, parameter, streams).ToList();
                if (own.Count == 0)
                {
                    continue;
                }

                foreach (var stream in streams.Where(stream => !stream.IsInternal).Except(own))
                {
                    compared++;
                    failures.AddRange(await UnlikeNobodysAsync(operation, WithOthersFilled(operation, parameter.Name, null), parameter.Name, stream.Id, $"{stream}", []));
                }
            }
        }

        foreach (var record in bare)
        {
            var named = ParameterName().Match(record.Template).Groups[1].Value;
            foreach (var operation in operations.Where(operation => operation.Template.StartsWith(record.Template + "/", StringComparison.Ordinal)))
            {
                foreach (var parameter in operation.Parameters.Where(parameter => parameter.IsGuid && parameter.Name != named))
                {
                    var under = WithOthersFilled(operation, parameter.Name, (named, record.Id.ToString()));
                    var stored = streams.Where(stream => !stream.IsInternal).Select(stream => (stream.Id, $"{stream}")).Concat(others.Select(id => (id, $"record {id}")));
                    foreach (var (id, what) in stored)
                    {
                        compared++;
                        failures.AddRange(await UnlikeNobodysAsync(operation, under, parameter.Name, id, $"{what} under {record.Template} {record.Id}", record.Tokens));
                    }
                }
            }
        }

        Assert.True(compared > 0, "No operation takes an id.");
        AssertNone(failures);
    }

    /// <summary><paramref name="operation"/>'s template with the <paramref name="given"/> value and fresh ids (an unknown code) for every other parameter but <paramref name="varied"/>.</summary>
    private static string WithOthersFilled(PathOperation operation, string varied, (string Name, string Value)? given) => PathParameter.Fill(
        given is { } value ? operation.Template.Replace($"{{{value.Name}}}", value.Value, StringComparison.Ordinal) : operation.Template,
        operation.Parameters.Where(parameter => parameter.Name != varied && parameter.Name != given?.Name));

    /// <summary>
    /// What differs between the answers to <paramref name="template"/> with <paramref name="id"/> and with an id nobody has as
    /// <paramref name="varied"/>, each id read as <c>{id}</c>: sent by the police and with each of <paramref name="tokens"/>,
    /// under each of <see cref="Preconditions"/>.
    /// </summary>
    private async Task<List<string>> UnlikeNobodysAsync(PathOperation operation, string template, string varied, Guid id, string what, IReadOnlyList<string> tokens)
    {
        var failures = new List<string>();
        var body = operation.Body?.Sample()?.ToJsonString();
        foreach (var token in tokens.Prepend(null))
        {
            foreach (var precondition in Preconditions)
            {
                var nobody = Guid.NewGuid();
                var hidden = await ComparableAnswerAsync(token, operation.Method, template.Replace($"{{{varied}}}", id.ToString(), StringComparison.Ordinal), body, precondition, id);
                var missing = await ComparableAnswerAsync(token, operation.Method, template.Replace($"{{{varied}}}", nobody.ToString(), StringComparison.Ordinal), body, precondition, nobody);
                if (hidden != missing)
                {
                    failures.Add(
                        $"{operation}, {varied} = {what}{(token is null ? string.Empty : " (another caller)")}{(precondition is { } sent ? $" with {sent.Name}: {sent.Value}" : string.Empty)}: " +
                        $"answered\n    {hidden}\n  where an id nobody has is answered\n    {missing}");
                }
            }
        }

        return failures;
    }

    /// <summary>An answer as status, headers and body, <paramref name="id"/> read as <c>{id}</c>, without what differs from one request to the next (the date, the trace, the length that follows the trace id).</summary>
    private async Task<string> ComparableAnswerAsync(string? token, string method, string address, string? body, (string Name, string Value)? precondition, Guid id)
    {
        _requests++;
        using var client = token is null ? null : service.CreateClient().As(token);
        using var request = new HttpRequestMessage(new HttpMethod(method), address) { Content = body is null ? null : Json(body) };
        if (precondition is { } sent)
        {
            request.Headers.TryAddWithoutValidation(sent.Name, sent.Value);
        }

        using var response = await (client ?? _client).SendAsync(request, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        var headers = response.Headers.Concat(response.Content.Headers)
            .Where(header => header.Key is not ("Date" or "Content-Length") && !header.Key.Contains("trace", StringComparison.OrdinalIgnoreCase))
            .Select(header => $"{header.Key}: {string.Join(", ", header.Value)}")
            .Order(StringComparer.OrdinalIgnoreCase);
        return $"{(int)response.StatusCode} [{string.Join("; ", headers)}] {WithoutTraceId(text)}".Replace(id.ToString(), "{id}", StringComparison.OrdinalIgnoreCase);
    }

    private static string WithoutTraceId(string body)
    {
        try
        {
            if (JsonNode.Parse(body) is JsonObject problem)
            {
                problem.Remove("traceId");
                return problem.ToJsonString();
            }
        }
        catch (JsonException)
        {
        }

        return body;
    }

    [GeneratedRegex(@"\{([^}]+)\}")]
    private static partial Regex ParameterName();

    /// <summary>The records of <paramref name="streams"/> of the kind <paramref name="parameter"/> names, as the path says it (<c>/patrols/shifts/{id}</c>: a shift).</summary>
    private static IEnumerable<StoredStreamOfKind> OwnStreams(string template, PathParameter parameter, IEnumerable<StoredStreamOfKind> streams)
    {
        // A kind of several words (/outreach-sessions: outreach_session_state) or named in the plural (/warning-signs:
        // warning_signs_state) is its own too.
        var kind = OwnKind().Match(template.Split($"/{{{parameter.Name}}}")[0]).Groups[1].Value.Replace('-', '_');
        return streams.Where(stream => stream.Kind is { } alias && ($"_{alias}_".Contains($"_{kind}_", StringComparison.Ordinal) || $"_{alias}_".Contains($"_{kind}s_", StringComparison.Ordinal)));
    }

    /// <summary>The last segment of a path, singular: <c>shift</c> of <c>/patrols/shifts</c>, <c>outreach-session</c> of <c>/partners/outreach-sessions</c>.</summary>
    [GeneratedRegex(@"/([a-z-]+?)s?$")]
    private static partial Regex OwnKind();
}

/// <summary>A record with nothing under it, as the path addresses it (<c>/partners/{id}</c>), and the tokens of the callers besides the police that reach it (its partner's client).</summary>
public sealed record BareRecord(string Template, Guid Id, IReadOnlyList<string> Tokens);
