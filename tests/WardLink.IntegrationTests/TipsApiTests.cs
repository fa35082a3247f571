using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using WardLink.Testing;
using WardLink.Tips;

namespace WardLink.IntegrationTests;

public sealed class TipsApiTests(ServiceFixture<TipsService> tips) : IClassFixture<ServiceFixture<TipsService>>
{
    private const string ValidTip = """
        {
          "channel": "hotline",
          "category": "theft",
          "description": "A man going through bags in the Eye hospital waiting room.",
          "place": { "description": "Eye hospital, ground-floor waiting room" },
          "receivedAt": "2024-05-02T21:40:00+07:00"
        }
        """;

    private readonly HttpClient _client = tips.CreateClient();

    [Fact]
    public async Task A_posted_tip_is_stored_as_one_TipReceived_event_and_read_back_with_its_ETag()
    {
        var created = await _client.PostAsync("/tips", Json(ValidTip), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("\"1\"", created.Headers.ETag?.Tag);
        var body = await created.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        var id = body.GetProperty("id").GetGuid();
        Assert.Equal($"/tips/{id}", created.Headers.Location?.OriginalString);
        Assert.Equal("hotline", body.GetProperty("channel").GetString());

        await using var session = tips.Host.Services.GetRequiredService<IDocumentStore>().QuerySession();
        var events = await session.Events.FetchStreamAsync(id, token: TestContext.Current.CancellationToken);
        var received = Assert.IsType<TipReceived>(Assert.Single(events).Data);
        Assert.Equal(TipChannel.Hotline, received.Channel);
        Assert.Equal(TipCategory.Theft, received.Category);
        Assert.Equal("Eye hospital, ground-floor waiting room", received.Place.Description);
        Assert.Equal(DateTimeOffset.Parse("2024-05-02T14:40:00Z", System.Globalization.CultureInfo.InvariantCulture), received.ReceivedAt);

        var read = await _client.GetAsync(created.Headers.Location, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal("\"1\"", read.Headers.ETag?.Tag);
        var tip = await read.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal(id, tip.GetProperty("id").GetGuid());
        Assert.Equal("theft", tip.GetProperty("category").GetString());
        Assert.Equal("A man going through bags in the Eye hospital waiting room.", tip.GetProperty("description").GetString());
    }

    [Fact]
    public async Task The_gateway_prefix_is_understood_and_kept_in_the_location()
    {
        var created = await _client.PostAsync("/api/tips", Json(ValidTip), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.StartsWith("/api/tips/", created.Headers.Location?.OriginalString, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync(created.Headers.Location, TestContext.Current.CancellationToken)).StatusCode);
    }

    public static TheoryData<string, string, string> BadTips => new()
    {
        { "future", ValidTip.Replace("2024-05-02T21:40:00+07:00", "2999-01-01T00:00:00+07:00", StringComparison.Ordinal), "receivedAt" },
        { "unknown channel", ValidTip.Replace("\"hotline\"", "\"carrier-pigeon\"", StringComparison.Ordinal), "channel" },
        { "blank description", ValidTip.Replace("A man going through bags in the Eye hospital waiting room.", "   ", StringComparison.Ordinal), "description" },
        { "no place", ValidTip.Replace("\"description\": \"Eye hospital, ground-floor waiting room\"", "\"latitude\": 19.8", StringComparison.Ordinal), "place" },
        { "not json", "{ this is not json", "body" },
    };

    [Theory]
    [MemberData(nameof(BadTips))]
    public async Task A_bad_tip_gets_a_400_problem_naming_the_field_and_stores_nothing(string why, string body, string field)
    {
        var before = await CountEventsAsync();

        var response = await _client.PostAsync("/tips", Json(body), TestContext.Current.CancellationToken);

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{why}: {response.StatusCode}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"{why}: errors lack '{field}': {problem}");
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("traceId").GetString()));
        Assert.Equal(before, await CountEventsAsync());
    }

    [Fact]
    public async Task An_unknown_tip_is_a_404_problem()
    {
        var response = await _client.GetAsync($"/tips/{Guid.NewGuid()}", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Readiness_reports_the_database_and_the_broker()
    {
        // The bus connects in the background after start; readiness says when it has.
        var report = await Eventually.Get(
            async () =>
            {
                var response = await _client.GetAsync("/health/ready", TestContext.Current.CancellationToken);
                return response.StatusCode == HttpStatusCode.OK ? await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken) : null;
            },
            "the tips service to be ready");

        var checks = JsonDocument.Parse(report).RootElement.GetProperty("checks");
        Assert.Equal("Healthy", checks.GetProperty("postgres").GetProperty("status").GetString());
        Assert.Equal("Healthy", checks.GetProperty("masstransit-bus").GetProperty("status").GetString());
    }

    [Fact]
    public async Task The_OpenAPI_document_describes_the_tip_endpoints()
    {
        var document = await _client.GetFromJsonAsync<JsonElement>("/openapi/v1.json", TestContext.Current.CancellationToken);

        Assert.True(document.GetProperty("paths").TryGetProperty("/tips", out _));
        Assert.True(document.GetProperty("paths").TryGetProperty("/tips/{id}", out _));
    }

    private async Task<long> CountEventsAsync()
    {
        await using var session = tips.Host.Services.GetRequiredService<IDocumentStore>().QuerySession();
        return await session.Events.QueryAllRawEvents().LongCountAsync(TestContext.Current.CancellationToken);
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
