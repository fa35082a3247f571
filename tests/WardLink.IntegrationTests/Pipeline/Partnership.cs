using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using WardLink.Incidents;
using WardLink.Patrols;
using WardLink.Testing;
using WardLink.Tips;

namespace WardLink.IntegrationTests.Pipeline;

/// <summary>Registers partners and sites through the partners API, as a partner system would.</summary>
public static class Partnership
{
    public static readonly string[] Directories = [TipsService.Name, IncidentsService.Name, PatrolsService.Name];

    /// <summary>Starts the three services that keep a site directory.</summary>
    public static async Task StartDirectoriesAsync(this ServiceGroup group)
    {
        await group.StartAsync<TipsService>(TipsService.Name);
        await group.StartAsync<IncidentsService>(IncidentsService.Name);
        await group.StartAsync<PatrolsService>(PatrolsService.Name);
    }

    public static async Task<Guid> RegisterPartnerAsync(this HttpClient partners, string name = "Thanh Hóa Provincial Obstetrics Hospital", string kind = "hospital")
    {
        var response = await partners.PostAsJsonAsync("/partners", new { name, kind });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    public static async Task<Guid> RegisterSiteAsync(this HttpClient partners, Guid partnerId, string name, HttpRequestMessage? request = null)
    {
        using var message = request ?? new HttpRequestMessage();
        message.Method = HttpMethod.Post;
        message.RequestUri = new Uri($"/partners/{partnerId}/sites", UriKind.Relative);
        message.Content = JsonContent.Create(new { name, kind = "hospitalArea", latitude = 19.8069, longitude = 105.7765 });
        var response = await partners.SendAsync(message);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    /// <summary>Waits until every directory knows <paramref name="count"/> sites; returns them per service.</summary>
    public static async Task<Dictionary<string, IReadOnlyList<WardLink.EventSourcing.Sites.KnownSite>>> WaitForSitesAsync(this ServiceGroup group, int count, TimeSpan? timeout = null)
    {
        var known = new Dictionary<string, IReadOnlyList<WardLink.EventSourcing.Sites.KnownSite>>();
        foreach (var service in Directories)
        {
            known[service] = await Eventually.Get(
                async () => await group.SitesKnownToAsync(service) is { } sites && sites.Count >= count ? sites : null,
                $"{count} sites in the {service} directory",
                timeout ?? TimeSpan.FromSeconds(60));
        }

        return known;
    }
}
