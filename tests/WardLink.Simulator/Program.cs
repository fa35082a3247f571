using WardLink.Simulator;

// Plays the programme's year (2022 baseline, 2024) through the gateway, then prints the annual
// figures, then the 2025 merger of the ward into Đông Quang (read as recorded and within current
// boundaries), then checks every service's audit chain. Exit status: 0 when the reports show exactly
// the programme's figures both ways and every chain is intact over the events written, 1 otherwise.
const string Usage = """
    usage: WardLink.Simulator [--gateway URL] [--client-id ID] [--client-secret SECRET] [--province-client-id ID]
                              [--province-client-secret SECRET] [--seed N] [--patrol-days N]
      --gateway        the gateway (default http://127.0.0.1:5080)
      --client-id      OAuth2 client of the gateway's token endpoint (default police-desk)
      --client-secret  its secret (default the development secret)
      --province-client-id, --province-client-secret
                       a police client of the whole province, which plays the merger (default province-police)
      --seed           the year's variety (channels, categories, times, places; default 2024);
                       the programme's figures are the same for every seed
      --patrol-days    days of 2024, from 1 January, whose patrol shifts are played (default 366:
                       the whole year, most of the run's requests; fewer for a quicker run)
    """;

var gateway = new Uri("http://127.0.0.1:5080");
var credentials = ClientCredentials.PoliceDesk;
var provinceCredentials = ClientCredentials.ProvincePolice;
var seed = 2024;
var patrolDays = 366;
for (var i = 0; i < args.Length; i++)
{
    var value = i + 1 < args.Length ? args[i + 1] : null;
    switch (args[i])
    {
        case "--gateway" when value is not null && Uri.TryCreate(value, UriKind.Absolute, out var uri):
            gateway = uri;
            break;
        case "--client-id" when value is not null:
            credentials = credentials with { ClientId = value };
            break;
        case "--client-secret" when value is not null:
            credentials = credentials with { ClientSecret = value };
            break;
        case "--province-client-id" when value is not null:
            provinceCredentials = provinceCredentials with { ClientId = value };
            break;
        case "--province-client-secret" when value is not null:
            provinceCredentials = provinceCredentials with { ClientSecret = value };
            break;
        case "--seed" when int.TryParse(value, out var number):
            seed = number;
            break;
        case "--patrol-days" when int.TryParse(value, out var days) && days is >= 0 and <= 366:
            patrolDays = days;
            break;
        default:
            await Console.Error.WriteLineAsync(args[i] is "-h" or "--help" ? Usage : $"Unknown or incomplete option '{args[i]}'.\n{Usage}");
            return args[i] is "-h" or "--help" ? 0 : 2;
    }

    i++;
}

using var client = TokenHandler.CreateClient(gateway, credentials, TimeSpan.FromSeconds(30));
using var provinceClient = TokenHandler.CreateClient(gateway, provinceCredentials, TimeSpan.FromSeconds(30));
try
{
    var (baseline, year) = await new YearSimulation(client, Console.Out).RunAsync(new YearPlan(seed, Demo.Partners.Count, patrolDays), CancellationToken.None);
    Console.WriteLine(ProgrammeCheck.Table(baseline, year));
    var merger = await new WardMerger(provinceClient, Console.Out).RunAsync(CancellationToken.None);
    Console.WriteLine(WardMerger.Table(merger));
    var differences = ProgrammeCheck.Differences(baseline, year).Concat(WardMerger.Differences(merger)).ToList();
    foreach (var difference in differences)
    {
        await Console.Error.WriteLineAsync($"[simulator] MISMATCH: {difference}");
    }

    Console.WriteLine("[simulator] the audit: each service's hash chain over the year's events...");
    var audit = await AuditIntegrity.CheckAsync(new Api(client, Console.Out), Console.Out, CancellationToken.None);
    Console.WriteLine(AuditIntegrity.Table(audit));
    var problems = AuditIntegrity.Problems(audit);
    foreach (var problem in problems)
    {
        await Console.Error.WriteLineAsync($"[simulator] AUDIT FAILED: {problem}");
    }

    return differences.Count == 0 && problems.Count == 0 ? 0 : 1;
}
catch (Exception error) when (error is SimulationException or HttpRequestException or TaskCanceledException)
{
    await Console.Error.WriteLineAsync($"[simulator] FAILED: {error.Message}");
    return 1;
}
