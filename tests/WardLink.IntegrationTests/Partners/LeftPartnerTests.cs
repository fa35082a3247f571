using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using WardLink.IntegrationTests.BadInput;
using WardLink.IntegrationTests.Pipeline;

namespace WardLink.IntegrationTests.Partners;

/// <summary>
/// A partner that has left the linkage takes no more changes (docs/security.md): neither on its own record nor on the parts kept
/// under it. A probe found its webhooks still changed, re-keyed, paused and resumed after it left, while subscribing and renaming
/// were refused; so every write under <c>/partners/{id}/…</c> the service's document describes is sent, a new one included.
/// </summary>
public sealed class LeftPartnerTests(WebhookSystem system) : IClassFixture<WebhookSystem>
{
    /// <summary>
    /// The steps that stay open once the partner has left, in the order sent (docs/security.md, docs/partners.md): removing a
    /// contact (personal data) and a webhook, correcting and retiring a site (the ground stays where it is).
    /// </summary>
    private static readonly string[] StillOpen =
    [
        "DELETE /partners/{id}/contacts/{contactId}",
        "PUT /partners/{id}/sites/{siteId}",
        "POST /partners/{id}/sites/{siteId}/retire",
        "DELETE /partners/{id}/webhooks/{webhookId}",
    ];

    private static readonly string[] WriteMethods = ["POST", "PUT", "PATCH", "DELETE"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>
    /// A partner with one of each part (a site, a contact, a webhook with a delivery) leaves; then each write under its path, with
    /// its sample body, is the 409 naming the departure and leaves the partner, its site and its webhook at the versions they had,
    /// but the steps that stay open, which succeed.
    /// </summary>
    [Fact]
    public async Task Every_write_on_a_partner_that_left_or_on_its_parts_is_the_409_naming_the_departure_and_appends_nothing_but_the_removals_that_stay_open()
    {
        var police = system.Police;
        var (partnerId, siteId) = await system.PartnerWithSiteAsync("Thanh Hóa Psychiatric Hospital, gone", "Psychiatric hospital gate");
        var added = await police.PostAsJsonAsync($"/partners/{partnerId}/contacts", new { role = "Head of security", name = "Lê Văn Hải", phone = "0912 345 678" }, Ct);
        Assert.Equal(HttpStatusCode.OK, added.StatusCode);
        var contactId = (await added.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("contacts")[0].GetProperty("id").GetGuid();
        var (webhookId, _) = await WebhookTests.SubscribeAsync(police, partnerId, system.Receiver.Endpoint("gone"), "incidentReported");
        await system.Bus.PublishAsync(WebhookTests.IncidentAt(siteId), Guid.NewGuid());
        var deliveryId = (await WebhookTests.DeliveriesAsync(police, partnerId, webhookId, "delivered", 1))[0].GetProperty("id").GetGuid();
        Assert.Equal(HttpStatusCode.OK, (await police.PostAsJsonAsync($"/partners/{partnerId}/leave", new { reason = "Moved to the province." }, Ct)).StatusCode);

        var parts = new Dictionary<string, Guid>(StringComparer.Ordinal)
        {
            ["id"] = partnerId, ["siteId"] = siteId, ["contactId"] = contactId, ["webhookId"] = webhookId, ["deliveryId"] = deliveryId,
        };
        var writes = (await DescribedOperation.AllAsync(police, Ct))
            .Where(operation => WriteMethods.Contains(operation.Method) && operation.Template.StartsWith("/partners/{id}/", StringComparison.Ordinal))
            .ToList();
        var failures = new List<string>();
        var versions = await VersionsAsync(partnerId, siteId, webhookId);
        foreach (var write in writes.Where(write => !StillOpen.Contains($"{write.Method} {write.Template}")))
        {
            var (status, title) = await SendAsync(write, parts, failures);
            if (status != HttpStatusCode.Conflict || !title.Contains("has left the linkage", StringComparison.Ordinal))
            {
                failures.Add($"{write.Method} {write.Template}: {(int)status} \"{title}\", not the 409 naming the departure");
            }

            if (await VersionsAsync(partnerId, siteId, webhookId) is var now && now != versions)
            {
                failures.Add($"{write.Method} {write.Template}: appended (versions of the partner, site and webhook {versions} became {now})");
                versions = now;
            }
        }

        foreach (var open in StillOpen)
        {
            var write = writes.SingleOrDefault(write => $"{write.Method} {write.Template}" == open);
            if (write is null)
            {
                failures.Add($"{open}: not in the document");
                continue;
            }

            var (status, title) = await SendAsync(write, parts, failures);
            if (status is not (HttpStatusCode.OK or HttpStatusCode.NoContent))
            {
                failures.Add($"{open}: {(int)status} \"{title}\", though it stays open once the partner has left");
            }
        }

        Assert.Contains(writes, write => write.Template.StartsWith("/partners/{id}/webhooks/{webhookId}/", StringComparison.Ordinal));
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    /// <summary>Sends <paramref name="write"/> with its sample body to the partner's parts: its status and problem title (empty when none).</summary>
    private async Task<(HttpStatusCode Status, string Title)> SendAsync(DescribedOperation write, Dictionary<string, Guid> parts, List<string> failures)
    {
        var address = PathParameter.Of(write.Description).Aggregate(write.Template, (path, parameter) =>
        {
            if (!parts.TryGetValue(parameter.Name, out var id))
            {
                failures.Add($"{write.Method} {write.Template}: the test keeps no part for {{{parameter.Name}}}; give the partner one");
            }

            return path.Replace($"{{{parameter.Name}}}", id.ToString(), StringComparison.Ordinal);
        });
        using var request = new HttpRequestMessage(new HttpMethod(write.Method), address)
        {
            Content = write.Body?.Sample() is { } body ? JsonBodies.Json(body.ToJsonString()) : null,
        };
        var response = await system.Police.SendAsync(request, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        var title = text.Length > 0 && response.Content.Headers.ContentType?.MediaType == "application/problem+json"
            ? JsonDocument.Parse(text).RootElement.GetProperty("title").GetString() ?? string.Empty
            : string.Empty;
        return (response.StatusCode, title);
    }

    /// <summary>The versions (ETags) of the partner's stream, its site's and its webhook's, as one text.</summary>
    private async Task<string> VersionsAsync(Guid partnerId, Guid siteId, Guid webhookId)
    {
        var tags = new List<string>();
        foreach (var path in new[] { $"/partners/{partnerId}", $"/partners/{partnerId}/sites/{siteId}", $"/partners/{partnerId}/webhooks/{webhookId}" })
        {
            var response = await system.Police.GetAsync(path, Ct);
            tags.Add(response.Headers.ETag?.Tag ?? $"{(int)response.StatusCode}");
        }

        return string.Join(' ', tags);
    }
}
