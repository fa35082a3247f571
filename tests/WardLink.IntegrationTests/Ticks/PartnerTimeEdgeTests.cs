using System.Net.Http.Json;
using System.Text.Json;
using CsCheck;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using WardLink.Domain;
using WardLink.IntegrationTests.Incidents;
using WardLink.IntegrationTests.Partners;
using WardLink.IntegrationTests.Pipeline;
using WardLink.IntegrationTests.StoredValues;
using WardLink.Partners;
using PartnerKind = WardLink.Contracts.Partners.PartnerKind;

namespace WardLink.IntegrationTests.Ticks;

/// <summary>
/// Partners to the tick (<see cref="TickEdges"/>): a year's figures count a partner from the tick it joined until the tick it left,
/// a meeting, an action item closed or due in the local year of that time, and the overdue list as of a time reads the meetings
/// held before it, to the tick; times written in any offset, and stored ones as they were stored.
/// </summary>
public sealed class PartnerTimeEdgeTests(PartnersWithoutOverdueRounds partners) : IClassFixture<PartnersWithoutOverdueRounds>
{
    private static readonly string[] SchoolDuties = ["schoolGateGuard"];

    private readonly HttpClient _client = partners.CreateClient();

    private IDocumentStore Store => partners.Host.Services.GetRequiredService<IDocumentStore>();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_partner_that_joined_at_either_side_of_a_local_year_s_end_is_counted_in_that_year_only_when_it_joined_before_the_end()
    {
        await Gen.Select(TickEdges.EndedYear(), TickEdges.Near, TickEdges.Offset).SampleAsync(
            async (year, ticks, offset) =>
            {
                var at = TickEdges.YearStart(year + 1).AddTicks(ticks);
                await TickEdges.AssertCountedWhereItFallsAsync(
                    at,
                    [year, year + 1],
                    inYear => SchoolsAsync(inYear),
                    inYear => at < TickEdges.YearStart(inYear + 1),
                    async () =>
                    {
                        var id = await _client.RegisterPartnerAsync($"School joined {TickEdges.Text(at, offset)} {Guid.NewGuid():N}", "school");
                        await _client.StepOkAsync($"/partners/{id}/agreement", "\"1\"", new { joinedOn = TickEdges.Text(at, offset), duties = SchoolDuties });
                    });
            },
            iter: 40,
            threads: 1);
    }

    [Fact]
    public async Task A_partner_stored_as_gone_at_either_side_of_a_local_year_s_start_is_counted_in_that_year_only_when_it_left_after_the_start()
    {
        await Gen.Select(TickEdges.EndedYear().Where(year => year > WardTime.FirstYear), TickEdges.Near, TickEdges.Offset).SampleAsync(
            async (year, ticks, offset) =>
            {
                var left = TickEdges.YearStart(year).AddTicks(ticks);
                var joined = TickEdges.YearStart(year - 1).ToOffset(offset);
                var id = Guid.CreateVersion7();
                await TickEdges.AssertCountedWhereItFallsAsync(
                    left,
                    [year - 1, year],
                    inYear => SchoolsAsync(inYear),
                    inYear => left >= TickEdges.YearStart(inYear),
                    () => Store.AppendRawAsync<PartnerState>(
                        id,
                        new PartnerRegistered(id, $"School gone {TickEdges.Text(left, offset)}", PartnerKind.School, joined, "test"),
                        new AgreementSigned(id, joined, [LinkageDuty.SchoolGateGuard], joined, "test"),
                        new PartnerLeft(id, "Closed.", left.ToOffset(offset), "test")));
            },
            iter: 40,
            threads: 1);
    }

    /// <summary>
    /// A meeting held near the end of a year, with an item due and closed near the end of the next: the meeting counts in the local
    /// year it was held, the item as overdue in the year it was due (open past its due date, then closed late), and closed in the year it was.
    /// </summary>
    [Fact]
    public async Task A_meeting_and_its_action_item_at_either_side_of_a_local_year_s_end_count_in_their_own_years()
    {
        var police = await _client.RegisterPartnerAsync("Ward police at the year's end", "police");

        await Gen.Select(TickEdges.EndedYear(2), Gen.Select(TickEdges.Near, TickEdges.Near, TickEdges.Near), TickEdges.Offset).SampleAsync(
            async (year, ticks, offset) =>
            {
                var (heldTicks, dueTicks, closedTicks) = ticks;
                var held = TickEdges.YearStart(year + 1).AddTicks(heldTicks);
                var due = TickEdges.YearStart(year + 2).AddTicks(dueTicks);
                var closed = TickEdges.YearStart(year + 2).AddTicks(closedTicks);
                int[] years = [year + 1, year + 2];
                var meeting = Guid.Empty;
                var etag = string.Empty;
                await TickEdges.AssertCountedWhereItFallsAsync(
                    held,
                    [year, year + 1],
                    inYear => FigureAsync(inYear, "meetingsHeld"),
                    inYear => WardTime.LocalYear(held) == inYear,
                    async () => (meeting, etag, _) = await CreatedAsync(await _client.PostAsJsonAsync(
                        "/partners/meetings", new { heldAt = TickEdges.Text(held, offset), attendingPartnerIds = new[] { police }, minutes = "The year's end." }, Ct)));

                var item = Guid.Empty;
                await TickEdges.AssertCountedWhereItFallsAsync(
                    due,
                    years,
                    inYear => FigureAsync(inYear, "actionItemsOverdue"),
                    inYear => WardTime.LocalYear(due) == inYear,
                    async () =>
                    {
                        var assigned = await _client.StepAsync($"/partners/meetings/{meeting}/action-items", etag, new { text = "Lock the gate", ownerPartnerId = police, dueAt = TickEdges.Text(due, offset) });
                        etag = (await assigned.AssertOkAsync()).Headers.ETag!.Tag;
                        item = (await assigned.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("actionItems")[0].GetProperty("id").GetGuid();
                    });

                var overdue = await FigureAsync(WardTime.LocalYear(due), "actionItemsOverdue");
                await TickEdges.AssertCountedWhereItFallsAsync(
                    closed,
                    years,
                    inYear => FigureAsync(inYear, "actionItemsClosed"),
                    inYear => WardTime.LocalYear(closed) == inYear,
                    () => _client.StepOkAsync($"/partners/meetings/{meeting}/action-items/{item}/complete", etag, new { at = TickEdges.Text(closed, offset) }));
                Assert.Equal(overdue - (closed > due ? 0 : 1), await FigureAsync(WardTime.LocalYear(due), "actionItemsOverdue"));
            },
            iter: 30,
            threads: 1);
    }

    [Fact]
    public async Task The_overdue_list_as_of_a_time_reads_a_meeting_held_a_tick_before_it_and_not_one_held_then()
    {
        var owner = await _client.RegisterPartnerAsync("Ward youth union, as of a tick", "other");

        await Gen.Select(TickEdges.Past, TickEdges.Near, TickEdges.Offset, TickEdges.Offset).SampleAsync(
            async (held, ticks, offset, asOfOffset) =>
            {
                var (meeting, etag, _) = await CreatedAsync(await _client.PostAsJsonAsync(
                    "/partners/meetings", new { heldAt = TickEdges.Text(held, offset), attendingPartnerIds = new[] { owner }, minutes = "Due at once." }, Ct));
                await (await _client.StepAsync($"/partners/meetings/{meeting}/action-items", etag, new { text = "Print the leaflets", ownerPartnerId = owner, dueAt = TickEdges.Text(held, offset) })).AssertOkAsync();
                var asOf = held.AddTicks(ticks);

                var listed = (await _client.OkJsonAsync($"/partners/action-items/overdue?ownerPartnerId={owner}&asOf={TickEdges.Query(asOf, asOfOffset)}"))
                    .EnumerateArray().Any(overdue => overdue.GetProperty("meetingId").GetGuid() == meeting);

                Assert.True(listed == held < asOf, $"held {TickEdges.Text(held, offset)}, as of {TickEdges.Text(asOf, asOfOffset)}: listed {listed}");
            },
            iter: 40,
            threads: 1);
    }

    private async Task<int> FigureAsync(int year, string figure) => (await _client.OkJsonAsync($"/partners/stats?year={year}")).GetProperty(figure).GetInt32();

    private async Task<int> SchoolsAsync(int year) => (await _client.OkJsonAsync($"/partners/stats?year={year}")).GetProperty("partnersByKind").GetProperty("school").GetInt32();

    private static async Task<(Guid Id, string ETag, JsonElement Body)> CreatedAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Created, $"{response.StatusCode}: {body}");
        return (body.GetProperty("id").GetGuid(), response.Headers.ETag!.Tag, body);
    }
}
