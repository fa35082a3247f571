namespace WardLink.Tips;

/// <summary>The tips service: its name in telemetry, queues and configuration; also the marker tests host it by.</summary>
public sealed class TipsService
{
    public const string Name = "tips";
}
