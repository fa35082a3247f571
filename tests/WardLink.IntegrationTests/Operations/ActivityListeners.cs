namespace WardLink.IntegrationTests.Operations;

/// <summary>
/// The test classes that listen to every activity of the process, and the one that checks what
/// the service's own tracer samples. .NET records an activity when any listener asks for it, so a
/// listener of one class would hand the other the daemon's spans its sampler drops: they take turns.
/// A span begun while such a listener ran (in any test class) still reaches every tracer when it ends,
/// so <see cref="TracingTests"/> reads only the spans begun during its test.
/// </summary>
[CollectionDefinition(Name)]
public sealed class ActivityListeners
{
    public const string Name = "Activity listeners";
}
