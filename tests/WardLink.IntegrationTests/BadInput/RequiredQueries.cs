using System.Text.Json;

namespace WardLink.IntegrationTests.BadInput;

/// <summary>What the document says of each query parameter's being required is what the operation does.</summary>
public abstract partial class BadInputSuite<TEntryPoint>
{
    /// <summary>
    /// Every read (GET) that takes a query: with its required parameters only (each a value its schema takes), it is never a
    /// 400 naming a query parameter (an optional one left out is no error); without one of its required parameters, a 400
    /// naming that one. (A year the statistics need was documented optional, and its absence a 400.)
    /// </summary>
    [Fact]
    public async Task A_query_parameter_is_required_exactly_where_the_document_says()
    {
        var failures = new List<string>();
        var reads = 0;
        foreach (var operation in (await QueriedOperation.DescribedByAsync(_client, Ct)).Where(operation => operation.Method == "GET"))
        {
            reads++;
            var required = operation.Query.Where(parameter => operation.Required.Contains(parameter.Name)).Select(parameter => (parameter.Name, TakenBy(parameter.Schema))).ToList();
            var answer = await SendAsync(operation.Method, operation.Address(required), null);
            if (answer.Status >= 500 || (answer.Status == 400 && NamedFields(answer).Intersect(operation.Query.Select(parameter => parameter.Name)).Any()))
            {
                failures.Add($"{operation} with only its required parameters ({string.Join(", ", required.Select(pair => pair.Name))}): {answer.Status} {Shortened(answer.Body)}");
            }

            foreach (var (left, _) in required)
            {
                var without = await SendAsync(operation.Method, operation.Address(required.Where(pair => pair.Name != left)), null);
                failures.AddRange(RefusalFailures($"{operation}", $"without its required {left}", without, left, 400));
            }
        }

        Assert.True(reads > 0, "No read takes a query.");
        AssertNone(failures);
    }

    /// <summary>
    /// Every list (a read that takes a <c>page</c>) states the defaults of its <c>limit</c> and <c>page</c>, and asked without
    /// them (with its required parameters only) answers that limit and that page (the document stated none: a list's page held
    /// 50 or 100 items as the code chose).
    /// </summary>
    [Fact]
    public async Task A_lists_limit_and_page_default_to_what_the_document_states()
    {
        var failures = new List<string>();
        var (lists, answered) = (0, 0);
        foreach (var operation in (await QueriedOperation.DescribedByAsync(_client, Ct)).Where(operation => operation.Method == "GET" && operation.Query.Any(parameter => parameter.Name == "page")))
        {
            lists++;
            var defaults = operation.Query.Where(parameter => parameter.Name is "limit" or "page").ToDictionary(parameter => parameter.Name, parameter => parameter.Schema.Default);
            if (defaults.Count != 2 || defaults.Any(stated => stated.Value is null))
            {
                failures.Add($"{operation}: no default stated for limit and page ({string.Join(", ", defaults.Select(stated => $"{stated.Key}: {stated.Value ?? "none"}"))})");
                continue;
            }

            var required = operation.Query.Where(parameter => operation.Required.Contains(parameter.Name)).Select(parameter => (parameter.Name, TakenBy(parameter.Schema))).ToList();
            var answer = await SendAsync(operation.Method, operation.Address(required), null);
            if (answer.Status != 200)
            {
                // A list under a record a fresh id names (a webhook's deliveries) is that record's 404.
                continue;
            }

            answered++;
            var page = JsonDocument.Parse(answer.Body).RootElement;
            if ((page.TryGetProperty("limit", out var limit) ? limit.GetRawText() : null) != defaults["limit"] || (page.TryGetProperty("page", out var number) ? number.GetRawText() : null) != defaults["page"])
            {
                failures.Add($"{operation} without limit and page: answered {Shortened(answer.Body)}, where the document states limit {defaults["limit"]} and page {defaults["page"]}");
            }
        }

        Assert.True(lists > 0 && answered > 0, $"{lists} lists, {answered} answered.");
        AssertNone(failures);
    }

    /// <summary>
    /// A query's values are judged by their forms together, <c>ward</c>'s among them, before whose ward it names (docs/wards.md):
    /// every operation taking <c>ward=</c> and a number, a date, a time or an id in its query, sent both malformed, is one 400
    /// naming both; sent the number (or date, time, id) malformed beside a well-formed ward nobody recorded, a 400 naming it, not
    /// the ward's 404. A year not written as a number named only the year, and so a client fixed one mistake to be told the next.
    /// </summary>
    [Fact]
    public async Task Malformed_query_values_are_named_together_ward_among_them_before_the_ward_is_looked_up()
    {
        var failures = new List<string>();
        var judged = 0;
        foreach (var operation in (await QueriedOperation.DescribedByAsync(_client, Ct)).Where(operation => operation.Query.Any(parameter => parameter.Name == "ward")))
        {
            var required = operation.Query.Where(parameter => operation.Required.Contains(parameter.Name) && parameter.Name != "ward").Select(parameter => (parameter.Name, TakenBy(parameter.Schema))).ToList();
            foreach (var (name, _) in operation.Query.Where(parameter => parameter.Schema.Kind == SchemaKind.WholeNumber || parameter.Schema.Format is "date" or "date-time" or "uuid"))
            {
                judged++;
                var others = required.Where(pair => pair.Name != name).ToList();
                var both = await SendAsync(operation.Method, operation.Address([.. others, (name, "x"), ("ward", "Not A Ward")]), null);
                if (both.Status != 400 || !NamedFields(both).ToHashSet().IsSupersetOf([name, "ward"]))
                {
                    failures.Add($"{operation} with {name} and ward both malformed: {both.Status} {Shortened(both.Body)}, not a 400 naming both");
                }

                var unknown = await SendAsync(operation.Method, operation.Address([.. others, (name, "x"), ("ward", "ward-nobody-recorded")]), null);
                if (unknown.Status != 400 || !NamedFields(unknown).Contains(name))
                {
                    failures.Add($"{operation} with {name} malformed and a ward nobody recorded: {unknown.Status} {Shortened(unknown.Body)}, not a 400 naming {name}");
                }
            }
        }

        Assert.True(judged > 0, "No operation takes ward= beside a number, date, time or id in its query.");
        AssertNone(failures);
    }

    /// <summary>A value of the schema a parameter takes: a number within its range, a day, a time, an enum's first name.</summary>
    private static string TakenBy(BodySchema schema) => schema.Kind switch
    {
        SchemaKind.WholeNumber => $"{(long)(schema.Minimum ?? 1)}",
        SchemaKind.Enum => schema.EnumValues[0],
        _ => schema.Format switch
        {
            "date" => "2024-03-14",
            "date-time" => "2024-03-14T21:30:00+07:00",
            "uuid" => Guid.NewGuid().ToString(),
            _ => schema.Sample()?.ToString() ?? "sample",
        },
    };

    private static List<string> NamedFields(Answer answer)
    {
        try
        {
            return JsonDocument.Parse(answer.Body).RootElement.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Object
                ? [.. errors.EnumerateObject().Select(error => error.Name)]
                : [];
        }
        catch (JsonException)
        {
            return [];
        }
    }
}
