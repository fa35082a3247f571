using System.Net.Http.Json;
using System.Text.Json;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using WardLink.Domain;
using WardLink.EventSourcing.Wards;
using WardLink.Incidents;
using WardLink.IntegrationTests.Incidents;
using WardLink.IntegrationTests.Patrols;
using WardLink.IntegrationTests.Pipeline;
using WardLink.Partners;
using WardLink.Patrols;
using WardLink.Testing;
using WardLink.Tips;

namespace WardLink.IntegrationTests.Idempotency;

public sealed class IncidentsIdempotencyTests(ServiceFixture<IncidentsService> incidents) : IdempotencySuite<IncidentsService>(incidents)
{
    protected override IReadOnlyDictionary<string, Func<int, Task<CreatingRequest>>> Samples { get; } =
        new Dictionary<string, Func<int, Task<CreatingRequest>>>
        {
            ["POST /incidents"] = variant => Task.FromResult(new CreatingRequest("/incidents", IncidentRequests.Report(sourceReference: $"CA-QT-2024-{variant}"))),
        };
}

public sealed class PatrolsIdempotencyTests : IdempotencySuite<PatrolsService>
{
    private readonly Lazy<Task<Guid>> _site;
    private readonly Lazy<Task<Guid>> _route;

    public PatrolsIdempotencyTests(ServiceFixture<PatrolsService> patrols)
        : base(patrols)
    {
        var store = patrols.Host.Services.GetRequiredService<IDocumentStore>();
        _site = new(async () => (await store.KnowSiteAsync("Eye hospital gate")).Id);
        _route = new(async () => (await Client.DefineRouteAsync(store)).RouteId);
        Samples = new Dictionary<string, Func<int, Task<CreatingRequest>>>
        {
            ["POST /patrols/routes"] = async variant => new("/patrols/routes", new
            {
                name = $"Hospitals at night {variant}",
                checkpoints = new[] { new { code = "A", siteId = await _site.Value, name = "Gate" } },
            }),
            ["POST /patrols/schedules"] = async variant => new("/patrols/schedules", new
            {
                routeId = await _route.Value,
                kind = "patrol",
                days = PatrolRequests.EveryDay.Take(7 - variant).ToArray(),
                windowStart = "21:00",
                windowEnd = "24:00",
                team = "police",
                startsOn = PatrolRequests.Tomorrow,
            }),
            ["POST /patrols/shifts"] = async variant => new("/patrols/shifts", new
            {
                routeId = await _route.Value,
                kind = "patrol",
                team = "police",
                members = new[] { new { name = $"Team lead {variant}", role = "ward police" } },
            }),
        };
    }

    protected override IReadOnlyDictionary<string, Func<int, Task<CreatingRequest>>> Samples { get; }
}

public sealed class PartnersIdempotencyTests : IdempotencySuite<PartnersService>
{
    private const string At = "2024-03-01T09:00:00+07:00";
    private static readonly string[] Drugs = ["drugs"];
    private static readonly string[] WebhookEvents = ["incidentReported"];
    private readonly Lazy<Task<Guid>> _partner;
    private readonly Lazy<Task<Guid>> _site;

    public PartnersIdempotencyTests(ServiceFixture<PartnersService> partners)
        : base(partners)
    {
        _partner = new(() => Client.RegisterPartnerAsync());
        _site = new(async () => await Client.RegisterSiteAsync(await _partner.Value, "Obstetrics hospital car park"));
        Samples = new Dictionary<string, Func<int, Task<CreatingRequest>>>
        {
            ["POST /partners"] = variant => Task.FromResult(new CreatingRequest("/partners", new { name = $"Thanh Hóa Eye Hospital {variant}", kind = "hospital" })),
            ["POST /partners/{id}/sites"] = async variant => new($"/partners/{await _partner.Value}/sites", new
            {
                name = $"Car park {variant}", kind = "hospitalArea", latitude = 19.8031, longitude = 105.7752,
            }),
            ["POST /partners/{id}/sites/{siteId}/cameras"] = async variant => new(
                $"/partners/{await _partner.Value}/sites/{await _site.Value}/cameras", new { description = $"Lamp post {variant}", at = At }),
            ["POST /partners/{id}/sites/{siteId}/warning-signs"] = async variant => new(
                $"/partners/{await _partner.Value}/sites/{await _site.Value}/warning-signs", new { count = 6 + variant, text = "Lock your motorbike.", at = At }),
            ["POST /partners/{id}/outreach-sessions"] = async variant => new(
                $"/partners/{await _partner.Value}/outreach-sessions", new { topics = Drugs, attendees = 120 + variant, at = At }),
            ["POST /partners/{id}/id-card-drives"] = async variant => new(
                $"/partners/{await _partner.Value}/id-card-drives", new { cardsIssued = 1200 + variant, at = At }),
            ["POST /partners/{id}/webhooks"] = async variant => new(
                $"/partners/{await _partner.Value}/webhooks", new { url = $"https://desk.eye-hospital.example/wardlink/{variant}", events = WebhookEvents }),
            ["POST /partners/meetings"] = async variant => new("/partners/meetings", new
            {
                heldAt = At, attendingPartnerIds = new[] { await _partner.Value }, minutes = $"Reviewed the month ({variant}).",
            }),
            ["POST /partners/channels"] = variant => Task.FromResult(new CreatingRequest("/partners/channels", new
            {
                kind = "hotline", name = $"Ward police hotline {variant}", number = "0237 3852 113",
            })),
            ["POST /partners/wards"] = variant => Task.FromResult(new CreatingRequest("/partners/wards", new
            {
                wardId = $"ward-{Guid.NewGuid():N}", code = UniqueCode(), name = $"Ward {variant}", province = "thanh-hoa",
            })),
        };
    }

    protected override IReadOnlyDictionary<string, Func<int, Task<CreatingRequest>>> Samples { get; }

    protected override IReadOnlySet<string> NamedByTheirBody { get; } = new HashSet<string> { "POST /partners/wards" };

    /// <summary>A new ward is published and partners' own directory learns it a moment later: wait until it knows every ward.</summary>
    protected override Task SettledAsync() => Eventually.Get(
        async () =>
        {
            await using var session = Service.Host.Services.GetRequiredService<IDocumentStore>().QuerySession();
            var wards = await session.Query<WardState>().Where(ward => ward.AnyTenant()).Select(ward => ward.WardId).ToListAsync(Ct);
            var known = await session.Query<KnownWard>().Where(ward => wards.Contains(ward.Id)).CountAsync(Ct);
            return known == wards.Count ? wards : null;
        },
        "partners' directory to know every ward");

    /// <summary>Six capital letters at random: a code no other ward of the run has (ward codes are unique).</summary>
    private static string UniqueCode() => string.Concat(Enumerable.Range(0, 6).Select(_ => (char)('A' + Random.Shared.Next(26))));
}

public sealed class TipsIdempotencyTests(ServiceFixture<TipsService> tips) : IdempotencySuite<TipsService>(tips)
{
    private static readonly object Place = new { description = "Obstetrics hospital car park", latitude = 19.8069, longitude = 105.7765 };

    protected override IReadOnlyDictionary<string, Func<int, Task<CreatingRequest>>> Samples { get; } =
        new Dictionary<string, Func<int, Task<CreatingRequest>>>
        {
            ["POST /tips"] = variant => Task.FromResult(new CreatingRequest("/tips", new
            {
                channel = "hotline",
                category = "theft",
                description = $"Two men trying car doors ({variant}).",
                place = Place,
                receivedAt = "2017-03-14T21:30:00+07:00",
            })),
            ["POST /public/tips"] = variant => Task.FromResult(new CreatingRequest("/public/tips", new
            {
                category = "theft",
                description = $"Someone steals phones on the 2nd floor ({variant}).",
                place = Place,
                contact = new { phone = "0912 345 678" },
            })),
        };

    [Fact]
    public async Task A_retried_tip_keeps_its_yearly_number_and_the_next_tip_takes_the_next_one()
    {
        var request = await Samples["POST /tips"](7);
        var key = Guid.NewGuid().ToString();
        var first = await SendAsync(Client, request, key);
        var retry = await SendAsync(Client, request, key);
        var next = await SendAsync(Client, request, Guid.NewGuid().ToString());

        var number = JsonDocument.Parse(first.Body).RootElement.GetProperty("number").GetString()!;
        Assert.Equal(number, JsonDocument.Parse(retry.Body).RootElement.GetProperty("number").GetString());
        Assert.Equal(
            $"TIP-QT-2017-{int.Parse(number[^4..], System.Globalization.CultureInfo.InvariantCulture) + 1:0000}",
            JsonDocument.Parse(next.Body).RootElement.GetProperty("number").GetString());
    }

    [Fact]
    public async Task Anonymous_intake_scopes_keys_by_the_caller_s_address()
    {
        var anonymous = Service.Host.CreateClient().As(null);
        var request = await Samples["POST /public/tips"](3);
        var key = Guid.NewGuid().ToString();

        var first = await SendAsync(anonymous, request, key, message => message.Headers.Add("X-Forwarded-For", "203.0.113.7"));
        var again = await SendAsync(anonymous, request, key, message => message.Headers.Add("X-Forwarded-For", "203.0.113.7"));
        var elsewhere = await SendAsync(anonymous, request, key, message => message.Headers.Add("X-Forwarded-For", "198.51.100.20"));

        Assert.Equal(System.Net.HttpStatusCode.Created, first.Status);
        Assert.Equal(first.AsReplay(), again);
        Assert.Equal(System.Net.HttpStatusCode.Created, elsewhere.Status);
        Assert.False(elsewhere.Replayed);
        Assert.NotEqual(first.Location, elsewhere.Location);
    }

    [Fact]
    public async Task The_kept_answer_of_a_public_tip_is_sealed_its_secret_and_code_never_stored_in_clear()
    {
        var request = await Samples["POST /public/tips"](5);
        var key = Guid.NewGuid().ToString();
        var first = await SendAsync(Client, request, key);
        var credentials = JsonDocument.Parse(first.Body).RootElement;
        var secret = credentials.GetProperty("secret").GetString()!;
        var code = credentials.GetProperty("code").GetString()!;

        await using var connection = new Npgsql.NpgsqlConnection(Service.ConnectionString);
        await connection.OpenAsync(Ct);
        await using var command = new Npgsql.NpgsqlCommand(
            $"SELECT id, answer, nonce FROM {Service.Host.Services.GetRequiredService<IDocumentStore>().Options.Events.DatabaseSchemaName}.wardlink_idempotent_requests", connection);
        await using var reader = await command.ExecuteReaderAsync(Ct);
        var rows = new List<(string Id, byte[] Answer, bool Sealed)>();
        while (await reader.ReadAsync(Ct))
        {
            rows.Add((reader.GetString(0), reader.GetFieldValue<byte[]>(1), !reader.IsDBNull(2)));
        }

        Assert.NotEmpty(rows);
        var stored = string.Join("\n", rows.Select(row => $"{row.Id} {System.Text.Encoding.UTF8.GetString(row.Answer)} {Convert.ToBase64String(row.Answer)} {Convert.ToHexString(row.Answer)}"));
        Assert.DoesNotContain(secret, stored, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(code, stored, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(key, stored, StringComparison.Ordinal);
        Assert.Contains(rows, row => row.Sealed);
        Assert.Equal(first.AsReplay(), await SendAsync(Client, request, key));
    }

    /// <summary>
    /// An insider with the table and the tip's events knows a public tip's body but for the tipster's phone, and the caller's
    /// address but for a few guesses: the kept id and fingerprint are hashed under the service's key, so trying phone numbers
    /// or addresses against them takes the key, not the table alone.
    /// </summary>
    [Fact]
    public async Task A_kept_key_s_id_and_fingerprint_cannot_be_recomputed_from_the_request_without_the_service_s_key()
    {
        const string Address = "203.0.113.7";
        var key = Guid.NewGuid().ToString();
        var body = """{"category":"theft","description":"Bags stolen at the gate.","place":{"description":"Eye hospital"},"contact":{"phone":"+84 977 123 456"}}""";
        using var message = new HttpRequestMessage(HttpMethod.Post, "/public/tips") { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
        message.Headers.Add(EventSourcing.Idempotency.IdempotencyKeys.HeaderName, key);
        message.Headers.Add("X-Forwarded-For", Address);
        using var anonymous = Service.Host.CreateClient().As(null);
        using var response = await anonymous.SendAsync(message, Ct);
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);

        // The public intake acts in the public's default ward: the home ward.
        var ward = Service.Host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<WardOptions>>().Value.Home.Id;
        var keyed = EventSourcing.Idempotency.IdempotencyKeys.RecordIdOf($"address:{Address}", ward, key, Service.Host.Services.GetRequiredService<SealingKey>());
        var plain = EventSourcing.Idempotency.IdempotencyKeys.RecordIdOf($"address:{Address}", ward, key, null);
        await using var connection = new Npgsql.NpgsqlConnection(Service.ConnectionString);
        await connection.OpenAsync(Ct);
        await using var command = new Npgsql.NpgsqlCommand(
            $"SELECT id, fingerprint FROM {Service.Host.Services.GetRequiredService<IDocumentStore>().Options.Events.DatabaseSchemaName}.wardlink_idempotent_requests WHERE id = any(@ids)", connection);
        command.Parameters.AddWithValue("ids", new[] { keyed, plain });
        await using var reader = await command.ExecuteReaderAsync(Ct);
        Assert.True(await reader.ReadAsync(Ct), "the request's key is kept under neither id");
        var (id, fingerprint) = (reader.GetString(0), reader.GetString(1));

        Assert.Equal(keyed, id);
        var unkeyed = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"POST\n/public/tips\n{body}")));
        Assert.NotEqual(unkeyed, fingerprint);
        Assert.Matches("^[0-9a-f]{64}$", fingerprint);
    }

    [Fact]
    public async Task A_refused_request_keeps_nothing_the_same_key_with_a_corrected_body_creates_the_tip()
    {
        var key = Guid.NewGuid().ToString();
        var refused = await SendAsync(Client, new CreatingRequest("/tips", new { channel = "hotline", category = "theft" }), key);
        var corrected = await SendAsync(Client, await Samples["POST /tips"](9), key);

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, refused.Status);
        Assert.Equal(System.Net.HttpStatusCode.Created, corrected.Status);
        Assert.False(corrected.Replayed);
    }

    [Fact]
    public async Task A_retry_while_the_first_request_holds_its_key_waits_then_is_a_409_problem_with_retry_after()
    {
        var request = await Samples["POST /tips"](11);
        var key = Guid.NewGuid().ToString();
        var store = Service.Host.Services.GetRequiredService<EventSourcing.Idempotency.IdempotencyStore>();

        // The first request, stalled in the middle of its work: its reservation is not committed.
        var home = Service.Host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<WardOptions>>().Value.Home.Id;
        await using var connection = await store.OpenAsync(home, Ct);
        await using var first = await connection.BeginTransactionAsync(Ct);
        var id = EventSourcing.Idempotency.IdempotencyKeys.RecordIdOf("sub:test-police", home, key, Service.Host.Services.GetService<SealingKey>());
        Assert.Equal(EventSourcing.Idempotency.Reservation.Reserved, await store.ReserveAsync(first, id, "a fingerprint", Ct));

        var started = DateTimeOffset.UtcNow;
        using var message = new HttpRequestMessage(HttpMethod.Post, request.Path) { Content = JsonContent.Create(request.Body) };
        message.Headers.Add(EventSourcing.Idempotency.IdempotencyKeys.HeaderName, key);
        using var response = await Client.SendAsync(message, Ct);
        var waited = DateTimeOffset.UtcNow - started;
        var answer = await Answer.Of(response, Ct);

        Assert.Equal(System.Net.HttpStatusCode.Conflict, answer.Status);
        Assert.True(IsProblem(answer, 409), answer.Body);
        Assert.Equal("1", response.Headers.RetryAfter?.ToString());
        Assert.True(waited >= store.Options.WaitFor - TimeSpan.FromMilliseconds(100), $"answered after {waited}, before waiting {store.Options.WaitFor}");

        // The first one gives up: the key is free again.
        await first.RollbackAsync(Ct);
        Assert.Equal(System.Net.HttpStatusCode.Created, (await SendAsync(Client, request, key)).Status);
    }
}
