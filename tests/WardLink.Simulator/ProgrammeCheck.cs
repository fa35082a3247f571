using System.Text;

namespace WardLink.Simulator;

/// <summary>The annual figures against the programme's: the table the simulator prints and what differs.</summary>
public static class ProgrammeCheck
{
    public static IReadOnlyList<string> Differences(AnnualFigures baseline, AnnualFigures year)
    {
        var expected = new (string Name, int Expected, int Actual)[]
        {
            ($"{Programme.BaselineYear} incidents", Programme.BaselineIncidents, baseline.Incidents),
            ($"{Programme.BaselineYear} criminal incidents", Programme.BaselineCriminal, baseline.CriminalIncidents),
            ($"{Programme.Year} tips received", Programme.TipsReceived, year.TipsReceived),
            ($"{Programme.Year} tips judged valuable", Programme.TipsValuable, year.TipsValuable),
            ($"{Programme.Year} valuable tips referred", Programme.TipsValuable, year.TipsReferred),
            ($"{Programme.Year} criminal cases the tips helped solve", Programme.CriminalCasesSolved, year.CriminalCasesContributed),
            ($"{Programme.Year} administrative violations the tips helped handle", Programme.AdministrativeViolationsHandled, year.AdministrativeViolationsContributed),
            ($"{Programme.Year} incidents resolved as criminal cases", Programme.CriminalCasesSolved, year.CriminalCasesSolved),
            ($"{Programme.Year} incidents resolved as administrative violations", Programme.AdministrativeViolationsHandled, year.AdministrativeViolationsHandled),
        };
        return [.. expected.Where(row => row.Expected != row.Actual).Select(row => $"{row.Name}: {row.Actual}, the programme's figure is {row.Expected}")];
    }

    public static string Table(AnnualFigures baseline, AnnualFigures year)
    {
        var table = new StringBuilder();
        table.AppendLine($"| figure | {baseline.Year} | {year.Year} |").AppendLine("| --- | ---: | ---: |");
        foreach (var ((name, before), (_, after)) in baseline.Rows().Zip(year.Rows()))
        {
            table.AppendLine($"| {name} | {before} | {after} |");
        }

        return table.ToString();
    }
}
