using Marten;
using Microsoft.Extensions.DependencyInjection;
using ObservationSeverity = WardLink.Contracts.Patrols.ObservationSeverity;
using WardLink.Domain;
using WardLink.EventSourcing.Wards;
using WardLink.IntegrationTests.StoredValues;
using WardLink.Patrols;
using WardLink.Testing;

namespace WardLink.IntegrationTests.ReadModels;

/// <summary>The patrol statistics as the database adds them up from <see cref="ShiftRow"/>s, on a database of their own (no schedules: nothing planned).</summary>
public sealed class ShiftRowsTests(ServiceFixture<PatrolsService> patrols) : IClassFixture<ServiceFixture<PatrolsService>>
{
    private static readonly Guid Eye = Guid.Parse("0193b5a0-0000-7000-8000-00000000a001");
    private static readonly Guid Obstetrics = Guid.Parse("0193b5a0-0000-7000-8000-00000000a002");
    private static readonly Guid RouteId = Guid.CreateVersion7();
    private static readonly DateTimeOffset Begins = new(2024, 6, 1, 21, 0, 0, WardTime.Offset);

    /// <summary>JSON as the API writes it: camelCase, enums by name.</summary>
    private static readonly System.Text.Json.JsonSerializerOptions Api = new(System.Text.Json.JsonSerializerOptions.Web) { Converters = { new StrictEnumConverter() } };
    private static readonly Checkpoint[] Checkpoints = [new("EYE-GATE", Eye, "Eye hospital gate"), new("OBS-CAR", Obstetrics, null)];

    private readonly HttpClient _client = patrols.CreateClient();

    private IDocumentStore Store => patrols.Host.Services.GetRequiredService<IDocumentStore>();

    [Fact]
    public async Task Yearly_statistics_count_shifts_check_ins_observations_incidents_and_residence_counts()
    {
        var patrol = Guid.CreateVersion7();
        await Store.AppendRawAsync<ShiftState>(
            patrol,
            Started(patrol, ShiftKind.Patrol),
            CheckedIn(patrol, "EYE-GATE", Eye),
            CheckedIn(patrol, "EYE-GATE", Eye),
            CheckedIn(patrol, "OBS-CAR", Obstetrics),
            Observed(patrol, needsIncident: true),
            Observed(patrol, needsIncident: false),
            new ShiftEnded(patrol, Begins.AddHours(3), "test"),
            new CheckpointMissed(patrol, RouteId, "OBS-CAR", Obstetrics, Begins.AddHours(3), Begins.AddHours(3), "test"));
        var residence = Guid.CreateVersion7();
        await Store.AppendRawAsync<ShiftState>(
            residence,
            Started(residence, ShiftKind.ResidenceCheck),
            new ResidenceCheckRecorded(residence, new ResidenceCounts(4, 8, 1, 1), Begins.AddHours(1), "test"),
            new ResidenceCheckRecorded(residence, new ResidenceCounts(6, 12, 2, 2), Begins.AddHours(2), "test"));
        var missed = Guid.CreateVersion7();
        await Store.AppendRawAsync<ShiftState>(
            missed,
            new ShiftMissed(missed, ShiftKind.Patrol, RouteId, Guid.CreateVersion7(), new DateOnly(2024, 6, 2), Begins.AddDays(1), Begins.AddDays(1).AddHours(3), TeamKind.Police, [], Checkpoints, Begins.AddDays(1).AddHours(3), Shift.Sweeper),
            new CheckpointMissed(missed, RouteId, "EYE-GATE", Eye, Begins.AddDays(1).AddHours(3), Begins.AddDays(1).AddHours(3), Shift.Sweeper),
            new CheckpointMissed(missed, RouteId, "OBS-CAR", Obstetrics, Begins.AddDays(1).AddHours(3), Begins.AddDays(1).AddHours(3), Shift.Sweeper));

        var statistics = System.Text.Json.JsonSerializer.Deserialize<PatrolStatistics>(
            (await _client.OkJsonAsync("/patrols/stats?year=2024")).GetRawText(), Api)!;

        Assert.Equal(new PatrolStatistics(2024, 0, 2, 1, 3, 3, 2, 1, 1, new ResidenceTotals(10, 20, 3, 3)) { Wards = statistics.Wards }, statistics);
        Assert.Equal([new CountedWard("quang-thang", null)], statistics.Wards);
        Assert.Equal(3, (await _client.OkJsonAsync($"/patrols/shifts?siteId={Obstetrics}")).GetProperty("total").GetInt32());
        Assert.Equal(missed, (await _client.OkJsonAsync("/patrols/shifts?status=missed")).GetProperty("items")[0].GetProperty("id").GetGuid());
    }

    private static ShiftStarted Started(Guid id, ShiftKind kind) =>
        new(id, kind, RouteId, null, null, null, TeamKind.Police, [], [new TeamMember("Patrol lead", "police")], Checkpoints, Begins, "test");

    private static CheckedIn CheckedIn(Guid shift, string code, Guid site) => new(shift, code, site, null, null, Begins.AddMinutes(30), "test");

    private static ObservationReported Observed(Guid shift, bool needsIncident) =>
        new(shift, Guid.CreateVersion7(), RouteId, Eye, "seen", ObservationSeverity.Low, needsIncident, needsIncident ? Guid.CreateVersion7() : null, Begins.AddHours(1), "test");
}
