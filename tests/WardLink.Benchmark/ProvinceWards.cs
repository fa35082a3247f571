using WardLink.Simulator;

namespace WardLink.Benchmark;

/// <summary>
/// The province the wards section grows, ward by ward, through the API as a province police client
/// would: the home ward (<see cref="Home"/>, the services' default <c>Wards:Home</c>) and wards
/// <c>bench-002</c>, <c>bench-003</c>… established through <c>POST /api/partners/wards</c>, each used only
/// once every service's jurisdiction directory knows it (its statistics stop answering 404), and each
/// loaded with the same number of tips.
/// </summary>
public sealed class ProvinceWards(HttpClient province, int clients, int tipsPerWard, TextWriter progress)
{
    /// <summary>The home ward's province, by default (<c>Wards:Home:Province</c>).</summary>
    public const string Province = "thanh-hoa";

    /// <summary>The home ward, by default (<c>Wards:Home:Id</c>): the ward the section measures.</summary>
    public const string Home = "quang-thang";

    private readonly Api _api = new(province, progress);
    private int _count;

    /// <summary>
    /// The year the section's tips are received in and its statistics read: the year before the current one (local time,
    /// UTC+7), which the measured intake (tips received now) does not add to, so every ward counts as many tips at every count.
    /// </summary>
    public static int Year => DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(7)).Year - 1;

    /// <summary>When the section's tips were received: mid-<see cref="Year"/>.</summary>
    private static DateTimeOffset ReceivedAt => new(Year, 6, 15, 10, 0, 0, TimeSpan.FromHours(7));

    /// <summary>The <paramref name="n"/>-th ward of the province (from 1, the home ward).</summary>
    public static string IdOf(int n) => n == 1 ? Home : $"bench-{n:000}";

    /// <summary>
    /// Grows the province to <paramref name="count"/> wards: establishes the missing ones, waits until
    /// every service knows them, and records the tips of each ward not loaded yet (the home ward's the first time).
    /// </summary>
    public async Task GrowToAsync(int count, CancellationToken ct)
    {
        var added = Enumerable.Range(_count + 1, count - _count).ToList();
        foreach (var n in added.Where(n => n > 1))
        {
            await _api.PostAsync("partners/wards", new { wardId = IdOf(n), code = CodeOf(n), name = $"Benchmark ward {n}", province = Province }, ct);
        }

        foreach (var ward in added.Select(IdOf))
        {
            foreach (var service in SystemUnderTest.Services)
            {
                await Api.UntilAsync(
                    async () => await _api.FindAsync($"{service}/stats?year={Year}&ward={ward}", ct) is not null, $"{service} to know ward {ward}", TimeSpan.FromMinutes(2), ct);
            }
        }

        var tips = added.Select(n => LoadRequest.Intake(IdOf(n), ReceivedAt)).SelectMany(intake => Enumerable.Range(0, tipsPerWard).Select(i => (intake, i)));
        await Load.SendEachAsync(province, tips, clients, ct);
        _count = count;
    }

    /// <summary>A code no other ward has: W and three letters counting <paramref name="n"/> in base 26 (WAAB for the second ward).</summary>
    private static string CodeOf(int n) => string.Concat("W", (char)('A' + (n / 676 % 26)), (char)('A' + (n / 26 % 26)), (char)('A' + (n % 26)));
}
