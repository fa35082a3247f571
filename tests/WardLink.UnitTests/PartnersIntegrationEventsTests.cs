using JasperFx.Events;
using WardLink.Partners;
using Contract = WardLink.Contracts.Partners;
using Jurisdiction = WardLink.Contracts.Wards;

namespace WardLink.UnitTests;

public sealed class PartnersIntegrationEventsTests
{
    private static readonly DateTimeOffset Now = new(2024, 6, 1, 10, 0, 0, TimeSpan.FromHours(7));
    private static readonly PartnersIntegrationEvents Map = new();

    private static object? Publish(object data, long version = 1) => Map.ToMessage(new Event<object>(data) { Version = version });

    [Fact]
    public void Site_changes_are_published_with_the_site_s_stream_version()
    {
        var siteId = Guid.CreateVersion7();
        var partnerId = Guid.CreateVersion7();

        Assert.Equal(
            new Contract.SiteUpdated(siteId, partnerId, "North gate", Contract.SiteKind.Gate, 19.81, 105.78, Now, 4),
            Publish(new SiteUpdated(siteId, partnerId, "North gate", Contract.SiteKind.Gate, 19.81, 105.78, Now, "x"), 4));
        Assert.Equal(new Contract.SiteRetired(siteId, partnerId, Now, 5), Publish(new SiteRetired(siteId, partnerId, "closed", Now, "x"), 5));
    }

    [Fact]
    public void Partner_and_camera_changes_are_published_without_reasons()
    {
        var partnerId = Guid.CreateVersion7();
        var cameraId = Guid.CreateVersion7();
        var siteId = Guid.CreateVersion7();

        Assert.Equal(new Contract.PartnerChanged(partnerId, "Eye Hospital", Contract.PartnerKind.Hospital, Now), Publish(new PartnerChanged(partnerId, "Eye Hospital", Contract.PartnerKind.Hospital, Now, "x")));
        Assert.Equal(new Contract.PartnerLeft(partnerId, Now), Publish(new PartnerLeft(partnerId, "merged", Now, "x")));
        Assert.Equal(new Contract.CameraApproved(cameraId, siteId, partnerId, Now), Publish(new CameraApproved(cameraId, siteId, partnerId, Now, "x")));
        Assert.Equal(new Contract.CameraInstalled(cameraId, siteId, partnerId, Now), Publish(new CameraInstalled(cameraId, siteId, partnerId, Now, "x")));
        Assert.Equal(new Contract.CameraDecommissioned(cameraId, siteId, partnerId, Now), Publish(new CameraDecommissioned(cameraId, siteId, partnerId, "broken", Now, "x")));
    }

    [Fact]
    public void An_overdue_action_item_is_published_for_its_owner_without_its_text()
    {
        var meetingId = Guid.CreateVersion7();
        var itemId = Guid.CreateVersion7();
        var owner = Guid.CreateVersion7();

        Assert.Equal(
            new Contract.ActionItemOverdue(meetingId, itemId, owner, Now.AddDays(-1), Now),
            Publish(new ActionItemOverdue(meetingId, itemId, owner, Now.AddDays(-1), Now, Meeting.Sweeper)));
        Assert.Null(Publish(new ActionItemAssigned(meetingId, itemId, "Call Mr Bảo about the gate", owner, Now, Now, "x")));
    }

    [Fact]
    public void Contacts_never_leave_the_service()
    {
        var partnerId = Guid.CreateVersion7();

        Assert.Null(Publish(new ContactAdded(partnerId, Guid.CreateVersion7(), "Head of security", "Lê Văn Bảo", "0912 345 678", Now, "x")));
        Assert.Null(Publish(new ContactRemoved(partnerId, Guid.CreateVersion7(), Now, "x")));
    }

    [Fact]
    public void Ward_changes_are_published_with_the_ward_stream_s_version_without_the_actor()
    {
        var on = new DateOnly(2025, 7, 1);

        Assert.Equal(
            new Jurisdiction.WardEstablished("dong-quang", "DQ", "Đông Quang", "thanh-hoa", on, Now, 1),
            Publish(new WardEstablished("dong-quang", "DQ", "Đông Quang", "thanh-hoa", on, Now, "x")));
        Assert.Equal(new Jurisdiction.WardRenamed("dong-quang", "Phường Đông Quang", on, Now, 2), Publish(new WardRenamed("dong-quang", "Phường Đông Quang", on, Now, "x"), 2));
        Assert.Equal(new Jurisdiction.WardMerged("quang-thang", "dong-quang", on, Now, 3), Publish(new WardMerged("quang-thang", "dong-quang", on, Now, "x"), 3));
        Assert.Equal(new Jurisdiction.WardDissolved("hac-thanh", on, Now, 4), Publish(new WardDissolved("hac-thanh", on, Now, "x"), 4));
    }
}
