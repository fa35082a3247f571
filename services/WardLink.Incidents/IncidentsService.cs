namespace WardLink.Incidents;

/// <summary>The incidents service: its name in telemetry, queues and configuration; also the marker tests host it by.</summary>
public sealed class IncidentsService
{
    public const string Name = "incidents";
}
