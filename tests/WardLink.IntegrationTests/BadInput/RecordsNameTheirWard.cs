using System.Text.Json.Nodes;
using WardLink.EventSourcing.Wards;

namespace WardLink.IntegrationTests.BadInput;

/// <summary>
/// Every record belongs to one ward (docs/wards.md), and every answer showing one names it (<c>ward</c>), so a caller who sees
/// several wards tells their records apart. Walked over every read of a record by id the document lists (a GET answering its
/// version), on a fresh record of each kind, and every list of records (a GET of a path naming no record, answering
/// <c>items</c>): the record, or the one the answer wraps (an incident's, a tip's), names the ward the suite's records are kept
/// in. A ward (its id a code, not a GUID) is not a record kept in one; a record's parts (a tip's messages) are read with it.
/// </summary>
public abstract partial class BadInputSuite<TEntryPoint>
{
    [Fact]
    public async Task Every_read_of_a_record_and_every_listed_record_names_the_ward_it_is_kept_in()
    {
        var streams = await RecordEveryKindAsync();
        var home = new HomeWard().Id;
        var failures = new List<string>();
        var records = 0;
        foreach (var read in (await DescribedOperation.AllAsync(_client, Ct)).Where(operation => operation.Method == "GET"))
        {
            var byId = AnswersETag(read) && PathParameter.Of(read.Description).All(parameter => parameter.IsGuid);
            var isList = PathParameter.Of(read.Description).Count == 0;
            var address = byId ? OnOwnRecords(read, streams) : isList ? read.Template : null;
            if (address is null)
            {
                continue;
            }

            var answer = await ConditionalAsync("GET", address, null, null, null);
            if (answer.Status != 200 || answer.MediaType != "application/json" || JsonNode.Parse(answer.Body) is not JsonObject body)
            {
                // A list that needs a query (planned shifts: from and to) or a read of a record's parts (a list) shows no record here.
                continue;
            }

            if (byId && Wrapped(body) is null)
            {
                failures.Add($"GET {read.Template}: a read by id that shows no record (no id, nor one object with one)");
                continue;
            }

            var shown = byId ? [Wrapped(body)!] : (body["items"] as JsonArray ?? []).OfType<JsonObject>().ToList();
            foreach (var record in shown.Where(record => Guid.TryParse((string?)record["id"], out _)))
            {
                records++;
                var ward = record["ward"] is JsonValue value && value.TryGetValue<string>(out var named) ? named : null;
                if (ward is null || (byId && ward != home))
                {
                    failures.Add($"GET {read.Template}: record {record["id"]} names {(ward is null ? "no ward" : $"ward {ward}")} where it is kept in {home}");
                }
            }
        }

        Assert.True(records > 0, "No read or list showed a record.");
        AssertNone(failures);
    }

    /// <summary>The record an answer shows: itself when it has an id, else the one object it wraps beside its parts (an incident with its timeline).</summary>
    private static JsonObject? Wrapped(JsonObject answer) =>
        answer.ContainsKey("id") ? answer : answer.Select(property => property.Value).OfType<JsonObject>().SingleOrDefault(inner => inner.ContainsKey("id"));
}
