using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using JasperFx.Events;
using Marten;
using WardLink.Contracts.Partners;
using WardLink.EventSourcing.Sites;

namespace WardLink.IntegrationTests.Incidents;

/// <summary>Requests to the incidents API as a police console would send them, and what the store holds.</summary>
public static class IncidentRequests
{
    public static object Report(
        string classification = "criminal",
        string category = "theft",
        object? place = null,
        string occurredAt = "2024-05-02T21:40:00+07:00",
        string source = "police",
        string? sourceReference = "CA-QT-2024-118") => new
        {
            classification,
            category,
            description = "A motorbike stolen from the Eye hospital car park.",
            place = place ?? new { description = "Eye hospital car park" },
            occurredAt,
            source,
            sourceReference,
        };

    public static async Task<(Guid Id, string ETag, JsonElement Body)> ReportAsync(this HttpClient client, object? report = null)
    {
        var response = await client.PostAsJsonAsync("/incidents", report ?? Report(), TestContext.Current.CancellationToken);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{response.StatusCode}: {body}");
        return (body.GetProperty("id").GetGuid(), response.Headers.ETag!.Tag, body);
    }

    /// <summary>POSTs <paramref name="body"/> (or none) to <paramref name="path"/> with <c>If-Match</c> when given.</summary>
    public static Task<HttpResponseMessage> StepAsync(this HttpClient client, string path, string? ifMatch, object? body = null, HttpMethod? method = null)
    {
        var request = new HttpRequestMessage(method ?? HttpMethod.Post, path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        return client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    /// <summary>A step that must succeed; returns the new ETag.</summary>
    public static async Task<string> StepOkAsync(this HttpClient client, string path, string ifMatch, object? body = null, HttpMethod? method = null)
    {
        var response = await client.StepAsync(path, ifMatch, body, method);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {response.StatusCode} {await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)}");
        return response.Headers.ETag!.Tag;
    }

    public static async Task<KnownSite> KnowSiteAsync(this IDocumentStore store, string name)
    {
        var site = new KnownSite(Guid.CreateVersion7(), Guid.CreateVersion7(), name, SiteKind.HospitalArea, 19.8069, 105.7765, DateTimeOffset.UtcNow);
        await using var session = store.LightweightSession();
        session.Store(site);
        await session.SaveChangesAsync(TestContext.Current.CancellationToken);
        return site;
    }

    public static async Task<IReadOnlyList<IEvent>> EventsOfAsync(this IDocumentStore store, Guid streamId)
    {
        await using var session = store.QuerySession();
        return await session.Events.FetchStreamAsync(streamId, token: TestContext.Current.CancellationToken);
    }

    public static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
