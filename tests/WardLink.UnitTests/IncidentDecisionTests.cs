using CsCheck;
using WardLink.Contracts;
using WardLink.Contracts.Incidents;
using WardLink.Contracts.Tips;
using WardLink.Domain;
using WardLink.Incidents;
using static WardLink.UnitTests.DecisionAssert;
using IncidentReopened = WardLink.Incidents.IncidentReopened;
using IncidentReported = WardLink.Incidents.IncidentReported;
using IncidentResolved = WardLink.Incidents.IncidentResolved;

namespace WardLink.UnitTests;

public sealed class IncidentDecisionTests
{
    private const string Officer = "police-desk";
    private static readonly DateTimeOffset Now = new(2024, 3, 14, 22, 0, 0, TimeSpan.FromHours(7));
    private static readonly Guid IncidentId = Guid.Parse("0193b5a0-0000-7000-8000-0000000000a1");
    private static readonly Guid SiteId = Guid.Parse("0193b5a0-0000-7000-8000-00000000a001");
    private static readonly Guid TipId = Guid.Parse("0193b5a0-0000-7000-8000-0000000000b1");
    private static readonly RecordingWard Ward = new("quang-thang");

    /// <summary>
    /// Whatever source a report names, sent by a partner or not: a partner's is taken only as the partner's (else a 400 naming
    /// <c>source</c>, nothing recorded), anyone else's as it says.
    /// </summary>
    [Fact]
    public void A_partners_report_is_taken_only_with_the_partner_as_its_source() =>
        AssertPartnerSaysOnly<IncidentSource, IncidentReported>(
            (source, fromPartner) => Incident.Report(null, ValidReport() with { Source = source, SubmittedByPartner = fromPartner ? Guid.CreateVersion7() : null }, Now, Officer),
            IncidentSource.Partner,
            "source",
            reported => reported.Source);

    private static ReportIncident ValidReport() => new(
        IncidentClassification.Criminal,
        SecurityCategory.Theft,
        "  A phone stolen from a patient's bedside.  ",
        new Place(SiteId, " Ward 3 ", null, null),
        Now.AddHours(-2),
        IncidentSource.Partner,
        " OBS-SEC-114 ")
    {
        IncidentId = IncidentId,
        CaseNumber = "INC-2024-0007",
        SiteWard = Ward.Id,
        Ward = Ward,
    };

    private static IncidentState Reported() =>
        IncidentState.Create(Assert.IsType<IncidentReported>(Assert.Single(Incident.Report(null, ValidReport(), Now, Officer).Events)));

    internal static IncidentState UnderInvestigation() =>
        Reported().Apply(new InvestigationStarted(IncidentId, "Ward police, criminal team", "Lt. Hoa", Now, Officer));

    private static IncidentState Resolved() =>
        UnderInvestigation().Apply(Assert.IsType<IncidentResolved>(Assert.Single(
            Incident.Resolve(UnderInvestigation(), new ResolveIncident(IncidentOutcome.CriminalCaseSolved, null, null), Now, Officer).Events)));

    private static IncidentState Closed() => Resolved().Apply(new IncidentClosed(IncidentId, Now, Officer));

    /// <summary>
    /// A step's own values are judged before the incident's status (docs/api.md: a 400 "on a step on a stored record as on a
    /// new one"): in every status, a blank or too long text of every step is a 400 naming it, never the status's 409, which
    /// named nothing (a reopening of a reported incident with a reason of 4,001 characters).
    /// </summary>
    [Fact]
    public void A_steps_bad_value_is_named_whatever_the_incidents_status()
    {
        var tooLong = new string('x', Incident.MaxTextLength + 1);
        var steps = new (string Field, Func<IncidentState, Decision> Step)[]
        {
            ("unit", incident => Incident.StartInvestigation(incident, new AssignIncident(" "), Now, Officer)),
            ("officer", incident => Incident.StartInvestigation(incident, new AssignIncident("Unit", new string('x', Incident.MaxShortTextLength + 1)), Now, Officer)),
            ("summary", incident => Incident.Resolve(incident, new ResolveIncident(IncidentOutcome.Unfounded, tooLong), Now, Officer)),
            ("outcome", incident => Incident.Resolve(incident, new ResolveIncident(null), Now, Officer)),
            ("reason", incident => Incident.Reopen(incident, new ReopenIncident(tooLong), Now, Officer)),
            ("reason", incident => Incident.Reopen(incident, new ReopenIncident(""), Now, Officer)),
            ("reason", incident => Incident.Reclassify(incident, new ReclassifyIncident(" ", IncidentClassification.Administrative), Now, Officer)),
        };
        foreach (var incident in new[] { Reported(), UnderInvestigation(), Resolved(), Closed() })
        {
            foreach (var (field, step) in steps)
            {
                var refused = step(incident).Rejection;
                Assert.True(refused is { Kind: RejectionKind.Invalid } && refused.Errors!.ContainsKey(field), $"{incident.Status}, {field}: {refused}");
            }
        }
    }

    [Fact]
    public void A_valid_report_opens_the_incident_with_trimmed_text_the_case_number_actor_and_time()
    {
        var decision = Incident.Report(null, ValidReport(), Now, Officer);

        Assert.Equal(
            new IncidentReported(
                IncidentId,
                "INC-2024-0007",
                IncidentClassification.Criminal,
                SecurityCategory.Theft,
                "A phone stolen from a patient's bedside.",
                new Place(SiteId, "Ward 3", null, null),
                Now.AddHours(-2),
                IncidentSource.Partner,
                "OBS-SEC-114",
                Now,
                Officer),
            Assert.Single(decision.Events));
    }

    [Fact]
    public void An_incident_may_have_occurred_long_ago_but_not_in_the_future()
    {
        Assert.True(Incident.Report(null, ValidReport() with { OccurredAt = new DateTimeOffset(2022, 5, 1, 10, 0, 0, TimeSpan.FromHours(7)) }, Now, Officer).IsAccepted);
        Assert.True(Incident.Report(null, ValidReport() with { OccurredAt = Now.AddSeconds(30) }, Now, Officer).IsAccepted);

        AssertInvalid(Incident.Report(null, ValidReport() with { OccurredAt = Now.AddHours(1) }, Now, Officer), "occurredAt");
    }

    [Fact]
    public void A_site_unknown_to_the_directory_is_refused()
    {
        AssertInvalid(Incident.Report(null, ValidReport() with { SiteWard = null }, Now, Officer), "place.siteId");
    }

    [Fact]
    public void A_site_of_another_ward_is_refused_naming_that_ward()
    {
        var decision = Incident.Report(null, ValidReport() with { SiteWard = "dong-quang" }, Now, Officer);

        AssertInvalid(decision, "place.siteId");
        Assert.Contains("dong-quang", decision.Rejection!.Errors!["place.siteId"][0], StringComparison.Ordinal);
    }

    [Fact]
    public void A_ward_takes_what_happened_before_the_day_it_ended_and_nothing_from_then_on()
    {
        var mergedOn = new DateOnly(2024, 3, 14);
        var merged = new RecordingWard(Ward.Id, mergedOn, "dong-quang");
        var lastMoment = new DateTimeOffset(2024, 3, 13, 23, 59, 59, TimeSpan.FromHours(7));

        Assert.True(Incident.Report(null, ValidReport() with { Ward = merged, OccurredAt = lastMoment }, Now, Officer).IsAccepted);
        var refused = Incident.Report(null, ValidReport() with { Ward = merged, OccurredAt = lastMoment.AddSeconds(1) }, Now, Officer);
        AssertInvalid(refused, "occurredAt");
        Assert.Equal(
            "quang-thang was merged into dong-quang on 2024-03-14: what happened from then on is recorded in dong-quang.",
            Assert.Single(refused.Rejection!.Errors!["occurredAt"]));

        var dissolved = Incident.Report(null, ValidReport() with { Ward = new RecordingWard(Ward.Id, mergedOn) }, Now, Officer);
        Assert.Equal("quang-thang was dissolved on 2024-03-14: nothing from then on is recorded in it.", Assert.Single(dissolved.Rejection!.Errors!["occurredAt"]));
    }

    [Fact]
    public void A_report_whose_ward_was_not_looked_up_is_refused()
    {
        AssertInvalid(Incident.Report(null, ValidReport() with { Ward = null }, Now, Officer), "ward");
    }

    [Fact]
    public void A_place_may_be_free_text_or_coordinates_instead_of_a_site()
    {
        Assert.True(Incident.Report(null, ValidReport() with { Place = new Place(null, "Market square", null, null), SiteWard = null }, Now, Officer).IsAccepted);
        Assert.True(Incident.Report(null, ValidReport() with { Place = new Place(null, null, 19.8, 105.77), SiteWard = null }, Now, Officer).IsAccepted);
        AssertInvalid(Incident.Report(null, ValidReport() with { Place = new Place(null, null, 19.8, null), SiteWard = null }, Now, Officer), "place.longitude");
    }

    [Fact]
    public void Missing_fields_are_all_reported_at_once()
    {
        var command = new ReportIncident(null, null, " ", null, null, null, null) { IncidentId = IncidentId, CaseNumber = "INC-2024-0007", SiteWard = Ward.Id, Ward = Ward };

        AssertInvalid(Incident.Report(null, command, Now, Officer), "classification", "category", "description", "occurredAt", "source", "place");
    }

    [Fact]
    public void The_same_incident_cannot_be_reported_twice()
    {
        var decision = Incident.Report(Reported(), ValidReport(), Now, Officer);

        Assert.Equal(RejectionKind.Conflict, decision.Rejection?.Kind);
        Assert.Empty(decision.Events);
    }

    [Fact]
    public void A_reported_incident_is_put_under_investigation_by_a_unit()
    {
        var decision = Incident.StartInvestigation(Reported(), new AssignIncident(" Criminal team ", " Lt. Hoa "), Now, Officer);

        Assert.Equal(new InvestigationStarted(IncidentId, "Criminal team", "Lt. Hoa", Now, Officer), Assert.Single(decision.Events));
        AssertInvalid(Incident.StartInvestigation(Reported(), new AssignIncident(" ", null), Now, Officer), "unit");
        AssertConflict(Incident.StartInvestigation(UnderInvestigation(), new AssignIncident("Criminal team", null), Now, Officer));
    }

    [Fact]
    public void Resolving_carries_the_outcome_and_every_linked_tip()
    {
        var incident = UnderInvestigation()
            .Apply(new TipLinked(IncidentId, TipId, "TIP-2024-0001", Now, Officer))
            .Apply(new TipLinked(IncidentId, Guid.Parse("0193b5a0-0000-7000-8000-0000000000b2"), null, Now, Officer));

        var decision = Incident.Resolve(incident, new ResolveIncident(IncidentOutcome.CriminalCaseSolved, " Arrested ", Now.AddHours(-1)), Now, Officer);

        var resolved = Assert.IsType<IncidentResolved>(Assert.Single(decision.Events));
        Assert.Equal(IncidentOutcome.CriminalCaseSolved, resolved.Outcome);
        Assert.Equal("INC-2024-0007", resolved.CaseNumber);
        Assert.Equal(IncidentClassification.Criminal, resolved.Classification);
        Assert.Equal("Arrested", resolved.Summary);
        Assert.Equal(incident.LinkedTipIds, resolved.LinkedTipIds);
        Assert.Equal(2, resolved.LinkedTipIds.Count);
        Assert.Equal(Now.AddHours(-1), resolved.At);
    }

    [Fact]
    public void Only_an_incident_under_investigation_can_be_resolved()
    {
        AssertConflict(Incident.Resolve(Reported(), new ResolveIncident(IncidentOutcome.Unfounded, null, null), Now, Officer));
        AssertConflict(Incident.Resolve(Resolved(), new ResolveIncident(IncidentOutcome.Unfounded, null, null), Now, Officer));
        AssertConflict(Incident.Resolve(Closed(), new ResolveIncident(IncidentOutcome.Unfounded, null, null), Now, Officer));
    }

    [Fact]
    public void A_resolution_needs_an_outcome_and_a_time_between_the_incident_and_now()
    {
        AssertInvalid(Incident.Resolve(UnderInvestigation(), new ResolveIncident(null, null, null), Now, Officer), "outcome");
        AssertInvalid(Incident.Resolve(UnderInvestigation(), new ResolveIncident(IncidentOutcome.Unfounded, null, Now.AddHours(1)), Now, Officer), "resolvedAt");
        AssertInvalid(Incident.Resolve(UnderInvestigation(), new ResolveIncident(IncidentOutcome.Unfounded, null, Now.AddDays(-1)), Now, Officer), "resolvedAt");
    }

    [Fact]
    public void A_resolved_incident_is_closed_once()
    {
        Assert.Equal(new IncidentClosed(IncidentId, Now, Officer), Assert.Single(Incident.Close(Resolved(), new CloseIncident(), Now, Officer).Events));
        AssertConflict(Incident.Close(Closed(), new CloseIncident(), Now, Officer));
        AssertConflict(Incident.Close(UnderInvestigation(), new CloseIncident(), Now, Officer));
    }

    [Fact]
    public void A_resolved_or_closed_incident_is_reopened_with_a_reason_back_under_investigation()
    {
        var later = Now.AddMinutes(5);
        var decision = Incident.Reopen(Closed(), new ReopenIncident(" New evidence "), later, Officer);

        var reopened = Assert.IsType<IncidentReopened>(Assert.Single(decision.Events));
        Assert.Equal("New evidence", reopened.Reason);
        var state = Closed().Apply(reopened);
        Assert.Equal(IncidentStatus.UnderInvestigation, state.Status);
        Assert.Null(state.Outcome);
        Assert.True(Incident.Reopen(Resolved(), new ReopenIncident("Outcome contested"), later, Officer).IsAccepted);
        AssertInvalid(Incident.Reopen(Closed(), new ReopenIncident("  "), later, Officer), "reason");
        AssertConflict(Incident.Reopen(UnderInvestigation(), new ReopenIncident("Why not"), later, Officer));
    }

    [Fact]
    public void Reclassifying_needs_a_change_and_a_reason_and_an_open_incident()
    {
        var decision = Incident.Reclassify(UnderInvestigation(), new ReclassifyIncident(Classification: IncidentClassification.Administrative, Category: null, Reason: "Damage below the criminal threshold"), Now, Officer);

        Assert.Equal(
            new IncidentReclassified(IncidentId, IncidentClassification.Administrative, SecurityCategory.Theft, "Damage below the criminal threshold", Now, Officer),
            Assert.Single(decision.Events));
        AssertInvalid(Incident.Reclassify(Reported(), new ReclassifyIncident(Classification: IncidentClassification.Traffic, Category: null, Reason: null), Now, Officer), "reason");
        AssertInvalid(Incident.Reclassify(Reported(), new ReclassifyIncident(Classification: null, Category: null, Reason: "Nothing"), Now, Officer), "classification");
        AssertConflict(Incident.Reclassify(Reported(), new ReclassifyIncident(Classification: IncidentClassification.Criminal, Category: SecurityCategory.Theft, Reason: "Same"), Now, Officer));
        AssertConflict(Incident.Reclassify(Closed(), new ReclassifyIncident(Classification: IncidentClassification.Traffic, Category: null, Reason: "Too late"), Now, Officer));
    }

    /// <summary>Auditors are shown a linked tip's number, so only a number is taken there: free text (a name, a phone) is a 400.</summary>
    [Fact]
    public void A_tip_is_linked_with_its_number_or_none_and_free_text_in_its_place_is_refused()
    {
        var numbers = Gen.Select(Gen.Int[0, 2], Gen.Int[2000, 2100], Gen.Long[0, long.MaxValue])
            .Select((code, year, count) => $"TIP{new[] { string.Empty, "-QT", "-DQUANG" }[code]}-{year}-{count:0000}");
        numbers.Sample(number => Assert.True(Incident.LinkTip(Reported(), new LinkTip(TipId, number), Now, Officer).IsAccepted, number));
        numbers.Select(number => $" {number} ").Sample(number => Assert.True(Incident.LinkTip(Reported(), new LinkTip(TipId, number), Now, Officer).IsAccepted, number));

        // Past the documented length (40) even when the shape fits: padded with spaces, or a five-digit year with every part at its longest.
        Gen.OneOf(
                Gen.String,
                numbers.Select(number => $"{number} Nguyễn Văn A"),
                numbers.Select(number => number.ToLowerInvariant()),
                numbers.Select(number => number.PadRight(EventSourcing.YearlyNumbers.MaxNumberLength + 1)),
                Gen.Const("ABCDEFGH-ABCDEF-20240-1234567890123456789"),
                Gen.Const("Nguyễn Văn A 0912 345 678"))
            .Where(text => !EventSourcing.YearlyNumbers.IsNumber(text))
            .Sample(text => AssertInvalid(Incident.LinkTip(Reported(), new LinkTip(TipId, text), Now, Officer), "tipNumber"));

        // Shaped as a number, yet none: another record's prefix, a year outside 1970-2100, a count with a leading zero past four
        // digits, which no number has and a phone number does (HOA-NGUYEN-1990-0912345678: a name and a phone, taken before),
        // a count of zero, which no counter issues (it counts from 1).
        Gen.OneOf(
                Gen.Const("HOA-NGUYEN-1990-0912345678"),
                numbers.Select(number => number.Replace("TIP", "INC", StringComparison.Ordinal)),
                Gen.Select(Gen.Int[0, 2], Gen.Long[1_000, 99_999_999_999]).Select((code, digits) => $"TIP{new[] { string.Empty, "-QT", "-NGUYEN" }[code]}-2024-0{digits}"),
                Gen.Select(Gen.OneOf(Gen.Int[0, 1969], Gen.Int[2101, 9999]), Gen.Int[1, 9999]).Select((year, count) => $"TIP-QT-{year:0000}-{count:0000}"),
                Gen.Select(Gen.Int[0, 2], Gen.Int[1970, 2100]).Select((code, year) => $"TIP{new[] { string.Empty, "-QT", "-NGUYEN" }[code]}-{year}-0000"))
            .Sample(text => AssertInvalid(Incident.LinkTip(Reported(), new LinkTip(TipId, text), Now, Officer), "tipNumber"));
    }

    [Fact]
    public void A_tip_is_linked_once_and_unlinked_only_when_linked()
    {
        var link = Incident.LinkTip(Reported(), new LinkTip(TipId, "TIP-2024-0001"), Now, Officer);
        var linked = Reported().Apply(Assert.IsType<TipLinked>(Assert.Single(link.Events)));

        Assert.Equal([TipId], linked.LinkedTipIds);
        AssertConflict(Incident.LinkTip(linked, new LinkTip(TipId, null), Now, Officer));
        AssertInvalid(Incident.LinkTip(Reported(), new LinkTip(Guid.Empty, null), Now, Officer), "tipId");
        Assert.True(Incident.LinkTip(Closed(), new LinkTip(TipId, null), Now, Officer).IsAccepted);

        var unlinked = linked.Apply(Assert.IsType<TipUnlinked>(Assert.Single(Incident.UnlinkTip(linked, new UnlinkTip(TipId), Now, Officer).Events)));
        Assert.Empty(unlinked.LinkedTipIds);
        Assert.Equal(RejectionKind.PartNotFound, Incident.UnlinkTip(unlinked, new UnlinkTip(TipId), Now, Officer).Rejection?.Kind);
    }

    /// <summary>
    /// A resolution may be dated a little ahead (clock skew): until then, and at that very moment, reopening the incident or
    /// unlinking a tip would not come after it (tips would keep the outcome, the news being no newer than what they know),
    /// and closing it would be dated before it (at its very time it is not), so all three are a 409; once it is past, they go through.
    /// </summary>
    [Fact]
    public void Reopening_unlinking_or_closing_before_a_resolution_dated_ahead_or_at_its_time_is_refused_and_once_it_is_past_accepted()
    {
        Gen.Int[-600, 120].Sample(seconds =>
        {
            var resolvedAt = Now.AddSeconds(seconds);
            var linked = UnderInvestigation().Apply(new TipLinked(IncidentId, TipId, "TIP-QT-2024-0001", Now.AddHours(-1), Officer));
            var resolved = linked.Apply(Assert.IsType<IncidentResolved>(Assert.Single(
                Incident.Resolve(linked, new ResolveIncident(IncidentOutcome.CriminalCaseSolved, null, resolvedAt), resolvedAt, Officer).Events)));

            var reopen = Incident.Reopen(resolved, new ReopenIncident("Contested"), Now, Officer);
            var unlink = Incident.UnlinkTip(resolved, new UnlinkTip(TipId), Now, Officer);
            var close = Incident.Close(resolved, new CloseIncident(), Now, Officer);

            Assert.Equal((seconds < 0, seconds < 0, seconds <= 0), (reopen.IsAccepted, unlink.IsAccepted, close.IsAccepted));
            Assert.All(new[] { reopen, unlink, close }.Where(decision => !decision.IsAccepted), refused => Assert.Equal(RejectionKind.Conflict, refused.Rejection!.Kind));
        });
    }

    /// <summary>A link keeps the wards its caller could see, and the news of the incident names them for that tip, until it is unlinked.</summary>
    [Fact]
    public void A_link_s_reach_travels_with_the_incident_s_news_of_that_tip()
    {
        var otherTip = Guid.CreateVersion7();
        var wardBound = new LinkTip(TipId, null) { Reach = ["dong-ve"] };
        var linked = Assert.IsType<TipLinked>(Assert.Single(Incident.LinkTip(UnderInvestigation(), wardBound, Now, Officer).Events));
        var incident = UnderInvestigation().Apply(linked).Apply(Assert.IsType<TipLinked>(Assert.Single(Incident.LinkTip(
            UnderInvestigation().Apply(linked), new LinkTip(otherTip, null), Now, Officer).Events)));

        var resolved = Assert.IsType<IncidentResolved>(Assert.Single(Incident.Resolve(incident, new ResolveIncident(IncidentOutcome.Unfounded, null, null), Now, Officer).Events));
        var reopened = Assert.IsType<IncidentReopened>(Assert.Single(Incident.Reopen(incident.Apply(resolved), new ReopenIncident("Contested"), Now.AddMinutes(5), Officer).Events));
        var unlinked = Assert.IsType<TipUnlinked>(Assert.Single(Incident.UnlinkTip(incident, new UnlinkTip(TipId), Now, Officer).Events));

        Assert.Equal(["dong-ve"], linked.Reach);
        Assert.Equal(["dong-ve"], Assert.Single(resolved.LinkReach!, reach => reach.Key == TipId).Value);
        Assert.False(resolved.LinkReach!.ContainsKey(otherTip));
        Assert.Equal(resolved.LinkReach, reopened.LinkReach);
        Assert.Equal(["dong-ve"], unlinked.Reach);
        Assert.Null(incident.Apply(unlinked).LinkReach);
    }

    [Fact]
    public void A_note_needs_text()
    {
        Assert.Equal(new NoteAdded(IncidentId, "Called the hospital", Now, Officer), Assert.Single(Incident.AddNote(Reported(), new AddIncidentNote(" Called the hospital "), Now, Officer).Events));
        AssertInvalid(Incident.AddNote(Reported(), new AddIncidentNote(""), Now, Officer), "text");
    }

    [Theory]
    [InlineData(SecurityCategory.Theft, IncidentClassification.Criminal)]
    [InlineData(SecurityCategory.Drugs, IncidentClassification.Criminal)]
    [InlineData(SecurityCategory.Traffic, IncidentClassification.Traffic)]
    [InlineData(SecurityCategory.PublicOrder, IncidentClassification.PublicOrder)]
    [InlineData(SecurityCategory.SuspiciousPerson, IncidentClassification.Other)]
    public void A_referred_tip_s_category_gives_a_provisional_classification(SecurityCategory category, IncidentClassification expected)
    {
        Assert.Equal(expected, Incident.ProvisionalClassification(category));
    }

    /// <summary>
    /// An incident reported by a client whose clock runs ahead (its <c>occurredAt</c> up to the clock skew past now) is resolved
    /// without a <c>resolvedAt</c> at once: never refused on a field the client did not send, and dated when it happened at the earliest.
    /// </summary>
    [Fact]
    public void A_resolution_without_a_time_is_never_refused_on_it_whenever_the_incident_happened()
    {
        Gen.Long[-WardTime.ClockSkew.Ticks, WardTime.ClockSkew.Ticks].Sample(ahead =>
        {
            var occurredAt = Now.AddTicks(ahead);
            var incident = IncidentState.Create(Assert.IsType<IncidentReported>(Assert.Single(Incident.Report(null, ValidReport() with { OccurredAt = occurredAt }, Now, Officer).Events)))
                .Apply(new InvestigationStarted(IncidentId, "Ward police, criminal team", null, Now, Officer));
            var decision = Incident.Resolve(incident, new ResolveIncident(IncidentOutcome.Unfounded, null, null), Now, Officer);

            Assert.True(decision.Rejection is null, $"refused without a time: {decision.Rejection?.Errors?.Keys.FirstOrDefault()}");
            Assert.Equal(occurredAt > Now ? occurredAt : Now, Assert.IsType<IncidentResolved>(Assert.Single(decision.Events)).At);
        });
    }

    /// <summary>An incident reported at the clock skew ahead is resolved without a time at once by a replica whose clock is a little behind: never refused on it.</summary>
    [Fact]
    public void A_resolution_without_a_time_on_a_replica_behind_is_never_refused_as_in_the_future()
    {
        var occurredAt = Now + WardTime.ClockSkew;
        var incident = IncidentState.Create(Assert.IsType<IncidentReported>(Assert.Single(Incident.Report(null, ValidReport() with { OccurredAt = occurredAt }, Now, Officer).Events)))
            .Apply(new InvestigationStarted(IncidentId, "Ward police, criminal team", null, Now, Officer));

        var decision = Incident.Resolve(incident, new ResolveIncident(IncidentOutcome.Unfounded, null, null), Now.AddMilliseconds(-5), Officer);

        Assert.True(decision.Rejection is null, $"refused without a time: {decision.Rejection?.Errors?.Keys.FirstOrDefault()}");
        Assert.Equal(occurredAt, Assert.IsType<IncidentResolved>(Assert.Single(decision.Events)).At);
    }

    /// <summary>
    /// A resolution sent without a time right after a reopening or a tip unlinked and linked again, recorded by a replica whose clock
    /// is even with or behind the one that recorded that step (or by a frozen clock), is never refused on <c>resolvedAt</c>: it is dated after it.
    /// </summary>
    [Fact]
    public void A_resolution_without_a_time_right_after_a_reopening_or_a_relinked_tip_is_dated_after_it()
    {
        foreach (var stepAt in new[] { Now, Now.AddSeconds(1) })
        {
            var resolved = UnderInvestigation().Apply(Assert.IsType<IncidentResolved>(Assert.Single(
                Incident.Resolve(UnderInvestigation(), new ResolveIncident(IncidentOutcome.CriminalCaseSolved, null, Now.AddHours(-1)), Now, Officer).Events)));
            var reopened = resolved.Apply(Assert.IsType<IncidentReopened>(Assert.Single(Incident.Reopen(resolved, new ReopenIncident("Contested"), stepAt, Officer).Events)));
            var linked = UnderInvestigation().Apply(new TipLinked(IncidentId, TipId, null, Now.AddHours(-1), Officer));
            var unlinked = linked.Apply(Assert.IsType<TipUnlinked>(Assert.Single(Incident.UnlinkTip(linked, new UnlinkTip(TipId), stepAt, Officer).Events)));
            var relinked = unlinked.Apply(Assert.IsType<TipLinked>(Assert.Single(Incident.LinkTip(unlinked, new LinkTip(TipId, null), stepAt, Officer).Events)));

            foreach (var (incident, after) in new[] { (reopened, reopened.ReopenedAt), (relinked, relinked.LinkedTipsLastUnlinkedAt()) })
            {
                var decision = Incident.Resolve(incident, new ResolveIncident(IncidentOutcome.Unfounded, null, null), Now, Officer);

                Assert.True(decision.Rejection is null, $"refused without a time: {decision.Rejection?.Errors?.Keys.FirstOrDefault()}");
                Assert.True(Assert.IsType<IncidentResolved>(Assert.Single(decision.Events)).At > after);
            }
        }
    }

    /// <summary>A step on an incident with a linked tip, some ticks after the last, recorded by a replica whose clock is off by up to a second.</summary>
    private static readonly Gen<(int Step, long Elapsed, long ClockOffset)> AnyIncidentStep = Gen.Select(
        Gen.Int[0, 3], Gen.Long[0, TimeSpan.TicksPerSecond], Gen.Long[-TimeSpan.TicksPerSecond, TimeSpan.TicksPerSecond]);

    [Fact]
    public void A_resolution_without_a_time_is_never_refused_on_it_whatever_steps_came_before_and_whatever_the_clocks()
    {
        AnyIncidentStep.List[0, 12].Sample(steps =>
        {
            var incident = UnderInvestigation().Apply(new TipLinked(IncidentId, TipId, null, Now.AddHours(-1), Officer));
            var time = Now;
            foreach (var (step, elapsed, clockOffset) in steps)
            {
                time = time.AddTicks(elapsed);
                var now = time.AddTicks(clockOffset);
                var decision = step switch
                {
                    0 => Incident.Resolve(incident, new ResolveIncident(IncidentOutcome.Unfounded, null, null), now, Officer),
                    1 => Incident.Reopen(incident, new ReopenIncident("Contested"), now, Officer),
                    2 => Incident.UnlinkTip(incident, new UnlinkTip(TipId), now, Officer),
                    _ => Incident.LinkTip(incident, new LinkTip(TipId, null), now, Officer),
                };
                if (step == 0 && incident.Status == IncidentStatus.UnderInvestigation)
                {
                    Assert.True(decision.Rejection is null, $"refused without a time: {decision.Rejection?.Errors?.Keys.FirstOrDefault()}");
                    var resolvedAt = Assert.IsType<IncidentResolved>(Assert.Single(decision.Events)).At;
                    Assert.True(resolvedAt > incident.ReopenedAt.GetValueOrDefault(DateTimeOffset.MinValue) && resolvedAt > incident.LinkedTipsLastUnlinkedAt().GetValueOrDefault(DateTimeOffset.MinValue));
                }

                incident = decision.Events.Aggregate(incident, (state, recorded) => recorded switch
                {
                    IncidentResolved resolved => state.Apply(resolved),
                    IncidentReopened reopened => state.Apply(reopened),
                    TipUnlinked unlinked => state.Apply(unlinked),
                    TipLinked linked => state.Apply(linked),
                    _ => throw new InvalidOperationException(recorded.GetType().Name),
                });
            }
        });
    }
}
