namespace WardLink.ServiceDefaults;

/// <summary>Which service this process is: its name in telemetry, queues and metrics.</summary>
public sealed record ServiceIdentity(string Name);
