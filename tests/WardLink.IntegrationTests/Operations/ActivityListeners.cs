namespace WardLink.IntegrationTests.Operations;

/// <summary>
/// The test classes that listen to every activity of the process, and the one that checks what
/// the service's own tracer samples. .NET records an activity when any listener asks for it, so a
/// listener of one class would hand the other the daemon's spans its sampler drops: they take turns.
/// </summary>
[CollectionDefinition(Name)]
public sealed class ActivityListeners
{
    public const string Name = "Activity listeners";
}
