using System.Globalization;

namespace WardLink.Benchmark;

public sealed record BenchmarkOptions(
    string Repository,
    int FirstPort,
    int Clients,
    TimeSpan Duration,
    int Rate,
    int PropagationSamples,
    long BaseEvents,
    IReadOnlyList<int> GrowthFactors,
    int GrowthRate,
    IReadOnlyList<string> Sections,
    IReadOnlyList<int> WardCounts,
    int WardTips)
{
    /// <summary>The sections of the benchmark, in the order they run (<c>--sections</c> picks some).</summary>
    public static readonly IReadOnlyList<string> AllSections = ["throughput", "latency", "overload", "propagation", "wards", "growth"];

    /// <summary>The most wards <c>--wards</c> takes (each extra ward is established through the API, and loaded).</summary>
    public const int MaxWards = 1000;

    public const string Usage = """
        usage: WardLink.Benchmark [--repository DIR] [--port N] [--clients N] [--seconds N] [--rate N]
                                  [--propagation-samples N] [--base-events N] [--growth-rate N]
                                  [--sections NAME,…] [--wards N,…] [--ward-tips N]
          --repository           the clone, with the Release build (default: the current directory)
          --port                 the gateway's port; the services use the next four (default 27080)
          --clients              concurrent clients of pgbench and of the closed-loop intake (default 8)
          --seconds              length of each load run (default 10)
          --rate                 requests per second of the fixed-rate latency run (default 500)
          --propagation-samples  referrals timed from append to effect (default 50)
          --base-events          events in the tips store at 1× (default 10000; then 10× and 100×)
          --growth-rate          requests per second of the growth and ward runs, well below capacity (default 20)
          --sections             the sections to run, of throughput, latency, overload, propagation, wards,
                                 growth (default all; the working sets are always reported)
          --wards                the numbers of wards in the province the wards section measures at, ascending
                                 (default 1,10,100; at most 1000)
          --ward-tips            tips recorded in every ward before the wards section measures (default 20)
        """;

    public bool Runs(string section) => Sections.Contains(section);

    public static BenchmarkOptions? Parse(string[] args)
    {
        var options = new BenchmarkOptions(
            Directory.GetCurrentDirectory(), 27080, 8, TimeSpan.FromSeconds(10), 500, 50, 10_000, [1, 10, 100], 20, AllSections, [1, 10, 100], 20);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            var value = args[i + 1];
            var number = Number(value);
            options = (args[i], number) switch
            {
                ("--repository", _) => options with { Repository = value },
                ("--port", { } n) => options with { FirstPort = n },
                ("--clients", { } n) => options with { Clients = n },
                ("--seconds", { } n) => options with { Duration = TimeSpan.FromSeconds(n) },
                ("--rate", { } n) => options with { Rate = n },
                ("--propagation-samples", { } n) => options with { PropagationSamples = n },
                ("--base-events", { } n) => options with { BaseEvents = n },
                ("--growth-rate", { } n) => options with { GrowthRate = n },
                ("--sections", _) when SectionsOf(value) is { } sections => options with { Sections = sections },
                ("--wards", _) when WardCountsOf(value) is { } counts => options with { WardCounts = counts },
                ("--ward-tips", { } n) => options with { WardTips = n },
                _ => null,
            };
            if (options is null)
            {
                return null;
            }
        }

        return args.Length % 2 == 0 ? options : null;
    }

    private static int? Number(string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) && parsed > 0 ? parsed : null;

    /// <summary>Known section names, each once, in the order they run; null when one is unknown.</summary>
    private static List<string>? SectionsOf(string value)
    {
        var named = value.Split(',', StringSplitOptions.TrimEntries);
        return named.All(AllSections.Contains) ? [.. AllSections.Where(named.Contains)] : null;
    }

    /// <summary>Ascending ward counts from 1 to <see cref="MaxWards"/>; null otherwise.</summary>
    private static List<int>? WardCountsOf(string value)
    {
        var counts = value.Split(',', StringSplitOptions.TrimEntries).Select(Number).ToList();
        return counts.All(count => count is <= MaxWards)
            && counts.Zip(counts.Skip(1)).All(pair => pair.First < pair.Second)
            ? [.. counts.Select(count => count!.Value)]
            : null;
    }
}
