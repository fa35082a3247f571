using System.Net;
using System.Net.Http.Json;
using System.Reflection;
using System.Text.Json;
using Marten;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using WardLink.EventSourcing;
using WardLink.EventSourcing.Idempotency;
using WardLink.Incidents;
using WardLink.IntegrationTests.Audit;
using WardLink.IntegrationTests.BadInput;
using WardLink.Partners;
using WardLink.Patrols;
using WardLink.Testing;
using WardLink.Tips;

namespace WardLink.IntegrationTests.Tampering;

/// <summary>
/// An insider with the database changes a numbered record's stream or its yearly counter as the p-insider probe did (F3, F4): a
/// stream's row (<c>mt_streams</c>) lowered behind its events, the counter's last number rewritten to an earlier one, a later one or
/// none. Every write to what was changed is then a 500 "The stored record is inconsistent." with an Error line naming the stream and
/// what disagrees, never a 409 telling the client to retry a race nobody ran, nothing stored, no number handed out twice; put back,
/// the writes go on. One service of each kind of numbered record (a subclass each, <see cref="NumberedKindsTests"/> finds them all).
/// </summary>
public abstract class TamperedStreamsSuite<TEntryPoint>(ServiceFixture<TEntryPoint> service)
    where TEntryPoint : class
{
    private readonly HttpClient _client = service.CreateClient();
    private readonly IDocumentStore _store = service.Host.Services.GetRequiredService<IDocumentStore>();
    private readonly StoredRows _stored = new(service.Host.Services.GetRequiredService<IConfiguration>().GetConnectionString("Postgres")!);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The prefix of the kind's numbers (<see cref="YearlyNumbers"/>).</summary>
    protected abstract string Prefix { get; }

    /// <summary>Where a record of the kind is created.</summary>
    protected abstract string Collection { get; }

    /// <summary>The field of a created record's answer that holds its number.</summary>
    protected abstract string NumberField { get; }

    /// <summary>A valid new record of the kind.</summary>
    protected abstract object NewRecord();

    /// <summary>A valid step on record <paramref name="id"/>: its path and body.</summary>
    protected abstract (string Path, object Body) StepOn(Guid id);

    [Fact]
    public async Task A_step_on_a_record_whose_stream_row_is_behind_its_events_is_a_500_naming_it_never_a_race_to_retry()
    {
        var (id, _) = await CreateAsync();
        var version = await _stored.VersionAsync(id, Ct);
        var (path, body) = StepOn(id);

        await TamperedAsync(
            "update mt_streams set version = version - 1 where id = @id",
            "update mt_streams set version = @version where id = @id",
            [("id", id), ("version", version)],
            async () =>
            {
                for (var attempt = 0; attempt < 2; attempt++)
                {
                    await AssertInconsistentAsync(await _client.PostAsJsonAsync(path, body, Ct), id, $"at version {version - 1}, its last event (mt_events) at {version}");
                }
            });

        Assert.Equal(HttpStatusCode.OK, (await _client.PostAsJsonAsync(path, body, Ct)).StatusCode);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("tampered-row")]
    public async Task Intake_while_the_counter_s_row_is_behind_its_events_is_a_500_naming_the_counter_never_already_exists(string? key)
    {
        var (_, number) = await CreateAsync();
        var counter = await CounterOfAsync();
        var version = await _stored.VersionAsync(counter, Ct);

        await TamperedAsync(
            "update mt_streams set version = version - 1 where id = @id",
            "update mt_streams set version = @version where id = @id",
            [("id", counter), ("version", version)],
            async () => await AssertInconsistentAsync(await SendNewAsync(key), counter, $"at version {version - 1}, its last event (mt_events) at {version}"));

        Assert.Equal(NumberAfter(number), (await CreateAsync(key is null ? null : $"{key}-after")).Number);
    }

    /// <summary>
    /// The counter's last event names an earlier number (the next would be one handed out already), a later one (a gap) or no number:
    /// intake refuses to guess, alone (<c>Idempotency-Key</c>) or in a batch, each event shape rewritten (a batch's, a record's alone).
    /// </summary>
    [Theory]
    [InlineData("earlier", null)]
    [InlineData("earlier", "tampered-earlier")]
    [InlineData("later", null)]
    [InlineData("later", "tampered-later")]
    [InlineData("garbage", null)]
    [InlineData("garbage", "tampered-garbage")]
    public async Task Intake_after_the_counter_s_last_number_was_rewritten_hands_out_none_and_is_a_500_naming_the_counter(string rewrittenTo, string? lastAlone)
    {
        await CreateAsync();
        var (_, number) = await CreateAsync(lastAlone);
        var counter = await CounterOfAsync();
        var count = long.Parse(number[(number.LastIndexOf('-') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        var stem = number[..(number.LastIndexOf('-') + 1)];
        var rewritten = rewrittenTo switch
        {
            "earlier" => $"{stem}{count - 1:0000}",
            "later" => $"{stem}{count + 5:0000}",
            _ => "not a number",
        };
        var last = (await _store.QueryAsync(
            "select seq_id, data::text from mt_events where stream_id = @id order by version desc limit 1", reader => (Sequence: reader.GetInt64(0), Data: reader.GetString(1)), ("id", counter))).Single();

        await TamperedAsync(
            "update mt_events set data = case when data ? 'numbers' " +
            "then jsonb_set(data, array['numbers', (jsonb_array_length(data->'numbers') - 1)::text, 'number'], to_jsonb(@number::text)) " +
            "else jsonb_set(data, '{number}', to_jsonb(@number::text)) end where seq_id = @sequence",
            "update mt_events set data = @data::jsonb where seq_id = @sequence",
            [("sequence", last.Sequence), ("number", rewritten), ("data", last.Data)],
            async () =>
            {
                foreach (var key in new[] { null, $"after-{rewrittenTo}-{lastAlone}" })
                {
                    await AssertInconsistentAsync(await SendNewAsync(key), counter, $"the counter {Prefix}-");
                }
            });

        Assert.Equal(NumberAfter(number), (await CreateAsync()).Number);
    }

    /// <summary>Runs <paramref name="tamper"/>, then <paramref name="whileTampered"/>, and puts back what was changed whatever it found.</summary>
    private async Task TamperedAsync(string tamper, string putBack, (string Name, object Value)[] parameters, Func<Task> whileTampered)
    {
        await _store.ExecuteAsync(tamper, parameters);
        try
        {
            await whileTampered();
        }
        finally
        {
            await _store.ExecuteAsync(putBack, parameters);
        }
    }

    /// <summary>
    /// <paramref name="answer"/> is the inconsistent record's 500 (never a 409 that says to retry), nothing was stored, and an Error line
    /// names <paramref name="stream"/> and says <paramref name="says"/>.
    /// </summary>
    private async Task AssertInconsistentAsync(HttpResponseMessage answer, Guid stream, string says)
    {
        var before = await _stored.CountAsync(Ct);
        var problem = await answer.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.True(answer.StatusCode == HttpStatusCode.InternalServerError, $"{answer.StatusCode}: {problem}");
        Assert.Equal(InconsistentStreams.Title, problem.GetProperty("title").GetString());
        Assert.DoesNotContain("retry", problem.GetProperty("detail").GetString()!.Replace("a retry meets the same", string.Empty, StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase);
        Assert.Contains(service.Host.Failures, line => line.Contains($"Stream {stream}", StringComparison.Ordinal) && line.Contains(says, StringComparison.Ordinal));
        Assert.Empty(StoredRows.Changed(before, await _stored.CountAsync(Ct)));
    }

    private async Task<(Guid Id, string Number)> CreateAsync(string? key = null)
    {
        var answer = await SendNewAsync(key);
        var body = await answer.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.True(answer.StatusCode == HttpStatusCode.Created, $"{answer.StatusCode}: {body}");
        return (body.GetProperty("id").GetGuid(), body.GetProperty(NumberField).GetString()!);
    }

    private Task<HttpResponseMessage> SendNewAsync(string? key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, Collection) { Content = JsonContent.Create(NewRecord()) };
        if (key is not null)
        {
            request.Headers.Add(IdempotencyKeys.HeaderName, $"{key}-{Guid.NewGuid():N}");
        }

        return _client.SendAsync(request, Ct);
    }

    /// <summary>The counter the records of the kind are numbered by: the newest whose events name <see cref="Prefix"/>'s numbers (a record's own events name its number too).</summary>
    private async Task<Guid> CounterOfAsync() =>
        (await _store.QueryAsync(
            "select stream_id from mt_events where type in ('number_reserved', 'numbers_reserved') and data::text like @numbers order by seq_id desc limit 1",
            reader => reader.GetGuid(0),
            ("numbers", $"%\"{Prefix}-%"))).Single();

    private static string NumberAfter(string number)
    {
        var dash = number.LastIndexOf('-') + 1;
        return $"{number[..dash]}{long.Parse(number[dash..], System.Globalization.CultureInfo.InvariantCulture) + 1:0000}";
    }
}

/// <summary>Every kind of record numbered by <see cref="YearlyNumbers"/> (a service's <c>…NumberPrefix</c>) is tampered with by a <see cref="TamperedStreamsSuite{TEntryPoint}"/>.</summary>
public sealed class NumberedKindsTests
{
    [Fact]
    public void Every_numbered_kind_of_record_has_its_tampered_streams_suite()
    {
        var prefixes = (from assembly in new[] { typeof(TipsService), typeof(IncidentsService), typeof(PatrolsService), typeof(PartnersService) }.Select(type => type.Assembly)
                        from type in assembly.GetTypes()
                        from field in type.GetFields(BindingFlags.Public | BindingFlags.Static)
                        where field.IsLiteral && field.Name.EndsWith("NumberPrefix", StringComparison.Ordinal)
                        select (Service: assembly, Prefix: (string)field.GetValue(null)!)).ToList();
        var suites = typeof(NumberedKindsTests).Assembly.GetTypes()
            .Where(type => !type.IsAbstract && type.BaseType is { IsGenericType: true } suite && suite.GetGenericTypeDefinition() == typeof(TamperedStreamsSuite<>))
            .Select(type => type.BaseType!.GetGenericArguments()[0].Assembly)
            .ToList();

        Assert.Equal(2, prefixes.Count);
        Assert.All(prefixes, kind => Assert.Contains(kind.Service, suites));
    }
}

/// <summary>Tips: numbered <c>TIP-…</c> by the year they were received.</summary>
public sealed class TamperedTipStreamsTests(ServiceFixture<TipsService> tips) : TamperedStreamsSuite<TipsService>(tips), IClassFixture<ServiceFixture<TipsService>>
{
    protected override string Prefix => Tip.NumberPrefix;

    protected override string Collection => "/tips";

    protected override string NumberField => "number";

    protected override object NewRecord() => WardLink.IntegrationTests.Tips.TipsApi.NewTip();

    protected override (string Path, object Body) StepOn(Guid id) => ($"/tips/{id}/assessments", new { verdict = "valuable", reason = "Checked against the camera footage." });
}

/// <summary>Incidents: numbered <c>INC-…</c> by the year they are reported in.</summary>
public sealed class TamperedIncidentStreamsTests(ServiceFixture<IncidentsService> incidents)
    : TamperedStreamsSuite<IncidentsService>(incidents), IClassFixture<ServiceFixture<IncidentsService>>
{
    protected override string Prefix => Incident.CaseNumberPrefix;

    protected override string Collection => "/incidents";

    protected override string NumberField => "caseNumber";

    protected override object NewRecord() => WardLink.IntegrationTests.Incidents.IncidentRequests.Report();

    protected override (string Path, object Body) StepOn(Guid id) => ($"/incidents/{id}/notes", new { text = "Camera footage requested from the hospital." });
}
