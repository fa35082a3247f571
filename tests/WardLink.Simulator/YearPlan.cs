namespace WardLink.Simulator;

/// <summary>
/// The programme's figures (DESIGN.md §1, from the 2025 press report): the 2022 baseline and
/// what the 2024 tips led to. The simulator plays exactly these; the annual reports must show them.
/// </summary>
public static class Programme
{
    public const int BaselineYear = 2022;
    public const int BaselineIncidents = 22;
    public const int BaselineCriminal = 13;

    public const int Year = 2024;
    public const int TipsReceived = 297;
    public const int TipsValuable = 82;
    public const int CriminalCasesSolved = 8;
    public const int AdministrativeViolationsHandled = 5;

    /// <summary>The ward's local offset (Asia/Ho_Chi_Minh, no daylight saving time).</summary>
    public static readonly TimeSpan WardOffset = TimeSpan.FromHours(7);
}

public sealed record PlannedTip(
    int Index, string Channel, string Category, DateTimeOffset ReceivedAt, int? Site, string Verdict, int? DuplicateOf, int? Incident);

/// <summary>An incident of 2024 opened by the referral of its first tip; the others are linked to it.</summary>
public sealed record PlannedIncident(int Index, IReadOnlyList<int> Tips, string? Outcome, bool Reclassify, bool Assigned, DateTimeOffset? ResolvedAt);

public sealed record PlannedBaselineIncident(string Classification, string Category, DateTimeOffset OccurredAt, string Outcome, DateTimeOffset ResolvedAt);

/// <summary>A planned patrol shift of the year: performed (with its check-ins, the rest missed) or never started.</summary>
public sealed record PlannedShift(
    string Route, DateOnly Date, bool Performed, DateTimeOffset BeganAt, IReadOnlyList<(string Code, DateTimeOffset At)> CheckIns, DateTimeOffset EndedAt, string? Observation);

/// <summary>A patrol route of the programme: its checkpoints at partner sites (by index), its days and local window.</summary>
public sealed record PatrolRoutePlan(string Name, IReadOnlyList<(string Code, int Site)> Checkpoints, DayOfWeek[] Days, string WindowStart, int WindowMinutes, string Team, int[] Partners)
{
    /// <summary>The window's end as the schedules write it ("24:00" is midnight at the end of the day).</summary>
    public string WindowEnd => TimeSpan.Parse(WindowStart, System.Globalization.CultureInfo.InvariantCulture).Add(TimeSpan.FromMinutes(WindowMinutes)) is var end && end.TotalHours >= 24
        ? $"{(int)end.TotalHours}:{end.Minutes:00}"
        : $"{end.Hours:00}:{end.Minutes:00}";

    /// <summary>The joint patrols in and around the hospitals, 21:00–24:00 every day.</summary>
    public static PatrolRoutePlan Hospitals { get; } = new(
        "Hospitals at night",
        [("OBS", 4), ("EYE", 5), ("END", 6), ("DER", 7), ("PSY", 8), ("CDC", 9)],
        Enum.GetValues<DayOfWeek>(),
        "21:00",
        180,
        "joint",
        [1, 4, 5, 6, 7, 8, 9]);

    /// <summary>The veterans' team at the school gates on school mornings.</summary>
    public static PatrolRoutePlan SchoolGates { get; } = new(
        "School gates",
        [("POL-GATE", 2), ("EDU-GATE", 3), ("CROSSING", 11)],
        [DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday, DayOfWeek.Saturday],
        "06:30",
        60,
        "veterans",
        [11, 2, 3]);

    public static IReadOnlyList<PatrolRoutePlan> All { get; } = [Hospitals, SchoolGates];
}

/// <summary>The year's linkage work: meetings and action items, outreach, cameras, ID-card drives, warning signs.</summary>
public sealed record PlannedLinkage(
    IReadOnlyList<DateTimeOffset> Meetings,
    int ActionItemsPerMeeting,
    int ActionItemsClosedPerMeeting,
    IReadOnlyList<(int School, string[] Topics, int Attendees, DateTimeOffset At)> Outreach,
    IReadOnlyList<(int Site, DateTimeOffset SurveyedAt, bool Installed)> Cameras,
    IReadOnlyList<(int CardsIssued, DateTimeOffset At)> IdCardDrives,
    IReadOnlyList<(int Site, int Count, DateTimeOffset At)> WarningSigns);

/// <summary>
/// A deterministic year (same seed, same year): the tips with their channels, categories, times,
/// places and verdicts; the incidents the valuable ones open and how those end; the baseline year;
/// the linkage's activities. Only the figures of <see cref="Programme"/> are fixed; the rest varies
/// with the seed.
/// </summary>
public sealed class YearPlan
{
    private const int Duplicates = 40;
    private const int Pranks = 25;
    private const int FollowUpTips = 18;
    private const int Unfounded = 12;
    private const int ReferredElsewhere = 6;
    private const int StillUnderInvestigation = 20;

    private static readonly (string Value, int Weight)[] Channels =
        [("hotline", 90), ("chat", 80), ("walkIn", 35), ("web", 40), ("partner", 32), ("patrol", 20)];

    private static readonly (string Value, int Weight)[] Categories =
        [("theft", 30), ("suspiciousPerson", 15), ("publicOrder", 15), ("traffic", 12), ("drugs", 8), ("fraud", 8), ("violence", 7), ("other", 5)];

    /// <summary>Categories that incidents classify as criminal when a tip opens them.</summary>
    private static readonly string[] CriminalCategories = ["theft", "drugs", "violence", "fraud"];

    /// <summary>Evening and night hours weigh more: the hospitals' visiting hours and the patrol window.</summary>
    private static readonly int[] HourWeights = [1, 1, 1, 1, 1, 2, 4, 5, 4, 3, 3, 3, 3, 3, 3, 4, 5, 6, 7, 8, 9, 10, 9, 4];

    /// <param name="patrolDays">How many days of the year, from 1 January, the patrols are played (366: all).</param>
    public YearPlan(int seed, int sites, int patrolDays)
    {
        var random = new Random(seed);
        Tips = PlanTips(random, sites, out var incidents);
        Incidents = incidents;
        Baseline = PlanBaseline(random);
        Linkage = PlanLinkage(random, sites);
        Shifts = PlanShifts(random, patrolDays);
    }

    /// <summary>The first local date of the patrol schedules.</summary>
    public static DateOnly PatrolsStartOn { get; } = new(Programme.Year, 1, 1);

    public IReadOnlyList<PlannedShift> Shifts { get; }

    public IReadOnlyList<PlannedTip> Tips { get; }

    public IReadOnlyList<PlannedIncident> Incidents { get; }

    public IReadOnlyList<PlannedBaselineIncident> Baseline { get; }

    public PlannedLinkage Linkage { get; }

    public static bool IsCriminal(string category) => CriminalCategories.Contains(category);

    private static List<PlannedTip> PlanTips(Random random, int sites, out List<PlannedIncident> incidents)
    {
        var tips = Enumerable.Range(0, Programme.TipsReceived)
            .Select(_ => (Channel: Pick(random, Channels), Category: Pick(random, Categories), At: TimeIn(random, Programme.Year), Site: random.Next(2) == 0 ? random.Next(sites) : (int?)null))
            .OrderBy(tip => tip.At)
            .ToList();

        var order = Shuffled(random, Enumerable.Range(0, tips.Count));
        var valuable = order.Take(Programme.TipsValuable).Order().ToList();
        var duplicates = order.Skip(Programme.TipsValuable).Where(index => index > 0).Take(Duplicates).ToHashSet();
        var pranks = order.Skip(Programme.TipsValuable).Where(index => !duplicates.Contains(index)).Take(Pranks).ToHashSet();

        // The first valuable tip about a matter opens its incident; a few later ones add to an open matter.
        var followUps = Shuffled(random, valuable.Skip(1)).Take(FollowUpTips).ToHashSet();
        var groups = new List<List<int>>();
        var incidentOf = new Dictionary<int, int>();
        foreach (var index in valuable)
        {
            if (followUps.Contains(index))
            {
                var group = random.Next(groups.Count);
                groups[group].Add(index);
                incidentOf[index] = group;
            }
            else
            {
                incidentOf[index] = groups.Count;
                groups.Add([index]);
            }
        }

        incidents = PlanOutcomes(random, groups, tips.Select(tip => (tip.Category, tip.At)).ToList());
        return [.. tips.Select((tip, index) => new PlannedTip(
            index,
            tip.Channel,
            tip.Category,
            tip.At,
            tip.Site,
            incidentOf.ContainsKey(index) ? "valuable" : duplicates.Contains(index) ? "duplicate" : pranks.Contains(index) ? "prank" : "notValuable",
            duplicates.Contains(index) ? random.Next(index) : null,
            incidentOf.TryGetValue(index, out var incident) ? incident : null))];
    }

    private static List<PlannedIncident> PlanOutcomes(Random random, List<List<int>> groups, List<(string Category, DateTimeOffset At)> tips)
    {
        var criminal = Shuffled(random, Enumerable.Range(0, groups.Count).Where(group => IsCriminal(tips[groups[group][0]].Category)));
        if (criminal.Count < Programme.CriminalCasesSolved)
        {
            throw new InvalidOperationException($"This seed gives only {criminal.Count} criminal matters among the valuable tips; choose another seed.");
        }

        var outcomes = new Dictionary<int, string>();
        foreach (var group in criminal.Take(Programme.CriminalCasesSolved))
        {
            outcomes[group] = "criminalCaseSolved";
        }

        var rest = Shuffled(random, Enumerable.Range(0, groups.Count).Where(group => !outcomes.ContainsKey(group)));
        foreach (var group in rest.Take(Programme.AdministrativeViolationsHandled))
        {
            outcomes[group] = "administrativeViolationHandled";
        }

        foreach (var group in rest.Skip(Programme.AdministrativeViolationsHandled).Take(Unfounded))
        {
            outcomes[group] = "unfounded";
        }

        foreach (var group in rest.Skip(Programme.AdministrativeViolationsHandled + Unfounded).Take(ReferredElsewhere))
        {
            outcomes[group] = "referredElsewhere";
        }

        var investigating = rest.Skip(Programme.AdministrativeViolationsHandled + Unfounded + ReferredElsewhere).Take(StillUnderInvestigation).ToHashSet();
        return [.. groups.Select((tipsOf, group) =>
        {
            var outcome = outcomes.GetValueOrDefault(group);
            var opened = tipsOf.Max(tip => tips[tip].At);
            return new PlannedIncident(
                group,
                tipsOf,
                outcome,
                outcome == "administrativeViolationHandled",
                outcome is not null || investigating.Contains(group),
                outcome is null ? null : opened.AddDays(random.Next(2, 45)).AddHours(random.Next(0, 12)));
        })];
    }

    private static List<PlannedBaselineIncident> PlanBaseline(Random random)
    {
        string[] others = ["administrative", "administrative", "administrative", "administrative", "publicOrder", "publicOrder", "publicOrder", "traffic", "traffic"];
        var classifications = Shuffled(random, Enumerable.Repeat("criminal", Programme.BaselineCriminal).Concat(others));
        return [.. classifications.Select(classification =>
        {
            var at = TimeIn(random, Programme.BaselineYear);
            var category = classification switch
            {
                "criminal" => CriminalCategories[random.Next(CriminalCategories.Length)],
                "traffic" => "traffic",
                "publicOrder" => "publicOrder",
                _ => "other",
            };
            var outcome = classification == "criminal" ? "criminalCaseSolved" : "administrativeViolationHandled";
            return new PlannedBaselineIncident(classification, category, at, outcome, at.AddDays(random.Next(3, 60)));
        }).OrderBy(incident => incident.OccurredAt)];
    }

    private static PlannedLinkage PlanLinkage(Random random, int sites)
    {
        DateTimeOffset Local(int month, int day, int hour) => new(Programme.Year, month, day, hour, 0, 0, Programme.WardOffset);
        var hospitalSites = Enumerable.Range(0, sites).Where(site => Demo.Partners[site].Kind == "hospital").ToList();
        var schools = Enumerable.Range(0, sites).Where(site => Demo.Partners[site].Kind == "school").ToList();
        string[][] topics = [["trafficSafety"], ["drugs"], ["schoolViolence"], ["trafficSafety", "drugs"], ["drugs", "schoolViolence"]];
        return new PlannedLinkage(
            [.. Enumerable.Range(1, 12).Select(month => Local(month, random.Next(5, 11), 14))],
            ActionItemsPerMeeting: 2,
            ActionItemsClosedPerMeeting: 1,
            [.. Enumerable.Range(0, 10).Select(session => (schools[session % schools.Count], topics[session % topics.Length], random.Next(80, 400), Local(1 + session, random.Next(12, 25), 8)))],
            [.. hospitalSites.SelectMany(site => new[] { (site, Local(2, random.Next(1, 25), 9), true), (site, Local(6, random.Next(1, 25), 9), random.Next(2) == 0) })],
            [.. Enumerable.Range(0, 4).Select(drive => (random.Next(400, 1500), Local(3 * drive + 2, random.Next(1, 25), 8)))],
            [.. hospitalSites.Select(site => (site, random.Next(4, 12), Local(3, random.Next(1, 28), 10)))]);
    }

    private static List<PlannedShift> PlanShifts(Random random, int days)
    {
        var shifts = new List<PlannedShift>();
        for (var date = PatrolsStartOn; date < PatrolsStartOn.AddDays(days) && date.Year == Programme.Year; date = date.AddDays(1))
        {
            foreach (var route in PatrolRoutePlan.All.Where(route => route.Days.Contains(date.DayOfWeek)))
            {
                var opens = new DateTimeOffset(date.ToDateTime(TimeOnly.Parse(route.WindowStart, System.Globalization.CultureInfo.InvariantCulture)), Programme.WardOffset);
                var began = opens.AddMinutes(random.Next(0, 5));
                var spacing = route.WindowMinutes / (route.Checkpoints.Count + 1);
                var checkIns = new List<(string Code, DateTimeOffset At)>();
                for (var i = 0; i < route.Checkpoints.Count; i++)
                {
                    if (random.Next(100) < 93)
                    {
                        checkIns.Add((route.Checkpoints[i].Code, opens.AddMinutes((spacing * (i + 1)) + random.Next(-3, 4))));
                    }
                }

                var observation = random.Next(100) < 4 ? "A motorbike left unlocked with the key in it; the owner was found and warned." : null;
                shifts.Add(new PlannedShift(route.Name, date, random.Next(100) < 95, began, checkIns, opens.AddMinutes(route.WindowMinutes - random.Next(0, 5)), observation));
            }
        }

        return shifts;
    }

    private static DateTimeOffset TimeIn(Random random, int year)
    {
        var day = new DateTimeOffset(year, 1, 1, 0, 0, 0, Programme.WardOffset).AddDays(random.Next(DateTime.IsLeapYear(year) ? 366 : 365));
        var hour = PickIndex(random, HourWeights);
        return day.AddHours(hour).AddMinutes(random.Next(60));
    }

    private static string Pick(Random random, (string Value, int Weight)[] weighted) => weighted[PickIndex(random, [.. weighted.Select(item => item.Weight)])].Value;

    private static int PickIndex(Random random, int[] weights)
    {
        var roll = random.Next(weights.Sum());
        for (var i = 0; i < weights.Length; i++)
        {
            roll -= weights[i];
            if (roll < 0)
            {
                return i;
            }
        }

        return weights.Length - 1;
    }

    private static List<T> Shuffled<T>(Random random, IEnumerable<T> items)
    {
        var list = items.ToArray();
        random.Shuffle(list);
        return [.. list];
    }
}
