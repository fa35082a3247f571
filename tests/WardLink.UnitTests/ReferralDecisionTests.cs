using CsCheck;
using WardLink.Contracts;
using WardLink.Contracts.Incidents;
using WardLink.Contracts.Tips;
using WardLink.Domain;
using WardLink.Incidents;
using IncidentReported = WardLink.Incidents.IncidentReported;

namespace WardLink.UnitTests;

/// <summary>
/// The referral decision without a database: a referred tip opens the incident, is linked to the
/// incident that exists, or is refused; whatever the incident's state and however often the same
/// referral arrives, no incident opens twice and no tip is linked twice.
/// </summary>
public sealed class ReferralDecisionTests
{
    private const string Desk = "police-desk";
    private static readonly DateTimeOffset Now = new(2024, 3, 14, 22, 0, 0, TimeSpan.FromHours(7));
    private static readonly Guid IncidentId = Guid.Parse("0193b5a0-0000-7000-8000-0000000000a1");
    private static readonly Guid TipId = Guid.Parse("0193b5a0-0000-7000-8000-0000000000b1");
    private static readonly Guid SiteId = Guid.Parse("0193b5a0-0000-7000-8000-00000000a001");
    private const string Ward = "quang-thang";

    private static ReceiveReferral Referral(bool opensNew = true, string? caseNumber = "INC-2024-0009", bool siteKnown = true, Guid? tipId = null, RecordingWard? ward = null) => new(
        IncidentId,
        tipId ?? TipId,
        "TIP-2024-0031",
        opensNew,
        SecurityCategory.Drugs,
        "Dealing behind the market at night.",
        new Place(SiteId, "Behind the market", null, null),
        Now.AddHours(-5),
        caseNumber,
        siteKnown ? Ward : null,
        ward ?? new RecordingWard(Ward));

    private static IncidentState Existing(params Guid[] linkedTips) =>
        IncidentState.Create(new IncidentReported(
            IncidentId, "INC-2024-0002", IncidentClassification.Criminal, SecurityCategory.Drugs, "Dealing.", new Place(null, "Market", null, null),
            Now.AddDays(-1), IncidentSource.Police, null, Now.AddDays(-1), Desk)) with { LinkedTipIds = linkedTips };

    [Fact]
    public void A_referral_opening_a_new_incident_opens_it_from_the_tip_and_links_the_tip()
    {
        var decision = Incident.ReceiveReferral(null, Referral(), Now, Desk);

        Assert.Collection(
            decision.Events,
            opened => Assert.Equal(
                new IncidentReported(
                    IncidentId, "INC-2024-0009", IncidentClassification.Criminal, SecurityCategory.Drugs, "Dealing behind the market at night.",
                    new Place(SiteId, "Behind the market", null, null), Now.AddHours(-5), IncidentSource.Tip, "TIP-2024-0031", Now, Desk),
                opened),
            linked => Assert.Equal(new TipLinked(IncidentId, TipId, "TIP-2024-0031", Now, Desk, ByReferral: true), linked));
    }

    [Fact]
    public void A_referral_to_an_existing_incident_links_the_tip_only()
    {
        var decision = Incident.ReceiveReferral(Existing(), Referral(opensNew: false, caseNumber: null, siteKnown: false), Now, Desk);

        Assert.Equal([new TipLinked(IncidentId, TipId, "TIP-2024-0031", Now, Desk, ByReferral: true)], decision.Events);
    }

    /// <summary>
    /// An unlinking says whether the link it removes is the one the tip's referral made (tips then withdraws the referral),
    /// or an officer's: tips hears no link, so only incidents can tell.
    /// </summary>
    [Fact]
    public void An_unlinking_says_whether_it_removes_the_link_a_referral_made()
    {
        var referred = Existing().Apply((TipLinked)Incident.ReceiveReferral(Existing(), Referral(opensNew: false, caseNumber: null, siteKnown: false), Now, Desk).Events.Single());
        var byOfficer = Existing().Apply((TipLinked)Incident.LinkTip(Existing(), new LinkTip(TipId), Now, Desk).Events.Single());

        Assert.True(Assert.IsType<TipUnlinked>(Assert.Single(Incident.UnlinkTip(referred, new UnlinkTip(TipId), Now.AddMinutes(5), Desk).Events)).ByReferral);
        Assert.False(Assert.IsType<TipUnlinked>(Assert.Single(Incident.UnlinkTip(byOfficer, new UnlinkTip(TipId), Now.AddMinutes(5), Desk).Events)).ByReferral);

        // Unlinked and linked again by an officer, the link is no referral's.
        var relinked = referred.Apply(new TipUnlinked(IncidentId, TipId, Now.AddMinutes(5), Desk, ByReferral: true))
            .Apply((TipLinked)Incident.LinkTip(referred with { LinkedTipIds = [] }, new LinkTip(TipId), Now.AddMinutes(6), Desk).Events.Single());
        Assert.False(Assert.IsType<TipUnlinked>(Assert.Single(Incident.UnlinkTip(relinked, new UnlinkTip(TipId), Now.AddMinutes(7), Desk).Events)).ByReferral);
    }

    [Fact]
    public void A_referral_of_a_tip_its_referral_linked_already_changes_nothing()
    {
        var decision = Incident.ReceiveReferral(Existing(TipId) with { ReferralLinks = [TipId] }, Referral(), Now, Desk);

        Assert.True(decision.IsAccepted);
        Assert.Empty(decision.Events);
    }

    /// <summary>
    /// A referral reaching an incident whose officer's link already holds the tip makes no second link but takes that one as its
    /// own: removing it then says so, and tips withdraws the referral.
    /// </summary>
    [Fact]
    public void A_referral_of_a_tip_an_officer_linked_takes_that_link_as_the_referral_s()
    {
        var decision = Incident.ReceiveReferral(Existing(TipId), Referral(), Now, Desk);

        var referred = Existing(TipId).Apply(Assert.IsType<TipReferredOnLink>(Assert.Single(decision.Events)));
        Assert.Equal([TipId], referred.LinkedTipIds);
        Assert.True(Assert.IsType<TipUnlinked>(Assert.Single(Incident.UnlinkTip(referred, new UnlinkTip(TipId), Now.AddMinutes(5), Desk).Events)).ByReferral);
        Assert.Empty(Incident.ReceiveReferral(referred, Referral(), Now.AddMinutes(1), Desk).Events);
    }

    /// <summary>
    /// Whatever order an officer's links and unlinkings and the tip's referrals come in (tips refers the tip only while it is referred
    /// nowhere, and withdraws its referral on an unlinking that says it removed the referral's link), the tip is referred to the
    /// incident only while the incident links it (the tips probe found a tip referred to an incident that no longer linked it).
    /// </summary>
    [Fact]
    public void A_tip_is_referred_to_the_incident_only_while_the_incident_links_it() =>
        Gen.Int[0, 2].Array[1, 12].Sample(steps =>
        {
            var (incident, referred, at) = (Existing(), false, Now);
            foreach (var step in steps)
            {
                at = at.AddMinutes(1);
                var linked = incident.LinkedTipIds.Contains(TipId);
                var decision = step switch
                {
                    0 when !linked => Incident.LinkTip(incident, new LinkTip(TipId), at, Desk),
                    1 when linked => Incident.UnlinkTip(incident, new UnlinkTip(TipId), at, Desk),
                    2 when !referred => Incident.ReceiveReferral(incident, Referral(opensNew: false, caseNumber: null, siteKnown: false), at, Desk),
                    _ => Decision.Accept(),
                };
                Assert.True(decision.IsAccepted);
                referred |= step == 2;
                foreach (var recorded in decision.Events)
                {
                    incident = recorded switch
                    {
                        TipLinked link => incident.Apply(link),
                        TipReferredOnLink onLink => incident.Apply(onLink),
                        TipUnlinked unlink => incident.Apply(unlink),
                        _ => throw new InvalidOperationException($"A link decided {recorded.GetType().Name}."),
                    };
                    referred &= recorded is not TipUnlinked { ByReferral: true };
                }

                Assert.True(!referred || incident.LinkedTipIds.Contains(TipId), $"referred to an incident that does not link it after steps {string.Join(", ", steps)}");
            }
        });

    [Fact]
    public void A_referral_to_an_incident_unknown_here_that_opens_none_is_refused_as_not_found()
    {
        var decision = Incident.ReceiveReferral(null, Referral(opensNew: false, caseNumber: null), Now, Desk);

        Assert.Equal(RejectionKind.NotFound, decision.Rejection?.Kind);
        Assert.Empty(decision.Events);
    }

    [Fact]
    public void A_referral_opening_an_incident_at_a_site_unknown_here_is_refused_naming_the_place()
    {
        var decision = Incident.ReceiveReferral(null, Referral(siteKnown: false), Now, Desk);

        DecisionAssert.AssertInvalid(decision, "place.siteId");
    }

    [Fact]
    public void However_often_referrals_arrive_an_incident_opens_once_and_each_tip_is_linked_once() =>
        Gen.Select(Gen.Bool, Gen.Int[0, 3].Array[1, 12]).Sample((startsOpen, tipIndexes) =>
        {
            var tips = new[] { TipId, Guid.CreateVersion7(), Guid.CreateVersion7(), Guid.CreateVersion7() };
            var incident = startsOpen ? Existing() : null;
            var opened = 0;
            foreach (var index in tipIndexes)
            {
                var decision = Incident.ReceiveReferral(incident, Referral(tipId: tips[index], caseNumber: incident is null ? "INC-2024-0009" : null), Now, Desk);
                Assert.True(decision.IsAccepted);
                foreach (var recorded in decision.Events)
                {
                    incident = recorded switch
                    {
                        IncidentReported reported => IncidentState.Create(reported),
                        TipLinked linked => incident!.Apply(linked),
                        _ => throw new InvalidOperationException($"A referral decided {recorded.GetType().Name}."),
                    };
                    opened += recorded is IncidentReported ? 1 : 0;
                }
            }

            Assert.Equal(startsOpen ? 0 : 1, opened);
            Assert.Equal(tipIndexes.Distinct().Select(index => tips[index]).Order(), incident!.LinkedTipIds.Order());
            Assert.Equal(incident.LinkedTipIds.Count, incident.LinkedTipIds.Distinct().Count());
        });

    [Fact]
    public void A_referral_opening_an_incident_in_a_ward_merged_before_the_tip_came_in_is_refused()
    {
        var merged = new RecordingWard(Ward, DateOnly.FromDateTime(Now.AddHours(-5).Date), "dong-quang");

        var decision = Incident.ReceiveReferral(null, Referral(ward: merged), Now, Desk);

        Assert.False(decision.IsAccepted);
        Assert.Contains("merged into dong-quang", string.Join(" ", decision.Rejection!.Errors!["occurredAt"]), StringComparison.Ordinal);
    }
}
