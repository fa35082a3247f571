using System.Text.Json.Nodes;
using WardLink.ServiceDefaults;
using static WardLink.IntegrationTests.BadInput.JsonBodies;

namespace WardLink.IntegrationTests.BadInput;

/// <summary>
/// A step on a record (its id in the path) reads its body once the record is found: sent to an id nobody has, a body past
/// its limits is a 404, which says nothing of how the body is checked. Every step is sent each value past a documented
/// limit on a fresh record of each kind the service keeps, one of them the kind it acts on. Found so, a body's values are
/// judged before the record's state (docs/api.md: a 400 "on a step on a stored record as on a new one"): a step its record's
/// state refuses (a reopening of a reported incident, a site of a partner that left) answered a 4,001-character reason or a
/// blank name with the state's 409, which names no field; so the values are also sent to records every step has moved on.
/// </summary>
public abstract partial class BadInputSuite<TEntryPoint>
{
    [Fact]
    public async Task A_step_on_a_stored_record_with_a_value_past_its_documented_limit_is_refused_naming_it_and_stores_nothing()
    {
        var (sent, failures) = await RefusedOnStoredRecordsAsync(PastItsLimit);

        Assert.True(sent > 0, "No step takes a value with a documented limit.");
        AssertNone(failures);
    }

    /// <summary>
    /// The fresh records are first taken through every step of the document once (its sample body, in the document's order:
    /// an incident assigned, resolved, closed and reopened, a shift ended, a camera decommissioned, a partner suspended and
    /// gone), then sent each value past its limit, empty or blank, in every step: each a 400 naming it, whatever the state.
    /// </summary>
    [Fact]
    public async Task A_step_on_a_record_every_step_has_moved_on_names_a_bad_value_before_judging_the_records_state()
    {
        var (sent, failures) = await RefusedOnStoredRecordsAsync((path, schema) => PastItsLimit(path, schema).Concat(EmptyOrBlank(path, schema)), movedOn: true);

        Assert.True(sent > 0, "No step takes a value with a documented limit.");
        AssertNone(failures);
    }

    /// <summary>
    /// A step naming a record nobody has, or a part nobody has under a record that is there (a partner's site, webhook or channel
    /// member nobody registered), is that record's 404 whatever its body: its values are judged once the record is found. A
    /// camera surveyed at a site nobody has with a blank description was a 400, and only the fixed body learnt the site was not
    /// there; a replay's missing <c>since</c> and a channel member's missing <c>partnerId</c> likewise. Every value past its
    /// limit, empty or blank of every step's body, sent with fresh ids in the path (a ward's id, a follow-up code nobody has too: the
    /// ward steps and a tipster's message are addressed by name) and under each bare record; only a body that
    /// does not read as its type ("The request body is not valid.") is refused before the record is looked up. Each answer is as the
    /// service's own document declares it (its 404s were declared with no content, the problems they answer refused).
    /// </summary>
    [Fact]
    public async Task A_step_naming_a_record_nobody_has_is_its_404_whatever_the_body()
    {
        var (bare, _) = await BareRecordsAsync(_client);
        var failures = new List<string>();
        var sent = 0;
        var document = await OwnDocumentAsync();
        foreach (var endpoint in (await EndpointsAsync()).Where(endpoint => endpoint.Body is not null && endpoint.Parameters.Count > 0))
        {
            var addresses = new List<string> { PathParameter.Fill(endpoint.Template, endpoint.Parameters) };
            foreach (var record in bare.Where(record => endpoint.Template.StartsWith(record.Template + "/", StringComparison.Ordinal)))
            {
                var named = ParameterName().Match(record.Template).Groups[1].Value;
                if (endpoint.Parameters.Any(parameter => parameter.IsGuid && parameter.Name != named))
                {
                    addresses.Add(PathParameter.Fill(
                        endpoint.Template.Replace($"{{{named}}}", record.Id.ToString(), StringComparison.Ordinal), endpoint.Parameters.Where(parameter => parameter.Name != named)));
                }
            }

            foreach (var (path, schema) in endpoint.Body!.Values())
            {
                foreach (var (what, value) in PastItsLimit(path, schema).Concat(EmptyOrBlank(path, schema)))
                {
                    foreach (var address in addresses)
                    {
                        sent++;
                        // A body that does not read as its type (a time of more decimals than a time has) is refused before anything is looked up.
                        var answer = await SendAsync(endpoint.Method, address, Json(SampleWith(endpoint.Body!, path, value?.DeepClone())));
                        var unread = IsProblem(answer, out var problem) && problem.GetProperty("title").GetString() == ProblemResponses.UnreadableBodyTitle;
                        failures.AddRange(RefusalFailures($"{endpoint} at {address}", what, answer, field: null, status: unread ? 400 : 404));
                        failures.AddRange(UndocumentedIn(document, endpoint.Method, $"{endpoint}", address, answer));
                    }
                }
            }
        }

        Assert.True(sent > 0, "No step takes a value with a documented limit.");
        AssertNone(failures);
    }

    /// <summary>
    /// Sends each of <paramref name="valuesOf"/> a body value (its path and schema) in the sample body of every step, on a
    /// fresh record of each kind the service keeps (<paramref name="movedOn"/>: the same records, once every step has been taken
    /// on them): how many, and what was not refused naming the value (a 404 where the record is not of the step's kind), or
    /// stored something.
    /// </summary>
    private async Task<(int Sent, List<string> Failures)> RefusedOnStoredRecordsAsync(Func<string, BodySchema, IEnumerable<(string What, JsonNode? Value)>> valuesOf, bool movedOn = false)
    {
        var failures = new List<string>();
        var sent = 0;
        var reached = new StepsReached();
        await foreach (var step in StepsOnStoredRecordsAsync(valuesOf, movedOn))
        {
            sent++;
            var answer = await SendAsync(step.Method, step.Address, Json(step.Body(step.Value?.DeepClone())));
            reached.Count(step, answer.Status != 404);
            failures.AddRange(RefusalFailures(step.Where, step.What, answer, step.Path, status: answer.Status == 404 ? null : 400));
        }

        return (sent, [.. failures, .. reached.Never()]);
    }

    /// <summary>
    /// Each of <paramref name="valuesOf"/> a body value (its path and schema) of every step, addressed to a fresh record of
    /// each kind the service keeps, one of them the kind the step acts on (<paramref name="movedOn"/>: the same records for
    /// every step, each first taken through every step once).
    /// </summary>
    private async IAsyncEnumerable<StepOnRecord> StepsOnStoredRecordsAsync(Func<string, BodySchema, IEnumerable<(string What, JsonNode? Value)>> valuesOf, bool movedOn = false)
    {
        var steps = (await EndpointsAsync()).Where(endpoint => endpoint.Parameters.Any(parameter => parameter.IsGuid)).ToList();
        var movedOnTargets = movedOn ? await MovedOnAsync(steps) : null;
        foreach (var endpoint in steps.Where(endpoint => endpoint.Body is not null))
        {
            var values = endpoint.Body!.Values().SelectMany(value => valuesOf(value.Path, value.Schema).Select(bad => (value.Path, value.Schema, bad.What, bad.Value))).ToList();
            if (values.Count == 0)
            {
                continue;
            }

            var streams = movedOnTargets ?? (await RecordEveryKindAsync()).Where(stream => !stream.IsInternal).ToList();
            var addresses = await AddressesOnEachAsync(endpoint, streams, streams);
            foreach (var (path, schema, what, value) in values)
            {
                foreach (var address in addresses)
                {
                    yield return new StepOnRecord($"{endpoint}", address, endpoint.Method, path, schema, what, value, given => SampleWith(endpoint.Body!, path, given));
                }
            }
        }
    }

    /// <summary>
    /// Fresh records of each kind the service keeps, each taken through every one of <paramref name="steps"/> once (its sample
    /// body) but the removal of the record itself (a webhook's), after which no step finds it.
    /// </summary>
    private async Task<List<StoredStreamOfKind>> MovedOnAsync(IReadOnlyList<WriteEndpoint> steps)
    {
        var targets = (await RecordEveryKindAsync()).Where(stream => !stream.IsInternal).ToList();
        foreach (var step in steps.Where(step => !(step.Method == "DELETE" && OwnStreams(step.Template, step.Parameters[^1], targets).Any())))
        {
            var body = StepBody(step.Method, step.Template, step.Body);
            foreach (var address in await AddressesOnEachAsync(step, targets, targets))
            {
                await SendAsync(step.Method, address, body is null ? null : Json(body), countStored: false);
            }
        }

        return targets;
    }

    /// <summary>A value sent in a step's body (<see cref="Body"/>: the sample body with a value at <see cref="Path"/>, of <see cref="Schema"/>) on a stored record.</summary>
    private sealed record StepOnRecord(string Step, string Address, string Method, string Path, BodySchema Schema, string What, JsonNode? Value, Func<JsonNode?, string> Body)
    {
        public string Where => $"{Step} at {Address}";
    }

    /// <summary>
    /// Which steps an answer showed reached their checks on a stored record (not a 404): a step that none did was judged on no
    /// record, so a value past its limit it took would pass unseen.
    /// </summary>
    private sealed class StepsReached
    {
        private readonly Dictionary<string, bool> _steps = new(StringComparer.Ordinal);

        public void Count(StepOnRecord step, bool found) => _steps[step.Step] = _steps.GetValueOrDefault(step.Step) || found;

        public IEnumerable<string> Never() =>
            _steps.Where(step => !step.Value).Select(step => $"{step.Key}: no answer on a stored record came from its checks (every one a 404), so its values were judged on none");
    }
}
