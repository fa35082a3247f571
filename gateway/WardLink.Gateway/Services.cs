using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Yarp.ReverseProxy.Configuration;

namespace WardLink.Gateway;

/// <summary>The services behind the gateway, as its <c>ReverseProxy</c> clusters name them, and how the gateway asks them itself.</summary>
public static class Services
{
    /// <summary>Each cluster's id (the service's name) with the address of its first destination.</summary>
    public static IReadOnlyList<(string Name, Uri Address)> ServiceAddresses(this IProxyConfigProvider proxy) =>
        proxy.GetConfig().Clusters
            .SelectMany(cluster => (cluster.Destinations ?? new Dictionary<string, DestinationConfig>())
                .Take(1)
                .Select(destination => (cluster.ClusterId, new Uri(destination.Value.Address))))
            .ToList();

    /// <summary>
    /// GETs a JSON answer within <paramref name="timeout"/>: the JSON, or why there is none
    /// ("timed out after 5 s", "unreachable", "answered 503") and the status the service answered, if
    /// it answered. Never throws for the service's failure.
    /// </summary>
    public static async Task<(JsonNode? Json, string? MissingReason, int? Status)> GetJsonAsync(
        this HttpClient client, HttpRequestMessage request, TimeSpan timeout, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        try
        {
            using var response = await client.SendAsync(request, deadline.Token);
            if (!response.IsSuccessStatusCode)
            {
                return (null, $"answered {(int)response.StatusCode}", (int)response.StatusCode);
            }

            return (await JsonNode.ParseAsync(await response.Content.ReadAsStreamAsync(deadline.Token), cancellationToken: deadline.Token), null, (int)response.StatusCode);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return (null, string.Create(CultureInfo.InvariantCulture, $"timed out after {timeout.TotalSeconds:0.###} s"), null);
        }
        catch (HttpRequestException)
        {
            return (null, "unreachable", null);
        }
        catch (JsonException)
        {
            return (null, "answered a body that is not JSON", null);
        }
    }
}
