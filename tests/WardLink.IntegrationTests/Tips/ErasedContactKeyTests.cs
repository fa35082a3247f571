using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using WardLink.EventSourcing.Idempotency;
using WardLink.ServiceDefaults.Security;
using WardLink.Testing;
using WardLink.Tips;

namespace WardLink.IntegrationTests.Tips;

/// <summary>
/// A keyed intake's kept fingerprint (a keyed hash of its body, the contact included) was an oracle for an erased contact: the
/// client that sent the tip, or anyone behind the public intake's address, retried the key with a guessed contact and was told
/// 201 for the right guess and 422 for any other, for 24 hours after the erasure (a probe found so on each intake). The erasure
/// forgets the fingerprint of every keyed request that created the tip: a retry of the key answers as before whatever it
/// guesses, and the table keeps no hash to test.
/// </summary>
public sealed class ErasedContactKeyTests(ServiceFixture<TipsService> tips) : IClassFixture<ServiceFixture<TipsService>>
{
    [Theory]
    [InlineData("police")]
    [InlineData("partner")]
    [InlineData("public")]
    public async Task Once_a_contact_is_erased_a_retry_of_its_intake_s_key_answers_as_before_whatever_contact_it_guesses(string intake)
    {
        var ct = TestContext.Current.CancellationToken;
        using var police = tips.CreateClient();
        using var client = intake == "partner" ? tips.CreateClient().As(TestAuth.Token(WardLinkRoles.Partner, Guid.NewGuid())) : tips.CreateClient();
        var marker = Guid.NewGuid().ToString("N");
        var key = Guid.NewGuid().ToString();
        object Body(string phone) => intake == "public"
            ? new { category = "theft", description = $"Bags searched in the waiting room {marker}", place = new { description = "Eye hospital" }, contact = new { phone } }
            : new
            {
                channel = intake == "partner" ? "partner" : "hotline", category = "theft", description = $"Bags searched in the waiting room {marker}", place = new { description = "Eye hospital" },
                receivedAt = "2024-05-02T21:40:00+07:00", contact = new { phone },
            };
        async Task<HttpResponseMessage> SendAsync(string phone)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, intake == "public" ? "/public/tips" : "/tips") { Content = JsonContent.Create(Body(phone)) };
            request.Headers.Add(IdempotencyKeys.HeaderName, key);
            return await client.SendAsync(request, ct);
        }

        var first = await SendAsync("+84 912 000 111");
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var firstBody = await first.Content.ReadAsStringAsync(ct);
        var tipId = await TipOfAsync(marker);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await SendAsync("+84 912 000 222")).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await police.DeleteAsync($"/tips/{tipId}/contact", ct)).StatusCode);

        foreach (var guess in new[] { "+84 912 000 111", "+84 912 000 222", "+84 987 654 321" })
        {
            var retried = await SendAsync(guess);
            Assert.Equal(HttpStatusCode.Created, retried.StatusCode);
            Assert.Equal("true", retried.Headers.GetValues(IdempotencyKeys.ReplayedHeaderName).Single());
            Assert.Equal(first.Headers.Location, retried.Headers.Location);
            Assert.Equal(firstBody, await retried.Content.ReadAsStringAsync(ct));
        }

        Assert.Equal(tipId, await TipOfAsync(marker));
        Assert.Equal(HttpStatusCode.NotFound, (await police.GetAsync($"/tips/{tipId}/contact", ct)).StatusCode);
        Assert.Equal([IdempotencyStore.ForgottenFingerprint], await FingerprintsOfAsync(tipId));
    }

    /// <summary>The one tip whose description holds <paramref name="marker"/>.</summary>
    private async Task<Guid> TipOfAsync(string marker)
    {
        await using var session = tips.Host.Services.GetRequiredService<IDocumentStore>().QuerySession();
        return Assert.Single(await session.Query<TipState>().Where(tip => tip.Description.Contains(marker)).Select(tip => tip.Id).ToListAsync(TestContext.Current.CancellationToken));
    }

    /// <summary>The fingerprints the table keeps for the keyed requests that created <paramref name="tipId"/>, as an insider reads them.</summary>
    private async Task<List<string>> FingerprintsOfAsync(Guid tipId)
    {
        var store = tips.Host.Services.GetRequiredService<IDocumentStore>();
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var read = new NpgsqlCommand($"SELECT fingerprint FROM {store.Options.Events.DatabaseSchemaName}.{IdempotencyStore.TableName} WHERE record_id = @tip", connection);
        read.Parameters.AddWithValue("tip", tipId);
        var fingerprints = new List<string>();
        await using var rows = await read.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        while (await rows.ReadAsync(TestContext.Current.CancellationToken))
        {
            fingerprints.Add(rows.GetString(0));
        }

        return fingerprints;
    }
}
