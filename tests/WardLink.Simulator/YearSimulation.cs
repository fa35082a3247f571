using System.Globalization;
using System.Text.Json;

namespace WardLink.Simulator;

/// <summary>
/// Plays the programme's year through the public API, with business times in the past: the
/// partners and their sites, the linkage's 2024 work, the 2022 baseline incidents, then the 2024
/// tips (received, judged, referred), the incidents they open and how those end. The system must
/// be empty of these years; the run fails with a <see cref="SimulationException"/> otherwise.
/// </summary>
public sealed class YearSimulation(HttpClient gateway, TextWriter progress)
{
    /// <summary>How long another service may take to hear of a change (sites, referrals, outcomes).</summary>
    private static readonly TimeSpan Propagation = TimeSpan.FromSeconds(60);

    private readonly Api _api = new(gateway, progress);
    private readonly List<Guid> _partners = [];
    private readonly List<Guid> _sites = [];

    public async Task<(AnnualFigures Baseline, AnnualFigures Year)> RunAsync(YearPlan plan, CancellationToken ct)
    {
        await EnsureEmptyAsync(ct);
        await RegisterPartnersAsync(ct);
        await PlayLinkageAsync(plan.Linkage, ct);
        await PlayPatrolsAsync(plan.Shifts, ct);
        await PlayBaselineAsync(plan.Baseline, ct);
        var tipIds = await ReceiveTipsAsync(plan.Tips, ct);
        var incidentIds = await ReferAsync(plan, tipIds, ct);
        await CloseCasesAsync(plan.Incidents, incidentIds, ct);

        Say("waiting for the tips service to record the outcomes of the resolved incidents...");
        await Api.UntilAsync(
            async () =>
            {
                var figures = await AnnualReport.ReadAsync(_api, Programme.Year, ct);
                return figures.CriminalCasesContributed == Programme.CriminalCasesSolved
                    && figures.AdministrativeViolationsContributed == Programme.AdministrativeViolationsHandled;
            },
            "the tips' outcomes",
            Propagation,
            ct);
        return (await AnnualReport.ReadAsync(_api, Programme.BaselineYear, ct), await AnnualReport.ReadAsync(_api, Programme.Year, ct));
    }

    private void Say(string line) => progress.WriteLine($"[simulator] {line}");

    private static string Local(DateTimeOffset at) => at.ToOffset(Programme.WardOffset).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

    private static Guid IdOf(JsonElement created) => created.GetProperty("id").GetGuid();

    private async Task EnsureEmptyAsync(CancellationToken ct)
    {
        var partners = await _api.GetAsync("partners?limit=1", ct);
        var baseline = await AnnualReport.ReadAsync(_api, Programme.BaselineYear, ct);
        var year = await AnnualReport.ReadAsync(_api, Programme.Year, ct);
        if (partners.GetProperty("total").GetInt32() > 0 || baseline.Incidents > 0 || year.TipsReceived > 0 || year.Incidents > 0)
        {
            throw new SimulationException(
                $"The system already holds data (partners: {partners.GetProperty("total").GetInt32()}, incidents of {Programme.BaselineYear}: {baseline.Incidents}, " +
                $"tips of {Programme.Year}: {year.TipsReceived}, incidents of {Programme.Year}: {year.Incidents}); the year is played into an empty system only.");
        }
    }

    private async Task RegisterPartnersAsync(CancellationToken ct)
    {
        Say($"registering the {Demo.Partners.Count} partners, their sites and agreements, the hotline and the Zalo group...");
        foreach (var partner in Demo.Partners)
        {
            var id = IdOf(await _api.PostAsync("partners", new { partnerId = partner.Id, name = partner.Name, kind = partner.Kind }, ct));
            _partners.Add(id);
            _sites.Add(IdOf(await _api.PostAsync(
                $"partners/{id}/sites", new { name = partner.Site, kind = partner.SiteKind, latitude = partner.Latitude, longitude = partner.Longitude }, ct)));
            await _api.PostAsync($"partners/{id}/agreement", new { joinedOn = Local(Demo.JoinedOn), duties = partner.Duties }, ct, System.Net.HttpStatusCode.OK);
        }

        await _api.PostAsync("partners/channels", new { kind = "hotline", name = "Quảng Thắng ward police hotline", number = "0237 3852 113" }, ct);
        await _api.PostAsync("partners/channels", new { kind = "chatGroup", name = "Ward – school – hospital linkage", platform = "Zalo", memberPartnerIds = _partners }, ct);

        foreach (var service in new[] { "tips", "incidents", "patrols" })
        {
            await Api.UntilAsync(
                async () => (await _api.GetAsync($"{service}/sites?limit=500", ct)).GetProperty("total").GetInt32() == _sites.Count,
                $"the {service} service's site directory to know the {_sites.Count} sites",
                Propagation,
                ct);
        }
    }

    private async Task PlayLinkageAsync(PlannedLinkage linkage, CancellationToken ct)
    {
        Say($"the linkage's {Programme.Year}: {linkage.Meetings.Count} meetings, {linkage.Outreach.Count} outreach sessions, {linkage.Cameras.Count} camera surveys, {linkage.IdCardDrives.Count} ID-card drives...");
        var police = _partners[1];
        foreach (var heldAt in linkage.Meetings)
        {
            var meeting = IdOf(await _api.PostAsync(
                "partners/meetings", new { heldAt = Local(heldAt), attendingPartnerIds = _partners, minutes = $"Monthly review of {heldAt:MMMM}: tips, patrols, cameras." }, ct));
            for (var item = 0; item < linkage.ActionItemsPerMeeting; item++)
            {
                var assigned = await _api.PostAsync(
                    $"partners/meetings/{meeting}/action-items",
                    new { text = item == 0 ? "Report the month's patrol coverage" : "Check the hospitals' camera blind spots", ownerPartnerId = _partners[item == 0 ? 1 : 4 + (heldAt.Month % 5)], dueAt = Local(heldAt.AddDays(14)) },
                    ct,
                    System.Net.HttpStatusCode.OK);
                if (item < linkage.ActionItemsClosedPerMeeting)
                {
                    var itemId = assigned.GetProperty("actionItems")[item].GetProperty("id").GetGuid();
                    await _api.PostAsync($"partners/meetings/{meeting}/action-items/{itemId}/complete", new { at = Local(heldAt.AddDays(10)) }, ct, System.Net.HttpStatusCode.OK);
                }
            }
        }

        foreach (var (school, topics, attendees, at) in linkage.Outreach)
        {
            await _api.PostAsync($"partners/{_partners[school]}/outreach-sessions", new { topics, attendees, at = Local(at) }, ct);
        }

        foreach (var (site, surveyedAt, installed) in linkage.Cameras)
        {
            var camera = IdOf(await _api.PostAsync($"partners/{_partners[site]}/sites/{_sites[site]}/cameras", new { description = "Lamp post facing the car park", at = Local(surveyedAt) }, ct));
            if (installed)
            {
                await _api.PostAsync($"partners/cameras/{camera}/approve", new { at = Local(surveyedAt.AddDays(7)) }, ct, System.Net.HttpStatusCode.OK);
                await _api.PostAsync($"partners/cameras/{camera}/install", new { at = Local(surveyedAt.AddDays(30)) }, ct, System.Net.HttpStatusCode.OK);
                await _api.PostAsync($"partners/cameras/{camera}/operate", new { at = Local(surveyedAt.AddDays(31)) }, ct, System.Net.HttpStatusCode.OK);
            }
        }

        foreach (var (cardsIssued, at) in linkage.IdCardDrives)
        {
            await _api.PostAsync($"partners/{police}/id-card-drives", new { cardsIssued, at = Local(at) }, ct);
        }

        foreach (var (site, count, at) in linkage.WarningSigns)
        {
            await _api.PostAsync($"partners/{_partners[site]}/sites/{_sites[site]}/warning-signs", new { count, text = "Keep your belongings with you: thieves operate here.", at = Local(at) }, ct);
        }
    }

    private async Task PlayPatrolsAsync(IReadOnlyList<PlannedShift> shifts, CancellationToken ct)
    {
        Say($"patrols: the hospitals' 21:00–24:00 joint patrol and the veterans' school-gate shift, {shifts.Count(shift => shift.Performed)} of {shifts.Count} planned shifts performed...");
        var schedules = new Dictionary<string, Guid>(StringComparer.Ordinal);
        foreach (var route in PatrolRoutePlan.All)
        {
            var routeId = IdOf(await _api.PostAsync(
                "patrols/routes",
                new { name = route.Name, checkpoints = route.Checkpoints.Select(point => new { code = point.Code, siteId = _sites[point.Site], name = Demo.Partners[point.Site].Site }) },
                ct));
            schedules[route.Name] = IdOf(await _api.PostAsync(
                "patrols/schedules",
                new
                {
                    routeId,
                    kind = "patrol",
                    days = route.Days.Select(day => JsonNamingPolicy.CamelCase.ConvertName(day.ToString())),
                    windowStart = route.WindowStart,
                    windowEnd = route.WindowEnd,
                    team = route.Team,
                    partnerIds = route.Partners.Select(partner => _partners[partner]),
                    startsOn = YearPlan.PatrolsStartOn,
                },
                ct));
        }

        var played = 0;
        foreach (var shift in shifts.Where(shift => shift.Performed))
        {
            var id = IdOf(await _api.PostAsync(
                "patrols/shifts",
                new
                {
                    scheduleId = schedules[shift.Route],
                    plannedDate = shift.Date,
                    members = new[] { new { name = "Patrol lead", role = "ward police" }, new { name = "Team member 2", role = "partner security" } },
                    at = Local(shift.BeganAt),
                },
                ct));
            foreach (var (code, at) in shift.CheckIns)
            {
                await _api.PostAsync($"patrols/shifts/{id}/check-ins", new { code, at = Local(at) }, ct, System.Net.HttpStatusCode.OK);
            }

            if (shift.Observation is { } observation)
            {
                await _api.PostAsync($"patrols/shifts/{id}/observations", new { description = observation, severity = "low", needsIncident = false, at = Local(shift.BeganAt.AddMinutes(30)) }, ct, System.Net.HttpStatusCode.OK);
            }

            await _api.PostAsync($"patrols/shifts/{id}/end", new { at = Local(shift.EndedAt) }, ct, System.Net.HttpStatusCode.OK);
            if (++played % 100 == 0)
            {
                Say($"  {played} shifts played");
            }
        }
    }

    private async Task PlayBaselineAsync(IReadOnlyList<PlannedBaselineIncident> baseline, CancellationToken ct)
    {
        Say($"the {Programme.BaselineYear} baseline: {baseline.Count} incidents reported by the ward police, investigated and resolved...");
        foreach (var incident in baseline)
        {
            var id = IdOf(await _api.PostAsync(
                "incidents",
                new
                {
                    classification = incident.Classification,
                    category = incident.Category,
                    description = $"{incident.Classification} incident ({incident.Category}) recorded in the ward police's {Programme.BaselineYear} register.",
                    place = new { description = "Quảng Thắng ward" },
                    occurredAt = Local(incident.OccurredAt),
                    source = "police",
                    sourceReference = $"register-{Programme.BaselineYear}",
                },
                ct));
            await _api.PostAsync($"incidents/{id}/assign", new { unit = "Ward police" }, ct, System.Net.HttpStatusCode.OK);
            await _api.PostAsync($"incidents/{id}/resolve", new { outcome = incident.Outcome, resolvedAt = Local(incident.ResolvedAt) }, ct, System.Net.HttpStatusCode.OK);
        }
    }

    private async Task<List<Guid>> ReceiveTipsAsync(IReadOnlyList<PlannedTip> tips, CancellationToken ct)
    {
        Say($"{Programme.Year}: receiving {tips.Count} tips and judging them...");
        var ids = new List<Guid>(tips.Count);
        foreach (var tip in tips)
        {
            var partner = tip.Site is { } site ? Demo.Partners[site] : null;
            var place = partner is null
                ? (object)new { description = "Quảng Thắng ward, residential street", latitude = 19.8040, longitude = 105.7780 }
                : new { siteId = _sites[tip.Site!.Value], description = partner.Site };
            ids.Add(IdOf(await _api.PostAsync(
                "tips",
                new { channel = tip.Channel, category = tip.Category, description = $"A {tip.Category} tip by {tip.Channel} near {partner?.Site ?? "a residential street"}.", place, receivedAt = Local(tip.ReceivedAt) },
                ct)));
            if (ids.Count % 50 == 0)
            {
                Say($"  {ids.Count} tips received");
            }
        }

        foreach (var tip in tips)
        {
            await _api.PostAsync(
                $"tips/{ids[tip.Index]}/assessments",
                new { verdict = tip.Verdict, duplicateOf = tip.DuplicateOf is { } original ? ids[original] : (Guid?)null, reason = $"Triage by the ward police: {tip.Verdict}." },
                ct,
                System.Net.HttpStatusCode.OK);
        }

        return ids;
    }

    /// <summary>The first tip of each incident opens it; the later ones are referred to it once incidents knows it.</summary>
    private async Task<List<Guid>> ReferAsync(YearPlan plan, List<Guid> tipIds, CancellationToken ct)
    {
        Say($"referring the {Programme.TipsValuable} valuable tips to {plan.Incidents.Count} incidents...");
        var incidentIds = new List<Guid>(plan.Incidents.Count);
        foreach (var incident in plan.Incidents)
        {
            var referred = await _api.PostAsync($"tips/{tipIds[incident.Tips[0]]}/referral", new { }, ct, System.Net.HttpStatusCode.OK);
            incidentIds.Add(referred.GetProperty("incidentId").GetGuid());
        }

        foreach (var (incident, id) in plan.Incidents.Zip(incidentIds))
        {
            await Api.UntilAsync(async () => await _api.FindAsync($"incidents/{id}", ct) is not null, $"incident {id} opened by a referral", Propagation, ct);
            foreach (var tip in incident.Tips.Skip(1))
            {
                await _api.PostAsync($"tips/{tipIds[tip]}/referral", new { incidentId = id }, ct, System.Net.HttpStatusCode.OK);
            }
        }

        foreach (var (incident, id) in plan.Incidents.Zip(incidentIds))
        {
            await Api.UntilAsync(
                async () => (await _api.GetAsync($"incidents/{id}", ct)).GetProperty("incident").GetProperty("linkedTipIds").GetArrayLength() == incident.Tips.Count,
                $"incident {id} to link its {incident.Tips.Count} tips",
                Propagation,
                ct);
        }

        return incidentIds;
    }

    private async Task CloseCasesAsync(IReadOnlyList<PlannedIncident> incidents, List<Guid> ids, CancellationToken ct)
    {
        Say($"investigating: {Programme.CriminalCasesSolved} criminal cases solved, {Programme.AdministrativeViolationsHandled} administrative violations handled, the rest unfounded, referred elsewhere or open...");
        foreach (var (incident, id) in incidents.Zip(ids))
        {
            if (incident.Assigned)
            {
                await _api.PostAsync($"incidents/{id}/assign", new { unit = "Ward police investigation team" }, ct, System.Net.HttpStatusCode.OK);
            }

            if (incident.Reclassify)
            {
                await _api.PostAsync($"incidents/{id}/reclassify", new { classification = "administrative", reason = "Not an offence: an administrative violation." }, ct, System.Net.HttpStatusCode.OK);
            }

            if (incident is { Outcome: { } outcome, ResolvedAt: { } resolvedAt })
            {
                await _api.PostAsync($"incidents/{id}/resolve", new { outcome, summary = $"Resolved: {outcome}.", resolvedAt = Local(resolvedAt) }, ct, System.Net.HttpStatusCode.OK);
            }
        }
    }
}
