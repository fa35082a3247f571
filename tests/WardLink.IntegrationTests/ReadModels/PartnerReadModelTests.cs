using Marten;
using Microsoft.Extensions.DependencyInjection;
using PartnerKind = WardLink.Contracts.Partners.PartnerKind;
using WardLink.IntegrationTests.StoredValues;
using WardLink.Partners;
using WardLink.Testing;

namespace WardLink.IntegrationTests.ReadModels;

/// <summary>
/// The linkage statistics as the database counts them from <see cref="PartnerRow"/>s,
/// <see cref="LinkageStep"/>s and <see cref="ActionItemRow"/>s, on a database of their own; the
/// service's clock is now, after every due date below.
/// </summary>
public sealed class PartnerReadModelTests(ServiceFixture<PartnersService> partners) : IClassFixture<ServiceFixture<PartnersService>>
{
    private static readonly TimeSpan Local = TimeSpan.FromHours(7);
    private static readonly Guid PartnerId = Guid.CreateVersion7();

    private readonly HttpClient _client = partners.CreateClient();

    private IDocumentStore Store => partners.Host.Services.GetRequiredService<IDocumentStore>();

    private static DateTimeOffset On(int year, int month, int day) => new(year, month, day, 9, 0, 0, Local);

    [Fact]
    public async Task Every_figure_counts_what_is_dated_in_the_local_year()
    {
        var joined = On(2023, 4, 12);
        await PartnerAsync("Ward police", PartnerKind.Police, joined);
        await PartnerAsync("Eye hospital", PartnerKind.Hospital, joined);
        await PartnerAsync("Psychiatric hospital", PartnerKind.Hospital, joined);

        // Registered later, but its agreement dates its joining back to 2023.
        await PartnerAsync("Political School", PartnerKind.School, On(2025, 3, 1), id => new AgreementSigned(id, joined, [LinkageDuty.CameraSites], On(2025, 3, 1), "x"));
        await PartnerAsync("Joins next year", PartnerKind.Other, On(2025, 3, 1));
        await PartnerAsync("Left the year before", PartnerKind.Other, joined, id => new PartnerLeft(id, "merged", On(2023, 12, 1), "x"));

        await CameraAsync();

        // 2023-12-31 17:30 UTC is already 2024-01-01 00:30 in the ward.
        await CameraAsync(camera => new CameraInstalled(camera, Guid.CreateVersion7(), PartnerId, new DateTimeOffset(2023, 12, 31, 17, 30, 0, TimeSpan.Zero), "x"));
        await CameraAsync(
            camera => new CameraInstalled(camera, Guid.CreateVersion7(), PartnerId, On(2023, 12, 28), "x"),
            camera => new CameraOperationStarted(camera, On(2024, 1, 2), "x"),
            camera => new CameraDecommissioned(camera, Guid.CreateVersion7(), PartnerId, "broken", On(2024, 11, 2), "x"));

        var signs = Guid.CreateVersion7();
        await Store.AppendRawAsync<WarningSignsState>(signs, new WarningSignsPosted(signs, Guid.CreateVersion7(), PartnerId, 6, null, On(2024, 3, 1), "x"));

        var meeting = Guid.CreateVersion7();
        Guid closedInTime = Guid.CreateVersion7(), closedLate = Guid.CreateVersion7();
        await Store.AppendRawAsync<MeetingState>(
            meeting,
            new MeetingHeld(meeting, On(2024, 12, 5), [PartnerId], "Minutes", On(2024, 12, 5), "x"),
            new ActionItemAssigned(meeting, closedInTime, "Closed in time", PartnerId, On(2024, 12, 20), On(2024, 12, 5), "x"),
            new ActionItemAssigned(meeting, closedLate, "Closed late, in the next year", PartnerId, On(2024, 12, 20), On(2024, 12, 5), "x"),
            new ActionItemAssigned(meeting, Guid.CreateVersion7(), "Still open", PartnerId, On(2024, 12, 30), On(2024, 12, 5), "x"),
            new ActionItemAssigned(meeting, Guid.CreateVersion7(), "Due next year", PartnerId, On(2025, 1, 30), On(2024, 12, 5), "x"),
            new ActionItemCompleted(meeting, closedInTime, On(2024, 12, 19), "x"),
            new ActionItemCompleted(meeting, closedLate, On(2025, 1, 3), "x"));
        var earlier = Guid.CreateVersion7();
        await Store.AppendRawAsync<MeetingState>(earlier, new MeetingHeld(earlier, On(2023, 12, 5), [PartnerId], "Minutes", On(2023, 12, 5), "x"));

        foreach (var (topics, attendees, held) in new[] { ([OutreachTopic.TrafficSafety, OutreachTopic.Drugs], 320, On(2024, 9, 10)), (new[] { OutreachTopic.SchoolViolence }, 150, On(2024, 10, 10)) })
        {
            var session = Guid.CreateVersion7();
            await Store.AppendRawAsync<OutreachSessionState>(session, new OutreachSessionHeld(session, PartnerId, topics, attendees, held, "x"));
        }

        foreach (var (cards, held) in new[] { (1200, On(2024, 5, 20)), (800, On(2024, 6, 20)) })
        {
            var drive = Guid.CreateVersion7();
            await Store.AppendRawAsync<IdCardDriveState>(drive, new IdCardDriveHeld(drive, PartnerId, cards, held, "x"));
        }

        var statistics = await _client.OkJsonAsync("/partners/stats?year=2024");

        var byKind = statistics.GetProperty("partnersByKind");
        Assert.Equal((1, 2, 1, 0), (byKind.GetProperty("police").GetInt32(), byKind.GetProperty("hospital").GetInt32(), byKind.GetProperty("school").GetInt32(), byKind.GetProperty("other").GetInt32()));
        Assert.Equal(Enum.GetValues<PartnerKind>().Length, byKind.EnumerateObject().Count());
        Assert.Equal(
            (0, 1, 1, 1),
            (statistics.GetProperty("camerasSurveyed").GetInt32(), statistics.GetProperty("camerasInstalled").GetInt32(), statistics.GetProperty("camerasOperational").GetInt32(), statistics.GetProperty("camerasDecommissioned").GetInt32()));
        Assert.Equal(6, statistics.GetProperty("warningSignsPosted").GetInt64());
        Assert.Equal(1, statistics.GetProperty("meetingsHeld").GetInt32());
        Assert.Equal(1, statistics.GetProperty("actionItemsClosed").GetInt32());
        Assert.Equal(2, statistics.GetProperty("actionItemsOverdue").GetInt32());
        Assert.Equal((2, 470L), (statistics.GetProperty("outreachSessions").GetInt32(), statistics.GetProperty("outreachAttendees").GetInt64()));
        Assert.Equal(1, statistics.GetProperty("outreachSessionsByTopic").GetProperty("drugs").GetInt32());
        Assert.Equal(0, statistics.GetProperty("outreachSessionsByTopic").GetProperty("other").GetInt32());
        Assert.Equal((2, 2000L), (statistics.GetProperty("idCardDrives").GetInt32(), statistics.GetProperty("idCardsIssued").GetInt64()));
    }

    private async Task PartnerAsync(string name, PartnerKind kind, DateTimeOffset registered, params Func<Guid, object>[] then)
    {
        var id = Guid.CreateVersion7();
        await Store.AppendRawAsync<PartnerState>(id, [new PartnerRegistered(id, name, kind, registered, "x"), .. then.Select(next => next(id))]);
    }

    /// <summary>A camera surveyed on 2023-12-20, and what came of it.</summary>
    private async Task CameraAsync(params Func<Guid, object>[] then)
    {
        var id = Guid.CreateVersion7();
        await Store.AppendRawAsync<CameraState>(id, [new CameraSurveyed(id, Guid.CreateVersion7(), PartnerId, "gate", On(2023, 12, 20), "x"), .. then.Select(next => next(id))]);
    }
}
