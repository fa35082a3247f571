using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Marten;
using WardLink.Contracts.Partners;
using WardLink.Domain;
using WardLink.EventSourcing.Sites;
using WardLink.Tips;

namespace WardLink.IntegrationTests.Tips;

/// <summary>Tips recorded, assessed and read through the tips API, as the police console would.</summary>
public static class TipsApi
{
    public static object NewTip(
        string channel = "hotline",
        string category = "theft",
        string receivedAt = "2024-05-02T21:40:00+07:00",
        object? place = null,
        object? contact = null) => new
        {
            channel,
            category,
            description = "A man going through bags in the Eye hospital waiting room.",
            place = place ?? new { description = "Eye hospital, ground-floor waiting room" },
            receivedAt,
            contact,
        };

    public static async Task<Guid> ReceiveAsync(this HttpClient tips, object? tip = null)
    {
        var response = await tips.PostAsJsonAsync("/tips", tip ?? NewTip());
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    public static Task<HttpResponseMessage> AssessAsync(this HttpClient tips, Guid id, string verdict, string reason = "Checked against the camera footage.", Guid? duplicateOf = null) =>
        tips.PostAsJsonAsync($"/tips/{id}/assessments", new { verdict, reason, duplicateOf });

    public static async Task<JsonElement> ReadAsync(this HttpClient tips, Guid id) =>
        await tips.GetFromJsonAsync<JsonElement>($"/tips/{id}");

    public static async Task<IReadOnlyList<object>> EventsOfAsync(this IDocumentStore store, Guid id)
    {
        await using var session = store.QuerySession();
        return [.. (await session.Events.FetchStreamAsync(id)).Select(recorded => recorded.Data)];
    }

    /// <summary>A site in the tips service's directory, as if partners had registered it.</summary>
    public static async Task<Guid> KnownSiteAsync(this IDocumentStore store, string name)
    {
        var siteId = Guid.CreateVersion7();
        await using var session = store.LightweightSession();
        session.Store(new KnownSite(siteId, Guid.CreateVersion7(), name, SiteKind.Gate, 19.81, 105.78, DateTimeOffset.UtcNow));
        await session.SaveChangesAsync();
        return siteId;
    }

    /// <summary>An incident in the tips service's incident directory, as if incidents had reported it.</summary>
    public static async Task<Guid> KnownIncidentAsync(this IDocumentStore store)
    {
        var incidentId = Guid.CreateVersion7();
        await using var session = store.LightweightSession();
        session.Store(new KnownIncident(incidentId, "INC-2024-0007", DateTimeOffset.UtcNow));
        await session.SaveChangesAsync();
        return incidentId;
    }

    public static async Task<KnownIncident?> KnownIncidentAsync(this IDocumentStore store, Guid incidentId)
    {
        await using var session = store.QuerySession();
        return await session.LoadAsync<KnownIncident>(incidentId);
    }

    public static async Task<TipState?> StoredTipAsync(this IDocumentStore store, Guid id)
    {
        await using var session = store.QuerySession();
        return await session.LoadAsync<TipState>(id);
    }

    /// <summary>A contact whose every text comes padded with white space, as a client may send it.</summary>
    public static readonly object PaddedContact = new { name = " Lê Thị Padded\t", phone = "\t+84 912 345 678\n", email = " a@b.org " };

    /// <summary>
    /// Reads tip <paramref name="id"/>'s contact as the police, and asserts it is <see cref="PaddedContact"/> as stored:
    /// trimmed, its phone and email wholly of the patterns the API document states for them.
    /// </summary>
    public static async Task AssertPaddedContactStoredTrimmedAsync(this HttpClient police, Guid id)
    {
        var contact = await police.GetFromJsonAsync<JsonElement>($"/tips/{id}/contact");
        var (name, phone, email) = (contact.GetProperty("name").GetString()!, contact.GetProperty("phone").GetString()!, contact.GetProperty("email").GetString()!);

        Assert.Equal(("Lê Thị Padded", "+84 912 345 678", "a@b.org"), (name, phone, email));
        Assert.True(new Regex(ContactFormats.PhonePattern).IsWholly(phone), phone);
        Assert.True(new Regex(ContactFormats.EmailPattern).IsWholly(email), email);
    }
}
