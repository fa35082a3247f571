using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using WardLink.Domain;
using WardLink.IntegrationTests.Patrols;
using WardLink.Incidents;
using WardLink.Partners;
using WardLink.Patrols;
using WardLink.ServiceDefaults.Security;
using WardLink.Testing;
using WardLink.Tips;
using static WardLink.IntegrationTests.Privacy.PrivateText;

namespace WardLink.IntegrationTests.Privacy;

/// <summary>Who reads: each has its own view, and its own column in the security document's table.</summary>
public enum Audience
{
    Police,
    PartnerOfTheSite,
    OtherPartner,
    Auditor,
    Ops,
    Public,
}

/// <summary>
/// The four services on one virtual host, with one record of every kind written through their
/// HTTP APIs (as the police, and as the public for the anonymous tip), every personal or
/// police-only text field holding its marker (<see cref="PrivateText"/>): partner P with a contact
/// person and site S, another partner Q, a public tip at S with its follow-up thread, assessment
/// and referral, an incident at S through its whole lifecycle, a patrol route, schedule and shift
/// at S with an observation, and the partners' linkage records.
/// </summary>
public sealed class MarkedRecords : ServiceGroup
{
    private static readonly string[] WebhookEvents = ["incidentReported"];

    public static readonly string[] ServiceNames = [TipsService.Name, IncidentsService.Name, PatrolsService.Name, PartnersService.Name];

    private static readonly string[] EveryDay = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];
    private static readonly string[] OutreachTopics = ["trafficSafety"];

    private readonly Dictionary<string, Func<HttpClient>> _clients = [];

    public Guid PartnerId { get; private set; }

    public Guid OtherPartnerId { get; private set; }

    public Guid SiteId { get; private set; }

    public Guid RetiredSiteId { get; private set; }

    public Guid TipId { get; private set; }

    public Guid IncidentId { get; private set; }

    public Guid RouteId { get; private set; }

    public Guid ScheduleId { get; private set; }

    public Guid ShiftId { get; private set; }

    public Guid CameraId { get; private set; }

    public Guid MeetingId { get; private set; }

    public Guid ChannelId { get; private set; }

    public Guid OutreachSessionId { get; private set; }

    public Guid IdCardDriveId { get; private set; }

    public Guid WarningSignsId { get; private set; }

    /// <summary>A webhook subscription of the partner of the site.</summary>
    public Guid WebhookId { get; private set; }

    public string FollowUpCode { get; private set; } = "";

    public string FollowUpSecret { get; private set; } = "";

    /// <summary>The local year (UTC+7) the records were written in: their numbers are of this year.</summary>
    public int Year { get; private set; }

    /// <summary>The streams written in each service (what an auditor's stream and state reads are asked about).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<Guid>> StreamsOf { get; private set; } = new Dictionary<string, IReadOnlyList<Guid>>();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        var partners = await StartAsync<PartnersService>(PartnersService.Name);
        _clients[PartnersService.Name] = partners.CreateClient;
        var tips = await StartAsync<TipsService>(TipsService.Name);
        _clients[TipsService.Name] = tips.CreateClient;
        var incidents = await StartAsync<IncidentsService>(IncidentsService.Name);
        _clients[IncidentsService.Name] = incidents.CreateClient;
        var patrols = await StartAsync<PatrolsService>(PatrolsService.Name);
        _clients[PatrolsService.Name] = patrols.CreateClient;

        Year = WardTime.LocalYear(DateTimeOffset.UtcNow);
        await SeedPartnersAsync(ClientOf(PartnersService.Name, Audience.Police));
        foreach (var service in new[] { TipsService.Name, IncidentsService.Name, PatrolsService.Name })
        {
            await Eventually.Get(
                async () => (await SitesKnownToAsync(service)).SingleOrDefault(site => site.Id == SiteId),
                $"site S in the {service} site directory",
                TimeSpan.FromSeconds(60));
        }

        await SeedIncidentAsync(ClientOf(IncidentsService.Name, Audience.Police));
        await SeedTipAsync(ClientOf(TipsService.Name, Audience.Police), ClientOf(TipsService.Name, Audience.Public), ClientOf(IncidentsService.Name, Audience.Police));
        await CloseTheIncidentLifecycleAsync(ClientOf(IncidentsService.Name, Audience.Police));
        await SeedPatrolsAsync(ClientOf(PatrolsService.Name, Audience.Police));

        StreamsOf = new Dictionary<string, IReadOnlyList<Guid>>
        {
            [TipsService.Name] = [TipId],
            [IncidentsService.Name] = [IncidentId],
            [PatrolsService.Name] = [RouteId, ScheduleId, ShiftId],
            [PartnersService.Name] =
            [
                PartnerId, OtherPartnerId, SiteId, RetiredSiteId, CameraId, MeetingId, ChannelId, OutreachSessionId, IdCardDriveId, WarningSignsId, WebhookId,
            ],
        };
    }

    /// <summary>Whether <see cref="ClientOf"/> sends header <paramref name="name"/> (the public's client: the follow-up secret).</summary>
    public bool SendsHeader(string name) => name == FollowUp.SecretHeader && FollowUpSecret.Length > 0;

    /// <summary>A client of <paramref name="service"/> as <paramref name="audience"/>: its token, or none and the follow-up secret for the public.</summary>
    public HttpClient ClientOf(string service, Audience audience)
    {
        var client = _clients[service]().As(audience switch
        {
            Audience.Police => TestAuth.Token(WardLinkRoles.Police),
            Audience.PartnerOfTheSite => TestAuth.Token(WardLinkRoles.Partner, PartnerId),
            Audience.OtherPartner => TestAuth.Token(WardLinkRoles.Partner, OtherPartnerId),
            Audience.Auditor => TestAuth.Token(WardLinkRoles.Auditor),
            Audience.Ops => TestAuth.Token(WardLinkRoles.Ops),
            _ => null,
        });
        if (audience == Audience.Public && FollowUpSecret.Length > 0)
        {
            client.DefaultRequestHeaders.Add(FollowUp.SecretHeader, FollowUpSecret);
        }

        return client;
    }

    private async Task SeedPartnersAsync(HttpClient partners)
    {
        var now = DateTimeOffset.UtcNow;
        PartnerId = IdOf(await WriteAsync(partners, "/partners", new { name = "Thanh Hóa Eye Hospital", kind = "hospital" }));
        OtherPartnerId = IdOf(await WriteAsync(partners, "/partners", new { name = "Thanh Hóa Provincial Political School", kind = "school" }));
        await WriteAsync(partners, $"/partners/{PartnerId}/contacts", new { role = "head of the security desk", name = ContactName, phone = ContactPhone });
        SiteId = IdOf(await WriteAsync(partners, $"/partners/{PartnerId}/sites", new { name = "Eye hospital main gate", kind = "gate", latitude = 19.8069, longitude = 105.7765 }));
        RetiredSiteId = IdOf(await WriteAsync(partners, $"/partners/{PartnerId}/sites", new { name = "Eye hospital old car park", kind = "hospitalArea", latitude = 19.8071, longitude = 105.7768 }));
        await WriteAsync(partners, $"/partners/{PartnerId}/sites/{RetiredSiteId}/retire", new { reason = SiteRetirementReason });
        await WriteAsync(partners, $"/partners/{OtherPartnerId}/suspend", new { reason = SuspensionReason });
        await WriteAsync(partners, $"/partners/{OtherPartnerId}/resume", null);

        CameraId = IdOf(await WriteAsync(partners, $"/partners/{PartnerId}/sites/{SiteId}/cameras", new { description = CameraSurvey }));
        foreach (var step in new[] { "approve", "install", "operate" })
        {
            await WriteAsync(partners, $"/partners/cameras/{CameraId}/{step}", new { });
        }

        await WriteAsync(partners, $"/partners/cameras/{CameraId}/decommission", new { reason = CameraDecommissioning });

        MeetingId = IdOf(await WriteAsync(partners, "/partners/meetings", new { heldAt = now.AddDays(-2), attendingPartnerIds = new[] { PartnerId, OtherPartnerId }, minutes = MeetingMinutes }));
        // Due yesterday and open: the overdue list shows it too.
        await WriteAsync(partners, $"/partners/meetings/{MeetingId}/action-items", new { text = ActionItemText, ownerPartnerId = PartnerId, dueAt = now.AddDays(-1) });
        ChannelId = IdOf(await WriteAsync(partners, "/partners/channels", new { kind = "hotline", name = "Ward security hotline", number = "0237 3852 113" }));
        OutreachSessionId = IdOf(await WriteAsync(partners, $"/partners/{OtherPartnerId}/outreach-sessions", new { topics = OutreachTopics, attendees = 120, at = now.AddDays(-1) }));
        IdCardDriveId = IdOf(await WriteAsync(partners, $"/partners/{PartnerId}/id-card-drives", new { cardsIssued = 300, at = now.AddDays(-1) }));
        WarningSignsId = IdOf(await WriteAsync(partners, $"/partners/{PartnerId}/sites/{SiteId}/warning-signs", new { count = 4, text = "Keep your belongings with you.", at = now.AddDays(-1) }));
        WebhookId = IdOf((await WriteAsync(partners, $"/partners/{PartnerId}/webhooks", new { url = "https://desk.eye-hospital.example/wardlink", events = WebhookEvents })).GetProperty("webhook"));
    }

    private async Task SeedIncidentAsync(HttpClient incidents) =>
        IncidentId = IdOf(await WriteAsync(incidents, "/incidents", new
        {
            classification = "criminal",
            category = "theft",
            description = IncidentDescription,
            place = new { siteId = SiteId, description = IncidentPlace },
            occurredAt = DateTimeOffset.UtcNow.AddHours(-3),
            source = "police",
            sourceReference = SourceReference,
        }));

    private async Task SeedTipAsync(HttpClient tips, HttpClient anonymous, HttpClient incidents)
    {
        var credentials = await WriteAsync(anonymous, "/public/tips", new
        {
            category = "theft",
            description = TipDescription,
            place = new
            {
                siteId = SiteId,
                description = TipPlace,
                latitude = double.Parse(TipLatitude, CultureInfo.InvariantCulture),
                longitude = double.Parse(TipLongitude, CultureInfo.InvariantCulture),
            },
            contact = new { name = TipsterName, phone = TipsterPhone, email = TipsterEmail },
        });
        FollowUpCode = credentials.GetProperty("code").GetString()!;
        FollowUpSecret = credentials.GetProperty("secret").GetString()!;
        using (var tipster = ClientOf(TipsService.Name, Audience.Public))
        {
            await WriteAsync(tipster, $"/public/tips/{FollowUpCode}/messages", new { text = TipsterMessage });
        }

        var listed = await tips.GetFromJsonAsync<JsonElement>($"/tips?siteId={SiteId}", Ct);
        TipId = Assert.Single(listed.GetProperty("items").EnumerateArray()).GetProperty("id").GetGuid();
        await WriteAsync(tips, $"/tips/{TipId}/messages", new { text = PoliceReply });
        await WriteAsync(tips, $"/tips/{TipId}/assessments", new { verdict = "valuable", reason = AssessmentReason });
        await WriteAsync(tips, $"/tips/{TipId}/referral", new { incidentId = IncidentId });

        // Incidents links the tip when it hears TipReferred; the lifecycle goes on after that.
        await Eventually.Get(
            async () => (await incidents.GetFromJsonAsync<JsonElement>($"/incidents/{IncidentId}", Ct))
                .GetProperty("incident").GetProperty("linkedTipIds").EnumerateArray().Any(id => id.GetGuid() == TipId) ? "linked" : null,
            "the incident to link the referred tip");
    }

    private async Task CloseTheIncidentLifecycleAsync(HttpClient incidents)
    {
        await WriteAsync(incidents, $"/incidents/{IncidentId}/assign", new { unit = "Ward police criminal team", officer = Officer });
        await WriteAsync(incidents, $"/incidents/{IncidentId}/notes", new { text = Note });
        await WriteAsync(incidents, $"/incidents/{IncidentId}/reclassify", new { category = "fraud", reason = ReclassificationReason });
        await WriteAsync(incidents, $"/incidents/{IncidentId}/resolve", new { outcome = "criminalCaseSolved", summary = ResolutionSummary });
        await WriteAsync(incidents, $"/incidents/{IncidentId}/reopen", new { reason = ReopenReason });
    }

    private async Task SeedPatrolsAsync(HttpClient patrols)
    {
        RouteId = IdOf(await WriteAsync(patrols, "/patrols/routes", new
        {
            name = "Eye hospital at night",
            checkpoints = new[] { new { code = "G1", siteId = SiteId, name = "Main gate" } },
        }));
        ScheduleId = IdOf(await WriteAsync(patrols, "/patrols/schedules", new
        {
            routeId = RouteId,
            kind = "patrol",
            days = EveryDay,
            windowStart = "21:00",
            windowEnd = "24:00",
            team = "joint",
            partnerIds = new[] { PartnerId },
            startsOn = PatrolRequests.Tomorrow,
        }));
        ShiftId = IdOf(await WriteAsync(patrols, "/patrols/shifts", new
        {
            routeId = RouteId,
            kind = "patrol",
            team = "joint",
            partnerIds = new[] { PartnerId },
            members = new[] { new { name = TeamMemberName, role = "ward police" } },
        }));
        await WriteAsync(patrols, $"/patrols/shifts/{ShiftId}/observations", new { description = Observation, severity = "low", needsIncident = false, siteId = SiteId });
    }

    /// <summary>POSTs <paramref name="body"/> (none when null) and fails the seeding unless it is accepted; the answer's JSON.</summary>
    private static async Task<JsonElement> WriteAsync(HttpClient client, string path, object? body)
    {
        using var response = body is null
            ? await client.PostAsync(path, null, Ct)
            : await client.PostAsJsonAsync(path, body, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.IsSuccessStatusCode, $"Seeding: POST {path} answered {(int)response.StatusCode} {text}");
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    private static Guid IdOf(JsonElement created) => created.GetProperty("id").GetGuid();
}
