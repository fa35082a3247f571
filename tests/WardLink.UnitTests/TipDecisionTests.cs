using CsCheck;
using WardLink.Contracts;
using WardLink.Contracts.Incidents;
using WardLink.Domain;
using WardLink.Tips;
using static WardLink.UnitTests.DecisionAssert;
using SecurityCategory = WardLink.Contracts.Tips.SecurityCategory;

namespace WardLink.UnitTests;

public sealed class TipDecisionTests
{
    private static readonly DateTimeOffset Now = new(2024, 3, 14, 21, 30, 0, TimeSpan.FromHours(7));
    private static readonly Guid TipId = Guid.Parse("0193b5a0-0000-7000-8000-000000000042");
    private const string Number = "TIP-2024-0042";

    private const string Desk = "police-desk";
    private static readonly RecordingWard Ward = new("quang-thang");

    /// <summary>
    /// Whatever channel a tip names, sent by a partner or not: a partner's is taken only through the partner's channel (else a
    /// 400 naming <c>channel</c>, nothing recorded), anyone else's as it says.
    /// </summary>
    [Fact]
    public void A_partners_tip_is_taken_only_through_the_partner_channel() =>
        AssertPartnerSaysOnly<TipChannel, TipReceived>(
            (channel, fromPartner) => Tip.Receive(null, ValidCommand() with { Channel = channel, SubmittedByPartner = fromPartner ? Guid.CreateVersion7() : null }, Now, Desk),
            TipChannel.Partner,
            "channel",
            received => received.Channel);

    private static ReceiveTip ValidCommand() => new(
        TipChannel.Hotline,
        SecurityCategory.Theft,
        "  Two men trying car doors in the Obstetrics hospital car park.  ",
        new Place(null, " Obstetrics hospital car park ", null, null),
        Now.AddMinutes(-20),
        null)
    {
        TipId = TipId,
        Number = Number,
        SiteWard = Ward.Id,
        Ward = Ward,
    };

    [Fact]
    public void A_valid_tip_is_received_with_trimmed_text()
    {
        var decision = Tip.Receive(null, ValidCommand(), Now, Desk);

        Assert.True(decision.IsAccepted);
        var received = Assert.IsType<TipReceived>(Assert.Single(decision.Events));
        Assert.Equal(
            new TipReceived(
                TipId,
                Number,
                TipChannel.Hotline,
                SecurityCategory.Theft,
                "Two men trying car doors in the Obstetrics hospital car park.",
                new Place(null, "Obstetrics hospital car park", null, null),
                Now.AddMinutes(-20),
                Desk),
            received);
    }

    [Fact]
    public void A_tip_at_a_known_site_needs_no_description_of_the_place()
    {
        var siteId = Guid.Parse("0193b5a0-0000-7000-8000-00000000a001");
        var decision = Tip.Receive(null, ValidCommand() with { Place = new Place(siteId, null, null, null) }, Now, Desk);

        var received = Assert.IsType<TipReceived>(Assert.Single(decision.Events));
        Assert.Equal(siteId, received.Place.SiteId);
    }

    [Fact]
    public void A_tip_logged_later_may_have_been_received_in_the_past()
    {
        var decision = Tip.Receive(null, ValidCommand() with { ReceivedAt = Now.AddDays(-3) }, Now, Desk);

        Assert.Equal(Now.AddDays(-3), Assert.IsType<TipReceived>(Assert.Single(decision.Events)).ReceivedAt);
    }

    [Fact]
    public void A_tip_received_in_the_future_is_refused()
    {
        var decision = Tip.Receive(null, ValidCommand() with { ReceivedAt = Now.AddHours(1) }, Now, Desk);

        AssertInvalid(decision, "receivedAt");
    }

    [Fact]
    public void A_clock_a_little_ahead_of_ours_is_tolerated()
    {
        var decision = Tip.Receive(null, ValidCommand() with { ReceivedAt = Now.AddSeconds(30) }, Now, Desk);

        Assert.True(decision.IsAccepted);
    }

    [Fact]
    public void Missing_fields_are_all_reported_at_once()
    {
        var command = new ReceiveTip(null, null, " ", null, null, null) { TipId = TipId, Number = Number, SiteWard = Ward.Id, Ward = Ward };

        var decision = Tip.Receive(null, command, Now, Desk);

        AssertInvalid(decision, "channel", "category", "description", "receivedAt", "place");
    }

    /// <summary>
    /// Any latitude and longitude, each left out, in range or out of it: the place is refused exactly when one is out of its range
    /// or left out while the other is given, naming that one (<c>place.latitude</c>, <c>place.longitude</c>), and nothing else.
    /// </summary>
    [Fact]
    public void Coordinates_must_be_a_real_point_and_the_one_wrong_or_left_out_is_named()
    {
        var latitude = Gen.OneOf(Gen.Const((double?)null), Gen.Double[-90, 90].Select(value => (double?)value), Gen.Double[90.000001, 1e6].Select(value => (double?)value), Gen.Double[-1e6, -90.000001].Select(value => (double?)value));
        var longitude = Gen.OneOf(Gen.Const((double?)null), Gen.Double[-180, 180].Select(value => (double?)value), Gen.Double[180.000001, 1e6].Select(value => (double?)value), Gen.Double[-1e6, -180.000001].Select(value => (double?)value));
        Gen.Select(latitude, longitude).Sample((lat, lon) =>
        {
            var decision = Tip.Receive(null, ValidCommand() with { Place = new Place(null, "gate", lat, lon) }, Now, Desk);
            var named = new[]
            {
                (lat is null && lon is not null) || lat is < -90 or > 90 ? "place.latitude" : null,
                (lon is null && lat is not null) || lon is < -180 or > 180 ? "place.longitude" : null,
            }.OfType<string>().ToArray();

            if (named.Length == 0)
            {
                Assert.True(decision.IsAccepted);
            }
            else
            {
                AssertInvalid(decision, named);
            }
        });
    }

    [Fact]
    public void An_empty_site_id_is_refused()
    {
        var decision = Tip.Receive(null, ValidCommand() with { Place = new Place(Guid.Empty, "gate", null, null) }, Now, Desk);

        AssertInvalid(decision, "place.siteId");
    }

    [Fact]
    public void A_description_longer_than_the_limit_is_refused()
    {
        var decision = Tip.Receive(null, ValidCommand() with { Description = new string('x', Tip.MaxDescriptionLength + 1) }, Now, Desk);

        AssertInvalid(decision, "description");
    }

    [Fact]
    public void The_same_tip_cannot_be_received_twice()
    {
        var existing = TipState.Create(Assert.IsType<TipReceived>(Assert.Single(Tip.Receive(null, ValidCommand(), Now, Desk).Events)));

        var decision = Tip.Receive(existing, ValidCommand(), Now, Desk);

        Assert.Equal(RejectionKind.Conflict, decision.Rejection?.Kind);
        Assert.Empty(decision.Events);
    }

    [Fact]
    public void A_tip_at_a_site_missing_from_the_directory_is_refused()
    {
        var place = new Place(Guid.Parse("0193b5a0-0000-7000-8000-00000000a001"), null, null, null);

        var decision = Tip.Receive(null, ValidCommand() with { Place = place, SiteWard = null }, Now, Desk);

        AssertInvalid(decision, "place.siteId");
    }

    [Fact]
    public void A_tip_at_a_site_of_another_ward_is_refused_naming_that_ward()
    {
        var decision = Tip.Receive(null, ValidCommand() with { Place = new Place(Guid.Parse("0193b5a0-0000-7000-8000-00000000a001"), null, null, null), SiteWard = "dong-quang" }, Now, Desk);

        AssertInvalid(decision, "place.siteId");
        Assert.Contains("ward 'dong-quang'", decision.Rejection!.Errors!["place.siteId"][0], StringComparison.Ordinal);
    }

    [Fact]
    public void A_tip_received_from_the_day_its_ward_was_merged_is_refused_naming_the_successor()
    {
        var merged = new RecordingWard(Ward.Id, DateOnly.FromDateTime(Now.Date), "dong-quang");

        AssertInvalid(Tip.Receive(null, ValidCommand() with { Ward = merged }, Now, Desk), "receivedAt");
        Assert.True(Tip.Receive(null, ValidCommand() with { Ward = merged, ReceivedAt = new DateTimeOffset(Now.Date, Now.Offset).AddTicks(-1) }, Now, Desk).IsAccepted);
    }

    [Fact]
    public void The_contact_never_enters_the_event()
    {
        var command = ValidCommand() with { Contact = new ContactDetails("Nguyễn Văn Test", "+84 912 000 111", null) };

        var received = Assert.IsType<TipReceived>(Assert.Single(Tip.Receive(null, command, Now, Desk).Events));

        Assert.Equal(Tip.Receive(null, ValidCommand(), Now, Desk).Events.Single(), received);
    }

    [Theory]
    [InlineData(null, null, null)]
    [InlineData("", null, null)]
    [InlineData(" ", null, null)]
    public void An_empty_contact_is_refused(string? name, string? phone, string? email)
    {
        var decision = Tip.Receive(null, ValidCommand() with { Contact = new ContactDetails(name, phone, email) }, Now, Desk);

        AssertInvalid(decision, "contact");
    }

    /// <summary>A contact of blank texts alone says nothing, and its phone and email, given, are no phone and no email.</summary>
    [Fact]
    public void A_contact_of_blank_texts_alone_is_refused_as_empty_its_phone_and_email_as_out_of_their_format()
    {
        var decision = Tip.Receive(null, ValidCommand() with { Contact = new ContactDetails(string.Empty, " ", string.Empty) }, Now, Desk);

        AssertInvalid(decision, "contact", "contact.phone", "contact.email");
    }

    [Theory]
    [InlineData("+84 abc", null, "contact.phone")]
    [InlineData("12345", null, "contact.phone")]
    [InlineData("+84 1234 5678 9012 3456 789", null, "contact.phone")]
    [InlineData(null, "not-an-email", "contact.email")]
    [InlineData(null, "two words@example.org", "contact.email")]
    public void A_contact_phone_or_email_out_of_its_format_is_refused(string? phone, string? email, string field)
    {
        var decision = Tip.Receive(null, ValidCommand() with { Contact = new ContactDetails("Test", phone, email) }, Now, Desk);

        AssertInvalid(decision, field);
    }

    public static TheoryData<string?, string?, string> EmptyOrBlankPhonesAndEmails => new()
    {
        { string.Empty, null, "contact.phone" },
        { "   ", null, "contact.phone" },
        { new string(' ', ContactFormats.MaxPhoneLength + 1), null, "contact.phone" },
        { null, string.Empty, "contact.email" },
        { null, "\n", "contact.email" },
        { null, new string(' ', ContactFormats.MaxEmailLength + 1), "contact.email" },
    };

    /// <summary>A phone or an email is left out as null; one given, even empty or blank, is held to its pattern and length.</summary>
    [Theory]
    [MemberData(nameof(EmptyOrBlankPhonesAndEmails))]
    public void A_contact_phone_or_email_given_empty_or_blank_is_refused_as_out_of_its_format(string? phone, string? email, string field)
    {
        var decision = Tip.Receive(null, ValidCommand() with { Contact = new ContactDetails("Test", phone, email) }, Now, Desk);

        AssertInvalid(decision, field);
    }

    [Fact]
    public void A_tip_is_assessed_with_verdict_reason_officer_and_time()
    {
        var decision = Tip.Assess(Received(), new AssessTip(Verdict: TipVerdict.Valuable, DuplicateOf: null, Reason: " Plates match a stolen car. "), Now, "officer-lan");

        Assert.Equal(new TipAssessed(TipId, TipVerdict.Valuable, null, "Plates match a stolen car.", Now, "officer-lan"), Assert.Single(decision.Events));
    }

    [Fact]
    public void A_reassessment_with_another_verdict_is_a_new_event()
    {
        var assessed = Received().Apply(new TipAssessed(TipId, TipVerdict.NotValuable, null, "vague", Now, "officer-lan"));

        var decision = Tip.Assess(assessed, new AssessTip(Verdict: TipVerdict.Valuable, DuplicateOf: null, Reason: "Second caller confirmed it."), Now, "officer-minh");

        Assert.Equal(TipVerdict.Valuable, Assert.IsType<TipAssessed>(Assert.Single(decision.Events)).Verdict);
    }

    [Fact]
    public void Assessing_with_the_current_verdict_is_a_conflict()
    {
        var assessed = Received().Apply(new TipAssessed(TipId, TipVerdict.Prank, null, "joke", Now, "officer-lan"));

        var decision = Tip.Assess(assessed, new AssessTip(Verdict: TipVerdict.Prank, DuplicateOf: null, Reason: "still a joke"), Now, "officer-lan");

        AssertConflict(decision);
        Assert.EndsWith("is already assessed as prank.", decision.Rejection!.Title, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(TipVerdict.Duplicate, null, true, "duplicateOf")]
    [InlineData(TipVerdict.Duplicate, "0193b5a0-0000-7000-8000-000000000099", false, "duplicateOf")]
    [InlineData(TipVerdict.Duplicate, "0193b5a0-0000-7000-8000-000000000042", true, "duplicateOf")]
    [InlineData(TipVerdict.Valuable, "0193b5a0-0000-7000-8000-000000000099", true, "duplicateOf")]
    [InlineData(null, null, false, "verdict")]
    public void A_duplicate_names_another_existing_tip_and_only_a_duplicate_does(TipVerdict? verdict, string? original, bool originalExists, string field)
    {
        var command = new AssessTip(Verdict: verdict, DuplicateOf: original is null ? null : Guid.Parse(original), Reason: "reason") { OriginalExists = originalExists };

        AssertInvalid(Tip.Assess(Received(), command, Now, "officer-lan"), field);
    }

    [Fact]
    public void A_duplicate_of_an_existing_tip_is_accepted()
    {
        var original = Guid.Parse("0193b5a0-0000-7000-8000-000000000099");

        var decision = Tip.Assess(Received(), new AssessTip(Verdict: TipVerdict.Duplicate, DuplicateOf: original, Reason: "Same car, same night.") { OriginalExists = true }, Now, "officer-lan");

        Assert.Equal(original, Assert.IsType<TipAssessed>(Assert.Single(decision.Events)).DuplicateOf);
    }

    [Fact]
    public void Assessing_needs_a_reason()
    {
        AssertInvalid(Tip.Assess(Received(), new AssessTip(Verdict: TipVerdict.Valuable, DuplicateOf: null, Reason: " "), Now, "officer-lan"), "reason");
    }

    [Fact]
    public void A_valuable_tip_is_referred_to_a_new_incident_with_what_incidents_needs()
    {
        var newIncident = Guid.Parse("0193b5a0-0000-7000-8000-0000000000e1");

        var decision = Tip.Refer(Valuable(), new ReferTip(null) { NewIncidentId = newIncident }, Now, "officer-lan");

        var referred = Assert.IsType<TipReferred>(Assert.Single(decision.Events));
        Assert.Equal(
            new TipReferred(TipId, Number, newIncident, true, SecurityCategory.Theft, "Two men trying car doors in the Obstetrics hospital car park.", new Place(null, "Obstetrics hospital car park", null, null), Now.AddMinutes(-20), Now, "officer-lan"),
            referred);
    }

    [Fact]
    public void A_valuable_tip_is_referred_to_an_existing_incident()
    {
        var existing = Guid.Parse("0193b5a0-0000-7000-8000-0000000000e2");

        var referred = Assert.IsType<TipReferred>(Assert.Single(Tip.Refer(Valuable(), new ReferTip(existing) { NewIncidentId = Guid.CreateVersion7(), IncidentKnown = true }, Now, "officer-lan").Events));

        Assert.Equal(existing, referred.IncidentId);
        Assert.False(referred.OpensNewIncident);
    }

    [Fact]
    public void A_tip_is_not_referred_to_an_incident_tips_has_not_heard_of()
    {
        var decision = Tip.Refer(Valuable(), new ReferTip(Guid.CreateVersion7()) { NewIncidentId = Guid.CreateVersion7(), IncidentKnown = false }, Now, "officer-lan");

        AssertInvalid(decision, "incidentId");
        Assert.Empty(decision.Events);
    }

    [Fact]
    public void A_tip_that_is_not_valuable_or_already_referred_is_not_referred()
    {
        var notValuable = Received().Apply(new TipAssessed(TipId, TipVerdict.NotValuable, null, "vague", Now, "officer-lan"));
        var referred = Valuable().Apply(new TipReferred(TipId, Number, Guid.CreateVersion7(), true, SecurityCategory.Theft, "d", new Place(null, "p", null, null), Now, Now, "officer-lan"));

        AssertConflict(Tip.Refer(Received(), new ReferTip(null) { NewIncidentId = Guid.CreateVersion7() }, Now, "officer-lan"));
        AssertConflict(Tip.Refer(notValuable, new ReferTip(null) { NewIncidentId = Guid.CreateVersion7() }, Now, "officer-lan"));
        AssertConflict(Tip.Refer(referred, new ReferTip(null) { NewIncidentId = Guid.CreateVersion7() }, Now, "officer-lan"));
        AssertConflict(Tip.Assess(referred, new AssessTip(Verdict: TipVerdict.Prank, DuplicateOf: null, Reason: "changed mind"), Now, "officer-lan"));
    }

    [Fact]
    public void An_incident_outcome_is_recorded_once_and_ignored_for_unknown_tips()
    {
        var resolved = new IncidentResolved(Guid.CreateVersion7(), "INC-2024-0007", IncidentClassification.Criminal, IncidentOutcome.CriminalCaseSolved, [TipId], Now);

        var recorded = Assert.IsType<TipOutcomeRecorded>(Assert.Single(Tip.RecordOutcome(Valuable(), resolved).Events));
        var withOutcome = Valuable().Apply(recorded);

        Assert.Equal(IncidentOutcome.CriminalCaseSolved, recorded.Outcome);
        Assert.Equal(Number, recorded.TipNumber);
        Assert.Null(recorded.SubmittedByPartner);
        Assert.Equal(TipStatus.Resolved, withOutcome.Status);
        Assert.Empty(Tip.RecordOutcome(withOutcome, resolved).Events);
        Assert.Empty(Tip.RecordOutcome(null, resolved).Events);
        Assert.True(Tip.RecordOutcome(null, resolved).IsAccepted);
    }

    [Fact]
    public void A_referral_and_an_outcome_name_the_partner_that_submitted_the_tip_so_it_can_be_told()
    {
        var partner = Guid.CreateVersion7();
        var fromPartner = Valuable() with { SubmittedByPartner = partner };
        var resolved = new IncidentResolved(Guid.CreateVersion7(), "INC-2024-0007", IncidentClassification.Criminal, IncidentOutcome.CriminalCaseSolved, [TipId], Now);

        var referred = Assert.IsType<TipReferred>(Assert.Single(Tip.Refer(fromPartner, new ReferTip(null) { NewIncidentId = Guid.CreateVersion7() }, Now, "officer-lan").Events));
        var recorded = Assert.IsType<TipOutcomeRecorded>(Assert.Single(Tip.RecordOutcome(fromPartner, resolved).Events));

        Assert.Equal(partner, referred.SubmittedByPartner);
        Assert.Equal(partner, recorded.SubmittedByPartner);
    }

    [Fact]
    public void A_message_needs_text_within_the_limit()
    {
        var messageId = Guid.CreateVersion7();

        var posted = Tip.PostMessage(Received(), new PostTipMessage(" It happened again. ") { MessageId = messageId, Author = MessageAuthor.Tipster }, Now, "tipster");

        Assert.Equal(new TipMessagePosted(TipId, messageId, MessageAuthor.Tipster, "It happened again.", Now, "tipster"), Assert.Single(posted.Events));
        AssertInvalid(Tip.PostMessage(Received(), new PostTipMessage(new string('x', Tip.MaxMessageLength + 1)) { MessageId = messageId, Author = MessageAuthor.Police }, Now, "officer-lan"), "text");
        AssertInvalid(Tip.PostMessage(Received(), new PostTipMessage("") { MessageId = messageId, Author = MessageAuthor.Police }, Now, "officer-lan"), "text");
    }

    [Fact]
    public void A_tipster_s_message_is_refused_exactly_when_the_thread_ends_in_as_many_of_theirs_in_a_row_as_may_await_a_reply()
    {
        // Any thread, ending in a run of the tipster's messages of any length around the bound.
        Gen.Select(Gen.Bool.Array[0, 2 * Tip.MaxUnansweredMessages], Gen.Int[0, 2 * Tip.MaxUnansweredMessages]).Sample((thread, run) =>
        {
            var byTipster = thread.Concat(Enumerable.Repeat(true, run)).ToArray();
            var tip = byTipster.Aggregate(Received(), (thread, tipster) => thread.Apply(
                new TipMessagePosted(TipId, Guid.CreateVersion7(), tipster ? MessageAuthor.Tipster : MessageAuthor.Police, "Any news?", Now, tipster ? "tipster" : "officer-lan")));
            var inARow = byTipster.Reverse().TakeWhile(tipster => tipster).Count();

            var tipsters = Tip.PostMessage(tip, new PostTipMessage("More.") { MessageId = Guid.CreateVersion7(), Author = MessageAuthor.Tipster }, Now, "tipster");
            var police = Tip.PostMessage(tip, new PostTipMessage("Thank you.") { MessageId = Guid.CreateVersion7(), Author = MessageAuthor.Police }, Now, "officer-lan");

            Assert.Equal(inARow >= Tip.MaxUnansweredMessages ? RejectionKind.Conflict : null, tipsters.Rejection?.Kind);
            Assert.True(police.IsAccepted);
        });
    }

    /// <summary>A message that is no message is refused naming its text, whether or not the thread is at the cap: it could never be sent.</summary>
    [Fact]
    public void A_tipster_s_message_without_text_or_too_long_is_refused_naming_text_even_at_the_cap()
    {
        var awaiting = Enumerable.Range(0, Tip.MaxUnansweredMessages).Aggregate(Received(), (tip, _) => tip.Apply(
            new TipMessagePosted(TipId, Guid.CreateVersion7(), MessageAuthor.Tipster, "Any news?", Now, "tipster")));

        foreach (var text in new[] { string.Empty, " ", new string('x', Tip.MaxMessageLength + 1) })
        {
            AssertInvalid(Tip.PostMessage(awaiting, new PostTipMessage(text) { MessageId = Guid.CreateVersion7(), Author = MessageAuthor.Tipster }, Now, "tipster"), "text");
        }
    }

    /// <summary>
    /// Any run of messages, keyed or not, with keys used again (by the same author or the other, with the same text or another): a
    /// message under a key the thread keeps is answered as a replay when it is what that key posted, refused as a key reused
    /// otherwise, and never posted twice; every other message is posted, its key kept.
    /// </summary>
    [Fact]
    public void A_message_whose_key_the_thread_keeps_is_a_replay_of_what_it_posted_or_a_key_reused_never_a_second_message()
    {
        var sends = Gen.Select(Gen.Bool, Gen.OneOf(Gen.Const((string?)null), Gen.Const<string?>("k1"), Gen.Const<string?>("k2"), Gen.Const<string?>("k3")), Gen.OneOf(Gen.Const("Any news?"), Gen.Const(" Any news? "), Gen.Const("It happened again.")));
        sends.Array[1, Tip.MaxUnansweredMessages - 1].Sample(run =>
        {
            var tip = Received();
            var posted = new Dictionary<string, (MessageAuthor Author, string Text)>();
            foreach (var (tipster, key, text) in run)
            {
                var author = tipster ? MessageAuthor.Tipster : MessageAuthor.Police;
                var decision = Tip.PostMessage(tip, new PostTipMessage(text) { MessageId = Guid.CreateVersion7(), Author = author, Key = key }, Now, tipster ? "tipster" : "officer-lan");
                if (key is not null && posted.TryGetValue(key, out var first))
                {
                    var same = first == (author, text.Trim());
                    Assert.Equal(same, decision.Replayed);
                    Assert.Equal(same ? null : RejectionKind.KeyReused, decision.Rejection?.Kind);
                    Assert.Empty(decision.Events);
                    continue;
                }

                var message = Assert.IsType<TipMessagePosted>(Assert.Single(decision.Events));
                Assert.False(decision.Replayed);
                Assert.Equal(key, message.Key);
                tip = tip.Apply(message);
                if (key is not null)
                {
                    posted[key] = (author, text.Trim());
                }
            }

            Assert.Equal(run.Count(send => send.Item2 is null) + posted.Count, tip.Messages.Count);
        });
    }

    [Fact]
    public void Reading_or_erasing_a_contact_is_recorded_without_the_contact()
    {
        Assert.Equal(new TipContactRead(TipId, Now, "officer-lan"), Assert.Single(Tip.ReadContact(Received(), new ReadTipsterContact(true), Now, "officer-lan").Events));
        Assert.Equal(new TipContactErased(TipId, Now, "officer-lan"), Assert.Single(Tip.EraseContact(Received(), new EraseTipsterContact(true), Now, "officer-lan").Events));
        Assert.Equal(RejectionKind.PartNotFound, Tip.ReadContact(Received(), new ReadTipsterContact(false), Now, "officer-lan").Rejection?.Kind);
        Assert.Equal(RejectionKind.PartNotFound, Tip.EraseContact(Received(), new EraseTipsterContact(false), Now, "officer-lan").Rejection?.Kind);

        // A contact that does not open is read by nobody: no read recorded; an erased one is none to read whether or not it would.
        var unopened = Tip.ReadContact(Received(), new ReadTipsterContact(true, Opens: false), Now, "officer-lan");
        Assert.Equal((RejectionKind.Conflict, 0), (unopened.Rejection?.Kind, unopened.Events.Count));
        Assert.Equal(RejectionKind.PartNotFound, Tip.ReadContact(Received().Apply(new TipContactErased(TipId, Now, "officer-hoa")), new ReadTipsterContact(true, Opens: false), Now, "officer-lan").Rejection?.Kind);
    }

    /// <summary>
    /// A read that found the contact's record before it was erased decides on the tip as it stands after the erasure:
    /// the contact is gone, whatever the read found. An erasure, which reads whether the record is there in its turn (so a
    /// second erasure at once finds none), erases a record that is there whatever the state says (one put back in the database
    /// after an erasure: the p-insider probe's, which no step could remove), and finds none to erase once it is gone.
    /// </summary>
    [Fact]
    public void An_erased_contact_is_no_contact_to_read_even_to_a_step_that_found_its_record_and_a_record_put_back_is_erased_again()
    {
        var erased = Received().Apply(new TipContactErased(TipId, Now, "officer-hoa"));

        Assert.Equal(RejectionKind.PartNotFound, Tip.ReadContact(erased, new ReadTipsterContact(true), Now, "officer-lan").Rejection?.Kind);
        Assert.IsType<TipContactErased>(Assert.Single(Tip.EraseContact(erased, new EraseTipsterContact(true), Now, "officer-lan").Events));
        Assert.Equal(RejectionKind.PartNotFound, Tip.EraseContact(erased, new EraseTipsterContact(false), Now, "officer-lan").Rejection?.Kind);
    }

    [Fact]
    public void Every_tip_event_names_its_business_time_and_actor_under_its_stored_names()
    {
        var incident = Guid.Parse("0193b5a0-0000-7000-8000-0000000000e1");
        var place = new Place(null, "gate", null, null);
        var received = Now.AddHours(-3);
        var events = new (object Event, DateTimeOffset At, string By)[]
        {
            (new TipReceived(TipId, Number, TipChannel.Hotline, SecurityCategory.Theft, "d", place, received, Desk), received, Desk),
            (new TipAssessed(TipId, TipVerdict.Valuable, null, "r", Now.AddHours(-2), "officer-lan"), Now.AddHours(-2), "officer-lan"),
            (new TipReferred(TipId, Number, incident, true, SecurityCategory.Theft, "d", place, received, Now.AddHours(-1), "officer-minh"), Now.AddHours(-1), "officer-minh"),
            (new TipOutcomeRecorded(TipId, incident, "INC-2024-0001", IncidentClassification.Criminal, IncidentOutcome.CriminalCaseSolved, Now), Now, Tip.IncidentsActor),
            (new TipOutcomeWithdrawn(TipId, incident, Now.AddMinutes(5)), Now.AddMinutes(5), Tip.IncidentsActor),
            (new TipReferralWithdrawn(TipId, incident, Now.AddMinutes(5)), Now.AddMinutes(5), Tip.IncidentsActor),
            (new TipMessagePosted(TipId, Guid.CreateVersion7(), MessageAuthor.Tipster, "t", Now.AddMinutes(6), "tipster"), Now.AddMinutes(6), "tipster"),
            (new TipContactRead(TipId, Now.AddMinutes(7), "officer-lan"), Now.AddMinutes(7), "officer-lan"),
            (new TipContactErased(TipId, Now.AddMinutes(8), "officer-hoa"), Now.AddMinutes(8), "officer-hoa"),
        };

        Assert.All(events, expected =>
        {
            var happened = Assert.IsAssignableFrom<IBusinessEvent>(expected.Event);
            Assert.Equal((expected.At, expected.By), (happened.At, happened.By));
        });
        Assert.Equal(
            typeof(TipState).Assembly.GetTypes().Where(type => type.IsAssignableTo(typeof(IBusinessEvent))).Select(type => type.Name).Order(),
            events.Select(expected => expected.Event.GetType().Name).Order());
    }

    private static TipState Received() =>
        TipState.Create(Assert.IsType<TipReceived>(Assert.Single(Tip.Receive(null, ValidCommand(), Now, Desk).Events)));

    private static TipState Valuable() => Received().Apply(new TipAssessed(TipId, TipVerdict.Valuable, null, "credible", Now, "officer-lan"));
}
