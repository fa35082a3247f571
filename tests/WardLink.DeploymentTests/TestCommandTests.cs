using System.Diagnostics;
using System.Text.RegularExpressions;

namespace WardLink.DeploymentTests;

/// <summary>
/// The README's test command (<c>./test.sh</c>) as a newcomer and a CI meet it, without running tests: its help names every
/// setting it reads and starts nothing; a second run in a folder another run holds is refused at once, ending with its
/// totals line, having started nothing (it would stop the first run's servers and delete its results).
/// </summary>
public sealed partial class TestCommandTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Its_help_names_every_setting_it_reads_and_starts_nothing()
    {
        using var folder = new TemporaryFolder();
        var settings = Setting().Matches(Repository.Read("test.sh")).Select(match => match.Value).Distinct().ToList();
        Assert.Contains("WARDLINK_TEST_LOCAL_DIR", settings);

        var (exit, output, errors) = await RunAsync(folder.Path, "--help");

        Assert.True(exit == 0, $"./test.sh --help exited {exit}: {errors}");
        Assert.All(settings, setting => Assert.Contains(setting, output, StringComparison.Ordinal));
        Assert.Empty(Directory.EnumerateFileSystemEntries(folder.Path));
    }

    [Fact]
    public async Task A_second_run_in_a_folder_another_holds_is_refused_at_once_with_its_totals_and_starts_nothing()
    {
        using var folder = new TemporaryFolder();
        var lockFile = Path.Combine(folder.Path, "test.lock");
        using var holder = Process.Start(new ProcessStartInfo("flock", [lockFile, "sleep", "120"])) ?? throw new InvalidOperationException("flock did not start.");
        try
        {
            var waited = Stopwatch.StartNew();
            while (!File.Exists(lockFile) || (await RunProcessAsync("flock", "-n", lockFile, "true")).Exit == 0)
            {
                Assert.True(waited.Elapsed < Limit, "the lock was not taken");
                await Task.Delay(50, TestContext.Current.CancellationToken);
            }

            var (exit, output, errors) = await RunAsync(folder.Path);

            Assert.Equal(1, exit);
            Assert.Equal("0 passed, 0 failed", output.TrimEnd().Split('\n')[^1]);
            Assert.Contains("another ./test.sh is running", errors, StringComparison.Ordinal);
            Assert.Equal(["test.lock"], Directory.EnumerateFileSystemEntries(folder.Path).Select(Path.GetFileName));
        }
        finally
        {
            holder.Kill();
        }
    }

    /// <summary>Runs <c>./test.sh</c> with its own folder (and ports no server of the tests uses), as a second run would.</summary>
    private static Task<(int Exit, string Output, string Errors)> RunAsync(string folder, params string[] arguments) =>
        RunProcessAsync(
            "bash",
            [Repository.PathOf("test.sh"), .. arguments],
            new Dictionary<string, string>
            {
                ["WARDLINK_TEST_LOCAL_DIR"] = folder,
                ["WARDLINK_TEST_PG_PORT"] = "59433",
                ["WARDLINK_TEST_AMQP_PORT"] = "59673",
                ["WARDLINK_TEST_RABBIT_MGMT_PORT"] = "59674",
                ["WARDLINK_TEST_RABBIT_DIST_PORT"] = "59675",
                ["WARDLINK_TEST_RABBIT_NODE"] = "wardlink-test-command",
            });

    private static Task<(int Exit, string Output, string Errors)> RunProcessAsync(string file, params string[] arguments) =>
        RunProcessAsync(file, arguments, new Dictionary<string, string>());

    private static async Task<(int Exit, string Output, string Errors)> RunProcessAsync(string file, string[] arguments, Dictionary<string, string> environment)
    {
        var start = new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start.");
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var errors = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        limit.CancelAfter(Limit);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await output, await errors);
    }

    [GeneratedRegex("WARDLINK_(?:TEST_[A-Z_]+[A-Z]|KEEP_INFRA)")]
    private static partial Regex Setting();

    private sealed class TemporaryFolder : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("wardlink-test-command-").FullName;

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
