namespace WardLink.Patrols;

/// <summary>The patrols service: its name in telemetry, queues and configuration; also the marker tests host it by.</summary>
public sealed class PatrolsService
{
    public const string Name = "patrols";
}
