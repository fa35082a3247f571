using CsCheck;
using WardLink.Domain;
using WardLink.Partners;
using static WardLink.UnitTests.DecisionAssert;
using PartnerKind = WardLink.Contracts.Partners.PartnerKind;
using SiteKind = WardLink.Contracts.Partners.SiteKind;

namespace WardLink.UnitTests;

public sealed class LinkageDecisionTests
{
    private static readonly DateTimeOffset Now = new(2024, 6, 1, 10, 0, 0, TimeSpan.FromHours(7));
    private static readonly Guid PartnerId = Guid.Parse("0193b5a0-0000-7000-8000-00000000b001");
    private static readonly Guid MeetingId = Guid.Parse("0193b5a0-0000-7000-8000-00000000e001");
    private static readonly Guid ItemId = Guid.Parse("0193b5a0-0000-7000-8000-00000000e002");
    private static readonly PartnerState School = PartnerState.Create(new PartnerRegistered(PartnerId, "Provincial Political School", PartnerKind.School, Now.AddYears(-1), "x"));
    private static readonly SiteState Gate = SiteState.Create(new SiteRegistered(Guid.CreateVersion7(), PartnerId, "School gate", SiteKind.Gate, 19.8, 105.77, Now.AddYears(-1), "x"));
    private static readonly DateTimeOffset HeldAt = Now.AddDays(-5);
    private static readonly MeetingState Held = MeetingState.Create(new MeetingHeld(MeetingId, HeldAt, [PartnerId], "Reviewed May.", HeldAt, "ward-committee"));
    private static readonly NamedPartners AllKnown = new([], []);

    [Fact]
    public void A_meeting_is_held_with_its_attending_partners_once_each_and_its_minutes()
    {
        var decision = Meeting.Hold(null, new HoldMeeting(MeetingId, HeldAt, [PartnerId, PartnerId], " Reviewed May. ", AllKnown), Now, "ward-committee");

        var held = Assert.IsType<MeetingHeld>(Assert.Single(decision.Events));
        Assert.Equal((MeetingId, HeldAt, "Reviewed May.", Now, "ward-committee"), (held.MeetingId, held.HeldAt, held.Minutes, held.At, held.By));
        Assert.Equal([PartnerId], held.AttendingPartnerIds);
    }

    [Fact]
    public void A_meeting_needs_a_past_date_known_attendees_and_minutes()
    {
        var unknown = Guid.CreateVersion7();

        var future = Meeting.Hold(null, new HoldMeeting(MeetingId, Now.AddDays(1), [unknown], "", new NamedPartners([unknown], [])), Now, "x");
        var nobody = Meeting.Hold(null, new HoldMeeting(MeetingId, null, [], "Minutes", AllKnown), Now, "x");

        Assert.Equal(["attendingPartnerIds", "heldAt", "minutes"], future.Rejection!.Errors!.Keys.Order());
        Assert.Equal(["attendingPartnerIds", "heldAt"], nobody.Rejection!.Errors!.Keys.Order());
    }

    [Fact]
    public void Lists_of_partners_and_topics_have_their_documented_maximums()
    {
        var many = Enumerable.Range(0, Partner.MaxPartnerIds + 1).Select(_ => PartnerId).ToArray();
        var topics = Enumerable.Repeat(OutreachTopic.Drugs, Activities.MaxTopics + 1).ToArray();

        Assert.Equal(["attendingPartnerIds"], Meeting.Hold(null, new HoldMeeting(MeetingId, HeldAt, many, "Minutes", AllKnown), Now, "x").Rejection!.Errors!.Keys);
        Assert.Equal(["memberPartnerIds"], Channel.Open(null, new OpenChannel(MeetingId, ChannelKind.ChatGroup, "G", null, "Zalo", many, AllKnown), Now, "x").Rejection!.Errors!.Keys);
        Assert.Equal(["topics"], Activities.HoldOutreach(null, new HoldOutreachSession(Guid.CreateVersion7(), School, topics, 10, HeldAt), Now, "x").Rejection!.Errors!.Keys);
        Assert.Single(Meeting.Hold(null, new HoldMeeting(MeetingId, HeldAt, many[..Partner.MaxPartnerIds], "Minutes", AllKnown), Now, "x").Events);
        Assert.Single(Activities.HoldOutreach(null, new HoldOutreachSession(Guid.CreateVersion7(), School, topics[..Activities.MaxTopics], 10, HeldAt), Now, "x").Events);
    }

    [Fact]
    public void A_partner_that_has_left_joins_no_channel_owns_no_new_action_item_and_attends_no_meeting_held_after_it_left_whichever_others_are_named()
    {
        var partners = Gen.Int[1, 6].SelectMany(count => Gen.Bool.Array[count]).Select(left => left
            .Select((gone, index) => (Partner: PartnerState.Create(new PartnerRegistered(Guid.CreateVersion7(), $"Partner {index}", PartnerKind.School, Now.AddYears(-1), "x")), Gone: gone))
            .Select(named => named.Gone ? (Partner: named.Partner.Apply(new PartnerLeft(named.Partner.Id, "Moved away.", Now.AddDays(-1), "x")), Gone: true) : named)
            .ToArray());
        var group = ChannelState.Create(new ChannelOpened(Guid.CreateVersion7(), ChannelKind.ChatGroup, "Drivers' group", null, "Zalo", [PartnerId], Now, "x"));

        partners.Sample(named =>
        {
            var ids = named.Select(each => each.Partner.Id).ToArray();
            var left = named.Where(each => each.Gone).Select(each => each.Partner).ToArray();
            var opened = Channel.Open(null, new OpenChannel(Guid.CreateVersion7(), ChannelKind.ChatGroup, "G", null, "Zalo", ids, new NamedPartners([], left)), Now, "x");
            var heldBefore = Meeting.Hold(null, new HoldMeeting(MeetingId, Now.AddDays(-1).AddTicks(-1), ids, "Before they left.", new NamedPartners([], left)), Now, "x");
            var heldAfter = Meeting.Hold(null, new HoldMeeting(MeetingId, Now.AddDays(-1), ids, "As they left.", new NamedPartners([], left)), Now, "x");
            var first = named[0];
            var firstNamed = new NamedPartners([], first.Gone ? [first.Partner] : []);
            var added = Channel.AddMember(group, new AddChannelMember(first.Partner.Id, firstNamed), Now, "x");
            var owned = Meeting.AssignActionItem(Held, new AssignActionItem(ItemId, "Survey the gate", first.Partner.Id, firstNamed, Now.AddDays(3)), Now, "x");

            Assert.Equal(left.Length > 0, opened.Rejection?.Kind == RejectionKind.Conflict);
            Assert.All(left, gone => Assert.Contains($"{gone.Name} ({gone.Id})", opened.Rejection!.Title, StringComparison.Ordinal));
            Assert.Equal(left.Length == 0, opened.Events.Count == 1);
            Assert.Single(heldBefore.Events);
            Assert.Equal(left.Length > 0, heldAfter.Rejection?.Kind == RejectionKind.Conflict);
            Assert.Equal(left.Length == 0, heldAfter.Events.Count == 1);
            foreach (var step in new[] { added, owned })
            {
                Assert.Equal(first.Gone, step.Rejection?.Kind == RejectionKind.Conflict);
                Assert.Equal(first.Gone ? 0 : 1, step.Events.Count);
            }
        });
    }

    [Fact]
    public void A_channel_gains_members_one_at_a_time_up_to_the_most_it_is_opened_with_and_no_further()
    {
        var full = Enumerable.Range(0, Partner.MaxPartnerIds).Select(_ => Guid.CreateVersion7()).ToArray();
        var group = ChannelState.Create(new ChannelOpened(Guid.CreateVersion7(), ChannelKind.ChatGroup, "Drivers' group", null, "Zalo", full[..^1], Now, "x"));

        var last = Channel.AddMember(group, new AddChannelMember(full[^1], AllKnown), Now, "x");
        var atTheMost = group.Apply(Assert.IsType<ChannelMemberAdded>(Assert.Single(last.Events)));
        var past = Channel.AddMember(atTheMost, new AddChannelMember(Guid.CreateVersion7(), AllKnown), Now, "x");

        Assert.Equal(Partner.MaxPartnerIds, atTheMost.MemberPartnerIds.Count);
        Assert.Equal(RejectionKind.Conflict, past.Rejection?.Kind);
        Assert.Empty(past.Events);
    }

    [Fact]
    public void An_open_item_past_its_due_date_is_noticed_once_and_a_completed_or_pending_one_never()
    {
        var late = Guid.CreateVersion7();
        var done = Guid.CreateVersion7();
        var meeting = Held
            .Apply(new ActionItemAssigned(MeetingId, ItemId, "Survey the back gate", PartnerId, Now.AddDays(1), Now, "police"))
            .Apply(new ActionItemAssigned(MeetingId, late, "Post signs", PartnerId, Now.AddDays(-1), Now.AddDays(-3), "police"))
            .Apply(new ActionItemAssigned(MeetingId, done, "Fix the lamp", PartnerId, Now.AddDays(-2), Now.AddDays(-3), "police"))
            .Apply(new ActionItemCompleted(MeetingId, done, Now.AddDays(-2), "police"));

        var noticed = Meeting.NoticeOverdue(meeting, new NoticeOverdueItems(), Now, Meeting.Sweeper);

        Assert.Equal([new ActionItemOverdue(MeetingId, late, PartnerId, Now.AddDays(-1), Now, Meeting.Sweeper)], noticed.Events);
        var after = noticed.Events.OfType<ActionItemOverdue>().Aggregate(meeting, (state, overdue) => state.Apply(overdue));
        Assert.Equal(Now, after.ActionItems.Single(item => item.Id == late).OverdueNoticedAt);
        Assert.Empty(Meeting.NoticeOverdue(after, new NoticeOverdueItems(), Now.AddDays(1), Meeting.Sweeper).Events);
        Assert.Single(Meeting.NoticeOverdue(after, new NoticeOverdueItems(), Now.AddDays(2), Meeting.Sweeper).Events);
    }

    [Fact]
    public void An_action_item_has_an_owner_partner_and_a_due_date_and_is_completed_once()
    {
        var assigned = Assert.IsType<ActionItemAssigned>(Assert.Single(
            Meeting.AssignActionItem(Held, new AssignActionItem(ItemId, " Survey the back gate for a camera ", PartnerId, AllKnown, Now.AddDays(20)), Now, "police").Events));
        Assert.Equal(new ActionItemAssigned(MeetingId, ItemId, "Survey the back gate for a camera", PartnerId, Now.AddDays(20), Now, "police"), assigned);
        var meeting = Held.Apply(assigned);
        Assert.False(Assert.Single(meeting.ActionItems).IsOpenPastDueAt(Now));
        Assert.True(Assert.Single(meeting.ActionItems).IsOpenPastDueAt(Now.AddDays(21)));

        var completed = Assert.IsType<ActionItemCompleted>(Assert.Single(Meeting.CompleteActionItem(meeting, new CompleteActionItem(ItemId, null), Now, "police").Events));
        meeting = meeting.Apply(completed);
        Assert.Equal(Now, Assert.Single(meeting.ActionItems).CompletedAt);

        var twice = Meeting.CompleteActionItem(meeting, new CompleteActionItem(ItemId, null), Now, "police");
        Assert.Equal(RejectionKind.Conflict, twice.Rejection?.Kind);
        Assert.Contains("already completed", twice.Rejection!.Title, StringComparison.Ordinal);
        Assert.Equal(RejectionKind.PartNotFound, Meeting.CompleteActionItem(meeting, new CompleteActionItem(Guid.CreateVersion7(), null), Now, "x").Rejection?.Kind);
    }

    [Fact]
    public void An_action_item_needs_text_a_known_owner_and_a_due_date_not_before_the_meeting()
    {
        var bad = Meeting.AssignActionItem(Held, new AssignActionItem(ItemId, " ", PartnerId, new NamedPartners([PartnerId], []), HeldAt.AddDays(-1)), Now, "x");
        var noDue = Meeting.AssignActionItem(Held, new AssignActionItem(ItemId, "Do it", null, AllKnown, null), Now, "x");
        var meeting = Held.Apply(new ActionItemAssigned(MeetingId, ItemId, "Do it", PartnerId, Now, Now, "x"));

        Assert.Equal(["dueAt", "ownerPartnerId", "text"], bad.Rejection!.Errors!.Keys.Order());
        Assert.Equal(["dueAt", "ownerPartnerId"], noDue.Rejection!.Errors!.Keys.Order());
        Assert.Equal(["at"], Meeting.CompleteActionItem(meeting, new CompleteActionItem(ItemId, Now.AddDays(1)), Now, "x").Rejection!.Errors!.Keys);
        Assert.Equal(["at"], Meeting.CompleteActionItem(meeting, new CompleteActionItem(ItemId, HeldAt.AddDays(-1)), Now, "x").Rejection!.Errors!.Keys);
    }

    [Fact]
    public void An_outreach_session_at_a_school_lists_its_topics_once_and_its_attendees()
    {
        var sessionId = Guid.CreateVersion7();

        var decision = Activities.HoldOutreach(null, new HoldOutreachSession(sessionId, School, [OutreachTopic.Drugs, OutreachTopic.Drugs, OutreachTopic.TrafficSafety], 320, HeldAt), Now, "police");

        var held = Assert.IsType<OutreachSessionHeld>(Assert.Single(decision.Events));
        Assert.Equal((sessionId, PartnerId, 320, HeldAt, "police"), (held.SessionId, held.PartnerId, held.Attendees, held.At, held.By));
        Assert.Equal([OutreachTopic.Drugs, OutreachTopic.TrafficSafety], held.Topics);
    }

    [Fact]
    public void Activities_need_a_partner_in_the_linkage_real_counts_and_a_past_date()
    {
        var gone = School.Apply(new PartnerLeft(PartnerId, "merged", Now, "x"));

        Assert.Equal(RejectionKind.NotFound, Activities.HoldOutreach(null, new HoldOutreachSession(Guid.CreateVersion7(), null, [OutreachTopic.Other], 1, HeldAt), Now, "x").Rejection?.Kind);
        Assert.Equal(RejectionKind.Conflict, Activities.HoldIdCardDrive(null, new HoldIdCardDrive(Guid.CreateVersion7(), gone, 10, HeldAt), Now, "x").Rejection?.Kind);
        Assert.Equal(
            ["at", "attendees", "topics"],
            Activities.HoldOutreach(null, new HoldOutreachSession(Guid.CreateVersion7(), School, [], 0, Now.AddDays(2)), Now, "x").Rejection!.Errors!.Keys.Order());
        Assert.Equal(["at", "cardsIssued"], Activities.HoldIdCardDrive(null, new HoldIdCardDrive(Guid.CreateVersion7(), School, null, null), Now, "x").Rejection!.Errors!.Keys.Order());
    }

    [Fact]
    public void A_meeting_and_each_activity_is_recorded_once()
    {
        var outreach = OutreachSessionState.Create(new OutreachSessionHeld(Guid.CreateVersion7(), PartnerId, [OutreachTopic.Drugs], 10, HeldAt, "x"));
        var drive = IdCardDriveState.Create(new IdCardDriveHeld(Guid.CreateVersion7(), PartnerId, 10, HeldAt, "x"));
        var signs = WarningSignsState.Create(new WarningSignsPosted(Guid.CreateVersion7(), Gate.Id, PartnerId, 4, null, HeldAt, "x"));

        AssertConflict(Meeting.Hold(Held, new HoldMeeting(MeetingId, HeldAt, [PartnerId], "Minutes", AllKnown), Now, "x"));
        AssertConflict(Activities.HoldOutreach(outreach, new HoldOutreachSession(outreach.Id, School, [OutreachTopic.Drugs], 10, HeldAt), Now, "x"));
        AssertConflict(Activities.HoldIdCardDrive(drive, new HoldIdCardDrive(drive.Id, School, 10, HeldAt), Now, "x"));
        AssertConflict(Activities.PostWarningSigns(signs, new PostWarningSigns(signs.Id, PartnerId, Gate, 4, null, HeldAt, School), Now, "x"));
    }

    /// <summary>"A partner that left takes no more changes (409)": neither on its own record nor a new one of it or its sites.</summary>
    [Fact]
    public void A_partner_that_left_takes_no_more_changes_nor_new_records()
    {
        var left = School.Apply(new PartnerLeft(PartnerId, "Closed.", Now.AddDays(-1), "x"));
        var decisions = new Dictionary<string, Decision>
        {
            ["rename"] = Partner.Rename(left, new RenamePartner("Another name"), Now, "x"),
            ["kind"] = Partner.ChangeKind(left, new ChangePartnerKind(PartnerKind.Other), Now, "x"),
            ["agreement"] = Agreement.Sign(left, new SignAgreement(HeldAt, [LinkageDuty.JointPatrols]), Now, "x"),
            ["duty met"] = Agreement.MeetDuty(
                School.Apply(new AgreementSigned(PartnerId, HeldAt, [LinkageDuty.JointPatrols], HeldAt, "x")).Apply(new PartnerLeft(PartnerId, "Closed.", Now.AddDays(-1), "x")),
                new MeetDuty(LinkageDuty.JointPatrols, ["https://x.example/a"], null),
                Now,
                "x"),
            ["contact"] = Agreement.AddContact(left, new AddContact(Guid.CreateVersion7(), "Security desk", "Lê Văn A", "0901234567"), Now, "x"),
            ["site"] = Site.Register(null, new RegisterSite(Guid.CreateVersion7(), PartnerId, left, "Back gate", SiteKind.Gate, 19.8, 105.77), Now, "x"),
            ["outreach"] = Activities.HoldOutreach(null, new HoldOutreachSession(Guid.CreateVersion7(), left, [OutreachTopic.Drugs], 10, HeldAt), Now, "x"),
            ["ID-card drive"] = Activities.HoldIdCardDrive(null, new HoldIdCardDrive(Guid.CreateVersion7(), left, 10, HeldAt), Now, "x"),
            ["warning signs"] = Activities.PostWarningSigns(null, new PostWarningSigns(Guid.CreateVersion7(), PartnerId, Gate, 4, null, HeldAt, left), Now, "x"),
            ["camera survey"] = Camera.Survey(null, new SurveyCamera(Guid.CreateVersion7(), PartnerId, Gate, "Over the gate", HeldAt, left), Now, "x"),
        };

        Assert.All(decisions, decision =>
        {
            Assert.True(decision.Value.Rejection?.Kind == RejectionKind.Conflict, $"{decision.Key}: {decision.Value.Rejection?.Kind.ToString() ?? "accepted"}");
            Assert.Empty(decision.Value.Events);
        });
    }

    [Fact]
    public void An_ID_card_drive_records_the_cards_issued()
    {
        var driveId = Guid.CreateVersion7();

        Assert.Equal(new IdCardDriveHeld(driveId, PartnerId, 1200, HeldAt, "police"), Assert.Single(Activities.HoldIdCardDrive(null, new HoldIdCardDrive(driveId, School, 1200, HeldAt), Now, "police").Events));
    }

    [Fact]
    public void Warning_signs_are_posted_at_a_site_of_the_partner_that_is_not_retired()
    {
        var postingId = Guid.CreateVersion7();

        Assert.Equal(
            new WarningSignsPosted(postingId, Gate.Id, PartnerId, 4, "Lock your motorbike", HeldAt, "x"),
            Assert.Single(Activities.PostWarningSigns(null, new PostWarningSigns(postingId, PartnerId, Gate, 4, " Lock your motorbike ", HeldAt, School), Now, "x").Events));
        Assert.Equal(RejectionKind.NotFound, Activities.PostWarningSigns(null, new PostWarningSigns(postingId, Guid.CreateVersion7(), Gate, 4, null, HeldAt, School), Now, "x").Rejection?.Kind);
        Assert.Equal(RejectionKind.Conflict, Activities.PostWarningSigns(null, new PostWarningSigns(postingId, PartnerId, Gate with { RetiredAt = Now }, 4, null, HeldAt, School), Now, "x").Rejection?.Kind);
        Assert.Equal(["count"], Activities.PostWarningSigns(null, new PostWarningSigns(postingId, PartnerId, Gate, 0, null, HeldAt, School), Now, "x").Rejection!.Errors!.Keys);
    }

    /// <summary>An action item of a meeting recorded by a client whose clock runs ahead is completed without a time at once, dated no earlier than the meeting.</summary>
    [Fact]
    public void An_item_completed_without_a_time_is_never_refused_on_it_whenever_its_meeting_was()
    {
        Gen.Long[0, WardTime.ClockSkew.Ticks].Sample(ahead =>
        {
            var heldAt = Now.AddTicks(ahead);
            var meeting = MeetingState.Create(new MeetingHeld(MeetingId, heldAt, [PartnerId], "Reviewed May.", Now, "ward-committee"))
                .Apply(new ActionItemAssigned(MeetingId, ItemId, "Survey the back gate", PartnerId, Now.AddDays(1), Now, "police"));
            var decision = Meeting.CompleteActionItem(meeting, new CompleteActionItem(ItemId, null), Now, "police");

            Assert.True(decision.Rejection is null, $"refused without a time: {decision.Rejection?.Errors?.Keys.FirstOrDefault()}");
            Assert.Equal(heldAt, Assert.IsType<ActionItemCompleted>(Assert.Single(decision.Events)).At);
        });
    }
}
