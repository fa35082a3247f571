using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using MassTransit;
using WardLink.Contracts.Incidents;
using WardLink.Contracts.Patrols;
using WardLink.IntegrationTests.Incidents;
using WardLink.IntegrationTests.StoredValues;
using WardLink.Patrols;
using WardLink.Testing;
using CheckpointMissed = WardLink.Patrols.CheckpointMissed;
using Published = WardLink.Contracts.Patrols;

namespace WardLink.IntegrationTests.Patrols;

public sealed class PatrolsApiTests(PatrolsOnTheBus patrols) : IClassFixture<PatrolsOnTheBus>
{
    private static readonly TimeSpan Local = TimeSpan.FromHours(7);
    private static readonly string[] Weekend = ["saturday", "sunday"];
    private readonly HttpClient _client = patrols.Client;

    [Fact]
    public async Task A_route_is_stored_as_one_RouteDefined_with_its_checkpoints_in_order_and_read_back_with_its_ETag()
    {
        var now = patrols.Clock.GetUtcNow();
        var (routeId, first, second) = await _client.DefineRouteAsync(patrols.Store);

        var defined = Assert.IsType<RouteDefined>(Assert.Single(await patrols.Store.EventsOfAsync(routeId)).Data);
        Assert.Equal([new Checkpoint("A", first.Id, "Gate"), new Checkpoint("B", second.Id, "Car park")], defined.Checkpoints);
        Assert.Equal((now, "test-police"), (defined.At, defined.By));
        var read = await _client.GetAsync($"/patrols/routes/{routeId}", TestContext.Current.CancellationToken);
        Assert.Equal("\"1\"", read.Headers.ETag?.Tag);
        Assert.Equal("Hospitals at night", (await read.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("name").GetString());
    }

    public static TheoryData<string, string, string, string> BadCreations => new()
    {
        { "unknown site", "/patrols/routes", $"{{ \"name\": \"R\", \"checkpoints\": [{{ \"code\": \"A\", \"siteId\": \"{Guid.CreateVersion7()}\" }}] }}", "checkpoints[0].siteId" },
        { "no checkpoints", "/patrols/routes", "{ \"name\": \"R\", \"checkpoints\": [] }", "checkpoints" },
        { "unknown route", "/patrols/schedules", $"{{ \"routeId\": \"{Guid.CreateVersion7()}\", \"kind\": \"patrol\", \"days\": [\"monday\"], \"windowStart\": \"21:00\", \"windowEnd\": \"24:00\", \"team\": \"police\" }}", "routeId" },
        { "unknown schedule", "/patrols/shifts", $"{{ \"scheduleId\": \"{Guid.CreateVersion7()}\", \"plannedDate\": \"2024-06-01\", \"members\": [{{ \"name\": \"L\", \"role\": \"police\" }}] }}", "scheduleId" },
        { "unknown schedule, no members", "/patrols/shifts", $"{{ \"scheduleId\": \"{Guid.CreateVersion7()}\", \"plannedDate\": \"2024-06-01\", \"members\": [] }}", "scheduleId" },
        { "no members, unknown schedule", "/patrols/shifts", $"{{ \"scheduleId\": \"{Guid.CreateVersion7()}\", \"plannedDate\": \"2024-06-01\", \"members\": [] }}", "members" },
        { "unknown route of a shift", "/patrols/shifts", $"{{ \"routeId\": \"{Guid.CreateVersion7()}\", \"kind\": \"patrol\", \"team\": \"police\", \"members\": [{{ \"name\": \"L\", \"role\": \"police\" }}] }}", "routeId" },
    };

    [Theory]
    [MemberData(nameof(BadCreations))]
    public async Task A_bad_creation_is_a_400_problem_naming_the_field_and_stores_nothing(string why, string path, string body, string field)
    {
        var before = await patrols.Store.CountEventsAsync();

        var response = await _client.PostAsync(path, IncidentRequests.Json(body), TestContext.Current.CancellationToken);

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{why}: {response.StatusCode}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"{why}: errors lack '{field}': {problem}");
        Assert.Equal(before, await patrols.Store.CountEventsAsync());
    }

    /// <summary>
    /// A route's, a schedule's or a shift's id where another of them is asked names no such record: a 400 on the field, not a 5xx nor a
    /// record read as another kind, nor one left unread (a planned shift's route is its schedule's).
    /// </summary>
    [Fact]
    public async Task An_id_of_another_kind_of_patrol_record_is_a_400_naming_its_field_and_stores_nothing()
    {
        var (routeId, _, _) = await _client.DefineRouteAsync(patrols.Store);
        var scheduleId = await _client.ScheduleAsync(routeId, "2024-06-01");
        var (shiftId, _) = await _client.StartShiftAsync(new { routeId, kind = "patrol", team = "police", members = PatrolRequests.Team });
        (string Path, object Body, string Field)[] requests =
        [
            ("/patrols/schedules", new { routeId = scheduleId, kind = "patrol", days = Weekend, windowStart = "21:00", windowEnd = "24:00", team = "police" }, "routeId"),
            ("/patrols/schedules", new { routeId = shiftId, kind = "patrol", days = Weekend, windowStart = "21:00", windowEnd = "24:00", team = "police" }, "routeId"),
            ("/patrols/shifts", new { routeId = scheduleId, kind = "patrol", team = "police", members = PatrolRequests.Team }, "routeId"),
            ("/patrols/shifts", new { routeId = shiftId, kind = "patrol", team = "police", members = PatrolRequests.Team }, "routeId"),
            ("/patrols/shifts", new { scheduleId = routeId, plannedDate = "2024-06-02", members = PatrolRequests.Team }, "scheduleId"),
            ("/patrols/shifts", new { scheduleId = shiftId, plannedDate = "2024-06-02", members = PatrolRequests.Team }, "scheduleId"),
            ("/patrols/shifts", new { scheduleId, plannedDate = "2024-06-02", routeId = shiftId, members = PatrolRequests.Team }, "routeId"),
        ];
        var before = await patrols.Store.CountEventsAsync();

        foreach (var (path, body, field) in requests)
        {
            var response = await _client.PostAsJsonAsync(path, body, TestContext.Current.CancellationToken);
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{path} with {field} of another record: {response.StatusCode} {problem}");
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"{path}: errors lack '{field}': {problem}");
        }

        Assert.Equal(before, await patrols.Store.CountEventsAsync());
    }

    [Fact]
    public async Task A_planned_date_or_a_schedule_start_at_the_calendars_ends_is_a_400_on_its_field_and_stores_nothing()
    {
        var (routeId, _, _) = await _client.DefineRouteAsync(patrols.Store);
        var schedule = await _client.CreatedAsync("/patrols/schedules", new { routeId, kind = "patrol", days = PatrolRequests.EveryDay, windowStart = "22:00", windowEnd = "02:00", team = "police" });
        var before = await patrols.Store.CountEventsAsync();

        // The window of 9999-12-31 ends after the calendar's last day, and 0001-01-01 at 00:00 (UTC+7) is before its first.
        foreach (var (path, body, field) in new (string, object, string)[]
        {
            ("/patrols/shifts", new { scheduleId = schedule.GetProperty("id").GetGuid(), plannedDate = "9999-12-31", members = PatrolRequests.Team }, "plannedDate"),
            ("/patrols/shifts", new { scheduleId = schedule.GetProperty("id").GetGuid(), plannedDate = "0001-01-01", members = PatrolRequests.Team }, "plannedDate"),
            ("/patrols/schedules", new { routeId, kind = "patrol", days = PatrolRequests.EveryDay, windowStart = "00:00", windowEnd = "01:00", team = "police", startsOn = "0001-01-01" }, "startsOn"),
        })
        {
            var response = await _client.PostAsJsonAsync(path, body, TestContext.Current.CancellationToken);

            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{path} {field}: {response.StatusCode}");
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"errors lack '{field}': {problem}");
        }

        Assert.Equal(before, await patrols.Store.CountEventsAsync());
    }

    [Fact]
    public async Task A_schedule_across_midnight_plans_a_shift_per_day_ending_the_next_local_day_and_a_zero_length_window_is_refused()
    {
        var (routeId, _, _) = await _client.DefineRouteAsync(patrols.Store);
        var before = await patrols.Store.CountEventsAsync();
        var zeroLength = await _client.PostAsJsonAsync(
            "/patrols/schedules",
            new { routeId, kind = "patrol", days = PatrolRequests.EveryDay, windowStart = "22:00", windowEnd = "22:00", team = "police" },
            TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, zeroLength.StatusCode);
        Assert.True((await zeroLength.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("errors").TryGetProperty("windowEnd", out _));
        Assert.Equal(before, await patrols.Store.CountEventsAsync());

        var schedule = await _client.CreatedAsync("/patrols/schedules", new
        {
            routeId, kind = "patrol", days = Weekend, windowStart = "22:00", windowEnd = "02:00", team = "veterans", partnerIds = new[] { Guid.CreateVersion7() }, startsOn = "2024-06-01",
        });
        var scheduleId = schedule.GetProperty("id").GetGuid();
        var created = Assert.IsType<ScheduleCreated>(Assert.Single(await patrols.Store.EventsOfAsync(scheduleId)).Data);
        Assert.Equal(("22:00", "02:00", TeamKind.Veterans, new DateOnly(2024, 6, 1)), (created.WindowStart, created.WindowEnd, created.Team, created.StartsOn));
        var read = await _client.GetAsync($"/patrols/schedules/{scheduleId}", TestContext.Current.CancellationToken);
        Assert.Equal("\"1\"", read.Headers.ETag?.Tag);
        var state = await read.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal(["sunday", "saturday"], state.GetProperty("days").EnumerateArray().Select(day => day.GetString()));
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync($"/patrols/schedules/{Guid.CreateVersion7()}", TestContext.Current.CancellationToken)).StatusCode);

        var planned = (await _client.GetJsonAsync("/patrols/planned?from=2024-05-31&to=2024-06-09")).EnumerateArray()
            .Where(entry => entry.GetProperty("shift").GetProperty("scheduleId").GetGuid() == scheduleId)
            .Select(entry => entry.GetProperty("shift"))
            .ToList();
        Assert.Equal(["2024-06-01", "2024-06-02", "2024-06-08", "2024-06-09"], planned.Select(shift => shift.GetProperty("date").GetString()));
        Assert.Equal(new DateTimeOffset(2024, 6, 2, 2, 0, 0, Local), planned[0].GetProperty("windowEnd").GetDateTimeOffset());
        Assert.Equal(PatrolSchedule.PlannedShiftId(scheduleId, new DateOnly(2024, 6, 1)), planned[0].GetProperty("shiftId").GetGuid());

        var backwards = await _client.GetAsync("/patrols/planned?from=2024-06-09&to=2024-06-01", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, backwards.StatusCode);
    }

    [Fact]
    public async Task A_planned_shift_checks_in_reports_and_ends_each_step_an_event_and_what_others_need_is_published()
    {
        await using var bus = await TestBus.StartAsync(patrols.VirtualHost, (received, rabbit) =>
        {
            TestBus.Recording<PatrolObservationReported>("test-patrol-observations")(received, rabbit);
            TestBus.Recording<Published.CheckpointMissed>("test-checkpoints-missed")(received, rabbit);
        });
        var (routeId, first, second) = await _client.DefineRouteAsync(patrols.Store);
        var scheduleId = await _client.ScheduleAsync(routeId, "2024-06-01");

        var (shiftId, etag) = await _client.StartShiftAsync(new { scheduleId, plannedDate = "2024-06-01", members = PatrolRequests.Team });
        Assert.Equal(PatrolSchedule.PlannedShiftId(scheduleId, new DateOnly(2024, 6, 1)), shiftId);
        etag = await _client.StepOkAsync($"/patrols/shifts/{shiftId}/check-ins", etag, new { code = "A", latitude = 19.8069, longitude = 105.7765 });
        etag = await _client.StepOkAsync($"/patrols/shifts/{shiftId}/observations", etag, new { description = "Two men trying car doors.", severity = "high", needsIncident = true, siteId = first.Id });
        etag = await _client.StepOkAsync($"/patrols/shifts/{shiftId}/observations", etag, new { description = "A lamp out by the gate.", severity = "low" });
        etag = await _client.StepOkAsync($"/patrols/shifts/{shiftId}/end", etag);

        Assert.Equal("\"6\"", etag);
        var events = (await patrols.Store.EventsOfAsync(shiftId)).Select(recorded => recorded.Data).ToList();
        Assert.Equal(
            [typeof(ShiftStarted), typeof(CheckedIn), typeof(ObservationReported), typeof(ObservationReported), typeof(ShiftEnded), typeof(CheckpointMissed)],
            events.Select(data => data.GetType()));
        var started = (ShiftStarted)events[0];
        Assert.Equal((scheduleId, TeamKind.Joint), (started.ScheduleId, started.Team));
        Assert.Equal(["Team A lead", "Gate 2"], started.Members.Select(member => member.Name));
        Assert.Equal(("A", first.Id, (double?)19.8069), (((CheckedIn)events[1]).Code, ((CheckedIn)events[1]).SiteId, ((CheckedIn)events[1]).Latitude));
        var observation = (ObservationReported)events[2];
        Assert.True(observation.NeedsIncident);
        Assert.NotNull(observation.IncidentId);
        Assert.Null(((ObservationReported)events[3]).IncidentId);
        var missed = (CheckpointMissed)events[5];
        Assert.Equal(("B", second.Id, new DateTimeOffset(2024, 6, 2, 0, 0, 0, Local)), (missed.Code, missed.SiteId, missed.WindowEnd));

        var shift = await _client.GetJsonAsync($"/patrols/shifts/{shiftId}");
        Assert.Equal("ended", shift.GetProperty("status").GetString());
        Assert.Equal(2, shift.GetProperty("observations").GetInt32());
        var planned = await _client.GetJsonAsync("/patrols/planned?from=2024-06-01&to=2024-06-01");
        Assert.Equal("ended", planned.EnumerateArray().Single(entry => entry.GetProperty("shift").GetProperty("shiftId").GetGuid() == shiftId).GetProperty("status").GetString());

        var published = await Eventually.Get(
            () => Task.FromResult(bus.Received.Select(entry => entry.Message).OfType<PatrolObservationReported>().Where(message => message.ShiftId == shiftId).ToList() is { Count: 2 } both ? both : null),
            "both observations published");
        var needsIncident = Assert.Single(published, message => message.NeedsIncident);
        Assert.Equal((observation.IncidentId, first.Id, routeId, ObservationSeverity.High), (needsIncident.IncidentId, needsIncident.SiteId, needsIncident.RouteId, needsIncident.Severity));
        var checkpoint = await Eventually.Get(
            () => Task.FromResult(bus.Received.Select(entry => entry.Message).OfType<Published.CheckpointMissed>().SingleOrDefault(message => message.ShiftId == shiftId)),
            "CheckpointMissed published");
        Assert.Equal(("B", second.Id, routeId), (checkpoint.CheckpointCode, checkpoint.SiteId, checkpoint.RouteId));
    }

    [Fact]
    public async Task Bad_steps_are_problems_and_append_nothing()
    {
        var (routeId, _, _) = await _client.DefineRouteAsync(patrols.Store);
        var (shiftId, etag) = await _client.StartShiftAsync(new { routeId, kind = "patrol", team = "police", members = PatrolRequests.Team });

        var notOnRoute = await _client.StepAsync($"/patrols/shifts/{shiftId}/check-ins", etag, new { code = "SCHOOL-GATE" });
        var stale = await _client.StepAsync($"/patrols/shifts/{shiftId}/check-ins", "\"7\"", new { code = "A" });
        var badSeverity = await _client.StepAsync($"/patrols/shifts/{shiftId}/observations", etag, new { description = "x", severity = "apocalyptic" });
        var residenceOnPatrol = await _client.StepAsync($"/patrols/shifts/{shiftId}/residence-checks", etag, new { premisesVisited = 3 });
        var unknownShift = await _client.StepAsync($"/patrols/shifts/{Guid.CreateVersion7()}/end", null);
        Assert.Equal(HttpStatusCode.BadRequest, notOnRoute.StatusCode);
        Assert.True((await notOnRoute.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("errors").TryGetProperty("code", out _));
        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badSeverity.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, residenceOnPatrol.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknownShift.StatusCode);
        Assert.Single(await patrols.Store.EventsOfAsync(shiftId));

        etag = await _client.StepOkAsync($"/patrols/shifts/{shiftId}/end", etag);
        var checkInAfterEnd = await _client.StepAsync($"/patrols/shifts/{shiftId}/check-ins", etag, new { code = "A" });
        Assert.Equal(HttpStatusCode.Conflict, checkInAfterEnd.StatusCode);
        Assert.Equal("application/problem+json", checkInAfterEnd.Content.Headers.ContentType?.MediaType);
        Assert.Equal(4, (await patrols.Store.EventsOfAsync(shiftId)).Count);
    }

    [Fact]
    public async Task The_shift_list_is_paged_and_filtered_by_route_site_status_and_kind()
    {
        var (routeId, first, _) = await _client.DefineRouteAsync(patrols.Store);
        var (ended, etag) = await _client.StartShiftAsync(new { routeId, kind = "patrol", team = "police", members = PatrolRequests.Team });
        await _client.StepOkAsync($"/patrols/shifts/{ended}/end", etag);
        var (residence, _) = await _client.StartShiftAsync(new { routeId, kind = "residenceCheck", team = "police", members = PatrolRequests.Team });

        var all = await _client.GetJsonAsync($"/patrols/shifts?siteId={first.Id}&limit=1");
        Assert.Equal((2, 1), (all.GetProperty("total").GetInt32(), all.GetProperty("items").GetArrayLength()));
        var endedOnly = await _client.GetJsonAsync($"/patrols/shifts?routeId={routeId}&status=ended");
        Assert.Equal(ended, Assert.Single(endedOnly.GetProperty("items").EnumerateArray()).GetProperty("id").GetGuid());
        var checks = await _client.GetJsonAsync($"/patrols/shifts?routeId={routeId}&kind=residenceCheck");
        Assert.Equal(residence, Assert.Single(checks.GetProperty("items").EnumerateArray()).GetProperty("id").GetGuid());
        Assert.Equal(HttpStatusCode.BadRequest, (await _client.GetAsync("/patrols/shifts?status=asleep", TestContext.Current.CancellationToken)).StatusCode);
    }

    [Fact]
    public async Task A_residence_check_records_counts_only_and_the_yearly_statistics_add_them_up()
    {
        var before = await _client.GetJsonAsync("/patrols/stats?year=2024");
        var (routeId, _, _) = await _client.DefineRouteAsync(patrols.Store);
        var (shiftId, etag) = await _client.StartShiftAsync(new { routeId, kind = "residenceCheck", team = "police", members = PatrolRequests.Team });

        // Nothing to record (every count left out or 0) is a 400, as the document says: anyOf a count of at least 1 (it stated
        // each count's default, 0, and took a body of none).
        var document = new DocumentedResponses((await _client.GetFromJsonAsync<JsonObject>("/openapi/v1.json", TestContext.Current.CancellationToken))!);
        var path = $"/patrols/shifts/{shiftId}/residence-checks";
        foreach (var nothing in new object[] { new { }, new { premisesVisited = 0, residentsRegistered = 0, residentsNotRegistered = 0, remindersIssued = 0 } })
        {
            Assert.NotEmpty(document.CheckRequest("POST", path, JsonNode.Parse(JsonSerializer.Serialize(nothing, JsonSerializerOptions.Web))));
            await (await _client.StepAsync(path, etag, nothing)).AssertFieldErrorAsync("premisesVisited");
        }

        Assert.Empty(document.CheckRequest("POST", path, JsonNode.Parse("{\"remindersIssued\":1}")));
        etag = await _client.StepOkAsync(path, etag, new { premisesVisited = 12, residentsRegistered = 30, residentsNotRegistered = 4, remindersIssued = 4 });
        etag = await _client.StepOkAsync($"/patrols/shifts/{shiftId}/check-ins", etag, new { code = "B" });
        await _client.StepOkAsync($"/patrols/shifts/{shiftId}/end", etag);

        var recorded = Assert.IsType<ResidenceCheckRecorded>((await patrols.Store.EventsOfAsync(shiftId))[1].Data);
        Assert.Equal(new ResidenceCounts(12, 30, 4, 4), recorded.Counts);
        Assert.Equal([typeof(ShiftStarted), typeof(ResidenceCheckRecorded), typeof(CheckedIn), typeof(ShiftEnded)], (await patrols.Store.EventsOfAsync(shiftId)).Select(e => e.Data.GetType()));
        var after = await _client.GetJsonAsync("/patrols/stats?year=2024");
        int Change(string field) => after.GetProperty(field).GetInt32() - before.GetProperty(field).GetInt32();
        int CountChange(string field) =>
            after.GetProperty("residenceCounts").GetProperty(field).GetInt32() - before.GetProperty("residenceCounts").GetProperty(field).GetInt32();
        Assert.Equal((1, 1, 1, 0), (Change("shiftsPerformed"), Change("residenceChecks"), Change("checkIns"), Change("shiftsMissed")));
        Assert.Equal((12, 30, 4, 4), (CountChange("premisesVisited"), CountChange("residentsRegistered"), CountChange("residentsNotRegistered"), CountChange("remindersIssued")));
        Assert.Equal(HttpStatusCode.BadRequest, (await _client.GetAsync("/patrols/stats?year=1066", TestContext.Current.CancellationToken)).StatusCode);
    }

    [Fact]
    public async Task Coverage_of_a_site_sets_hours_patrolled_by_local_hour_against_the_incidents_reported_there()
    {
        await using var bus = await TestBus.StartAsync(patrols.VirtualHost);
        var (routeId, first, second) = await _client.DefineRouteAsync(patrols.Store);
        var scheduleId = await _client.ScheduleAsync(routeId, "2024-06-01");
        patrols.Clock.Set(new DateTimeOffset(2024, 6, 1, 21, 0, 0, Local));
        var (shiftId, etag) = await _client.StartShiftAsync(new { scheduleId, plannedDate = "2024-06-01", members = PatrolRequests.Team });
        patrols.Clock.Set(new DateTimeOffset(2024, 6, 1, 21, 15, 0, Local));
        etag = await _client.StepOkAsync($"/patrols/shifts/{shiftId}/check-ins", etag, new { code = "A", at = "2024-06-01T21:10:00+07:00" });
        patrols.Clock.Set(new DateTimeOffset(2024, 6, 1, 22, 30, 0, Local));
        await _client.StepOkAsync($"/patrols/shifts/{shiftId}/end", etag);

        var incidentId = Guid.CreateVersion7();
        await bus.PublishAsync(
            new IncidentReported(
                incidentId, "INC-2024-0042", IncidentClassification.Criminal, Contracts.Tips.SecurityCategory.Theft, IncidentSource.Partner, null, first.Id,
                new DateTimeOffset(2024, 6, 1, 21, 40, 0, Local), new DateTimeOffset(2024, 6, 1, 21, 45, 0, Local)),
            NewId.NextGuid());
        await Eventually.Get(
            async () =>
            {
                await using var session = patrols.Store.QuerySession();
                return await session.LoadAsync<SiteIncident>(incidentId, TestContext.Current.CancellationToken);
            },
            "the incident in the patrols read model");

        var coverage = await _client.GetJsonAsync($"/patrols/coverage?from=2024-06-01&to=2024-06-01&siteId={first.Id}");
        Assert.Equal((1, 1, 0), (coverage.GetProperty("shiftsPlanned").GetInt32(), coverage.GetProperty("shiftsPerformed").GetInt32(), coverage.GetProperty("shiftsMissed").GetInt32()));
        Assert.Equal((1, 0), (coverage.GetProperty("checkpointsVisited").GetInt32(), coverage.GetProperty("checkpointsMissed").GetInt32()));
        Assert.Equal(1.5, coverage.GetProperty("hoursPatrolled").GetDouble());
        var hours = coverage.GetProperty("hoursPatrolledByHourOfDay").EnumerateArray().Select(hour => hour.GetDouble()).ToList();
        Assert.Equal((1.0, 0.5, 1.5), (hours[21], hours[22], hours.Sum()));
        Assert.Equal(1, coverage.GetProperty("incidents").GetInt32());
        Assert.Equal(1, coverage.GetProperty("incidentsByHourOfDay")[21].GetInt32());
        Assert.Equal(1, coverage.GetProperty("incidentsDuringShifts").GetInt32());
        var atSecond = await _client.GetJsonAsync($"/patrols/coverage?from=2024-06-01&to=2024-06-01&siteId={second.Id}");
        Assert.Equal((0, 1, 0), (atSecond.GetProperty("checkpointsVisited").GetInt32(), atSecond.GetProperty("checkpointsMissed").GetInt32(), atSecond.GetProperty("incidents").GetInt32()));
        Assert.Equal(HttpStatusCode.BadRequest, (await _client.GetAsync("/patrols/coverage?to=2024-06-01", TestContext.Current.CancellationToken)).StatusCode);
    }

    [Fact]
    public async Task Coverage_sets_an_incident_against_a_shift_begun_the_day_before_or_still_under_way_but_counts_shifts_by_the_day_they_began()
    {
        await using var bus = await TestBus.StartAsync(patrols.VirtualHost);
        var (routeId, first, _) = await _client.DefineRouteAsync(patrols.Store);
        patrols.Clock.Set(new DateTimeOffset(2024, 6, 2, 2, 30, 0, Local));
        var (overnight, etag) = await _client.StartShiftAsync(new { routeId, kind = "patrol", team = "police", members = PatrolRequests.Team, at = "2024-06-01T22:00:00+07:00" });
        await _client.StepOkAsync($"/patrols/shifts/{overnight}/end", etag, new { at = "2024-06-02T02:00:00+07:00" });
        patrols.Clock.Set(new DateTimeOffset(2024, 6, 2, 21, 0, 0, Local));
        await _client.StartShiftAsync(new { routeId, kind = "patrol", team = "police", members = PatrolRequests.Team });
        patrols.Clock.Set(new DateTimeOffset(2024, 6, 2, 22, 0, 0, Local));

        foreach (var (caseNumber, occurredAt) in new[] { ("INC-2024-0101", new DateTimeOffset(2024, 6, 2, 1, 0, 0, Local)), ("INC-2024-0102", new DateTimeOffset(2024, 6, 2, 21, 30, 0, Local)) })
        {
            var incidentId = Guid.CreateVersion7();
            await bus.PublishAsync(
                new IncidentReported(
                    incidentId, caseNumber, IncidentClassification.Criminal, Contracts.Tips.SecurityCategory.Theft, IncidentSource.Partner, null, first.Id, occurredAt, occurredAt.AddMinutes(5)),
                NewId.NextGuid());
            await Eventually.Get(
                async () =>
                {
                    await using var session = patrols.Store.QuerySession();
                    return await session.LoadAsync<SiteIncident>(incidentId, TestContext.Current.CancellationToken);
                },
                $"incident {caseNumber} in the patrols read model");
        }

        // The overnight shift began on 1 June: 2 June counts only the shift begun that evening (under way: no hours yet),
        // yet both incidents of 2 June happened while a shift was under way.
        var coverage = await _client.GetJsonAsync($"/patrols/coverage?from=2024-06-02&to=2024-06-02&siteId={first.Id}");
        Assert.Equal((1, 0.0), (coverage.GetProperty("shiftsPerformed").GetInt32(), coverage.GetProperty("hoursPatrolled").GetDouble()));
        Assert.Equal((2, 2), (coverage.GetProperty("incidents").GetInt32(), coverage.GetProperty("incidentsDuringShifts").GetInt32()));
        var firstOfJune = await _client.GetJsonAsync($"/patrols/coverage?from=2024-06-01&to=2024-06-01&siteId={first.Id}");
        Assert.Equal((1, 4.0, 0), (firstOfJune.GetProperty("shiftsPerformed").GetInt32(), firstOfJune.GetProperty("hoursPatrolled").GetDouble(), firstOfJune.GetProperty("incidents").GetInt32()));
    }

    [Fact]
    public async Task Coverage_sets_no_incident_against_a_shift_recorded_as_begun_years_before_and_counts_it_as_under_way_only_for_the_bounded_time()
    {
        await using var bus = await TestBus.StartAsync(patrols.VirtualHost);
        var (routeId, first, _) = await _client.DefineRouteAsync(patrols.Store);
        patrols.Clock.Set(PatrolsOnTheBus.Evening);
        var (longAgo, etag) = await _client.StartShiftAsync(new { routeId, kind = "patrol", team = "police", members = PatrolRequests.Team, at = "2020-01-01T21:00:00+07:00" });
        await _client.StepOkAsync($"/patrols/shifts/{longAgo}/end", etag);
        var incidentId = Guid.CreateVersion7();
        var occurredAt = new DateTimeOffset(2024, 6, 1, 2, 0, 0, Local);
        await bus.PublishAsync(
            new IncidentReported(
                incidentId, "INC-2024-0103", IncidentClassification.Criminal, Contracts.Tips.SecurityCategory.Theft, IncidentSource.Partner, null, first.Id, occurredAt, occurredAt.AddMinutes(5)),
            NewId.NextGuid());
        await Eventually.Get(
            async () =>
            {
                await using var session = patrols.Store.QuerySession();
                return await session.LoadAsync<SiteIncident>(incidentId, TestContext.Current.CancellationToken);
            },
            "incident INC-2024-0103 in the patrols read model");

        // Recorded as begun on 1 January 2020 and ended on 1 June 2024: it was under way for at most a day, so the incident of 1 June
        // happened outside any shift, and the shift's hours on the day it began are those of that day, not four years'.
        var coverage = await _client.GetJsonAsync($"/patrols/coverage?from=2024-06-01&to=2024-06-01&siteId={first.Id}");
        Assert.Equal((0, 1, 0), (coverage.GetProperty("shiftsPerformed").GetInt32(), coverage.GetProperty("incidents").GetInt32(), coverage.GetProperty("incidentsDuringShifts").GetInt32()));
        var began = await _client.GetJsonAsync($"/patrols/coverage?from=2020-01-01&to=2020-01-01&siteId={first.Id}");
        Assert.Equal((1, PatrolQueries.MaxUnderWay.TotalHours), (began.GetProperty("shiftsPerformed").GetInt32(), began.GetProperty("hoursPatrolled").GetDouble()));
    }
}
