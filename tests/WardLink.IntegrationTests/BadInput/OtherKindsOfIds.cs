using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
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
            var addresses = ids.Count > 0 && endpoint.Parameters.Any(parameter => parameter.IsGuid) ? await AddressesOnEachAsync(endpoint, streams, streams) : [endpoint.Address()];
            foreach (var address in addresses)
            {
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
                            failures.AddRange(MisreadFailures($"{endpoint} at {address}", $"{path} = {stream} in {Shortened(body)}", answer, stream));
                        }
                    }
                }
            }
        }

        Assert.True(sent > 0, "No operation takes an id.");
        AssertNone(failures);
    }

    /// <summary>The addresses of <paramref name="endpoint"/> on each of <paramref name="targets"/> (<see cref="AddressesOnAsync"/>).</summary>
    private async Task<IReadOnlyList<string>> AddressesOnEachAsync(WriteEndpoint endpoint, IEnumerable<StoredStreamOfKind> targets, IReadOnlyList<StoredStreamOfKind> streams)
    {
        var addresses = new List<string>();
        foreach (var target in targets)
        {
            addresses.AddRange(await AddressesOnAsync(endpoint, target, streams));
        }

        return [.. addresses.Distinct(StringComparer.Ordinal)];
    }

    /// <summary>
    /// The addresses of <paramref name="endpoint"/> with <paramref name="target"/>'s id in each GUID of its path in turn, every
    /// other GUID the newest of <paramref name="streams"/> of that parameter's own kind (a site's step: the newest partner, whose
    /// the newest site is) or, one naming a part of its record (a meeting's action item), the record's first such part. One id in
    /// every GUID of the path never reached a step under two (no record is both a partner and its site): each was a 404.
    /// </summary>
    private async Task<IReadOnlyList<string>> AddressesOnAsync(WriteEndpoint endpoint, StoredStreamOfKind target, IReadOnlyList<StoredStreamOfKind> streams)
    {
        var ids = endpoint.Parameters.Where(parameter => parameter.IsGuid).ToList();
        var addresses = new List<string>();
        foreach (var placed in ids)
        {
            var path = endpoint.Template.Replace($"{{{placed.Name}}}", target.Id.ToString(), StringComparison.Ordinal);
            foreach (var other in ids.Where(id => id != placed))
            {
                var id = OwnStreams(endpoint.Template, other, streams).FirstOrDefault()?.Id ?? await FirstPartAsync(path, other);
                path = path.Replace($"{{{other.Name}}}", (id ?? Guid.NewGuid()).ToString(), StringComparison.Ordinal);
            }

            addresses.Add(PathParameter.Fill(path, endpoint.Parameters.Where(parameter => !parameter.IsGuid)));
        }

        return [.. addresses.Distinct(StringComparer.Ordinal)];
    }

    /// <summary>
    /// The id of the first part <paramref name="part"/> names in the record <paramref name="path"/> addresses before it
    /// (<c>/partners/meetings/X/action-items/{itemId}</c>: the first of meeting X's <c>actionItems</c>), or null: no such record or part.
    /// </summary>
    private async Task<Guid?> FirstPartAsync(string path, PathParameter part)
    {
        var parts = PartSegment().Match(path.Split($"/{{{part.Name}}}")[0]);
        if (!parts.Success || parts.Groups[1].Value.Contains('{', StringComparison.Ordinal))
        {
            return null;
        }

        using var response = await _client.GetAsync(parts.Groups[1].Value, Ct);
        var name = string.Concat(parts.Groups[2].Value.Split('-').Select((word, index) => index == 0 ? word : char.ToUpperInvariant(word[0]) + word[1..]));
        return response.IsSuccessStatusCode
            && JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))?[name] is JsonArray { Count: > 0 } list
            && list[0]?["id"]?.GetValue<string>() is { } id
            && Guid.TryParse(id, out var found)
                ? found
                : null;
    }

    /// <summary>A record's path and the segment of its parts after it: <c>/partners/meetings/X</c> and <c>action-items</c>.</summary>
    [GeneratedRegex(@"^(.+)/([a-z-]+)$")]
    private static partial Regex PartSegment();

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
