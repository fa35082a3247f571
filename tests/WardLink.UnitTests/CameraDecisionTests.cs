using CsCheck;
using WardLink.Domain;
using WardLink.Partners;
using PartnerKind = WardLink.Contracts.Partners.PartnerKind;
using SiteKind = WardLink.Contracts.Partners.SiteKind;

namespace WardLink.UnitTests;

public sealed class CameraDecisionTests
{
    private static readonly DateTimeOffset Now = new(2024, 6, 1, 10, 0, 0, TimeSpan.FromHours(7));
    private static readonly Guid PartnerId = Guid.Parse("0193b5a0-0000-7000-8000-00000000b001");
    private static readonly Guid SiteId = Guid.Parse("0193b5a0-0000-7000-8000-00000000c001");
    private static readonly Guid CameraId = Guid.Parse("0193b5a0-0000-7000-8000-00000000d001");
    private static readonly PartnerState Hospital = PartnerState.Create(new PartnerRegistered(PartnerId, "Eye hospital", PartnerKind.Hospital, Now.AddYears(-1), "x"));
    private static readonly SiteState Gate = SiteState.Create(new SiteRegistered(SiteId, PartnerId, "Eye hospital gate", SiteKind.Gate, 19.81, 105.78, Now.AddYears(-1), "x"));
    private static readonly DateTimeOffset SurveyedOn = Now.AddDays(-30);
    private static readonly CameraState Surveyed = CameraState.Create(new CameraSurveyed(CameraId, SiteId, PartnerId, "Over the gate, facing the car park", SurveyedOn, "police"));

    [Fact]
    public void A_survey_at_a_partner_s_site_starts_a_camera_dated_when_it_happened()
    {
        var decision = Camera.Survey(null, new SurveyCamera(CameraId, PartnerId, Gate, " Over the gate, facing the car park ", SurveyedOn, Hospital), Now, "police");

        Assert.Equal(new CameraSurveyed(CameraId, SiteId, PartnerId, "Over the gate, facing the car park", SurveyedOn, "police"), Assert.Single(decision.Events));
    }

    [Fact]
    public void A_survey_needs_a_new_camera_a_known_site_of_the_partner_that_is_not_retired_a_description_and_a_past_date()
    {
        Assert.Equal(RejectionKind.NotFound, Camera.Survey(null, new SurveyCamera(CameraId, PartnerId, null, "x", null, Hospital), Now, "p").Rejection?.Kind);
        Assert.Equal(RejectionKind.NotFound, Camera.Survey(null, new SurveyCamera(CameraId, Guid.CreateVersion7(), Gate, "x", null, Hospital), Now, "p").Rejection?.Kind);

        // A site the partner does not have is not there whatever the body says: a 404 before a blank description's 400.
        Assert.Equal(RejectionKind.NotFound, Camera.Survey(null, new SurveyCamera(CameraId, PartnerId, null, " ", null, Hospital), Now, "p").Rejection?.Kind);
        Assert.Equal(RejectionKind.NotFound, Camera.Survey(null, new SurveyCamera(CameraId, Guid.CreateVersion7(), Gate, new string('x', Partner.MaxTextLength + 1), null, Hospital), Now, "p").Rejection?.Kind);
        Assert.Equal(RejectionKind.Conflict, Camera.Survey(null, new SurveyCamera(CameraId, PartnerId, Gate with { RetiredAt = Now }, "x", null, Hospital), Now, "p").Rejection?.Kind);
        Assert.Equal(RejectionKind.Conflict, Camera.Survey(Surveyed, new SurveyCamera(CameraId, PartnerId, Gate, "x", null, Hospital), Now, "p").Rejection?.Kind);
        Assert.Equal(
            ["at", "description"],
            Camera.Survey(null, new SurveyCamera(CameraId, PartnerId, Gate, "", Now.AddDays(1), Hospital), Now, "p").Rejection!.Errors!.Keys.Order());
    }

    [Fact]
    public void A_camera_goes_from_survey_to_operation_and_decommissioning_each_step_dated_and_attributed()
    {
        var approved = Assert.IsType<CameraApproved>(Assert.Single(Camera.Approve(Surveyed, new ApproveCamera(Now.AddDays(-20)), Now, "ward-committee").Events));
        var camera = Surveyed.Apply(approved);
        var installed = Assert.IsType<CameraInstalled>(Assert.Single(Camera.Install(camera, new InstallCamera(Now.AddDays(-10)), Now, "contractor").Events));
        camera = camera.Apply(installed);
        var started = Assert.IsType<CameraOperationStarted>(Assert.Single(Camera.StartOperation(camera, new StartCameraOperation(null), Now, "police").Events));
        camera = camera.Apply(started);
        var decommissioned = Assert.IsType<CameraDecommissioned>(Assert.Single(Camera.Decommission(camera, new DecommissionCamera(" Struck by lightning ", null), Now, "police").Events));
        camera = camera.Apply(decommissioned);

        Assert.Equal(new CameraApproved(CameraId, SiteId, PartnerId, Now.AddDays(-20), "ward-committee"), approved);
        Assert.Equal(new CameraInstalled(CameraId, SiteId, PartnerId, Now.AddDays(-10), "contractor"), installed);
        Assert.Equal(new CameraOperationStarted(CameraId, Now, "police"), started);
        Assert.Equal(new CameraDecommissioned(CameraId, SiteId, PartnerId, "Struck by lightning", Now, "police"), decommissioned);
        Assert.Equal(
            Surveyed with
            {
                Status = CameraStatus.Decommissioned, ApprovedAt = Now.AddDays(-20), InstalledAt = Now.AddDays(-10), OperationalAt = Now, DecommissionedAt = Now,
            },
            camera);
    }

    [Fact]
    public void An_installed_camera_may_be_decommissioned_before_it_ever_worked()
    {
        var installed = Surveyed with { Status = CameraStatus.Installed, InstalledAt = SurveyedOn };

        Assert.IsType<CameraDecommissioned>(Assert.Single(Camera.Decommission(installed, new DecommissionCamera("Wrong angle", null), Now, "x").Events));
    }

    [Fact]
    public void Steps_out_of_order_are_conflicts_naming_the_rule()
    {
        var install = Camera.Install(Surveyed, new InstallCamera(null), Now, "x");
        Assert.Equal(RejectionKind.Conflict, install.Rejection?.Kind);
        Assert.Contains("only an approved camera can be installed", install.Rejection!.Title, StringComparison.Ordinal);
        Assert.Equal(RejectionKind.Conflict, Camera.StartOperation(Surveyed, new StartCameraOperation(null), Now, "x").Rejection?.Kind);
        Assert.Equal(RejectionKind.Conflict, Camera.Decommission(Surveyed, new DecommissionCamera("why", null), Now, "x").Rejection?.Kind);
        var approved = Surveyed with { Status = CameraStatus.Approved, ApprovedAt = SurveyedOn };
        Assert.Equal(RejectionKind.Conflict, Camera.Approve(approved, new ApproveCamera(null), Now, "x").Rejection?.Kind);
        var gone = approved with { Status = CameraStatus.Decommissioned, DecommissionedAt = Now };
        Assert.Equal(RejectionKind.Conflict, Camera.Decommission(gone, new DecommissionCamera("again", null), Now, "x").Rejection?.Kind);
    }

    [Fact]
    public void A_step_is_never_in_the_future_nor_before_the_step_before_it_and_decommissioning_needs_a_reason()
    {
        Assert.Equal(["at"], Camera.Approve(Surveyed, new ApproveCamera(Now.AddHours(1)), Now, "x").Rejection!.Errors!.Keys);
        Assert.Equal(["at"], Camera.Approve(Surveyed, new ApproveCamera(SurveyedOn.AddDays(-1)), Now, "x").Rejection!.Errors!.Keys);
        var installed = Surveyed with { Status = CameraStatus.Installed, InstalledAt = SurveyedOn };
        Assert.Equal(["reason"], Camera.Decommission(installed, new DecommissionCamera(null, null), Now, "x").Rejection!.Errors!.Keys);

        // Every wrong field at once: a decommissioning without a reason, in the future or before the step before, names both.
        foreach (var at in new[] { Now.AddHours(1), SurveyedOn.AddDays(-1) })
        {
            Assert.Equal(["reason", "at"], Camera.Decommission(installed, new DecommissionCamera(" ", at), Now, "x").Rejection!.Errors!.Keys);
        }
    }

    /// <summary>A camera surveyed by a client whose clock runs ahead takes its next step without a time at once, dated no earlier than the survey.</summary>
    [Fact]
    public void A_step_without_a_time_is_never_refused_on_it_whenever_the_step_before_was()
    {
        Gen.Long[0, WardTime.ClockSkew.Ticks].Sample(ahead =>
        {
            var surveyedAt = Now.AddTicks(ahead);
            var camera = CameraState.Create(new CameraSurveyed(CameraId, SiteId, PartnerId, "Over the gate", surveyedAt, "police"));
            var decision = Camera.Approve(camera, new ApproveCamera(null), Now, "ward-committee");

            Assert.True(decision.Rejection is null, $"refused without a time: {decision.Rejection?.Errors?.Keys.FirstOrDefault()}");
            Assert.Equal(surveyedAt, Assert.IsType<CameraApproved>(Assert.Single(decision.Events)).At);
        });
    }
}
