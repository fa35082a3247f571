using WardLink.ServiceDefaults;
using WardLink.Tips;

namespace WardLink.UnitTests;

public sealed class TipDecisionTests
{
    private static readonly DateTimeOffset Now = new(2024, 3, 14, 21, 30, 0, TimeSpan.FromHours(7));
    private static readonly Guid TipId = Guid.Parse("0193b5a0-0000-7000-8000-000000000042");

    private static ReceiveTip ValidCommand() => new(
        TipId,
        TipChannel.Hotline,
        TipCategory.Theft,
        "  Two men trying car doors in the Obstetrics hospital car park.  ",
        new TipPlace(null, " Obstetrics hospital car park ", null, null),
        Now.AddMinutes(-20),
        "police-desk");

    [Fact]
    public void A_valid_tip_is_received_with_trimmed_text()
    {
        var decision = Tip.Receive(null, ValidCommand(), Now);

        Assert.True(decision.IsAccepted);
        var received = Assert.IsType<TipReceived>(Assert.Single(decision.Events));
        Assert.Equal(
            new TipReceived(
                TipId,
                TipChannel.Hotline,
                TipCategory.Theft,
                "Two men trying car doors in the Obstetrics hospital car park.",
                new TipPlace(null, "Obstetrics hospital car park", null, null),
                Now.AddMinutes(-20),
                "police-desk"),
            received);
    }

    [Fact]
    public void A_tip_at_a_known_site_needs_no_description_of_the_place()
    {
        var siteId = Guid.Parse("0193b5a0-0000-7000-8000-00000000a001");
        var decision = Tip.Receive(null, ValidCommand() with { Place = new TipPlace(siteId, null, null, null) }, Now);

        var received = Assert.IsType<TipReceived>(Assert.Single(decision.Events));
        Assert.Equal(siteId, received.Place.SiteId);
    }

    [Fact]
    public void A_tip_logged_later_may_have_been_received_in_the_past()
    {
        var decision = Tip.Receive(null, ValidCommand() with { ReceivedAt = Now.AddDays(-3) }, Now);

        Assert.Equal(Now.AddDays(-3), Assert.IsType<TipReceived>(Assert.Single(decision.Events)).ReceivedAt);
    }

    [Fact]
    public void A_tip_received_in_the_future_is_refused()
    {
        var decision = Tip.Receive(null, ValidCommand() with { ReceivedAt = Now.AddHours(1) }, Now);

        AssertInvalid(decision, "receivedAt");
    }

    [Fact]
    public void A_clock_a_little_ahead_of_ours_is_tolerated()
    {
        var decision = Tip.Receive(null, ValidCommand() with { ReceivedAt = Now.AddSeconds(30) }, Now);

        Assert.True(decision.IsAccepted);
    }

    [Fact]
    public void Missing_fields_are_all_reported_at_once()
    {
        var command = new ReceiveTip(TipId, null, null, " ", null, null, "police-desk");

        var decision = Tip.Receive(null, command, Now);

        AssertInvalid(decision, "channel", "category", "description", "receivedAt", "place");
    }

    [Theory]
    [InlineData(91.0, 105.0, "place.latitude")]
    [InlineData(19.8, 181.0, "place.longitude")]
    [InlineData(19.8, null, "place")]
    public void Coordinates_must_be_a_real_point(double? latitude, double? longitude, string field)
    {
        var decision = Tip.Receive(null, ValidCommand() with { Place = new TipPlace(null, null, latitude, longitude) }, Now);

        AssertInvalid(decision, field);
    }

    [Fact]
    public void An_empty_site_id_is_refused()
    {
        var decision = Tip.Receive(null, ValidCommand() with { Place = new TipPlace(Guid.Empty, "gate", null, null) }, Now);

        AssertInvalid(decision, "place.siteId");
    }

    [Fact]
    public void A_description_longer_than_the_limit_is_refused()
    {
        var decision = Tip.Receive(null, ValidCommand() with { Description = new string('x', Tip.MaxDescriptionLength + 1) }, Now);

        AssertInvalid(decision, "description");
    }

    [Fact]
    public void The_same_tip_cannot_be_received_twice()
    {
        var existing = TipState.Create(Assert.IsType<TipReceived>(Assert.Single(Tip.Receive(null, ValidCommand(), Now).Events)));

        var decision = Tip.Receive(existing, ValidCommand(), Now);

        Assert.Equal(RejectionKind.Conflict, decision.Rejection?.Kind);
        Assert.Empty(decision.Events);
    }

    private static void AssertInvalid(Decision decision, params string[] fields)
    {
        Assert.False(decision.IsAccepted);
        Assert.Empty(decision.Events);
        Assert.Equal(RejectionKind.Invalid, decision.Rejection!.Kind);
        Assert.Equal(fields.Order(), decision.Rejection.Errors!.Keys.Order());
    }
}
