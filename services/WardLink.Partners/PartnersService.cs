namespace WardLink.Partners;

/// <summary>The partners service: its name in telemetry, queues and configuration; also the marker tests host it by.</summary>
public sealed class PartnersService
{
    public const string Name = "partners";
}
