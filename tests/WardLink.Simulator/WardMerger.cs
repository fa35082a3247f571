using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace WardLink.Simulator;

/// <summary>
/// The programme's ward inside its province, then the 2025 merger: Quảng Thắng (the home ward, where
/// the year was played) and Điện Biên are wards of Thanh Hóa; Đông Quang is established on 1 July 2025
/// and Quảng Thắng is merged into it from that day. Incidents are recorded on both sides of the
/// effective date, and the annual reports are read as recorded and within current boundaries:
/// Đông Quang's 2022 (within its current boundaries) is Quảng Thắng's baseline, its 2025 counts
/// Quảng Thắng's half-year before the merger, and Quảng Thắng's 2026 is empty with a note.
/// The caller is a province-level police client (it sees every ward of Thanh Hóa).
/// </summary>
public sealed class WardMerger(HttpClient province, TextWriter progress)
{
    public const string Province = "thanh-hoa";
    public const string Home = "quang-thang";
    public const string Successor = "dong-quang";
    public const string Neighbour = "dien-bien";
    public static readonly DateOnly EffectiveOn = new(2025, 7, 1);

    /// <summary>Điện Biên's 2022 incidents (the province's figures sum it with Quảng Thắng's).</summary>
    public const int NeighbourIncidents2022 = 4;

    /// <summary>Quảng Thắng's 2025 incidents before the merger, and Đông Quang's after it.</summary>
    public const int HomeIncidents2025 = 3;

    public const int SuccessorIncidents2025 = 4;

    private readonly Api _api = new(province, progress);

    /// <summary>The incident figures the merger is checked by.</summary>
    public sealed record Figures(
        int Successor2022Current,
        int Successor2022CriminalCurrent,
        int Successor2022AsRecorded,
        int Successor2025Current,
        int Successor2025AsRecorded,
        int Home2025AsRecorded,
        int Home2026,
        string? Home2026Note,
        int Province2022,
        bool AfterMergerRefused);

    public async Task<Figures> RunAsync(CancellationToken ct)
    {
        Say($"the province: {Successor} (established {EffectiveOn:yyyy-MM-dd}) and {Neighbour} beside {Home}...");
        await _api.PostAsync("partners/wards", new { wardId = Successor, code = "DQ", name = "Đông Quang", province = Province, establishedOn = EffectiveOn }, ct);
        await _api.PostAsync("partners/wards", new { wardId = Neighbour, code = "DB", name = "Điện Biên", province = Province }, ct);
        foreach (var ward in new[] { Successor, Neighbour })
        {
            await Api.UntilAsync(async () => await _api.FindAsync($"incidents/stats?year=2022&ward={ward}", ct) is not null, $"the services to know {ward}", TimeSpan.FromMinutes(1), ct);
        }

        Say($"{NeighbourIncidents2022} incidents of 2022 in {Neighbour}, {HomeIncidents2025} of 2025 in {Home} before the merger...");
        for (var i = 0; i < NeighbourIncidents2022; i++)
        {
            await RecordAsync(Neighbour, new DateTimeOffset(2022, 3 + i, 10, 20, 0, 0, TimeSpan.FromHours(7)), i % 2 == 0 ? "criminal" : "traffic", ct);
        }

        for (var i = 0; i < HomeIncidents2025; i++)
        {
            await RecordAsync(Home, new DateTimeOffset(2025, 2 + i, 12, 21, 0, 0, TimeSpan.FromHours(7)), "criminal", ct);
        }

        Say($"{Home} merged into {Successor} from {EffectiveOn:yyyy-MM-dd}; {SuccessorIncidents2025} incidents of 2025 in {Successor} after it...");
        await _api.PostAsync($"partners/wards/{Home}/merge", new { intoWardId = Successor, effectiveOn = EffectiveOn }, ct, HttpStatusCode.OK);
        await Api.UntilAsync(
            async () => Total(await _api.GetAsync($"incidents/stats?year=2025&ward={Successor}&boundaries=current", ct)) == HomeIncidents2025,
            $"the services to know {Home} was merged into {Successor}",
            TimeSpan.FromMinutes(1),
            ct);
        for (var i = 0; i < SuccessorIncidents2025; i++)
        {
            await RecordAsync(Successor, new DateTimeOffset(2025, 8 + i, 5, 22, 0, 0, TimeSpan.FromHours(7)), "criminal", ct);
        }

        using var refused = await province.PostAsJsonAsync(
            $"/api/incidents?ward={Home}", Incident(new DateTimeOffset(2025, 9, 1, 9, 0, 0, TimeSpan.FromHours(7)), "criminal"), ct);

        Say("the annual reports, as recorded and within current boundaries...");
        var successor2022 = await AnnualReport.ReadAsync(_api, 2022, ct, Successor, "current");
        var home2026 = await _api.GetAsync($"incidents/stats?year=2026&ward={Home}", ct);
        return new Figures(
            successor2022.Incidents,
            successor2022.CriminalIncidents,
            (await AnnualReport.ReadAsync(_api, 2022, ct, Successor, "asRecorded")).Incidents,
            (await AnnualReport.ReadAsync(_api, 2025, ct, Successor, "current")).Incidents,
            (await AnnualReport.ReadAsync(_api, 2025, ct, Successor, "asRecorded")).Incidents,
            (await AnnualReport.ReadAsync(_api, 2025, ct, Home, "asRecorded")).Incidents,
            Total(home2026),
            home2026.TryGetProperty("note", out var note) ? note.GetString() : null,
            (await AnnualReport.ReadAsync(_api, 2022, ct)).Incidents,
            refused.StatusCode == HttpStatusCode.UnprocessableEntity || refused.StatusCode == HttpStatusCode.BadRequest);
    }

    /// <summary>What differs from the programme's figures under both boundaries (none when the merger reads right).</summary>
    public static IReadOnlyList<string> Differences(Figures figures)
    {
        var expected = new (string Name, int Expected, int Actual)[]
        {
            ($"2022 incidents of {Successor} within current boundaries", Programme.BaselineIncidents, figures.Successor2022Current),
            ($"2022 criminal incidents of {Successor} within current boundaries", Programme.BaselineCriminal, figures.Successor2022CriminalCurrent),
            ($"2022 incidents of {Successor} as recorded", 0, figures.Successor2022AsRecorded),
            ($"2025 incidents of {Successor} within current boundaries", HomeIncidents2025 + SuccessorIncidents2025, figures.Successor2025Current),
            ($"2025 incidents of {Successor} as recorded", SuccessorIncidents2025, figures.Successor2025AsRecorded),
            ($"2025 incidents of {Home} as recorded", HomeIncidents2025, figures.Home2025AsRecorded),
            ($"2026 incidents of {Home}", 0, figures.Home2026),
            ($"2022 incidents of the province", Programme.BaselineIncidents + NeighbourIncidents2022, figures.Province2022),
        };
        var differences = expected.Where(row => row.Expected != row.Actual).Select(row => $"{row.Name}: {row.Actual}, expected {row.Expected}").ToList();
        if (figures.Home2026Note?.Contains(Successor, StringComparison.Ordinal) != true)
        {
            differences.Add($"2026 of {Home} has no note that it was merged into {Successor}: '{figures.Home2026Note}'");
        }

        if (!figures.AfterMergerRefused)
        {
            differences.Add($"an incident of {Home} dated after the merger was not refused");
        }

        return differences;
    }

    public static string Table(Figures figures) =>
        $"| ward, year, boundaries | incidents |\n| --- | ---: |\n" +
        $"| {Successor} 2022, current | {figures.Successor2022Current} ({figures.Successor2022CriminalCurrent} criminal) |\n" +
        $"| {Successor} 2022, as recorded | {figures.Successor2022AsRecorded} |\n" +
        $"| {Successor} 2025, current | {figures.Successor2025Current} |\n" +
        $"| {Successor} 2025, as recorded | {figures.Successor2025AsRecorded} |\n" +
        $"| {Home} 2025, as recorded | {figures.Home2025AsRecorded} |\n" +
        $"| {Home} 2026 | {figures.Home2026} ({figures.Home2026Note}) |\n" +
        $"| the province 2022 | {figures.Province2022} |\n";

    private async Task RecordAsync(string ward, DateTimeOffset at, string classification, CancellationToken ct) =>
        await _api.PostAsync($"incidents?ward={ward}", Incident(at, classification), ct);

    private static object Incident(DateTimeOffset at, string classification) => new
    {
        classification,
        category = "theft",
        description = $"A {classification} incident recorded by the ward police.",
        place = new { description = "In the ward" },
        occurredAt = at.ToString("yyyy-MM-dd'T'HH:mm:ssK", System.Globalization.CultureInfo.InvariantCulture),
        source = "police",
    };

    private static int Total(JsonElement statistics) => statistics.GetProperty("total").GetInt32();

    private void Say(string what) => progress.WriteLine($"[simulator] {what}");
}
