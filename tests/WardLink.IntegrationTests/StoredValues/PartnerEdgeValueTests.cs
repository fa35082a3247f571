using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using WardLink.Domain;
using WardLink.IntegrationTests.Incidents;
using WardLink.IntegrationTests.Partners;
using WardLink.IntegrationTests.Pipeline;
using WardLink.Partners;
using WardLink.Testing;

namespace WardLink.IntegrationTests.StoredValues;

/// <summary>
/// The partners service at the edges (issue 16): due dates bounded, pages bounded, and the yearly
/// statistics over poison records written straight into the event store (an action item due at
/// 9999-12-31T23:59:59Z, ID-card drives whose cards overflow a 32-bit sum).
/// </summary>
public sealed class PartnerEdgeValueTests(PartnersWithoutOverdueRounds partners) : IClassFixture<PartnersWithoutOverdueRounds>
{
    private readonly HttpClient _client = partners.CreateClient();

    private Marten.IDocumentStore Store => partners.Host.Services.GetRequiredService<Marten.IDocumentStore>();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("/partners?page=2147483647", "page")]
    [InlineData("/partners/stats?year=9998", "year")]
    [InlineData("/partners/action-items/overdue?asOf=2024-05-19T00:00:00", "asOf")]
    [InlineData("/partners/action-items/overdue?asOf=9999-12-31T23:59:59Z", "asOf")]
    public async Task Edge_values_in_the_query_are_400_problems_naming_the_field(string path, string field) =>
        await (await _client.GetAsync(path, Ct)).AssertFieldErrorAsync(field);

    [Theory]
    [InlineData("9999-12-31T23:59:59Z")]
    [InlineData("2099-01-01T00:00:00+07:00")]
    [InlineData("2024-06-30T17:00:00")]
    public async Task An_action_item_due_beyond_the_window_is_a_400_naming_dueAt_and_stores_nothing(string dueAt)
    {
        var police = await _client.RegisterPartnerAsync("Ward police for due dates", "police");
        var meeting = await _client.PostAsJsonAsync(
            "/partners/meetings", new { heldAt = "2024-05-06T08:00:00+07:00", attendingPartnerIds = new[] { police }, minutes = "Due dates." }, Ct);
        var meetingId = (await meeting.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetGuid();
        var before = await Store.CountEventsAsync();

        var response = await _client.StepAsync($"/partners/meetings/{meetingId}/action-items", meeting.Headers.ETag!.Tag, new { text = "Survey the yard", ownerPartnerId = police, dueAt });

        await response.AssertFieldErrorAsync("dueAt");
        Assert.Equal(before, await Store.CountEventsAsync());
    }

    [Fact]
    public async Task Statistics_answer_for_every_year_over_poison_records_written_straight_into_the_event_store()
    {
        var partner = Guid.CreateVersion7();
        var meeting = Guid.CreateVersion7();
        var heldAt = new DateTimeOffset(2026, 1, 5, 8, 0, 0, WardTime.Offset);
        await Store.AppendRawAsync<MeetingState>(
            meeting,
            new MeetingHeld(meeting, heldAt, [partner], "poison", heldAt, "test"),
            new ActionItemAssigned(meeting, Guid.CreateVersion7(), "due at the end of time", partner, new DateTimeOffset(9999, 12, 31, 23, 59, 59, TimeSpan.Zero), heldAt, "test"),
            new ActionItemAssigned(meeting, Guid.CreateVersion7(), "due at the start of time", partner, DateTimeOffset.MinValue, heldAt, "test"));
        foreach (var _ in Enumerable.Range(0, 3))
        {
            var drive = Guid.CreateVersion7();
            await Store.AppendRawAsync<IdCardDriveState>(drive, new IdCardDriveHeld(drive, partner, int.MaxValue, heldAt, "test"));
        }

        for (var year = WardTime.FirstYear; year <= WardTime.LastYear; year++)
        {
            Assert.Equal(year, (await _client.OkJsonAsync($"/partners/stats?year={year}")).GetProperty("year").GetInt32());
        }

        var stats = await _client.OkJsonAsync("/partners/stats?year=2026");
        Assert.Equal(3L * int.MaxValue, stats.GetProperty("idCardsIssued").GetInt64());
        Assert.Equal(3, stats.GetProperty("idCardDrives").GetInt32());
        Assert.Equal(0, (await _client.OkJsonAsync($"/partners/stats?year={WardTime.LastYear}")).GetProperty("actionItemsOverdue").GetInt32());
        await (await _client.GetAsync($"/partners/meetings/{meeting}", Ct)).AssertOkAsync();
        await (await _client.GetAsync("/partners/action-items/overdue", Ct)).AssertOkAsync();
    }
}
