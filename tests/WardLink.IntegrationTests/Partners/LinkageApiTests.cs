using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using WardLink.IntegrationTests.Incidents;
using WardLink.IntegrationTests.Pipeline;
using WardLink.IntegrationTests.StoredValues;
using WardLink.Partners;
using WardLink.Testing;

namespace WardLink.IntegrationTests.Partners;

public sealed class LinkageApiTests(PartnersWithoutOverdueRounds partners) : IClassFixture<PartnersWithoutOverdueRounds>
{
    private readonly HttpClient _client = partners.CreateClient();

    private IDocumentStore Store => partners.Host.Services.GetRequiredService<IDocumentStore>();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<(Guid Id, string ETag, JsonElement Body)> CreatedAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{response.StatusCode}: {body}");
        return (body.GetProperty("id").GetGuid(), response.Headers.ETag!.Tag, body);
    }

    [Fact]
    public async Task A_meeting_s_action_items_are_tracked_to_closure_and_the_open_ones_past_due_are_listed_as_overdue()
    {
        var police = await _client.RegisterPartnerAsync("Quảng Thắng ward police", "police");
        var school = await _client.RegisterPartnerAsync("Provincial Political School", "school");
        var (meetingId, etag, _) = await CreatedAsync(await _client.PostAsJsonAsync(
            "/partners/meetings", new { heldAt = "2024-05-06T08:00:00+07:00", attendingPartnerIds = new[] { police, school }, minutes = "Reviewed April's tips and patrols." }, Ct));

        var late = await _client.StepAsync($"/partners/meetings/{meetingId}/action-items", etag, new { text = "Survey the dormitory B back yard for a camera", ownerPartnerId = school, dueAt = "2024-05-20T17:00:00+07:00" });
        Assert.Equal(HttpStatusCode.OK, late.StatusCode);
        etag = late.Headers.ETag!.Tag;
        var lateId = (await late.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("actionItems")[0].GetProperty("id").GetGuid();
        var done = await _client.StepAsync($"/partners/meetings/{meetingId}/action-items", etag, new { text = "Post theft-warning signs", ownerPartnerId = police, dueAt = "2024-05-31T17:00:00+07:00" });
        etag = done.Headers.ETag!.Tag;
        var doneId = (await done.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("actionItems")[1].GetProperty("id").GetGuid();
        etag = await _client.StepOkAsync($"/partners/meetings/{meetingId}/action-items/{doneId}/complete", etag, new { at = "2024-05-28T10:00:00+07:00" });
        var twice = await _client.StepAsync($"/partners/meetings/{meetingId}/action-items/{doneId}/complete", etag, new { });

        Assert.Equal(HttpStatusCode.Conflict, twice.StatusCode);
        Assert.Contains("already completed", (await twice.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("title").GetString(), StringComparison.Ordinal);
        var events = await Store.EventsOfAsync(meetingId);
        Assert.Equal([typeof(MeetingHeld), typeof(ActionItemAssigned), typeof(ActionItemAssigned), typeof(ActionItemCompleted)], events.Select(recorded => recorded.Data.GetType()));
        Assert.Equal(new ActionItemCompleted(meetingId, doneId, new DateTimeOffset(2024, 5, 28, 3, 0, 0, TimeSpan.Zero), "test-police"), events[3].Data);

        var overdue = await _client.GetFromJsonAsync<JsonElement>($"/partners/action-items/overdue?ownerPartnerId={school}", Ct);
        var item = Assert.Single(overdue.EnumerateArray());
        Assert.Equal(meetingId, item.GetProperty("meetingId").GetGuid());
        Assert.Equal(lateId, item.GetProperty("item").GetProperty("id").GetGuid());
        Assert.Empty((await _client.GetFromJsonAsync<JsonElement>($"/partners/action-items/overdue?ownerPartnerId={police}", Ct)).EnumerateArray());
        Assert.Empty((await _client.GetFromJsonAsync<JsonElement>($"/partners/action-items/overdue?ownerPartnerId={school}&asOf=2024-05-19T00:00:00%2B07:00", Ct)).EnumerateArray());

        var stats = await _client.GetFromJsonAsync<JsonElement>("/partners/stats?year=2024", Ct);
        Assert.Equal((1, 1, 1), (stats.GetProperty("meetingsHeld").GetInt32(), stats.GetProperty("actionItemsClosed").GetInt32(), stats.GetProperty("actionItemsOverdue").GetInt32()));
    }

    [Fact]
    public async Task The_overdue_list_as_of_a_time_holds_the_items_open_and_past_due_then_completed_later_or_not()
    {
        var owner = await _client.RegisterPartnerAsync("Ward youth union", "other");
        var (meetingId, etag, _) = await CreatedAsync(await _client.PostAsJsonAsync(
            "/partners/meetings", new { heldAt = "2022-01-10T08:00:00+07:00", attendingPartnerIds = new[] { owner }, minutes = "Planned the spring campaign." }, Ct));
        var assigned = await _client.StepAsync($"/partners/meetings/{meetingId}/action-items", etag, new { text = "Print the leaflets", ownerPartnerId = owner, dueAt = "2022-02-01T17:00:00+07:00" });
        etag = assigned.Headers.ETag!.Tag;
        var itemId = (await assigned.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("actionItems")[0].GetProperty("id").GetGuid();
        await _client.StepOkAsync($"/partners/meetings/{meetingId}/action-items/{itemId}/complete", etag, new { at = "2022-03-01T09:00:00+07:00" });

        async Task<IReadOnlyList<Guid>> OverdueAsOf(string asOf) =>
            [.. (await _client.GetFromJsonAsync<JsonElement>($"/partners/action-items/overdue?ownerPartnerId={owner}&asOf={Uri.EscapeDataString(asOf)}", Ct))
                .EnumerateArray().Select(overdue => overdue.GetProperty("item").GetProperty("id").GetGuid())];

        Assert.Empty(await OverdueAsOf("2022-01-20T00:00:00+07:00"));
        Assert.Equal([itemId], await OverdueAsOf("2022-02-15T00:00:00+07:00"));
        Assert.Equal([itemId], await OverdueAsOf("2022-03-01T08:59:59+07:00"));
        Assert.Empty(await OverdueAsOf("2022-03-01T09:00:00+07:00"));
        Assert.Empty((await _client.GetFromJsonAsync<JsonElement>($"/partners/action-items/overdue?ownerPartnerId={owner}", Ct)).EnumerateArray());
    }

    [Fact]
    public async Task Bad_meetings_and_action_items_are_400s_unknown_ones_404s_stale_ones_412s_and_none_appends()
    {
        var police = await _client.RegisterPartnerAsync("Ward police for bad meetings", "police");
        var before = await Store.CountEventsAsync();
        var badMeeting = await _client.PostAsJsonAsync("/partners/meetings", new { heldAt = "2999-01-01T00:00:00+07:00", attendingPartnerIds = new[] { Guid.CreateVersion7() }, minutes = "" }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, badMeeting.StatusCode);
        var errors = (await badMeeting.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors");
        Assert.Equal(["attendingPartnerIds", "heldAt", "minutes"], errors.EnumerateObject().Select(field => field.Name).Order());
        Assert.Equal(before, await Store.CountEventsAsync());

        var (meetingId, etag, _) = await CreatedAsync(await _client.PostAsJsonAsync(
            "/partners/meetings", new { heldAt = "2023-06-03T08:00:00+07:00", attendingPartnerIds = new[] { police }, minutes = "Short." }, Ct));
        var unknownOwner = await _client.StepAsync($"/partners/meetings/{meetingId}/action-items", etag, new { text = "x", ownerPartnerId = Guid.CreateVersion7(), dueAt = "2023-06-30T00:00:00+07:00" });
        var stale = await _client.StepAsync($"/partners/meetings/{meetingId}/action-items", "\"5\"", new { text = "x", ownerPartnerId = police, dueAt = "2023-06-30T00:00:00+07:00" });
        var unknownItem = await _client.StepAsync($"/partners/meetings/{meetingId}/action-items/{Guid.CreateVersion7()}/complete", etag, new { });
        var unknownMeeting = await _client.StepAsync($"/partners/meetings/{Guid.CreateVersion7()}/action-items", null, new { text = "x", ownerPartnerId = police, dueAt = "2023-06-30T00:00:00+07:00" });

        Assert.Equal(HttpStatusCode.BadRequest, unknownOwner.StatusCode);
        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknownItem.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknownMeeting.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync($"/partners/meetings/{Guid.CreateVersion7()}", Ct)).StatusCode);
        Assert.Single(await Store.EventsOfAsync(meetingId));
        var read = await _client.GetAsync($"/partners/meetings/{meetingId}", Ct);
        Assert.Equal("\"1\"", read.Headers.ETag?.Tag);
    }

    [Fact]
    public async Task Outreach_ID_card_drives_and_warning_signs_are_recorded_and_counted_in_their_local_year()
    {
        var school = await _client.RegisterPartnerAsync("Vocational and Continuing Education Centre", "school");
        var hospital = await _client.RegisterPartnerAsync("Provincial Obstetrics Hospital for signs");
        var siteId = await _client.RegisterSiteAsync(hospital, "Obstetrics hospital parking");

        var (outreachId, _, outreach) = await CreatedAsync(await _client.PostAsJsonAsync(
            $"/partners/{school}/outreach-sessions", new { topics = (string[])["trafficSafety", "drugs"], attendees = 320, at = "2020-09-10T08:00:00+07:00" }, Ct));
        var (driveId, _, _) = await CreatedAsync(await _client.PostAsJsonAsync($"/partners/{school}/id-card-drives", new { cardsIssued = 1200, at = "2020-05-20T08:00:00+07:00" }, Ct));
        // 2020-12-31 17:30 UTC is 2021-01-01 00:30 in the ward: next year's.
        await CreatedAsync(await _client.PostAsJsonAsync($"/partners/{school}/id-card-drives", new { cardsIssued = 50, at = "2020-12-31T17:30:00Z" }, Ct));
        var (signsId, _, _) = await CreatedAsync(await _client.PostAsJsonAsync(
            $"/partners/{hospital}/sites/{siteId}/warning-signs", new { count = 6, text = "Lock your motorbike; thieves operate here.", at = "2020-03-01T08:00:00+07:00" }, Ct));

        Assert.Equal(["trafficSafety", "drugs"], outreach.GetProperty("topics").EnumerateArray().Select(topic => topic.GetString()));
        Assert.IsType<OutreachSessionHeld>(Assert.Single(await Store.EventsOfAsync(outreachId)).Data);
        Assert.Equal(1200, Assert.IsType<IdCardDriveHeld>(Assert.Single(await Store.EventsOfAsync(driveId)).Data).CardsIssued);
        Assert.Equal(6, Assert.IsType<WarningSignsPosted>(Assert.Single(await Store.EventsOfAsync(signsId)).Data).Count);
        Assert.Equal(320, (await _client.GetFromJsonAsync<JsonElement>($"/partners/outreach-sessions/{outreachId}", Ct)).GetProperty("attendees").GetInt32());
        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync($"/partners/id-card-drives/{driveId}", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync($"/partners/warning-signs/{signsId}", Ct)).StatusCode);

        var stats = await _client.GetFromJsonAsync<JsonElement>("/partners/stats?year=2020", Ct);
        Assert.Equal((1, 320), (stats.GetProperty("outreachSessions").GetInt32(), stats.GetProperty("outreachAttendees").GetInt32()));
        Assert.Equal(1, stats.GetProperty("outreachSessionsByTopic").GetProperty("drugs").GetInt32());
        Assert.Equal((1, 1200), (stats.GetProperty("idCardDrives").GetInt32(), stats.GetProperty("idCardsIssued").GetInt32()));
        Assert.Equal(6, stats.GetProperty("warningSignsPosted").GetInt32());
        Assert.Equal(50, (await _client.GetFromJsonAsync<JsonElement>("/partners/stats?year=2021", Ct)).GetProperty("idCardsIssued").GetInt32());
    }

    /// <summary>
    /// Sites, camera surveys, activities and webhooks recorded of a partner while it leaves the linkage: each step read the
    /// partner, then wrote a stream of its own, so one that read it before the leave could be accepted after it.
    /// </summary>
    [Fact]
    public async Task Steps_sent_alongside_a_partner_s_leave_are_accepted_only_before_it_and_refused_after_it()
    {
        for (var round = 0; round < 3; round++)
        {
            var partner = await _client.RegisterPartnerAsync($"Thanh Hóa Lung Hospital {round}");
            var siteId = await _client.RegisterSiteAsync(partner, "Lung hospital gate");
            (string Path, object Body)[] steps =
            [
                .. Enumerable.Range(0, 4).Select(i => ($"/partners/{partner}/sites", (object)new { name = $"Ward building {i}", kind = "hospitalArea", latitude = 19.8, longitude = 105.77 })),
                .. Enumerable.Range(0, 2).Select(i => ($"/partners/{partner}/sites/{siteId}/cameras", (object)new { description = $"Lamp post {i}", at = "2019-06-01T08:00:00+07:00" })),
                ($"/partners/{partner}/outreach-sessions", new { topics = (string[])["drugs"], attendees = 40, at = "2019-06-01T08:00:00+07:00" }),
                ($"/partners/{partner}/id-card-drives", new { cardsIssued = 30, at = "2019-06-01T08:00:00+07:00" }),
                ($"/partners/{partner}/sites/{siteId}/warning-signs", new { count = 2, text = "Lock your bicycle.", at = "2019-06-01T08:00:00+07:00" }),
                ($"/partners/{partner}/webhooks", new { url = "https://desk.lung-hospital.example/wardlink", events = (string[])["incidentReported"] }),
            ];

            await AssertRecordedOnlyBeforeAsync(
                _client.PostAsJsonAsync($"/partners/{partner}/leave", new { reason = "Moved to the province." }, Ct), steps, partner, recorded => recorded is PartnerLeft, "after the partner left");
        }
    }

    /// <summary>
    /// A channel opened with the partner, the partner added to channels and made the owner of action items, all sent alongside
    /// its leave: each step reads the partner, then writes another record's stream (a channel's, a meeting's), so one that read
    /// it before the leave could be recorded after it. Each is recorded before the leave or refused (409). (A meeting is judged
    /// by the time it was held, which a client sends before the leave's own time is known: the refusal test covers it.)
    /// </summary>
    [Fact]
    public async Task A_partner_joins_channels_and_owns_action_items_sent_alongside_its_leave_only_before_it()
    {
        for (var round = 0; round < 3; round++)
        {
            var partner = await _client.RegisterPartnerAsync($"Thanh Hóa Maternity Hospital {round}");
            var police = await _client.RegisterPartnerAsync($"Ward police of round {round}", "police");
            var channels = new List<Guid>();
            for (var i = 0; i < 3; i++)
            {
                channels.Add((await CreatedAsync(await _client.PostAsJsonAsync("/partners/channels", new { kind = "chatGroup", name = $"Maternity group {round}.{i}", platform = "Zalo" }, Ct))).Id);
            }

            var (meeting, _, _) = await CreatedAsync(await _client.PostAsJsonAsync(
                "/partners/meetings", new { heldAt = "2024-05-06T08:00:00+07:00", attendingPartnerIds = new[] { police }, minutes = "Planned the maternity ward's gate." }, Ct));
            (string Path, object Body)[] steps =
            [
                .. channels.Select(channel => ($"/partners/channels/{channel}/members", (object)new { partnerId = partner })),
                .. Enumerable.Range(0, 2).Select(i => ($"/partners/meetings/{meeting}/action-items", (object)new { text = $"Survey gate {i}", ownerPartnerId = partner, dueAt = DateTimeOffset.UtcNow.AddDays(30) })),
                ("/partners/channels", new { kind = "hotline", name = $"Maternity hotline {round}", number = "0237 3852 115", memberPartnerIds = new[] { partner } }),
            ];

            var answers = await Task.WhenAll(steps.Select(async step =>
            {
                using var response = await _client.PostAsJsonAsync(step.Path, step.Body, Ct);
                return (step.Path, response.StatusCode, Body: await response.Content.ReadAsStringAsync(Ct));
            }).Append(LeaveAsync(partner)));

            Assert.All(answers, answer => Assert.True(answer.StatusCode is HttpStatusCode.OK or HttpStatusCode.Created or HttpStatusCode.Conflict, $"{answer.Path}: {answer.StatusCode} {answer.Body}"));
            Assert.Contains(answers, answer => answer.Path.EndsWith("/leave", StringComparison.Ordinal) && answer.StatusCode == HttpStatusCode.OK);
            var left = Assert.Single(await Store.EventsOfAsync(partner), recorded => recorded.Data is PartnerLeft).Sequence;
            var opened = answers.Where(answer => answer.StatusCode == HttpStatusCode.Created)
                .Select(answer => JsonDocument.Parse(answer.Body).RootElement.GetProperty("id").GetGuid());
            var engagements = new List<(long Sequence, object Data)>();
            foreach (var stream in channels.Append(meeting).Concat(opened))
            {
                engagements.AddRange((await Store.EventsOfAsync(stream)).Where(recorded => recorded.Data switch
                {
                    ChannelMemberAdded added => added.PartnerId == partner,
                    ChannelOpened open => open.MemberPartnerIds.Contains(partner),
                    ActionItemAssigned assigned => assigned.OwnerPartnerId == partner,
                    _ => false,
                }).Select(recorded => (recorded.Sequence, recorded.Data)));
            }

            Assert.Equal(answers.Count(answer => answer.StatusCode != HttpStatusCode.Conflict) - 1, engagements.Count);
            Assert.All(engagements, engagement => Assert.True(engagement.Sequence < left, $"{engagement.Data} recorded after the partner left"));
        }
    }

    private async Task<(string Path, HttpStatusCode StatusCode, string Body)> LeaveAsync(Guid partner)
    {
        var path = $"/partners/{partner}/leave";
        using var response = await _client.PostAsJsonAsync(path, new { reason = "Moved to the province." }, Ct);
        return (path, response.StatusCode, await response.Content.ReadAsStringAsync(Ct));
    }

    /// <summary>
    /// Every step recorded at a site (a camera's survey, a posting of warning signs) sent alongside the site's retirement is
    /// either recorded before it or refused (409): none is recorded at a site already retired.
    /// </summary>
    [Fact]
    public async Task Steps_at_a_site_sent_alongside_its_retirement_are_accepted_only_before_it_and_refused_after_it()
    {
        for (var round = 0; round < 5; round++)
        {
            var partner = await _client.RegisterPartnerAsync($"Thanh Hóa Eye Hospital {round}");
            var siteId = await _client.RegisterSiteAsync(partner, "Eye hospital gate");
            (string Path, object Body)[] steps =
            [
                .. Enumerable.Range(0, 4).Select(i => ($"/partners/{partner}/sites/{siteId}/cameras", (object)new { description = $"Lamp post {i}", at = "2019-06-01T08:00:00+07:00" })),
                .. Enumerable.Range(0, 2).Select(i => ($"/partners/{partner}/sites/{siteId}/warning-signs", (object)new { count = 2, text = $"Lock your bicycle {i}.", at = "2019-06-01T08:00:00+07:00" })),
            ];

            await AssertRecordedOnlyBeforeAsync(
                _client.StepAsync($"/partners/{partner}/sites/{siteId}/retire", "\"1\"", new { reason = "Gate moved." }), steps, siteId, recorded => recorded is SiteRetired, "at a retired site");
        }
    }

    /// <summary>
    /// Sends <paramref name="steps"/> while <paramref name="change"/> (answered 200) records its event (<paramref name="isChange"/>)
    /// on <paramref name="stream"/>: each step is a 201 whose record's first event came before that event, or a 409.
    /// </summary>
    private async Task AssertRecordedOnlyBeforeAsync(Task<HttpResponseMessage> change, (string Path, object Body)[] steps, Guid stream, Func<object, bool> isChange, string after)
    {
        var answers = await Task.WhenAll(steps.Select(async step =>
        {
            using var response = await _client.PostAsJsonAsync(step.Path, step.Body, Ct);
            return (step.Path, response.StatusCode, Body: await response.Content.ReadFromJsonAsync<JsonElement>(Ct));
        }));
        Assert.Equal(HttpStatusCode.OK, (await change).StatusCode);

        var changed = Assert.Single(await Store.EventsOfAsync(stream), recorded => isChange(recorded.Data));
        foreach (var (path, status, body) in answers)
        {
            Assert.True(status is HttpStatusCode.Created or HttpStatusCode.Conflict, $"{path}: {status} {body}");
            if (status == HttpStatusCode.Created)
            {
                var id = (body.TryGetProperty("webhook", out var webhook) ? webhook : body).GetProperty("id").GetGuid();
                Assert.True((await Store.EventsOfAsync(id))[0].Sequence < changed.Sequence, $"{path}: {id} recorded {after}");
            }
        }
    }

    [Fact]
    public async Task Bad_activities_are_400s_at_unknown_partners_or_sites_404s_and_none_appends()
    {
        var school = await _client.RegisterPartnerAsync("School for bad activities", "school");
        var before = await Store.CountEventsAsync();

        var badOutreach = await _client.PostAsJsonAsync($"/partners/{school}/outreach-sessions", new { topics = Array.Empty<string>(), attendees = 0 }, Ct);
        var unknownTopic = await _client.PostAsync($"/partners/{school}/outreach-sessions", IncidentRequests.Json("{ \"topics\": [\"astrology\"], \"attendees\": 3, \"at\": \"2024-01-01T00:00:00+07:00\" }"), Ct);
        var badDrive = await _client.PostAsJsonAsync($"/partners/{school}/id-card-drives", new { cardsIssued = -1, at = "2999-01-01T00:00:00+07:00" }, Ct);
        var unknownPartner = await _client.PostAsJsonAsync($"/partners/{Guid.CreateVersion7()}/id-card-drives", new { cardsIssued = 10, at = "2024-01-01T00:00:00+07:00" }, Ct);
        var unknownSite = await _client.PostAsJsonAsync($"/partners/{school}/sites/{Guid.CreateVersion7()}/warning-signs", new { count = 2, at = "2024-01-01T00:00:00+07:00" }, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, badOutreach.StatusCode);
        var errors = (await badOutreach.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors");
        Assert.Equal(["at", "attendees", "topics"], errors.EnumerateObject().Select(field => field.Name).Order());
        Assert.Equal(HttpStatusCode.BadRequest, unknownTopic.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badDrive.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknownPartner.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknownSite.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync($"/partners/outreach-sessions/{Guid.CreateVersion7()}", Ct)).StatusCode);
        Assert.Equal(before, await Store.CountEventsAsync());
    }

    [Fact]
    public async Task A_hotline_and_a_chat_group_with_its_members_partners_are_kept_under_If_Match()
    {
        var police = await _client.RegisterPartnerAsync("Ward police for channels", "police");
        var drivers = await _client.RegisterPartnerAsync("Motorbike-taxi drivers' group", "transportGroup");

        var (hotlineId, _, hotline) = await CreatedAsync(await _client.PostAsJsonAsync("/partners/channels", new { kind = "hotline", name = "Ward police hotline", number = "0237 3852 113" }, Ct));
        var (groupId, etag, _) = await CreatedAsync(await _client.PostAsJsonAsync(
            "/partners/channels", new { kind = "chatGroup", name = "Linkage security group", platform = "Zalo", memberPartnerIds = new[] { police } }, Ct));
        etag = await _client.StepOkAsync($"/partners/channels/{groupId}/members", etag, new { partnerId = drivers });
        var again = await _client.StepAsync($"/partners/channels/{groupId}/members", etag, new { partnerId = drivers });
        var stranger = await _client.StepAsync($"/partners/channels/{groupId}/members", etag, new { partnerId = Guid.CreateVersion7() });
        var stale = await _client.StepAsync($"/partners/channels/{groupId}/members/{police}", "\"1\"", method: HttpMethod.Delete);
        etag = await _client.StepOkAsync($"/partners/channels/{groupId}/members/{police}", etag, method: HttpMethod.Delete);
        var badChannel = await _client.PostAsJsonAsync("/partners/channels", new { kind = "hotline", name = "No number" }, Ct);

        Assert.Equal("0237 3852 113", hotline.GetProperty("number").GetString());
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        await stranger.AssertFieldErrorAsync("partnerId");
        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badChannel.StatusCode);
        Assert.Equal("\"3\"", etag);
        Assert.Equal([typeof(ChannelOpened), typeof(ChannelMemberAdded), typeof(ChannelMemberRemoved)], (await Store.EventsOfAsync(groupId)).Select(recorded => recorded.Data.GetType()));
        var group = await _client.GetFromJsonAsync<JsonElement>($"/partners/channels/{groupId}", Ct);
        Assert.Equal(drivers, Assert.Single(group.GetProperty("memberPartnerIds").EnumerateArray()).GetGuid());
        Assert.Single(await Store.EventsOfAsync(hotlineId));
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync($"/partners/channels/{Guid.CreateVersion7()}", Ct)).StatusCode);
    }
}
