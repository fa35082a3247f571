using System.Text.Json.Nodes;
using static WardLink.IntegrationTests.BadInput.JsonBodies;

namespace WardLink.IntegrationTests.BadInput;

/// <summary>
/// Ids that name a stream of another kind. A caller may send the id of a route where a schedule is asked, of a shift
/// where a route is, or of one of the service's own streams (a yearly counter, whose id follows from a public name):
/// each names no record of the kind its field says. Every operation, every GUID in its path and in its body, is sent
/// one stream of each kind the service holds.
/// </summary>
public abstract partial class BadInputSuite<TEntryPoint>
{
    /// <summary>Records one of each kind of record the service keeps (and so its internal streams, such as yearly counters).</summary>
    protected abstract Task RecordOneOfEachKindAsync(HttpClient client, IServiceProvider services);

    /// <summary>Body ids that name another service's record, which this one cannot look up and so takes as given.</summary>
    protected virtual IReadOnlyCollection<string> IdsOfOtherServices => [];

    [Fact]
    public async Task An_id_of_another_kind_of_stream_or_an_internal_one_is_never_a_5xx_and_an_internal_one_never_read_as_a_record()
    {
        var streams = await FreshStreamsAsync();
        Assert.True(streams.Count >= 2, $"The service holds streams of fewer than two kinds: {string.Join(", ", streams)}");

        var failures = new List<string>();
        var sent = 0;
        foreach (var operation in await PathOperation.DescribedByAsync(_client, Ct))
        {
            var body = operation.Body?.Sample()?.ToJsonString();
            foreach (var parameter in operation.Parameters.Where(parameter => parameter.IsGuid))
            {
                foreach (var stream in streams)
                {
                    sent++;
                    var answer = await SendAsync(operation.Method, operation.Address(parameter.Name, stream.Id.ToString()), body is null ? null : Json(body));
                    failures.AddRange(MisreadFailures($"{operation}", $"{parameter.Name} = {stream}", answer, stream));
                }
            }
        }

        foreach (var endpoint in await EndpointsAsync())
        {
            var values = endpoint.Body?.Values().ToList() ?? [];
            var ids = values.Where(value => value.Schema.Format == "uuid").Select(value => value.Path).ToList();

            // The record a step acts on is each stream in turn (a fresh one of each kind, not one an earlier step closed), so
            // that a step on a record of the right kind reads the ids its body names.
            streams = ids.Count > 0 ? await FreshStreamsAsync() : streams;
            var targets = ids.Count > 0 && endpoint.Parameters.Any(parameter => parameter.IsGuid) ? streams.Select(stream => (StoredStreamOfKind?)stream).ToList() : [null];
            foreach (var target in targets)
            {
                var address = target is null ? endpoint.Address() : AddressOn(endpoint, target);
                foreach (var path in ids.Where(id => !IdsOfOtherServices.Contains(id)))
                {
                    foreach (var stream in streams)
                    {
                        // An internal stream is also sent with each value of each enum the body has (an assessment's verdict
                        // "duplicate" is what makes its duplicateOf read), since none of them may read it as a record.
                        IEnumerable<(string Path, JsonNode? Value)> variants = stream.IsInternal
                            ? values.Where(value => value.Schema.Kind == SchemaKind.Enum).SelectMany(value => value.Schema.EnumValues.Select(name => (value.Path, (JsonNode?)name)))
                            : [];
                        foreach (var variant in variants.Select(variant => new[] { variant }).Prepend([]))
                        {
                            sent++;
                            var body = SampleWith(endpoint.Body!, variant.Append((path, stream.Id.ToString())));
                            var answer = await SendAsync(endpoint.Method, address, Json(body), countStored: false);
                            failures.AddRange(MisreadFailures($"{endpoint} on {target?.ToString() ?? "a new record"}", $"{path} = {stream} in {Shortened(body)}", answer, stream));
                        }
                    }
                }
            }
        }

        Assert.True(sent > 0, "No operation takes an id.");
        AssertNone(failures);
    }

    /// <summary>The address of <paramref name="endpoint"/> with <paramref name="target"/>'s id for every GUID in its path.</summary>
    private static string AddressOn(WriteEndpoint endpoint, StoredStreamOfKind target) => PathParameter.Fill(
        endpoint.Parameters.Where(parameter => parameter.IsGuid).Aggregate(endpoint.Template, (template, parameter) => template.Replace($"{{{parameter.Name}}}", target.Id.ToString(), StringComparison.Ordinal)),
        endpoint.Parameters.Where(parameter => !parameter.IsGuid));

    private async Task<IReadOnlyList<StoredStreamOfKind>> FreshStreamsAsync()
    {
        await RecordOneOfEachKindAsync(_client, service.Host.Services);
        return await _stored.NewestStreamOfEachKindAsync(Ct);
    }

    /// <summary>What is wrong with an answer to an id of <paramref name="stream"/>: a 5xx, an internal stream taken for a record, a refusal that is no problem.</summary>
    private static List<string> MisreadFailures(string operation, string what, Answer answer, StoredStreamOfKind stream) => answer.Status switch
    {
        >= 500 => [$"{operation}, {what}: a {answer.Status} {Shortened(answer.Body)}"],
        < 400 when stream.IsInternal => [$"{operation}, {what}: an internal stream read as a record ({answer.Status} {Shortened(answer.Body)})"],
        < 400 => [],
        _ => RefusalFailures(operation, what, answer, field: null, status: null),
    };
}
