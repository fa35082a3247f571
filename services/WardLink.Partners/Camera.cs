using System.ComponentModel.DataAnnotations;
using WardLink.Domain;
using WardLink.ServiceDefaults;

namespace WardLink.Partners;

public enum CameraStatus
{
    Surveyed,
    Approved,
    Installed,
    Operational,
    Decommissioned,
}

/// <summary>A place at a site was surveyed for a security camera ("security camera" model).</summary>
public sealed record CameraSurveyed(Guid CameraId, Guid SiteId, Guid PartnerId, string Description, DateTimeOffset At, string By) : IBusinessEvent;

/// <summary>Carries the site and partner so the relay publishes it as it is.</summary>
public sealed record CameraApproved(Guid CameraId, Guid SiteId, Guid PartnerId, DateTimeOffset At, string By) : IBusinessEvent;

/// <summary>Carries the site and partner so the relay publishes it as it is.</summary>
public sealed record CameraInstalled(Guid CameraId, Guid SiteId, Guid PartnerId, DateTimeOffset At, string By) : IBusinessEvent;

public sealed record CameraOperationStarted(Guid CameraId, DateTimeOffset At, string By) : IBusinessEvent;

public sealed record CameraDecommissioned(Guid CameraId, Guid SiteId, Guid PartnerId, string Reason, DateTimeOffset At, string By) : IBusinessEvent;

/// <summary>A survey for camera <paramref name="CameraId"/> at a site of partner <paramref name="PartnerId"/>, with that site as the caller found it (null: no such site).</summary>
public sealed record SurveyCamera(Guid CameraId, Guid PartnerId, SiteState? Site, string? Description, DateTimeOffset? At, PartnerState? Partner);

/// <summary>When a surveyed camera was approved, if not now; the request body of <c>POST /partners/cameras/{id}/approve</c>.</summary>
public sealed record ApproveCamera(DateTimeOffset? At = null);

/// <summary>When an approved camera was installed, if not now; the request body of <c>POST /partners/cameras/{id}/install</c>.</summary>
public sealed record InstallCamera(DateTimeOffset? At = null);

/// <summary>When an installed camera began to work, if not now; the request body of <c>POST /partners/cameras/{id}/operate</c>.</summary>
public sealed record StartCameraOperation(DateTimeOffset? At = null);

/// <summary>Why a camera is taken out of service, and when if not now; the request body of <c>POST /partners/cameras/{id}/decommission</c>.</summary>
public sealed record DecommissionCamera([property: MaxLength(Partner.MaxTextLength)] string? Reason, DateTimeOffset? At = null);

/// <summary>A camera as it stands, with the date of each step so far; also the statistics' read model (an inline snapshot).</summary>
public sealed record CameraState(
    Guid Id,
    Guid SiteId,
    Guid PartnerId,
    [property: MaxLength(Partner.MaxTextLength)] string Description,
    CameraStatus Status,
    DateTimeOffset SurveyedAt,
    DateTimeOffset? ApprovedAt,
    DateTimeOffset? InstalledAt,
    DateTimeOffset? OperationalAt,
    DateTimeOffset? DecommissionedAt) : KeptInWard
{
    public DateTimeOffset LastStepAt => DecommissionedAt ?? OperationalAt ?? InstalledAt ?? ApprovedAt ?? SurveyedAt;

    public static CameraState Create(CameraSurveyed surveyed) =>
        new(surveyed.CameraId, surveyed.SiteId, surveyed.PartnerId, surveyed.Description, CameraStatus.Surveyed, surveyed.At, null, null, null, null);

    public CameraState Apply(CameraApproved approved) => this with { Status = CameraStatus.Approved, ApprovedAt = approved.At };

    public CameraState Apply(CameraInstalled installed) => this with { Status = CameraStatus.Installed, InstalledAt = installed.At };

    public CameraState Apply(CameraOperationStarted started) => this with { Status = CameraStatus.Operational, OperationalAt = started.At };

    public CameraState Apply(CameraDecommissioned decommissioned) =>
        this with { Status = CameraStatus.Decommissioned, DecommissionedAt = decommissioned.At };
}

/// <summary>
/// A camera's lifecycle: surveyed → approved → installed → operational, and decommissioned once
/// installed. Each step is dated (given, or now; never in the future nor before the step before it).
/// </summary>
public static class Camera
{
    /// <summary>A camera surveyed at a site of the partner (else a 404 whatever the body), once its body is judged valid.</summary>
    public static Decision Survey(CameraState? current, SurveyCamera command, DateTimeOffset now, string actor) =>
        command.Site is not { } site || site.OfAnotherPartner(command.PartnerId) is not null
            ? Rejection.NotFound($"Site of partner {command.PartnerId} was not found.")
            : new FieldErrors()
                .CheckText(command.Description, "description", "Say where the camera would go and what it would watch.", Partner.MaxTextLength)
                .CheckPast(command.At, "at", now)
                .Then(() => current is not null ? Rejection.Conflict($"Camera {command.CameraId} already exists.")
                    : site.RetiredAt is not null ? Rejection.Conflict($"Site {site.Name} is retired; no camera is surveyed at a retired site.")
                    : command.Partner?.RefuseIfLeft() ?? Decision.Accept(new CameraSurveyed(command.CameraId, site.Id, site.PartnerId, command.Description!.Trim(), command.At ?? now, actor)));

    public static Decision Approve(CameraState camera, ApproveCamera command, DateTimeOffset now, string actor) =>
        camera.Step(camera.Status == CameraStatus.Surveyed, "approved", "a surveyed", command.At, now, when => new CameraApproved(camera.Id, camera.SiteId, camera.PartnerId, when, actor));

    public static Decision Install(CameraState camera, InstallCamera command, DateTimeOffset now, string actor) =>
        camera.Step(camera.Status == CameraStatus.Approved, "installed", "an approved", command.At, now, when => new CameraInstalled(camera.Id, camera.SiteId, camera.PartnerId, when, actor));

    public static Decision StartOperation(CameraState camera, StartCameraOperation command, DateTimeOffset now, string actor) =>
        camera.Step(camera.Status == CameraStatus.Installed, "put into operation", "an installed", command.At, now, when => new CameraOperationStarted(camera.Id, when, actor));

    public static Decision Decommission(CameraState camera, DecommissionCamera command, DateTimeOffset now, string actor) =>
        camera.Step(
            camera.Status is CameraStatus.Installed or CameraStatus.Operational, "decommissioned", "an installed or operational", command.At, now,
            when => new CameraDecommissioned(camera.Id, camera.SiteId, camera.PartnerId, command.Reason!.Trim(), when, actor),
            new FieldErrors().CheckText(command.Reason, "reason", "Say why the camera is decommissioned.", Partner.MaxTextLength));

    /// <summary>
    /// A step its camera's status <paramref name="allows"/>, at <paramref name="at"/> (now when none), judged with the errors its
    /// body's other fields already have (<paramref name="judged"/>), so a 400 names every wrong field at once, and before the
    /// status: a step the status refuses still names a wrong field.
    /// </summary>
    private static Decision Step(
        this CameraState camera,
        bool allows,
        string step,
        string expected,
        DateTimeOffset? at,
        DateTimeOffset now,
        Func<DateTimeOffset, IBusinessEvent> happened,
        FieldErrors? judged = null)
    {
        var when = WardTime.StepAt(at, now, camera.LastStepAt);
        return (judged ?? new FieldErrors())
            .CheckPast(at, "at", now)
            .Check(when >= camera.LastStepAt, "at", "Cannot be before the camera's previous step.")
            .Then(() => allows ? Decision.Accept(happened(when)) : Rejection.Conflict($"Camera {camera.Id} is {Describe(camera.Status)}; only {expected} camera can be {step}."));
    }

    private static string Describe(CameraStatus status) => status switch
    {
        CameraStatus.Surveyed => "only surveyed",
        CameraStatus.Approved => "approved but not installed",
        CameraStatus.Installed => "installed",
        CameraStatus.Operational => "operational",
        _ => "decommissioned",
    };
}
