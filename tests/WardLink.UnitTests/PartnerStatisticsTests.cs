using WardLink.Partners;
using PartnerKind = WardLink.Contracts.Partners.PartnerKind;

namespace WardLink.UnitTests;

public sealed class PartnerStatisticsTests
{
    private static readonly TimeSpan Local = TimeSpan.FromHours(7);
    private static readonly Guid PartnerId = Guid.CreateVersion7();

    private static DateTimeOffset On(int year, int month, int day) => new(year, month, day, 9, 0, 0, Local);

    [Fact]
    public void Every_figure_counts_what_is_dated_in_the_local_year()
    {
        var joined = On(2023, 4, 12);
        PartnerState[] partners =
        [
            PartnerState.Create(new PartnerRegistered(Guid.CreateVersion7(), "Ward police", PartnerKind.Police, joined, "x")),
            PartnerState.Create(new PartnerRegistered(Guid.CreateVersion7(), "Eye hospital", PartnerKind.Hospital, joined, "x")),
            PartnerState.Create(new PartnerRegistered(Guid.CreateVersion7(), "Psychiatric hospital", PartnerKind.Hospital, joined, "x")),
            // Registered later, but its agreement dates its joining back to 2023.
            PartnerState.Create(new PartnerRegistered(Guid.CreateVersion7(), "Political School", PartnerKind.School, On(2025, 3, 1), "x"))
                .Apply(new AgreementSigned(PartnerId, joined, [LinkageDuty.CameraSites], On(2025, 3, 1), "x")),
            PartnerState.Create(new PartnerRegistered(Guid.CreateVersion7(), "Joins next year", PartnerKind.Other, On(2025, 3, 1), "x")),
            PartnerState.Create(new PartnerRegistered(Guid.CreateVersion7(), "Left the year before", PartnerKind.Other, joined, "x"))
                .Apply(new PartnerLeft(PartnerId, "merged", On(2023, 12, 1), "x")),
        ];
        var surveyed = CameraState.Create(new CameraSurveyed(Guid.CreateVersion7(), Guid.CreateVersion7(), PartnerId, "gate", On(2023, 12, 20), "x"));
        CameraState[] cameras =
        [
            surveyed,
            // 2023-12-31 17:30 UTC is already 2024-01-01 00:30 in the ward.
            surveyed with { Status = CameraStatus.Installed, InstalledAt = new DateTimeOffset(2023, 12, 31, 17, 30, 0, TimeSpan.Zero) },
            surveyed with { Status = CameraStatus.Decommissioned, InstalledAt = On(2023, 12, 28), OperationalAt = On(2024, 1, 2), DecommissionedAt = On(2024, 11, 2) },
        ];
        var meeting = new MeetingState(Guid.CreateVersion7(), On(2024, 12, 5), [PartnerId], "Minutes",
        [
            new ActionItem(Guid.CreateVersion7(), "Closed in time", PartnerId, On(2024, 12, 20), On(2024, 12, 19)),
            new ActionItem(Guid.CreateVersion7(), "Closed late, in the next year", PartnerId, On(2024, 12, 20), On(2025, 1, 3)),
            new ActionItem(Guid.CreateVersion7(), "Still open", PartnerId, On(2024, 12, 30), null),
            new ActionItem(Guid.CreateVersion7(), "Due next year", PartnerId, On(2025, 1, 30), null),
        ]);
        var records = new LinkageRecords(
            partners,
            cameras,
            [new WarningSignsState(Guid.CreateVersion7(), Guid.CreateVersion7(), PartnerId, 6, null, On(2024, 3, 1), "x")],
            [meeting, meeting with { HeldAt = On(2023, 12, 5), ActionItems = [] }],
            [
                new OutreachSessionState(Guid.CreateVersion7(), PartnerId, [OutreachTopic.TrafficSafety, OutreachTopic.Drugs], 320, On(2024, 9, 10), "x"),
                new OutreachSessionState(Guid.CreateVersion7(), PartnerId, [OutreachTopic.SchoolViolence], 150, On(2024, 10, 10), "x"),
            ],
            [new IdCardDriveState(Guid.CreateVersion7(), PartnerId, 1200, On(2024, 5, 20), "x"), new IdCardDriveState(Guid.CreateVersion7(), PartnerId, 800, On(2024, 6, 20), "x")]);

        var statistics = PartnerQueries.Compute(2024, records, On(2025, 2, 1));

        Assert.Equal(1, statistics.PartnersByKind["police"]);
        Assert.Equal(2, statistics.PartnersByKind["hospital"]);
        Assert.Equal(1, statistics.PartnersByKind["school"]);
        Assert.Equal(0, statistics.PartnersByKind["other"]);
        Assert.Equal(Enum.GetValues<PartnerKind>().Length, statistics.PartnersByKind.Count);
        Assert.Equal((0, 1, 1, 1), (statistics.CamerasSurveyed, statistics.CamerasInstalled, statistics.CamerasOperational, statistics.CamerasDecommissioned));
        Assert.Equal(6, statistics.WarningSignsPosted);
        Assert.Equal(1, statistics.MeetingsHeld);
        Assert.Equal(1, statistics.ActionItemsClosed);
        Assert.Equal(2, statistics.ActionItemsOverdue);
        Assert.Equal((2, 470), (statistics.OutreachSessions, statistics.OutreachAttendees));
        Assert.Equal(1, statistics.OutreachSessionsByTopic["drugs"]);
        Assert.Equal(0, statistics.OutreachSessionsByTopic["other"]);
        Assert.Equal((2, 2000), (statistics.IdCardDrives, statistics.IdCardsIssued));
    }
}
