using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using WardLink.Audit;
using WardLink.Auditor;
using WardLink.EventSourcing.Wards;
using WardLink.Incidents;
using WardLink.IntegrationTests.Incidents;
using WardLink.IntegrationTests.Patrols;
using WardLink.IntegrationTests.Pipeline;
using WardLink.IntegrationTests.Tips;
using WardLink.Partners;
using WardLink.Patrols;
using WardLink.ServiceDefaults.Security;
using WardLink.Testing;
using WardLink.Tips;

namespace WardLink.IntegrationTests.Audit;

/// <summary>The four services, each on its own database, called as the police.</summary>
public sealed class AuditedServices : ServiceGroup
{
    public Dictionary<string, HttpClient> Clients { get; } = [];

    /// <summary>A new client of each service (as the police until told otherwise).</summary>
    public Dictionary<string, Func<HttpClient>> NewClients { get; } = [];

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        NewClients[TipsService.Name] = (await StartAsync<TipsService>(TipsService.Name)).CreateClient;
        NewClients[IncidentsService.Name] = (await StartAsync<IncidentsService>(IncidentsService.Name)).CreateClient;
        NewClients[PatrolsService.Name] = (await StartAsync<PatrolsService>(PatrolsService.Name)).CreateClient;
        NewClients[PartnersService.Name] = (await StartAsync<PartnersService>(PartnersService.Name)).CreateClient;
        foreach (var (name, newClient) in NewClients)
        {
            Clients[name] = newClient();
        }
    }
}

/// <summary>
/// A record of every service rebuilt as of its first version and as of the time that version was
/// recorded (recorded, not its business time: by the endpoint and the tool alike), and as it is now; personal data (a tipster's messages, an officer's name, a patrol
/// member's name, a partner contact's name and phone) in none of the audit's answers.
/// </summary>
public sealed class StateAsOfTests(AuditedServices services) : IClassFixture<AuditedServices>
{
    private const string CanaryName = "Nguyễn Canary Person";
    private const string CanaryPhone = "0912 345 678";

    [Fact]
    public async Task A_tip_as_of_it_was_received_and_after_its_assessment_without_the_follow_up_texts()
    {
        var tips = services.Clients[TipsService.Name];
        var id = await tips.ReceiveAsync();
        Assert.Equal(HttpStatusCode.OK, (await tips.AssessAsync(id, "valuable")).StatusCode);
        var posted = await tips.PostAsJsonAsync($"/tips/{id}/messages", new { text = $"Call {CanaryName} on {CanaryPhone}" }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
        Assert.Contains(CanaryName, (await tips.ReadAsync(id)).ToString());

        var (first, now) = await AssertStatesAsync(TipsService.Name, id, versions: 3);

        Assert.Equal("pending", first.GetProperty("status").GetString());
        Assert.Equal("assessed", now.GetProperty("status").GetString());
        Assert.Equal(AuditRedaction.Redacted, Assert.Single(now.GetProperty("messages").EnumerateArray()).GetProperty("text").GetString());
    }

    [Fact]
    public async Task An_incident_as_of_it_was_reported_and_once_assigned_without_the_officers_name()
    {
        var incidents = services.Clients[IncidentsService.Name];
        var (id, etag, _) = await incidents.ReportAsync();
        await incidents.StepOkAsync($"/incidents/{id}/assign", etag, new { unit = "Ward police, criminal team", officer = CanaryName });

        var (first, now) = await AssertStatesAsync(IncidentsService.Name, id, versions: 2);

        Assert.Equal("reported", first.GetProperty("status").GetString());
        Assert.Equal("underInvestigation", now.GetProperty("status").GetString());
        Assert.Equal(AuditRedaction.Redacted, now.GetProperty("officer").GetString());
    }

    [Fact]
    public async Task A_patrol_shift_as_of_it_started_and_after_a_check_in_without_its_members_names()
    {
        var patrols = services.Clients[PatrolsService.Name];
        var (routeId, _, _) = await patrols.DefineRouteAsync(services.StoreOf(PatrolsService.Name));
        var scheduleId = await patrols.ScheduleAsync(routeId, "2024-06-01");
        var (shiftId, etag) = await patrols.StartShiftAsync(new { scheduleId, plannedDate = "2024-06-01", at = "2024-06-01T21:05:00+07:00", members = new[] { new { name = CanaryName, role = "ward police" } } });
        await patrols.StepOkAsync($"/patrols/shifts/{shiftId}/check-ins", etag, new { code = "A" });

        var (first, now) = await AssertStatesAsync(PatrolsService.Name, shiftId, versions: 2);

        Assert.Equal(0, first.GetProperty("checkIns").GetInt32());
        Assert.Equal(1, now.GetProperty("checkIns").GetInt32());
        Assert.Equal(AuditRedaction.Redacted, Assert.Single(now.GetProperty("members").EnumerateArray()).GetProperty("name").GetString());
    }

    [Fact]
    public async Task A_partner_as_of_it_registered_and_renamed_without_its_contacts_name_or_phone()
    {
        var partners = services.Clients[PartnersService.Name];
        var id = await partners.RegisterPartnerAsync("Thanh Hóa Endocrinology Hospital");
        var etag = await partners.StepOkAsync($"/partners/{id}/contacts", "\"1\"", new { role = "Head of security", name = CanaryName, phone = CanaryPhone });
        await partners.StepOkAsync($"/partners/{id}/rename", etag, new { name = "Thanh Hóa Provincial Endocrinology Hospital" });

        var (first, now) = await AssertStatesAsync(PartnersService.Name, id, versions: 3);

        Assert.Equal("Thanh Hóa Endocrinology Hospital", first.GetProperty("name").GetString());
        Assert.Equal("Thanh Hóa Provincial Endocrinology Hospital", now.GetProperty("name").GetString());
        var contact = Assert.Single(now.GetProperty("contacts").EnumerateArray());
        Assert.Equal((AuditRedaction.Redacted, AuditRedaction.Redacted), (contact.GetProperty("name").GetString(), contact.GetProperty("phone").GetString()));
    }

    [Fact]
    public async Task Bad_questions_are_problems_and_only_the_police_and_auditors_may_ask()
    {
        var tips = services.Clients[TipsService.Name];
        var id = await tips.ReceiveAsync();

        foreach (var query in new[] { "version=0", "version=1&at=2024-01-01T00:00:00Z", "version=99", "at=yesterday" })
        {
            var response = await tips.GetAsync($"/audit/tips/streams/{id}/state?{query}", TestContext.Current.CancellationToken);
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{query}: {response.StatusCode}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await tips.GetAsync($"/audit/tips/streams/{Guid.NewGuid()}/state", TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await tips.GetAsync($"/audit/tips/streams/{id}/state?at=2000-01-01T00:00:00Z", TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await tips.GetAsync("/audit/tips/log?after=-1", TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await tips.GetAsync("/audit/tips/log?from=2024-02-01T00:00:00Z&to=2024-01-01T00:00:00Z", TestContext.Current.CancellationToken)).StatusCode);

        // A malformed service name however it ends ($ alone also matched before a final line feed: a 404 naming it) is a path no
        // operation takes: the 404 problem whoever asks (docs/security.md), naming nothing of it (it was a 400 to the police).
        foreach (var holder in new[] { "tips%0A", "Tips", "tips%20" })
        {
            using var refused = await tips.GetAsync($"/audit/tips/checkpoints/{holder}", TestContext.Current.CancellationToken);
            var body = await refused.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            Assert.True(refused.StatusCode == HttpStatusCode.NotFound && refused.Content.Headers.ContentType?.MediaType == "application/problem+json" && !body.Contains("tips", StringComparison.OrdinalIgnoreCase), $"{holder}: {(int)refused.StatusCode} {body}");
        }

        using var auditor = services.NewClients[TipsService.Name]().As(TestAuth.Token(WardLinkRoles.Auditor));
        using var partner = services.NewClients[TipsService.Name]().As(TestAuth.Token(WardLinkRoles.Partner, Guid.NewGuid()));
        using var anonymous = services.NewClients[TipsService.Name]().As(null);
        Assert.Equal(HttpStatusCode.OK, (await auditor.GetAsync($"/audit/tips/streams/{id}", TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await partner.GetAsync($"/audit/tips/streams/{id}", TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/audit/tips/integrity", TestContext.Current.CancellationToken)).StatusCode);
    }

    [Fact]
    public async Task The_log_filters_by_sequence_type_and_time_and_each_line_names_type_actor_and_business_time()
    {
        var tips = services.Clients[TipsService.Name];
        var id = await tips.ReceiveAsync();
        Assert.Equal(HttpStatusCode.OK, (await tips.AssessAsync(id, "prank")).StatusCode);
        var stream = await StreamAsync(TipsService.Name, id);
        var assessed = stream[1];

        var lines = await LogAsync(TipsService.Name, $"after={assessed.Sequence - 1}&types=tip_assessed,tip_referred&limit=1");
        var inTime = await LogAsync(TipsService.Name, $"from={Uri.EscapeDataString(assessed.Event!.RecordedAt.ToString("O"))}&to={Uri.EscapeDataString(assessed.Event.RecordedAt.AddTicks(10).ToString("O"))}");

        var line = Assert.Single(lines);
        Assert.Equal((assessed.Sequence, "tip_assessed", id, 2L), (line.Sequence, line.Event!.Type, line.Event.StreamId, line.Event.Version));
        var history = (await tips.ReadAsync(id)).GetProperty("history");
        Assert.Equal(history[1].GetProperty("by").GetString(), line.Event.Actor);
        Assert.NotNull(line.Event.Actor);
        Assert.NotNull(line.Event.WardTime);
        Assert.Equal("Prank", line.Event.Data!["verdict"]!.GetValue<string>());
        Assert.Contains(inTime, entry => entry.Sequence == assessed.Sequence);
        Assert.All(inTime, entry => Assert.Equal(assessed.Event.RecordedAt, entry.Event!.RecordedAt));
    }

    [Fact]
    public async Task The_auditor_tool_rebuilds_a_stream_from_an_exported_file_as_of_a_version_and_a_time()
    {
        var tips = services.Clients[TipsService.Name];
        var id = await tips.ReceiveAsync();
        Assert.Equal(HttpStatusCode.OK, (await tips.AssessAsync(id, "duplicate", duplicateOf: await tips.ReceiveAsync())).StatusCode);
        var stream = await StreamAsync(TipsService.Name, id);
        var file = Path.Combine(Path.GetTempPath(), $"wardlink-audit-{Guid.NewGuid():N}.ndjson");
        try
        {
            // The tool folds only chained events: export once the chain covers the tip's.
            await tips.ChainedAsync(TipsService.Name);
            Assert.Equal(AuditorCommands.Intact, (await tips.AuditorAsync("export", "--service", TipsService.Name, "--out", file)).Exit);

            var received = await tips.AuditorAsync("state", "--file", file, "--stream", id.ToString(), "--at", stream[0].Event!.RecordedAt.ToString("O"));
            var assessed = await tips.AuditorAsync("state", "--file", file, "--stream", id.ToString(), "--version", "2");
            var unknown = await tips.AuditorAsync("state", "--file", file, "--stream", Guid.NewGuid().ToString());

            // --at, as the endpoint's at=, is the time an event was recorded, not the business time it names: an hour after
            // the tip was received (in 2024) it had not been recorded yet.
            var afterReceived = stream[0].Event!.WardTime!.Value.AddHours(1).ToString("O");
            var byBusinessTime = await tips.AuditorAsync("state", "--file", file, "--stream", id.ToString(), "--at", afterReceived);
            using var endpointByBusinessTime = await tips.GetAsync($"/audit/tips/streams/{id}/state?at={Uri.EscapeDataString(afterReceived)}", TestContext.Current.CancellationToken);
            Assert.True(byBusinessTime.Exit == AuditorCommands.Usage, byBusinessTime.Output);
            Assert.Contains("as of then", byBusinessTime.Errors, StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.NotFound, endpointByBusinessTime.StatusCode);

            var first = JsonDocument.Parse(received.Output).RootElement;
            var second = JsonDocument.Parse(assessed.Output).RootElement;
            Assert.Equal((1L, "tip_received"), (first.GetProperty("version").GetInt64(), first.GetProperty("lastType").GetString()));
            Assert.False(first.GetProperty("state").TryGetProperty("verdict", out _));
            Assert.Equal(id, first.GetProperty("state").GetProperty("tipId").GetGuid());
            Assert.Equal((2L, "Duplicate"), (second.GetProperty("version").GetInt64(), second.GetProperty("state").GetProperty("verdict").GetString()));
            Assert.Equal(AuditorCommands.Usage, unknown.Exit);
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>
    /// Asserts the stream's state as of version 1 and as of the time version 1 was recorded agree,
    /// the latest state has <paramref name="versions"/>, and no audit answer holds the canaries.
    /// </summary>
    private async Task<(JsonElement First, JsonElement Now)> AssertStatesAsync(string service, Guid id, int versions)
    {
        var client = services.Clients[service];
        var stream = await StreamAsync(service, id);
        Assert.Equal(Enumerable.Range(1, versions).Select(version => (long)version), stream.Select(entry => entry.Event!.Version));
        var firstAt = stream[0].Event!.RecordedAt;

        var byVersion = await StateAsync(client, service, id, "version=1");
        var byTime = await StateAsync(client, service, id, $"at={Uri.EscapeDataString(firstAt.ToString("O"))}");
        var now = await StateAsync(client, service, id, string.Empty);

        Assert.Equal(1, byVersion.GetProperty("version").GetInt64());
        Assert.Equal(byVersion.GetProperty("state").ToString(), byTime.GetProperty("state").ToString());
        Assert.Equal(versions, now.GetProperty("version").GetInt64());
        Assert.NotEqual(byVersion.GetProperty("state").ToString(), now.GetProperty("state").ToString());

        var everything = string.Join('\n', [
            await client.GetStringAsync($"/audit/{service}/streams/{id}", TestContext.Current.CancellationToken),
            await client.GetStringAsync($"/audit/{service}/log", TestContext.Current.CancellationToken),
            (await client.ChainedAsync(service)).ToString(),
            now.ToString(),
        ]);
        Assert.Contains(id.ToString(), everything, StringComparison.Ordinal);
        foreach (var canary in new[] { "Canary", "912 345 678", "912345678" })
        {
            Assert.DoesNotContain(canary, everything, StringComparison.OrdinalIgnoreCase);
        }

        return (byVersion.GetProperty("state"), now.GetProperty("state"));
    }

    private async Task<List<AuditEntry>> StreamAsync(string service, Guid id)
    {
        var stream = await services.Clients[service].GetFromJsonAsync<JsonElement>($"/audit/{service}/streams/{id}", TestContext.Current.CancellationToken);
        return stream.GetProperty("events").Deserialize<List<AuditEntry>>(AuditorCommands.Json)!;
    }

    private async Task<List<AuditEntry>> LogAsync(string service, string query)
    {
        var response = await services.Clients[service].GetAsync($"/audit/{service}/log?{query}", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(AuditLines.ContentType, response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonSerializer.Deserialize<AuditEntry>(line, AuditorCommands.Json)!)];
    }

    private static async Task<JsonElement> StateAsync(HttpClient client, string service, Guid id, string query)
    {
        var response = await client.GetAsync($"/audit/{service}/streams/{id}/state?{query}", TestContext.Current.CancellationToken);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{query}: {response.StatusCode} {body}");
        Assert.Equal(new HomeWard().Id, body.GetProperty("ward").GetString());
        return body;
    }

    /// <summary>
    /// What the service refuses the tool is exit 2 with the service's own reason on its one line (the auditor probe: a range
    /// that ends before it starts, and a caller the audit does not admit, were both a bare "Response status code does not
    /// indicate success"): an export and a save of checkpoints, nothing written.
    /// </summary>
    [Fact]
    public async Task What_the_service_refuses_the_tool_is_exit_2_with_the_service_s_reason()
    {
        var file = Path.Combine(Path.GetTempPath(), $"wardlink-audit-{Guid.NewGuid():N}.ndjson");
        using var partner = services.NewClients[TipsService.Name]().As(TestAuth.Token(WardLinkRoles.Partner, Guid.NewGuid()));

        var inverted = await services.Clients[TipsService.Name].AuditorAsync(
            "export", "--service", TipsService.Name, "--out", file, "--from", "2026-12-08T03:00:00Z", "--to", "2026-12-08T02:00:00Z");
        var forbidden = await partner.AuditorAsync("export", "--service", TipsService.Name, "--out", file);
        var checkpoints = await partner.AuditorAsync("checkpoints", "--service", TipsService.Name, "--out", file);

        Assert.Equal((AuditorCommands.Usage, AuditorCommands.Usage, AuditorCommands.Usage), (inverted.Exit, forbidden.Exit, checkpoints.Exit));
        Assert.Contains("the log tips answered was refused: 400 (Bad Request): The request is not valid. to: The range ends before it starts.", inverted.Errors, StringComparison.Ordinal);
        Assert.Contains("the log tips answered was refused: 403 (Forbidden)", forbidden.Errors, StringComparison.Ordinal);
        Assert.Contains("could not be read: refused: 403 (Forbidden)", checkpoints.Errors, StringComparison.Ordinal);
        Assert.All(new[] { inverted.Errors, forbidden.Errors, checkpoints.Errors }, line => Assert.Single(line.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries)));
        Assert.False(File.Exists(file));
    }
}
