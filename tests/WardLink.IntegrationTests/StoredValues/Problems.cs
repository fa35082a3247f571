using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Marten;

namespace WardLink.IntegrationTests.StoredValues;

/// <summary>What the edge-value tests assert: a 400 problem naming the field, and raw events appended as they are.</summary>
public static class Problems
{
    public static async Task AssertFieldErrorAsync(this HttpResponseMessage response, string field)
    {
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{response.RequestMessage?.RequestUri}: {response.StatusCode} {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = JsonDocument.Parse(body).RootElement.GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out _), $"{field} not named in {errors}");
    }

    public static async Task<HttpResponseMessage> AssertOkAsync(this HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{response.RequestMessage?.RequestUri}: {response.StatusCode} {body}");
        return response;
    }

    public static async Task<JsonElement> OkJsonAsync(this HttpClient client, string path)
    {
        var response = await (await client.GetAsync(path, TestContext.Current.CancellationToken)).AssertOkAsync();
        return await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
    }

    /// <summary>Writes a stream of <typeparamref name="TState"/> straight into the event store (inline projections run), as data stored before any check existed.</summary>
    public static async Task AppendRawAsync<TState>(this IDocumentStore store, Guid streamId, params object[] events)
        where TState : class
    {
        await using var session = store.LightweightSession();
        session.Events.StartStream<TState>(streamId, events);
        await session.SaveChangesAsync(TestContext.Current.CancellationToken);
    }
}
