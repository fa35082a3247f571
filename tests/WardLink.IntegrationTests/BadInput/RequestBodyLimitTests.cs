using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using WardLink.Partners;
using WardLink.ServiceDefaults;
using WardLink.ServiceDefaults.Security;
using WardLink.Testing;
using static WardLink.IntegrationTests.BadInput.JsonBodies;

namespace WardLink.IntegrationTests.BadInput;

/// <summary>The body limit on a real socket: Kestrel's own limit and a chunked body, not only the test server's.</summary>
public sealed class RequestBodyLimitTests(ServiceGroup services) : IClassFixture<ServiceGroup>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Over_Kestrel_a_body_over_the_limit_with_or_without_length_is_a_413_problem_and_one_under_it_is_read()
    {
        var host = await services.StartAsync<PartnersService>(PartnersService.Name, listenOnSocket: true);
        using var client = new HttpClient { BaseAddress = host.Address }.As(TestAuth.Token(WardLinkRoles.Police));
        var limit = host.Services.GetRequiredService<RequestBodyLimit>().MaxBytes;
        var stored = new StoredRows(host.Services.GetRequiredService<IConfiguration>().GetConnectionString("Postgres")!);
        var name = new string('x', (int)limit);
        var before = await stored.CountAsync(Ct);

        var withLength = await client.PostAsJsonAsync("/partners", new { name, kind = "school" }, Ct);
        var chunked = await client.PostAsync("/partners", Chunked(JsonSerializer.Serialize(new { name, kind = "school" })), Ct);

        foreach (var response in new[] { withLength, chunked })
        {
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
            Assert.Equal(413, problem.GetProperty("status").GetInt32());
            Assert.Equal($"At most {limit} bytes.", problem.GetProperty("detail").GetString());
        }

        Assert.Empty(StoredRows.Changed(before, await stored.CountAsync(Ct)));
        var under = await client.PostAsync("/partners", Chunked("""{ "name": "Quảng Thắng primary school", "kind": "school" }"""), Ct);
        Assert.Equal(HttpStatusCode.Created, under.StatusCode);
        Assert.Equal("Quảng Thắng primary school", (await under.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("name").GetString());
    }
}
