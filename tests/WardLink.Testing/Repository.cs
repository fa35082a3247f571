namespace WardLink.Testing;

/// <summary>The repository the tests run from: found from the test's folder upwards (the folder holding <c>WardLink.slnx</c>).</summary>
public static class Repository
{
    private static readonly Lazy<string> Root = new(() =>
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(System.IO.Path.Combine(directory.FullName, "WardLink.slnx")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException($"No WardLink.slnx above {AppContext.BaseDirectory}: the tests run from the repository's build output.");
    });

    /// <summary>The full path of <paramref name="relative"/> (e.g. <c>docs/security.md</c>) in the repository.</summary>
    public static string Path(string relative) => System.IO.Path.Combine(Root.Value, relative);
}
