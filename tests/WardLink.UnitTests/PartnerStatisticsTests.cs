using PartnerKind = WardLink.Contracts.Partners.PartnerKind;
using WardLink.Partners;

namespace WardLink.UnitTests;

public sealed class PartnerStatisticsTests
{
    private static readonly TimeSpan Local = TimeSpan.FromHours(7);

    [Fact]
    public void Partners_count_by_kind_and_camera_steps_by_their_local_year()
    {
        var joined = new DateTimeOffset(2023, 4, 12, 9, 0, 0, Local);
        PartnerState[] partners =
        [
            PartnerState.Create(new PartnerRegistered(Guid.CreateVersion7(), "Ward police", PartnerKind.Police, joined, "x")),
            PartnerState.Create(new PartnerRegistered(Guid.CreateVersion7(), "Eye hospital", PartnerKind.Hospital, joined, "x")),
            PartnerState.Create(new PartnerRegistered(Guid.CreateVersion7(), "Psychiatric hospital", PartnerKind.Hospital, joined, "x")),
        ];
        var surveyed = CameraState.Create(new CameraSurveyed(Guid.CreateVersion7(), Guid.CreateVersion7(), Guid.CreateVersion7(), "gate", new DateTimeOffset(2023, 12, 20, 9, 0, 0, Local), "x"));
        CameraState[] cameras =
        [
            surveyed,
            // 2023-12-31 17:30 UTC is already 2024-01-01 00:30 in the ward.
            surveyed with { Status = CameraStatus.Installed, InstalledAt = new DateTimeOffset(2023, 12, 31, 17, 30, 0, TimeSpan.Zero) },
            surveyed with
            {
                Status = CameraStatus.Decommissioned,
                InstalledAt = new DateTimeOffset(2023, 12, 28, 9, 0, 0, Local),
                OperationalAt = new DateTimeOffset(2024, 1, 2, 9, 0, 0, Local),
                DecommissionedAt = new DateTimeOffset(2024, 11, 2, 9, 0, 0, Local),
            },
        ];

        var statistics = PartnerQueries.Compute(2024, partners, cameras);

        Assert.Equal(1, statistics.PartnersByKind["police"]);
        Assert.Equal(2, statistics.PartnersByKind["hospital"]);
        Assert.Equal(0, statistics.PartnersByKind["school"]);
        Assert.Equal(Enum.GetValues<PartnerKind>().Length, statistics.PartnersByKind.Count);
        Assert.Equal(0, statistics.CamerasSurveyed);
        Assert.Equal(1, statistics.CamerasInstalled);
        Assert.Equal(1, statistics.CamerasOperational);
        Assert.Equal(1, statistics.CamerasDecommissioned);
    }
}
