using CsCheck;
using WardLink.Domain;
using WardLink.Partners;
using static WardLink.UnitTests.DecisionAssert;
using PartnerKind = WardLink.Contracts.Partners.PartnerKind;

namespace WardLink.UnitTests;

public sealed class AgreementDecisionTests
{
    private static readonly DateTimeOffset Now = new(2024, 6, 1, 10, 0, 0, TimeSpan.FromHours(7));
    private static readonly DateTimeOffset JoinedOn = new(2023, 4, 12, 0, 0, 0, TimeSpan.FromHours(7));
    private static readonly Guid PartnerId = Guid.Parse("0193b5a0-0000-7000-8000-00000000b001");
    private static readonly NamedPartners AllKnown = new([], []);
    private static readonly PartnerState Hospital = PartnerState.Create(new PartnerRegistered(PartnerId, "Eye Hospital", PartnerKind.Hospital, JoinedOn, "x"));
    private static readonly PartnerState Joined = Hospital.Apply(new AgreementSigned(PartnerId, JoinedOn, [LinkageDuty.JointPatrols, LinkageDuty.CameraSites], Now, "x"));

    [Fact]
    public void A_partner_joins_the_linkage_once_on_a_past_date_with_its_duties_listed_once()
    {
        var signed = Assert.IsType<AgreementSigned>(Assert.Single(
            Agreement.Sign(Hospital, new SignAgreement(JoinedOn, [LinkageDuty.JointPatrols, LinkageDuty.CameraSites, LinkageDuty.JointPatrols]), Now, "ward-committee").Events));

        Assert.Equal((PartnerId, JoinedOn, Now, "ward-committee"), (signed.PartnerId, signed.JoinedOn, signed.At, signed.By));
        Assert.Equal([LinkageDuty.JointPatrols, LinkageDuty.CameraSites], signed.Duties);
        Assert.Equal([LinkageDuty.JointPatrols, LinkageDuty.CameraSites], Hospital.Apply(signed).Agreement!.Duties.Select(duty => duty.Duty));
        Assert.Equal(RejectionKind.Conflict, Agreement.Sign(Joined, new SignAgreement(JoinedOn, [LinkageDuty.Other]), Now, "x").Rejection?.Kind);
        Assert.Equal(["duties", "joinedOn"], Agreement.Sign(Hospital, new SignAgreement(Now.AddDays(3), []), Now, "x").Rejection!.Errors!.Keys.Order());
    }

    [Fact]
    public void A_listed_duty_is_met_once_with_evidence_links()
    {
        var met = Assert.IsType<DutyMet>(Assert.Single(Agreement.MeetDuty(Joined, new MeetDuty(LinkageDuty.CameraSites, ["https://wardlink.example/minutes/2024-05.pdf"], null), Now, "police").Events));
        var after = Joined.Apply(met);

        Assert.Equal(new Uri("https://wardlink.example/minutes/2024-05.pdf"), Assert.Single(met.Evidence));
        Assert.Equal(Now, after.Agreement!.Duties.Single(duty => duty.Duty == LinkageDuty.CameraSites).MetAt);
        Assert.Null(after.Agreement.Duties.Single(duty => duty.Duty == LinkageDuty.JointPatrols).MetAt);
        Assert.Equal(RejectionKind.Conflict, Agreement.MeetDuty(after, new MeetDuty(LinkageDuty.CameraSites, ["https://x.example/a"], null), Now, "x").Rejection?.Kind);
        Assert.Equal(RejectionKind.Conflict, Agreement.MeetDuty(Joined, new MeetDuty(LinkageDuty.IdCardDrives, ["https://x.example/a"], null), Now, "x").Rejection?.Kind);

        // A duty is named as the API spells it, never as the code does.
        Assert.Contains("the duty cameraSites.", Agreement.MeetDuty(after, new MeetDuty(LinkageDuty.CameraSites, ["https://x.example/a"], null), Now, "x").Rejection?.Title, StringComparison.Ordinal);
        Assert.Contains("the duty idCardDrives;", Agreement.MeetDuty(Joined, new MeetDuty(LinkageDuty.IdCardDrives, ["https://x.example/a"], null), Now, "x").Rejection?.Title, StringComparison.Ordinal);
        Assert.Equal(RejectionKind.Conflict, Agreement.MeetDuty(Hospital, new MeetDuty(LinkageDuty.CameraSites, ["https://x.example/a"], null), Now, "x").Rejection?.Kind);
    }

    /// <summary>
    /// A duty is met on or after the partner joined the linkage, as every dated step comes after the one before it: one met in
    /// 1999 of an agreement joined in 2023 was accepted. A partner with no agreement is refused for that (409), not for the time.
    /// </summary>
    [Fact]
    public void A_duty_is_never_met_before_the_partner_joined_the_linkage()
    {
        var before = Agreement.MeetDuty(Joined, new MeetDuty(LinkageDuty.CameraSites, ["https://x.example/a"], JoinedOn.AddTicks(-1)), Now, "x");
        Assert.Equal(["at"], before.Rejection!.Errors!.Keys);

        var onTheDay = Assert.IsType<DutyMet>(Assert.Single(Agreement.MeetDuty(Joined, new MeetDuty(LinkageDuty.CameraSites, ["https://x.example/a"], JoinedOn), Now, "x").Events));
        Assert.Equal(JoinedOn, onTheDay.At);
        Assert.Equal(RejectionKind.Conflict, Agreement.MeetDuty(Hospital, new MeetDuty(LinkageDuty.CameraSites, ["https://x.example/a"], JoinedOn.AddYears(-24)), Now, "x").Rejection?.Kind);

        // Sent without a time right after joining on a time a minute ahead (within the clock skew): dated then, never refused on it.
        var aheadJoined = Hospital.Apply(new AgreementSigned(PartnerId, Now.AddMinutes(1), [LinkageDuty.CameraSites], Now, "x"));
        var dated = Assert.IsType<DutyMet>(Assert.Single(Agreement.MeetDuty(aheadJoined, new MeetDuty(LinkageDuty.CameraSites, ["https://x.example/a"], null), Now, "x").Events));
        Assert.Equal(Now.AddMinutes(1), dated.At);
    }

    [Fact]
    public void Meeting_a_duty_needs_the_duty_and_real_http_links()
    {
        Assert.Equal(["duty", "evidence"], Agreement.MeetDuty(Joined, new MeetDuty(null, [], null), Now, "x").Rejection!.Errors!.Keys.Order());
        Assert.Equal(["evidence[0]", "evidence[1]"], Agreement.MeetDuty(Joined, new MeetDuty(LinkageDuty.JointPatrols, ["ftp://x.example/a", "not a link"], null), Now, "x").Rejection!.Errors!.Keys.Order());
    }

    [Fact]
    public void Duties_and_evidence_links_have_their_documented_maximums()
    {
        var longLink = "https://x.example/" + new string('a', Agreement.MaxEvidenceLinkLength);

        Assert.Equal(["duties"], Agreement.Sign(Hospital, new SignAgreement(JoinedOn, Enumerable.Repeat(LinkageDuty.Other, Agreement.MaxDuties + 1).ToList()), Now, "x").Rejection!.Errors!.Keys);
        Assert.Equal(["evidence[1]"], Agreement.MeetDuty(Joined, new MeetDuty(LinkageDuty.CameraSites, ["https://x.example/a", longLink], null), Now, "x").Rejection!.Errors!.Keys);
    }

    [Fact]
    public void A_contact_is_added_with_role_name_and_phone_and_removed()
    {
        var contactId = Guid.CreateVersion7();
        var added = Assert.IsType<ContactAdded>(Assert.Single(Agreement.AddContact(Hospital, new AddContact(contactId, " Head of security ", " Lê Văn Bảo ", " 0912 345 678 "), Now, "x").Events));
        var withContact = Hospital.Apply(added);

        Assert.Equal(new ContactAdded(PartnerId, contactId, "Head of security", "Lê Văn Bảo", "0912 345 678", Now, "x"), added);
        Assert.Equal(new PartnerContact(contactId, "Head of security", "Lê Văn Bảo", "0912 345 678"), Assert.Single(withContact.Contacts));
        Assert.Equal(["name", "phone", "role"], Agreement.AddContact(Hospital, new AddContact(contactId, "", null, "call me"), Now, "x").Rejection!.Errors!.Keys.Order());
        var removed = Assert.IsType<ContactRemoved>(Assert.Single(Agreement.RemoveContact(withContact, new RemoveContact(contactId), Now, "x").Events));
        Assert.Empty(withContact.Apply(removed).Contacts);
        Assert.Equal(RejectionKind.PartNotFound, Agreement.RemoveContact(Hospital, new RemoveContact(contactId), Now, "x").Rejection?.Kind);
    }

    [Fact]
    public void A_hotline_has_a_number_and_a_chat_group_known_member_partners_each_once()
    {
        var channelId = Guid.CreateVersion7();
        var unknown = Guid.CreateVersion7();

        var opened = Assert.IsType<ChannelOpened>(Assert.Single(
            Channel.Open(null, new OpenChannel(channelId, ChannelKind.ChatGroup, "Linkage group", null, "Zalo", [PartnerId, PartnerId], AllKnown), Now, "police").Events));
        var noNumber = Channel.Open(null, new OpenChannel(channelId, ChannelKind.Hotline, "Ward hotline", " ", null, [], AllKnown), Now, "x");
        var strangers = Channel.Open(null, new OpenChannel(channelId, ChannelKind.ChatGroup, "G", null, "Zalo", [unknown], new NamedPartners([unknown], [])), Now, "x");

        Assert.Equal([PartnerId], opened.MemberPartnerIds);
        Assert.Equal("Zalo", opened.Platform);
        Assert.Equal(["number"], noNumber.Rejection!.Errors!.Keys);
        Assert.Equal(["memberPartnerIds"], strangers.Rejection!.Errors!.Keys);
    }

    /// <summary>Whatever is given or left blank, a hotline is refused only without its number and a chat group only without its platform.</summary>
    [Fact]
    public void A_channel_is_refused_exactly_for_the_field_its_kind_needs_and_lacks()
    {
        var texts = Gen.Int[0, 4].Select(pick => new[] { null, string.Empty, " \t", "Zalo", "0237 3852 113" }[pick]);
        Gen.Select(Gen.Enum<ChannelKind>(), texts, texts).Sample((kind, number, platform) =>
        {
            var decision = Channel.Open(null, new OpenChannel(Guid.CreateVersion7(), kind, "Linkage", number, platform, [PartnerId], AllKnown), Now, "x");

            string[] expected = (kind, string.IsNullOrWhiteSpace(number), string.IsNullOrWhiteSpace(platform)) switch
            {
                (ChannelKind.Hotline, true, _) => ["number"],
                (ChannelKind.ChatGroup, _, true) => ["platform"],
                _ => [],
            };
            Assert.Equal(expected, decision.Rejection?.Errors?.Keys.ToArray() ?? []);
        });
    }

    [Fact]
    public void A_channel_is_opened_once()
    {
        var group = ChannelState.Create(new ChannelOpened(Guid.CreateVersion7(), ChannelKind.ChatGroup, "Drivers' group", null, "Zalo", [PartnerId], Now, "x"));

        AssertConflict(Channel.Open(group, new OpenChannel(group.Id, ChannelKind.ChatGroup, "Drivers' group", null, "Zalo", [PartnerId], AllKnown), Now, "x"));
    }

    [Fact]
    public void A_chat_group_gains_and_loses_members_once()
    {
        var group = ChannelState.Create(new ChannelOpened(Guid.CreateVersion7(), ChannelKind.ChatGroup, "Drivers' group", null, "Zalo", [PartnerId], Now, "x"));
        var driver = Guid.CreateVersion7();

        var added = Assert.IsType<ChannelMemberAdded>(Assert.Single(Channel.AddMember(group, new AddChannelMember(driver, AllKnown), Now, "x").Events));
        Assert.Equal([PartnerId, driver], group.Apply(added).MemberPartnerIds);
        Assert.Equal(RejectionKind.Conflict, Channel.AddMember(group, new AddChannelMember(PartnerId, AllKnown), Now, "x").Rejection?.Kind);
        AssertInvalid(Channel.AddMember(group, new AddChannelMember(driver, new NamedPartners([driver], [])), Now, "x"), "partnerId");
        AssertInvalid(Channel.AddMember(group, new AddChannelMember(null, AllKnown), Now, "x"), "partnerId");
        var removed = Assert.IsType<ChannelMemberRemoved>(Assert.Single(Channel.RemoveMember(group, new RemoveChannelMember(PartnerId), Now, "x").Events));
        Assert.Empty(group.Apply(removed).MemberPartnerIds);
        Assert.Equal(RejectionKind.PartNotFound, Channel.RemoveMember(group, new RemoveChannelMember(driver), Now, "x").Rejection?.Kind);
    }
}
