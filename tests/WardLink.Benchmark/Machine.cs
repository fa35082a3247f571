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

    private static string? Field(string file, string name, char separator = ':') =>
        File.Exists(file)
            ? File.ReadLines(file).Select(line => line.Split(separator, 2)).FirstOrDefault(parts => parts.Length == 2 && parts[0].Trim() == name)?[1].Trim()
            : null;
}
