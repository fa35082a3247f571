using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using WardLink.EventSourcing;
using WardLink.EventSourcing.Wards;
using WardLink.Incidents;
using WardLink.IntegrationTests.Audit;
using WardLink.IntegrationTests.Incidents;
using WardLink.IntegrationTests.Tips;
using WardLink.Testing;
using WardLink.Tips;
using static WardLink.IntegrationTests.Privacy.PrivateText;

namespace WardLink.IntegrationTests.Privacy;

/// <summary>
/// Privacy by construction (issue 15): every read answers with a view made for its audience. The
/// records of <see cref="MarkedRecords"/> carry a marker word in every personal or police-only
/// text field; every GET operation of every service's OpenAPI document is called as each audience,
/// and the markers found in the answers must be exactly what the security document's table of who reads what
/// says, both ways: a field shown where the table says <c>no</c> is a leak, a <c>yes</c> no read
/// shows is a table that is no longer true. Each successful read is also as its service's document says, for every
/// audience: its headers (the ETag only where the document says it comes) and its body (<see cref="DocumentedResponses"/>).
/// </summary>
public sealed class AudienceViewTests(MarkedRecords records) : IClassFixture<MarkedRecords>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_read_of_every_service_shows_each_audience_exactly_the_fields_the_documented_table_gives_it()
    {
        var table = AudienceTable.FromSecurityDocument();
        var failures = new List<string>();
        var fieldNames = Fields.Select(field => field.Name).ToList();
        failures.AddRange(fieldNames.Except(table.Rows.Keys).Select(name => $"{AudienceTable.Document}: no row \"{name}\" (the test writes markers into that field)."));
        failures.AddRange(table.Rows.Keys.Except(fieldNames).Select(name => $"{AudienceTable.Document}: row \"{name}\" is no field the test writes markers into: teach PrivateText.Fields its markers."));

        var operations = new List<ReadOperation>();
        var documents = new Dictionary<string, DocumentedResponses>();
        foreach (var service in MarkedRecords.ServiceNames)
        {
            using var police = records.ClientOf(service, Audience.Police);
            operations.AddRange(await ReadOperation.DescribedByAsync(police, service, Ct));
            documents[service] = new DocumentedResponses((await police.GetFromJsonAsync<JsonObject>("/openapi/v1.json", Ct))!);
        }

        var addresses = new Dictionary<ReadOperation, IReadOnlyList<string>>();
        foreach (var operation in operations)
        {
            var (filled, unfilled) = operation.AddressesFor(records);
            failures.AddRange(unfilled);
            addresses[operation] = filled;
        }

        var output = TestContext.Current.TestOutputHelper;
        var shownTo = Enum.GetValues<Audience>().ToDictionary(audience => audience, _ => new Dictionary<string, List<string>>());
        var readSomething = new HashSet<ReadOperation>();
        foreach (var audience in Enum.GetValues<Audience>())
        {
            foreach (var operation in operations.Where(operation => addresses[operation].Count > 0))
            {
                using var client = records.ClientOf(operation.Service, audience);
                var statuses = new List<int>();
                foreach (var address in addresses[operation])
                {
                    using var response = await client.GetAsync(address, Ct);
                    var body = await response.Content.ReadAsStringAsync(Ct);
                    var status = (int)response.StatusCode;
                    statuses.Add(status);
                    if (status >= 500)
                    {
                        failures.Add($"{operation} as {audience}: GET {address} answered {status} {Shortened(body)}");
                    }

                    if (response.IsSuccessStatusCode)
                    {
                        readSomething.Add(operation);
                        failures.AddRange(documents[operation.Service].Check("GET", address.Split('?')[0], response, body)
                            .Select(problem => $"{operation} as {audience}: GET {address} answered {status}, not as the service's document says: {problem}"));
                    }

                    foreach (var marker in MarkersIn(body))
                    {
                        var where = shownTo[audience].TryGetValue(marker, out var list) ? list : shownTo[audience][marker] = [];
                        where.Add($"{operation.Service}: GET {address} ({status})");
                    }
                }

                output?.WriteLine($"{audience,-16} {operation}: {string.Join(", ", statuses)}");
            }
        }

        failures.AddRange(operations.Where(operation => addresses[operation].Count > 0 && !readSomething.Contains(operation))
            .Select(operation => $"{operation}: no audience read anything with it (the walk does not reach a seeded record)"));

        foreach (var field in Fields.Where(field => table.Rows.ContainsKey(field.Name)))
        {
            foreach (var (header, audience) in AudienceTable.Columns)
            {
                if (table.Rows[field.Name][audience])
                {
                    failures.AddRange(field.Markers.Where(marker => !shownTo[audience].ContainsKey(marker))
                        .Select(marker => $"\"{field.Name}\" / {header}: the table says yes, but no read shows it ({marker})"));
                }
                else
                {
                    failures.AddRange(field.Markers.Where(shownTo[audience].ContainsKey)
                        .Select(marker => $"\"{field.Name}\" / {header}: the table says no, but {marker} is shown by {string.Join("; ", shownTo[audience][marker])}"));
                }
            }
        }

        foreach (var (audience, shown) in shownTo)
        {
            foreach (var (marker, where) in shown.OrderBy(pair => pair.Key, StringComparer.Ordinal))
            {
                output?.WriteLine($"{audience,-16} reads {marker} in {string.Join("; ", where)}");
            }
        }

        output?.WriteLine($"{operations.Count} GET operations, {failures.Count} failure(s).");
        Assert.True(failures.Count == 0, $"{failures.Count} failure(s):\n{string.Join("\n", failures)}");
    }

    /// <summary>
    /// A partner's read of a tip or an incident at its site counts nothing it may not see: the stream's version (an ETag, the
    /// history's step numbers) would count the follow-up messages, the contact reads and the notes by their gaps. The
    /// partner takes no step on either, so it gets no ETag, and its history numbers the steps of its course 1, 2, ….
    /// </summary>
    [Fact]
    public async Task A_partner_s_read_of_a_tip_or_an_incident_counts_no_step_it_may_not_see()
    {
        foreach (var (service, path, steps) in new[] { (TipsService.Name, $"/tips/{records.TipId}", "history"), (IncidentsService.Name, $"/incidents/{records.IncidentId}", "timeline") })
        {
            using var police = records.ClientOf(service, Audience.Police);
            using var partner = records.ClientOf(service, Audience.PartnerOfTheSite);
            using var policeAnswer = await police.GetAsync(path, Ct);
            using var partnerAnswer = await partner.GetAsync(path, Ct);
            Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (policeAnswer.StatusCode, partnerAnswer.StatusCode));

            var history = JsonDocument.Parse(await partnerAnswer.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty(steps).EnumerateArray()
                .Select(step => step.GetProperty("version").GetInt64()).ToList();
            var stream = long.Parse(policeAnswer.Headers.ETag!.Tag.Trim('"'), System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(stream > history.Count, $"{path}: the seeded record has no step hidden from partners ({stream} steps, {history.Count} shown)");
            Assert.Null(partnerAnswer.Headers.ETag);
            Assert.Equal(Enumerable.Range(1, history.Count).Select(step => (long)step), history);
        }
    }

    /// <summary>A partner's answer to creating a tip or an incident has no ETag either (the police's has the first version's).</summary>
    [Fact]
    public async Task A_partner_s_answer_to_creating_a_tip_or_an_incident_has_no_ETag()
    {
        foreach (var (service, path, body, partnerBody) in new[]
        {
            (TipsService.Name, "/tips", TipsApi.NewTip(), TipsApi.NewTip(channel: "partner")),
            (IncidentsService.Name, "/incidents", IncidentRequests.Report(), IncidentRequests.Report(source: "partner")),
        })
        {
            using var police = records.ClientOf(service, Audience.Police);
            using var partner = records.ClientOf(service, Audience.PartnerOfTheSite);
            using var policeAnswer = await police.PostAsJsonAsync(path, body, Ct);
            using var partnerAnswer = await partner.PostAsJsonAsync(path, partnerBody, Ct);

            Assert.Equal((HttpStatusCode.Created, HttpStatusCode.Created), (policeAnswer.StatusCode, partnerAnswer.StatusCode));
            Assert.Equal("\"1\"", policeAnswer.Headers.ETag?.Tag);
            Assert.Null(partnerAnswer.Headers.ETag);
        }
    }

    [Fact]
    public async Task A_partner_s_tip_list_of_its_site_holds_no_message_of_the_follow_up_thread()
    {
        using var partner = records.ClientOf(TipsService.Name, Audience.PartnerOfTheSite);
        var (status, body) = await GetAsync(partner, $"/tips?siteId={records.SiteId}");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains(JsonDocument.Parse(body).RootElement.GetProperty("items").EnumerateArray(), tip => tip.GetProperty("id").GetGuid() == records.TipId);
        Assert.DoesNotContain(TipsterMessage, MarkersIn(body));
        Assert.DoesNotContain(PoliceReply, MarkersIn(body));
    }

    [Fact]
    public async Task A_partner_s_read_of_an_incident_at_its_site_shows_neither_the_officer_nor_the_notes()
    {
        using var partner = records.ClientOf(IncidentsService.Name, Audience.PartnerOfTheSite);
        var (status, body) = await GetAsync(partner, $"/incidents/{records.IncidentId}");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(records.IncidentId, JsonDocument.Parse(body).RootElement.GetProperty("incident").GetProperty("id").GetGuid());
        Assert.DoesNotContain(Officer, MarkersIn(body));
        Assert.DoesNotContain(Note, MarkersIn(body));
    }

    [Fact]
    public async Task An_auditor_s_audit_stream_and_state_of_an_incident_hold_none_of_its_free_text_and_the_chain_still_verifies()
    {
        using var auditor = records.ClientOf(IncidentsService.Name, Audience.Auditor);
        string[] freeText = [IncidentDescription, IncidentPlace, SourceReference, Officer, Note, ReclassificationReason, ResolutionSummary, ReopenReason];

        var (streamStatus, stream) = await GetAsync(auditor, $"/audit/incidents/streams/{records.IncidentId}");
        Assert.Equal(HttpStatusCode.OK, streamStatus);
        var noted = Assert.Single(
            JsonDocument.Parse(stream).RootElement.GetProperty("events").EnumerateArray(),
            entry => entry.GetProperty("event").GetProperty("type").GetString()!.Replace("_", "", StringComparison.Ordinal).Equals("noteadded", StringComparison.OrdinalIgnoreCase));
        Assert.False(string.IsNullOrEmpty(noted.GetProperty("event").GetProperty("dataHash").GetString()), "The note's event lost its data hash.");
        Assert.Empty(MarkersIn(stream).Intersect(freeText));

        var (stateStatus, state) = await GetAsync(auditor, $"/audit/incidents/streams/{records.IncidentId}/state");
        Assert.Equal(HttpStatusCode.OK, stateStatus);
        Assert.Empty(MarkersIn(state).Intersect(freeText));

        var report = await auditor.ChainedAsync(IncidentsService.Name);
        Assert.True(report.Intact, $"The incidents chain does not verify: {report.FirstBroken}");
    }

    /// <summary>
    /// An auditor reads each event's data hash to check the chain, not the texts withheld from it: the hash must confirm no
    /// guess at them, not even the exact stored data (what an unsalted SHA-256 of a tipster's message would, for every phone
    /// number tried). The chain still verifies.
    /// </summary>
    [Fact]
    public async Task An_auditor_s_data_hashes_confirm_no_guess_at_what_was_withheld_not_even_the_exact_stored_data()
    {
        using var auditor = records.ClientOf(TipsService.Name, Audience.Auditor);
        var hashes = await Eventually.Get(
            async () =>
            {
                var (_, stream) = await GetAsync(auditor, $"/audit/tips/streams/{records.TipId}");
                var found = JsonDocument.Parse(stream).RootElement.GetProperty("events").EnumerateArray()
                    .Select(entry => entry.GetProperty("event").GetProperty("dataHash").GetString()!).ToList();
                return found.Count > 0 && found.All(hash => hash.Length > 0) ? found : null;
            },
            "every event of the tip chained");

        var guessed = new List<string>();
        await using (var connection = records.StoreOf(TipsService.Name).Storage.Database.CreateConnection())
        {
            await connection.OpenAsync(Ct);
            await using var command = new Npgsql.NpgsqlCommand("select encode(sha256(convert_to(data::text, 'UTF8')), 'hex') from mt_events where stream_id = @id", connection);
            command.Parameters.AddWithValue("id", records.TipId);
            await using var reader = await command.ExecuteReaderAsync(Ct);
            while (await reader.ReadAsync(Ct))
            {
                guessed.Add(reader.GetString(0));
            }
        }

        Assert.Equal(hashes.Count, guessed.Count);
        Assert.Empty(hashes.Intersect(guessed));
        var report = await auditor.ChainedAsync(TipsService.Name);
        Assert.True(report.Intact, $"The tips chain does not verify: {report.FirstBroken}");
    }

    [Fact]
    public async Task A_yearly_number_counter_read_as_a_tip_or_an_incident_is_not_found()
    {
        var home = new HomeWard().Id;
        var tipCounter = YearlyNumbers.CounterOf(Tip.NumberPrefix, home, records.Year);
        var incidentCounter = YearlyNumbers.CounterOf(Incident.CaseNumberPrefix, home, records.Year);
        foreach (var (service, counter) in new[] { (TipsService.Name, tipCounter), (IncidentsService.Name, incidentCounter) })
        {
            await using var session = records.StoreOf(service).QuerySession();
            Assert.True(await session.Events.FetchStreamStateAsync(counter, Ct) is not null, $"The {service} counter of {records.Year} was not written: the test would prove nothing.");
        }

        using var tips = records.ClientOf(TipsService.Name, Audience.Police);
        using var incidents = records.ClientOf(IncidentsService.Name, Audience.Police);
        var (tipStatus, tipBody) = await GetAsync(tips, $"/tips/{tipCounter}");
        var (incidentStatus, incidentBody) = await GetAsync(incidents, $"/incidents/{incidentCounter}");

        Assert.True(
            (tipStatus, incidentStatus) == (HttpStatusCode.NotFound, HttpStatusCode.NotFound),
            $"GET /tips/{{the TIP-{records.Year} counter}}: {(int)tipStatus} {Shortened(tipBody)}\n" +
            $"GET /incidents/{{the INC-{records.Year} counter}}: {(int)incidentStatus} {Shortened(incidentBody)}");

        // Its audited state is a 404 at any version asked (a version past its end was a 400 saying how many it has).
        foreach (var version in new[] { string.Empty, "?version=1", "?version=100000" })
        {
            var (status, body) = await GetAsync(tips, $"/audit/tips/streams/{tipCounter}/state{version}");
            Assert.True(status == HttpStatusCode.NotFound, $"GET /audit/tips/streams/{{the TIP-{records.Year} counter}}/state{version}: {(int)status} {Shortened(body)}");
        }
    }

    private static async Task<(HttpStatusCode Status, string Body)> GetAsync(HttpClient client, string address)
    {
        using var response = await client.GetAsync(address, Ct);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(Ct));
    }

    private static string Shortened(string text) => text.Length <= 400 ? text : text[..400] + "…";
}
