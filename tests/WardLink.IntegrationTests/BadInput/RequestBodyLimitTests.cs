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

/// <summary>
/// Chunked bodies on a real socket, in a group of their own: a partners service started second in a group records its home
/// ward in the background, which <see cref="RequestBodyLimitTests"/> counted as stored when this test's service started first.
/// </summary>
public sealed class ChunkedBodyTests(ServiceGroup services) : IClassFixture<ServiceGroup>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>
    /// A chunked body is held to the limit by its own bytes, as one sent with its length is: the framing around each chunk
    /// (its size in hex and two line breaks) is not body. Sent in 16-byte chunks, a body of exactly the limit, larger than
    /// the limit on the wire, was a 413 "At most 262144 bytes."; in 1-byte chunks, a body of 200 KB through the gateway.
    /// </summary>
    [Fact]
    public async Task A_chunked_body_within_the_limit_is_read_however_small_its_chunks()
    {
        var host = await services.StartAsync<PartnersService>(PartnersService.Name, listenOnSocket: true);
        using var client = new HttpClient { BaseAddress = host.Address }.As(TestAuth.Token(WardLinkRoles.Police));
        var limit = host.Services.GetRequiredService<RequestBodyLimit>().MaxBytes;

        foreach (var (name, content) in new (string, Func<string, HttpContent>)[]
        {
            ("Quảng Thắng primary school", body => Json(body)),
            ("Quảng Thắng secondary school", body => new SmallChunks(body, 16)),
            ("Quảng Thắng kindergarten", body => new SmallChunks(body, 1)),
        })
        {
            var json = JsonSerializer.Serialize(new { name, kind = "school" });
            var body = json[..^1] + new string(' ', (int)limit - System.Text.Encoding.UTF8.GetByteCount(json)) + "}";
            var created = await client.PostAsync("/partners", content(body), Ct);

            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            Assert.Equal(name, (await created.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("name").GetString());
        }
    }

    /// <summary>A JSON body sent chunked, one chunk of <paramref name="size"/> bytes a write.</summary>
    private sealed class SmallChunks : HttpContent
    {
        private readonly byte[] _bytes;
        private readonly int _size;

        public SmallChunks(string text, int size)
        {
            _bytes = System.Text.Encoding.UTF8.GetBytes(text);
            _size = size;
            Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            for (var at = 0; at < _bytes.Length; at += _size)
            {
                await stream.WriteAsync(_bytes.AsMemory(at, Math.Min(_size, _bytes.Length - at)));
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
