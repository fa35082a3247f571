using System.Globalization;
using System.Runtime.InteropServices;

namespace WardLink.Benchmark;

/// <summary>What the benchmark ran on: CPU model and count, memory, operating system.</summary>
public static class Machine
{
    public static string Describe()
    {
        var cpu = Field("/proc/cpuinfo", "model name") ?? RuntimeInformation.ProcessArchitecture.ToString();
        var memory = Field("/proc/meminfo", "MemTotal") is { } total && long.TryParse(total.Split(' ')[0], out var kilobytes) ? $"{kilobytes / 1048576.0:0.0} GiB RAM" : "memory unknown";
        var os = Field("/etc/os-release", "PRETTY_NAME", '=')?.Trim('"') ?? RuntimeInformation.OSDescription;
        return $"{cpu}, {Environment.ProcessorCount} cores, {memory}, {os}, kernel {Environment.OSVersion.Version}, .NET {Environment.Version}; PostgreSQL, RabbitMQ, the services, the gateway and the load on this one host";
    }

    /// <summary>The load average over 1, 5 and 15 minutes (from /proc/loadavg): how much else the shared machine ran.</summary>
    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(" / ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    /// <summary>
    /// The CPU time (user and system, fields 14 and 15 of /proc/PID/stat, in ticks of 1/100 s) each process of
    /// this machine has used so far, with its command name; a process that exits meanwhile is left out.
    /// </summary>
    public static Dictionary<int, (string Command, TimeSpan Used)> CpuByProcess()
    {
        var used = new Dictionary<int, (string, TimeSpan)>();
        foreach (var folder in Directory.Exists("/proc") ? Directory.EnumerateDirectories("/proc") : [])
        {
            try
            {
                if (int.TryParse(Path.GetFileName(folder), out var pid) && File.ReadAllText(Path.Combine(folder, "stat")) is var stat && stat.LastIndexOf(')') is > 0 and var end)
                {
                    var fields = stat[(end + 2)..].Split(' ');
                    var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
                    used[pid] = (stat[(stat.IndexOf('(') + 1)..end], TimeSpan.FromMilliseconds(ticks * 10));
                }
            }
            catch (IOException)
            {
                // The process exited while it was read.
            }
        }

        return used;
    }

    private static string? Field(string file, string name, char separator = ':') =>
        File.Exists(file)
            ? File.ReadLines(file).Select(line => line.Split(separator, 2)).FirstOrDefault(parts => parts.Length == 2 && parts[0].Trim() == name)?[1].Trim()
            : null;
}

/// <summary>
/// The CPU each part of the system used over a window of the benchmark: PostgreSQL (all its processes), each
/// service and the gateway, the benchmark itself (the load and the readers), every other command of the machine by its name.
/// </summary>
public sealed class CpuWindow
{
    private readonly Dictionary<int, string> _named;
    private readonly Dictionary<int, (string Command, TimeSpan Used)> _start = Machine.CpuByProcess();

    public CpuWindow(IReadOnlyDictionary<int, string> named)
    {
        _named = new Dictionary<int, string>(named) { [Environment.ProcessId] = "benchmark" };
    }

    /// <summary>The CPU the whole machine used since the window opened, in cores (CPU seconds per second of <paramref name="elapsed"/>).</summary>
    public double Cores(TimeSpan elapsed) => Used().Sum(part => part.Value.TotalSeconds) / elapsed.TotalSeconds;

    /// <summary>Milliseconds of CPU per 1,000 <paramref name="units"/> of each part since the window opened, the largest first (those that round to 0 left out).</summary>
    public string PerThousand(long units) => PerThousand(Used(), units);

    /// <summary>Milliseconds of CPU per 1,000 <paramref name="units"/> of each part in <paramref name="used"/>, the largest first (those that round to 0 left out).</summary>
    public static string PerThousand(IReadOnlyDictionary<string, TimeSpan> used, double units) =>
        string.Join(", ", used.Select(part => (part.Key, Milliseconds: Math.Round(part.Value.TotalMilliseconds * 1000 / Math.Max(units, 1))))
            .Where(part => part.Milliseconds > 0).OrderByDescending(part => part.Milliseconds)
            .Select(part => string.Create(CultureInfo.InvariantCulture, $"{part.Key} {part.Milliseconds:0}")));

    /// <summary>What each part used since the window opened (a process started meanwhile: all it used).</summary>
    public Dictionary<string, TimeSpan> Used()
    {
        var used = new Dictionary<string, TimeSpan>();
        foreach (var (pid, (command, now)) in Machine.CpuByProcess())
        {
            var part = _named.TryGetValue(pid, out var name) ? name : command == "postgres" ? "PostgreSQL" : command;
            // A kernel worker renames itself as it takes other work: the same process id is the same process.
            var before = _start.TryGetValue(pid, out var start) ? start.Used : TimeSpan.Zero;
            used[part] = used.GetValueOrDefault(part) + (now - before);
        }

        return used;
    }
}

/// <summary>
/// The CPU each part used over several windows (<see cref="CpuWindow"/>), summed: a measure taken in turns with
/// another, so that what the machine does meanwhile falls on both alike, says what it cost each part over its own turns.
/// </summary>
public sealed class CpuTotals(Func<IReadOnlyDictionary<int, string>> named)
{
    private readonly Dictionary<string, TimeSpan> _used = [];

    /// <summary>Runs <paramref name="measure"/> in a window of its own and adds what each part used meanwhile.</summary>
    public async Task<T> MeasureAsync<T>(Func<Task<T>> measure)
    {
        var window = new CpuWindow(named());
        var result = await measure();
        foreach (var (part, used) in window.Used())
        {
            _used[part] = _used.GetValueOrDefault(part) + used;
        }

        return result;
    }

    /// <summary>Milliseconds of CPU per 1,000 <paramref name="units"/> of each part over every window measured.</summary>
    public string PerThousand(double units) => CpuWindow.PerThousand(_used, units);
}
