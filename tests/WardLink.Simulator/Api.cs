using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace WardLink.Simulator;

/// <summary>A failure of the simulation: what was asked and what the system answered.</summary>
public sealed class SimulationException(string message) : Exception(message);

/// <summary>
/// The public API through the gateway, as the simulator calls it: every answer checked. Over the
/// gateway's rate limit (429) it waits as long as <c>Retry-After</c> says and asks again, saying so on
/// <paramref name="progress"/>.
/// </summary>
public sealed class Api(HttpClient gateway, TextWriter? progress = null)
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    public async Task<JsonElement> PostAsync(string path, object body, CancellationToken ct, HttpStatusCode expected = HttpStatusCode.Created)
    {
        using var response = await SendAsync(() => gateway.PostAsJsonAsync($"/api/{path}", body, ct), ct);
        return await ReadAsync(response, $"POST /api/{path}", expected, ct);
    }

    public async Task<JsonElement> GetAsync(string path, CancellationToken ct)
    {
        using var response = await SendAsync(() => gateway.GetAsync(new Uri($"/api/{path}", UriKind.Relative), ct), ct);
        return await ReadAsync(response, $"GET /api/{path}", HttpStatusCode.OK, ct);
    }

    /// <summary>The lines of an NDJSON answer (e.g. the audit log), each parsed, read as they stream in.</summary>
    public async Task<IReadOnlyList<JsonElement>> GetLinesAsync(string path, CancellationToken ct)
    {
        using var response = await SendAsync(() => gateway.GetAsync(new Uri($"/api/{path}", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead, ct), ct);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            await ReadAsync(response, $"GET /api/{path}", HttpStatusCode.OK, ct);
        }

        var lines = new List<JsonElement>();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct));
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            if (line.Length > 0)
            {
                lines.Add(JsonDocument.Parse(line).RootElement.Clone());
            }
        }

        return lines;
    }

    /// <summary>The resource, or null while the gateway answers 404 (e.g. not there yet).</summary>
    public async Task<JsonElement?> FindAsync(string path, CancellationToken ct)
    {
        using var response = await SendAsync(() => gateway.GetAsync(new Uri($"/api/{path}", UriKind.Relative), ct), ct);
        return response.StatusCode == HttpStatusCode.NotFound ? null : await ReadAsync(response, $"GET /api/{path}", HttpStatusCode.OK, ct);
    }

    /// <summary>Polls <paramref name="condition"/> until it holds; fails naming <paramref name="what"/> after <paramref name="timeout"/>.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan timeout, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > timeout)
            {
                throw new SimulationException($"Gave up after {timeout.TotalSeconds:0} s waiting for {what}.");
            }

            await Task.Delay(PollInterval, ct);
        }
    }

    private async Task<HttpResponseMessage> SendAsync(Func<Task<HttpResponseMessage>> send, CancellationToken ct)
    {
        while (true)
        {
            var response = await send();
            if (response.StatusCode != HttpStatusCode.TooManyRequests)
            {
                return response;
            }

            var wait = response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1);
            response.Dispose();
            progress?.WriteLine($"[simulator]   over the gateway's rate limit for this client: waiting {wait.TotalSeconds:0} s");
            await Task.Delay(wait, ct);
        }
    }

    private static async Task<JsonElement> ReadAsync(HttpResponseMessage response, string request, HttpStatusCode expected, CancellationToken ct)
    {
        var body = await response.Content.ReadAsStringAsync(ct);
        if (response.StatusCode != expected)
        {
            throw new SimulationException($"{request} answered {(int)response.StatusCode} instead of {(int)expected}: {body[..Math.Min(body.Length, 800)]}");
        }

        return body.Length == 0 ? default : JsonDocument.Parse(body).RootElement.Clone();
    }
}
