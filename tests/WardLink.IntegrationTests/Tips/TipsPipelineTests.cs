using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Trace;
using WardLink.Contracts.Incidents;
using WardLink.IntegrationTests.Operations;
using WardLink.Testing;
using WardLink.Tips;
using Contract = WardLink.Contracts.Tips;

namespace WardLink.IntegrationTests.Tips;

/// <summary>Every message the host publishes, serialised as it goes out.</summary>
public sealed class PublishedMessages : IPublishObserver
{
    private readonly ConcurrentQueue<(Type Type, string Json)> _published = new();

    public IReadOnlyCollection<(Type Type, string Json)> Published => _published;

    public Task PrePublish<T>(PublishContext<T> context)
        where T : class => Task.CompletedTask;

    public Task PostPublish<T>(PublishContext<T> context)
        where T : class
    {
        _published.Enqueue((typeof(T), JsonSerializer.Serialize(context.Message) + string.Join(';', context.Headers.GetAll().Select(header => $"{header.Key}={header.Value}"))));
        return Task.CompletedTask;
    }

    public Task PublishFault<T>(PublishContext<T> context, Exception exception)
        where T : class => Task.CompletedTask;
}

/// <summary>Every span of the process while it listens: name, tags, events and baggage.</summary>
public sealed class RecordedSpans : IDisposable
{
    private readonly ConcurrentQueue<string> _spans = new();
    private readonly ActivityListener _listener;

    public RecordedSpans()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = _ => true,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = span => _spans.Enqueue(Described(span)),
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public IReadOnlyCollection<string> Spans => _spans;

    /// <summary>A span as one line: its name, tags, events with their tags, and baggage.</summary>
    public static string Described(Activity span) => string.Join(
        ' ',
        [span.DisplayName, .. span.TagObjects.Select(tag => $"{tag.Key}={tag.Value}"), .. span.Events.Select(e => e.Name + string.Join(',', e.Tags)), .. span.Baggage.Select(b => $"{b.Key}={b.Value}")]);

    public void Dispose() => _listener.Dispose();
}

/// <summary>An exporter that keeps each span it is given, as <see cref="RecordedSpans.Described"/> writes it: what leaves the process.</summary>
public sealed class ExportedSpans : BaseExporter<Activity>
{
    private readonly ConcurrentQueue<string> _spans = new();

    public IReadOnlyCollection<string> Spans => _spans;

    public override ExportResult Export(in OpenTelemetry.Batch<Activity> batch)
    {
        foreach (var span in batch)
        {
            _spans.Enqueue(RecordedSpans.Described(span));
        }

        return ExportResult.Success;
    }
}

/// <summary>The tips service with its logs captured (at every level), its publishes and the process's spans recorded.</summary>
public sealed class ObservedTips : ServiceGroup
{
    public CapturedLogs Logs { get; } = new();

    public RecordedSpans Spans { get; } = new();

    /// <summary>The spans the service exports (what an operator's trace backend receives), each as <see cref="RecordedSpans"/> writes it.</summary>
    public ExportedSpans Exported { get; } = new();

    public PublishedMessages Messages { get; } = new();

    public ConsumeCounter Consumed { get; } = new();

    public ServiceHost<TipsService> Host { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        Host = await StartAsync<TipsService>(TipsService.Name, services: services =>
        {
            services.AddSingleton<ILoggerProvider>(Logs);
            services.AddLogging(logging => logging.AddFilter<CapturedLogs>(null, LogLevel.Trace));
            services.AddPublishObserver(_ => Messages);
            services.AddConsumeObserver(_ => Consumed);
            services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddProcessor(new SimpleActivityExportProcessor(Exported)));
        });
        Client = Host.CreateClient();
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Spans.Dispose();
    }
}

[Collection(ActivityListeners.Name)]
public sealed class TipsPipelineTests(ObservedTips tips) : IClassFixture<ObservedTips>
{
    private const string CanaryName = "Phạm Canary Tipster";
    private const string CanaryPhone = "+84 977 123 456";
    private const string CanaryEmail = "canary.tipster@example.vn";

    [Fact]
    public async Task No_tipster_contact_appears_in_any_stored_event_published_message_log_line_or_span()
    {
        var contact = new { name = CanaryName, phone = CanaryPhone, email = CanaryEmail };
        var staffTip = await tips.Client.ReceiveAsync(TipsApi.NewTip(receivedAt: "2023-06-01T20:00:00+07:00", contact: contact));
        var publicTip = await tips.Client.PostAsJsonAsync(
            "/public/tips", new { category = "theft", description = "Bags stolen at the Eye hospital.", place = new { description = "Eye hospital" }, contact }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, publicTip.StatusCode);
        await tips.Client.AssessAsync(staffTip, "valuable");
        Assert.Equal(HttpStatusCode.OK, (await tips.Client.PostAsJsonAsync($"/tips/{staffTip}/referral", new { }, TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal(CanaryPhone, (await tips.Client.GetFromJsonAsync<JsonElement>($"/tips/{staffTip}/contact", TestContext.Current.CancellationToken)).GetProperty("phone").GetString());
        Assert.Equal(HttpStatusCode.NoContent, (await tips.Client.DeleteAsync($"/tips/{staffTip}/contact", TestContext.Current.CancellationToken)).StatusCode);
        await Eventually.Get(
            () => Task.FromResult<string?>(tips.Messages.Published.FirstOrDefault(message => message.Type == typeof(Contract.TipReferred) && message.Json.Contains(staffTip.ToString(), StringComparison.Ordinal)).Json),
            "the relay to publish TipReferred");

        var stored = await EverythingStoredAsync();
        Assert.Contains(staffTip.ToString(), stored, StringComparison.Ordinal);
        Assert.Contains("tip_contact_read", stored, StringComparison.Ordinal);
        Assert.NotEmpty(tips.Logs.Lines);
        Assert.Contains(tips.Spans.Spans, span => span.Contains(staffTip.ToString(), StringComparison.Ordinal));
        foreach (var canary in new[] { CanaryName, "Canary", "977 123 456", "977123456", CanaryEmail })
        {
            Assert.DoesNotContain(canary, stored, StringComparison.OrdinalIgnoreCase);
            Assert.All(tips.Messages.Published, message => Assert.DoesNotContain(canary, message.Json, StringComparison.OrdinalIgnoreCase));
            Assert.All(tips.Logs.Lines, line => Assert.DoesNotContain(canary, line, StringComparison.OrdinalIgnoreCase));
            Assert.All(tips.Spans.Spans, span => Assert.DoesNotContain(canary, span, StringComparison.OrdinalIgnoreCase));
        }
    }

    /// <summary>
    /// Nor in a log line: ASP.NET Core's hosting writes each request's path in a scope every line of the request carries (and in
    /// lines of its own), which providers that show scopes (OTLP, the JSON console) send on. Every line the service writes during
    /// a tipster's follow-ups, however the path is spelled, carries the path as spans show it, and none from Information up names the code.
    /// </summary>
    [Fact]
    public async Task A_follow_up_code_is_in_no_log_line_nor_any_scope_a_line_carries()
    {
        using var created = await tips.Client.PostAsJsonAsync(
            "/public/tips", new { category = "theft", description = "Bags stolen.", place = new { description = "Eye hospital" } }, TestContext.Current.CancellationToken);
        var answer = await created.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        var (code, secret) = (answer.GetProperty("code").GetString()!, answer.GetProperty("secret").GetString()!);
        foreach (var path in new[] { $"/public/tips/{code}", $"/public/tips/{code}/messages", $"/public//tips/{code}", $"/public/tips/{code.ToLowerInvariant()}/messages", $"/public/tip/{code}" })
        {
            using var request = new HttpRequestMessage(path.EndsWith("/messages", StringComparison.Ordinal) ? HttpMethod.Post : HttpMethod.Get, path)
            {
                Content = path.EndsWith("/messages", StringComparison.Ordinal) ? JsonContent.Create(new { text = "He came again tonight." }) : null,
            };
            request.Headers.Add(FollowUp.SecretHeader, secret);
            using var response = await tips.Client.SendAsync(request, TestContext.Current.CancellationToken);
        }

        // Debug and Trace lines (routing's match of the path, Marten's statements with their parameters) are for troubleshooting,
        // off as shipped: their scopes are held to it, their messages are not.
        Assert.Contains(tips.Logs.Lines, line => line.Contains("RequestPath:/public/tips/{code}/messages", StringComparison.Ordinal));
        Assert.All(tips.Logs.Lines, line => Assert.DoesNotContain(code, HeldToIt(line), StringComparison.OrdinalIgnoreCase));

        static string HeldToIt(string line) =>
            !line.StartsWith("Debug ", StringComparison.Ordinal) && !line.StartsWith("Trace ", StringComparison.Ordinal) ? line
            : line.IndexOf(CapturedLogs.ScopeMark, StringComparison.Ordinal) is >= 0 and var scopes ? line[scopes..]
            : string.Empty;
    }

    /// <summary>
    /// A tipster's browser string and the follow-up code of their tip never leave in a span: ASP.NET Core's instrumentation
    /// records the caller's user agent and the request's path, and the code names one tip's thread. The request spans are
    /// exported (their route says which operation ran), without either.
    /// </summary>
    [Fact]
    public async Task A_tipster_s_user_agent_and_follow_up_code_are_in_no_exported_span()
    {
        // Not a "Canary": the contact test looks for that word in every span the process records, scrubbed or not yet, and
        // the class's tests share one service, in no set order.
        const string CanaryAgent = "WitnessBrowser/7.3 (Tipster's phone)";
        using var created = await PublicAsync(HttpMethod.Post, "/public/tips", null, new { category = "theft", description = "Bags stolen.", place = new { description = "Eye hospital" } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var answer = await created.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        var (code, secret) = (answer.GetProperty("code").GetString()!, answer.GetProperty("secret").GetString()!);
        using var asked = await PublicAsync(HttpMethod.Post, $"/public/tips/{code}/messages", secret, new { text = "He came again tonight." });
        Assert.Equal(HttpStatusCode.OK, asked.StatusCode);
        using var read = await PublicAsync(HttpMethod.Get, $"/public/tips/{code}", secret);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);

        // The code, and a name, where no operation reads them: a public path mistyped, the police's path, a query of a mistake.
        foreach (var mistaken in new[] { $"/pubilc/tips/{code}", $"/public-tips/{code}/messages", $"/tips/{code}", $"/tips?Zqx%20Nguyen%20{code}" })
        {
            using var refused = await PublicAsync(HttpMethod.Get, mistaken, secret);
            Assert.True((int)refused.StatusCode is >= 400 and < 500, $"{mistaken}: {refused.StatusCode}");
        }

        var exported = await Eventually.Get(
            () => Task.FromResult(tips.Exported.Spans.Where(span => span.Contains("/public/tips/{code}", StringComparison.Ordinal)).ToList() is { Count: >= 2 } spans ? spans : null),
            "the follow-up requests' spans to be exported");
        await Eventually.Get(
            () => Task.FromResult(tips.Exported.Spans.Where(span => span.Contains("http.response.status_code=404", StringComparison.Ordinal)).ToList() is { Count: >= 3 } refused ? refused : null),
            "the mistaken requests' spans to be exported");
        Assert.All(tips.Exported.Spans, span =>
        {
            Assert.DoesNotContain("WitnessBrowser", span, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(code, span, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("Zqx", span, StringComparison.Ordinal);
        });
        Assert.NotEmpty(exported);

        async Task<HttpResponseMessage> PublicAsync(HttpMethod method, string path, string? followUpSecret, object? body = null)
        {
            using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
            request.Headers.TryAddWithoutValidation("User-Agent", CanaryAgent);
            if (followUpSecret is not null)
            {
                request.Headers.Add(FollowUp.SecretHeader, followUpSecret);
            }

            return await tips.Client.SendAsync(request, TestContext.Current.CancellationToken);
        }
    }

    [Fact]
    public async Task A_referral_publishes_TipReferred_and_the_resolved_incident_counts_once_in_the_statistics()
    {
        await using var bus = await TestBus.StartAsync(tips.VirtualHost, TestBus.Recording<Contract.TipReferred>("tips-test-tip-referred"));

        // The class's other tests record tips of 2024 in the same database, in whichever order the tests run: count this one's.
        var before = await tips.Client.GetFromJsonAsync<JsonElement>("/tips/stats?year=2024", TestContext.Current.CancellationToken);
        var id = await tips.Client.ReceiveAsync(TipsApi.NewTip(category: "drugs", receivedAt: "2024-11-02T22:10:00+07:00"));
        await tips.Client.AssessAsync(id, "valuable");
        var referral = await tips.Client.PostAsJsonAsync($"/tips/{id}/referral", new { }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, referral.StatusCode);

        var (messageId, message) = await Eventually.Get(
            () => Task.FromResult(bus.Received
                .Where(received => received.Message is Contract.TipReferred referred && referred.TipId == id)
                .Select(received => Tuple.Create(received.MessageId, (Contract.TipReferred)received.Message))
                .FirstOrDefault()),
            "TipReferred on the test's queue");
        var referred = Assert.IsType<TipReferred>((await tips.StoreOf(TipsService.Name).EventsOfAsync(id))[^1]);
        Assert.Equal(referred.IncidentId, message.IncidentId);
        Assert.True(message.OpensNewIncident);
        Assert.Equal(Contract.SecurityCategory.Drugs, message.Category);
        Assert.Matches("^TIP-QT-2024-[0-9]{4}$", message.TipNumber);
        Assert.Equal("Eye hospital, ground-floor waiting room", message.Place.Description);
        Assert.NotEqual(Guid.Empty, messageId);

        var resolved = new IncidentResolved(message.IncidentId, "INC-2024-0008", IncidentClassification.Criminal, IncidentOutcome.CriminalCaseSolved, [id], DateTimeOffset.UtcNow);
        var resolvedId = NewId.NextGuid();
        await bus.PublishAsync(resolved, resolvedId);
        var outcome = await Eventually.Get(
            async () => (await tips.StoreOf(TipsService.Name).EventsOfAsync(id)).OfType<TipOutcomeRecorded>().FirstOrDefault(),
            "the tip to record the incident's outcome");
        Assert.Equal(IncidentOutcome.CriminalCaseSolved, outcome.Outcome);
        Assert.Equal("INC-2024-0008", outcome.CaseNumber);

        var statistics = await tips.Client.GetFromJsonAsync<JsonElement>("/tips/stats?year=2024", TestContext.Current.CancellationToken);
        int Added(params string[] path) => CountAt(statistics, path) - CountAt(before, path);

        Assert.Equal(1, Added("criminalCasesContributed"));
        Assert.Equal(0, Added("administrativeViolationsContributed"));
        Assert.Equal(1, Added("referred"));
        Assert.Equal(1, Added("receivedByCategory", "drugs"));
        Assert.Equal(1, Added("assessedByVerdict", "valuable"));
        Assert.Equal("resolved", (await tips.Client.ReadAsync(id)).GetProperty("tip").GetProperty("status").GetString());

        await bus.PublishAsync(resolved, resolvedId);
        await Eventually.Get(() => Task.FromResult(tips.Consumed.CountOf(resolvedId) >= 2 ? "both" : null), "the redelivery to be consumed");
        Assert.Single(await tips.ProcessedByAsync(TipsService.Name), processed => processed.MessageId == resolvedId);
        Assert.Single((await tips.StoreOf(TipsService.Name).EventsOfAsync(id)).OfType<TipOutcomeRecorded>());
        Assert.Equal(statistics.ToString(), (await tips.Client.GetFromJsonAsync<JsonElement>("/tips/stats?year=2024", TestContext.Current.CancellationToken)).ToString());
    }

    /// <summary>The count a statistic holds at <paramref name="path"/>, 0 where it names none.</summary>
    private static int CountAt(JsonElement statistics, string[] path)
    {
        var at = statistics;
        foreach (var name in path)
        {
            if (at.ValueKind != JsonValueKind.Object || !at.TryGetProperty(name, out at))
            {
                return 0;
            }
        }

        return at.GetInt32();
    }

    /// <summary>
    /// An incident's resolution reaching a tip an officer is acting on at that moment waits for the officer's step and records
    /// the outcome on the tip as the step left it, at its first attempt: no lost race, so no retry by the bus (five lost races
    /// in a row parked the message, and the outcome was never recorded).
    /// </summary>
    [Fact]
    public async Task A_resolution_reaching_a_tip_a_step_holds_waits_for_the_step_and_records_the_outcome_at_its_first_attempt()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var bus = await TestBus.StartAsync(tips.VirtualHost);
        var id = await tips.Client.ReceiveAsync(TipsApi.NewTip(receivedAt: "2024-11-03T22:10:00+07:00"));
        await tips.Client.AssessAsync(id, "valuable");
        Assert.Equal(HttpStatusCode.OK, (await tips.Client.PostAsJsonAsync($"/tips/{id}/referral", new { }, ct)).StatusCode);
        var store = tips.StoreOf(TipsService.Name);
        var incidentId = (await store.EventsOfAsync(id)).OfType<TipReferred>().Single().IncidentId;
        var connection = tips.Host.Services.GetRequiredService<IConfiguration>().GetConnectionString("Postgres")!;
        var retriesBefore = tips.Logs.Lines.Count(line => line.Contains("R-RETRY", StringComparison.Ordinal));

        await await store.WhileAStepHoldsAsync<TipState>(
            connection,
            id,
            _ => bus.PublishAsync(new IncidentResolved(incidentId, "INC-2024-0009", IncidentClassification.Criminal, IncidentOutcome.CriminalCaseSolved, [id], DateTimeOffset.UtcNow), NewId.NextGuid()),
            new TipContactRead(id, DateTimeOffset.UtcNow, "an officer"),
            ct);

        var outcome = await Eventually.Get(async () => (await store.EventsOfAsync(id)).OfType<TipOutcomeRecorded>().FirstOrDefault(), "the tip to record the outcome");
        Assert.Equal(IncidentOutcome.CriminalCaseSolved, outcome.Outcome);
        Assert.Equal(retriesBefore, tips.Logs.Lines.Count(line => line.Contains("R-RETRY", StringComparison.Ordinal)));
    }

    private async Task<string> EverythingStoredAsync()
    {
        var connection = tips.Host.Services.GetRequiredService<IConfiguration>().GetConnectionString("Postgres");
        await using var database = new NpgsqlConnection(connection);
        await database.OpenAsync(TestContext.Current.CancellationToken);
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand("select table_schema || '.' || table_name from information_schema.tables where table_name like 'mt\\_%' and table_type = 'BASE TABLE'", database))
        await using (var reader = await list.ExecuteReaderAsync(TestContext.Current.CancellationToken))
        {
            while (await reader.ReadAsync(TestContext.Current.CancellationToken))
            {
                tables.Add(reader.GetString(0));
            }
        }

        Assert.Contains(tables, table => table.EndsWith(".mt_events", StringComparison.Ordinal));
        var everything = new System.Text.StringBuilder();
        foreach (var table in tables)
        {
            await using var dump = new NpgsqlCommand($"select coalesce(string_agg(t::text, E'\\n'), '') from {table} t", database);
            everything.AppendLine((string)(await dump.ExecuteScalarAsync(TestContext.Current.CancellationToken))!);
        }

        return everything.ToString();
    }
}
