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
    int GrowthRate)
{
    public const string Usage = """
        usage: WardLink.Benchmark [--repository DIR] [--port N] [--clients N] [--seconds N] [--rate N]
                                  [--propagation-samples N] [--base-events N] [--growth-rate N]
          --repository           the clone, with the Release build (default: the current directory)
          --port                 the gateway's port; the services use the next four (default 47080)
          --clients              concurrent clients of pgbench and of the closed-loop intake (default 8)
          --seconds              length of each load run (default 10)
          --rate                 requests per second of the fixed-rate latency run (default 500)
          --propagation-samples  referrals timed from append to effect (default 50)
          --base-events          events in the tips store at 1× (default 10000; then 10× and 100×)
          --growth-rate          requests per second of the growth runs, well below capacity (default 20)
        """;

    public static BenchmarkOptions? Parse(string[] args)
    {
        var options = new BenchmarkOptions(Directory.GetCurrentDirectory(), 47080, 8, TimeSpan.FromSeconds(10), 500, 50, 10_000, [1, 10, 100], 20);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            var value = args[i + 1];
            var number = int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) && parsed > 0 ? parsed : (int?)null;
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
                _ => null,
            };
            if (options is null)
            {
                return null;
            }
        }

        return args.Length % 2 == 0 ? options : null;
    }
}
