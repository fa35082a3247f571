using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Marten;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using WardLink.Domain;
using WardLink.EventSourcing;
using WardLink.EventSourcing.Idempotency;
using WardLink.EventSourcing.Wards;
using WardLink.ServiceDefaults;
using WardLink.Testing;
using WardLink.Tips;

namespace WardLink.IntegrationTests.Tips;

/// <summary>
/// Tips committed together (<see cref="NumberedRecords"/>) keep the yearly numbers' promise: every
/// accepted tip gets the next number of its year, none is skipped or given twice, whatever else
/// arrives in the same batch and whatever happens to the batch's connection.
/// </summary>
public sealed class GroupCommitTests(ServiceFixture<TipsService> tips) : IClassFixture<ServiceFixture<TipsService>>
{
    private readonly HttpClient _client = tips.CreateClient();

    [Fact]
    public async Task Concurrent_tips_of_one_year_get_consecutive_numbers_while_refused_ones_take_none()
    {
        // As many tips as the service handles at once (more would wait for admission, and on a slow
        // machine some be refused with 503). Every fourth is refused (no description), every fifth
        // sent with an Idempotency-Key (numbered in its own transaction, under the same counter).
        var sent = new AdmissionOptions().MaxInFlight;
        var accepted = Enumerable.Range(0, sent).Count(n => n % 4 != 3);
        var answers = await Task.WhenAll(Enumerable.Range(0, sent).Select(n => Task.Run(() =>
        {
            var tip = TipsApi.NewTip(receivedAt: "2023-03-04T10:00:00+07:00");
            return PostAsync(n % 4 == 3 ? WithoutDescription(tip) : tip, n % 5 == 0 ? $"group-commit-{n}" : null);
        })));

        Assert.All(answers.Where((_, n) => n % 4 == 3), answer => Assert.Equal(HttpStatusCode.BadRequest, answer.Status));
        var numbers = answers.Where((_, n) => n % 4 != 3).Select(answer =>
        {
            Assert.Equal(HttpStatusCode.Created, answer.Status);
            return answer.Number!;
        }).ToList();
        Assert.Equal(Enumerable.Range(1, accepted).Select(n => $"TIP-QT-2023-{n:0000}"), numbers.Order(StringComparer.Ordinal));
        Assert.Equal(numbers.Order(StringComparer.Ordinal), await StoredNumbersAsync(2023));
        Assert.Equal(numbers.Order(StringComparer.Ordinal), await CounterNumbersAsync(2023));

        var replayed = await PostAsync(TipsApi.NewTip(receivedAt: "2023-03-04T10:00:00+07:00"), "group-commit-0");
        Assert.Equal(answers[0].Number, replayed.Number);
        Assert.Equal(accepted, (await StoredNumbersAsync(2023)).Count);
    }

    [Fact]
    public async Task A_batch_whose_connection_drops_fails_whole_and_takes_no_number()
    {
        // The test holds the counter's turn, so the writer's first batch waits for it in PostgreSQL...
        await using var turn = await CounterTurn.TakeAsync(
            tips.Host.Services.GetRequiredService<IConfiguration>().GetConnectionString(EventStore.ConnectionName)!, Tip.NumberPrefix, 2022);
        var posted = Enumerable.Range(0, 10).Select(_ => Task.Run(() => PostAsync(TipsApi.NewTip(receivedAt: "2022-07-01T09:00:00+07:00")))).ToList();
        var waiting = await turn.WaiterAsync();

        // ...when its connection drops; the tips behind it go in the next batch.
        await turn.TerminateAsync(waiting);
        await Task.WhenAny(posted).WaitAsync(Eventually.DefaultTimeout, TestContext.Current.CancellationToken);
        await turn.ReleaseAsync();
        var answers = await Task.WhenAll(posted);

        var dropped = answers.Where(answer => answer.Status != HttpStatusCode.Created).ToList();
        Assert.NotEmpty(dropped);
        Assert.All(dropped, answer =>
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, answer.Status);
            Assert.True(answer.RetryAfter, "A 503 says when to retry.");
        });
        var created = answers.Where(answer => answer.Status == HttpStatusCode.Created).Select(answer => answer.Number!).ToList();
        Assert.Equal(Enumerable.Range(1, created.Count).Select(n => $"TIP-QT-2022-{n:0000}"), created.Order(StringComparer.Ordinal));
        Assert.Equal(created.Order(StringComparer.Ordinal), await StoredNumbersAsync(2022));

        var next = await PostAsync(TipsApi.NewTip(receivedAt: "2022-07-01T09:00:00+07:00"));
        Assert.Equal($"TIP-QT-2022-{created.Count + 1:0000}", next.Number);

        // The counter records each number once, with the tip it names: nothing of the dropped batch.
        Assert.Equal(created.Append(next.Number!).Order(StringComparer.Ordinal), await CounterNumbersAsync(2022));
    }

    [Fact]
    public async Task A_batch_numbers_in_the_ward_as_its_requests_read_it_and_reads_the_directory_when_none_did()
    {
        var ct = TestContext.Current.CancellationToken;
        var records = tips.Host.Services.GetRequiredService<NumberedRecords>();
        var at = new DateTimeOffset(2021, 5, 1, 10, 0, 0, WardTime.Offset);
        KnownWard home;
        await using (var directory = tips.Host.Services.GetRequiredService<IDocumentStore>().QuerySession())
        {
            home = (await directory.WardAsync(new HomeWard().Id, ct))!;
        }

        async Task<string> NumberAsync()
        {
            string? taken = null;
            Assert.Null(await records.RecordAsync("READ", at, Guid.CreateVersion7(), (_, number) =>
            {
                taken = number;
                return null;
            }, ct));
            return taken!;
        }

        // A request that read its ward (the code as it read it: not the directory's) is numbered with it...
        using (WardContext.Enter(home with { Code = "AS-READ" }))
        {
            Assert.Equal("READ-AS-READ-2021-0001", await NumberAsync());
        }

        // ...and work that only named its ward, with the directory's.
        using (WardContext.Enter(home.Id))
        {
            Assert.Equal($"READ-{home.Code}-2021-0002", await NumberAsync());
        }
    }

    [Fact]
    public async Task A_counter_that_named_its_numbers_one_event_each_goes_on_from_its_last_whichever_event_ends_it()
    {
        // A counter as stores kept it before batches named their numbers together: one event a number.
        var counter = YearlyNumbers.CounterOf(Tip.NumberPrefix, new HomeWard().Id, 2020);
        await using (var session = tips.Host.Services.GetRequiredService<IDocumentStore>().LightweightSession())
        {
            session.Events.StartStream(counter, [.. Enumerable.Range(1, 3).Select(n => (object)new NumberReserved($"TIP-QT-2020-{n:0000}", Guid.CreateVersion7()))]);
            await session.SaveChangesAsync(TestContext.Current.CancellationToken);
        }

        // A batch after them, a record numbered alone (Idempotency-Key) after the batch, a batch after that.
        var tip = TipsApi.NewTip(receivedAt: "2020-02-02T08:00:00+07:00");
        Assert.Equal("TIP-QT-2020-0004", (await PostAsync(tip)).Number);
        Assert.Equal("TIP-QT-2020-0005", (await PostAsync(tip, "counter-history")).Number);
        Assert.Equal("TIP-QT-2020-0006", (await PostAsync(tip)).Number);

        await using var query = tips.Host.Services.GetRequiredService<IDocumentStore>().QuerySession();
        var events = await query.Events.FetchStreamAsync(counter, token: TestContext.Current.CancellationToken);
        Assert.Equal(
            ["NumberReserved", "NumberReserved", "NumberReserved", "NumbersReserved", "NumberReserved", "NumbersReserved"],
            events.Select(stored => stored.Data.GetType().Name));
    }

    [Fact]
    public async Task A_counter_whose_last_event_names_no_number_hands_out_none_and_stores_nothing_while_other_years_go_on()
    {
        var tip = TipsApi.NewTip(receivedAt: "2019-06-01T08:00:00+07:00");
        Assert.Equal("TIP-QT-2019-0001", (await PostAsync(tip)).Number);

        // An insider (or a bug) appends an event that names no number to the year's counter.
        var counter = YearlyNumbers.CounterOf(Tip.NumberPrefix, new HomeWard().Id, 2019);
        await using (var session = tips.Host.Services.GetRequiredService<IDocumentStore>().LightweightSession())
        {
            session.Events.Append(counter, new NumbersReserved([]));
            await session.SaveChangesAsync(TestContext.Current.CancellationToken);
        }

        // The counter refuses to guess where it stands: no number is handed out twice, nothing is half-written.
        foreach (var key in new[] { null, "tampered-counter" })
        {
            var refused = await PostAsync(tip, key);
            Assert.Equal(HttpStatusCode.InternalServerError, refused.Status);
        }

        Assert.Equal(["TIP-QT-2019-0001"], await StoredNumbersAsync(2019));
        Assert.Equal("TIP-QT-2018-0001", (await PostAsync(TipsApi.NewTip(receivedAt: "2018-06-01T08:00:00+07:00"))).Number);
    }

    private sealed record Answer(HttpStatusCode Status, string? Number, bool RetryAfter);

    private async Task<Answer> PostAsync(object tip, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/tips") { Content = JsonContent.Create(tip) };
        if (idempotencyKey is not null)
        {
            request.Headers.Add(IdempotencyKeys.HeaderName, idempotencyKey);
        }

        using var response = await _client.SendAsync(request, TestContext.Current.CancellationToken);
        var number = response.StatusCode == HttpStatusCode.Created
            ? (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("number").GetString()
            : null;
        return new Answer(response.StatusCode, number, response.Headers.RetryAfter is not null);
    }

    private static Dictionary<string, object?> WithoutDescription(object tip)
    {
        var fields = JsonSerializer.SerializeToElement(tip, JsonSerializerOptions.Web).Deserialize<Dictionary<string, object?>>(JsonSerializerOptions.Web)!;
        fields["description"] = null;
        return fields;
    }

    /// <summary>The numbers the counter of <paramref name="year"/> recorded, in order, each checked to name the tip that has it.</summary>
    private async Task<List<string>> CounterNumbersAsync(int year)
    {
        await using var session = tips.Host.Services.GetRequiredService<IDocumentStore>().QuerySession();
        var events = await session.Events.FetchStreamAsync(YearlyNumbers.CounterOf(Tip.NumberPrefix, new HomeWard().Id, year), token: TestContext.Current.CancellationToken);
        var numbers = events.SelectMany(stored => stored.Data switch
        {
            NumberReserved one => [one],
            NumbersReserved batch => batch.Numbers,
            var other => throw new InvalidOperationException($"The counter holds a {other.GetType().Name}."),
        }).ToList();
        foreach (var number in numbers)
        {
            Assert.Equal(number.Number, (await session.LoadAsync<TipState>(number.For, TestContext.Current.CancellationToken))?.Number);
        }

        return [.. numbers.Select(number => number.Number)];
    }

    /// <summary>The numbers of the tips stored for <paramref name="year"/>, in order.</summary>
    private async Task<List<string>> StoredNumbersAsync(int year)
    {
        await using var session = tips.Host.Services.GetRequiredService<IDocumentStore>().QuerySession();
        var prefix = $"{Tip.NumberPrefix}-QT-{year}-";
        var numbers = await session.Query<TipState>().Where(tip => tip.Number.StartsWith(prefix)).Select(tip => tip.Number).ToListAsync(TestContext.Current.CancellationToken);
        return [.. numbers.Order(StringComparer.Ordinal)];
    }
}
