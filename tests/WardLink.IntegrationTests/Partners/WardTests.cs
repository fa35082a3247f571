using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using JasperFx.Events;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using WardLink.EventSourcing.Wards;
using WardLink.IntegrationTests.Incidents;
using WardLink.IntegrationTests.StoredValues;
using WardLink.Partners;
using WardLink.ServiceDefaults.Security;
using WardLink.Testing;
using WardLink.Tips;

namespace WardLink.IntegrationTests.Partners;

/// <summary>Requests to the wards API and what the partners store holds of a ward.</summary>
public static class WardRequests
{
    public const string Province = "thanh-hoa";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static Task<HttpResponseMessage> EstablishAsync(this HttpClient client, string wardId, string code, string name, string province = Province, string? on = "2025-07-01") =>
        client.PostAsJsonAsync("/partners/wards", new { wardId, code, name, province, establishedOn = on }, Ct);

    /// <summary>Establishes a ward that must be accepted; returns its view.</summary>
    public static async Task<JsonElement> EstablishedAsync(this HttpClient client, string wardId, string code, string name, string province = Province, string? on = "2025-07-01")
    {
        var response = await client.EstablishAsync(wardId, code, name, province, on);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{wardId}: {response.StatusCode} {body}");
        Assert.Equal($"/partners/wards/{wardId}", response.Headers.Location?.OriginalString);
        Assert.Equal("\"1\"", response.Headers.ETag?.Tag);
        return body;
    }

    /// <summary>A ward's events, read in its own tenant.</summary>
    public static async Task<IReadOnlyList<IEvent>> WardEventsAsync(this IDocumentStore store, string wardId)
    {
        var tenants = new WardTenants(Microsoft.Extensions.Options.Options.Create(new WardOptions()));
        await using var session = store.QuerySession(tenants.TenantOf(wardId));
        return await session.Events.FetchStreamAsync(Ward.StreamIdOf(wardId), token: Ct);
    }

    /// <summary>How many events each of <paramref name="wardIds"/> has (0: none, the ward was never established).</summary>
    public static async Task<IReadOnlyList<int>> WardEventCountsAsync(this IDocumentStore store, params string[] wardIds)
    {
        var counts = new List<int>();
        foreach (var wardId in wardIds)
        {
            counts.Add((await store.WardEventsAsync(wardId)).Count);
        }

        return counts;
    }

    /// <summary>Waits until the directory of <paramref name="store"/>'s service knows <paramref name="wardId"/>'s details at <paramref name="version"/> or later.</summary>
    public static Task<KnownWard> KnownAsync(this IDocumentStore store, string wardId, long version) =>
        store.KnownAsync(wardId, known => known.Version >= version, $"at version {version}");

    /// <summary>Waits until the directory of <paramref name="store"/>'s service knows <paramref name="wardId"/> ended (merged or dissolved: its last step, which leaves its details' version).</summary>
    public static Task<KnownWard> EndedAsync(this IDocumentStore store, string wardId) =>
        store.KnownAsync(wardId, known => known.EndedOn is not null, "ended");

    private static Task<KnownWard> KnownAsync(this IDocumentStore store, string wardId, Func<KnownWard, bool> holds, string what) =>
        Eventually.Get(
            async () =>
            {
                await using var session = store.QuerySession();
                return await session.WardAsync(wardId, Ct) is { } known && holds(known) ? known : null;
            },
            $"ward {wardId} {what} in the directory");

    public static async Task<JsonElement> BodyAsync(this HttpResponseMessage response) => await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
}

/// <summary>
/// The wards through the partners API: established, merged, renamed, dissolved, each an event with
/// its actor and time in the ward's own tenant and published to the jurisdiction directory (partners'
/// own, through the broker with partners' own permissions); every refusal a problem that appends nothing;
/// who sees and changes which ward.
/// </summary>
public sealed class WardTests(ServiceFixture<PartnersService> partners) : IClassFixture<ServiceFixture<PartnersService>>
{
    private static readonly string[] JointPatrols = ["jointPatrols"];
    private static readonly string[] Drugs = ["drugs"];

    /// <summary>Every kind of partner as a statistic names it: each counted, 0 where there is none.</summary>
    private static readonly IEnumerable<string> EveryPartnerKind = Enum.GetNames<WardLink.Contracts.Partners.PartnerKind>().Select(JsonNamingPolicy.CamelCase.ConvertName).Order(StringComparer.Ordinal).ToArray();

    private readonly HttpClient _police = partners.CreateClient();

    private IDocumentStore Store => partners.Host.Services.GetRequiredService<IDocumentStore>();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private HttpClient ClientAs(string role, IEnumerable<string>? wards = null, IEnumerable<string>? provinces = null) =>
        partners.CreateClient().As(TestAuth.Token(role, role == WardLinkRoles.Partner ? Guid.CreateVersion7() : null, wards: wards, provinces: provinces));

    [Fact]
    public async Task The_home_ward_is_established_on_start_by_the_system_and_its_own_directory_knows_it_at_version_1()
    {
        var read = await _police.GetAsync("/partners/wards/quang-thang", Ct);

        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal("\"1\"", read.Headers.ETag?.Tag);
        var body = await read.BodyAsync();
        Assert.Equal(
            ("quang-thang", "QT", "Quảng Thắng", "thanh-hoa", "open", JsonValueKind.Null),
            (body.GetProperty("id").GetString(), body.GetProperty("code").GetString(), body.GetProperty("name").GetString(),
                body.GetProperty("province").GetString(), body.GetProperty("status").GetString(), body.GetProperty("establishedOn").ValueKind));
        var established = Assert.IsType<WardEstablished>(Assert.Single(await Store.WardEventsAsync("quang-thang")).Data);
        Assert.Equal(("quang-thang", "QT", HomeWardEstablishment.Actor), (established.WardId, established.Code, established.By));
        var known = await Store.KnownAsync("quang-thang", 1);
        Assert.Equal(("QT", "thanh-hoa", 1L), (known.Code, known.Province, known.Version));
    }

    [Fact]
    public async Task Two_wards_established_one_merged_into_the_other_renamed_and_a_third_dissolved_each_an_event_with_actor_and_time_all_published()
    {
        var established = await _police.EstablishedAsync("dong-son", "DS", "Đông Sơn");
        await _police.EstablishedAsync("dong-tho", "DT", "Đông Thọ", on: null);
        await _police.EstablishedAsync("dong-ve", "DV", "Đông Vệ");

        var merged = await _police.StepAsync("/partners/wards/dong-tho/merge", "\"1\"", new { intoWardId = "dong-son", effectiveOn = "2025-07-01" });
        var renamed = await _police.StepAsync("/partners/wards/dong-son/rename", "\"1\"", new { name = "Phường Đông Sơn", effectiveOn = "2025-08-01" });
        var dissolved = await _police.StepAsync("/partners/wards/dong-ve/dissolve", "\"1\"", new { effectiveOn = "2026-01-01" });

        Assert.Equal("2025-07-01", established.GetProperty("establishedOn").GetString());
        Assert.Equal((HttpStatusCode.OK, "\"2\""), (merged.StatusCode, merged.Headers.ETag?.Tag));
        var mergedBody = await merged.BodyAsync();
        Assert.Equal(("merged", "dong-son", "2025-07-01"), (mergedBody.GetProperty("status").GetString(), mergedBody.GetProperty("mergedInto").GetString(), mergedBody.GetProperty("endedOn").GetString()));
        var renamedBody = await renamed.BodyAsync();
        Assert.Equal((HttpStatusCode.OK, "Phường Đông Sơn", "DS"), (renamed.StatusCode, renamedBody.GetProperty("name").GetString(), renamedBody.GetProperty("code").GetString()));
        Assert.Equal((HttpStatusCode.OK, "dissolved"), (dissolved.StatusCode, (await dissolved.BodyAsync()).GetProperty("status").GetString()));

        var events = await Store.WardEventsAsync("dong-tho");
        Assert.Equal([typeof(WardEstablished), typeof(WardMerged)], events.Select(recorded => recorded.Data.GetType()));
        Assert.Equal(new WardMerged("dong-tho", "dong-son", new DateOnly(2025, 7, 1), ((WardMerged)events[1].Data).At, "test-police"), events[1].Data);
        Assert.True(DateTimeOffset.UtcNow - ((WardMerged)events[1].Data).At < TimeSpan.FromMinutes(5));
        Assert.All(events, recorded => Assert.Equal("dong-tho", recorded.TenantId));
        var renaming = Assert.IsType<WardRenamed>((await Store.WardEventsAsync("dong-son"))[1].Data);
        Assert.Equal(new WardRenamed("dong-son", "Phường Đông Sơn", new DateOnly(2025, 8, 1), renaming.At, "test-police"), renaming);

        var thoKnown = await Store.EndedAsync("dong-tho");
        Assert.Equal(("dong-son", new DateOnly(2025, 7, 1), (DateOnly?)null), (thoKnown.MergedInto, thoKnown.EndedOn, thoKnown.EstablishedOn));
        var sonKnown = await Store.KnownAsync("dong-son", 2);
        Assert.Equal(("Phường Đông Sơn", "DS", new DateOnly(2025, 7, 1)), (sonKnown.Name, sonKnown.Code, sonKnown.EstablishedOn!.Value));
        Assert.Equal(new DateOnly(2026, 1, 1), (await Store.EndedAsync("dong-ve")).EndedOn);

        var list = await _police.GetFromJsonAsync<JsonElement>($"/partners/wards?province={WardRequests.Province}&limit=500", Ct);
        var listed = list.GetProperty("items").EnumerateArray().Select(ward => (ward.GetProperty("id").GetString(), ward.GetProperty("status").GetString())).ToList();
        Assert.Contains(("dong-son", "open"), listed);
        Assert.Contains(("dong-tho", "merged"), listed);
        Assert.Contains(("dong-ve", "dissolved"), listed);
        Assert.Contains(("quang-thang", "open"), listed);
        Assert.Empty((await _police.GetFromJsonAsync<JsonElement>("/partners/wards?province=nghe-an", Ct)).GetProperty("items").EnumerateArray());
    }

    /// <summary>
    /// A body's form is judged first: a malformed code was a 404 where the province was not the caller's, and a 409 where the id
    /// was taken (the home ward's too), which told a client nothing of the code.
    /// </summary>
    [Fact]
    public async Task Malformed_ids_codes_names_and_dates_are_400s_naming_the_field_before_any_lookup_and_a_taken_id_or_code_a_409_none_appends()
    {
        var answers = new (HttpResponseMessage Response, string? Field)[]
        {
            (await _police.EstablishAsync("hoang-quang", "hq", "Hoằng Quang", "nghe-an"), "code"),
            (await _police.EstablishAsync("quang-thang", "qt", "Quảng Thắng"), "code"),
            (await _police.EstablishAsync("Hoang Quang", "HQ", "Hoằng Quang"), "wardId"),
            (await _police.EstablishAsync("hoang-quang", "hq", "Hoằng Quang"), "code"),
            (await _police.EstablishAsync("hoang-quang", "HQ", " "), "name"),
            (await _police.EstablishAsync("hoang-quang", "HQ", "Hoằng Quang", "Thanh Hoa"), "province"),
            (await _police.EstablishAsync("hoang-quang", "HQ", "Hoằng Quang", on: "1969-12-31"), "establishedOn"),
            (await _police.PostAsync("/partners/wards", IncidentRequests.Json("{ \"wardId\": \"hoang-quang\", \"code\": \"HQ\", \"name\": \"x\", \"province\": \"thanh-hoa\", \"establishedOn\": \"1 July\" }"), Ct), "establishedOn"),
            (await _police.EstablishAsync("hoang-quang", "QT", "Hoằng Quang"), null),
            (await _police.EstablishAsync("quang-thang", "HQ", "Quảng Thắng"), null),
        };

        foreach (var (response, field) in answers)
        {
            var body = await response.BodyAsync();
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            if (field is null)
            {
                Assert.True(response.StatusCode == HttpStatusCode.Conflict, $"{response.StatusCode} {body}");
            }
            else
            {
                Assert.True(response.StatusCode == HttpStatusCode.BadRequest && body.GetProperty("errors").TryGetProperty(field, out _), $"{field}: {response.StatusCode} {body}");
            }
        }

        Assert.Equal([0, 1], await Store.WardEventCountsAsync("hoang-quang", "quang-thang"));
    }

    [Fact]
    public async Task A_merger_into_itself_an_unknown_ward_a_predecessor_another_province_or_after_a_merger_is_refused_and_appends_nothing()
    {
        var province = ClientAs(WardLinkRoles.Police, provinces: [WardRequests.Province, "nghe-an"]);
        await _police.EstablishedAsync("hoang-dai", "HD", "Hoằng Đại");
        await _police.EstablishedAsync("hoang-quy", "HY", "Hoằng Quý");
        await _police.EstablishedAsync("hoang-hop", "HH", "Hoằng Hợp");
        await province.EstablishedAsync("hung-dung", "HU", "Hưng Dũng", province: "nghe-an");
        await _police.StepOkAsync("/partners/wards/hoang-dai/merge", "\"1\"", new { intoWardId = "hoang-quy", effectiveOn = "2025-07-01" });
        await _police.EstablishedAsync("hoang-phu", "HP", "Hoằng Phú");
        await _police.EstablishedAsync("hoang-loc", "HL", "Hoằng Lộc");
        await _police.StepOkAsync("/partners/wards/hoang-phu/merge", "\"1\"", new { intoWardId = "hoang-loc", effectiveOn = "2025-09-01" });

        var itself = await _police.StepAsync("/partners/wards/hoang-quy/merge", "\"1\"", new { intoWardId = "hoang-quy", effectiveOn = "2025-07-01" });
        var unknown = await _police.StepAsync("/partners/wards/hoang-quy/merge", "\"1\"", new { intoWardId = "hoang-xuan", effectiveOn = "2025-07-01" });
        var cycle = await _police.StepAsync("/partners/wards/hoang-quy/merge", "\"1\"", new { intoWardId = "hoang-dai", effectiveOn = "2025-08-01" });
        var again = await _police.StepAsync("/partners/wards/hoang-dai/merge", "\"2\"", new { intoWardId = "hoang-hop", effectiveOn = "2025-08-01" });
        var otherProvince = await province.StepAsync("/partners/wards/hoang-hop/merge", "\"1\"", new { intoWardId = "hung-dung", effectiveOn = "2025-08-01" });
        var beforeEstablished = await _police.StepAsync("/partners/wards/hoang-hop/merge", "\"1\"", new { intoWardId = "hoang-quy", effectiveOn = "2025-06-30" });
        var renameMerged = await _police.StepAsync("/partners/wards/hoang-dai/rename", "\"2\"", new { name = "Hoằng Đại mới", effectiveOn = "2025-08-01" });
        var stale = await _police.StepAsync("/partners/wards/hoang-hop/dissolve", "\"7\"", new { effectiveOn = "2025-08-01" });
        var unknownWard = await _police.StepAsync("/partners/wards/hoang-xuan/dissolve", null, new { effectiveOn = "2025-08-01" });

        // hoang-phu was merged into hoang-loc from 1 September: hoang-loc ends no earlier (what hoang-phu recorded in August would be nobody's).
        var mergedBeforeItsPredecessor = await _police.StepAsync("/partners/wards/hoang-loc/merge", "\"1\"", new { intoWardId = "hoang-quy", effectiveOn = "2025-08-31" });
        var dissolvedBeforeItsPredecessor = await _police.StepAsync("/partners/wards/hoang-loc/dissolve", "\"1\"", new { effectiveOn = "2025-08-31" });

        Assert.True(itself.StatusCode == HttpStatusCode.BadRequest && (await itself.BodyAsync()).GetProperty("errors").TryGetProperty("intoWardId", out _));
        Assert.True(unknown.StatusCode == HttpStatusCode.BadRequest && (await unknown.BodyAsync()).GetProperty("errors").TryGetProperty("intoWardId", out _));
        Assert.Equal(HttpStatusCode.Conflict, cycle.StatusCode);
        Assert.Contains("was merged into hoang-quy", (await cycle.BodyAsync()).GetProperty("title").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, otherProvince.StatusCode);
        Assert.Contains("province", (await otherProvince.BodyAsync()).GetProperty("title").GetString(), StringComparison.Ordinal);
        Assert.True(beforeEstablished.StatusCode == HttpStatusCode.BadRequest && (await beforeEstablished.BodyAsync()).GetProperty("errors").TryGetProperty("effectiveOn", out _));
        Assert.Equal(HttpStatusCode.Conflict, renameMerged.StatusCode);
        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);
        Assert.Equal("Ward hoang-hop is not at a version If-Match names.", (await stale.BodyAsync()).GetProperty("title").GetString());
        Assert.Equal(HttpStatusCode.NotFound, unknownWard.StatusCode);
        foreach (var refused in new[] { mergedBeforeItsPredecessor, dissolvedBeforeItsPredecessor })
        {
            var body = await refused.BodyAsync();
            Assert.True(refused.StatusCode == HttpStatusCode.BadRequest && body.GetProperty("errors").TryGetProperty("effectiveOn", out _), $"{refused.StatusCode} {body}");
        }

        Assert.Equal([2, 1, 1, 1, 1], await Store.WardEventCountsAsync("hoang-dai", "hoang-quy", "hoang-hop", "hung-dung", "hoang-loc"));
    }

    /// <summary>
    /// Ward changes check other wards before they write (mergers stay a forest): opposite mergers of two wards sent at
    /// the same moment are never both accepted, so no two wards end merged into each other.
    /// </summary>
    [Fact]
    public async Task Opposite_mergers_sent_at_once_are_never_both_accepted()
    {
        var pairs = "bcdfgh".Select(letter => ($"lang-{letter}-dong", $"lang-{letter}-tay", char.ToUpperInvariant(letter))).ToList();
        foreach (var (east, west, letter) in pairs)
        {
            await _police.EstablishedAsync(east, $"L{letter}D", $"Làng {letter} Đông");
            await _police.EstablishedAsync(west, $"L{letter}T", $"Làng {letter} Tây");
        }

        var answers = await Task.WhenAll(pairs.SelectMany(pair => new[]
        {
            _police.StepAsync($"/partners/wards/{pair.Item1}/merge", "\"1\"", new { intoWardId = pair.Item2, effectiveOn = "2025-08-01" }),
            _police.StepAsync($"/partners/wards/{pair.Item2}/merge", "\"1\"", new { intoWardId = pair.Item1, effectiveOn = "2025-08-01" }),
        }));

        for (var i = 0; i < pairs.Count; i++)
        {
            var statuses = new[] { answers[2 * i].StatusCode, answers[(2 * i) + 1].StatusCode };
            Assert.True(statuses.Count(status => status == HttpStatusCode.OK) == 1 && statuses.Contains(HttpStatusCode.Conflict), $"{pairs[i].Item1} and {pairs[i].Item2}: {string.Join(", ", statuses)}");
        }
    }

    /// <summary>Wards <paramref name="merged"/> and <paramref name="into"/> established from 2020, and a partner of the first registered by <paramref name="province"/>'s police: its id.</summary>
    private async Task<Guid> PartnerOfTwoWardsAsync(HttpClient province, (string Id, string Code, string Name) merged, (string Id, string Code, string Name) into, string name, string kind)
    {
        await _police.EstablishedAsync(merged.Id, merged.Code, merged.Name, on: "2020-01-01");
        await _police.EstablishedAsync(into.Id, into.Code, into.Name, on: "2020-01-01");
        await Store.KnownAsync(merged.Id, 1);
        using var registered = await province.PostAsJsonAsync($"/partners?ward={merged.Id}", new { name, kind }, Ct);
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        return (await registered.BodyAsync()).GetProperty("id").GetGuid();
    }

    /// <summary>Ward <paramref name="merged"/> merged into <paramref name="into"/> from 2025-07-01, as the service's directory knows.</summary>
    private async Task MergedAsync(string merged, string into)
    {
        await _police.StepOkAsync($"/partners/wards/{merged}/merge", "\"1\"", new { intoWardId = into, effectiveOn = "2025-07-01" });
        await Store.EndedAsync(merged);
    }

    /// <summary>
    /// docs/wards.md: an ended ward takes no new meeting nor channel (a 400 on <c>ward</c>), and its end is judged as the
    /// request's values are, before the record's parties: naming a partner that has left is that 400 too, not the 409 a
    /// client would drop the partner for only to be refused again. A meeting held before the end, naming the partner while it
    /// was in, is taken.
    /// </summary>
    [Fact]
    public async Task An_ended_ward_s_400_comes_before_a_departed_partner_s_409_on_a_new_meeting_or_channel()
    {
        var province = ClientAs(WardLinkRoles.Police, provinces: [WardRequests.Province]);
        var partner = await PartnerOfTwoWardsAsync(province, ("ngoc-son", "NSN", "Ngọc Sơn"), ("ngoc-lam", "NLM", "Ngọc Lâm"), "Ngọc Sơn clinic", "hospital");
        await province.StepOkAsync($"/partners/{partner}/leave", "\"1\"", new { reason = "Closed." });
        await MergedAsync("ngoc-son", "ngoc-lam");

        using var meeting = await province.PostAsJsonAsync("/partners/meetings?ward=ngoc-son", new { heldAt = DateTimeOffset.UtcNow.AddMinutes(-5), attendingPartnerIds = new[] { partner }, minutes = "After the end." }, Ct);
        using var channel = await province.PostAsJsonAsync("/partners/channels?ward=ngoc-son", new { kind = "chatGroup", name = "Ngọc Sơn group", platform = "Zalo", memberPartnerIds = new[] { partner } }, Ct);
        using var before = await province.PostAsJsonAsync("/partners/meetings?ward=ngoc-son", new { heldAt = "2024-05-06T08:00:00+07:00", attendingPartnerIds = new[] { partner }, minutes = "Before the end and the leave." }, Ct);

        await meeting.AssertFieldErrorAsync("ward");
        await channel.AssertFieldErrorAsync("ward");
        Assert.Equal(HttpStatusCode.Created, before.StatusCode);
    }

    /// <summary>
    /// The partners service's creations, each refused for a blank text in a merged ward: the 400 names the ward too
    /// (<see cref="Wards.EndedWardCreations"/>).
    /// </summary>
    [Fact]
    public async Task A_new_record_of_an_ended_ward_refused_for_another_value_too_is_one_400_naming_both()
    {
        var province = ClientAs(WardLinkRoles.Police, provinces: [WardRequests.Province]);
        await PartnerOfTwoWardsAsync(province, ("ngoc-hoa", "NGH", "Ngọc Hòa"), ("ngoc-tan", "NGT", "Ngọc Tân"), "Ngọc Hòa market", "other");
        await MergedAsync("ngoc-hoa", "ngoc-tan");

        await Wards.EndedWardCreations.AssertEachNamesTheWardAsync(province, "ngoc-hoa", "ngoc-tan", DateTimeOffset.UtcNow, minimum: 3, Ct);
    }

    /// <summary>
    /// docs/wards.md: a ward's figures of a year after it ended are empty, with a note. What goes on being counted
    /// (its partners' membership) and what may still be added under its records (an outreach session of one of its
    /// partners, dated after the merger) count for the year before, not for the year after.
    /// </summary>
    [Fact]
    public async Task A_merged_ward_s_partner_figures_of_a_year_after_the_merger_are_empty_with_a_note()
    {
        var province = ClientAs(WardLinkRoles.Police, provinces: [WardRequests.Province]);
        var partner = await PartnerOfTwoWardsAsync(province, ("ngoc-trao", "NTR", "Ngọc Trạo"), ("ngoc-dong", "NGD", "Ngọc Đông"), "Ngọc Trạo school", "school");
        await province.StepOkAsync($"/partners/{partner}/agreement", "\"1\"", new { joinedOn = "2024-03-01T08:00:00+07:00", duties = JointPatrols });
        await MergedAsync("ngoc-trao", "ngoc-dong");
        using var outreach = await province.PostAsJsonAsync($"/partners/{partner}/outreach-sessions", new { topics = Drugs, attendees = 40, at = "2026-03-02T09:00:00+07:00" }, Ct);
        Assert.Equal(HttpStatusCode.Created, outreach.StatusCode);

        var before = await province.GetFromJsonAsync<JsonElement>("/partners/stats?year=2024&ward=ngoc-trao", Ct);
        var after = await province.GetFromJsonAsync<JsonElement>("/partners/stats?year=2026&ward=ngoc-trao", Ct);

        Assert.Equal(1, before.GetProperty("partnersByKind").GetProperty("school").GetInt32());
        Assert.Equal(JsonValueKind.Null, before.GetProperty("note").ValueKind);
        Assert.Contains("ngoc-dong", after.GetProperty("note").GetString(), StringComparison.Ordinal);
        Assert.Equal(EveryPartnerKind, after.GetProperty("partnersByKind").EnumerateObject().Select(kind => kind.Name).Order(StringComparer.Ordinal));
        Assert.All(after.GetProperty("partnersByKind").EnumerateObject(), kind => Assert.Equal(0, kind.Value.GetInt32()));
        Assert.Equal((0, 0), (after.GetProperty("outreachSessions").GetInt32(), after.GetProperty("outreachAttendees").GetInt32()));

        // Counted among the wards its caller sees, without naming it, it ends where it ended all the same.
        var itsOwn = ClientAs(WardLinkRoles.Police, wards: ["ngoc-trao"]);
        var unnamedBefore = await itsOwn.GetFromJsonAsync<JsonElement>("/partners/stats?year=2024", Ct);
        var unnamedAfter = await itsOwn.GetFromJsonAsync<JsonElement>("/partners/stats?year=2026", Ct);
        Assert.Equal(1, unnamedBefore.GetProperty("partnersByKind").GetProperty("school").GetInt32());
        Assert.Equal(EveryPartnerKind, unnamedAfter.GetProperty("partnersByKind").EnumerateObject().Select(kind => kind.Name).Order(StringComparer.Ordinal));
        Assert.All(unnamedAfter.GetProperty("partnersByKind").EnumerateObject(), kind => Assert.Equal(0, kind.Value.GetInt32()));
        Assert.Equal((0, 0), (unnamedAfter.GetProperty("outreachSessions").GetInt32(), unnamedAfter.GetProperty("outreachAttendees").GetInt32()));
        var counted = Assert.Single(unnamedAfter.GetProperty("wards").EnumerateArray());
        Assert.Equal(("ngoc-trao", DateTimeOffset.Parse("2025-07-01T00:00:00+07:00", CultureInfo.InvariantCulture)), (counted.GetProperty("ward").GetString(), counted.GetProperty("until").GetDateTimeOffset()));
    }

    [Fact]
    public async Task A_province_client_establishes_its_province_s_first_ward_and_then_acts_in_it()
    {
        using var province = ClientAs(WardLinkRoles.Police, provinces: ["quang-binh"]);
        Assert.Empty((await province.GetFromJsonAsync<JsonElement>("/partners/wards", Ct)).GetProperty("items").EnumerateArray());
        Assert.Equal(HttpStatusCode.NotFound, (await province.GetAsync("/partners", Ct)).StatusCode);

        await province.EstablishedAsync("dong-hoi", "DHO", "Đồng Hới", province: "quang-binh");

        Assert.Equal("dong-hoi", Assert.Single((await province.GetFromJsonAsync<JsonElement>("/partners/wards", Ct)).GetProperty("items").EnumerateArray()).GetProperty("id").GetString());
        await Eventually.Get(async () => (await province.GetAsync("/partners", Ct)).StatusCode == HttpStatusCode.OK ? "acting" : null, "the province's client to act in its first ward once the directory knows it");
    }

    [Fact]
    public async Task A_caller_sees_and_changes_only_the_wards_it_covers_others_are_404s_and_a_partner_or_auditor_only_reads()
    {
        var province = ClientAs(WardLinkRoles.Police, provinces: [WardRequests.Province, "ha-tinh"]);
        await _police.EstablishedAsync("tan-son", "TS", "Tân Sơn");
        await province.EstablishedAsync("thach-ha", "TH", "Thạch Hà", province: "ha-tinh");
        await Store.KnownAsync("tan-son", 1);
        var tanSon = ClientAs(WardLinkRoles.Police, wards: ["tan-son"]);

        Assert.Equal(HttpStatusCode.OK, (await tanSon.GetAsync("/partners/wards/tan-son", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await tanSon.GetAsync("/partners/wards/quang-thang", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await tanSon.StepAsync("/partners/wards/quang-thang/rename", null, new { name = "Elsewhere", effectiveOn = "2025-08-01" })).StatusCode);
        await (await tanSon.StepAsync("/partners/wards/tan-son/merge", null, new { intoWardId = "quang-thang", effectiveOn = "2025-08-01" })).AssertFieldErrorAsync("intoWardId");
        Assert.Equal(HttpStatusCode.NotFound, (await tanSon.EstablishAsync("tan-phong", "TP", "Tân Phong")).StatusCode);
        Assert.Equal(["tan-son"], (await tanSon.GetFromJsonAsync<JsonElement>("/partners/wards", Ct)).GetProperty("items").EnumerateArray().Select(ward => ward.GetProperty("id").GetString()));

        Assert.Equal(HttpStatusCode.NotFound, (await _police.GetAsync("/partners/wards/thach-ha", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _police.StepAsync("/partners/wards/thach-ha/dissolve", null, new { effectiveOn = "2025-08-01" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _police.EstablishAsync("ky-anh", "KA", "Kỳ Anh", province: "ha-tinh")).StatusCode);
        Assert.DoesNotContain("thach-ha", (await _police.GetFromJsonAsync<JsonElement>("/partners/wards?limit=500", Ct)).GetProperty("items").EnumerateArray().Select(ward => ward.GetProperty("id").GetString()));
        Assert.Equal(HttpStatusCode.OK, (await province.GetAsync("/partners/wards/thach-ha", Ct)).StatusCode);

        foreach (var reader in new[] { WardLinkRoles.Partner, WardLinkRoles.Auditor })
        {
            var client = ClientAs(reader);
            var read = await client.GetAsync("/partners/wards/tan-son", Ct);
            Assert.True(read.StatusCode == HttpStatusCode.OK, $"{reader}: {read.StatusCode}");
            var body = await read.BodyAsync();
            Assert.Equal(("Tân Sơn", "TS", "open"), (body.GetProperty("name").GetString(), body.GetProperty("code").GetString(), body.GetProperty("status").GetString()));
            Assert.Contains("tan-son", (await client.GetFromJsonAsync<JsonElement>("/partners/wards?limit=500", Ct)).GetProperty("items").EnumerateArray().Select(ward => ward.GetProperty("id").GetString()));
            Assert.Equal(HttpStatusCode.Forbidden, (await client.EstablishAsync("tan-phong", "TP", "Tân Phong")).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await client.StepAsync("/partners/wards/tan-son/rename", null, new { name = "Elsewhere", effectiveOn = "2025-08-01" })).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await client.StepAsync("/partners/wards/tan-son/merge", null, new { intoWardId = "quang-thang", effectiveOn = "2025-08-01" })).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await client.StepAsync("/partners/wards/tan-son/dissolve", null, new { effectiveOn = "2025-08-01" })).StatusCode);
        }

        Assert.Equal(HttpStatusCode.Forbidden, (await ClientAs(WardLinkRoles.Ops).GetAsync("/partners/wards/tan-son", Ct)).StatusCode);
        Assert.Equal([1, 1, 1, 0, 0], await Store.WardEventCountsAsync("tan-son", "quang-thang", "thach-ha", "tan-phong", "ky-anh"));
    }
}

/// <summary>Partners twice on one database (a restart, a second replica) and tips, on one virtual host.</summary>
public sealed class PartnersReplicasAndTips : ServiceGroup
{
    public HttpClient Partners { get; private set; } = null!;

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        await StartAsync<PartnersService>(PartnersService.Name);
        Partners = (await StartAsync<PartnersService>(PartnersService.Name)).CreateClient();
        await StartAsync<TipsService>(TipsService.Name);
    }
}

/// <summary>The jurisdiction directory of another service follows the wards partners keeps, and reads mergers under current boundaries.</summary>
public sealed class WardDirectoryTests(PartnersReplicasAndTips services) : IClassFixture<PartnersReplicasAndTips>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Two_partners_replicas_establish_the_home_ward_once()
    {
        var events = await services.StoreOf(PartnersService.Name).WardEventsAsync("quang-thang");

        Assert.Equal(HomeWardEstablishment.Actor, Assert.IsType<WardEstablished>(Assert.Single(events, recorded => recorded.Data is WardEstablished).Data).By);
        Assert.Equal(1, events[0].Version);
    }

    [Fact]
    public async Task The_tips_directory_follows_an_establishment_and_a_merger_and_counts_the_predecessor_up_to_its_merger_under_current_boundaries()
    {
        await services.Partners.EstablishedAsync("dong-quang", "DQ", "Đông Quang");
        await services.Partners.StepOkAsync("/partners/wards/quang-thang/merge", "\"1\"", new { intoWardId = "dong-quang", effectiveOn = "2025-07-01" });

        var tips = services.StoreOf(TipsService.Name);
        var dongQuang = await tips.KnownAsync("dong-quang", 1);
        var quangThang = await tips.EndedAsync("quang-thang");
        Assert.Equal(("DQ", "Đông Quang", "thanh-hoa", new DateOnly(2025, 7, 1), (string?)null), (dongQuang.Code, dongQuang.Name, dongQuang.Province, dongQuang.EstablishedOn!.Value, dongQuang.MergedInto));
        Assert.Equal(("dong-quang", new DateOnly(2025, 7, 1)), (quangThang.MergedInto, quangThang.EndedOn!.Value));

        await using var session = tips.QuerySession();
        var merger = new DateTimeOffset(2025, 7, 1, 0, 0, 0, TimeSpan.FromHours(7));
        Assert.Equal([new WardShare("dong-quang", null), new WardShare("quang-thang", merger)], await session.SharesOfAsync("dong-quang", null, currentBoundaries: true, Ct));
        Assert.Equal([new WardShare("dong-quang", null)], await session.SharesOfAsync("dong-quang", null, currentBoundaries: false, Ct));
        Assert.Equal([new WardShare("quang-thang", merger)], await session.SharesOfAsync("quang-thang", quangThang.EndsAt, currentBoundaries: true, Ct));
        Assert.Equal([new WardShare("quang-thang", null)], await session.SharesOfAsync("quang-thang", quangThang.EndsAt, currentBoundaries: false, Ct));

        // The home ward's establishment arriving late (parked, then moved back): known from configuration at version 0,
        // the home ward is newer by it, and still ended.
        await using var bus = await TestBus.StartAsync(services.VirtualHost);
        var late = MassTransit.NewId.NextGuid();
        await bus.PublishAsync(new Contracts.Wards.WardEstablished("quang-thang", "QT", "Quảng Thắng", "thanh-hoa", null, DateTimeOffset.UtcNow, 1), late, "quang-thang");
        await Eventually.Get(
            async () => (await services.ProcessedByAsync(TipsService.Name)).FirstOrDefault(processed => processed.MessageId == late),
            "the late establishment consumed by tips");
        var still = await tips.EndedAsync("quang-thang");
        Assert.Equal(("dong-quang", new DateOnly(2025, 7, 1)), (still.MergedInto, still.EndedOn!.Value));
    }
}

/// <summary>Partners on a fresh database whose home ward it has not recorded yet: its <see cref="HomeWardEstablishment"/> does not run on start.</summary>
public sealed class PartnersBeforeTheirHome : ServiceGroup
{
    public ServiceHost<PartnersService> Partners { get; private set; } = null!;

    protected override bool HomeWardRecordedOnStart => false;

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        Partners = await StartAsync<PartnersService>(
            PartnersService.Name,
            services: services => services.Remove(services.Single(service => service.ImplementationType == typeof(HomeWardEstablishment))));
    }
}

/// <summary>The home ward is a ward from the deployment's start, before partners records it (its broker connection may come later).</summary>
public sealed class HomeWardTests(PartnersBeforeTheirHome partners) : IClassFixture<PartnersBeforeTheirHome>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>
    /// Until partners records the home ward, an establishment of its id or of another ward with its code is a 409 that stores
    /// nothing, as once it is recorded: no ward takes its code (two wards would number records alike), nor its id with a caller's
    /// code and name; then the home ward is recorded as configured.
    /// </summary>
    [Fact]
    public async Task The_home_ward_s_id_and_code_are_its_own_before_partners_records_it()
    {
        var police = partners.Partners.CreateClient();
        var store = partners.Partners.Services.GetRequiredService<IDocumentStore>();
        using (var ownId = await police.EstablishAsync("quang-thang", "QX", "Phường Quảng Thắng"))
        {
            Assert.Equal(HttpStatusCode.Conflict, ownId.StatusCode);
        }

        using (var ownCode = await police.EstablishAsync("dong-quang", "QT", "Đông Quang"))
        {
            Assert.Equal(HttpStatusCode.Conflict, ownCode.StatusCode);
        }

        Assert.Equal([0, 0], await store.WardEventCountsAsync("quang-thang", "dong-quang"));

        using var establishment = ActivatorUtilities.CreateInstance<HomeWardEstablishment>(partners.Partners.Services);
        await establishment.StartAsync(Ct);
        var established = await Eventually.Get(
            async () => (await store.WardEventsAsync("quang-thang")).Select(recorded => recorded.Data).OfType<WardEstablished>().SingleOrDefault(),
            "the home ward recorded");
        await establishment.StopAsync(Ct);
        Assert.Equal(("quang-thang", "QT", "Quảng Thắng", HomeWardEstablishment.Actor), (established.WardId, established.Code, established.Name, established.By));
        Assert.Equal([1, 0], await store.WardEventCountsAsync("quang-thang", "dong-quang"));
    }
}
