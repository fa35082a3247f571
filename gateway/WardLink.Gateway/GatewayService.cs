namespace WardLink.Gateway;

/// <summary>The gateway: its name in telemetry; also the marker tests host it by.</summary>
public sealed class GatewayService
{
    public const string Name = "gateway";
}
