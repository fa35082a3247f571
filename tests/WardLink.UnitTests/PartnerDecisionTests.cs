using WardLink.Domain;
using WardLink.Partners;
using PartnerKind = WardLink.Contracts.Partners.PartnerKind;
using SiteKind = WardLink.Contracts.Partners.SiteKind;

namespace WardLink.UnitTests;

public sealed class PartnerDecisionTests
{
    private static readonly DateTimeOffset Now = new(2023, 4, 12, 9, 0, 0, TimeSpan.FromHours(7));
    private static readonly Guid PartnerId = Guid.Parse("0193b5a0-0000-7000-8000-00000000b001");
    private static readonly Guid SiteId = Guid.Parse("0193b5a0-0000-7000-8000-00000000c001");
    private static readonly PartnerState Hospital = PartnerState.Create(new PartnerRegistered(PartnerId, "Thanh Hóa Obstetrics Hospital", PartnerKind.Hospital, Now, "ward-committee"));
    private static readonly SiteState Gate = SiteState.Create(new SiteRegistered(SiteId, PartnerId, "Main gate", SiteKind.Gate, 19.8069, 105.7765, Now, "ward-committee"));

    [Fact]
    public void A_partner_joins_the_linkage_with_a_trimmed_name()
    {
        var decision = Partner.Register(null, new RegisterPartner(PartnerId, "  Thanh Hóa Obstetrics Hospital ", PartnerKind.Hospital), Now, "ward-committee");

        Assert.Equal(
            new PartnerRegistered(PartnerId, "Thanh Hóa Obstetrics Hospital", PartnerKind.Hospital, Now, "ward-committee"),
            Assert.Single(decision.Events));
    }

    [Fact]
    public void A_partner_needs_a_name_and_a_kind()
    {
        var decision = Partner.Register(null, new RegisterPartner(PartnerId, "", null), Now, "ward-committee");

        Assert.Equal(RejectionKind.Invalid, decision.Rejection?.Kind);
        Assert.Equal(["kind", "name"], decision.Rejection!.Errors!.Keys.Order());
    }

    [Fact]
    public void A_partner_or_a_site_registered_twice_is_a_conflict()
    {
        Assert.Equal(RejectionKind.Conflict, Partner.Register(Hospital, new RegisterPartner(PartnerId, "Again", PartnerKind.Hospital), Now, "x").Rejection?.Kind);
        Assert.Equal(RejectionKind.Conflict, Site.Register(Gate, new RegisterSite(SiteId, PartnerId, Hospital, "Gate", SiteKind.Gate, 19.8, 105.7), Now, "x").Rejection?.Kind);
    }

    [Fact]
    public void A_rename_keeps_the_kind_and_a_change_of_kind_keeps_the_name()
    {
        var renamed = Assert.IsType<PartnerChanged>(Assert.Single(Partner.Rename(Hospital, new RenamePartner(" Provincial Obstetrics Hospital "), Now, "ward-committee").Events));
        var rekinded = Assert.IsType<PartnerChanged>(Assert.Single(Partner.ChangeKind(Hospital, new ChangePartnerKind(PartnerKind.HealthCentre), Now, "ward-committee").Events));

        Assert.Equal(new PartnerChanged(PartnerId, "Provincial Obstetrics Hospital", PartnerKind.Hospital, Now, "ward-committee"), renamed);
        Assert.Equal(new PartnerChanged(PartnerId, "Thanh Hóa Obstetrics Hospital", PartnerKind.HealthCentre, Now, "ward-committee"), rekinded);
        Assert.Equal("Provincial Obstetrics Hospital", Hospital.Apply(renamed).Name);
        Assert.Equal(PartnerKind.HealthCentre, Hospital.Apply(rekinded).Kind);
    }

    [Fact]
    public void A_rename_needs_a_name_and_a_change_of_kind_a_kind()
    {
        Assert.Equal(["name"], Partner.Rename(Hospital, new RenamePartner(" "), Now, "x").Rejection!.Errors!.Keys);
        Assert.Equal(["name"], Partner.Rename(Hospital, new RenamePartner(new string('a', Partner.MaxNameLength + 1)), Now, "x").Rejection!.Errors!.Keys);
        Assert.Equal(["kind"], Partner.ChangeKind(Hospital, new ChangePartnerKind(null), Now, "x").Rejection!.Errors!.Keys);
    }

    [Fact]
    public void A_change_to_what_already_is_is_a_conflict()
    {
        Assert.Equal(RejectionKind.Conflict, Partner.Rename(Hospital, new RenamePartner("Thanh Hóa Obstetrics Hospital"), Now, "x").Rejection?.Kind);
        Assert.Equal(RejectionKind.Conflict, Partner.ChangeKind(Hospital, new ChangePartnerKind(PartnerKind.Hospital), Now, "x").Rejection?.Kind);
    }

    [Fact]
    public void A_partner_is_suspended_resumes_and_leaves_each_once()
    {
        var suspended = Assert.IsType<PartnerSuspended>(Assert.Single(Partner.Suspend(Hospital, new SuspendPartner(" Security desk unstaffed "), Now, "police").Events));
        Assert.Equal(new PartnerSuspended(PartnerId, "Security desk unstaffed", Now, "police"), suspended);
        var whileSuspended = Hospital.Apply(suspended);
        Assert.Equal(PartnerStatus.Suspended, whileSuspended.Status);
        Assert.Equal(RejectionKind.Conflict, Partner.Suspend(whileSuspended, new SuspendPartner("again"), Now, "police").Rejection?.Kind);
        Assert.Equal(RejectionKind.Conflict, Partner.Resume(Hospital, new ResumePartner(), Now, "police").Rejection?.Kind);

        var resumed = Assert.IsType<PartnerResumed>(Assert.Single(Partner.Resume(whileSuspended, new ResumePartner(), Now, "police").Events));
        Assert.Equal(PartnerStatus.Active, whileSuspended.Apply(resumed).Status);

        var left = Assert.IsType<PartnerLeft>(Assert.Single(Partner.Leave(whileSuspended, new LeaveLinkage("Merged into Đông Quang ward"), Now, "ward-committee").Events));
        var gone = whileSuspended.Apply(left);
        Assert.Equal(PartnerStatus.Left, gone.Status);
        Assert.Equal(Now, gone.LeftAt);
        Assert.Equal(RejectionKind.Conflict, Partner.Leave(gone, new LeaveLinkage("again"), Now, "x").Rejection?.Kind);
        Assert.Equal(RejectionKind.Conflict, Partner.Suspend(gone, new SuspendPartner("why"), Now, "x").Rejection?.Kind);
        Assert.Equal(RejectionKind.Conflict, Partner.Rename(gone, new RenamePartner("New name"), Now, "x").Rejection?.Kind);
        Assert.Equal(RejectionKind.Conflict, Partner.ChangeKind(gone, new ChangePartnerKind(PartnerKind.Other), Now, "x").Rejection?.Kind);
    }

    [Fact]
    public void Suspending_and_leaving_need_a_reason()
    {
        Assert.Equal(["reason"], Partner.Suspend(Hospital, new SuspendPartner(null), Now, "x").Rejection!.Errors!.Keys);
        Assert.Equal(["reason"], Partner.Leave(Hospital, new LeaveLinkage(""), Now, "x").Rejection!.Errors!.Keys);
    }

    [Fact]
    public void A_site_of_an_existing_partner_is_registered_at_its_point()
    {
        var decision = Site.Register(null, new RegisterSite(SiteId, PartnerId, Hospital, "Emergency entrance", SiteKind.HospitalArea, 19.8069, 105.7765), Now, "hospital-security");

        Assert.Equal(
            new SiteRegistered(SiteId, PartnerId, "Emergency entrance", SiteKind.HospitalArea, 19.8069, 105.7765, Now, "hospital-security"),
            Assert.Single(decision.Events));
    }

    [Fact]
    public void A_site_of_an_unknown_partner_is_refused_as_not_found()
    {
        var decision = Site.Register(null, new RegisterSite(SiteId, PartnerId, null, "Gate", SiteKind.Gate, 19.8, 105.7), Now, "someone");

        Assert.Equal(RejectionKind.NotFound, decision.Rejection?.Kind);
        Assert.Empty(decision.Events);
    }

    [Fact]
    public void A_partner_that_left_registers_no_site()
    {
        var gone = Hospital.Apply(new PartnerLeft(PartnerId, "merged", Now, "x"));

        Assert.Equal(RejectionKind.Conflict, Site.Register(null, new RegisterSite(SiteId, PartnerId, gone, "Gate", SiteKind.Gate, 19.8, 105.7), Now, "x").Rejection?.Kind);
    }

    [Theory]
    [InlineData(null, 105.7, "latitude")]
    [InlineData(91.0, 105.7, "latitude")]
    [InlineData(19.8, -180.5, "longitude")]
    public void A_site_needs_a_real_point(double? latitude, double? longitude, string field)
    {
        var decision = Site.Register(null, new RegisterSite(SiteId, PartnerId, Hospital, "Gate", SiteKind.Gate, latitude, longitude), Now, "someone");

        Assert.Equal([field], decision.Rejection!.Errors!.Keys);
        Assert.Equal([field], Site.Update(Gate, new UpdateSite(PartnerId, "Gate", SiteKind.Gate, latitude, longitude), Now, "x").Rejection!.Errors!.Keys);
    }

    [Fact]
    public void A_site_update_carries_every_detail_as_it_now_is()
    {
        var updated = Assert.IsType<SiteUpdated>(Assert.Single(Site.Update(Gate, new UpdateSite(PartnerId, " North gate ", SiteKind.Gate, 19.81, 105.78), Now, "x").Events));

        Assert.Equal(new SiteUpdated(SiteId, PartnerId, "North gate", SiteKind.Gate, 19.81, 105.78, Now, "x"), updated);
        Assert.Equal(Gate with { Name = "North gate", Latitude = 19.81, Longitude = 105.78 }, Gate.Apply(updated));
    }

    [Fact]
    public void A_site_update_that_changes_nothing_is_a_conflict_and_one_under_another_partner_is_not_found()
    {
        Assert.Equal(RejectionKind.Conflict, Site.Update(Gate, new UpdateSite(PartnerId, "Main gate", SiteKind.Gate, 19.8069, 105.7765), Now, "x").Rejection?.Kind);
        Assert.Equal(RejectionKind.NotFound, Site.Update(Gate, new UpdateSite(Guid.CreateVersion7(), "North gate", SiteKind.Gate, 19.81, 105.78), Now, "x").Rejection?.Kind);
        Assert.Equal(RejectionKind.NotFound, Site.Retire(Gate, new RetireSite(Guid.CreateVersion7(), "closed"), Now, "x").Rejection?.Kind);
    }

    [Fact]
    public void A_site_is_retired_once_with_a_reason_and_then_no_longer_updated()
    {
        Assert.Equal(["reason"], Site.Retire(Gate, new RetireSite(PartnerId, " "), Now, "x").Rejection!.Errors!.Keys);
        var retired = Assert.IsType<SiteRetired>(Assert.Single(Site.Retire(Gate, new RetireSite(PartnerId, "Gate walled up"), Now, "x").Events));
        Assert.Equal(new SiteRetired(SiteId, PartnerId, "Gate walled up", Now, "x"), retired);

        var gone = Gate.Apply(retired);
        Assert.Equal(Now, gone.RetiredAt);
        Assert.Equal(RejectionKind.Conflict, Site.Retire(gone, new RetireSite(PartnerId, "again"), Now, "x").Rejection?.Kind);
        Assert.Equal(RejectionKind.Conflict, Site.Update(gone, new UpdateSite(PartnerId, "North gate", SiteKind.Gate, 19.81, 105.78), Now, "x").Rejection?.Kind);
    }
}
