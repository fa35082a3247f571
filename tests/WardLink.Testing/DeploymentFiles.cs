namespace WardLink.Testing;

/// <summary>The deployments' files the tests use (deploy/…), which the build copies beside the tests.</summary>
public static class DeploymentFiles
{
    /// <summary>The copy of <c>deploy/<paramref name="relative"/></c>.</summary>
    public static string PathOf(string relative) => Path.Combine(AppContext.BaseDirectory, "deploy", relative);
}
