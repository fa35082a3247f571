using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using WardLink.EventSourcing.Sites;
using WardLink.IntegrationTests.Incidents;
using WardLink.Patrols;
using WardLink.Testing;

namespace WardLink.IntegrationTests.Patrols;

/// <summary>The patrols service alone on a virtual host, on a clock the test sets, sweeping for missed shifts every 100 ms.</summary>
public class PatrolsOnTheBus : ServiceGroup
{
    /// <summary>An evening in June 2024, before the 21:00–24:00 window of the hospital patrols.</summary>
    public static readonly DateTimeOffset Evening = new(2024, 6, 1, 20, 0, 0, TimeSpan.FromHours(7));

    public ManualClock Clock { get; } = new(Evening);

    public HttpClient Client { get; private set; } = null!;

    public IServiceProvider Services { get; private set; } = null!;

    public IDocumentStore Store => StoreOf(PatrolsService.Name);

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        var host = await StartAsync<PatrolsService>(PatrolsService.Name, services: services =>
        {
            services.AddSingleton<TimeProvider>(Clock);
            services.AddSingleton(new MissedShiftSweepSchedule(TimeSpan.FromMilliseconds(100), 7));
        });
        Client = host.CreateClient();
        Services = host.Services;
    }
}

/// <summary>Requests to the patrols API as a police console or a partner's security desk would send them.</summary>
public static class PatrolRequests
{
    public static readonly string[] EveryDay = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];

    /// <summary>
    /// Tomorrow's local date: a schedule starting then has no window that closes while a test runs, so the missed-shift
    /// sweep (on the real clock, every minute) records nothing beside a test that counts what the store holds.
    /// </summary>
    public static string Tomorrow => DateOnly.FromDateTime(DateTimeOffset.UtcNow.ToOffset(Domain.WardTime.Offset).Date).AddDays(1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    public static async Task<JsonElement> CreatedAsync(this HttpClient client, string path, object body)
    {
        var response = await client.PostAsJsonAsync(path, body, TestContext.Current.CancellationToken);
        var json = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{path}: {response.StatusCode} {json}");
        Assert.Equal("\"1\"", response.Headers.ETag?.Tag);
        return json;
    }

    /// <summary>A route with one checkpoint at each of two new known sites (codes <c>A</c> and <c>B</c>).</summary>
    public static async Task<(Guid RouteId, KnownSite First, KnownSite Second)> DefineRouteAsync(this HttpClient client, IDocumentStore store)
    {
        var first = await store.KnowSiteAsync("Eye hospital gate");
        var second = await store.KnowSiteAsync("Obstetrics hospital car park");
        var route = await client.CreatedAsync("/patrols/routes", new
        {
            name = "Hospitals at night",
            checkpoints = new[] { new { code = "A", siteId = first.Id, name = "Gate" }, new { code = "B", siteId = second.Id, name = "Car park" } },
        });
        return (route.GetProperty("id").GetGuid(), first, second);
    }

    public static async Task<Guid> ScheduleAsync(this HttpClient client, Guid routeId, string startsOn, string kind = "patrol") =>
        (await client.CreatedAsync("/patrols/schedules", new
        {
            routeId,
            kind,
            days = EveryDay,
            windowStart = "21:00",
            windowEnd = "24:00",
            team = "joint",
            partnerIds = new[] { Guid.CreateVersion7() },
            startsOn,
        })).GetProperty("id").GetGuid();

    public static object Team => new[] { new { name = "Team A lead", role = "ward police" }, new { name = "Gate 2", role = "hospital security" } };

    public static async Task<(Guid Id, string ETag)> StartShiftAsync(this HttpClient client, object body)
    {
        var response = await client.PostAsJsonAsync("/patrols/shifts", body, TestContext.Current.CancellationToken);
        var json = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{response.StatusCode} {json}");
        return (json.GetProperty("id").GetGuid(), response.Headers.ETag!.Tag);
    }

    public static async Task<JsonElement> GetJsonAsync(this HttpClient client, string path)
    {
        var response = await client.GetAsync(path, TestContext.Current.CancellationToken);
        var json = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {response.StatusCode} {json}");
        return json;
    }
}
