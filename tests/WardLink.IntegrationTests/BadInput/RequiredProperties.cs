using System.Net.Http.Json;
using System.Text.Json.Nodes;
using WardLink.Testing;
using static WardLink.IntegrationTests.BadInput.JsonBodies;

namespace WardLink.IntegrationTests.BadInput;

/// <summary>
/// A body's schema says which properties a client must send, and which may be null, empty or blank: every property of every
/// body (nested ones too) is left out of the sample body, and sent as null; a text is sent empty and blank, an object empty.
/// Each is a 400 naming it exactly where the document's schema, read as a client's validator reads it
/// (<see cref="DocumentedResponses.CheckRequest"/>: <c>required</c>, a type without null, <c>if</c>/<c>then</c>, <c>anyOf</c>,
/// <c>minLength</c>, <c>pattern</c>), finds that property wrong: a contact <c>{}</c>, a place <c>{}</c> or a blank required
/// description, each within its schema, were refused. A step is sent to a fresh record of each kind the service keeps
/// (each pairing of them where its path names two). A property the document refuses so is refused naming it wherever the
/// record is found, in any state (a 409 of the record's state once came first, naming nothing); only a 404 (no such record
/// of the step's kind) says nothing of the body.
/// </summary>
public abstract partial class BadInputSuite<TEntryPoint>
{
    [Fact]
    public async Task A_property_left_out_null_empty_or_blank_is_a_400_naming_it_exactly_where_the_document_refuses_it_so()
    {
        var document = new DocumentedResponses((await _client.GetFromJsonAsync<JsonObject>("/openapi/v1.json", Ct))!);
        var failures = new List<string>();
        var reached = 0;
        foreach (var endpoint in (await EndpointsAsync()).Where(endpoint => endpoint.Body is not null))
        {
            var addresses = await AddressesOfAsync(endpoint);
            foreach (var (path, schema) in endpoint.Body!.Values().Where(value => !value.Path.EndsWith(']')))
            {
                foreach (var (what, body) in Variants(endpoint.Body, path, schema))
                {
                    var stepped = false;
                    foreach (var address in addresses)
                    {
                        var wrong = document.CheckRequest(endpoint.Method, address, JsonNode.Parse(body)).Where(problem => problem.Contains($"$.{path}: ", StringComparison.Ordinal)).ToList();
                        var said = wrong.Count > 0 ? $"the document refuses it ({wrong[0]})" : $"the document lets it be {what}";
                        var answer = await SendAsync(endpoint.Method, address, Json(body), countStored: false);
                        stepped |= answer.Status is >= 200 and < 300;
                        if (Names(answer, path))
                        {
                            reached++;
                            if (wrong.Count == 0)
                            {
                                failures.Add($"{endpoint} at {address}, {path} {what}: {said}, the answer is a 400 naming it: {Shortened(answer.Body)}");
                            }
                        }
                        else if (answer.Status is >= 200 and < 300 || answer.Status == 400)
                        {
                            reached++;
                            if (wrong.Count > 0)
                            {
                                failures.Add($"{endpoint} at {address}, {path} {what}: {said}, the answer is {answer.Status} {Shortened(answer.Body)}");
                            }
                        }
                        else if (wrong.Count > 0 && answer.Status != 404)
                        {
                            reached++;
                            failures.Add($"{endpoint} at {address}, {path} {what}: {said}, the answer is {answer.Status} {Shortened(answer.Body)}: a body's values are judged before the record's state");
                        }
                    }

                    // A step taken changes its record: the next property is sent to fresh records, in the state the first found.
                    if (stepped && endpoint.Parameters.Any(parameter => parameter.IsGuid))
                    {
                        addresses = await AddressesOfAsync(endpoint);
                    }
                }
            }
        }

        Assert.True(reached > 0, "No property left out or null reached a step.");
        TestContext.Current.TestOutputHelper?.WriteLine($"{reached} answers reached the step.");
        AssertNone(failures);
    }

    /// <summary>
    /// A property a body may leave out (not <c>required</c>, no <c>default</c>) is read as left out when it is null, as every
    /// optional property of the services' requests is (<c>= null</c> in its record), so the document takes null for it too: a
    /// reclassification's classification or category and a shift's kind or team, each an enum the service took null, were
    /// stated as their names alone, and a partner's validator refused the null the service takes. The service's side (a null
    /// is refused naming the property exactly where the document refuses it) is the walk above.
    /// </summary>
    [Fact]
    public async Task A_property_a_body_may_leave_out_may_be_sent_null_as_the_service_reads_it()
    {
        var failures = new List<string>();
        var optional = 0;
        foreach (var endpoint in (await EndpointsAsync()).Where(endpoint => endpoint.Body is not null))
        {
            foreach (var (path, schema) in OptionalProperties(endpoint.Body!, string.Empty))
            {
                optional++;
                if (!schema.Nullable)
                {
                    failures.Add($"{endpoint}: {path} may be left out, and the document refuses it null");
                }
            }
        }

        Assert.True(optional > 0, "No body has a property it may leave out.");
        AssertNone(failures);
    }

    /// <summary>Each property of <paramref name="record"/> (nested ones too) a body may leave out and for which the document states no default.</summary>
    private static IEnumerable<(string Path, BodySchema Schema)> OptionalProperties(BodySchema record, string path) =>
        record.Properties.SelectMany(property =>
        {
            var at = path.Length == 0 ? property.Name : $"{path}.{property.Name}";
            var nested = property.Schema.Kind switch
            {
                SchemaKind.Record => OptionalProperties(property.Schema, at),
                SchemaKind.Array when property.Schema.Items.Kind == SchemaKind.Record => OptionalProperties(property.Schema.Items, $"{at}[0]"),
                _ => [],
            };
            return record.Required.Contains(property.Name) || property.Schema.Default is not null ? nested : nested.Prepend((at, property.Schema));
        });

    /// <summary>
    /// A body that is an empty object is refused exactly where the document refuses it: a residence check's counts, each 0 by
    /// default, were refused all left out ("Nothing to record"), which the document did not say (now <c>anyOf</c> a count of at
    /// least 1). A step is sent to a fresh record of each kind its path names: one the record's state refuses is a 409, not a 400.
    /// </summary>
    [Fact]
    public async Task An_empty_body_is_refused_exactly_where_the_document_refuses_it()
    {
        var document = new DocumentedResponses((await _client.GetFromJsonAsync<JsonObject>("/openapi/v1.json", Ct))!);
        var failures = new List<string>();
        var reached = 0;
        foreach (var endpoint in (await EndpointsAsync()).Where(endpoint => endpoint.Body is { Kind: SchemaKind.Record }))
        {
            foreach (var address in await AddressesOfAsync(endpoint))
            {
                var wrong = document.CheckRequest(endpoint.Method, address, new JsonObject());
                var answer = await SendAsync(endpoint.Method, address, Json("{}"), countStored: false);
                if (answer.Status is >= 200 and < 300 && wrong.Count > 0)
                {
                    failures.Add($"{endpoint} at {address}: the document refuses {{}} ({wrong[0]}), the answer is {answer.Status}");
                }
                else if (answer.Status == 400 && wrong.Count == 0)
                {
                    failures.Add($"{endpoint} at {address}: the document takes {{}}, the answer is a 400 {Shortened(answer.Body)}");
                }

                reached += answer.Status is (>= 200 and < 300) or 400 ? 1 : 0;
            }
        }

        Assert.True(reached > 0, "No empty body reached a step.");
        AssertNone(failures);
    }

    /// <summary>The sample body with the property at <paramref name="path"/> left out, null, and, a text, empty and blank, an object, empty.</summary>
    private static IEnumerable<(string What, string Body)> Variants(BodySchema body, string path, BodySchema schema)
    {
        yield return ("left out", SampleWithout(body, path));
        yield return ("null", SampleWith(body, path, null));
        if (schema is { Kind: SchemaKind.Text, Format: null })
        {
            yield return ("empty", SampleWith(body, path, string.Empty));
            yield return ("blank", SampleWith(body, path, "   "));
        }
        else if (schema.Kind == SchemaKind.Record)
        {
            yield return ("an empty object", SampleWith(body, path, new JsonObject()));
        }
    }

    /// <summary>Whether <paramref name="answer"/> is a 400 problem naming <paramref name="field"/>.</summary>
    private static bool Names(Answer answer, string field) => answer.Status == 400 && IsProblem(answer, out var problem) && NamesField(problem, field);

    /// <summary>
    /// The addresses of <paramref name="endpoint"/>: a new record's, or, where its path names records, each fresh record of
    /// each kind the service keeps in each id of its path (every pairing where it names two), an unknown code for the others.
    /// </summary>
    private async Task<IReadOnlyList<string>> AddressesOfAsync(WriteEndpoint endpoint)
    {
        var ids = endpoint.Parameters.Where(parameter => parameter.IsGuid).ToList();
        if (ids.Count == 0)
        {
            return [endpoint.Address()];
        }

        var streams = (await FreshStreamsAsync()).Where(stream => !stream.IsInternal).ToList();
        var templates = ids.Aggregate(
            (IEnumerable<string>)[endpoint.Template],
            (filled, id) => filled.SelectMany(template => streams.Select(stream => template.Replace($"{{{id.Name}}}", stream.Id.ToString(), StringComparison.Ordinal))));
        return [.. templates.Select(template => PathParameter.Fill(template, endpoint.Parameters.Where(parameter => !parameter.IsGuid)))];
    }
}
