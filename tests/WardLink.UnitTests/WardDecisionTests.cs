using CsCheck;
using WardLink.Domain;
using WardLink.Partners;
using static WardLink.UnitTests.DecisionAssert;

namespace WardLink.UnitTests;

/// <summary>
/// The decisions on a ward: establishing one (formats, a code no other ward has, dates in bounds),
/// renaming, merging (into an open ward of the same province, never into itself nor into one merged
/// into it) and dissolving, and nothing once a ward has ended. Over random merge graphs, the mergers
/// stay a forest.
/// </summary>
public sealed class WardDecisionTests
{
    private const string Desk = "police-desk";
    private const string Province = "thanh-hoa";
    private static readonly DateTimeOffset Now = new(2025, 6, 20, 9, 0, 0, TimeSpan.FromHours(7));
    private static readonly DateOnly MergerDay = new(2025, 7, 1);
    private static readonly WardState QuangThang = Established("quang-thang", "QT", null);
    private static readonly WardState DongQuang = Established("dong-quang", "DQ", MergerDay);

    private static WardState Established(string wardId, string code, DateOnly? on, string province = Province) =>
        WardState.Create(new WardEstablished(wardId, code, wardId.ToUpperInvariant(), province, on, Now, Desk));

    private static EstablishWard Establishing(
        string? wardId = "dong-quang", string? code = "DQ", string? name = "Đông Quang", string? province = Province, DateOnly? on = null, bool codeTaken = false) =>
        new(wardId, code, name, province, on ?? MergerDay, codeTaken);

    private static MergeWard Into(WardState? into, DateOnly? on = null, string? intoWardId = null, params string[] predecessors) =>
        new(intoWardId ?? into?.WardId, on ?? MergerDay, into, predecessors);

    /// <summary>
    /// A step's own values are judged before the ward's status: a ward that was merged or dissolved answered a blank name, a
    /// date past its bounds or a merger into itself with the 409 "it takes no more changes", naming nothing.
    /// </summary>
    [Fact]
    public void A_steps_bad_value_is_named_whatever_the_wards_status()
    {
        var merged = QuangThang.Apply(new WardMerged("quang-thang", "dong-quang", MergerDay, Now, Desk));
        var dissolved = QuangThang.Apply(new WardDissolved("quang-thang", MergerDay, Now, Desk));
        var farAhead = new DateOnly(2099, 1, 1);
        foreach (var ward in new[] { QuangThang, merged, dissolved })
        {
            AssertInvalid(Ward.Rename(ward, new RenameWard(" ", MergerDay), Now, Desk), "name");
            AssertInvalid(Ward.Rename(ward, new RenameWard("Quảng Thắng mới", farAhead), Now, Desk), "effectiveOn");
            AssertInvalid(Ward.Merge(ward, Into(DongQuang, intoWardId: ward.WardId), Now, Desk), "intoWardId");
            AssertInvalid(Ward.Merge(ward, Into(DongQuang, on: farAhead), Now, Desk), "effectiveOn");
            AssertInvalid(Ward.Dissolve(ward, new DissolveWard(null), null, Now, Desk), "effectiveOn");
        }

        Assert.Equal(RejectionKind.Conflict, Ward.Rename(merged, new RenameWard("Quảng Thắng mới", MergerDay), Now, Desk).Rejection?.Kind);
        Assert.Equal(RejectionKind.Conflict, Ward.Dissolve(dissolved, new DissolveWard(MergerDay), null, Now, Desk).Rejection?.Kind);
    }

    [Fact]
    public void A_ward_is_established_with_its_id_code_trimmed_name_province_and_date()
    {
        var decision = Ward.Establish(null, Establishing(name: "  Đông Quang "), Now, Desk);

        var established = Assert.IsType<WardEstablished>(Assert.Single(decision.Events));
        Assert.Equal(new WardEstablished("dong-quang", "DQ", "Đông Quang", Province, MergerDay, Now, Desk), established);
        Assert.Equal(
            new WardState(Ward.StreamIdOf("dong-quang"), "dong-quang", "DQ", "Đông Quang", Province, MergerDay, null, WardStatus.Open, null, null),
            WardState.Create(established));
        Assert.Null(Assert.IsType<WardEstablished>(Assert.Single(Ward.Establish(null, Establishing() with { EstablishedOn = null }, Now, Desk).Events)).EstablishedOn);
    }

    [Theory]
    [InlineData("Dong-Quang", "DQ", "Đông Quang", Province, "wardId")]
    [InlineData("dong quang", "DQ", "Đông Quang", Province, "wardId")]
    [InlineData("-dong", "DQ", "Đông Quang", Province, "wardId")]
    [InlineData("dong--quang", "DQ", "Đông Quang", Province, "wardId")]
    [InlineData("<script>", "DQ", "Đông Quang", Province, "wardId")]
    [InlineData(null, "DQ", "Đông Quang", Province, "wardId")]
    [InlineData("dong-quang", "D", "Đông Quang", Province, "code")]
    [InlineData("dong-quang", "dq", "Đông Quang", Province, "code")]
    [InlineData("dong-quang", "DQWARDS", "Đông Quang", Province, "code")]
    [InlineData("dong-quang", "D1", "Đông Quang", Province, "code")]
    [InlineData("dong-quang", "DQ", " ", Province, "name")]
    [InlineData("dong-quang", "DQ", null, Province, "name")]
    [InlineData("dong-quang", "DQ", "Đông Quang", "Thanh Hóa", "province")]
    [InlineData("dong-quang", "DQ", "Đông Quang", null, "province")]
    public void A_malformed_id_code_name_or_province_is_refused_naming_it(string? wardId, string? code, string? name, string? province, string field) =>
        AssertInvalid(Ward.Establish(null, Establishing(wardId, code, name, province), Now, Desk), field);

    [Fact]
    public void Ids_names_and_codes_are_taken_up_to_their_longest()
    {
        var longest = Establishing(wardId: "w" + new string('a', WardNames.MaxIdLength - 1), code: "ABCDEF", name: new string('n', WardNames.MaxNameLength), province: "p" + new string('b', WardNames.MaxIdLength - 1));

        Assert.True(Ward.Establish(null, longest, Now, Desk).IsAccepted);
        AssertInvalid(Ward.Establish(null, longest with { WardId = longest.WardId + "a" }, Now, Desk), "wardId");
        AssertInvalid(Ward.Establish(null, longest with { Name = longest.Name + "n" }, Now, Desk), "name");
        AssertInvalid(Ward.Establish(null, longest with { Province = longest.Province + "b" }, Now, Desk), "province");
    }

    [Fact]
    public void A_ward_established_twice_or_with_a_code_another_ward_has_is_a_conflict_once_its_form_is_judged()
    {
        AssertConflict(Ward.Establish(DongQuang, Establishing(), Now, Desk));
        AssertConflict(Ward.Establish(null, Establishing(codeTaken: true), Now, Desk));
        AssertInvalid(Ward.Establish(DongQuang, Establishing(code: "dq"), Now, Desk), "code");
        AssertInvalid(Ward.Establish(null, Establishing(code: "dq", codeTaken: true), Now, Desk), "code");
    }

    [Fact]
    public void Dates_run_from_1970_to_five_years_ahead()
    {
        var latest = Ward.LatestDate(Now);

        Assert.Equal(new DateOnly(2030, 6, 20), latest);
        Assert.True(Ward.Establish(null, Establishing(on: Ward.EarliestDate), Now, Desk).IsAccepted);
        Assert.True(Ward.Establish(null, Establishing(on: latest), Now, Desk).IsAccepted);
        AssertInvalid(Ward.Establish(null, Establishing(on: Ward.EarliestDate.AddDays(-1)), Now, Desk), "establishedOn");
        AssertInvalid(Ward.Establish(null, Establishing(on: latest.AddDays(1)), Now, Desk), "establishedOn");
        AssertInvalid(Ward.Dissolve(QuangThang, new DissolveWard(latest.AddDays(1)), null, Now, Desk), "effectiveOn");
        AssertInvalid(Ward.Rename(QuangThang, new RenameWard("Quảng Thắng mới", new DateOnly(1969, 12, 31)), Now, Desk), "effectiveOn");
    }

    [Fact]
    public void A_rename_takes_a_new_name_from_a_date_not_before_the_establishment_nor_the_last_rename()
    {
        var renamed = Assert.IsType<WardRenamed>(Assert.Single(Ward.Rename(DongQuang, new RenameWard(" Phường Đông Quang ", new DateOnly(2025, 8, 1)), Now, Desk).Events));
        var state = DongQuang.Apply(renamed);

        Assert.Equal(new WardRenamed("dong-quang", "Phường Đông Quang", new DateOnly(2025, 8, 1), Now, Desk), renamed);
        Assert.Equal(("Phường Đông Quang", new DateOnly(2025, 8, 1), "DQ"), (state.Name, state.RenamedOn, state.Code));
        AssertInvalid(Ward.Rename(DongQuang, new RenameWard("Đông Quang mới", MergerDay.AddDays(-1)), Now, Desk), "effectiveOn");
        AssertInvalid(Ward.Rename(state, new RenameWard("Đông Quang mới", new DateOnly(2025, 7, 31)), Now, Desk), "effectiveOn");
        AssertInvalid(Ward.Rename(DongQuang, new RenameWard("Đông Quang mới", null), Now, Desk), "effectiveOn");
        AssertInvalid(Ward.Rename(DongQuang, new RenameWard("", MergerDay), Now, Desk), "name");
        AssertInvalid(Ward.Rename(DongQuang, new RenameWard(new string('n', WardNames.MaxNameLength + 1), MergerDay), Now, Desk), "name");
        AssertConflict(Ward.Rename(DongQuang, new RenameWard("DONG-QUANG", MergerDay), Now, Desk));
    }

    [Fact]
    public void A_ward_merges_into_an_open_ward_of_its_province_from_a_date()
    {
        var merged = Assert.IsType<WardMerged>(Assert.Single(Ward.Merge(QuangThang, Into(DongQuang), Now, Desk).Events));
        var state = QuangThang.Apply(merged);

        Assert.Equal(new WardMerged("quang-thang", "dong-quang", MergerDay, Now, Desk), merged);
        Assert.Equal((WardStatus.Merged, "dong-quang", MergerDay), (state.Status, state.MergedInto, state.EndedOn));
    }

    [Fact]
    public void A_merger_names_an_existing_other_ward_and_a_date_not_before_either_ward_was_established()
    {
        AssertInvalid(Ward.Merge(QuangThang, Into(QuangThang), Now, Desk), "intoWardId");
        AssertInvalid(Ward.Merge(QuangThang, Into(null, intoWardId: "Dong Quang"), Now, Desk), "intoWardId");
        AssertInvalid(Ward.Merge(QuangThang, Into(null, intoWardId: null), Now, Desk), "intoWardId");
        AssertInvalid(Ward.Merge(QuangThang, Into(DongQuang) with { EffectiveOn = null }, Now, Desk), "effectiveOn");
        AssertInvalid(Ward.Merge(QuangThang, Into(DongQuang, MergerDay.AddDays(-1)), Now, Desk), "effectiveOn");
        AssertInvalid(Ward.Merge(DongQuang, Into(QuangThang, MergerDay.AddDays(-1)), Now, Desk), "effectiveOn");
        AssertInvalid(Ward.Merge(QuangThang, Into(null, intoWardId: "hac-thanh"), Now, Desk), "intoWardId");
    }

    [Fact]
    public void A_merger_into_a_ward_of_another_province_into_an_ended_ward_or_into_a_predecessor_is_a_conflict()
    {
        var vinh = Established("vinh-tan", "VT", null, province: "nghe-an");
        var dissolved = DongQuang.Apply(new WardDissolved("dong-quang", MergerDay, Now, Desk));
        var merged = DongQuang.Apply(new WardMerged("dong-quang", "hac-thanh", MergerDay, Now, Desk));

        AssertConflict(Ward.Merge(QuangThang, Into(vinh), Now, Desk));
        AssertConflict(Ward.Merge(QuangThang, Into(dissolved), Now, Desk));
        AssertConflict(Ward.Merge(QuangThang, Into(merged), Now, Desk));
        AssertConflict(Ward.Merge(DongQuang, Into(QuangThang, null, null, "quang-thang"), Now, Desk));
        Assert.Contains("was merged into dong-quang", Ward.Merge(DongQuang, Into(QuangThang, null, null, "hac-thanh", "quang-thang"), Now, Desk).Rejection!.Title, StringComparison.Ordinal);
    }

    [Fact]
    public void A_ward_is_dissolved_from_a_date_not_before_its_establishment()
    {
        var dissolved = Assert.IsType<WardDissolved>(Assert.Single(Ward.Dissolve(DongQuang, new DissolveWard(new DateOnly(2026, 1, 1)), null, Now, Desk).Events));
        var state = DongQuang.Apply(dissolved);

        Assert.Equal(new WardDissolved("dong-quang", new DateOnly(2026, 1, 1), Now, Desk), dissolved);
        Assert.Equal((WardStatus.Dissolved, (string?)null, new DateOnly(2026, 1, 1)), (state.Status, state.MergedInto, state.EndedOn));
        AssertInvalid(Ward.Dissolve(DongQuang, new DissolveWard(MergerDay.AddDays(-1)), null, Now, Desk), "effectiveOn");
        AssertInvalid(Ward.Dissolve(DongQuang, new DissolveWard(null), null, Now, Desk), "effectiveOn");
    }

    /// <summary>
    /// A ward ends no earlier than the last merger of another ward into it: merged into a ward already ended then, what the
    /// other ward recorded between the two dates would count for neither (nor for the province under current boundaries).
    /// </summary>
    [Fact]
    public void A_ward_is_merged_or_dissolved_no_earlier_than_another_ward_s_merger_into_it()
    {
        var hacThanh = Established("hac-thanh", "HT", null);
        var mergedInOn = MergerDay.AddDays(30);
        var mergedIn = new[] { QuangThang.Apply(new WardMerged("quang-thang", "dong-quang", mergedInOn, Now, Desk)) };
        var lastMergedIn = Ward.LastMergedInto(mergedIn, "dong-quang");

        Assert.Equal(mergedInOn, lastMergedIn);
        Assert.Null(Ward.LastMergedInto(mergedIn, "hac-thanh"));
        AssertInvalid(Ward.Merge(DongQuang, Into(hacThanh, mergedInOn.AddDays(-1)) with { LastMergedIn = lastMergedIn }, Now, Desk), "effectiveOn");
        AssertInvalid(Ward.Dissolve(DongQuang, new DissolveWard(mergedInOn.AddDays(-1)), lastMergedIn, Now, Desk), "effectiveOn");
        Assert.IsType<WardMerged>(Assert.Single(Ward.Merge(DongQuang, Into(hacThanh, mergedInOn) with { LastMergedIn = lastMergedIn }, Now, Desk).Events));
        Assert.IsType<WardDissolved>(Assert.Single(Ward.Dissolve(DongQuang, new DissolveWard(mergedInOn), lastMergedIn, Now, Desk).Events));
    }

    [Fact]
    public void A_merged_or_dissolved_ward_takes_no_more_changes()
    {
        var hacThanh = Established("hac-thanh", "HT", null);
        foreach (var ended in new[]
        {
            QuangThang.Apply(new WardMerged("quang-thang", "dong-quang", MergerDay, Now, Desk)),
            QuangThang.Apply(new WardDissolved("quang-thang", MergerDay, Now, Desk)),
        })
        {
            AssertConflict(Ward.Rename(ended, new RenameWard("Quảng Thắng mới", MergerDay), Now, Desk));
            AssertConflict(Ward.Merge(ended, Into(hacThanh), Now, Desk));
            AssertConflict(Ward.Dissolve(ended, new DissolveWard(MergerDay), null, Now, Desk));
        }
    }

    /// <summary>Mergers tried at random between a handful of wards of one province.</summary>
    private static readonly Gen<(int Ward, int Into)[]> MergerAttempts = Gen.Select(Gen.Int[0, 7], Gen.Int[0, 7]).Array[1, 40];

    [Fact]
    public void Over_random_merge_graphs_the_accepted_mergers_never_close_a_cycle_and_every_ward_ends_in_an_open_one()
    {
        MergerAttempts.Sample(attempts =>
        {
            var wards = MergedAtRandom(attempts);
            foreach (var ward in wards)
            {
                var seen = new HashSet<string> { ward.WardId };
                var successor = ward;
                while (successor.MergedInto is { } next)
                {
                    Assert.True(seen.Add(next), $"The mergers close a cycle through {next}.");
                    successor = wards.Single(candidate => candidate.WardId == next);
                }

                Assert.Equal(WardStatus.Open, successor.Status);
            }
        });
    }

    [Fact]
    public void Over_random_merge_graphs_a_ward_is_never_merged_into_one_merged_into_it_even_were_that_one_open()
    {
        MergerAttempts.Sample(attempts =>
        {
            var wards = MergedAtRandom(attempts);
            foreach (var ward in wards.Where(ward => ward.Status == WardStatus.Open))
            {
                var predecessors = Ward.PredecessorsOf(wards, ward.WardId);
                foreach (var predecessor in wards.Where(candidate => predecessors.Contains(candidate.WardId)))
                {
                    var reopened = predecessor with { Status = WardStatus.Open, MergedInto = null, EndedOn = null };
                    var decision = Ward.Merge(ward, Into(reopened, null, null, [.. predecessors]), Now, Desk);
                    AssertConflict(decision);
                    Assert.Contains($"was merged into {ward.WardId}", decision.Rejection!.Title, StringComparison.Ordinal);
                }
            }
        });
    }

    /// <summary>Eight open wards of one province after <paramref name="attempts"/>, each decided on what the endpoint looks up, the accepted ones applied.</summary>
    private static WardState[] MergedAtRandom((int Ward, int Into)[] attempts)
    {
        var wards = Enumerable.Range(0, 8).Select(i => Established($"ward-{i}", $"W{(char)('A' + i)}", null)).ToArray();
        foreach (var (from, into) in attempts)
        {
            var decision = Ward.Merge(wards[from], Into(wards[into], null, null, [.. Ward.PredecessorsOf(wards, wards[from].WardId)]), Now, Desk);
            if (decision.IsAccepted)
            {
                wards[from] = wards[from].Apply(Assert.IsType<WardMerged>(Assert.Single(decision.Events)));
            }
        }

        return wards;
    }
}
