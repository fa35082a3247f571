using System.Net.Http.Json;
using System.Text.Json.Nodes;
using WardLink.Domain;
using WardLink.EventSourcing.Wards;

namespace WardLink.IntegrationTests.Privacy;

/// <summary>A parameter of a read: where it goes (path or query), whether it is required, its format (<c>uuid</c>, <c>date</c>, …).</summary>
public sealed record ReadParameter(string Name, string In, bool Required, string? Format);

/// <summary>
/// One GET operation a service describes in <c>GET /openapi/v1.json</c>, and the addresses that
/// read the seeded records with it: path parameters from the records by the route's resource
/// segment (<c>/tips/{id}</c> the tip, <c>/patrols/shifts/{id}</c> the shift,
/// <c>/audit/{service}/streams/{id}</c> every stream written in that service, …), query parameters
/// from a small map (<c>year</c>, <c>siteId</c>, <c>from</c>/<c>to</c>). A parameter it cannot fill
/// is reported by name, so a new endpoint is covered without editing the test, or fails it until
/// someone teaches the test its parameter.
/// </summary>
public sealed record ReadOperation(string Service, string Template, IReadOnlyList<ReadParameter> Parameters)
{
    public override string ToString() => $"{Service}: GET {Template}";

    public static async Task<IReadOnlyList<ReadOperation>> DescribedByAsync(HttpClient client, string service, CancellationToken ct)
    {
        var document = (await client.GetFromJsonAsync<JsonObject>("/openapi/v1.json", ct))!;
        return
        [
            .. from path in document["paths"]!.AsObject()
               from operation in path.Value!.AsObject()
               where string.Equals(operation.Key, "get", StringComparison.OrdinalIgnoreCase)
               select new ReadOperation(service, path.Key, ParametersOf(path.Value!.AsObject(), operation.Value!.AsObject())),
        ];
    }

    /// <summary>The addresses that read the seeded records, or the parameters that cannot be filled.</summary>
    public (IReadOnlyList<string> Addresses, IReadOnlyList<string> Unfilled) AddressesFor(MarkedRecords records)
    {
        var unfilled = new List<string>();
        var addresses = new List<string> { Template };
        foreach (var parameter in Parameters.Where(parameter => parameter.In == "path"))
        {
            var values = PathValues(parameter, records);
            if (values.Count == 0)
            {
                unfilled.Add($"{this}: no value for path parameter {{{parameter.Name}}}");
                continue;
            }

            addresses = [.. from address in addresses from value in values select address.Replace($"{{{parameter.Name}}}", Uri.EscapeDataString(value), StringComparison.Ordinal)];
        }

        var query = new List<string>();
        foreach (var parameter in Parameters.Where(parameter => parameter.In == "query"))
        {
            if (QueryValue(parameter, records) is { } value)
            {
                query.Add($"{parameter.Name}={Uri.EscapeDataString(value)}");
            }
            else if (parameter.Required)
            {
                unfilled.Add($"{this}: no value for required query parameter {parameter.Name}");
            }
        }

        foreach (var parameter in Parameters.Where(parameter => parameter is { Required: true, In: not ("path" or "query") } && !(parameter.In == "header" && records.SendsHeader(parameter.Name))))
        {
            unfilled.Add($"{this}: no value for required {parameter.In} parameter {parameter.Name}");
        }

        if (unfilled.Count > 0)
        {
            return ([], unfilled);
        }

        return query.Count == 0 ? (addresses, unfilled) : ([.. addresses.Select(address => $"{address}?{string.Join('&', query)}")], unfilled);
    }

    private List<string> PathValues(ReadParameter parameter, MarkedRecords records)
    {
        var segments = Template.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var at = Array.IndexOf(segments, $"{{{parameter.Name}}}");
        var resource = at > 0 ? segments[at - 1] : "";
        if (parameter.Name == "code")
        {
            return [records.FollowUpCode];
        }

        if (parameter.Name == "service")
        {
            return [.. MarkedRecords.ServiceNames];
        }

        if (parameter.Name == "wardId")
        {
            return [new HomeWard().Id];
        }

        IEnumerable<Guid> ids = (parameter.Name, resource) switch
        {
            ("siteId", _) => [records.SiteId, records.RetiredSiteId],
            (_, "streams") when segments is ["audit", var service, ..] && records.StreamsOf.TryGetValue(service, out var streams) => streams,
            (_, "tips") => [records.TipId],
            (_, "incidents") => [records.IncidentId],
            (_, "partners") => [records.PartnerId, records.OtherPartnerId],
            (_, "sites") => [records.SiteId, records.RetiredSiteId],
            (_, "routes") => [records.RouteId],
            (_, "schedules") => [records.ScheduleId],
            (_, "shifts") => [records.ShiftId],
            (_, "cameras") => [records.CameraId],
            (_, "meetings") => [records.MeetingId],
            (_, "channels") => [records.ChannelId],
            (_, "outreach-sessions") => [records.OutreachSessionId],
            (_, "id-card-drives") => [records.IdCardDriveId],
            (_, "warning-signs") => [records.WarningSignsId],
            (_, "webhooks") => [records.WebhookId],
            _ => [],
        };
        return [.. ids.Select(id => id.ToString())];
    }

    /// <summary>The query parameters the test knows: the seeding year, the site, a range around the seeding.</summary>
    private static string? QueryValue(ReadParameter parameter, MarkedRecords records)
    {
        var today = DateOnly.FromDateTime(DateTimeOffset.UtcNow.ToOffset(WardTime.Offset).Date);
        return (parameter.Name, parameter.Format) switch
        {
            ("year", _) => records.Year.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ("compareWith", _) => (records.Year - 1).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ("siteId", _) => records.SiteId.ToString(),
            ("from", "date") => today.AddDays(-7).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            ("to", "date") => today.AddDays(7).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            ("from", _) => DateTimeOffset.UtcNow.AddDays(-7).ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            ("to", _) => DateTimeOffset.UtcNow.AddDays(7).ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            _ => null,
        };
    }

    private static List<ReadParameter> ParametersOf(JsonObject pathItem, JsonObject operation) =>
    [
        .. new[] { pathItem["parameters"], operation["parameters"] }
            .OfType<JsonArray>()
            .SelectMany(parameters => parameters)
            .OfType<JsonObject>()
            .Select(parameter => new ReadParameter(
                (string)parameter["name"]!,
                (string)parameter["in"]!,
                (bool?)parameter["required"] ?? false,
                (string?)parameter["schema"]?["format"]))
            .DistinctBy(parameter => (parameter.Name, parameter.In)),
    ];
}
