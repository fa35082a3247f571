using System.Text.Json;

namespace WardLink.Simulator;

/// <summary>The figures of one year that the programme reports, read from the services' statistics.</summary>
public sealed record AnnualFigures(
    int Year,
    int TipsReceived,
    int TipsValuable,
    int TipsReferred,
    int CriminalCasesContributed,
    int AdministrativeViolationsContributed,
    int Incidents,
    int CriminalIncidents,
    int CriminalCasesSolved,
    int AdministrativeViolationsHandled,
    int ShiftsPlanned,
    int ShiftsPerformed,
    int CheckIns,
    int CheckpointsMissed,
    int PartnersInLinkage,
    int MeetingsHeld,
    int ActionItemsClosed,
    int OutreachSessions,
    int CamerasInstalled,
    int IdCardsIssued,
    int WarningSignsPosted)
{
    public IEnumerable<(string Name, int Value)> Rows()
    {
        yield return ("tips received", TipsReceived);
        yield return ("tips judged valuable", TipsValuable);
        yield return ("tips referred", TipsReferred);
        yield return ("criminal cases the tips helped solve", CriminalCasesContributed);
        yield return ("administrative violations the tips helped handle", AdministrativeViolationsContributed);
        yield return ("incidents", Incidents);
        yield return ("criminal incidents", CriminalIncidents);
        yield return ("incidents resolved: criminal case solved", CriminalCasesSolved);
        yield return ("incidents resolved: administrative violation handled", AdministrativeViolationsHandled);
        yield return ("patrol shifts planned", ShiftsPlanned);
        yield return ("patrol shifts performed", ShiftsPerformed);
        yield return ("patrol check-ins", CheckIns);
        yield return ("patrol checkpoints missed", CheckpointsMissed);
        yield return ("partners in the linkage", PartnersInLinkage);
        yield return ("coordination meetings", MeetingsHeld);
        yield return ("action items closed", ActionItemsClosed);
        yield return ("outreach sessions", OutreachSessions);
        yield return ("cameras installed", CamerasInstalled);
        yield return ("ID cards issued", IdCardsIssued);
        yield return ("warning signs posted", WarningSignsPosted);
    }
}

/// <summary>
/// The annual report: each service's statistics of the year, as the gateway's
/// <c>GET /api/reports/annual</c> composes them under <c>services.{name}.statistics</c>.
/// </summary>
public static class AnnualReport
{
    public static readonly IReadOnlyList<string> Services = ["tips", "incidents", "patrols", "partners"];

    /// <summary>
    /// Reads the gateway's annual report, of the caller's wards or of one <paramref name="ward"/> within
    /// <paramref name="boundaries"/>; a report that is not complete (a service missing) is a failure.
    /// </summary>
    public static async Task<AnnualFigures> ReadAsync(Api api, int year, CancellationToken ct, string? ward = null, string? boundaries = null)
    {
        var report = await api.GetAsync(
            $"reports/annual?year={year}{(ward is null ? "" : $"&ward={ward}")}{(boundaries is null ? "" : $"&boundaries={boundaries}")}", ct);
        var services = report.GetProperty("services");
        if (!report.GetProperty("complete").GetBoolean())
        {
            throw new SimulationException($"The annual report of {year} is not complete: {services}");
        }

        return Of(year, Services.ToDictionary(service => service, service => services.GetProperty(service).GetProperty("statistics"), StringComparer.Ordinal));
    }

    /// <summary>The figures in the statistics of each service (by service name).</summary>
    public static AnnualFigures Of(int year, IReadOnlyDictionary<string, JsonElement> statistics)
    {
        var tips = statistics["tips"];
        var incidents = statistics["incidents"];
        var patrols = statistics["patrols"];
        var partners = statistics["partners"];
        return new AnnualFigures(
            year,
            Int(tips, "received"),
            Int(tips, "assessedByVerdict", "valuable"),
            Int(tips, "referred"),
            Int(tips, "criminalCasesContributed"),
            Int(tips, "administrativeViolationsContributed"),
            Int(incidents, "total"),
            Int(incidents, "byClassification", "criminal"),
            Int(incidents, "resolvedByOutcome", "criminalCaseSolved"),
            Int(incidents, "resolvedByOutcome", "administrativeViolationHandled"),
            Int(patrols, "shiftsPlanned"),
            Int(patrols, "shiftsPerformed"),
            Int(patrols, "checkIns"),
            Int(patrols, "checkpointsMissed"),
            partners.GetProperty("partnersByKind").EnumerateObject().Sum(kind => kind.Value.GetInt32()),
            Int(partners, "meetingsHeld"),
            Int(partners, "actionItemsClosed"),
            Int(partners, "outreachSessions"),
            Int(partners, "camerasInstalled"),
            Int(partners, "idCardsIssued"),
            Int(partners, "warningSignsPosted"));
    }

    /// <summary>The number at <paramref name="path"/>; a count a service leaves out of a breakdown is 0.</summary>
    private static int Int(JsonElement statistics, params string[] path)
    {
        var element = statistics;
        foreach (var name in path)
        {
            if (!element.TryGetProperty(name, out element))
            {
                return path.Length > 1 ? 0 : throw new SimulationException($"The statistics have no '{name}': {statistics}");
            }
        }

        return element.GetInt32();
    }
}
