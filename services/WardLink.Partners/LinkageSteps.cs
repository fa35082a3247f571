using JasperFx.Events;
using Marten.Events.Projections;
using WardLink.EventSourcing.Wards;

namespace WardLink.Partners;

/// <summary>A kind of dated step of the linkage that the statistics count.</summary>
public enum LinkageStepKind
{
    CameraSurveyed,
    CameraInstalled,
    CameraOperational,
    CameraDecommissioned,
    WarningSignsPosted,
    MeetingHeld,
    OutreachSession,
    IdCardDrive,
}

/// <summary>
/// The read model of the linkage's yearly figures (<see cref="PartnerQueries"/>): one row a dated step
/// (a camera's survey, installation, operation or decommissioning, signs posted, a meeting held, an
/// outreach session, an ID-card drive), with how many it counts (signs, attendees, cards) and an
/// outreach session's topics. Steps are facts: a row is written once, from its event. Its time is in
/// UTC.
/// </summary>
public sealed record LinkageStep(
    Guid Id,
    LinkageStepKind Kind,
    [property: WardIndexedTime] DateTimeOffset At,
    long Amount,
    IReadOnlyList<OutreachTopic> Topics);

/// <summary>Projects each step's event into its <see cref="LinkageStep"/>, inline.</summary>
public sealed partial class LinkageSteps : EventProjection
{
    public static LinkageStep Create(IEvent<CameraSurveyed> surveyed) => Step(surveyed, LinkageStepKind.CameraSurveyed, surveyed.Data.At);

    public static LinkageStep Create(IEvent<CameraInstalled> installed) => Step(installed, LinkageStepKind.CameraInstalled, installed.Data.At);

    public static LinkageStep Create(IEvent<CameraOperationStarted> started) => Step(started, LinkageStepKind.CameraOperational, started.Data.At);

    public static LinkageStep Create(IEvent<CameraDecommissioned> decommissioned) => Step(decommissioned, LinkageStepKind.CameraDecommissioned, decommissioned.Data.At);

    public static LinkageStep Create(IEvent<WarningSignsPosted> posted) => Step(posted, LinkageStepKind.WarningSignsPosted, posted.Data.At, posted.Data.Count);

    public static LinkageStep Create(IEvent<MeetingHeld> held) => Step(held, LinkageStepKind.MeetingHeld, held.Data.HeldAt);

    public static LinkageStep Create(IEvent<OutreachSessionHeld> held) =>
        Step(held, LinkageStepKind.OutreachSession, held.Data.At, held.Data.Attendees) with { Topics = held.Data.Topics };

    public static LinkageStep Create(IEvent<IdCardDriveHeld> held) => Step(held, LinkageStepKind.IdCardDrive, held.Data.At, held.Data.CardsIssued);

    private static LinkageStep Step(IEvent step, LinkageStepKind kind, DateTimeOffset at, long amount = 0) => new(step.Id, kind, at.ToUniversalTime(), amount, []);
}
