using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace WardLink.IntegrationTests.Partners;

/// <summary>A request the receiver got: its path, a copy of its headers, its body.</summary>
public sealed record ReceivedWebhook(string Path, IHeaderDictionary Headers, string Body)
{
    public string Id => Headers["webhook-id"].ToString();
}

/// <summary>
/// A partner's webhook endpoint for the tests: Kestrel on a free loopback port, recording every
/// request, answering each path as the test says (by how many requests that path has had).
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, Func<int, int>> _answers = new();
    private readonly ConcurrentDictionary<string, int> _counts = new();
    private readonly ConcurrentDictionary<string, Func<HttpResponse, Task>> _writers = new();

    private WebhookReceiver(WebApplication app) => _app = app;

    public ConcurrentQueue<ReceivedWebhook> Received { get; } = new();

    public Uri Address => new(_app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single());

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.MapPost("/hooks/{name}", async (string name, HttpContext http) =>
        {
            using var reader = new StreamReader(http.Request.Body);
            var body = await reader.ReadToEndAsync(http.RequestAborted);
            receiver.Received.Enqueue(new ReceivedWebhook(http.Request.Path, new HeaderDictionary(http.Request.Headers.ToDictionary()), body));
            var count = receiver._counts.AddOrUpdate(name, 1, (_, previous) => previous + 1);
            if (receiver._writers.TryGetValue(name, out var write))
            {
                await write(http.Response);
                return Results.Empty;
            }

            var status = receiver._answers.TryGetValue(name, out var answer) ? answer(count) : StatusCodes.Status200OK;
            return Results.Text(status < 300 ? "thanks" : "not now", statusCode: status);
        });
        await app.StartAsync();
        return receiver;
    }

    /// <summary>The address of endpoint <paramref name="name"/>, answering the n-th request to it with <paramref name="answer"/>(n) (200 when not given).</summary>
    public string Endpoint(string name, Func<int, int>? answer = null)
    {
        if (answer is not null)
        {
            _answers[name] = answer;
        }

        return new Uri(Address, $"/hooks/{name}").AbsoluteUri;
    }

    /// <summary>The address of endpoint <paramref name="name"/>, answering every request as <paramref name="write"/> writes it, byte by byte.</summary>
    public string Endpoint(string name, Func<HttpResponse, Task> write)
    {
        _writers[name] = write;
        return new Uri(Address, $"/hooks/{name}").AbsoluteUri;
    }

    public IReadOnlyList<ReceivedWebhook> At(string name) => [.. Received.Where(request => request.Path == $"/hooks/{name}")];

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
