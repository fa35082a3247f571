using PartnerKind = WardLink.Contracts.Partners.PartnerKind;
using SiteKind = WardLink.Contracts.Partners.SiteKind;
using WardLink.Partners;
using WardLink.ServiceDefaults;

namespace WardLink.UnitTests;

public sealed class PartnerDecisionTests
{
    private static readonly DateTimeOffset Now = new(2023, 4, 12, 9, 0, 0, TimeSpan.FromHours(7));
    private static readonly Guid PartnerId = Guid.Parse("0193b5a0-0000-7000-8000-00000000b001");
    private static readonly Guid SiteId = Guid.Parse("0193b5a0-0000-7000-8000-00000000c001");
    private static readonly PartnerState Hospital = new(PartnerId, "Thanh Hóa Obstetrics Hospital", PartnerKind.Hospital, Now, "ward-committee");

    [Fact]
    public void A_partner_joins_the_linkage_with_a_trimmed_name()
    {
        var decision = Partner.Register(null, new RegisterPartner(PartnerId, "  Thanh Hóa Obstetrics Hospital ", PartnerKind.Hospital, "ward-committee"), Now);

        Assert.Equal(
            new PartnerRegistered(PartnerId, "Thanh Hóa Obstetrics Hospital", PartnerKind.Hospital, Now, "ward-committee"),
            Assert.Single(decision.Events));
    }

    [Fact]
    public void A_partner_needs_a_name_and_a_kind()
    {
        var decision = Partner.Register(null, new RegisterPartner(PartnerId, "", null, "ward-committee"), Now);

        Assert.Equal(RejectionKind.Invalid, decision.Rejection?.Kind);
        Assert.Equal(["kind", "name"], decision.Rejection!.Errors!.Keys.Order());
    }

    [Fact]
    public void A_site_of_an_existing_partner_is_registered_at_its_point()
    {
        var decision = Site.Register(Hospital, new RegisterSite(SiteId, PartnerId, "Emergency entrance", SiteKind.HospitalArea, 19.8069, 105.7765, "hospital-security"), Now);

        Assert.Equal(
            new SiteRegistered(SiteId, PartnerId, "Emergency entrance", SiteKind.HospitalArea, 19.8069, 105.7765, Now, "hospital-security"),
            Assert.Single(decision.Events));
    }

    [Fact]
    public void A_site_of_an_unknown_partner_is_refused_as_not_found()
    {
        var decision = Site.Register(null, new RegisterSite(SiteId, PartnerId, "Gate", SiteKind.Gate, 19.8, 105.7, "someone"), Now);

        Assert.Equal(RejectionKind.NotFound, decision.Rejection?.Kind);
        Assert.Empty(decision.Events);
    }

    [Theory]
    [InlineData(null, 105.7, "latitude")]
    [InlineData(91.0, 105.7, "latitude")]
    [InlineData(19.8, -180.5, "longitude")]
    public void A_site_needs_a_real_point(double? latitude, double? longitude, string field)
    {
        var decision = Site.Register(Hospital, new RegisterSite(SiteId, PartnerId, "Gate", SiteKind.Gate, latitude, longitude, "someone"), Now);

        Assert.Equal([field], decision.Rejection!.Errors!.Keys);
    }
}
