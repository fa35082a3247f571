using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Marten;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using SiteMessages = WardLink.Contracts.Partners;
using WardLink.EventSourcing;
using WardLink.IntegrationTests.Pipeline;
using WardLink.IntegrationTests.Tips;
using WardLink.Partners;
using WardLink.ServiceDefaults;
using WardLink.Testing;
using WardLink.Tips;

namespace WardLink.IntegrationTests.Operations;

/// <summary>
/// The tips service with its PostgreSQL and its RabbitMQ each behind a <see cref="TcpGate"/>, so the
/// test can make either vanish for this service alone (connections reset, new ones refused), as a
/// crash of the server would, while the other tests keep theirs.
/// </summary>
public sealed class DependencyOutageTests(ServiceGroup services) : IClassFixture<ServiceGroup>, IAsyncLifetime
{
    private static readonly TimeSpan ReadinessDeadline = TimeSpan.FromSeconds(5);

    /// <summary>How many connections the broker's gate queues unaccepted (as a hung broker's listen queue does), kept small.</summary>
    private const int BrokerBacklog = 4;

    private TcpGate? _database;
    private TcpGate? _broker;
    private ServiceHost<TipsService>? _tips;

    private TcpGate Database => _database!;

    private TcpGate Broker => _broker!;

    private ServiceHost<TipsService> TipsHost => _tips!;

    public async ValueTask InitializeAsync()
    {
        var database = new NpgsqlConnectionStringBuilder(await services.DatabaseOfAsync(TipsService.Name));
        _database = TcpGate.Start(database.Host!, database.Port);
        var broker = new UriBuilder((await services.BrokerUserOfAsync(TipsService.Name)).Broker);
        _broker = TcpGate.Start(broker.Host, broker.Port, BrokerBacklog);
        database.Port = Database.Port;
        broker.Port = Broker.Port;
        _tips = await services.StartAsync<TipsService>(
            TipsService.Name,
            settings: new Dictionary<string, string?>
            {
                ["ConnectionStrings:Postgres"] = database.ConnectionString,
                ["ConnectionStrings:RabbitMq"] = broker.Uri.ToString(),
            });
    }

    public async ValueTask DisposeAsync()
    {
        if (_tips is not null)
        {
            await services.StopAsync(_tips);
        }

        await Database.DisposeAsync();
        await Broker.DisposeAsync();
    }

    [Fact]
    public async Task Readiness_turns_within_5_seconds_of_the_broker_going_away_and_back_once_it_returns()
    {
        using var client = TipsHost.CreateClient();
        Assert.Equal("Healthy", await BrokerCheckAsync(client));

        Broker.Close();
        var gone = System.Diagnostics.Stopwatch.StartNew();
        await Eventually.Get(async () => await BrokerCheckAsync(client) == "Unhealthy" ? "yes" : null, "readiness to report the broker gone", ReadinessDeadline);
        Assert.True(gone.Elapsed < ReadinessDeadline, $"readiness turned after {gone.Elapsed}");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync("/health/ready", TestContext.Current.CancellationToken)).StatusCode);

        Broker.Open();
        await Eventually.Get(async () => await BrokerCheckAsync(client) == "Healthy" ? "yes" : null, "readiness to report the broker back");
    }

    [Fact]
    public async Task With_PostgreSQL_gone_every_write_is_a_503_problem_with_Retry_After_nothing_is_half_written_and_writes_resume_when_it_is_back()
    {
        using var client = TipsHost.CreateClient();
        await client.ReceiveAsync();
        var before = await CountTipsAsync();

        Database.Close();
        var refused = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => client.PostAsJsonAsync("/tips", TipsApi.NewTip(), TestContext.Current.CancellationToken)));
        foreach (var response in refused)
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            await AssertDatabaseUnavailableAsync(response);
        }

        Database.Open();
        var recovered = await Eventually.Get(
            async () =>
            {
                var response = await client.PostAsJsonAsync("/tips", TipsApi.NewTip(), TestContext.Current.CancellationToken);
                return response.StatusCode == HttpStatusCode.Created ? response : null;
            },
            "a write to succeed once PostgreSQL is back");
        Assert.Equal(HttpStatusCode.Created, recovered.StatusCode);
        Assert.Equal(before + 1, await CountTipsAsync());
    }

    /// <summary>
    /// A connection lost while the commit's answer was on the way (PostgreSQL committed, the service never heard): the request is
    /// a 503 problem saying to retry with the same <c>Idempotency-Key</c>, and that retry is answered as the tip stored was (its
    /// 201 replayed, the same Location): one tip, never two, its record and its kept answer committed together (docs/pipeline.md).
    /// </summary>
    [Fact]
    public async Task A_tip_whose_commit_answer_is_lost_is_a_503_and_its_keyed_retry_answers_the_one_tip_stored()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = TipsHost.CreateClient();
        await client.ReceiveAsync();
        var before = await CountTipsAsync();
        var marker = $"Gate of the commit lost {Guid.NewGuid():N}";
        var key = Guid.NewGuid().ToString();
        Task<HttpResponseMessage> SendAsync()
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/tips") { Content = JsonContent.Create(TipsApi.NewTip(place: new { description = marker })) };
            request.Headers.Add(WardLink.EventSourcing.Idempotency.IdempotencyKeys.HeaderName, key);
            return client.SendAsync(request, ct);
        }

        var cut = Database.CutAnswerToCommitOf(marker);
        using var lost = await SendAsync();
        Assert.True(cut.IsCompleted, $"the commit's answer was not cut: {(int)lost.StatusCode}");
        var detail = (await AssertDatabaseUnavailableAsync(lost)).GetProperty("detail").GetString();
        Assert.Contains("Idempotency-Key", detail, StringComparison.Ordinal);

        using var retried = await SendAsync();
        Assert.Equal(HttpStatusCode.Created, retried.StatusCode);
        Assert.Equal("true", retried.Headers.GetValues(WardLink.EventSourcing.Idempotency.IdempotencyKeys.ReplayedHeaderName).Single());
        Assert.Equal(before + 1, await CountTipsAsync());
        await using var session = services.StoreOf(TipsService.Name).QuerySession();
        var stored = await session.Query<TipState>().Where(tip => tip.Place.Description == marker).ToListAsync(ct);
        Assert.Equal(retried.Headers.Location!.OriginalString.Split('/')[^1], Assert.Single(stored).Id.ToString());
    }

    /// <summary>
    /// A PostgreSQL that hangs (its process stopped, its network partitioned: connections stay open, nothing answers) holds a
    /// request no longer than the service's bounds (<see cref="EventStore.ConnectTimeout"/>, <see cref="EventStore.CommandTimeout"/>, and the statement's cancellation,
    /// well within the gateway's 30 s), then it is the same 503 problem as a database gone, whatever the request: a creation,
    /// a step, a record's read, a list, a statistic (none tried again on a timeout, which would wait as long again); readiness
    /// answers within its check's bound, the database unhealthy; nothing is written, and writes resume once it answers again.
    /// Each kind is sent five times at once (30 requests, within the 32 a service admits at once): every statement that times out has Npgsql ask PostgreSQL to cancel it, which holds
    /// a thread of the pool until the hanging server lets go, and on two cores the pool added threads about one a second, so
    /// the last answers came seconds past the bounds (sent once each, now and then under the whole suite's load).
    /// </summary>
    [Fact]
    public async Task With_PostgreSQL_hanging_a_request_is_a_503_problem_within_the_services_bounds_and_readiness_still_answers()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = TipsHost.CreateClient();
        var tipId = await client.ReceiveAsync();
        var before = await CountTipsAsync();
        var requests = new (string What, Func<Task<HttpResponseMessage>> Send)[]
        {
            ("a new tip", () => client.PostAsJsonAsync("/tips", TipsApi.NewTip(), ct)),
            ("another new tip", () => client.PostAsJsonAsync("/tips", TipsApi.NewTip(), ct)),
            ("an assessment", () => client.PostAsJsonAsync($"/tips/{tipId}/assessments", new { verdict = "valuable", reason = "Seen on the camera." }, ct)),
            ("a tip's read", () => client.GetAsync($"/tips/{tipId}", ct)),
            ("the list", () => client.GetAsync("/tips", ct)),
            ("a statistic", () => client.GetAsync("/tips/stats?year=2024", ct)),
        }.SelectMany(request => Enumerable.Repeat(request, 5)).ToArray();

        // A busy service's pool holds open connections: the requests below find them idle, and wait on them, not on a new one.
        Assert.All(await Task.WhenAll(requests.Select(_ => client.GetAsync($"/tips/{tipId}", ct))), read => Assert.Equal(HttpStatusCode.OK, read.StatusCode));
        Database.Freeze();
        try
        {
            var waited = System.Diagnostics.Stopwatch.StartNew();
            using (var ready = await client.GetAsync("/health/ready", ct))
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
                Assert.True(waited.Elapsed < Health.CheckTimeout + TimeSpan.FromSeconds(2), $"readiness answered after {waited.Elapsed}");
            }

            waited.Restart();
            var answers = await Task.WhenAll(requests.Select(async request =>
            {
                var response = await request.Send();
                return (request.What, Response: response, Answered: waited.Elapsed);
            }));
            var bound = EventStore.CommandTimeout + 2 * EventStore.ConnectTimeout + TimeSpan.FromSeconds(3);
            Assert.True(
                waited.Elapsed < bound,
                $"the requests were answered after {waited.Elapsed}, past {bound}: {string.Join(", ", answers.Select(answer => $"{answer.What} {(int)answer.Response.StatusCode} after {answer.Answered}"))}");
            foreach (var (_, response, _) in answers)
            {
                await AssertDatabaseUnavailableAsync(response);
            }
        }
        finally
        {
            Database.Thaw();
        }

        await Eventually.Get(
            async () => (await client.PostAsJsonAsync("/tips", TipsApi.NewTip(), ct)).StatusCode == HttpStatusCode.Created ? "stored" : null,
            "a write to succeed once PostgreSQL answers again");
        Assert.Equal(before + 1, await CountTipsAsync());
    }

    /// <summary>Asserts the 503 problem a write needing an unavailable PostgreSQL gets (it says when to retry, and names the database), and returns it.</summary>
    private static async Task<JsonElement> AssertDatabaseUnavailableAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero, "a 503 says when to retry");
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Contains("PostgreSQL", problem.GetProperty("title").GetString(), StringComparison.Ordinal);
        return problem;
    }

    private async Task<int> CountTipsAsync()
    {
        await using var session = services.StoreOf(TipsService.Name).QuerySession();
        return await session.Query<TipState>().CountAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>
    /// Liveness says the process answers, nothing more (docs/operations.md): with PostgreSQL gone, an orchestrator that
    /// restarted the service on a failed liveness probe would restart it for nothing. Readiness answers its own report, the
    /// database check unhealthy, and the API document is served, whatever ward the request names: they keep no record.
    /// </summary>
    [Fact]
    public async Task With_PostgreSQL_gone_liveness_and_the_API_document_answer_200_and_readiness_its_report_with_the_database_unhealthy()
    {
        using var client = TipsHost.CreateClient();
        Database.Close();
        foreach (var query in new[] { "", "?ward=quang-thang", "?ward=no-such-ward" })
        {
            foreach (var method in new[] { HttpMethod.Get, HttpMethod.Head })
            {
                using var live = await client.SendAsync(new HttpRequestMessage(method, "/health/live" + query), TestContext.Current.CancellationToken);
                Assert.True(live.StatusCode == HttpStatusCode.OK, $"{method} /health/live{query}: {(int)live.StatusCode}");
            }

            using var document = await client.GetAsync("/openapi/v1.json" + query, TestContext.Current.CancellationToken);
            Assert.True(document.StatusCode == HttpStatusCode.OK, $"GET /openapi/v1.json{query}: {(int)document.StatusCode}");

            using var ready = await client.GetAsync("/health/ready" + query, TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            var report = await ready.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
            Assert.Equal("Unhealthy", report.GetProperty("status").GetString());
            Assert.Contains(
                report.GetProperty("checks").EnumerateObject(),
                check => check.Value.GetProperty("status").GetString() == "Unhealthy" && check.Name.Contains("postgres", StringComparison.OrdinalIgnoreCase));
        }
    }

    /// <summary>
    /// A message that arrives while PostgreSQL is away (a restart, a failover) outlasting the ordinary retries (more retries
    /// than <see cref="Messaging.RetryLimit"/>) is applied once it is back, not parked in the error queue: the service
    /// recovers by itself (docs/pipeline.md).
    /// </summary>
    [Fact]
    public async Task A_message_that_arrives_while_PostgreSQL_is_away_longer_than_the_ordinary_retries_is_applied_once_it_is_back()
    {
        var partners = (await services.StartAsync<PartnersService>(PartnersService.Name)).CreateClient();
        var partnerId = await partners.RegisterPartnerAsync();
        var before = await partners.RegisterSiteAsync(partnerId, "Eye hospital gate, before the outage");
        await Eventually.Get(async () => (await services.SitesKnownToAsync(TipsService.Name)).Any(site => site.Id == before) ? "known" : null, "the tips directory to learn a site");

        using var metrics = new HostMetrics(TipsHost.Services.GetRequiredService<IMeterFactory>());
        Database.Close();
        var during = await partners.RegisterSiteAsync(partnerId, "Eye hospital car park, during the outage");

        // The outage lasts until tips has retried the message more often than the ordinary retries would.
        await Eventually.Get(
            () => Task.FromResult(metrics.Sum(MessageRetries.InstrumentName, ("message_type", nameof(SiteRegistered)), ("reason", "outage")) > Messaging.RetryLimit ? "past" : null),
            "tips to retry the site more often than a failing message is",
            TimeSpan.FromSeconds(150));
        Database.Open();

        await Eventually.Get(
            async () => (await services.SitesKnownToAsync(TipsService.Name)).Any(site => site.Id == during) ? "known" : null,
            "the tips directory to learn the site registered during the outage",
            TimeSpan.FromSeconds(60));
    }

    /// <summary>
    /// A message waiting on the broker for its site (<see cref="WaitQueues"/>) is kept while the service is cut off from the
    /// broker: its wait ends and it returns to its queue with no service to take it, the site's registration comes meanwhile,
    /// and once the service is back both are applied, nothing parked.
    /// </summary>
    [Fact]
    public async Task A_message_waiting_for_its_site_while_the_service_is_cut_off_from_the_broker_is_applied_once_it_is_back()
    {
        await using var bus = await TestBus.StartAsync(services.VirtualHost);
        using var metrics = new HostMetrics(TipsHost.Services.GetRequiredService<IMeterFactory>());
        var (siteId, partnerId) = (Guid.CreateVersion7(), Guid.CreateVersion7());
        await bus.PublishAsync(new SiteMessages.SiteRetired(siteId, partnerId, DateTimeOffset.UtcNow, 2), NewId.NextGuid());
        await metrics.WaitedAsync<SiteMessages.SiteRetired>(1);

        Broker.Close();
        await bus.PublishAsync(new SiteMessages.SiteRegistered(siteId, partnerId, "Eye hospital gate", SiteMessages.SiteKind.Gate, 19.81, 105.78, DateTimeOffset.UtcNow), NewId.NextGuid());
        await Eventually.Get(
            async () => await services.Infrastructure.MessagesInAsync(services.VirtualHost, "tips-site-retired") >= 1 ? "back" : null,
            "the retirement back in its queue, no service to take it",
            TimeSpan.FromSeconds(60));
        Broker.Open();

        await Eventually.Get(
            async () => (await services.SitesKnownToAsync(TipsService.Name)).SingleOrDefault(site => site.Id == siteId && site.RetiredAt is not null),
            "the site registered and retired once the service is back",
            TimeSpan.FromSeconds(60));
        Assert.Empty(await services.Infrastructure.TakeMessagesAsync(services.VirtualHost, "tips-site-retired_error", 10));
    }

    /// <summary>
    /// A broker that hangs (its process stopped: its connections stay open, new ones wait in its listen queue unanswered) is
    /// not filled by readiness: while the bus keeps its connection the probes open none, and readiness stays 200 over many
    /// more probes than the queue holds. Each probe opened a connection that was never accepted, and once the queue was full
    /// every probe failed, minutes into the hang for no change of its own (a probe of the running system found so). Once the
    /// bus gives its connection up (its heartbeats found it dead) readiness reports the broker gone, and back once it answers.
    /// What was written meanwhile is published once it answers: a relay's publish under way when the bus gave its connection
    /// up never ended, and the service published nothing again (a probe found its lag growing for minutes after the pause).
    /// </summary>
    [Fact]
    public async Task A_hung_broker_keeps_readiness_while_the_bus_holds_its_connection_and_fails_it_once_the_bus_gives_up()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = TipsHost.CreateClient();
        await Eventually.Get(async () => await BrokerCheckAsync(client) == "Healthy" ? "yes" : null, "the bus to connect");

        Broker.Freeze();
        try
        {
            for (var probe = 0; probe < 4 * BrokerBacklog; probe++)
            {
                using var ready = await client.GetAsync("/health/ready", ct);
                var report = await ready.Content.ReadFromJsonAsync<JsonElement>(ct);
                Assert.True(ready.StatusCode == HttpStatusCode.OK && report.GetProperty("checks").GetProperty("broker").GetProperty("status").GetString() == "Healthy", $"probe {probe + 1}: {(int)ready.StatusCode} {report}");
            }

            // A referral publishes TipReferred: written now, it waits in PostgreSQL, its publish hanging on the frozen broker.
            var tipId = await client.ReceiveAsync();
            Assert.Equal(HttpStatusCode.OK, (await client.AssessAsync(tipId, "valuable")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync($"/tips/{tipId}/referral", new { }, ct)).StatusCode);

            var hung = System.Diagnostics.Stopwatch.StartNew();
            await Eventually.Get(
                async () => await BrokerCheckAsync(client) == "Unhealthy" ? "yes" : null, "readiness to report the hung broker once the bus gives its connection up", 6 * Messaging.Heartbeat);
            Assert.True(hung.Elapsed > Messaging.Heartbeat, $"the bus gave its connection up after {hung.Elapsed}, before a heartbeat passed");
        }
        finally
        {
            Broker.Thaw();
        }

        await Eventually.Get(async () => await BrokerCheckAsync(client) == "Healthy" ? "yes" : null, "readiness to report the broker back", TimeSpan.FromSeconds(60));
        await Eventually.Get(
            async () => (await client.GetFromJsonAsync<JsonElement>("/health/ready", ct)).GetProperty("checks").GetProperty("relay").GetProperty("data").GetProperty("lag").GetInt64() == 0 ? "published" : null,
            "the referral written during the hang to be published",
            TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task With_the_broker_gone_the_service_still_stops_within_its_bus_stop_timeout()
    {
        using var client = TipsHost.CreateClient();
        Assert.Equal("Healthy", await BrokerCheckAsync(client));

        Broker.Close();
        await Eventually.Get(async () => await BrokerCheckAsync(client) == "Unhealthy" ? "yes" : null, "readiness to report the broker gone");
        var stopping = System.Diagnostics.Stopwatch.StartNew();
        var tips = TipsHost;
        _tips = null;
        await services.StopAsync(tips).WaitAsync(WardLink.EventSourcing.Messaging.StopTimeout * 4, TestContext.Current.CancellationToken);
        Assert.True(stopping.Elapsed < WardLink.EventSourcing.Messaging.StopTimeout * 2, $"the service took {stopping.Elapsed} to stop");
    }

    /// <summary>The status readiness gives the service's broker.</summary>
    internal static async Task<string?> BrokerCheckAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/health/ready", TestContext.Current.CancellationToken);
        return (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("checks").GetProperty("broker").GetProperty("status").GetString();
    }
}
